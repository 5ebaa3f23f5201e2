"""statistics: the region indexes of the matrix cells and of the enterprises cover what a county's
report reads (index-only scans)

Revision ID: 0021
Revises: 0020
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

CELL = ["region_code", "item_id", "enterprise_id", "status", "plugin_id", "checked_on", "sector"]
ENTERPRISE = ["region_code", "name", "id", "status", "sector", "deleted_at"]


def upgrade() -> None:
    # The same leading columns as the indexes they replace (every plan on those stays), plus what
    # a county's 重点事项情况 reads (services/statistics/items.py): its enterprises and their cells
    # are then two ranges of index pages, no table pages scattered over the heap.
    op.drop_index("ix_stat_item_cell_region_item", table_name="stat_item_cell")
    op.create_index("ix_stat_item_cell_region", "stat_item_cell", CELL)
    op.drop_index("ix_enterprise_region_name", table_name="enterprise")
    op.create_index("ix_enterprise_region_name", "enterprise", ENTERPRISE)


def downgrade() -> None:
    op.drop_index("ix_enterprise_region_name", table_name="enterprise")
    op.create_index("ix_enterprise_region_name", "enterprise", ["region_code", "name"])
    op.drop_index("ix_stat_item_cell_region", table_name="stat_item_cell")
    op.create_index("ix_stat_item_cell_region_item", "stat_item_cell", ["region_code", "item_id"])
