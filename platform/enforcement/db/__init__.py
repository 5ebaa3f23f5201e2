"""The session's policies: who is acting, jurisdiction scoping, audit, and the unit of work."""
