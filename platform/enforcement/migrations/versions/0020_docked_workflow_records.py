"""docked workflow records: the source system of a plan, task, inspection, hazard, order, case,
stage record, penalty or document written through docking (NULL: recorded on this platform)

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

TABLES = (
    "plan",
    "task",
    "inspection",
    "hazard",
    "rectification_order",
    "case",
    "case_transition",
    "penalty",
    "document",
)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("docking_source", sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("docking_source")
