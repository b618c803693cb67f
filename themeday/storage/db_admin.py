"""Database-level operations for backup and restore, for DuckDB: the one place they speak SQL.

:mod:`themeday.storage.backup` keeps the folder, manifest and uploads logic and calls only this
narrow interface, so a second database backend implements these few functions and
nothing else of a backup:

- :func:`open_existing` a database file no other process holds, without migrating it;
- :func:`export_snapshot` checkpoint, then export one consistent snapshot to a folder
  and count its rows in that same snapshot;
- :func:`import_export` build a new database file from such a folder;
- :func:`table_counts`, :func:`align_sequences`, :func:`upgrade`, :func:`checkpoint`
  on the database being restored.

Every driver error leaves here as :class:`DatabaseOperationFailed` (its message is the
driver's), so callers never catch a DuckDB exception. No Streamlit here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import duckdb

from themeday.storage import db

Connection = duckdb.DuckDBPyConnection
"""An open database connection of this backend."""

P = ParamSpec("P")
T = TypeVar("T")

_NEXTVAL_RE = re.compile(r"nextval\('([^']+)'\)")


class DatabaseOperationFailed(Exception):
    """A database-level step failed; the message is the driver's own."""


class DatabaseLocked(DatabaseOperationFailed):
    """Another process (usually the running app) holds the database file."""


class ImportFailed(DatabaseOperationFailed):
    """The export folder could not be imported (its schema or data files)."""


@dataclass(frozen=True)
class Snapshot:
    """What :func:`export_snapshot` wrote: row counts and schema version of the export."""

    tables: dict[str, int]
    schema_version: int
    checkpointed: bool


