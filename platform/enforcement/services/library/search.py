"""Browse and search the library: one query shape on SQLite and PostgreSQL.

The full-text index (services/library/index.py: FTS5 or tsvector) finds the entries that hold every
token of the query (services/library/text.py: jieba words and character pairs) and gives each a
relevance (bm25 or ts_rank, on the title, number, issuer and the opening of the text).
LibraryEntry is always joined, so the session's criteria decide what the actor sees (national, own
region and parents, own subtree).

The order starts with what both engines compute alike — the title holds every word of the query,
the text is in force, a shorter such title first — so the top results are the same on both; then
the engine's relevance, then status, effective date and id (a total order). A query whose visible
hits are more than half of the library (every entry of the index, visible or not) ranks without
relevance: its words are in most texts, bm25 gives them no weight (an idf of zero or less), and
scoring thousands of hits would only cost time. Both engines decide on the same two counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Date,
    Select,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased, defer
from sqlalchemy.sql.selectable import Alias

from enforcement.domain import library as rules
from enforcement.models import LibraryEntry
from enforcement.services.library import text as tokens
from enforcement.services.library.index import SearchIndex, index_for

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Filters:
    """What a list page or the API narrows by; empty values do not narrow."""

    q: str = ""
    collection: str = ""
    issuer: str = ""
    status: str = ""
    key_item_set: str = ""
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    scope: str = ""  # "national", "local" or "" (both)


@dataclass
class Hit:
    entry: LibraryEntry
    score: int
    snippet: str


@dataclass
class Page:
    count: int
    hits: list[Hit] = field(default_factory=list)


class _Covered(Alias):
    """library_entry read through its covering index on SQLite: the planner would look every hit up
    in the table, whose rows carry the full texts (ten times slower at 10,000 hits). Scoping still
    applies: the session's criteria cover aliases of the model."""

    inherit_cache = True


@compiles(_Covered, "sqlite")
def _covered_on_sqlite(element: _Covered, compiler: Any, **kw: Any) -> str:
    sql = compiler.visit_alias(element, **kw)
    return f"{sql} INDEXED BY ix_library_entry_rank" if kw.get("asfrom") else sql


# What a search with a query selects from; browsing uses the model itself (and its other indexes).
_HITS: Any = aliased(LibraryEntry, _Covered._construct(LibraryEntry.__table__, name="hit"))


def _like(text: str) -> str:
    """A LIKE pattern finding `text` anywhere, its wildcards escaped (with /)."""
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


# The filters as conditions, in a fixed order: name → (the condition on an entry for a value, the
# value's type). A table, so that a statement can take the values bound (the PostgreSQL page is
# built once per shape, `_PageShape`) or inline.
_CONDITIONS: dict[str, tuple[Callable[[Any, Any], Any], Any]] = {
    "collection": (lambda e, v: e.collection == v, String),
    "status": (lambda e, v: e.status == v, String),
    "issuer": (lambda e, v: e.issuer.like(v, escape="/"), String),
    "effective_from": (lambda e, v: e.effective_on >= v, Date),
    "effective_to": (lambda e, v: e.effective_on <= v, Date),
    # A JSON list stored as text on both engines: the quoted code is matched in it.
    "key_item_set": (lambda e, v: cast(e.key_item_sets, Text).like(v, escape="/"), String),
    "national": (lambda e, v: e.region_code.is_(None), None),
    "local": (lambda e, v: e.region_code.is_not(None), None),
}


def _narrowing(filters: Filters) -> dict[str, Any]:
    """The filters that narrow, as {condition name: value} (empty and unknown values do not)."""
    out: dict[str, Any] = {}
    if filters.collection in rules.STORED_COLLECTIONS:
        out["collection"] = filters.collection
    if filters.status in rules.STATUSES:
        out["status"] = filters.status
    if filters.issuer:
        out["issuer"] = _like(filters.issuer)
    if filters.effective_from:
        out["effective_from"] = filters.effective_from
    if filters.effective_to:
        out["effective_to"] = filters.effective_to
    if filters.key_item_set in rules.KEY_ITEM_SETS:
        out["key_item_set"] = _like(f'"{filters.key_item_set}"')
    if filters.scope in ("national", "local"):
        out[filters.scope] = None
    return out


