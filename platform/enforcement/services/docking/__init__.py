"""数据对接: the published spec, push (validated upsert), export (a change cursor) and the monitor."""
