"""Jurisdiction scoping, enforced in ONE place: the ORM session.

Every ORM SELECT that touches a scoped entity gets a WHERE clause limiting it to the current actor's
region subtree (and hiding soft-deleted rows) through `with_loader_criteria`. Lists, detail pages,
edits, deletes, the REST API, search, exports and relationship loads all go through the session, so
a record outside the jurisdiction simply does not exist for the caller (404). Writes are checked in
`before_flush`: an object whose region lies outside the jurisdiction is refused.

The actor comes from a provider function set by the web layer (the logged-in user) — outside a
request (CLI, demo loader) the actor is the national administrator.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import event, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from enforcement.db.acting import SYSTEM, Actor, current_actor  # noqa: F401 - moved; importers follow
from enforcement.domain.jurisdiction import Jurisdiction, parent_code
from enforcement.models.base_data import (
    Department,
    Enforcer,
    Enterprise,
    Equipment,
    Region,
    TrainingRecord,
)
from enforcement.models.case import Case, CaseTransition, Penalty
from enforcement.models.checklist import AnswerSet, EvidenceFile
from enforcement.models.document import Document
from enforcement.models.workbench import (
    Hazard,
    Inspection,
    InspectionScheme,
    Plan,
    RectificationOrder,
    Task,
)

# 我的工作台 records carry the enterprise's (or the plan's) region: scoped and checked by region_code.
REGIONAL = (Plan, Task, InspectionScheme, Inspection, Hazard, RectificationOrder)
SOFT_DELETED = (Plan, Task)
# 执法文书 carry the enterprise's region as well; only an admin soft-deletes one (never hard).
REGIONAL += (Document,)
SOFT_DELETED += (Document,)
# 立案查处: case, its history and penalties carry the case's (the enterprise's) region.
REGIONAL += (Case, CaseTransition, Penalty)


class OutOfJurisdiction(PermissionError):
    """Raised when a write would place a record outside the actor's jurisdiction."""


# Execution option that lets a service (e.g. the importer's duplicate check) see every row,
# including soft-deleted ones and other regions'. Views never set it.
UNSCOPED = "enforcement_unscoped"


def _in_range(column, jurisdiction: Jurisdiction):  # noqa: ANN001, ANN202 - SQL expression
    low, high = jurisdiction.code_range  # type: ignore[misc]
    return column.between(low, high)


@lru_cache(maxsize=4096)
def _criteria(jurisdiction: Jurisdiction) -> tuple:
    """The loader criteria for each scoped entity. Soft-deleted rows are hidden for everyone.

    Built once per jurisdiction (a few thousand at most: one per county) and reused: the options are
    immutable, and reusing the same objects keeps SQLAlchemy's statement cache warm.

    Departments themselves are public (an inspector may see the names of other bureaus); what they
    scope is the people and enterprises under them. Writes to departments are still checked.
    """
    options = [
        with_loader_criteria(Enterprise, Enterprise.deleted_at.is_(None), include_aliases=True),
        with_loader_criteria(Equipment, Equipment.deleted_at.is_(None), include_aliases=True),
        with_loader_criteria(Enforcer, Enforcer.deleted_at.is_(None), include_aliases=True),
    ]
    options += [
        with_loader_criteria(model, model.deleted_at.is_(None), include_aliases=True)
        for model in SOFT_DELETED
    ]
    if jurisdiction.is_national:
        return tuple(options)
    visible_enterprises = select(Enterprise.id).where(
        _in_range(Enterprise.region_code, jurisdiction)
    )
    visible_departments = select(Department.id).where(
        _in_range(Department.region_code, jurisdiction)
    )
    visible_enforcers = select(Enforcer.id).where(
        Enforcer.department_id.in_(visible_departments.scalar_subquery())
    )
    options += [
        with_loader_criteria(
            Enterprise, _in_range(Enterprise.region_code, jurisdiction), include_aliases=True
        ),
        with_loader_criteria(
            Equipment,
            Equipment.enterprise_id.in_(visible_enterprises.scalar_subquery()),
            include_aliases=True,
        ),
        with_loader_criteria(
            Enforcer,
            Enforcer.department_id.in_(visible_departments.scalar_subquery()),
            include_aliases=True,
        ),
        with_loader_criteria(
            AnswerSet,
            AnswerSet.enterprise_id.in_(visible_enterprises.scalar_subquery()),
            include_aliases=True,
        ),
        with_loader_criteria(
            EvidenceFile, _in_range(EvidenceFile.region_code, jurisdiction), include_aliases=True
        ),
        with_loader_criteria(
            TrainingRecord,
            TrainingRecord.enforcer_id.in_(visible_enforcers.scalar_subquery()),
            include_aliases=True,
        ),
    ]
    options += [
        with_loader_criteria(
            model, _in_range(model.region_code, jurisdiction), include_aliases=True
        )
        for model in REGIONAL
        if model is not Plan
    ]
    # A plan of a parent region (the city's plan seen from a county) is read by the bureaus under it:
    # its tasks are theirs. Writing a plan still needs the plan's region inside the jurisdiction.
    options.append(
        with_loader_criteria(
            Plan,
            or_(
                _in_range(Plan.region_code, jurisdiction),
                Plan.region_code.in_(_ancestors(jurisdiction)),
            ),
            include_aliases=True,
        )
    )
    return tuple(options)


