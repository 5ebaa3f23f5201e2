"""执法资源库: the library's pages (views.py) and REST API (api.py)."""
