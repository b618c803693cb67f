"""Files in and out, in the audit log: every download, every refused or unsaved upload.

The one door for these audit rows (等保 2.0 / ASVS: what data left the system, who
took it, under which filters). A download's row is written when the file is actually
built, on the click (:func:`deliver`, called by the page's deferred download), not when
the page merely offers it. An upload refused by its checks, or one that could not be
written to disk, is recorded with the file name, its kind and the reason the user saw.

Every row goes through ``repo.oversight.record_file_event``: an audit-only write that
changes no record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from themeday.core.domain import Actor, NotFound, PermissionDenied, ValidationError
from themeday.core.records import Campaign
from themeday.formats.uploads import FileNotSaved, FileStore, StoredFile, UploadKind, prepare
from themeday.repository import Repository

Built = bytes | tuple[bytes, int]
"""What a download's builder returns: the file, or the file and its row count."""


@dataclass(frozen=True)
class DownloadAudit:
    """What a download is, for its audit row (who took it is the actor)."""

    what: str
    """The file in Chinese, e.g. ``全年活动计划安排表（Excel）``."""
    campaign: Campaign | None = None
    filters: str = ""
    """The filters in force, in Chinese (empty: none, the whole list)."""
    rows: int | None = None
    """Rows in the file, when known before it is built (a builder may return them)."""
    object_type: str | None = None
    """The record the file is of (``attachment``, ``declaration``…); else the campaign."""
    object_id: object = None


def download_detail(audit: DownloadAudit, file_name: str, rows: int | None) -> str:
    """The audit row's text: what, which campaign, the filters, the rows, the file name."""
    parts = [f"文件：{audit.what}"]
    if audit.campaign is not None:
        parts.append(f"活动：{audit.campaign.year}年 · {audit.campaign.region}")
    parts.append(f"筛选条件：{audit.filters or '无（全部）'}")
    if rows is not None:
        parts.append(f"行数：{rows}")
    if file_name:
        parts.append(f"文件名：{file_name}")
    return "；".join(parts)


def _object(audit: DownloadAudit) -> tuple[str | None, object]:
    if audit.object_type is not None:
        return audit.object_type, audit.object_id
    if audit.campaign is not None:
        return "campaign", audit.campaign.id
    return "export", None


def record_download(
    repo: Repository,
    actor: Actor,
    audit: DownloadAudit,
    file_name: str = "",
    rows: int | None = None,
    *,
    error: str = "",
) -> None:
    """审计: ``actor`` downloaded (or, with ``error``, failed to build) the file."""
    detail = download_detail(audit, file_name, rows if rows is not None else audit.rows)
    if error:
        detail += f"；生成失败：{error}"
    object_type, object_id = _object(audit)
    repo.oversight.record_file_event(
        actor, "download", object_type, object_id, detail, success=not error
    )


def deliver(
    repo: Repository,
    actor: Actor,
    audit: DownloadAudit,
    build: Callable[[Repository], Built],
    file_name: str,
) -> bytes:
    """Build a download with ``repo`` (a cursor of its own) and write its audit row.

    ``build`` may return the row count with the file. A failed build is audited as a
    failed download and raised again; so is a failure to write the row (no download
    leaves the system unrecorded).
    """
    try:
        built = build(repo)
    except Exception as exc:
        said = isinstance(exc, PermissionDenied | NotFound | ValidationError)
        record_download(
            repo, actor, audit, file_name, error=str(exc) if said else type(exc).__name__
        )
        raise
    data, rows = built if isinstance(built, tuple) else (built, None)
    record_download(repo, actor, audit, file_name, rows)
    return data


# ------------------------------------------------------------------ uploads
def _display(filename: str) -> str:
    return Path(filename or "").name[:120] or "（无文件名）"


def record_upload_refused(
    repo: Repository, actor: Actor, filename: str, kind: str, reason: str
) -> None:
    """审计: an upload of ``kind`` (e.g. 照片) was refused for ``reason`` (what the user saw)."""
    detail = f"文件：{_display(filename)}；类型：{kind}；原因：{reason}"
    repo.oversight.record_file_event(actor, "upload_refused", "upload", None, detail, success=False)


def within_quota(
    repo: Repository, actor: Actor, unit_id: int, files: Sequence[tuple[str, str, int]]
) -> None:
    """The unit's upload quota for ``files`` (name, kind, size) about to be stored; a
    refusal is written to the audit log, one row per file, before it is raised."""
    if not files:
        return
    try:
        repo.check_upload_quota(actor, unit_id, sum(size for _, _, size in files))
    except ValidationError as exc:
        for name, kind, _ in files:
            record_upload_refused(repo, actor, name, kind, "；".join(exc.messages))
        raise


def checked_upload(
    repo: Repository, actor: Actor, data: bytes, filename: str, kind: UploadKind
) -> tuple[bytes, str]:
    """:func:`themeday.formats.uploads.prepare`, with a refusal written to the audit log."""
    try:
        return prepare(data, filename, kind)
    except ValidationError as exc:
        record_upload_refused(repo, actor, filename, kind.label, "；".join(exc.messages))
        raise


def stored_upload(
    repo: Repository,
    actor: Actor,
    store: FileStore,
    data: bytes,
    fmt: str,
    filename: str,
    kind: str,
) -> StoredFile:
    """Write a checked file to ``store``; a disk failure becomes :class:`FileNotSaved`
    (文件保存失败：…, with the reason), audited as ``upload_failed``."""
    try:
        return store.save(data, fmt)
    except OSError as exc:
        failure = FileNotSaved(_display(filename), exc)
        detail = f"文件：{_display(filename)}；类型：{kind}；原因：{failure.reason}"
        repo.oversight.record_file_event(
            actor, "upload_failed", "upload", None, detail, success=False
        )
        raise failure from exc