def _ancestors(jurisdiction: Jurisdiction) -> list[str]:
    codes: list[str] = []
    code = jurisdiction.region_code
    while code and not jurisdiction.denied:
        code = parent_code(code)
        if code:
            codes.append(code)
    return codes


def _is_unscoped_class(cls: type) -> bool:
    """FAB's security tables (users, roles, permissions) and the public region table carry no
    enforcement data: a statement that touches only them needs no criteria. Unknown classes stay
    scoped (the safe default)."""
    return (
        cls is Region or cls.__module__.startswith("flask_appbuilder.") or cls.__name__ == "AppUser"
    )


def _apply_scope(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load or state.execution_options.get(UNSCOPED):
        return
    mappers = state.all_mappers
    if mappers and all(_is_unscoped_class(mapper.class_) for mapper in mappers):
        return
    state.statement = state.statement.options(*_criteria(current_actor().jurisdiction))


def visible(session: Session, entity: type, ident: object) -> bool:
    """Whether the row with this primary key passes the actor's criteria (one indexed query).

    `Session.get` answers from the identity map without any SQL, so an object loaded earlier in the
    same session (unscoped, by a service) would bypass the criteria; the web session asks this on
    such hits (web/app.py `JurisdictionSession`).
    """
    if current_actor().jurisdiction.is_national or _is_unscoped_class(entity):
        return True
    mapper = sa_inspect(entity)
    # ORM attributes, not table columns: only an ORM statement gets the loader criteria.
    keys = [mapper.get_property_by_column(column).class_attribute for column in mapper.primary_key]
    values = ident if isinstance(ident, tuple) else (ident,)
    statement = select(keys[0]).where(
        *(key == value for key, value in zip(keys, values, strict=True))
    )
    return session.scalar(statement) is not None


def check_writable(obj: object, session: Session, jurisdiction: Jurisdiction) -> None:
    """Refuse a new or changed record that would lie outside the jurisdiction."""
    if jurisdiction.is_national:
        return
    message = "该记录不在您的管辖范围内"
    if isinstance(obj, Enterprise):
        # Forms set the relationship, the API the column; the foreign key syncs only at flush.
        region = obj.region.code if obj.region is not None else obj.region_code
        if not jurisdiction.contains(region):
            raise OutOfJurisdiction(f"所选行政区划不在您的管辖范围内（{region}）")
    elif isinstance(obj, Equipment):
        enterprise_id = obj.enterprise_id or (obj.enterprise.id if obj.enterprise else None)
        region = session.scalar(
            select(Enterprise.region_code)
            .where(Enterprise.id == enterprise_id)
            .execution_options(**{UNSCOPED: True})
        )
        if obj.enterprise is not None and obj.enterprise.id is None:
            region = obj.enterprise.region_code
        if not jurisdiction.contains(region):
            raise OutOfJurisdiction(message)
    elif isinstance(obj, Enforcer):
        department_id = obj.department_id or (obj.department.id if obj.department else None)
        region = session.scalar(
            select(Department.region_code)
            .where(Department.id == department_id)
            .execution_options(**{UNSCOPED: True})
        )
        if not jurisdiction.contains(region):
            raise OutOfJurisdiction("所选执法部门不在您的管辖范围内")
    elif isinstance(obj, AnswerSet):
        region = session.scalar(
            select(Enterprise.region_code)
            .where(Enterprise.id == obj.enterprise_id)
            .execution_options(**{UNSCOPED: True})
        )
        if not jurisdiction.contains(region):
            raise OutOfJurisdiction(message)
    elif isinstance(obj, Department):
        if not jurisdiction.contains(obj.region_code):
            raise OutOfJurisdiction("所选行政区划不在您的管辖范围内")
    elif isinstance(obj, REGIONAL):
        if not jurisdiction.contains(obj.region_code):
            raise OutOfJurisdiction(message)


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    jurisdiction = current_actor().jurisdiction
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        check_writable(obj, session, jurisdiction)


def install_scoping(session_factory: object) -> None:
    """Attach the scope to a Session class or sessionmaker (idempotent)."""
    if not event.contains(session_factory, "do_orm_execute", _apply_scope):
        event.listen(session_factory, "do_orm_execute", _apply_scope)
        event.listen(session_factory, "before_flush", _before_flush)
