"""SQLAlchemy models on Flask-AppBuilder's declarative base. Import everything from here."""

from enforcement.models.audit import AuditLog
from enforcement.models.authoring import ChecklistApproval, ChecklistDraft
from enforcement.models.base_data import (
    Department,
    Enforcer,
    Enterprise,
    EnterpriseTag,
    Equipment,
    Region,
    TrainingRecord,
)
from enforcement.models.calendar import CalendarYear
from enforcement.models.case import Case, CaseTransition, Penalty, case_enforcer, case_hazard
from enforcement.models.checklist import (
    AnswerSet,
    ChecklistOwner,
    ChecklistUpload,
    CompiledSchema,
    EvidenceFile,
)
from enforcement.models.docking import DockingBatch, DockingRecord
from enforcement.models.document import DockedDocument, Document, DocumentCounter
from enforcement.models.library import LibraryEntry, LibraryFile
from enforcement.models.signature import DocumentSignature
from enforcement.models.statistics import ItemCell, ItemResult, ItemRollup, RegionTarget
from enforcement.models.user import AppUser
from enforcement.models.workbench import (
    Hazard,
    Inspection,
    InspectionScheme,
    Plan,
    RectificationOrder,
    Task,
    task_enforcer,
)

__all__ = [
    "CalendarYear",
    "Case",
    "CaseTransition",
    "Penalty",
    "case_enforcer",
    "case_hazard",
    "DockingBatch",
    "DockingRecord",
    "DockedDocument",
    "Document",
    "DocumentCounter",
    "DocumentSignature",
    "ItemCell",
    "ItemResult",
    "ItemRollup",
    "RegionTarget",
    "LibraryEntry",
    "LibraryFile",
    "AnswerSet",
    "ChecklistApproval",
    "ChecklistDraft",
    "ChecklistOwner",
    "ChecklistUpload",
    "CompiledSchema",
    "EvidenceFile",
    "AppUser",
    "AuditLog",
    "Department",
    "Enforcer",
    "Enterprise",
    "EnterpriseTag",
    "Equipment",
    "Region",
    "TrainingRecord",
    "Plan",
    "Task",
    "task_enforcer",
    "InspectionScheme",
    "Inspection",
    "Hazard",
    "RectificationOrder",
]
