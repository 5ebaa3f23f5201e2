"""cases: cases, stage transitions, penalties

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("party_kind", sa.String(length=12), nullable=False),
        sa.Column("party_name", sa.String(length=100), nullable=True),
        sa.Column("discovered_on", sa.Date(), nullable=False),
        sa.Column("evidence_taken_on", sa.Date(), nullable=True),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("hearing_offered", sa.Boolean(), nullable=False),
        sa.Column("hearing_requested_on", sa.Date(), nullable=True),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("court_enforcement_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("archived_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_case_enterprise_id", "case", ["enterprise_id"])
    op.create_index("ix_case_filed_on", "case", ["filed_on"])
    op.create_index("ix_case_region_stage", "case", ["region_code", "stage"])

    op.create_table(
        "case_enforcer",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("enforcer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["enforcer_id"], ["enforcer.id"]),
        sa.PrimaryKeyConstraint("case_id", "enforcer_id"),
    )
    op.create_index("ix_case_enforcer_enforcer_id", "case_enforcer", ["enforcer_id"])

    op.create_table(
        "case_hazard",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("hazard_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["hazard_id"], ["hazard.id"]),
        sa.PrimaryKeyConstraint("case_id", "hazard_id"),
    )
    op.create_index("ix_case_hazard_hazard_id", "case_hazard", ["hazard_id"])

    op.create_table(
        "case_transition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("from_stage", sa.String(length=16), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("to_stage", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_transition_case_id", "case_transition", ["case_id"])
    op.create_index("ix_case_transition_region_code", "case_transition", ["region_code"])

    op.create_table(
        "penalty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("decision_no", sa.String(length=64), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("served_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("paid_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("surcharge", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_penalty_case_id", "penalty", ["case_id"])
    op.create_index("ix_penalty_region_code", "penalty", ["region_code"])


def downgrade() -> None:
    op.drop_table("penalty")
    op.drop_table("case_transition")
    op.drop_table("case_hazard")
    op.drop_table("case_enforcer")
    op.drop_table("case")
