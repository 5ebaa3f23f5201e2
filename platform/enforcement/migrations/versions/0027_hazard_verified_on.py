"""re-inspections record their date for either outcome: hazard.verified_on (a hazard found not
rectified kept no date before; a rectified one kept it as rectified_on)

Revision ID: 0027
Revises: 0026
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("hazard", sa.Column("verified_on", sa.Date(), nullable=True))
    # What is known: a rectification confirmed on its day; a docked re-inspection on its task's
    # day (services/docking/reinspect.py: the task's due_on is the re-inspection's date). A local
    # "not rectified" kept no date: it stays unknown (NULL).
    op.execute(
        "UPDATE hazard SET verified_on = rectified_on "
        "WHERE verified_by_task_id IS NOT NULL AND status = 'rectified'"
    )
    op.execute(
        "UPDATE hazard SET verified_on = (SELECT task.due_on FROM task "
        "WHERE task.id = hazard.verified_by_task_id AND task.docking_source IS NOT NULL) "
        "WHERE verified_by_task_id IS NOT NULL AND verified_on IS NULL"
    )


def downgrade() -> None:
    op.drop_column("hazard", "verified_on")
