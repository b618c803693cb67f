"""First run: open the app's database, creating it when it does not exist yet.

The runtime (the app's resources, the command line) imports this module, never the demo
seed (:mod:`themeday.dev.setup`, development data): a new database is filled by the seed the
caller passes in, and :func:`demo_seed`, the app's default, loads the demo seed module
only when it runs, so an initialised database never loads it. :func:`init_empty` makes a
clean production database instead. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from themeday.core.config import now as clock_now
from themeday.core.domain import SYSTEM_ACTOR, Role
from themeday.repository import Repository
from themeday.services.auth import hash_password
from themeday.storage import db

Seed = Callable[[Repository, Path], None]
"""Fills a new, empty database: (its repository, the uploads folder beside it)."""


class AlreadyInitialised(Exception):
    """The database file already holds accounts."""


def demo_seed(repo: Repository, uploads: Path) -> None:
    """The demo (演示数据), its photos stored under ``uploads``."""
    # imported here: the demo seed is development code, loaded only to fill a new file
    from themeday.dev.setup import seed_demo
    from themeday.formats.uploads import FileStore

    seed_demo(repo, store=FileStore(uploads))


def is_new(repo: Repository) -> bool:
    """True for a database nobody has initialised yet (no account, no first-run mark)."""
    return repo.user_count() == 0 and repo.get_meta("initialised") is None


def open_database(path: Path, seed: Seed | None = demo_seed) -> duckdb.DuckDBPyConnection:
    """Open the app's database, filling it with ``seed`` on the very first run.

    The seed's files go to ``uploads/`` beside the database file, where the app reads
    attachments from. ``seed=None`` opens (and migrates) without filling anything.
    """
    con = db.connect(path)
    repo = Repository(db.cursor(con))
    if seed is not None and is_new(repo):
        seed(repo, Path(path).parent / "uploads")
    return con


def init_empty(
    path: Path,
    office_password: str,
    auditor_password: str,
    office_username: str = "office",
    auditor_username: str = "auditor",
) -> None:
    """Create a clean production database with an office and an auditor account.

    Duties are separated: the office manages campaigns, units and accounts, the
    auditor (审计管理员) alone reads the audit log. Both passwords must be changed at
    first login. Refuses a file that already holds accounts, so a production database
    is never overwritten by accident.
    """
    con = db.connect(path)
    try:
        repo = Repository(db.cursor(con))
        if not is_new(repo):
            raise AlreadyInitialised(f"数据库 {path} 已初始化，未做任何修改。")
        for username, display_name, role, password in (
            (office_username, "政务公开办管理员", Role.OFFICE, office_password),
            (auditor_username, "审计管理员", Role.AUDITOR, auditor_password),
        ):
            repo.accounts.create_user(
                SYSTEM_ACTOR,
                username=username,
                display_name=display_name,
                role=role,
                unit_id=None,
                password_hash=hash_password(password),
                must_change_password=True,
            )
        repo.set_meta("demo", "0")
        repo.set_meta("initialised", clock_now().date().isoformat())
    finally:
        con.close()
