"""Backup and restore of one instance: its database, its evidence files and stored documents.

A backup is one ``.tar.gz`` archive:

- ``database/enforcement.sqlite3`` — a consistent snapshot made with SQLite's online backup API
  (``sqlite3.Connection.backup``: what the write-ahead log holds is included, writers are not
  blocked), or ``database/enforcement.dump`` — ``pg_dump --format=custom`` of the PostgreSQL
  database;
- ``data/…`` — every file under DATA_DIR (``evidence/`` photos and documents by SHA-256,
  ``documents/`` the stored PDFs of final documents), taken *after* the database snapshot: every
  file a snapshot row names was written before its row was committed, so it is in the archive;
- ``manifest.json`` (last) — the SHA-256 and size of every other member, the platform version, the
  database engine and its Alembic revision.

Restoring reads the whole archive into a staging folder beside DATA_DIR and checks every member
against the manifest before anything of the instance is touched: a damaged or truncated archive is
refused with nothing written. It then restores only into an empty instance (no rows beyond what
``enforcement db upgrade`` creates, no file under DATA_DIR) unless ``force`` is given.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import MetaData, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

FORMAT = "enforcement-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {
    "sqlite": "database/enforcement.sqlite3",
    "postgresql": "database/enforcement.dump",
}
DATA_PREFIX = "data/"
CHUNK = 1024 * 1024
# Tables `enforcement db upgrade` fills by itself: rows there do not make an instance "in use".
SETUP_TABLES = frozenset(
    {
        "alembic_version",
        "region",
        "ab_permission",
        "ab_view_menu",
        "ab_permission_view",
        "ab_role",
        "ab_permission_view_role",
    }
)
MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


class BackupError(RuntimeError):
    """A backup or restore refused or failed, with a Chinese message for the operator."""


@dataclass(frozen=True)
class Summary:
    """What a backup wrote or a restore read."""

    archive: Path
    engine: str
    revision: str | None
    files: int
    data_files: int
    bytes: int
    seconds: float
    manifest: dict[str, Any]


# Helpers ------------------------------------------------------------------------------------------


def _engine_name(database_url: str) -> str:
    name = make_url(database_url).get_backend_name()
    if name not in DATABASE_MEMBER:
        raise BackupError(f"不支持的数据库类型：{name}（仅支持 SQLite 和 PostgreSQL）")
    return name


def _sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupError("内存数据库无法备份或恢复")
    return Path(database).resolve()


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """The URL for pg_dump/pg_restore (libpq form) and an environment carrying the password,
    which then never shows in a process list."""
    url: URL = make_url(database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"找不到 {command[0]}：请安装 PostgreSQL 客户端（Debian：postgresql-client）"
        ) from None
    if result.returncode != 0:
        raise BackupError(f"{what}失败：{result.stderr.strip()[-500:]}")


REVISION_SQL = "SELECT version_num FROM alembic_version"


def _revision(connection: Any) -> str | None:
    """The Alembic revision, from a SQLAlchemy or a sqlite3 connection (None: never migrated)."""
    try:
        if isinstance(connection, sqlite3.Connection):
            row = connection.execute(REVISION_SQL).fetchone()
            return row[0] if row else None
        return connection.execute(text(REVISION_SQL)).scalar()
    except (sqlite3.Error, SQLAlchemyError):
        return None


def _data_files(data_dir: Path, skip: set[Path]) -> Iterator[tuple[Path, str]]:
    """Every regular file under DATA_DIR, sorted, as (path, archive name); half-written uploads
    (``.upload-*``) and the database's own files (when they live there) are left out."""
    if not data_dir.is_dir():
        return
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file() and not p.is_symlink()):
        if path.name.startswith(".upload-") or path.resolve() in skip:
            continue
        yield path, DATA_PREFIX + path.relative_to(data_dir).as_posix()


