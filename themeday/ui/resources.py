"""Process-wide resources: one DuckDB connection per database path; and the request's
source address, which the repository of a run writes on its audit rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import streamlit as st

from themeday.core.addresses import source_address
from themeday.core.config import db_path, trusted_proxies
from themeday.core.domain import Actor
from themeday.repository import Repository
from themeday.services.first_run import demo_seed, open_database
from themeday.storage import db
from themeday.storage.backup import Manifest, office_backup
from themeday.ui.maintenance import DatabaseProblem, log_problem, problem_of


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    """The one read-write connection of this process (DuckDB allows one per file); a
    new database is filled with the demo on the very first run."""
    return open_database(Path(path), seed=demo_seed)


def database_problem() -> DatabaseProblem | None:
    """Open the database for this run; what went wrong when it does not open.

    ``app.py`` asks first and shows the 系统维护 page instead of the app on a problem.
    A failed open is not cached, so the next run tries again; nothing is repaired,
    deleted or renamed here.
    """
    path = db_path()
    try:
        _connection(str(path))
    except (db.DatabaseBusy, duckdb.Error, OSError) as exc:
        problem = problem_of(exc, path)
        log_problem(exc, problem)
        return problem
    return None


def request_address(context: Any = None) -> str:
    """The source address of this run's request, "" when there is none (a test run)."""
    context = context if context is not None else st.context
    headers = context.headers
    if not headers:
        return ""
    return source_address(context.ip_address, headers.get_all("X-Forwarded-For"), trusted_proxies())


def repository() -> Repository:
    """A repository on a fresh cursor of the shared connection, for this run; its audit
    rows carry the request's source address."""
    return Repository(db.cursor(_connection(str(db_path()))), client_address=request_address())


def backup_now(repo: Repository, actor: Actor) -> tuple[Path, Manifest]:
    """备份 from the running app: it holds DuckDB's only read-write connection, so the
    export runs in this process, on that connection (see :func:`office_backup`)."""
    path = db_path()
    return office_backup(repo, actor, _connection(str(path)), path)
