"""The DuckDB connection, schema upgrades and transactions.

DuckDB allows one read-write process per file. The app opens one connection per
process (cached by the UI layer, keyed by path) and takes a cursor per script run,
since one connection shared across threads raises ``ResourceInUseException``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import duckdb

from themeday.config import TZ
from themeday.migrations import LATEST_VERSION, MIGRATIONS

T = TypeVar("T")

_SET_TIME_ZONE = "SET TimeZone = 'Asia/Shanghai'"


RETRY_PAUSE_SECONDS = 0.05


class DatabaseBusy(Exception):
    """The database file is held by another process (数据库被其他程序占用)."""


def connect(path: Path | str) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the DuckDB file at ``path`` and upgrade its schema."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        raise DatabaseBusy(
            f"无法打开数据库文件 {path.name}：它正被另一个程序使用。请先关闭该程序再试。"
        ) from exc
    con.execute(_SET_TIME_ZONE)
    migrate(con)
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor for one run or thread; cursors do not inherit ``SET`` options."""
    cur = con.cursor()
    cur.execute(_SET_TIME_ZONE)
    return cur


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The number of migrations applied to this database (0 for a new file)."""
    # fetchall, not fetchone: a result read only partly keeps its transaction open on
    # the shared connection, and an open transaction blocks CHECKPOINT (backups, WAL).
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    rows = con.execute("SELECT max(version) FROM schema_version").fetchall()
    return int(rows[0][0] or 0)


def migrate(con: duckdb.DuckDBPyConnection, target: int = LATEST_VERSION) -> int:
    """Apply pending migrations up to ``target``, each in its own transaction."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
    )
    current = schema_version(con)
    for version in range(current + 1, target + 1):
        con.begin()
        try:
            for statement in MIGRATIONS[version - 1]:
                con.execute(statement)
            con.execute("INSERT INTO schema_version VALUES (?, ?)", [version, datetime.now(TZ)])
            con.commit()
        except Exception:
            con.rollback()
            raise
    return schema_version(con)


def is_write_conflict(exc: Exception) -> bool:
    """True for DuckDB's optimistic-concurrency failure on a row two writers touched."""
    return isinstance(exc, duckdb.TransactionException) and "Conflict" in str(exc)


def in_transaction(cur: duckdb.DuckDBPyConnection, work: Callable[[], T]) -> T:
    """Run ``work`` in one transaction; retry once if another writer got there first."""
    for attempt in (1, 2):
        cur.begin()
        try:
            result = work()
            cur.commit()
            return result
        except Exception as exc:
            try:
                cur.rollback()
            except duckdb.Error:
                pass  # a failed commit has already ended the transaction
            if attempt == 1 and is_write_conflict(exc):
                time.sleep(RETRY_PAUSE_SECONDS)  # let the other writer commit
                continue
            raise
    raise AssertionError("unreachable")
