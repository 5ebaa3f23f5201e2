"""文号: who issues a paper, and the gapless serial per issuing department, year and 代字.

The counter row of (department, year, 文号 code) is locked until the unit of work commits —
``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the unit began with ``BEGIN IMMEDIATE``, which holds
the database write lock — so concurrent callers get consecutive serials, never a gap or a duplicate.

Two callers draw: finalizing a document (services/documents.finalize) and opening a case
(services/cases.open_case), which draws from the counter of the 立案审批表; that form, once the
case exists, takes the case's number instead of drawing one: one paper, one number.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enforcement.db.scoping import UNSCOPED
from enforcement.documents import get_form
from enforcement.documents.contexts import agency_abbreviation
from enforcement.documents.render import format_number
from enforcement.models import AppUser, Case, Department, DocumentCounter, Region

# The 立案审批表: its 文号 is the case number.
CASE_FILING_FORM = "case_filing_approval"


def _unscoped(statement: Any) -> Any:
    return statement.execution_options(**{UNSCOPED: True})


def department_for(
    session: Session, region_code: str | None, username: str | None
) -> Department | None:
    """The issuing department: the user's own, else the bureau of the enterprise's region or above."""
    if username:
        user = session.scalar(_unscoped(select(AppUser).where(AppUser.username == username)))
        if user is not None and user.department_id:
            return session.get(Department, user.department_id)
    code = region_code
    while code:
        department = session.scalar(
            select(Department)
            .where(Department.region_code == code)
            .order_by(Department.id)
            .limit(1)
        )
        if department is not None:
            return department
        region = session.get(Region, code)
        code = region.parent_code if region is not None else None
    return None


def next_serial(session: Session, department_id: int, year: int, code: str) -> int:
    """The next serial of (department, year, code); its counter row stays locked until the unit
    of work commits (call it inside one)."""
    key = (
        DocumentCounter.department_id == department_id,
        DocumentCounter.year == year,
        DocumentCounter.number_code == code,
    )
    query = (
        select(DocumentCounter)
        .where(*key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    counter = session.scalar(query)
    if counter is None:
        try:
            with session.begin_nested():
                session.add(
                    DocumentCounter(
                        department_id=department_id, year=year, number_code=code, last_serial=0
                    )
                )
        except IntegrityError:
            pass  # another caller created it first: lock theirs
        counter = session.scalar(query)
    counter.last_serial += 1
    return counter.last_serial


def draw_number(session: Session, department: Department, code: str, year: int) -> str:
    """The next 文号 of the department under `code`, formatted as its documents are."""
    serial = next_serial(session, department.id, year, code)
    return format_number(agency_abbreviation(department, session), code, year, serial)


def draw_case_number(
    session: Session, region_code: str, username: str | None, year: int
) -> str | None:
    """A new case's number: the next 文号 of its 立案审批表 (the issuing department's counter of the
    form's 代字, documents/catalogue.json); None when no department issues for the region."""
    department = department_for(session, region_code, username)
    if department is None:
        return None
    code = get_form(CASE_FILING_FORM).number_code
    assert code, f"{CASE_FILING_FORM} has a 代字 in the catalogue"
    while True:
        number = draw_number(session, department, code, year)
        if session.scalar(_unscoped(select(Case.id).where(Case.number == number))) is None:
            return number
        # Another department prints the same 机关简称 (南昌市 and 南昌县 are both 赣南): case
        # numbers stay unique, this department's serial skips the one the other used.