def _filtered(
    statement: Select[Any], narrowing: dict[str, Any], e: Any = LibraryEntry, bound: bool = False
) -> Select[Any]:
    """The statement narrowed by `_narrowing`'s conditions: with their values inline, or as
    parameters named after the condition (`bound`), whose values come with the execution."""
    for name, value in narrowing.items():
        condition, type_ = _CONDITIONS[name]
        if bound and type_ is not None:
            value = bindparam(name, type_=type_)
        statement = statement.where(condition(e, value))
    return statement


def _status_rank(e: Any) -> Any:
    return case(*((e.status == key, rank) for key, rank in rules.STATUS_ORDER.items()), else_=9)


def _effective(e: Any) -> Any:
    # NULL dates last on both engines (they sort NULLs differently).
    return func.coalesce(e.effective_on, dt.date(1900, 1, 1))


# Browsing without a query ranks nothing: a plain SQL 0 as the score, not a parameter.
_NO_SCORE = literal_column("0")


# The part of the order both engines compute alike, as one integer per hit (one evaluation of the
# title test per row): a title holding every word of the query, then a text in force, then, among
# such titles, the shorter. A hit's score is this key >> 19: 2 × title + in force, 0 to 3.
_TITLE_KEY = 1 << 20
_IN_FORCE_KEY = 1 << 19
_LONGEST_TITLE = 4096


def _title_holds(e: Any, pattern: Any, cased: bool) -> Any:
    """ILIKE on PostgreSQL, lower() LIKE lower() on SQLite, for a word with letters (`cased`); a
    word without (Chinese, digits) has no case, and a plain LIKE finds the same titles without
    lowering each (on PostgreSQL ILIKE over 10,000 titles costs ~3 ms, LIKE ~0.1 ms)."""
    return e.title.ilike(pattern, escape="/") if cased else e.title.like(pattern, escape="/")


def _cased(word: str) -> bool:
    return word.lower() != word.upper()


def _common_key(e: Any, title_words: list[tuple[Any, bool]]) -> Any:
    """The common key; `title_words`: per word of the query (rules.words), its LIKE pattern (a
    value, or a parameter whose value `_word_values` gives) and whether it has letters."""
    key = case((e.status == "current", _IN_FORCE_KEY), else_=0)
    if not title_words:
        return key
    in_title = and_(*(_title_holds(e, pattern, cased) for pattern, cased in title_words))
    return key + case((in_title, _TITLE_KEY + _LONGEST_TITLE - func.length(e.title)), else_=0)


def _word_values(words: list[str]) -> dict[str, str]:
    return {f"word_{i}": _like(w) for i, w in enumerate(words)}


