"""The library's full-text index behind one interface: SQLite FTS5, or a PostgreSQL tsvector with a
GIN index. Both hold the same tokens (services/library/text.py), written in the transaction that
writes the entry, and answer the same query with the ids it matches and a relevance: bm25 on
SQLite, ts_rank_cd on PostgreSQL, each weighting the title over number and issuer over the text.

The index is not a model: it holds tokens only, and every search joins LibraryEntry, whose session
criteria (db/policies) decide what the actor sees. Migration 0018 creates it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Protocol

from sqlalchemy import Column, Float, Integer, MetaData, Table, cast, func, literal, select, text
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Subquery

from enforcement.services.library import text as tokens

TABLE = "library_fts"
# FTS5 columns and bm25 weights: the title counts 10, number and issuer 4, summary and text 1.
# PostgreSQL's weights {D, C, B, A} in the same ratio: the text is D, number and issuer B, title A.
BM25_WEIGHTS = (10.0, 4.0, 1.0)
TS_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"

_metadata = MetaData()  # not the models' metadata: the table is the index's own
_pg = Table(
    TABLE,
    _metadata,
    Column("entry_id", Integer, primary_key=True),
    Column("document", TSVECTOR, nullable=False),
)


def not_the_index(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's include_object: the index's tables (FTS5's shadow tables too) are not models, so
    autogenerate must neither drop nor compare them."""
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return not (table == TABLE or str(table or "").startswith(TABLE + "_"))


class SearchIndex(Protocol):
    # Whether the relevance is computed only for the rows left after the outer statement's
    # conditions (PostgreSQL: an expression over the joined rows), so that narrowing the hits
    # before ranking pays; FTS5's bm25 is computed inside the MATCH scan, for every match.
    ranks_after_filter: bool

    def write(
        self,
        session: Session | Connection,
        entry_id: int,
        title: str,
        meta: list[str | None],
        body: list[str | None],
    ) -> None:
        """Replace the entry's row of the index (inside the caller's transaction)."""

    def matches(self, query: tokens.Query, ranked: bool) -> Subquery:
        """The matching entries as (id, relevance); relevance 0 when not `ranked`."""

    def count(self, session: Session, query: tokens.Query) -> tuple[int, int]:
        """How many rows of the whole index match, and how many it has, in one statement
        (unscoped: they decide how to rank, nothing more)."""

    def planning(self, session: Session) -> AbstractContextManager[None]:
        """Around the statements of one search: what the engine's planner must be told."""


def _join(parts: list[str | None]) -> str:
    return "\n".join(p for p in parts if p)


class SqliteIndex:
    """An FTS5 table (title, meta, body) of space-separated tokens, rowid = the entry's id."""

    ranks_after_filter = False

    def write(
        self,
        session: Session | Connection,
        entry_id: int,
        title: str,
        meta: list[str | None],
        body: list[str | None],
    ) -> None:
        session.execute(text(f"DELETE FROM {TABLE} WHERE rowid = :id"), {"id": entry_id})
        session.execute(
            text(f"INSERT INTO {TABLE} (rowid, title, meta, body) VALUES (:id, :t, :m, :b)"),
            {
                "id": entry_id,
                "t": tokens.document(title),
                "m": tokens.document(_join(meta)),
                "b": tokens.document(_join(body)),
            },
        )

    def matches(self, query: tokens.Query, ranked: bool) -> Subquery:
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        # bm25 is lower for a better match: negated, so that both engines sort relevance descending.
        relevance = f"-bm25({TABLE}, {weights})" if ranked else "0.0"
        statement = text(
            f"SELECT rowid AS id, {relevance} AS relevance FROM {TABLE} WHERE {TABLE} MATCH :match"
        ).bindparams(match=tokens.fts5_match(query))
        return statement.columns(id=Integer, relevance=Float).subquery("matched")

    def count(self, session: Session, query: tokens.Query) -> tuple[int, int]:
        # FTS5 keeps one row per document in its %_docsize table: counting it reads no text.
        statement = text(
            f"SELECT (SELECT count(*) FROM {TABLE} WHERE {TABLE} MATCH :match), "
            f"(SELECT count(*) FROM {TABLE}_docsize)"
        )
        row = session.connection().execute(statement, {"match": tokens.fts5_match(query)}).one()
        return int(row[0]), int(row[1])

    def planning(self, session: Session) -> AbstractContextManager[None]:
        return nullcontext()


