"""Pure domain rules: no Flask, Flask-AppBuilder or SQLAlchemy imports here (a test guards it)."""
