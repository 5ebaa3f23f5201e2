"""The library's full-text index behind one interface: SQLite FTS5, or a PostgreSQL tsvector with a
GIN index. Both hold the same tokens (services/library/text.py), written in the transaction that
writes the entry, and answer the same query with the ids it matches (anywhere in the entry) and a
relevance computed on the same fields on both — the title, number and issuer and the opening of the
text (text.RANK_TOKENS tokens): bm25 on SQLite, ts_rank on PostgreSQL, each weighting the title
over number and issuer over the text.

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
# FTS5 columns (title, meta, body, opening) and bm25 weights: the title counts 10, number and
# issuer 4, the opening of the text 1; the whole text (body) is searched but not ranked.
# PostgreSQL's weights {D, C, B, A} in the same ratio: the opening is D, number and issuer B, title A.
BM25_WEIGHTS = (10.0, 4.0, 0.0, 1.0)
TS_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
# Rows of library_fts longer than this are toasted (migration 0019): the ranking vector (~1.4 kB,
# stored uncompressed) goes out of line with the full one, so the table a count reads stays narrow.
TOAST_TUPLE_TARGET = 128

_metadata = MetaData()  # not the models' metadata: the table is the index's own
_pg = Table(
    TABLE,
    _metadata,
    Column("entry_id", Integer, primary_key=True),
    Column("document", TSVECTOR, nullable=False),
    Column("ranking", TSVECTOR, nullable=False),
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

    def matches(self, query: tokens.Query | ColumnElement[Any], ranked: bool) -> Subquery:
        """The matching entries as (id, rankable): what `relevance` ranks (SQLite: bm25 itself,
        0 when not `ranked`; PostgreSQL: the ranking vector, read only where it is ranked). An
        index that `ranks_after_filter` also takes the query as a parameter holding
        tokens.tsquery_literal's text."""

    def relevance(
        self, rankable: ColumnElement[Any], query: tokens.Query | ColumnElement[Any]
    ) -> ColumnElement[Any]:
        """The relevance of a hit from its `rankable` column (higher is better)."""

    def count(self, session: Session, query: tokens.Query) -> tuple[int, int]:
        """How many rows of the whole index match, and how many it has, in one statement
        (unscoped: they decide how to rank, nothing more)."""

    def size(self) -> Any:
        """How many entries the whole index holds, as an SQL scalar (for a statement that decides
        inside itself whether to rank: an index that `ranks_after_filter`)."""

    def planning(self, session: Session) -> AbstractContextManager[None]:
        """Around the statements of one search: what the engine's planner must be told."""


def _join(parts: list[str | None]) -> str:
    return "\n".join(p for p in parts if p)


class SqliteIndex:
    """An FTS5 table (title, meta, body, opening) of space-separated tokens, rowid = the entry's
    id; `opening` repeats the first tokens of summary and text, which bm25 ranks (see BM25_WEIGHTS)."""

    ranks_after_filter = False

    @staticmethod
    def columns(title: list[str], meta: list[str], body: list[str]) -> dict[str, str]:
        """The row's four columns from the entry's tokens."""
        opening = body[: tokens.RANK_TOKENS]
        return {
            "t": " ".join(title),
            "m": " ".join(meta),
            "b": " ".join(body),
            "o": " ".join(opening),
        }

    def write(
        self,
        session: Session | Connection,
        entry_id: int,
        title: str,
        meta: list[str | None],
        body: list[str | None],
    ) -> None:
        columns = self.columns(
            tokens.tokens(title), tokens.tokens(_join(meta)), tokens.tokens(_join(body))
        )
        session.execute(text(f"DELETE FROM {TABLE} WHERE rowid = :id"), {"id": entry_id})
        session.execute(_INSERT_SQLITE, {"id": entry_id, **columns})

    def matches(self, query: tokens.Query, ranked: bool) -> Subquery:
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        # bm25 is lower for a better match: negated, so that both engines sort relevance descending.
        relevance = f"-bm25({TABLE}, {weights})" if ranked else "0.0"
        statement = text(
            f"SELECT rowid AS id, {relevance} AS rankable FROM {TABLE} WHERE {TABLE} MATCH :match"
        ).bindparams(match=tokens.fts5_match(query))
        return statement.columns(id=Integer, rankable=Float).subquery("matched")

    def relevance(self, rankable: ColumnElement[Any], query: tokens.Query) -> ColumnElement[Any]:
        return rankable

    def count(self, session: Session, query: tokens.Query) -> tuple[int, int]:
        # FTS5 keeps one row per document in its %_docsize table: counting it reads no text.
        statement = text(
            f"SELECT (SELECT count(*) FROM {TABLE} WHERE {TABLE} MATCH :match), "
            f"(SELECT count(*) FROM {TABLE}_docsize)"
        )
        row = session.connection().execute(statement, {"match": tokens.fts5_match(query)}).one()
        return int(row[0]), int(row[1])

    def size(self) -> Any:
        raise NotImplementedError("bm25 is computed in the MATCH scan: search decides before")

    def planning(self, session: Session) -> AbstractContextManager[None]:
        return nullcontext()


