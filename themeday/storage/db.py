"""The DuckDB connection, schema upgrades and transactions.

DuckDB allows one read-write process per file. The app opens one connection per
process (cached by the UI layer, keyed by path) and takes a cursor per script run,
since one connection shared across threads raises ``ResourceInUseException``.

Writes are serialised within the process by :data:`WRITE_LOCK` (see there): the audit
log's hash chain needs each new row to see the row written just before it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

from themeday.core.audit import GENESIS, AuditRow, chain
from themeday.core.config import TZ
from themeday.storage.migrations import LATEST_VERSION, MIGRATIONS

T = TypeVar("T")

_SET_TIME_ZONE = "SET TimeZone = 'Asia/Shanghai'"


RETRY_PAUSE_SECONDS = 0.05

WRITE_LOCK = threading.RLock()
"""Held by :func:`in_transaction` from ``BEGIN`` to ``COMMIT``, and by
``RepositoryBase._audit`` when it writes outside a transaction.

Why a lock, not DuckDB's own concurrency: DuckDB is optimistic. Two transactions on
cursors of the one shared connection (two Streamlit sessions) may both read the same
newest ``audit_log`` row and both append a row pointing at it; both inserts commit,
since they touch different rows, and the hash chain forks. Holding one process-wide
lock for the whole of every write transaction means a transaction begins only after
the previous one committed, so it sees the newest row, and audit rows are appended
in id order. One process is the only writer anyway (DuckDB allows one read-write
process per file), so a process-wide lock serialises every writer of the file.

The cost: writes from different sessions wait for each other. They are short (no
network, files are written before or after), and DuckDB would serialise most of them
anyway. Reads never take the lock. Re-entrant, so ``_audit`` inside a transaction
(the same thread already holds it) just passes. Every transaction that writes an
audit row must be run by :func:`in_transaction` (or hold the lock from ``BEGIN``).
"""


class DatabaseBusy(Exception):
    """The database file is held by another process (数据库被其他程序占用)."""


def connect(path: Path | str) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the DuckDB file at ``path`` and upgrade its schema."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        # Only a lock conflict means "another program has it"; a permission or disk
        # error must reach the maintenance page as what it is.
        if "lock" not in str(exc).lower():
            raise
        raise DatabaseBusy(
            f"无法打开数据库文件 {path.name}：它正被另一个程序使用。请先关闭该程序再试。"
        ) from exc
    con.execute(_SET_TIME_ZONE)
    migrate(con)
    chain_legacy_audit(con)
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


_AUDIT_FIELDS = (
    "id, occurred_at, username, role, unit_id, action, object_type, object_id, success, detail"
)


def chain_legacy_audit(con: duckdb.DuckDBPyConnection) -> int:
    """Chain the audit rows written before the chain existed (schema v6's data half).

    Databases created before schema v6 hold audit rows without ``prev_hash`` and
    ``row_hash``. :func:`connect` calls this on every open, before anything else
    writes: when no row of the log is chained yet, every row is chained in id order
    from :data:`~themeday.core.audit.GENESIS`. Once any row is chained it does nothing, so
    a row whose hashes are later found NULL is reported by the verification, never
    chained quietly. This is the only code that updates ``audit_log``, and only its two
    hash columns where they are NULL. (A log whose every hash was cleared is chained
    again: no weaker than the plain sha256 chain itself, which anyone able to edit the
    file could recompute.) Returns the number of rows chained.
    """
    with WRITE_LOCK:
        cur = cursor(con)
        try:
            cur.begin()
            try:
                started = cur.execute(
                    "SELECT count(*) FROM (SELECT 1 FROM audit_log"
                    " WHERE row_hash IS NOT NULL LIMIT 1)"
                ).fetchall()[0][0]
                rows = []
                if not started:
                    rows = cur.execute(
                        f"SELECT {_AUDIT_FIELDS} FROM audit_log ORDER BY id"
                    ).fetchall()
                chained = chain((AuditRow(*r) for r in rows), GENESIS)
                if chained:
                    hashes = pd.DataFrame(
                        {
                            "id": [r.id for r in chained],
                            "prev_hash": [r.prev_hash for r in chained],
                            "row_hash": [r.row_hash for r in chained],
                        }
                    )
                    cur.register("legacy_audit_hashes", hashes)
                    cur.execute(
                        "UPDATE audit_log SET prev_hash = h.prev_hash, row_hash = h.row_hash"
                        " FROM legacy_audit_hashes h WHERE audit_log.id = h.id"
                    )
                    cur.unregister("legacy_audit_hashes")
                cur.commit()
                return len(chained)
            except Exception:
                cur.rollback()
                raise
        finally:
            cur.close()


def is_write_conflict(exc: Exception) -> bool:
    """True for DuckDB's optimistic-concurrency failure on a row two writers touched."""
    return isinstance(exc, duckdb.TransactionException) and "Conflict" in str(exc)


def in_transaction(
    cur: duckdb.DuckDBPyConnection, work: Callable[[], T], *, bump: bool = True
) -> T:
    """Run ``work`` in one transaction, holding :data:`WRITE_LOCK` from begin to commit;
    retry once if a writer outside the lock got there first.

    With ``bump`` (the default) the transaction also bumps the data version
    (:func:`bump_data_version`), so every shared cache keyed by it misses from the
    commit on, and a rolled-back write leaves it as it was. Pass ``bump=False`` only
    for writes that change no product data: login attempts, lockout counters, session
    rows, audit-only rows.
    """
    for attempt in (1, 2):
        with WRITE_LOCK:
            cur.begin()
            try:
                result = work()
                if bump:
                    bump_data_version(cur)
                cur.commit()
                return result
            except Exception as exc:
                try:
                    cur.rollback()
                except duckdb.Error:
                    pass  # a failed commit has already ended the transaction
                if attempt == 2 or not is_write_conflict(exc):
                    raise
        time.sleep(RETRY_PAUSE_SECONDS)  # let the other writer commit (lock released)
    raise AssertionError("unreachable")


def bump_data_version(cur: duckdb.DuckDBPyConnection) -> None:
    """Mark the product data as changed (数据版本 + 1), in the caller's transaction.

    :func:`in_transaction` calls it for every write. Code that writes with its own SQL
    (bulk loads, tests) calls it after the change, or the shared caches keep serving
    what they computed before.
    """
    cur.execute("UPDATE data_version SET version = version + 1")


def data_version(cur: duckdb.DuckDBPyConnection) -> tuple[str, int]:
    """(database id, data version): what a shared cache must key by besides its scope.

    One small read. The id is random per database (made by the migration), so two
    databases never share cached results; copies of one file share it, so callers
    add the file's path (:func:`database_path`).
    """
    rows = cur.execute("SELECT database_id, version FROM data_version").fetchall()
    return rows[0][0], int(rows[0][1])


def database_path(cur: duckdb.DuckDBPyConnection) -> str:
    """The file the cursor's database lives in (empty for an in-memory database)."""
    rows = cur.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return (rows[0][0] if rows else None) or ""
