"""statistics: each county's unfiltered 重点事项情况 stored ready to read (stat_county_answer), kept
current by every write that changes it

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stat_county_answer",
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("format", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("region_code"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Compressed by the platform already (zlib): stored out of line as it is, not tried again.
        op.execute("ALTER TABLE stat_county_answer ALTER COLUMN payload SET STORAGE EXTERNAL")
    # Filled by 0026, which gives the row the layout today's code writes: a migration filling with
    # today's code must be the last one to change the table.


def downgrade() -> None:
    op.drop_table("stat_county_answer")
