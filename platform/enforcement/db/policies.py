"""What each model declares about who may see its rows and whether its changes are audited.

Every mapped class declares exactly one scoping policy and one audit policy, by mixin:

* scoping — `RegionScoped` (the row carries a region code: visible and writable inside the actor's
  jurisdiction), `ParentScoped` (visible and writable through a many-to-one parent), or `Public`
  (the session adds no criteria; each such class says why in a comment);
* audit — `Audited` (with `__audit_entity__`) or `NotAudited` (each such class says why);
* `SoftDeleted` adds `deleted_at` / `deleted_by`; such rows are hidden from everyone.

Third-party tables (Flask-AppBuilder's security model) are declared with `framework_owned()`.

Nothing here or in db/scoping.py and db/audit.py knows a concrete model: they read these
declarations. A mapped class that declares nothing is refused (`UndeclaredPolicy`) at its first ORM
query or flush, and `policy_problems()` (tests/unit/test_policies.py) reports it before that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from typing import Any, ClassVar

from sqlalchemy import DateTime, String, inspect, select
from sqlalchemy.orm import Mapped, Mapper, RelationshipDirection, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from enforcement.domain.jurisdiction import Jurisdiction, parent_code


class UndeclaredPolicy(TypeError):
    """A mapped class reached the session without declaring its scoping or audit policy."""


# Classes that contribute loader criteria (region, parent, soft delete), in definition order so the
# built options, and with them SQLAlchemy's statement cache keys, are the same in every process.
_with_criteria: list[type] = []
_audit_trails: list[type] = []
_framework_owned: set[type] = set()


class _Criteria:
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls not in _with_criteria:
            _with_criteria.append(cls)


def criteria_generation() -> int:
    """Changes whenever a class with criteria is defined: the key that keeps cached options fresh."""
    return len(_with_criteria)


def criteria_classes() -> list[type]:
    """Mapped classes whose reads are filtered (by jurisdiction or soft delete)."""
    return [cls for cls in _with_criteria if inspect(cls, raiseerr=False) is not None]


def _in_range(column: Any, jurisdiction: Jurisdiction) -> ColumnElement[bool]:
    low, high = jurisdiction.code_range  # type: ignore[misc]
    return column.between(low, high)


def ancestor_codes(jurisdiction: Jurisdiction) -> list[str]:
    """The regions above the jurisdiction's own (city and province of a county)."""
    codes: list[str] = []
    code = jurisdiction.region_code
    while code and not jurisdiction.denied:
        code = parent_code(code)
        if code:
            codes.append(code)
    return codes


class RegionScoped(_Criteria):
    """The row carries a region code (`__scope_region__`): visible and writable when the code lies
    in the actor's jurisdiction, one indexed BETWEEN."""

    __scope_region__: ClassVar[str] = "region_code"
    # The refusal shown when a write lands outside; `{region}` is the offending code.
    __scope_refusal__: ClassVar[str] = "该记录不在您的管辖范围内"
    # True: everyone reads the rows (names of other bureaus are not secret); writes stay checked.
    __scope_public_reads__: ClassVar[bool] = False

    @classmethod
    def scope_clause(cls, jurisdiction: Jurisdiction) -> ColumnElement[bool]:
        """The rows that lie inside the jurisdiction (what a child row is scoped through)."""
        return _in_range(getattr(cls, cls.__scope_region__), jurisdiction)

    @classmethod
    def read_clause(cls, jurisdiction: Jurisdiction) -> ColumnElement[bool] | None:
        """The rows the jurisdiction reads; None: every row."""
        return None if cls.__scope_public_reads__ else cls.scope_clause(jurisdiction)


class ParentScoped(_Criteria):
    """Visible and writable through a many-to-one parent (`__scope_parent__`, a relationship name)
    that is itself RegionScoped or ParentScoped: Equipment through its Enterprise, TrainingRecord
    through its Enforcer, Enforcer through its Department."""

    __scope_parent__: ClassVar[str]
    __scope_refusal__: ClassVar[str] = "该记录不在您的管辖范围内"

    @classmethod
    def scope_parent(cls) -> tuple[Any, type, Any]:
        """(foreign-key attribute, parent class, parent key attribute) of the declared parent."""
        relationship = inspect(cls).relationships[cls.__scope_parent__]
        ((local, remote),) = relationship.local_remote_pairs
        parent = relationship.mapper
        return (
            inspect(cls).get_property_by_column(local).class_attribute,
            parent.class_,
            parent.get_property_by_column(remote).class_attribute,
        )

    @classmethod
    def scope_clause(cls, jurisdiction: Jurisdiction) -> ColumnElement[bool]:
        key, parent, parent_key = cls.scope_parent()
        inside = select(parent_key).where(parent.scope_clause(jurisdiction))
        return key.in_(inside.scalar_subquery())

    @classmethod
    def read_clause(cls, jurisdiction: Jurisdiction) -> ColumnElement[bool] | None:
        return cls.scope_clause(jurisdiction)


class Public:
    """The session adds no criteria: the table carries no regional data, or who reads it is decided
    elsewhere (the class's comment says where). Statements touching only Public classes are not
    scoped at all, so a Public class must not eagerly join a filtered one (policy_problems checks)."""


class SoftDeleted(_Criteria):
    """Never hard-deleted by a click: a delete marks the row, which is then hidden from everyone;
    the audit log keeps the old values. Services that must see such rows say UNSCOPED."""

    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    deleted_by: Mapped[str | None] = mapped_column(String(128))


