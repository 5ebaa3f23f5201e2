"""数据对接: the docking API, the spec page and the monitor page."""