class _Hashing:
    """A file object that hashes what is read through it (tarfile.addfile reads exactly size bytes)."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.digest = hashlib.sha256()
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        self.read_bytes += len(data)
        return data


def _add(archive: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    info = archive.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with path.open("rb") as source:
        hashing = _Hashing(source)
        archive.addfile(info, hashing)
    return {"path": name, "size": info.size, "sha256": hashing.digest.hexdigest()}


# Backup -------------------------------------------------------------------------------------------


def _snapshot_sqlite(database_url: str, target: Path) -> str | None:
    source_path = _sqlite_path(database_url)
    if not source_path.is_file():
        raise BackupError(f"数据库文件不存在：{source_path}")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    snapshot = sqlite3.connect(target)
    try:
        # One step (pages=-1): a single read transaction, so the copy is one consistent state;
        # in WAL mode writers go on meanwhile.
        source.backup(snapshot)
        snapshot.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        problem = snapshot.execute("PRAGMA integrity_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"数据库快照校验失败：{problem}")
        return _revision(snapshot)
    finally:
        snapshot.close()
        source.close()


def _snapshot_postgres(database_url: str, target: Path) -> str | None:
    url, env = _libpq(database_url)
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", url],
        env,
        "pg_dump 导出数据库",
    )
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return _revision(connection)
    finally:
        engine.dispose()


def create_backup(database_url: str, data_dir: str | Path, archive_path: str | Path) -> Summary:
    """Write the archive (atomically: a ``.partial`` file renamed when complete)."""
    from enforcement import __version__

    started = time.monotonic()
    engine = _engine_name(database_url)
    data_dir = Path(data_dir).resolve()
    archive_path = Path(archive_path).resolve()
    archive_path.parent.mkdir(parents=True, exist_ok=True)
    partial = archive_path.with_name(archive_path.name + ".partial")
    skip: set[Path] = set()
    if engine == "sqlite":
        database = _sqlite_path(database_url)
        skip = {database, Path(f"{database}-wal"), Path(f"{database}-shm")}
    with tempfile.TemporaryDirectory(prefix="enforcement-backup-") as staging:
        snapshot = Path(staging) / Path(DATABASE_MEMBER[engine]).name
        if engine == "sqlite":
            revision = _snapshot_sqlite(database_url, snapshot)
        else:
            revision = _snapshot_postgres(database_url, snapshot)
        members = []
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                members.append(_add(archive, snapshot, DATABASE_MEMBER[engine]))
                for path, name in _data_files(data_dir, skip):
                    members.append(_add(archive, path, name))
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                    "platform_version": __version__,
                    "engine": engine,
                    "revision": revision,
                    "database": DATABASE_MEMBER[engine],
                    "members": members,
                }
                body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
                archive.addfile(info, io.BytesIO(body))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, archive_path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise BackupError(f"写入备份文件失败：{exc}") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return Summary(
        archive=archive_path,
        engine=engine,
        revision=revision,
        files=len(members),
        data_files=len(members) - 1,
        bytes=archive_path.stat().st_size,
        seconds=time.monotonic() - started,
        manifest=manifest,
    )


# Verify -------------------------------------------------------------------------------------------

DAMAGED = "备份文件已损坏或不完整（{reason}），未写入任何数据"


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(DAMAGED.format(reason=f"非法的成员名 {name}"))
    return path


def verify_and_stage(archive_path: str | Path, staging: Path) -> dict[str, Any]:
    """Read every member into `staging`, hashing it; check the whole against the manifest.

    Returns the manifest; raises BackupError (DAMAGED) on any mismatch, truncation or corruption.
    """
    seen: dict[str, tuple[str, int]] = {}
    manifest: dict[str, Any] | None = None
    try:
        with tarfile.open(archive_path, mode="r:gz") as archive:
            for member in archive:
                name = str(_safe_name(member.name))
                if not member.isfile() or name in seen:
                    raise BackupError(DAMAGED.format(reason=f"意外的成员 {member.name}"))
                source = archive.extractfile(member)
                assert source is not None  # a regular file
                if name == MANIFEST:
                    body = source.read()
                    seen[name] = (hashlib.sha256(body).hexdigest(), len(body))
                    manifest = json.loads(body)
                    continue
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                seen[name] = (digest.hexdigest(), size)
            while archive.fileobj.read(CHUNK):  # to the end: gzip checks its CRC and length there
                pass
    except BackupError:
        raise
    except FileNotFoundError:
        raise BackupError(f"备份文件不存在：{archive_path}") from None
    except EOFError:
        raise BackupError(DAMAGED.format(reason="文件被截断")) from None
    except (gzip.BadGzipFile, zlib.error):
        raise BackupError(DAMAGED.format(reason="压缩数据校验失败")) from None
    except tarfile.TarError:
        raise BackupError(DAMAGED.format(reason="不是有效的备份归档")) from None
    except ValueError:  # the manifest is not JSON (UnicodeDecodeError is a ValueError too)
        raise BackupError(DAMAGED.format(reason="清单无法解析")) from None
    except OSError as exc:
        raise BackupError(f"读取或暂存备份文件失败：{exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(DAMAGED.format(reason="缺少 manifest.json"))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"备份格式版本 {manifest.get('format_version')} 不受本版本平台支持")
    listed = {m["path"]: (m["sha256"], m["size"]) for m in manifest.get("members", [])}
    seen.pop(MANIFEST)
    if set(listed) != set(seen):
        missing = sorted(set(listed) - set(seen)) + sorted(set(seen) - set(listed))
        raise BackupError(DAMAGED.format(reason=f"成员与清单不符：{missing[0]}"))
    for name, (digest, size) in seen.items():
        if listed[name] != (digest, size):
            raise BackupError(DAMAGED.format(reason=f"{name} 的 SHA-256 校验不符"))
    if manifest.get("database") not in seen:
        raise BackupError(DAMAGED.format(reason="缺少数据库快照"))
    return manifest


# Restore ------------------------------------------------------------------------------------------


def instance_in_use(database_url: str, data_dir: str | Path) -> str | None:
    """Why the instance is not empty (a table with rows, a file), or None when it is."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            for table in sorted(inspect(connection).get_table_names()):
                if table in SETUP_TABLES:
                    continue
                quoted = connection.dialect.identifier_preparer.quote(table)
                if connection.execute(text(f"SELECT 1 FROM {quoted} LIMIT 1")).first():
                    return f"数据表 {table} 已有数据"
    except SQLAlchemyError as exc:
        raise BackupError(f"无法读取目标数据库：{exc.__class__.__name__}: {exc}"[:500]) from None
    finally:
        engine.dispose()
    data_dir = Path(data_dir)
    if data_dir.is_dir() and any(p.is_file() for p in data_dir.rglob("*")):
        return f"数据目录 {data_dir} 已有文件"
    return None


