"""Jurisdiction scoping, enforced in ONE place: the ORM session.

Every ORM SELECT gets, through `with_loader_criteria`, the read criteria each model declares
(db/policies.py): region-scoped rows limited to the actor's region subtree, parent-scoped rows to
visible parents, soft-deleted rows hidden. Lists, detail pages, edits, deletes, the REST API, search,
exports and relationship loads all go through the session, so a record outside the jurisdiction
simply does not exist for the caller (404). Writes are checked in `before_flush`: an object whose
region lies outside the jurisdiction is refused.

Fail-closed: a statement or a flush that reaches a mapped class declaring no policy raises
`UndeclaredPolicy` instead of running unscoped. Classes declared `Public` get no criteria.

The actor is `current_actor()` (db/acting.py): the logged-in user in a request, the national
system account elsewhere (CLI, demo loader).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import event, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import (
    ORMExecuteState,
    RelationshipDirection,
    Session,
    with_loader_criteria,
)

from enforcement.db.acting import current_actor
from enforcement.db.policies import (
    ParentScoped,
    Public,
    RegionScoped,
    SoftDeleted,
    checked,
    criteria_classes,
    criteria_generation,
    reads_unfiltered,
    scoping_policy,
)
from enforcement.domain.jurisdiction import Jurisdiction


class OutOfJurisdiction(PermissionError):
    """Raised when a write would place a record outside the actor's jurisdiction."""


# Execution option that lets a service or a view see every row, soft-deleted ones and other
# regions' included: the importer's duplicate check, a joint team's members from another county,
# the region names of a page. Each use says why beside it.
UNSCOPED = "enforcement_unscoped"


def _criteria(jurisdiction: Jurisdiction) -> tuple[Any, ...]:
    return _built(jurisdiction, criteria_generation())


@lru_cache(maxsize=4096)
def _built(jurisdiction: Jurisdiction, _generation: int) -> tuple[Any, ...]:
    """The loader criteria of every filtered class for one jurisdiction.

    Built once per jurisdiction (a few thousand at most: one per county) and reused: the options are
    immutable, and reusing the same objects keeps SQLAlchemy's statement cache warm
    (bench/list_pages.py). Plain per-class criteria, no lambdas: a lambda's closure over the
    jurisdiction would need SQLAlchemy's closure tracking to keep one region's SQL from another's.
    """
    classes = criteria_classes()
    options = [
        with_loader_criteria(cls, cls.deleted_at.is_(None), include_aliases=True)  # type: ignore[attr-defined]
        for cls in classes
        if issubclass(cls, SoftDeleted)
    ]
    if jurisdiction.is_national:
        return tuple(options)
    for cls in classes:
        if issubclass(cls, RegionScoped | ParentScoped):
            clause = cls.read_clause(jurisdiction)
            if clause is not None:
                options.append(with_loader_criteria(cls, clause, include_aliases=True))
    return tuple(options)


def _apply_scope(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load:
        return
    mappers = [checked(mapper) for mapper in state.all_mappers]
    if state.execution_options.get(UNSCOPED):
        return
    # FAB's security tables and the region table on every request: nothing to add, nothing to build.
    if mappers and all(reads_unfiltered(mapper.class_) for mapper in mappers):
        return
    state.statement = state.statement.options(*_criteria(current_actor().jurisdiction))


def visible(session: Session, entity: type, ident: object) -> bool:
    """Whether the row with this primary key passes the actor's criteria (one indexed query).

    `Session.get` answers from the identity map without any SQL, so an object loaded earlier in the
    same session (unscoped, by a service) would bypass the criteria; the web session asks this on
    such hits (web/app.py `JurisdictionSession`).
    """
    if current_actor().jurisdiction.is_national or reads_unfiltered(entity):
        return True
    mapper = sa_inspect(entity)
    # ORM attributes, not table columns: only an ORM statement gets the loader criteria.
    keys = [mapper.get_property_by_column(column).class_attribute for column in mapper.primary_key]
    values = ident if isinstance(ident, tuple) else (ident,)
    statement = select(keys[0]).where(
        *(key == value for key, value in zip(keys, values, strict=True))
    )
    return session.scalar(statement) is not None


def _through(obj: object, column_key: str) -> tuple[Any, object] | None:
    """The (relationship, object) a many-to-one relationship over `column_key` was just set to.

    Forms set the relationship, the API the column, and the foreign key syncs only at flush: a
    changed relationship wins (as it will at flush), otherwise (None) the column holds the truth.
    """
    state = sa_inspect(obj)
    column = state.mapper.columns[column_key]
    for relationship in state.mapper.relationships:
        if (
            relationship.direction is RelationshipDirection.MANYTOONE
            and column in relationship.local_columns
        ):
            added = state.attrs[relationship.key].history.added
            if added:
                return relationship, added[0]
    return None


def region_of(obj: object, session: Session) -> str | None:
    """The region a new, changed or deleted region- or parent-scoped object lies in."""
    cls = type(obj)
    if issubclass(cls, RegionScoped):
        key = cls.__scope_region__
        changed = _through(obj, key)
        if changed is None:
            return getattr(obj, key)
        relationship, region = changed
        if region is None:
            return None
        ((_, remote),) = relationship.local_remote_pairs
        return getattr(region, relationship.mapper.get_property_by_column(remote).key)
    assert issubclass(cls, ParentScoped)
    key_attribute, parent_class, _ = cls.scope_parent()
    changed = _through(obj, key_attribute.key)
    if changed is not None:
        parent = changed[1]
    else:
        parent_id = getattr(obj, key_attribute.key)
        parent = (
            None
            if parent_id is None
            else session.get(parent_class, parent_id, execution_options={UNSCOPED: True})
        )
    return None if parent is None else region_of(parent, session)


def check_writable(obj: object, session: Session, jurisdiction: Jurisdiction) -> None:
    """Refuse a new, changed or deleted record that would lie outside the jurisdiction."""
    if jurisdiction.is_national:
        return
    cls = type(obj)
    if scoping_policy(cls) is Public:
        return
    region = region_of(obj, session)
    if not jurisdiction.contains(region):
        raise OutOfJurisdiction(cls.__scope_refusal__.format(region=region))  # type: ignore[attr-defined]


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    jurisdiction = current_actor().jurisdiction
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        checked(sa_inspect(obj).mapper)
        check_writable(obj, session, jurisdiction)


def install_scoping(session_factory: object) -> None:
    """Attach the scope to a Session class or sessionmaker (idempotent)."""
    if not event.contains(session_factory, "do_orm_execute", _apply_scope):
        event.listen(session_factory, "do_orm_execute", _apply_scope)
        event.listen(session_factory, "before_flush", _before_flush)
