"""re-inspections of a docked rectification order as 复查 tasks: the task's 复查意见 and the
order's list of its re-inspection tasks

Revision ID: 0024
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
    with op.batch_alter_table("rectification_order") as batch:
        batch.add_column(sa.Column("reinspection_task_ids", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rectification_order") as batch:
        batch.drop_column("reinspection_task_ids")
    with op.batch_alter_table("task") as batch:
        batch.drop_column("note")
