"""Web layer: the app factory (app.py), the one registry of views and APIs (registry.py), what
they build on (base.py), security and error pages, and one package per area."""
