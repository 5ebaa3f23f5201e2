"""Uploaded files stored by content: `<DATA_DIR>/<area>/<sha[:2]>/<sha256>`, each written once."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def content_path(data_dir: str | Path, area: str, sha256: str) -> Path:
    return Path(data_dir) / area / sha256[:2] / sha256


def write_once(path: Path, data: bytes) -> None:
    """Written atomically and only once: the same file uploaded twice is stored once, and a
    crash mid-write leaves no half file under the final name."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
