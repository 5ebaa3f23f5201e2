"""library: both engines rank on the title, number, issuer and the opening of the text (a small
second tsvector on PostgreSQL, stored out of line; a fourth FTS5 column on SQLite)

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from enforcement.services.library.index import TABLE, TOAST_TUPLE_TARGET, index_for_dialect

    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # An FTS5 table takes no new column: made again with `opening`, and filled below.
        op.execute(f"DROP TABLE {TABLE}")
        op.execute(
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5(title, meta, body, opening, tokenize='ascii')"
        )
    else:
        op.add_column(
            TABLE,
            sa.Column(
                "ranking",
                sa.dialects.postgresql.TSVECTOR(),
                nullable=False,
                server_default=sa.text("''::tsvector"),
            ),
        )
        op.alter_column(TABLE, "ranking", server_default=None)
        # Uncompressed and out of line: a count's bitmap scan reads narrow rows, and ranking a
        # hit reads one TOAST chunk without decompressing it.
        op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN ranking SET STORAGE EXTERNAL")
        op.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = {TOAST_TUPLE_TARGET})")
    index = index_for_dialect(bind.dialect.name)
    for row in _entries(bind):
        index.write(bind, row.id, row.title, [row.number, row.issuer], [row.summary, row.body])


def _entries(bind: sa.engine.Connection) -> list[sa.Row[tuple[object, ...]]]:
    return list(
        bind.execute(sa.text("SELECT id, title, number, issuer, summary, body FROM library_entry"))
    )


def downgrade() -> None:
    from enforcement.services.library import text as tokens
    from enforcement.services.library.index import TABLE

    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)")
        op.drop_column(TABLE, "ranking")
        return
    op.execute(f"DROP TABLE {TABLE}")
    op.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5(title, meta, body, tokenize='ascii')")
    for row in _entries(bind):
        meta = "\n".join(p for p in (row.number, row.issuer) if p)
        body = "\n".join(p for p in (row.summary, row.body) if p)
        bind.execute(
            sa.text(f"INSERT INTO {TABLE} (rowid, title, meta, body) VALUES (:id, :t, :m, :b)"),
            {
                "id": row.id,
                "t": tokens.document(row.title),
                "m": tokens.document(meta),
                "b": tokens.document(body),
            },
        )