def _translated(function: Callable[P, T]) -> Callable[P, T]:
    """Turn the driver's errors into :class:`DatabaseOperationFailed`, same message."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return function(*args, **kwargs)
        except duckdb.Error as exc:
            raise DatabaseOperationFailed(str(exc)) from exc

    return wrapper


def open_existing(db_file: Path) -> Connection:
    """A plain connection to ``db_file``: no migration, the file as it is.

    :class:`DatabaseLocked` when another process holds it.
    """
    try:
        return duckdb.connect(str(db_file))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseLocked(str(exc)) from exc
        raise DatabaseOperationFailed(str(exc)) from exc


@_translated
def export_snapshot(con: Connection, directory: Path) -> Snapshot:
    """Checkpoint, then ``EXPORT DATABASE`` in parquet into ``directory``.

    Runs on its own cursor: the app's connection is shared by its threads. The row
    counts and schema version are read in the export's transaction, so they are those
    of the snapshot it wrote even while the app's other threads keep writing.
    """
    cur = con.cursor()
    try:
        checkpointed = _checkpoint_for_export(con, cur)
        cur.begin()
        try:
            cur.execute(f"EXPORT DATABASE {_sql_string(directory)} (FORMAT parquet)")
            tables = table_counts(cur)
            version = db.schema_version(cur)
        finally:
            cur.rollback()  # read only: nothing to commit
    finally:
        cur.close()
    return Snapshot(tables=tables, schema_version=version, checkpointed=checkpointed)


@_translated
def import_export(export_dir: Path, new_file: Path, scratch: Path) -> Connection:
    """A new database file ``new_file`` built by ``IMPORT DATABASE`` from ``export_dir``.

    The export's schema.sql and load.sql are SQL from the backup folder: the connection
    may read the export and ``scratch`` and nothing else on this machine.
    :class:`ImportFailed` when the import itself fails. The caller closes it.
    """
    export_dir = export_dir.resolve()
    con = duckdb.connect(str(new_file))
    try:
        allowed = f"[{_sql_string(export_dir)}, {_sql_string(scratch.resolve())}]"
        con.execute(f"SET allowed_directories = {allowed}")
        con.execute("SET enable_external_access = false")
        try:
            con.execute(f"IMPORT DATABASE {_sql_string(export_dir)}")
        except duckdb.Error as exc:
            raise ImportFailed(str(exc)) from exc
    except BaseException:
        con.close()
        raise
    return con


@_translated
def table_counts(con: Connection) -> dict[str, int]:
    """Row counts of every table of the current database (``schema.table`` outside main)."""
    rows = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables()"
        " WHERE database_name = current_database() AND NOT internal AND NOT temporary"
        " ORDER BY schema_name, table_name"
    ).fetchall()
    counts: dict[str, int] = {}
    for schema, table in rows:
        key = table if schema == "main" else f"{schema}.{table}"
        qualified = f"{_identifier(schema)}.{_identifier(table)}"
        counts[key] = int(con.execute(f"SELECT count(*) FROM {qualified}").fetchone()[0])
    return counts


@_translated
def schema_version(con: Connection) -> int:
    """The number of migrations applied to the database (see :func:`db.schema_version`)."""
    return db.schema_version(con)


@_translated
def align_sequences(con: Connection) -> dict[str, int]:
    """Move every sequence used as a column default past the largest value in use.

    DuckDB's EXPORT DATABASE writes each sequence with ``START`` at its next value,
    so after an import this normally changes nothing; it guards against a sequence
    that was behind its table (rows inserted with explicit ids). A sequence other
    objects depend on cannot be replaced, so it is advanced with ``nextval``.
    Returns ``{sequence: next value}`` for the sequences it moved.
    """
    columns = con.execute(
        "SELECT schema_name, table_name, column_name, column_default FROM duckdb_columns()"
        " WHERE database_name = current_database() AND column_default LIKE 'nextval(%'"
    ).fetchall()
    moved: dict[str, int] = {}
    for schema, table, column, default in columns:
        match = _NEXTVAL_RE.fullmatch(default.strip())
        if not match:
            continue
        sequence = match.group(1)
        qualified = f"{_identifier(schema)}.{_identifier(table)}"
        largest = con.execute(f"SELECT max({_identifier(column)}) FROM {qualified}").fetchone()[0]
        row = con.execute(
            "SELECT start_value, increment_by, last_value FROM duckdb_sequences()"
            " WHERE database_name = current_database() AND sequence_name = ?",
            [sequence],
        ).fetchone()
        if largest is None or row is None:
            continue
        start, increment, last = row
        if increment != 1:
            continue  # not one of ours
        upcoming = start if last is None else last + 1
        if upcoming > largest:
            continue
        steps = int(largest) - int(upcoming) + 1
        con.execute(f"SELECT max(nextval({_sql_string(sequence)})) FROM range({steps})")
        moved[sequence] = int(largest) + 1
    return moved


@_translated
def upgrade(con: Connection) -> int:
    """Apply the pending migrations to a restored database; its schema version after."""
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    return db.migrate(con)


@_translated
def checkpoint(con: Connection) -> None:
    """Write everything in the WAL into the database file (a connection nobody shares)."""
    con.execute("CHECKPOINT")


def _checkpoint_for_export(con: Connection, cur: Connection) -> bool:
    """Flush the WAL into the database file before exporting; False if DuckDB refused.

    A plain CHECKPOINT refuses while another connection of this database has a
    transaction open that is older than an UPDATE. The app's shared connection can be
    one: a result it fetched with ``fetchone()`` keeps its auto-commit transaction
    open until its next statement. A CHECKPOINT on that connection itself ends it.
    FORCE CHECKPOINT is not used: it waits for that transaction, which never ends.
    The export is a consistent snapshot either way (it reads the WAL too), so a
    refused checkpoint is recorded in the manifest, not fatal.
    """
    try:
        cur.execute("CHECKPOINT")
        return True
    except duckdb.TransactionException:
        pass
    try:
        con.execute("CHECKPOINT").fetchall()
        return True
    except duckdb.Error:
        return False


def _sql_string(value: object) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + str(value).replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
