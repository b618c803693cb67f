"""Shared plumbing of the repository: cursor, clock, scoping checks, audit.

The repository package is the only place that speaks SQL.

Every read and write takes the acting user (``Actor``) and is scoped here, not in the
pages: a unit user reads and changes only its own unit's rows, a leader reads
everything and changes nothing, the office may do both. Every change writes its
``audit_log`` row in the same transaction as the change.

``audit_log`` is append-only and hash-chained (see :mod:`themeday.core.audit`): rows are
written only by :meth:`RepositoryBase._audit` and deleted only by the retention in
``Oversight.apply_audit_retention``; nothing updates them.

Each table family (accounts, catalogue, declarations, ...) is a :class:`Family` of its
own module, reached from the repository by name (``repo.declarations``); a family
works on its repository's cursor, clock and audit door, and reaches another family
through it (``self.repo.activities``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol, TypeVar

import duckdb
import pandas as pd

from themeday.core.audit import GENESIS, AuditRow, compute_hash, escape_text
from themeday.core.config import TZ, unit_upload_quota_bytes
from themeday.core.config import now as default_clock
from themeday.core.domain import (
    Actor,
    NotFound,
    PermissionDenied,
    Role,
    StaleRecord,
    ValidationError,
    require_role,
)
from themeday.storage.db import WRITE_LOCK, cursor, data_version, database_path

Clock = Callable[[], datetime]
STALE_MESSAGE = "该记录已被他人修改，请刷新后重新编辑（您的输入未保存）。"


class _OfUnit(Protocol):
    unit_id: int


R = TypeVar("R", bound=_OfUnit)


class RepositoryBase:
    """Data access for one script run (one DuckDB cursor)."""

    def __init__(
        self,
        cur: duckdb.DuckDBPyConnection,
        clock: Clock = default_clock,
        client_address: str = "",
    ):
        self.cur = cur
        self.clock = clock
        self.client_address = client_address
        """来源地址 of the request this run serves, written on every audit row ("" when
        there is no request: the command line, set-up code)."""

    def today(self) -> date:
        """Today in Asia/Shanghai by this repository's clock (the day deadlines and
        the default 统计截至 are counted from)."""
        return self.clock().astimezone(TZ).date()

    def _one(self, sql: str, params: Iterable[Any] = ()) -> tuple | None:
        # Read the result to its end: a result read only partly keeps its transaction
        # open, and an open transaction blocks CHECKPOINT (backups, the WAL's growth).
        rows = self.cur.execute(sql, list(params)).fetchall()
        return rows[0] if rows else None

    def _all(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        return self.cur.execute(sql, list(params)).fetchall()

    def _frame(self, sql: str, params: Iterable[Any] = ()) -> pd.DataFrame:
        """The result as a DataFrame (set-based reads: grids, compliance facts)."""
        with warnings.catch_warnings():
            # DuckDB's own conversion of TIMESTAMPTZ columns trips a pandas 3.1
            # deprecation (DataFrame.drop(inplace=...)) inside duckdb; nothing of ours.
            warnings.filterwarnings("ignore", message=".*inplace keyword.*")
            return self.cur.execute(sql, list(params)).df()

    def _audit(
        self,
        actor: Actor | None,
        action: str,
        object_type: str | None = None,
        object_id: object = None,
        success: bool = True,
        detail: str = "",
        username: str | None = None,
    ) -> None:
        """Append one row to the audit chain (in the caller's transaction, if any).

        Text is stored escaped (:func:`themeday.core.audit.escape_text`): a newline a user
        typed into a name or a reason cannot fake another line in an export or the
        CLI's output. The row is hashed together with the newest row's hash; the
        write lock (already held inside :func:`themeday.storage.db.in_transaction`) keeps two
        sessions from chaining to the same row.
        """
        occurred_at = self.clock()
        if occurred_at.tzinfo is None:
            occurred_at = occurred_at.replace(tzinfo=TZ)
        with WRITE_LOCK:
            # One round trip inside the write lock: the next id and the chain's head.
            # The head is found by the largest id (one integer column's scan and a
            # point look-up), not by sorting the log.
            next_id, last_hash = self._one(
                "SELECT nextval('seq_audit_log'), (SELECT row_hash FROM audit_log"
                " WHERE id = (SELECT max(id) FROM audit_log))"
            )
            prev_hash = last_hash or GENESIS
            row = AuditRow(
                id=next_id,
                occurred_at=occurred_at,
                username=escape_text(username or (actor.username if actor else "")),
                role=actor.role.value if actor else None,
                unit_id=actor.unit_id if actor else None,
                action=escape_text(action),
                object_type=escape_text(object_type),
                object_id=None if object_id is None else escape_text(str(object_id)),
                success=bool(success),
                detail=escape_text(detail or ""),
                client_address=escape_text(self.client_address or ""),
            )
            self.cur.execute(
                "INSERT INTO audit_log (id, occurred_at, username, role, unit_id, action,"
                " object_type, object_id, success, detail, prev_hash, row_hash,"
                " client_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    row.id,
                    row.occurred_at,
                    row.username,
                    row.role,
                    row.unit_id,
                    row.action,
                    row.object_type,
                    row.object_id,
                    row.success,
                    row.detail,
                    prev_hash,
                    compute_hash(row, prev_hash),
                    row.client_address,
                ],
            )

    _require = staticmethod(require_role)

    def check_upload_quota(self, actor: Actor, unit_id: int, adding: int) -> None:
        """Refuse ``adding`` more bytes of attachments for a unit over its quota.

        The quota (``THEMEDAY_UNIT_UPLOAD_QUOTA_MB``) counts every file the unit has
        stored, in every campaign, removed ones too (a removed file stays on disk for
        the audit trail). The services ask before they write a file to disk; the
        repository's writes ask again inside their transaction, where uploads are
        serialised, so two uploads at once cannot both slip under the quota.
        """
        self._require(actor, Role.OFFICE, Role.UNIT)
        self._require_own_unit(actor, unit_id)
        quota = unit_upload_quota_bytes()
        used = self._one(
            "SELECT COALESCE(SUM(size), 0) FROM attachment WHERE unit_id = ?", [unit_id]
        )[0]
        if used + adding > quota:
            raise ValidationError(
                f"本单位附件存储已达上限，本次上传未保存：配额 {_megabytes(quota)}，"
                f"已用 {_megabytes(used)}，本次上传 {_megabytes(adding)}。"
                "请联系政务公开办调整配额。"
            )

    @staticmethod
    def _require_own_unit(actor: Actor, unit_id: int) -> None:
        if actor.role == Role.UNIT and actor.unit_id != unit_id:
            raise PermissionDenied("只能查看和修改本单位的数据。")

    @staticmethod
    def _unit_scope(actor: Actor, column: str, unit_id: int | None = None) -> tuple[str, list[Any]]:
        """The ``AND column = ?`` that narrows a list to one unit, with its parameter.

        A unit user always gets its own unit, whatever was asked for; the office and
        leaders get ``unit_id`` when one is given, else every unit (no condition).
        """
        if actor.role == Role.UNIT:
            unit_id = actor.unit_id
        if unit_id is None:
            return "", []
        return f" AND {column} = ?", [unit_id]

    def _own_unit_record(
        self, actor: Actor, make: Callable[..., R], sql: str, params: list[Any], missing: str
    ) -> R:
        """The one row ``sql`` finds, as ``make(*row)``; :class:`NotFound` (``missing``)
        when there is none, and a unit user reaches only its own unit's record."""
        row = self._one(sql, params)
        if row is None:
            raise NotFound(missing)
        record = make(*row)
        self._require_own_unit(actor, record.unit_id)
        return record

    def _check_version(self, table: str, record_id: int, expected: int | None) -> int:
        row = self._one(f"SELECT version FROM {table} WHERE id = ?", [record_id])
        if row is None:
            raise NotFound("记录不存在或已被删除。")
        if expected is not None and row[0] != expected:
            raise StaleRecord(STALE_MESSAGE)
        return row[0]

    def fork(self) -> RepositoryBase:
        """The same database on a cursor of its own, for work on another thread (a
        download built on click): a cursor must not be shared across threads."""
        return type(self)(cursor(self.cur), self.clock, self.client_address)

    def data_version(self) -> tuple[str, int]:
        """(database identity, data version): the part of a shared cache's key that
        changes with every write (see :func:`themeday.storage.db.in_transaction`).

        The identity is the database's file and its random id, so neither two files
        nor two copies of one file share cached results. One small read per call; the
        file is looked up once per repository.
        """
        path = getattr(self, "_database_path", None)
        if path is None:
            path = self._database_path = database_path(self.cur)
        database_id, version = data_version(self.cur)
        return f"{path}#{database_id}", version

    # meta
    def get_meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", [key])
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.cur.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def is_demo(self) -> bool:
        """True when the database was filled with demo data on first run (演示数据库)."""
        return self.get_meta("demo") == "1"

    def user_count(self) -> int:
        return self._one("SELECT count(*) FROM app_user")[0]


class Family:
    """One table family's reads and writes, on its repository's cursor, clock,
    transactions and audit door (nothing of its own but the SQL)."""

    def __init__(self, repo: RepositoryBase) -> None:
        self.repo = repo

    @property
    def cur(self) -> duckdb.DuckDBPyConnection:
        """The repository's cursor (transactions run on it)."""
        return self.repo.cur

    @property
    def clock(self) -> Clock:
        """The repository's clock."""
        return self.repo.clock

    def today(self) -> date:
        """Today in Asia/Shanghai by the repository's clock."""
        return self.repo.today()

    def _one(self, sql: str, params: Iterable[Any] = ()) -> tuple | None:
        return self.repo._one(sql, params)

    def _all(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        return self.repo._all(sql, params)

    def _frame(self, sql: str, params: Iterable[Any] = ()) -> pd.DataFrame:
        return self.repo._frame(sql, params)

    def _audit(self, *args: Any, **kwargs: Any) -> None:
        """Append one row to the audit chain (:meth:`RepositoryBase._audit`)."""
        self.repo._audit(*args, **kwargs)

    _require = staticmethod(require_role)
    _require_own_unit = staticmethod(RepositoryBase._require_own_unit)
    _unit_scope = staticmethod(RepositoryBase._unit_scope)

    def _own_unit_record(
        self, actor: Actor, make: Callable[..., R], sql: str, params: list[Any], missing: str
    ) -> R:
        return self.repo._own_unit_record(actor, make, sql, params, missing)

    def _check_version(self, table: str, record_id: int, expected: int | None) -> int:
        return self.repo._check_version(table, record_id, expected)

    def check_upload_quota(self, actor: Actor, unit_id: int, adding: int) -> None:
        """Refuse ``adding`` more bytes of attachments for a unit over its quota
        (:meth:`RepositoryBase.check_upload_quota`)."""
        self.repo.check_upload_quota(actor, unit_id, adding)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def fast_moments(columns: str, moments: Iterable[str]) -> tuple[str, tuple[int, ...]]:
    """``columns`` (a SELECT list) with the ``moments`` read as microseconds since the
    epoch, and the positions of those columns, for :func:`local_moments`.

    DuckDB turns a TIMESTAMPTZ into a Python value through pytz, about 15 µs each:
    seconds for a province's list, against a few milliseconds for the integers.
    """
    names = [c.strip() for c in columns.split(",")]
    wanted = set(moments)
    select = ", ".join(f"epoch_us({c})" if c in wanted else c for c in names)
    return select, tuple(i for i, c in enumerate(names) if c in wanted)


def local_moments(row: tuple, positions: tuple[int, ...]) -> list[Any]:
    """A row read with :func:`fast_moments`' SELECT list, its moments as Asia/Shanghai
    datetimes again (the values the plain columns would have given)."""
    values = list(row)
    for i in positions:
        if values[i] is not None:
            values[i] = (_EPOCH + timedelta(microseconds=values[i])).astimezone(TZ)
    return values


def _megabytes(size: int) -> str:
    """A size in MB for the quota message: "2048 MB", "12.5 MB"."""
    value = size / (1024 * 1024)
    if 0 < value < 0.1:
        return "不足 0.1 MB"
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"
