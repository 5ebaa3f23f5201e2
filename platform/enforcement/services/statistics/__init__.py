"""统计查询: the seven report tables, the item matrix, Excel; rollups kept current on every write.

`core` parses a request and shapes a table, `figures` holds each family's GROUP BY, `reports` the
tables, `export` the workbooks, `maintain` the listener that keeps `ItemResult`, `ItemCell` and
`ItemRollup` current in the same transaction as the inspection or hazard change, `answers` each
county's unfiltered 重点事项情况 stored ready to read (`CountyAnswer`), kept by the same listener.
"""

from enforcement.services.statistics import maintain, targets
from enforcement.services.statistics.core import (
    LEVELS,
    REPORTS,
    NotVisible,
    Query,
    Table,
    catalogue,
    parse_query,
    regions,
)
from enforcement.services.statistics.export import table_xlsx
from enforcement.services.statistics.figures import trend
from enforcement.services.statistics.reports import enterprise_detail, matrix, report

maintain.install()

__all__ = [
    "LEVELS",
    "REPORTS",
    "NotVisible",
    "Query",
    "Table",
    "catalogue",
    "enterprise_detail",
    "matrix",
    "parse_query",
    "regions",
    "report",
    "table_xlsx",
    "targets",
    "trend",
]
