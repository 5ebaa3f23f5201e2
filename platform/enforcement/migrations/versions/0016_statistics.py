"""statistics: key-item results, the matrix cells, their per-region rollup, declared denominators

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stat_item_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("plugin_id", sa.String(length=120), nullable=False),
        sa.Column("item_id", sa.String(length=160), nullable=False),
        sa.Column("equipment_id", sa.Integer(), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("violation", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stat_item_result_inspection_id", "stat_item_result", ["inspection_id"])
    op.create_index("ix_stat_item_result_checked_on", "stat_item_result", ["checked_on"])
    op.create_index(
        "ix_stat_item_result_region_item", "stat_item_result", ["region_code", "item_id"]
    )
    op.create_index(
        "ix_stat_item_result_enterprise_item", "stat_item_result", ["enterprise_id", "item_id"]
    )
    op.create_table(
        "stat_item_cell",
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=160), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("plugin_id", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
        sa.PrimaryKeyConstraint("enterprise_id", "item_id"),
    )
    op.create_index("ix_stat_item_cell_region_item", "stat_item_cell", ["region_code", "item_id"])
    op.create_table(
        "stat_item_rollup",
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=160), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=6), nullable=True),
        sa.Column("plugin_id", sa.String(length=120), nullable=False),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("region_code", "sector", "item_id", "status"),
    )
    op.create_index("ix_stat_item_rollup_parent", "stat_item_rollup", ["parent_code", "sector", "item_id"])
    op.create_table(
        "stat_region_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("enforcers_expected", sa.Integer(), nullable=True),
        sa.Column("enterprises_expected", sa.Integer(), nullable=True),
        sa.Column("cases_expected", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.String(length=128), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_code", "year"),
    )
    op.create_index("ix_stat_region_target_region_code", "stat_region_target", ["region_code"])
    # The inspections finished before this revision: their results, cells and counts.
    from enforcement.services.statistics.maintain import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("stat_region_target")
    op.drop_table("stat_item_rollup")
    op.drop_table("stat_item_cell")
    op.drop_table("stat_item_result")
