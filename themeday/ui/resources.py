"""Process-wide resources: one DuckDB connection per database path; and the request's
source address, which the repository of a run writes on its audit rows."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import streamlit as st

from themeday import db
from themeday.backup import Manifest, office_backup
from themeday.config import IPNetwork, db_path, trusted_proxies
from themeday.domain import Actor
from themeday.repository import Repository
from themeday.setup import open_database
from themeday.ui.maintenance import DatabaseProblem, log_problem, problem_of


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    """The one read-write connection of this process (DuckDB allows one per file)."""
    return open_database(Path(path))


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


LOOPBACK = "localhost"
"""The peer Streamlit reports as no address (``st.context.ip_address`` is None for
127.0.0.1 and ::1 alike, so which one is not known)."""


def _address(text: str) -> str | None:
    """``text`` as a normalised IP address (brackets and a port dropped), or None."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _is_trusted(address: str, trusted: Sequence[IPNetwork]) -> bool:
    if address == LOOPBACK:
        ips = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    elif (normal := _address(address)) is not None:
        ips = [ipaddress.ip_address(normal)]
    else:
        return False
    return any(ip in network for ip in ips for network in trusted if ip.version == network.version)


def source_address(
    peer: str | None, forwarded_for: Iterable[str], trusted: Sequence[IPNetwork]
) -> str:
    """The client's address for the audit log (来源地址).

    ``peer`` is the address the connection came from (None: this machine). Only when
    it is a trusted proxy is ``X-Forwarded-For`` read, from its right end (the hop the
    proxy added) towards the left, past every further trusted proxy: the first address
    that is not one is the client. Anything left of it could be typed by the client, so
    it is never believed; an entry that is not an address stops the walk. (Streamlit's
    server, uvicorn, may already have done this for a proxy in ``FORWARDED_ALLOW_IPS``:
    the peer is then the client, untrusted, and the header is not read again.)
    """
    address = LOOPBACK if peer is None else (_address(peer) or peer)
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(address, trusted):
            break
        parsed = _address(hop)
        if parsed is None:
            break
        address = parsed
    return address


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
