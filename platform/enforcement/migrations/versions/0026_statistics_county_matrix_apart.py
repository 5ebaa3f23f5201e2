"""statistics: a county's stored matrix apart from its stored table (stat_county_answer.matrix), so
that the report and the API read the table alone; every county's answer computed again

Revision ID: 0026
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stat_county_answer", sa.Column("matrix", sa.LargeBinary(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # Both compressed by the platform already (zlib). The grid (~11 kB a county at national
        # scale) out of line as it is; the table (~3 kB) kept in the row where it fits, so that a
        # county's read is one heap page, not a TOAST look-up too (0.55 → 0.3 ms).
        op.execute("ALTER TABLE stat_county_answer ALTER COLUMN matrix SET STORAGE EXTERNAL")
        op.execute("ALTER TABLE stat_county_answer ALTER COLUMN payload SET STORAGE MAIN")
    # Every county with enterprises, from the cells as they are (services/statistics/answers.py);
    # the rows of format 1 are rewritten in format 2. A later migration changing the table must
    # take this step over (today's code writes today's layout).
    from enforcement.services.statistics.answers import fill

    fill(op.get_bind())


def downgrade() -> None:
    op.execute("UPDATE stat_county_answer SET payload = NULL")  # answered live until refilled
    op.drop_column("stat_county_answer", "matrix")
