"""我的工作台: plan → tasks → scheme → inspection → hazards → rectification → re-inspection.

The use cases are split by step: services/plans.py (plans, the 双随机 draw, tasks),
services/inspections.py (schemes, on-site inspections, derived hazards), services/rectification.py
(measures, 整改指令, re-inspections) and services/history.py (企业执法档案). This module holds what
they share: the errors and the acting user.

They are the only writers of workbench statuses: views and APIs call them. Each validates (rules in
domain/planning.py), acts as one unit of work (db/unit_of_work.py: the outermost call commits, a call
inside another unit joins it), and raises `WorkbenchError` (Chinese reasons) when refused, or
`ConflictError` when an inspection changed under the caller (optimistic locking on `version`).
Jurisdiction is the session's: another region's record is simply not found (db/scoping.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from enforcement.db.acting import current_actor
from enforcement.domain.errors import Conflict, FieldError, Refused


class WorkbenchError(Refused):
    """A refused step, with every reason in Chinese: at its field where the rule names one, else
    about the step as a whole (path "")."""

    def __init__(self, reasons: str | FieldError | Sequence[str | FieldError]) -> None:
        super().__init__(reasons)
        self.reasons = [error.message for error in self.errors]


class ConflictError(WorkbenchError, Conflict):
    """The inspection was saved by someone else since the caller loaded it (409)."""


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def acting_username() -> str | None:
    return current_actor().username


def require(reasons: Sequence[str | FieldError]) -> None:
    """Refuse with every reason collected (none: go on)."""
    if reasons:
        raise WorkbenchError(reasons)


def require_jurisdiction(region_code: str | None) -> None:
    if not current_actor().jurisdiction.contains(region_code):
        raise WorkbenchError(FieldError("/region_code", "所选行政区划不在您的管辖范围内"))
