"""working_calendar_and_procedure_steps: the loadable holiday table; the case's new recorded steps
(法制审核, 集体讨论, 听证会, 催告, 延期缴纳, 移送, 简易程序)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_DATES = (
    "legal_reviewed_on",
    "collective_discussed_on",
    "hearing_noticed_on",
    "hearing_on",
    "reminder_served_on",
    "deferred_until",
    "transferred_on",
)


def upgrade() -> None:
    op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holidays", sa.Text(), nullable=False),
        sa.Column("workdays", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("loaded_by", sa.String(length=128), nullable=True),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    with op.batch_alter_table("case") as batch_op:
        batch_op.add_column(
            sa.Column("procedure", sa.String(length=12), nullable=False, server_default="general")
        )
        batch_op.add_column(
            sa.Column(
                "legal_review_required", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column(
                "collective_required", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(sa.Column("notified_penalties", sa.Text(), nullable=True))
        for name in _DATES:
            batch_op.add_column(sa.Column(name, sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case") as batch_op:
        for name in reversed(_DATES):
            batch_op.drop_column(name)
        batch_op.drop_column("notified_penalties")
        batch_op.drop_column("collective_required")
        batch_op.drop_column("legal_review_required")
        batch_op.drop_column("procedure")
    op.drop_table("calendar_year")
