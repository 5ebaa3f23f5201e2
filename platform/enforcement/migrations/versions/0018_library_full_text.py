"""library: full-text search (jieba tokens in SQLite FTS5 / a PostgreSQL tsvector with GIN) in place
of the character-pair term table

Revision ID: 0018
Revises: 0017
"""

import re
import unicodedata
from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

RANK_COLUMNS = ["id", "deleted_at", "region_code", "status", "effective_on"]


def upgrade() -> None:
    from enforcement.services.library.index import TABLE

    bind = op.get_bind()
    op.drop_table("library_term")
    # The collection and title join the covering index: a search reads them for every hit.
    op.drop_index("ix_library_entry_rank", table_name="library_entry")
    op.create_index("ix_library_entry_rank", "library_entry", [*RANK_COLUMNS, "collection", "title"])
    if bind.dialect.name == "sqlite":
        # Tokens are written space-separated and lower-case: the ascii tokenizer splits on ASCII
        # spaces and keeps every Chinese character of a token.
        op.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5(title, meta, body, tokenize='ascii')")
    else:
        op.create_table(
            TABLE,
            sa.Column("entry_id", sa.Integer(), nullable=False),
            sa.Column("document", sa.dialects.postgresql.TSVECTOR(), nullable=False),
            sa.ForeignKeyConstraint(["entry_id"], ["library_entry.id"]),
            sa.PrimaryKeyConstraint("entry_id"),
        )
        # fastupdate off: entries are written one at a time, and a pending list would be read by
        # every search until a vacuum merged it.
        op.create_index(
            f"ix_{TABLE}_document",
            TABLE,
            ["document"],
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        )
    fill_0018(bind, TABLE)


def fill_0018(bind: sa.engine.Connection, table: str) -> None:
    """The index's rows as this revision has them: the three FTS5 columns, or the full tsvector
    alone (0019 adds the ranking columns and rewrites every row), not through today's index.write."""
    from enforcement.services.library import text as tokens

    rows = bind.execute(
        sa.text("SELECT id, title, number, issuer, summary, body FROM library_entry")
    ).all()
    for row in rows:
        meta = "\n".join(p for p in (row.number, row.issuer) if p)
        body = "\n".join(p for p in (row.summary, row.body) if p)
        if bind.dialect.name == "sqlite":
            statement = f"INSERT INTO {table} (rowid, title, meta, body) VALUES (:id, :t, :m, :b)"
            values = {
                "t": tokens.document(row.title),
                "m": tokens.document(meta),
                "b": tokens.document(body),
            }
        else:
            statement = (
                f"INSERT INTO {table} (entry_id, document) VALUES (:id, CAST(:d AS tsvector))"
            )
            values = {"d": tokens.tsvector_literal([(row.title, "A"), (meta, "B"), (body, "D")])}
        bind.execute(sa.text(statement), {"id": row.id, **values})


# -- downgrade: the term table of 0014, refilled with its character-pair rules ---------------------

_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")


def _terms(text: str | None) -> Counter[str]:
    counts: Counter[str] = Counter()
    for run in _RUNS.findall(unicodedata.normalize("NFKC", text or "").lower()):
        if run.isascii() or len(run) == 1:
            counts[run[:32]] += 1
        else:
            counts.update(run[i : i + 2] for i in range(len(run) - 1))
    return counts


def downgrade() -> None:
    from enforcement.services.library.index import TABLE

    bind = op.get_bind()
    op.drop_table(TABLE)
    op.drop_index("ix_library_entry_rank", table_name="library_entry")
    op.create_index("ix_library_entry_rank", "library_entry", RANK_COLUMNS)
    term = op.create_table(
        "library_term",
        sa.Column("term", sa.String(length=32), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["library_entry.id"]),
        sa.PrimaryKeyConstraint("term", "entry_id"),
    )
    op.create_index("ix_library_term_entry_id", "library_term", ["entry_id"])
    op.create_index("ix_library_term_lookup", "library_term", ["term", "entry_id", "weight"])
    rows = bind.execute(
        sa.text("SELECT id, title, number, issuer, summary, body FROM library_entry")
    ).all()
    terms = []
    for row in rows:
        weights: Counter[str] = Counter()
        for t, n in _terms(row.title).items():
            weights[t] += 8 * n
        for text in (row.number, row.issuer):
            for t, n in _terms(text).items():
                weights[t] += 4 * n
        body = _terms(row.summary) + _terms(row.body)
        for t, n in body.items():
            weights[t] += min(n, 5)
        terms.extend({"term": t, "entry_id": row.id, "weight": w} for t, w in weights.items())
    if terms:
        op.bulk_insert(term, terms)