def _check_revision(revision: str | None) -> None:
    if revision is None:
        return
    from alembic.script import ScriptDirectory

    try:
        known = ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(revision)
    except Exception:
        known = None
    if known is None:
        raise BackupError(
            f"备份来自更新版本的平台（数据库迁移版本 {revision}），请先升级本平台再恢复"
        )


def _restore_sqlite(database_url: str, snapshot: Path) -> None:
    target_path = _sqlite_path(database_url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        # The backup API replaces every page of the target under its write lock, the WAL included.
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        problem = target.execute("PRAGMA integrity_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"恢复后的数据库校验失败：{problem}")
    finally:
        target.close()
        source.close()


def _restore_postgres(database_url: str, dump: Path) -> None:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:  # what `db upgrade` made (or, forced, everything)
            metadata = MetaData()
            metadata.reflect(connection)
            metadata.drop_all(connection)
    finally:
        engine.dispose()
    url, env = _libpq(database_url)
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={url}",
            str(dump),
        ],
        env,
        "pg_restore 导入数据库",
    )


def _restore_files(staged_data: Path, data_dir: Path) -> int:
    count = 0
    if not staged_data.is_dir():
        return count
    for source in sorted(p for p in staged_data.rglob("*") if p.is_file()):
        target = data_dir / source.relative_to(staged_data)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)  # same file system: the staging folder is beside DATA_DIR
        count += 1
    return count


def restore_backup(
    database_url: str, data_dir: str | Path, archive_path: str | Path, *, force: bool = False
) -> Summary:
    """Verify the whole archive, then restore it into this (empty, unless `force`) instance."""
    started = time.monotonic()
    engine = _engine_name(database_url)
    data_dir = Path(data_dir).resolve()
    archive_path = Path(archive_path).resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=data_dir.parent) as staging_name:
        staging = Path(staging_name)
        manifest = verify_and_stage(archive_path, staging)
        if manifest["engine"] != engine:
            raise BackupError(
                f"备份的数据库是 {manifest['engine']}，本实例是 {engine}：只能恢复到同类数据库"
            )
        _check_revision(manifest.get("revision"))
        if not force:
            reason = instance_in_use(database_url, data_dir)
            if reason:
                raise BackupError(
                    f"本实例不是空的（{reason}）：恢复只写入空实例；确需覆盖请加 --force"
                )
        snapshot = staging / manifest["database"]
        if engine == "sqlite":
            _restore_sqlite(database_url, snapshot)
        else:
            _restore_postgres(database_url, snapshot)
        data_files = _restore_files(staging / DATA_PREFIX.rstrip("/"), data_dir)
    return Summary(
        archive=archive_path,
        engine=engine,
        revision=manifest.get("revision"),
        files=len(manifest["members"]),
        data_files=data_files,
        bytes=archive_path.stat().st_size,
        seconds=time.monotonic() - started,
        manifest=manifest,
    )
