"""执法资源库 (issue 15): search and browse (search.py), entries and files (entries.py); the national
starting catalogue is seed/national.json, loaded by migration 0014."""

from enforcement.services.library.entries import (
    DEFAULT_MAX_BYTES,
    Citing,
    StoredFile,
    add_file,
    citing_items,
    file_path,
    find_file,
    index_entry,
    reindex,
    save_entry,
)
from enforcement.services.library.importing import HEADERS, ImportOutcome, import_catalogue
from enforcement.services.library.search import (
    PAGE_SIZE,
    Filters,
    Hit,
    Page,
    collection_counts,
    find_cited,
    get_entry,
    issuers,
    later_versions,
    like_scan,
    search,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "HEADERS",
    "ImportOutcome",
    "import_catalogue",
    "PAGE_SIZE",
    "Citing",
    "Filters",
    "Hit",
    "Page",
    "StoredFile",
    "add_file",
    "citing_items",
    "collection_counts",
    "file_path",
    "find_cited",
    "find_file",
    "get_entry",
    "index_entry",
    "issuers",
    "later_versions",
    "like_scan",
    "reindex",
    "save_entry",
    "search",
]