class Audited:
    """Every create, update and delete is logged with old and new values as `__audit_entity__`."""

    __audit_entity__: ClassVar[str]
    # Collections logged as a sorted list of one attribute of their members:
    # {logged name: (relationship, member attribute)}, e.g. an enterprise's tags.
    __audit_collections__: ClassVar[dict[str, tuple[str, str]]] = {}


class NotAudited:
    """Changes are not logged; each such class says why in a comment."""


class AuditTrail(NotAudited):
    """The table the audit listener appends to (exactly one). Not audited itself: it is the log."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _audit_trails.append(cls)


def framework_owned(*classes: type) -> None:
    """Declare third-party mapped classes public and not audited (Flask-AppBuilder's users, roles
    and permissions: no enforcement data; logins are logged as events instead)."""
    _framework_owned.update(classes)
    scoping_policy.cache_clear()
    audit_entity.cache_clear()
    reads_unfiltered.cache_clear()


def is_framework_owned(cls: type) -> bool:
    return cls in _framework_owned


SCOPING_POLICIES: tuple[type, ...] = (RegionScoped, ParentScoped, Public)
AUDIT_POLICIES: tuple[type, ...] = (Audited, NotAudited)


def _declared(cls: type, policies: tuple[type, ...]) -> list[type]:
    return [policy for policy in policies if issubclass(cls, policy)]


@cache
def scoping_policy(cls: type) -> type:
    """RegionScoped, ParentScoped or Public; UndeclaredPolicy for anything else."""
    if cls in _framework_owned:
        return Public
    declared = _declared(cls, SCOPING_POLICIES)
    if len(declared) != 1:
        raise UndeclaredPolicy(f"{cls.__name__} declares no single scoping policy: {declared}")
    return declared[0]


@cache
def audit_entity(cls: type) -> str | None:
    """The audit entity name, or None for a class declared not audited."""
    if cls in _framework_owned:
        return None
    declared = _declared(cls, AUDIT_POLICIES)
    if len(declared) != 1:
        raise UndeclaredPolicy(f"{cls.__name__} declares no single audit policy: {declared}")
    if declared[0] is NotAudited:
        return None
    return cls.__audit_entity__  # type: ignore[attr-defined]


@cache
def reads_unfiltered(cls: type) -> bool:
    """Whether the session adds no read criteria for the class (and hides no soft-deleted rows)."""
    policy = scoping_policy(cls)
    if issubclass(cls, SoftDeleted):
        return False
    return policy is Public or (policy is RegionScoped and cls.__scope_public_reads__)  # type: ignore[attr-defined]


def audit_trail() -> type:
    """The one mapped AuditTrail class."""
    mapped = [cls for cls in _audit_trails if inspect(cls, raiseerr=False) is not None]
    if len(mapped) != 1:
        raise UndeclaredPolicy(f"exactly one mapped AuditTrail expected, found {mapped}")
    return mapped[0]


def _class_problems(mapper: Mapper[Any]) -> list[str]:
    cls = mapper.class_
    name = f"{cls.__module__}.{cls.__name__}"
    problems = []
    for check in (scoping_policy, audit_entity):
        try:
            check(cls)
        except UndeclaredPolicy as exc:
            problems.append(f"{name}: {exc}")
    if problems:
        return problems
    if is_framework_owned(cls) and not cls.__module__.startswith("flask_appbuilder."):
        problems.append(f"{name}: framework_owned() is for Flask-AppBuilder's own tables")
    if issubclass(cls, Audited) and not getattr(cls, "__audit_entity__", None):
        problems.append(f"{name}: Audited without __audit_entity__")
    if issubclass(cls, ParentScoped):
        relationship = mapper.relationships.get(getattr(cls, "__scope_parent__", ""))
        if relationship is None or relationship.direction is not RelationshipDirection.MANYTOONE:
            problems.append(f"{name}: __scope_parent__ must name a many-to-one relationship")
        elif len(relationship.local_remote_pairs) != 1 or [
            remote for _, remote in relationship.local_remote_pairs
        ] != list(relationship.mapper.primary_key):
            problems.append(f"{name}: the parent must be joined on its one-column primary key")
        elif scoping_policy(relationship.mapper.class_) not in (RegionScoped, ParentScoped):
            problems.append(f"{name}: the parent {relationship.mapper.class_.__name__} is public")
    for relationship in mapper.relationships:
        target = relationship.mapper.class_
        try:
            scoping_policy(target)
        except UndeclaredPolicy:
            problems.append(f"{name}.{relationship.key}: {target.__name__} declares no policy")
            continue
        # A statement touching only unfiltered classes gets no criteria, joined loads included.
        joined = relationship.lazy in ("joined", False)
        if reads_unfiltered(cls) and joined and not reads_unfiltered(target):
            problems.append(f"{name}.{relationship.key}: joins the filtered {target.__name__}")
    return problems


def policy_problems(mappers: Iterable[Mapper[Any]]) -> list[str]:
    """Why these mapped classes may not reach the session (empty: every one declares its policies)."""
    mappers = list(mappers)
    problems = [problem for mapper in mappers for problem in _class_problems(mapper)]
    entities: dict[str, str] = {}
    for mapper in mappers:
        entity = getattr(mapper.class_, "__audit_entity__", None)
        if entity and entities.setdefault(entity, mapper.class_.__name__) != mapper.class_.__name__:
            problems.append(f"audit entity {entity!r} declared twice")
    return problems


@cache
def checked(mapper: Mapper[Any]) -> Mapper[Any]:
    """The mapper, once its class has been found to declare its policies (cached per mapper)."""
    problems = _class_problems(mapper)
    if problems:
        raise UndeclaredPolicy("; ".join(problems))
    return mapper
