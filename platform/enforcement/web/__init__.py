"""Web layer: the Flask-AppBuilder app factory, views, REST APIs, templates."""
