"""Bulk loading of generated rows, around the service doors: for the benchmarks only.

The benchmarks fill a throwaway database with a province's worth of rows in seconds,
from pandas frames, with no audit rows of their own and no data-version bump per row
(the caller bumps once at the end). Nothing the app runs calls this.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd

_FRAME = "_bulk_frame"


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` into ``table`` (columns by name); the rows inserted."""
    con.register(_FRAME, frame)
    try:
        columns = ", ".join(frame.columns)
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {_FRAME}")
    finally:
        con.unregister(_FRAME)
    return len(frame)


def insert_row(con: duckdb.DuckDBPyConnection, table: str, values: Mapping[str, object]) -> None:
    """Insert one row into ``table`` from ``{column: value}``."""
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    con.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values()))


def insert_declaration_history(con: duckdb.DuckDBPyConnection, history: pd.DataFrame) -> int:
    """Insert version-1 申报 history rows, each with the snapshot of its declaration's themes
    as the ``activity`` table holds them; the size of ``declaration_history`` after.

    ``history`` has the columns declaration_id, action, status, occurred_at.
    """
    con.register(_FRAME, history)
    try:
        con.execute(
            "INSERT INTO declaration_history (declaration_id, version, action, status, reason,"
            " snapshot, username, occurred_at)"
            " SELECT h.declaration_id, 1, h.action, h.status, '',"
            " to_json({'contact_person': '联系人', 'contact_phone': '0739-5321101',"
            " 'themes': coalesce(t.themes, [])}), 'bench', h.occurred_at"
            f" FROM {_FRAME} h LEFT JOIN (SELECT declaration_id, list({{'title': title,"
            " 'planned_month': planned_month, 'form': form, 'summary': '', 'contact': contact}"
            " ORDER BY seq) AS themes FROM activity GROUP BY declaration_id) t"
            " ON t.declaration_id = h.declaration_id"
        )
        return int(con.execute("SELECT count(*) FROM declaration_history").fetchall()[0][0])
    finally:
        con.unregister(_FRAME)
