"""Process-wide resources: one DuckDB connection per database path."""

from __future__ import annotations

from pathlib import Path

import duckdb
import streamlit as st

from themeday import db
from themeday.config import db_path
from themeday.repository import Repository
from themeday.setup import open_database


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    """The one read-write connection of this process (DuckDB allows one per file)."""
    return open_database(Path(path))


def repository() -> Repository:
    """A repository on a fresh cursor of the shared connection, for this run."""
    return Repository(db.cursor(_connection(str(db_path()))))
