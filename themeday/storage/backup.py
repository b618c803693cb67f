"""Backup and restore (备份与恢复): a consistent export of the database plus the uploads.

A backup is a folder::

    manifest.json        format, time, schema version, row counts, sha256 of every file
    database/            EXPORT DATABASE (FORMAT parquet): schema.sql, load.sql, *.parquet
    uploads/<2>/<name>   the stored attachments, same layout as the live ``uploads/``

DuckDB allows one read-write process per file, and rows may still sit in the ``.wal``,
so the bare ``.duckdb`` file is never copied (DESIGN.md §3). :func:`backup` works on
an open connection: the running app calls it in-process, the CLI when the app is
stopped. The database is exported first and the uploads copied afterwards, so every
attachment row in the export already has its file on disk (the app writes the file
before it commits the row).

:func:`restore` only fills an empty data directory, checks every hash before it
starts, builds the new database and uploads in a scratch folder beside the target
and moves them into place only once the row counts match the manifest.

The database-level steps (checkpoint, export, import, row counts, sequences) are
:mod:`themeday.storage.db_admin`'s; this module speaks no SQL. No Streamlit here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from themeday.core.config import now as clock_now
from themeday.core.dates import minute_time
from themeday.storage import db_admin
from themeday.storage.migrations import LATEST_VERSION

if TYPE_CHECKING:
    from themeday.core.domain import Actor
    from themeday.repository import Repository

FORMAT = "themeday-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATABASE_DIR = "database"
UPLOADS_DIR = "uploads"

FILE_MODE = 0o640
DIR_MODE = 0o750
_CHUNK = 1024 * 1024
_SHA256_RE = re.compile(r"[0-9a-f]{64}")

IN_USE_MESSAGE = (
    "数据库正被其他进程（如正在运行的应用）使用。请先停止应用，或在应用内由政务公开办执行备份。"
)


class BackupError(Exception):
    """A backup or restore was refused or failed; the message is for the operator."""


class DatabaseInUse(BackupError):
    """Another process (usually the running app) holds the DuckDB file."""

    def __init__(self) -> None:
        super().__init__(IN_USE_MESSAGE)


@dataclass(frozen=True)
class FileEntry:
    """One file of a backup, by its path relative to the backup folder."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What a backup holds (the content of ``manifest.json``)."""

    created_at: str
    schema_version: int
    tables: dict[str, int]
    files: tuple[FileEntry, ...]
    format_version: int = FORMAT_VERSION
    checkpointed: bool = True

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    @property
    def upload_files(self) -> int:
        return sum(1 for f in self.files if f.path.startswith(UPLOADS_DIR + "/"))

    def summary(self) -> str:
        """One line for people: tables, rows, files."""
        return (
            f"数据表 {len(self.tables)} 张，共 {self.rows} 行；附件文件 {self.upload_files} 个；"
            f"备份文件共 {len(self.files)} 个（结构版本 {self.schema_version}，"
            f"备份时间 {minute_time(self.created_at)}）。"
        )

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "format_version": self.format_version,
            "created_at": self.created_at,
            "schema_version": self.schema_version,
            "checkpointed": self.checkpointed,
            "tables": dict(sorted(self.tables.items())),
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.files],
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse ``manifest.json``; :class:`BackupError` when it is not one of ours."""
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise ValueError("format")
            tables = {str(k): int(v) for k, v in data["tables"].items()}
            files = tuple(
                FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in data["files"]
            )
            return cls(
                created_at=str(data["created_at"]),
                schema_version=int(data["schema_version"]),
                tables=tables,
                files=files,
                format_version=int(data["format_version"]),
                checkpointed=bool(data.get("checkpointed", True)),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(
                "备份清单 manifest.json 格式不正确，无法识别为本系统的备份。"
            ) from exc


# ---------------------------------------------------------------------------- backup
BACKUPS_DIR = "backups"


def app_backup_target(db_file: Path, when: datetime) -> Path:
    """Where a backup made from the running app goes: ``backups/<YYYYmmdd-HHMMSS>``
    beside the database (copy it to another disk or machine afterwards)."""
    return Path(db_file).absolute().parent / BACKUPS_DIR / when.strftime("%Y%m%d-%H%M%S")


def list_backups(db_file: Path) -> list[tuple[str, Manifest | None]]:
    """The backups made from the app, newest first: (folder name, manifest or None when
    the folder holds no valid manifest, e.g. an unfinished backup)."""
    folder = Path(db_file).absolute().parent / BACKUPS_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in sorted((p for p in folder.iterdir() if p.is_dir()), reverse=True):
        try:
            found.append((path.name, read_manifest(path)))
        except BackupError:
            found.append((path.name, None))
    return found


def backup(con: db_admin.Connection, db_file: Path, target: Path) -> Manifest:
    """Back up the open database ``con`` (the file ``db_file``) into the empty ``target``.

    ``CHECKPOINT``, then ``EXPORT DATABASE`` in parquet, then the uploads beside the
    database file, then ``manifest.json`` last: a folder without a manifest is an
    unfinished backup and :func:`verify_backup` says so.
    """
    target = Path(target).absolute()
    uploads = Path(db_file).absolute().parent / UPLOADS_DIR
    if target == uploads or uploads in target.parents:
        raise BackupError("备份目录不能放在附件目录 uploads 之内，请换一个目录。")
    _prepare_empty_target(target)

    try:
        snapshot = db_admin.export_snapshot(con, target / DATABASE_DIR)
    except db_admin.DatabaseOperationFailed as exc:
        raise BackupError(f"导出数据库失败：{exc}") from exc

    manifest = Manifest(
        created_at=clock_now().isoformat(timespec="seconds"),
        schema_version=snapshot.schema_version,
        tables=snapshot.tables,
        files=(),
        checkpointed=snapshot.checkpointed,
    )
    try:
        entries: list[FileEntry] = []
        for path in _regular_files(target / DATABASE_DIR):
            os.chmod(path, FILE_MODE)  # the export holds personal data and password hashes
            entries.append(_entry(target, path))
        for source in _regular_files(uploads):
            relative = source.relative_to(uploads)
            entries.append(_copy_file(source, target / UPLOADS_DIR / relative, target))
        manifest = replace(manifest, files=tuple(sorted(entries, key=lambda e: e.path)))
        _restrict_folders(target)
        _write_atomically(target / MANIFEST_NAME, manifest.to_json().encode("utf-8"))
    except OSError as exc:
        raise BackupError(f"写入备份文件失败（{exc.strerror or exc}），备份未完成。") from exc
    return manifest


def office_backup(
    repo: Repository, actor: Actor, con: db_admin.Connection, db_file: Path
) -> tuple[Path, Manifest]:
    """数据备份 by the office from the running app, on its connection ``con``: refused
    for anyone else before anything is copied; the start and the result are audited."""
    repo.oversight.record_backup(actor, "", "开始备份")  # refuses anyone but the office first
    target = app_backup_target(db_file, repo.clock())
    manifest = backup(con, db_file, target)
    repo.oversight.record_backup(actor, target.name, manifest.summary())
    return target, manifest


def backup_file(db_file: Path, target: Path) -> Manifest:
    """Back up a database file that no other process holds (the CLI, app stopped)."""
    db_file = Path(db_file)
    if not db_file.is_file():
        raise BackupError(f"数据库文件不存在：{db_file}，未做备份。")
    # a plain connect: no migration, the backup shows the file as it is
    con = _open_existing(db_file)
    try:
        return backup(con, db_file, target)
    finally:
        con.close()


# ---------------------------------------------------------------------------- verify
def verify_backup(target: Path) -> list[str]:
    """Re-hash every file the manifest lists; the problems in Chinese, ``[]`` when fine."""
    target = Path(target)
    try:
        manifest = read_manifest(target)
    except BackupError as exc:
        return [str(exc)]
    problems: list[str] = []
    if manifest.format_version > FORMAT_VERSION:
        problems.append(
            f"备份格式版本 {manifest.format_version} 高于本程序支持的 {FORMAT_VERSION}，"
            "请升级程序后再使用此备份。"
        )
    listed: set[str] = set()
    for entry in manifest.files:
        listed.add(entry.path)
        path = _inside(target, entry.path)
        if path is None:
            problems.append(f"清单中的路径“{entry.path}”不合法。")
            continue
        if not _SHA256_RE.fullmatch(entry.sha256):
            problems.append(f"清单中文件“{entry.path}”的校验值格式不正确。")
            continue
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            problems.append(f"缺少文件：{entry.path}")
            continue
        if not stat.S_ISREG(mode):
            problems.append(f"不是普通文件：{entry.path}")
            continue
        size, digest = _hash(path)
        if size != entry.size or digest != entry.sha256:
            problems.append(f"文件已损坏或被改动（校验值不符）：{entry.path}")
    for top in (DATABASE_DIR, UPLOADS_DIR):
        for path in _regular_files(target / top, include_hidden=True):
            relative = path.relative_to(target).as_posix()
            if relative not in listed:
                problems.append(f"清单中没有的多余文件：{relative}")
    if not any(f.path.startswith(DATABASE_DIR + "/") for f in manifest.files):
        problems.append("备份中没有数据库导出文件。")
    return problems


def read_manifest(target: Path) -> Manifest:
    path = Path(target) / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BackupError(
            f"{Path(target)} 中没有备份清单 manifest.json：不是备份目录，或备份没有完成。"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BackupError(f"无法读取备份清单 manifest.json：{exc}") from exc
    return Manifest.from_json(text)


# ---------------------------------------------------------------------------- restore
def restore(source: Path, db_file: Path) -> Manifest:
    """Restore the backup in ``source`` as ``db_file`` plus ``uploads/`` beside it.

    Only into an empty data directory (no database file, no WAL, no uploaded file);
    the backup is verified first; the database is imported in a scratch folder,
    its row counts checked against the manifest, and only then moved into place.
    """
    source = Path(source).absolute()
    db_file = Path(db_file).absolute()
    uploads = db_file.parent / UPLOADS_DIR
    _refuse_non_empty(db_file, uploads)
    manifest = read_manifest(source)
    problems = verify_backup(source)
    if problems:
        raise BackupError("备份校验未通过，已停止恢复：" + "；".join(problems))
    if manifest.schema_version > LATEST_VERSION:
        raise BackupError(
            f"备份的数据库结构版本为 {manifest.schema_version}，高于本程序的 {LATEST_VERSION}，"
            "请升级程序后再恢复。"
        )

    db_file.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".restore-", dir=db_file.parent))
    try:
        _import(source / DATABASE_DIR, scratch / db_file.name, manifest, scratch)
        for entry in manifest.files:
            if entry.path.startswith(UPLOADS_DIR + "/"):
                copied = _copy_file(source / entry.path, scratch / entry.path, scratch)
                if copied.sha256 != entry.sha256:  # changed since it was verified
                    raise BackupError(f"复制时文件校验值不符：{entry.path}，已停止恢复。")
        (scratch / UPLOADS_DIR).mkdir(mode=DIR_MODE, exist_ok=True)
        _restrict_folders(scratch / UPLOADS_DIR)  # as FileStore makes them
        _refuse_non_empty(db_file, uploads)  # nobody started the app meanwhile
        for suffix in ("", ".wal"):
            built = scratch / (db_file.name + suffix)
            if built.exists():
                built.rename(db_file.with_name(db_file.name + suffix))
        if uploads.is_dir():  # holds no file (checked above): fill it
            for path in _regular_files(scratch / UPLOADS_DIR):
                moved = uploads / path.relative_to(scratch / UPLOADS_DIR)
                moved.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
                path.rename(moved)
        else:
            (scratch / UPLOADS_DIR).rename(uploads)
    except OSError as exc:
        raise BackupError(f"恢复时文件操作失败（{exc.strerror or exc}），已停止恢复。") from exc
    except db_admin.DatabaseOperationFailed as exc:
        raise BackupError(f"恢复数据库失败：{exc}") from exc
    finally:
        shutil.rmtree(scratch, ignore_errors=True)  # our own scratch folder only
    return manifest


# ---------------------------------------------------------------------------- helpers
def _import(export_dir: Path, new_file: Path, manifest: Manifest, scratch: Path) -> None:
    """Import the export into a new file and check it against the manifest."""
    try:
        con = db_admin.import_export(export_dir, new_file, scratch)
    except db_admin.ImportFailed as exc:
        raise BackupError(f"导入数据库失败：{exc}") from exc
    try:
        counts = db_admin.table_counts(con)
        for table in sorted(set(manifest.tables) | set(counts)):
            expected, actual = manifest.tables.get(table), counts.get(table)
            if expected != actual:
                raise BackupError(
                    f"数据表 {table} 恢复后的行数（{_count_text(actual)}）"
                    f"与备份清单（{_count_text(expected)}）不一致，已停止恢复。"
                )
        version = db_admin.schema_version(con)
        if version != manifest.schema_version:
            raise BackupError(
                f"恢复后的结构版本 {version} 与备份清单的 {manifest.schema_version} 不一致，"
                "已停止恢复。"
            )
        db_admin.align_sequences(con)
        if version < LATEST_VERSION:
            db_admin.upgrade(con)
        db_admin.checkpoint(con)
    finally:
        con.close()


def _open_existing(db_file: Path) -> db_admin.Connection:
    try:
        return db_admin.open_existing(db_file)
    except db_admin.DatabaseLocked as exc:
        raise DatabaseInUse() from exc
    except db_admin.DatabaseOperationFailed as exc:
        raise BackupError(f"无法打开数据库文件 {db_file.name}：{exc}") from exc


def _prepare_empty_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise BackupError(f"备份目录 {target} 是一个文件，请指定一个空目录。")
    if target.is_dir() and any(target.iterdir()):
        raise BackupError(f"备份目录 {target} 不为空。为防止覆盖已有备份，请指定一个新的空目录。")
    target.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)


def _refuse_non_empty(db_file: Path, uploads: Path) -> None:
    found = [
        p.name
        for p in (db_file, db_file.with_name(db_file.name + ".wal"))
        if p.exists() or p.is_symlink()
    ]
    if uploads.is_symlink() or (uploads.exists() and not uploads.is_dir()):
        found.append(UPLOADS_DIR)
    elif uploads.is_dir() and any(f for f in uploads.rglob("*") if not f.is_dir()):
        found.append(UPLOADS_DIR)
    if found:
        raise BackupError(
            f"目标目录不为空（已有 {'、'.join(found)}），为防止覆盖现有数据，已停止恢复。"
        )


def _restrict_folders(root: Path) -> None:
    """``DIR_MODE`` on ``root`` and every folder below it (not following symlinks)."""
    for folder, _dirs, _files in os.walk(root, followlinks=False):
        os.chmod(folder, DIR_MODE)


def _regular_files(root: Path, include_hidden: bool = False) -> Iterator[Path]:
    """Regular files under ``root``, sorted, never following a symlink.

    Hidden names (``.upload-*.part``: a FileStore write in progress) are skipped.
    """
    if not root.is_dir() or root.is_symlink():
        return
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        if not include_hidden:
            dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in sorted(files):
            if name.startswith(".") and not include_hidden:
                continue
            path = Path(folder) / name
            if stat.S_ISREG(os.lstat(path).st_mode):
                yield path


def _copy_file(source: Path, destination: Path, base: Path) -> FileEntry:
    """Copy one file, hashing what is written; its entry relative to ``base``."""
    destination.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd = os.open(source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as reader, open(destination, "xb") as writer:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            writer.write(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    os.chmod(destination, FILE_MODE)
    return FileEntry(destination.relative_to(base).as_posix(), size, digest.hexdigest())


def _entry(base: Path, path: Path) -> FileEntry:
    size, digest = _hash(path)
    return FileEntry(path.relative_to(base).as_posix(), size, digest)


def _hash(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".manifest-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, FILE_MODE)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _inside(base: Path, relative: str) -> Path | None:
    """``base / relative`` for a manifest path that stays inside the backup, else None."""
    pure = PurePosixPath(relative)
    if (
        pure.is_absolute()
        or ".." in pure.parts
        or "\\" in relative
        or len(pure.parts) < 2
        or pure.parts[0] not in (DATABASE_DIR, UPLOADS_DIR)
    ):
        return None
    return base.joinpath(*pure.parts)


def _count_text(count: int | None) -> str:
    return "无此表" if count is None else f"{count} 行"
