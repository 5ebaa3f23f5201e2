"""SQLAlchemy models on Flask-AppBuilder's declarative base. Import everything from here."""

from enforcement.models.audit import AuditLog
from enforcement.models.base_data import (
    Department,
    Enforcer,
    Enterprise,
    EnterpriseTag,
    Equipment,
    Region,
    TrainingRecord,
)
from enforcement.models.checklist import AnswerSet, ChecklistUpload, CompiledSchema, EvidenceFile
from enforcement.models.user import AppUser

__all__ = [
    "AnswerSet",
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
]