class PostgresIndex:
    """A table (entry_id, document, ranking) with a GIN index on `document`: both tsvectors written
    literally with weights A (title), B (number, issuer) and D (summary, text); `document` holds
    every token and finds the hits, `ranking` only the title, number, issuer and the opening of the
    text (text.RANK_TOKENS) and ranks them.

    Why two: ranking unpacks a vector for every hit it ranks. The full text's vector is several
    kilobytes compressed in TOAST (and grows with the text: a full standard is tens of kilobytes);
    ranking the 793 hits of 安全生产法 over it took 15–19 ms (ts_rank_cd) on the bench machine.
    The ranking vector is about 1.4 kB, stored uncompressed out of line (migration 0019), and
    ts_rank over it took 2.3 ms (bench/README.md)."""

    ranks_after_filter = True

    @staticmethod
    def vectors(title: list[str], meta: list[str], body: list[str]) -> dict[str, str]:
        """The row's two tsvectors (input syntax) from the entry's tokens."""
        return {
            "document": tokens.tsvector_of_tokens([(title, "A"), (meta, "B"), (body, "D")]),
            "ranking": tokens.ranking_of_tokens(title, meta, body),
        }

    def write(
        self,
        session: Session | Connection,
        entry_id: int,
        title: str,
        meta: list[str | None],
        body: list[str | None],
    ) -> None:
        vectors = self.vectors(
            tokens.tokens(title), tokens.tokens(_join(meta)), tokens.tokens(_join(body))
        )
        session.execute(text(f"DELETE FROM {TABLE} WHERE entry_id = :id"), {"id": entry_id})
        session.execute(_INSERT_PG, {"id": entry_id, **vectors})

    @staticmethod
    def _tsquery(query: tokens.Query | ColumnElement[Any]) -> ColumnElement[Any]:
        """The query's tsquery: from its tokens, or from a parameter holding tsquery_literal's
        text (a statement built once for many queries)."""
        source = (
            query if isinstance(query, ColumnElement) else literal(tokens.tsquery_literal(query))
        )
        return cast(source, TSQUERY)

    def matches(self, query: tokens.Query | ColumnElement[Any], ranked: bool) -> Subquery:
        # The ranking vector as it is stored: a pointer until `relevance` reads it.
        return (
            select(_pg.c.entry_id.label("id"), _pg.c.ranking.label("rankable"))
            .where(_pg.c.document.op("@@")(self._tsquery(query)))
            .subquery("matched")
        )

    def relevance(
        self, rankable: ColumnElement[Any], query: tokens.Query | ColumnElement[Any]
    ) -> ColumnElement[Any]:
        # Normalization 1: divided by 1 + log(length), as bm25 discounts long texts.
        weights = text(f"'{TS_WEIGHTS}'::float4[]")
        return func.ts_rank(weights, rankable, self._tsquery(query), 1)

    def count(self, session: Session, query: tokens.Query) -> tuple[int, int]:
        matching = (
            select(func.count())
            .select_from(_pg)
            .where(_pg.c.document.op("@@")(self._tsquery(query)))
        )
        statement = select(matching.scalar_subquery(), self.size())
        row = session.connection().execute(statement).one()
        return int(row[0]), int(row[1])

    def size(self) -> Any:
        # Uncorrelated: computed once per statement (an InitPlan). The primary key's index-only
        # scan: the table's rows are narrow (the vectors are out of line).
        return select(func.count()).select_from(_pg).scalar_subquery()

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


_INSERT_SQLITE = text(
    f"INSERT INTO {TABLE} (rowid, title, meta, body, opening) VALUES (:id, :t, :m, :b, :o)"
)
_INSERT_PG = text(
    f"INSERT INTO {TABLE} (entry_id, document, ranking) "
    "VALUES (:id, CAST(:document AS tsvector), CAST(:ranking AS tsvector))"
)

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
