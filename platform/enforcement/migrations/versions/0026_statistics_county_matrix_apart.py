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
        # Compressed by the platform already (zlib): stored out of line as it is, not tried again.
        # (The table's ~3 kB kept in the row instead, STORAGE MAIN, measured the same.)
        op.execute("ALTER TABLE stat_county_answer ALTER COLUMN matrix SET STORAGE EXTERNAL")
    # Every county with enterprises, from the cells as they are (services/statistics/answers.py);
    # the rows of format 1 are rewritten in format 2. A later migration changing the table must
    # take this step over (today's code writes today's layout).
    from enforcement.services.statistics.answers import fill

    fill(op.get_bind())


def downgrade() -> None:
    op.execute("UPDATE stat_county_answer SET payload = NULL")  # answered live until refilled
    op.drop_column("stat_county_answer", "matrix")
