"""documents: enforcement documents, numbering, archive

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("number_code", sa.String(length=16), nullable=True),
        sa.Column("serial", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=80), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("file_path", sa.String(length=300), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finalized_by", sa.String(length=128), nullable=True),
        sa.Column("finalized_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(length=128), nullable=True),
        sa.Column("delete_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
        sa.ForeignKeyConstraint(["supersedes_id"], ["document.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("department_id", "year", "number_code", "serial"),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_form_code"), ["form_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_number"), ["number"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_supersedes_id"), ["supersedes_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index("ix_document_subject", ["subject_kind", "subject_id"], unique=False)

    op.create_table(
        "document_counter",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number_code", sa.String(length=16), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.PrimaryKeyConstraint("department_id", "year", "number_code"),
    )


def downgrade() -> None:
    op.drop_table("document_counter")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_subject")
        for column in (
            "deleted_at", "supersedes_id", "status", "number", "department_id", "region_code",
            "enterprise_id", "form_code",
        ):
            batch_op.drop_index(batch_op.f(f"ix_document_{column}"))
    op.drop_table("document")
