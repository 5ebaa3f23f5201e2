"""user_enforcer: a user may act as one 执法人员 (whose tasks and cases are theirs in 我的工作提醒)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ab_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enforcer_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint("uq_ab_user_enforcer_id", ["enforcer_id"])
        batch_op.create_foreign_key("fk_ab_user_enforcer_id", "enforcer", ["enforcer_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("ab_user", schema=None) as batch_op:
        batch_op.drop_constraint("fk_ab_user_enforcer_id", type_="foreignkey")
        batch_op.drop_constraint("uq_ab_user_enforcer_id", type_="unique")
        batch_op.drop_column("enforcer_id")
