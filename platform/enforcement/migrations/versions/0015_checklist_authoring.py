"""checklist authoring: drafts built in the browser, each province's approval setting

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checklist_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("plugin_id", sa.String(length=120), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("declaration", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(length=128), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=128), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("review_diff", sa.JSON(), nullable=True),
        sa.Column("published_version", sa.String(length=32), nullable=True),
        sa.Column("published_sha256", sa.String(length=64), nullable=True),
        sa.Column("published_upload_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_checklist_draft_region_code", "checklist_draft", ["region_code"])
    op.create_index("ix_checklist_draft_plugin_id", "checklist_draft", ["plugin_id"])
    op.create_table(
        "checklist_approval",
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("region_code"),
    )


def downgrade() -> None:
    op.drop_table("checklist_approval")
    op.drop_index("ix_checklist_draft_plugin_id", table_name="checklist_draft")
    op.drop_index("ix_checklist_draft_region_code", table_name="checklist_draft")
    op.drop_table("checklist_draft")