class PostgresIndex:
    """A table (entry_id, document tsvector) with a GIN index; the tsvector is written literally
    with weights A (title), B (number, issuer) and D (summary, text)."""

    ranks_after_filter = True

    def write(
        self,
        session: Session | Connection,
        entry_id: int,
        title: str,
        meta: list[str | None],
        body: list[str | None],
    ) -> None:
        document = tokens.tsvector_literal([(title, "A"), (_join(meta), "B"), (_join(body), "D")])
        session.execute(text(f"DELETE FROM {TABLE} WHERE entry_id = :id"), {"id": entry_id})
        session.execute(
            text(
                f"INSERT INTO {TABLE} (entry_id, document) VALUES (:id, CAST(:document AS tsvector))"
            ),
            {"id": entry_id, "document": document},
        )

    @staticmethod
    def _tsquery(query: tokens.Query) -> ColumnElement[Any]:
        return cast(literal(tokens.tsquery_literal(query)), TSQUERY)

    def matches(self, query: tokens.Query, ranked: bool) -> Subquery:
        tsquery = self._tsquery(query)
        relevance = (
            # Normalization 1: divided by 1 + log(length), as bm25 discounts long texts.
            func.ts_rank_cd(text(f"'{TS_WEIGHTS}'::float4[]"), _pg.c.document, tsquery, 1)
            if ranked
            else literal(0.0)
        )
        return (
            select(_pg.c.entry_id.label("id"), relevance.label("relevance"))
            .where(_pg.c.document.op("@@")(tsquery))
            .subquery("matched")
        )

    def count(self, session: Session, query: tokens.Query) -> tuple[int, int]:
        matching = (
            select(func.count())
            .select_from(_pg)
            .where(_pg.c.document.op("@@")(self._tsquery(query)))
        )
        total = select(func.count()).select_from(_pg)
        row = (
            session.connection()
            .execute(select(matching.scalar_subquery(), total.scalar_subquery()))
            .one()
        )
        return int(row[0]), int(row[1])

    @contextmanager
    def planning(self, session: Session) -> Iterator[None]:
        """The GIN index, not a scan of the table, finds the matches. The planner does not count
        the cost of unpacking the TOASTed tsvectors to test @@ row by row: at 10,000 entries it
        picks a sequential or primary-key scan that does so (60–90 ms for a query in most entries)
        over the GIN bitmap (a few ms). And each statement is planned for its own query: psycopg
        prepares a statement on the server after five runs, and PostgreSQL's generic plan for it
        (made without the tsquery, so without knowing how many entries match) doubles the time of
        a query in most entries (8 → 12 ms for the page, 3.5 → 8 ms for the count).

        Both for the search's statements only (set_config local to the transaction), put back as
        they were after; after a failure the transaction, and the settings with it, are
        abandoned."""
        connection = session.connection()
        before = connection.execute(_SET, {"seqscan": "off", "plans": "force_custom_plan"}).one()
        yield
        connection.execute(_SET, {"seqscan": before[0], "plans": before[1]})


# Reads the two settings, then sets them (a target list is evaluated left to right): one round trip.
_SET = text(
    "SELECT current_setting('enable_seqscan'), current_setting('plan_cache_mode'), "
    "set_config('enable_seqscan', :seqscan, true), set_config('plan_cache_mode', :plans, true)"
)


_INDEXES: dict[str, SearchIndex] = {"sqlite": SqliteIndex(), "postgresql": PostgresIndex()}


def index_for_dialect(name: str) -> SearchIndex:
    return _INDEXES[name]


def index_for(session: Session) -> SearchIndex:
    return _INDEXES[session.get_bind().dialect.name]
