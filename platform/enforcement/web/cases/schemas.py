"""What the case API answers with (docs/api-workbench.md): the case, its penalties and its clocks."""

from __future__ import annotations

from marshmallow import fields

from enforcement.domain.fields import Field
from enforcement.services import cases as service
from enforcement.web.base import read_schema

PENALTY_READ = read_schema(
    {
        "id": fields.Integer(),
        "kind": fields.String(),
        "kind_label": fields.String(),
        "amount": fields.Decimal(as_string=True, allow_none=True),
        "basis": fields.String(),
        "decision_no": fields.String(allow_none=True),
        "decided_on": fields.Date(allow_none=True),
        "served_on": fields.Date(allow_none=True),
        "due_on": fields.Date(allow_none=True),
        "paid_amount": fields.Decimal(as_string=True, allow_none=True),
        "paid_on": fields.Date(allow_none=True),
        "surcharge": fields.Decimal(as_string=True, allow_none=True),
    }
)

CASE_READ: dict[str, fields.Field] = {
    "id": fields.Integer(),
    "number": fields.String(),
    "title": fields.String(),
    "enterprise_id": fields.Integer(),
    "enterprise_name": fields.String(),
    "region_code": fields.String(),
    "stage": fields.String(),
    "stage_label": fields.String(),
    "source": fields.String(),
    "facts": fields.String(),
    "party_kind": fields.String(),
    "party_name": fields.String(allow_none=True),
    "discovered_on": fields.Date(),
    "evidence_taken_on": fields.Date(allow_none=True),
    "filed_on": fields.Date(),
    "notified_on": fields.Date(allow_none=True),
    "hearing_offered": fields.Boolean(),
    "hearing_requested_on": fields.Date(allow_none=True),
    "extensions": fields.Integer(),
    "closed_on": fields.Date(allow_none=True),
    "archived_on": fields.Date(allow_none=True),
    "rule_set": fields.String(),
    "version": fields.Integer(),
    "enforcer_ids": fields.Function(lambda c: [e.id for e in c.enforcers]),
    "penalties": fields.Function(lambda c: PENALTY_READ.dump(c.penalties, many=True)),
    "deadlines": fields.Function(
        lambda c: [
            {
                "key": d.key,
                "name": d.name,
                "due_on": d.due_on.isoformat(),
                "state": d.state,
                "rule_set": d.rule_set,
                "source": d.source,
                "confidence": d.confidence,
            }
            for d in service.case_deadlines(c)
        ]
    ),
}
LIST_COLUMNS = [
    "id",
    "number",
    "title",
    "enterprise_id",
    "region_code",
    "stage",
    "source",
    "party_kind",
    "filed_on",
    "version",
]


# What the case desk accepts as typed text (lengths are the columns', models/case.py).
CASE_TITLE = Field("title", "案件名称", max_length=300)
PARTY_NAME = Field("party_name", "当事人姓名", max_length=100)
DECISION_NO = Field("decision_no", "处罚决定书文号", max_length=64)