def search(session: Session, filters: Filters, page: int = 0, size: int = PAGE_SIZE) -> Page:
    """Ranked hits of the query (or every entry, newest in force first, without one)."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    page = max(0, page)
    query = tokens.query(filters.q)
    if filters.q.strip() and not query:
        return Page(0)  # only punctuation: nothing can match
    if query:
        index = index_for(session)
        with index.planning(session):
            return _search(session, index, query, filters, page, size)
    statement = _filtered(select(LibraryEntry.id), _narrowing(filters))
    order = (_status_rank(LibraryEntry), _effective(LibraryEntry).desc(), LibraryEntry.id)
    count = _count(session, statement)
    return _page(
        session, filters, count, _page_rows(session, statement, count, None, order, size, page)
    )


def _search(
    session: Session,
    index: SearchIndex,
    query: tokens.Query,
    filters: Filters,
    page: int,
    size: int,
) -> Page:
    narrowing = _narrowing(filters)
    words = rules.words(filters.q)
    if index.ranks_after_filter:
        count, loaded = _ranked_page(session, index, query, words, narrowing, size, page)
        hits = [Hit(entry, score >> 19, _snippet(entry, filters.q)) for entry, score in loaded]
        return Page(count, hits)
    matching, total = index.count(session, query)
    if matching == 0:
        return Page(0)  # in no entry at all, visible or not
    e = _HITS

    def hits(ranked: bool) -> tuple[Any, Select[Any]]:
        matched = index.matches(query, ranked)
        return matched, _filtered(select(e.id).join(matched, matched.c.id == e.id), narrowing, e)

    # bm25 is computed in the MATCH scan, for every match: asked for only when it orders (the
    # module's note), which the count of the visible hits decides.
    matched, statement = hits(False)
    count = _count(session, statement)
    ranked = count * 2 <= total
    key = _common_key(e, [(_like(w), _cased(w)) for w in words]).label("score")
    order: tuple[Any, ...] = (key.desc(),)
    if ranked:
        matched, statement = hits(True)
        order += (index.relevance(matched.c.rankable, query).desc(),)
    order += (_status_rank(e), _effective(e).desc(), e.id)
    rows = _page_rows(session, statement, count, key, order, size, page)
    return _page(session, filters, count, rows)


@dataclass(frozen=True)
class _PageShape:
    """What the SQL of the PostgreSQL page statement depends on; every value is a parameter. Built
    once per shape (`_page_statement`): building it cost more than a millisecond a search, as
    long as PostgreSQL took for a small query."""

    cased_words: tuple[bool, ...]
    conditions: tuple[str, ...]
    size: int
    page: int


def _ranked_page(
    session: Session,
    index: SearchIndex,
    query: tokens.Query,
    words: list[str],
    narrowing: dict[str, Any],
    size: int,
    page: int,
) -> tuple[int, list[tuple[LibraryEntry, int]]]:
    """The total and one page of (entry, score), in one statement (PostgreSQL, `_page_statement`)."""
    shape = _PageShape(tuple(_cased(w) for w in words), tuple(narrowing), size, page)
    values = {
        "tsquery": tokens.tsquery_literal(query),
        **_word_values(words),
        **{name: value for name, value in narrowing.items() if value is not None},
    }
    statement, count_statement = _page_statement(index, shape)
    rows = session.execute(statement, values).all()
    if rows:
        return int(rows[0][2]), [(entry, int(score or 0)) for entry, score, _ in rows]
    if page == 0:
        return 0, []
    # Past the last page: the page is empty, the total still counts.
    return int(session.scalar(count_statement, values) or 0), []


@lru_cache(maxsize=256)
def _page_statement(index: SearchIndex, shape: _PageShape) -> tuple[Select[Any], Select[Any]]:
    """The page statement of a shape, and the count of its hits.

    The visible hits are joined once and materialized with what the order needs: the count, the
    page's common-key threshold and the page all read them (a count and a page statement joined
    the hits twice, a ranked page three times), and only the page's entries are read from the
    table. Relevance only orders hits of equal common key, so only the hits whose key reaches that
    of the page's last hit when ordered by the key alone are ranked; `relevance` reads each such
    hit's ranking vector, the others' are never read. And only when the visible hits are at most
    half of the index (the module's note), decided inside the statement: PostgreSQL evaluates a
    CASE's branch only when its condition holds."""
    e = _HITS
    query = bindparam("tsquery", type_=String)
    matched = index.matches(query, True)
    narrowing = dict.fromkeys(shape.conditions)
    statement = _filtered(select(e.id).join(matched, matched.c.id == e.id), narrowing, e, True)
    title_words = [
        (bindparam(f"word_{i}", type_=String), cased) for i, cased in enumerate(shape.cased_words)
    ]
    key = _common_key(e, title_words).label("score")
    columns = (e.id, key, _status_rank(e).label("status_rank"), _effective(e).label("effective"))
    hits = statement.with_only_columns(*columns, matched.c.rankable).cte("hits")
    hits = hits.prefix_with("MATERIALIZED")
    h = hits.c
    # Counted once (a CTE), read twice: the page's total and whether to rank.
    counted = select(func.count().label("n")).select_from(hits).cte("counted")
    total = select(counted.c.n).scalar_subquery()
    size, page = shape.size, shape.page
    last = select(h.score).order_by(h.score.desc()).limit(1).offset((page + 1) * size - 1)
    ranks = select(counted.c.n * 2 <= index.size()).scalar_subquery()
    relevance = case((ranks, index.relevance(h.rankable, query)), else_=0.0)
    paged = (
        select(h.id, h.score, h.status_rank, h.effective, total.label("total"))
        .where(h.score >= func.coalesce(last.scalar_subquery(), 0))
        .add_columns(relevance.label("relevance"))
    )
    relevant = paged.selected_columns.relevance.desc()
    t = (
        paged.order_by(h.score.desc(), relevant, h.status_rank, h.effective.desc(), h.id)
        .limit(size)
        .offset(page * size)
        .subquery("top")
    )
    page_statement = (
        select(LibraryEntry, t.c.score, t.c.total)
        .join(t, t.c.id == LibraryEntry.id)
        .options(defer(LibraryEntry.search_text))
        .order_by(t.c.score.desc(), t.c.relevance.desc(), t.c.status_rank, t.c.effective.desc())
        .order_by(t.c.id)
    )
    return page_statement, select(func.count()).select_from(hits)


def _page(session: Session, filters: Filters, count: int, rows: list[Any]) -> Page:
    entries = _load(session, [entry_id for entry_id, _ in rows])
    hits = [
        Hit(entries[entry_id], int(row_score or 0) >> 19, _snippet(entries[entry_id], filters.q))
        for entry_id, row_score in rows
        if entry_id in entries
    ]
    return Page(count, hits)


def _count(session: Session, statement: Select[Any]) -> int:
    """How many rows the statement finds: a narrow count (a window count over the hits would carry
    every hit through a sorter; the count alone reads the indexes only)."""
    return int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)


