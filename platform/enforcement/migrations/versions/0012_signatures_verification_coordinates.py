"""signatures_verification_coordinates: 电子签名 (document_signature), 扫码验真 (document.verify_token),
an enterprise's registered position (enterprise.latitude / longitude)

Revision ID: 0012
Revises: 0009
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("signer_name", sa.String(length=64), nullable=False),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.Column("witness_name", sa.String(length=64), nullable=True),
        sa.Column("image", sa.LargeBinary(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("captured_by", sa.String(length=128), nullable=True),
        sa.Column("device", sa.String(length=300), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("document_signature", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_signature_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_document_signature_deleted_at"), ["deleted_at"], unique=False
        )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verify_token", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint("uq_document_verify_token", ["verify_token"])
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))

    # Documents finalized before 扫码验真 get their token now: the page shows the link (their
    # printed PDFs carry no QR code; a new version does).
    document = sa.table(
        "document",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("verify_token", sa.String),
    )
    bind = op.get_bind()
    ids = bind.execute(
        sa.select(document.c.id).where(document.c.status.in_(["final", "superseded"]))
    ).scalars()
    for document_id in list(ids):
        bind.execute(
            document.update()
            .where(document.c.id == document_id)
            .values(verify_token=secrets.token_urlsafe(16))
        )


def downgrade() -> None:
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint("uq_document_verify_token", type_="unique")
        batch_op.drop_column("verify_token")
    with op.batch_alter_table("document_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_signature_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_document_signature_document_id"))
    op.drop_table("document_signature")
