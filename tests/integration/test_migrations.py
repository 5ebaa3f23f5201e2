"""Migrations build a fresh database on both engines, and match the models."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect

from support.databases import ENGINES, build_app, close_app, fresh_database

# The database the other tests copy was built by these migrations too; this module reads only.
pytestmark = pytest.mark.shares_demo_db


@pytest.mark.parametrize("engine_name", ENGINES)
def test_migrations_upgrade_a_fresh_database(engine_name, tmp_path):
    url = fresh_database(engine_name, tmp_path, "migrations")
    close_app(build_app(url, tmp_path / "data"))
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
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
