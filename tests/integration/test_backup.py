"""`enforcement backup` / `enforcement restore`: the demo data plus an inspection's evidence photo and
a finalized document go out in one archive and come back, every table row and every file byte equal;
a damaged or truncated archive is refused with nothing written; a used instance is not overwritten
unless forced.

The source is the session's shared `app` (demo data, on each engine); the restore target is a fresh
database (SQLite file, or a new PostgreSQL database as in conftest) and a fresh DATA_DIR.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import struct
import subprocess
import sys
import tarfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, inspect, select
from sqlalchemy.pool import NullPool

from enforcement.models import Document, Inspection
from enforcement.services.backup import MANIFEST, BackupError, create_backup, restore_backup
from support.databases import fresh_database as database_url

ROOT = Path(__file__).resolve().parents[2]
DONGHU = "360102"


def png(seed: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes([seed & 255, seed >> 8 & 255, 7]) * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def table_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            metadata = MetaData()
            metadata.reflect(connection)
            return {
                name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
                for name, table in sorted(metadata.tables.items())
            }
    finally:
        engine.dispose()


def files_under(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def cli(*args: str, url: str, data_dir: Path, instance: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "ENFORCEMENT_DATABASE_URL": url,
        "ENFORCEMENT_DATA_DIR": str(data_dir),
        "ENFORCEMENT_INSTANCE_DIR": str(instance),
        "PYTHONPATH": str(ROOT / "platform"),
        "PYTHONWARNINGS": "ignore",
    }
    return subprocess.run(
        [sys.executable, "-m", "enforcement.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def source(app: Any, as_user: Any) -> dict[str, Any]:
    """The demo data plus, for one demo inspection, an evidence photo and a finalized 现场检查记录."""
    with app.app_context():
        session = app.appbuilder.session
        inspection = session.scalars(
            select(Inspection).where(Inspection.region_code == DONGHU).order_by(Inspection.id)
        ).first()
        assert inspection is not None, "the demo data has inspections"
        inspection_id, enterprise_id = inspection.id, inspection.enterprise_id
    client = as_user("donghu")
    photo = png(inspection_id)
    sha = hashlib.sha256(photo).hexdigest()
    uploaded = client.post(
        "/checklists/evidence/",
        data={"enterprise_id": str(enterprise_id), "file": (io.BytesIO(photo), "现场.png")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201, uploaded.get_data(as_text=True)
    created = client.post(
        "/documents/new",
        data={"form": "inspection_record", "subject": f"inspection:{inspection_id}"},
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:300]
    edit_url = created.headers["Location"]
    finalized = client.post(edit_url, data={"date": "2026年3月5日", "then": "finalize"})
    assert finalized.status_code == 302
    document_id = int(edit_url.rstrip("/").split("/")[-2])
    with app.app_context():
        document = app.appbuilder.session.get(Document, document_id)
        assert document.status == "final" and document.file_path
    return {
        "url": app.config["SQLALCHEMY_DATABASE_URI"],
        "data_dir": Path(app.config["DATA_DIR"]),
        "photo": f"evidence/{sha[:2]}/{sha}",
        "document": document.file_path,
        "engine": app.config["ENGINE_NAME"],
    }


def test_backup_and_restore_round_trip_every_row_and_every_file(source, tmp_path):
    archive = tmp_path / "backup" / "enforcement.tar.gz"
    made = cli("backup", str(archive), url=source["url"], data_dir=source["data_dir"],
               instance=tmp_path / "instance")  # fmt: skip
    assert made.returncode == 0, made.stderr[-2000:]
    assert "已备份到" in made.stdout and oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[-1] == MANIFEST and names[0].startswith("database/")
    assert f"data/{source['photo']}" in names and f"data/{source['document']}" in names

    target_url = database_url(source["engine"], tmp_path, "enforcement_restore")
    target_data = tmp_path / "restored" / "data"
    restored = cli("restore", str(archive), url=target_url, data_dir=target_data,
                   instance=tmp_path / "restored")  # fmt: skip
    assert restored.returncode == 0, restored.stderr[-2000:]
    assert "已从" in restored.stdout

    before, after = table_rows(source["url"]), table_rows(target_url)
    assert set(before) == set(after) and len(before) > 30
    for table in before:
        assert before[table] == after[table], table
    assert after["evidence_file"] and after["document"] and after["inspection"]
    assert files_under(target_data) == files_under(source["data_dir"])
    assert source["photo"] in files_under(target_data)

    # the restored instance is now in use: a second restore is refused, unless forced
    again = cli("restore", str(archive), url=target_url, data_dir=target_data,
                instance=tmp_path / "restored")  # fmt: skip
    assert again.returncode != 0 and "本实例不是空的" in again.stderr and "--force" in again.stderr
    forced = restore_backup(target_url, target_data, archive, force=True)
    assert forced.data_files == len(files_under(source["data_dir"]))
    assert table_rows(target_url) == before


def damaged_copies(archive: Path, folder: Path) -> dict[str, Path]:
    """One byte flipped in the compressed stream; the file cut short; one byte of a member's
    content changed inside a well-formed gzip (only the manifest's SHA-256 can tell)."""
    data = archive.read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x01
    raw = bytearray(gzip.decompress(data))
    with tarfile.open(fileobj=io.BytesIO(bytes(raw))) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("database/"))
    raw[member.offset_data + member.size // 2] ^= 0x01
    copies = {
        "flipped": bytes(flipped),
        "truncated": data[: len(data) * 2 // 3],
        "tampered": gzip.compress(bytes(raw)),
        "empty": b"",
    }
    out = {}
    for name, body in copies.items():
        out[name] = folder / f"{name}.tar.gz"
        out[name].write_bytes(body)
    return out


def test_a_damaged_or_truncated_archive_is_refused_with_nothing_written(app, tmp_path):
    archive = tmp_path / "good.tar.gz"
    create_backup(app.config["SQLALCHEMY_DATABASE_URI"], app.config["DATA_DIR"], archive)
    engine_name = app.config["ENGINE_NAME"]
    for name, copy in damaged_copies(archive, tmp_path).items():
        target_url = database_url(engine_name, tmp_path, f"enforcement_damaged_{name}")
        target_data = tmp_path / name / "data"
        with pytest.raises(BackupError, match="备份文件已损坏或不完整") as refused:
            restore_backup(target_url, target_data, copy)
        assert "未写入任何数据" in str(refused.value), name
        assert not target_data.exists(), name
        if engine_name == "sqlite":
            assert not Path(target_url.removeprefix("sqlite:///")).exists(), name
        else:
            engine = create_engine(target_url, poolclass=NullPool)
            with engine.connect() as connection:
                assert inspect(connection).get_table_names() == [], name
            engine.dispose()
        assert not list(tmp_path.glob(f"{name}/.restore-*")), name  # no staging left behind


def test_a_backup_restores_only_into_the_same_engine(app, tmp_path):
    archive = tmp_path / "good.tar.gz"
    create_backup(app.config["SQLALCHEMY_DATABASE_URI"], app.config["DATA_DIR"], archive)
    other = "postgres" if app.config["ENGINE_NAME"] == "sqlite" else "sqlite"
    with pytest.raises(BackupError, match="只能恢复到同类数据库"):
        restore_backup(database_url(other, tmp_path, "other"), tmp_path / "data", archive)
