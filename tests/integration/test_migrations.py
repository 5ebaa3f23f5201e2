"""Migrations build a fresh database on both engines, and match the models."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from enforcement.web.app import MIGRATIONS_DIR

# The database the other tests copy was built by these migrations too; this module reads only.
pytestmark = pytest.mark.shares_demo_db


def test_migrations_build_every_table_of_a_fresh_database_up_to_the_head_revision(app):
    """The demo database every test copies was made from an empty database by `flask_migrate.upgrade`
    (support/databases.py build_app), on each engine: its tables are the migrations' work."""
    from alembic.script import ScriptDirectory

    with app.app_context():
        engine = app.appbuilder.session.get_bind()
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert revision == ScriptDirectory(MIGRATIONS_DIR).get_current_head()
    assert {
        "region",
        "department",
        "enterprise",
        "enterprise_tag",
        "equipment",
        "enforcer",
        "training_record",
        "audit_log",
        "ab_user",
        "alembic_version",
    } <= tables


def test_models_and_migrations_agree(app):
    """No model change without its migration: autogenerate finds nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_appbuilder import Model

    from enforcement.services.library.index import not_the_index

    with app.app_context():
        engine = app.appbuilder.session.get_bind()
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_object": not_the_index})
            diff = compare_metadata(context, Model.metadata)
    assert diff == []
