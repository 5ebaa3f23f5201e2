"""plugin_owner_evidence_per_region: an uploaded plugin id belongs to one region; one evidence row per
(file, region)

Revision ID: 0008
Revises: 0007
"""

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


@contextmanager
def _copied_evidence_table() -> Iterator[object]:
    """SQLite cannot change a primary key in place: batch mode copies the table. SQLAlchemy warns
    that the copied columns' primary-key flags differ from the new key, which is the point."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*specifies columns.*as primary_key=True")
        with op.batch_alter_table("evidence_file", recreate="always") as batch_op:
            yield batch_op


def upgrade() -> None:
    op.create_table(
        "checklist_owner",
        sa.Column("plugin_id", sa.String(length=120), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("plugin_id"),
    )
    # Existing ids belong to the region of their first upload (a later foreign version, the
    # takeover this table prevents, can then no longer be published).
    op.execute(
        """
        INSERT INTO checklist_owner (plugin_id, region_code, claimed_by, claimed_at)
        SELECT u.plugin_id, u.scope_region, u.uploaded_by, u.uploaded_at
        FROM checklist_upload u
        WHERE u.id = (SELECT min(f.id) FROM checklist_upload f WHERE f.plugin_id = u.plugin_id)
        """
    )

    # The evidence key becomes (sha256, region_code). Every row has its enterprise's region (a
    # NOT NULL column there), so making region_code NOT NULL loses nothing.
    if op.get_bind().dialect.name == "sqlite":
        with _copied_evidence_table() as batch_op:
            batch_op.alter_column("region_code", existing_type=sa.String(length=6), nullable=False)
            batch_op.create_primary_key("evidence_file_pkey", ["sha256", "region_code"])
    else:
        op.alter_column(
            "evidence_file", "region_code", existing_type=sa.String(length=6), nullable=False
        )
        op.drop_constraint("evidence_file_pkey", "evidence_file", type_="primary")
        op.create_primary_key("evidence_file_pkey", "evidence_file", ["sha256", "region_code"])


def downgrade() -> None:
    # One row per file again: the first region's row is kept (files uploaded later in other regions
    # become unreadable there, as before this revision).
    op.execute(
        """
        DELETE FROM evidence_file
        WHERE EXISTS (
            SELECT 1 FROM evidence_file AS other
            WHERE other.sha256 = evidence_file.sha256
              AND (other.uploaded_at < evidence_file.uploaded_at
                   OR (other.uploaded_at = evidence_file.uploaded_at
                       AND other.region_code < evidence_file.region_code))
        )
        """
    )
    if op.get_bind().dialect.name == "sqlite":
        with _copied_evidence_table() as batch_op:
            batch_op.create_primary_key("evidence_file_pkey", ["sha256"])
            batch_op.alter_column("region_code", existing_type=sa.String(length=6), nullable=True)
    else:
        op.drop_constraint("evidence_file_pkey", "evidence_file", type_="primary")
        op.create_primary_key("evidence_file_pkey", "evidence_file", ["sha256"])
        op.alter_column(
            "evidence_file", "region_code", existing_type=sa.String(length=6), nullable=True
        )
    op.drop_table("checklist_owner")