def _page_rows(
    session: Session,
    statement: Select[Any],
    count: int,
    score: Any,
    order: tuple[Any, ...],
    size: int,
    page: int,
) -> list[Any]:
    """One page of (id, score) of the statement's `count` rows."""
    if count == 0 or page * size >= count:
        return []
    scored = statement.add_columns(score if score is not None else _NO_SCORE)
    rows = session.execute(scored.order_by(*order).limit(size).offset(page * size)).all()
    return [tuple(row[:2]) for row in rows]


def _load(session: Session, ids: list[int]) -> dict[int, LibraryEntry]:
    if not ids:
        return {}
    # Not the normalized scan text (as long as the text itself): nothing shown reads it.
    statement = (
        select(LibraryEntry)
        .where(LibraryEntry.id.in_(ids))
        .options(defer(LibraryEntry.search_text))
    )
    return {e.id: e for e in session.scalars(statement)}


def _snippet(entry: LibraryEntry, q: str) -> str:
    if not q:
        return rules.snippet([entry.summary], "")
    label = " ".join(part for part in (entry.number, entry.title) if part)
    return rules.snippet([entry.body, entry.summary, label], q)


def like_scan(session: Session, q: str, size: int = PAGE_SIZE) -> Page:
    """The benchmark's peer: a plain LIKE '%…%' over the normalized text, counted, newest first."""
    needle = rules.normalize(q).strip()
    statement = select(LibraryEntry.id).where(
        LibraryEntry.search_text.contains(needle, autoescape=True)
    )
    order = (_effective(LibraryEntry).desc(), LibraryEntry.id)
    count = _count(session, statement)
    rows = _page_rows(session, statement, count, None, order, size, 0)
    entries = _load(session, [entry_id for entry_id, _ in rows])
    return Page(count, [Hit(entries[i], 0, "") for i, _ in rows if i in entries])


def issuers(session: Session) -> list[str]:
    """The issuing bodies of the visible entries, for the filter's choices."""
    rows = session.scalars(
        select(LibraryEntry.issuer)
        .where(LibraryEntry.issuer.is_not(None))
        .distinct()
        .order_by(LibraryEntry.issuer)
    )
    return [r for r in rows if r]


def collection_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(LibraryEntry.collection, func.count()).group_by(LibraryEntry.collection)
    )
    return dict(rows.all())  # type: ignore[arg-type]


def get_entry(session: Session, entry_id: int) -> LibraryEntry | None:
    """The entry when the actor may read it (the session's criteria), else None."""
    return session.scalars(select(LibraryEntry).where(LibraryEntry.id == entry_id)).first()


def later_versions(session: Session, entry: LibraryEntry) -> list[LibraryEntry]:
    """The entries that revise or replace this one."""
    return list(
        session.scalars(
            select(LibraryEntry)
            .where(LibraryEntry.supersedes_id == entry.id)
            .order_by(LibraryEntry.id)
        )
    )


def find_cited(session: Session, citation: str) -> LibraryEntry | None:
    """The entry a citation such as 《粉尘防爆安全规程》(GB 15577-2018) names, by standard number or
    title (the index finds candidates, the keys decide); of several versions the one in force."""
    keys = rules.cite_keys(citation)
    best: LibraryEntry | None = None
    for key in sorted(keys):
        query = " ".join(rules.words(key))
        for hit in search(session, Filters(q=query), size=10).hits:
            entry = hit.entry
            if not rules.entry_keys(entry.title, entry.number) & keys:
                continue
            rank = rules.STATUS_ORDER.get(entry.status, 9)
            if best is None or rank < rules.STATUS_ORDER.get(best.status, 9):
                best = entry
    return best
