"""library: 执法资源库 entries, files and search terms; the national starting catalogue

Revision ID: 0014
Revises: 0012
"""

import datetime as dt
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from enforcement.domain import library as rules

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

SEED = Path(__file__).resolve().parents[2] / "services" / "library" / "seed" / "national.json"


def upgrade() -> None:
    entry = op.create_table(
        "library_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=120), nullable=True),
        sa.Column("issuer", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("key_item_sets", sa.JSON(), nullable=False),
        sa.Column("confidence", sa.String(length=8), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("seed_key", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(length=128), nullable=True),
        # The long texts last: a search reads status, dates, region and deleted_at of every hit,
        # and on SQLite those then sit on the row's first page, not behind its overflow pages.
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["supersedes_id"], ["library_entry.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seed_key"),
    )
    for column in ("issuer", "effective_on", "region_code", "supersedes_id", "deleted_at"):
        op.create_index(f"ix_library_entry_{column}", "library_entry", [column])
    op.create_index("ix_library_entry_collection_status", "library_entry", ["collection", "status"])
    op.create_index(
        "ix_library_entry_rank",
        "library_entry",
        ["id", "deleted_at", "region_code", "status", "effective_on"],
    )
    op.create_table(
        "library_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=128), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(["entry_id"], ["library_entry.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("entry_id", "region_code", "sha256", "deleted_at"):
        op.create_index(f"ix_library_file_{column}", "library_file", [column])
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
    _seed(entry, term)


# The character-pair terms of this revision (the index 0018 replaced with full-text search): kept
# here, as data of the revision, so that today's code need not carry them.
_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")


def _terms(text: str | None) -> Counter[str]:
    counts: Counter[str] = Counter()
    for run in _RUNS.findall(unicodedata.normalize("NFKC", text or "").lower()):
        if run.isascii() or len(run) == 1:
            counts[run[:32]] += 1
        else:
            counts.update(run[i : i + 2] for i in range(len(run) - 1))
    return counts


def weighted_terms(title: str, meta: list[str | None], body: list[str | None]) -> dict[str, int]:
    """Each term's weight: 8 per title occurrence, 4 per number/issuer one, body capped at 5."""
    weights: Counter[str] = Counter()
    for term, count in _terms(title).items():
        weights[term] += 8 * count
    for text in meta:
        for term, count in _terms(text).items():
            weights[term] += 4 * count
    body_counts: Counter[str] = Counter()
    for text in body:
        body_counts.update(_terms(text))
    for term, count in body_counts.items():
        weights[term] += min(count, 5)
    return dict(weights)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _seed(entry: sa.Table, term: sa.Table) -> None:
    """The national catalogue as data of this revision: rows written with this revision's columns
    (never through today's models), terms cut by the rules of this revision."""
    seed = json.loads(SEED.read_text(encoding="utf-8"))["entries"]
    ids = {row["key"]: number for number, row in enumerate(seed, start=1)}
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows, terms = [], []
    for row in seed:
        texts = (row["title"], row["number"], row["issuer"], row["summary"])
        rows.append(
            {
                "id": ids[row["key"]],
                "collection": row["collection"],
                "title": row["title"],
                "number": row["number"],
                "issuer": row["issuer"],
                "status": row["status"],
                "published_on": _date(row["published_on"]),
                "effective_on": _date(row["effective_on"]),
                "region_code": None,
                "key_item_sets": row["key_item_sets"],
                "summary": row["summary"],
                "body": None,
                "source": row["source"],
                "confidence": row["confidence"],
                "supersedes_id": ids.get(row["supersedes"] or ""),
                "seed_key": row["key"],
                "search_text": rules.search_text(*texts),
                "created_by": "system",
                "created_at": now,
                "updated_at": now,
            }
        )
        weights = weighted_terms(
            row["title"], [row["number"], row["issuer"]], [row["summary"]]
        )
        terms.extend(
            {"term": t, "entry_id": ids[row["key"]], "weight": w} for t, w in weights.items()
        )
    # Superseded rows point at later ids: insert without the links, then set them.
    op.bulk_insert(entry, [{**r, "supersedes_id": None} for r in rows])
    for r in rows:
        if r["supersedes_id"]:
            op.execute(
                entry.update().where(entry.c.id == r["id"]).values(supersedes_id=r["supersedes_id"])
            )
    op.bulk_insert(term, terms)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('library_entry', 'id'), "
            "(SELECT max(id) FROM library_entry))"
        )


def downgrade() -> None:
    op.drop_table("library_term")
    op.drop_table("library_file")
    op.drop_table("library_entry")
