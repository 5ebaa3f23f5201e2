"""soft delete of inspections, hazards, rectification orders, cases and penalties: a docked
tombstone (or a local delete) hides the record and its statistics instead of leaving it counted;
docked documents (kind, 文号, hash, file reference) as rows of their own

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

TABLES = ("inspection", "hazard", "rectification_order", "case", "penalty")


def upgrade() -> None:
    op.create_table(
        "docked_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_url", sa.String(length=1000), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("docking_source", sa.String(length=64), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("docked_document") as batch:
        for column in (
            "number",
            "enterprise_id",
            "case_id",
            "inspection_id",
            "region_code",
            "deleted_at",
        ):
            batch.create_index(f"ix_docked_document_{column}", [column], unique=False)
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
            batch.add_column(sa.Column("deleted_by", sa.String(length=128), nullable=True))
            batch.create_index(f"ix_{table}_deleted_at", ["deleted_at"], unique=False)


def downgrade() -> None:
    op.drop_table("docked_document")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_deleted_at")
            batch.drop_column("deleted_by")
            batch.drop_column("deleted_at")
