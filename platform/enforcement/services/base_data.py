"""The base-data rules that need the database, said once for the form, the API and the importer.

What can be said from a value alone is `domain/fields.py`; here: a USCC is registered once (the
one query, across regions and soft-deleted rows), a region exists, is a county (or a city without
counties: 东莞, 中山, 儋州) and lies in the jurisdiction, and a picked enterprise or department is
visible to the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.db.acting import current_actor
from enforcement.db.scoping import UNSCOPED
from enforcement.domain.errors import FieldError, refuse_if
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models import Department, Enterprise, Region

USCC_TAKEN = "该统一社会信用代码已登记，请勿重复录入"
USCC_ELSEWHERE = "该统一社会信用代码已在其他辖区登记"  # never say where: that is not ours to tell
NO_ENTERPRISE = "企业不存在或不在您的管辖范围内"
NO_DEPARTMENT = "执法部门不存在或不在您的管辖范围内"


# -- USCC ------------------------------------------------------------------------------------------


def registered_enterprise(session: Session, uscc: str) -> Enterprise | None:
    """The enterprise holding this (normalized) USCC, wherever it is and even if soft-deleted.

    Unscoped on purpose: a USCC is unique across the country, so a duplicate must be found in
    another region too; callers decide what the caller may learn about it.
    """
    return session.scalars(
        select(Enterprise).where(Enterprise.uscc == uscc).execution_options(**{UNSCOPED: True})
    ).first()


def uscc_taken(session: Session, uscc: str, except_id: int | str | None = None) -> bool:
    """Another enterprise than `except_id` (the one being edited) holds this USCC."""
    return uscc_error(session, uscc, except_id) is not None


def uscc_error(
    session: Session, uscc: str, except_id: int | str | None = None, path: str = "/uscc"
) -> FieldError | None:
    """A USCC held by another enterprise: "elsewhere" when it is outside the caller's jurisdiction
    (the importer says the same), "already registered" when the caller could find it."""
    holder = registered_enterprise(session, uscc)
    if holder is None or str(holder.id) == str(except_id):
        return None
    if not current_actor().jurisdiction.contains(holder.region_code):
        return FieldError(path, USCC_ELSEWHERE)
    return FieldError(path, USCC_TAKEN)


# -- regions ---------------------------------------------------------------------------------------


class RegionCheck:
    """A region code where an enterprise (or a department) may be placed by the caller.

    Remembers what it looked up, so an import of 20,000 rows asks once per distinct code.
    """

    def __init__(self, session: Session, jurisdiction: Jurisdiction | None = None) -> None:
        self.session = session
        self.jurisdiction = jurisdiction or current_actor().jurisdiction
        self._leaf: dict[str, bool] = {}

    def _is_leaf(self, region: Region) -> bool:
        if region.code not in self._leaf:
            if region.level == "county":
                leaf = True
            elif region.level == "city":
                child = select(Region.code).where(Region.parent_code == region.code).limit(1)
                leaf = self.session.scalar(child) is None
            else:
                leaf = False
            self._leaf[region.code] = leaf
        return self._leaf[region.code]

    def problem(self, code: str) -> str | None:
        """None when the code is an existing county-level region in the jurisdiction."""
        region = self.session.get(Region, code)
        if region is None:
            return f"行政区划代码“{code}”不存在"
        if not self._is_leaf(region):
            return f"“{code}”（{region.full_name}）不是区县级行政区划，请填写区县代码"
        if not self.in_jurisdiction(code):
            return f"“{code}”（{region.full_name}）不在您的管辖范围内"
        return None

    def in_jurisdiction(self, code: str | None) -> bool:
        return self.jurisdiction.contains(code)

    def error(self, code: str, path: str = "/region_code") -> FieldError | None:
        problem = self.problem(code)
        return FieldError(path, problem) if problem else None


def region_error(session: Session, code: str, path: str = "/region_code") -> FieldError | None:
    return RegionCheck(session).error(code, path)


# -- records ---------------------------------------------------------------------------------------


def enterprise_errors(
    session: Session, values: Mapping[str, Any], except_id: int | str | None = None
) -> list[FieldError]:
    """What the database says about an enterprise's (already cleaned) uscc and region_code.

    Only the fields given are checked, so a partial update checks what it changes.
    """
    errors: list[FieldError] = []
    if values.get("uscc"):
        errors.append(uscc_error(session, values["uscc"], except_id))  # type: ignore[arg-type]
    if values.get("region_code"):
        errors.append(region_error(session, values["region_code"]))  # type: ignore[arg-type]
    return [error for error in errors if error is not None]


def check_enterprise(
    session: Session, values: Mapping[str, Any], except_id: int | str | None = None
) -> None:
    """Raise Refused with every reason the database gives (see `enterprise_errors`)."""
    refuse_if(enterprise_errors(session, values, except_id))


def enterprise_error(
    session: Session, enterprise_id: int, path: str = "/enterprise_id"
) -> FieldError | None:
    """The enterprise an equipment belongs to: the scoped session hides another region's."""
    return None if session.get(Enterprise, enterprise_id) else FieldError(path, NO_ENTERPRISE)


def department_error(
    session: Session, department_id: int, path: str = "/department_id"
) -> FieldError | None:
    """An enforcer's department: it exists and lies in the caller's jurisdiction.

    Everyone may read departments (their names are no secret), so the jurisdiction is checked
    here rather than by the session.
    """
    department = session.get(Department, department_id)
    if department is None or not current_actor().jurisdiction.contains(department.region_code):
        return FieldError(path, NO_DEPARTMENT)
    return None
