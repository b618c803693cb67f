"""Shared fixtures: a throwaway DuckDB file, an adjustable clock, demo data."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from hashlib import sha256
from pathlib import Path

import duckdb
import pytest

from tests.downloads import downloads  # noqa: F401  (a fixture for every test module)
from themeday.core.config import TZ, now
from themeday.core.domain import SYSTEM_ACTOR, Actor
from themeday.core.records import Campaign
from themeday.dev.setup import seed_demo
from themeday.formats.uploads import FileStore
from themeday.repository import Repository
from themeday.storage import db


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None):
        self.current = start or datetime(2026, 11, 23, 9, 0, tzinfo=TZ)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = db.connect(tmp_path / "test.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def repo(con: duckdb.DuckDBPyConnection, clock: FakeClock) -> Repository:
    return Repository(db.cursor(con), clock)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo database, seeded once per test session and copied for each test.

    Seeding hashes the demo password with bcrypt and draws the demo photos; doing it
    once keeps the suite fast. The photos are in ``uploads/`` beside the file.
    """
    path = tmp_path_factory.mktemp("template") / "demo.duckdb"
    connection = db.connect(path)
    seed_demo(
        Repository(db.cursor(connection), FakeClock()),
        today=FakeClock()().date(),
        store=FileStore(path.parent / "uploads"),
    )
    connection.execute("CHECKPOINT")
    connection.close()
    return path


def copy_demo(template: Path, path: Path) -> None:
    """Copy the demo database file and its ``uploads/`` folder (the stored files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    shutil.copytree(template.parent / "uploads", path.parent / "uploads", dirs_exist_ok=True)


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path, clock: FakeClock) -> Repository:
    """A repository on a private copy of the first-run demo database.

    The copy sits in its own folder, so its ``uploads/`` stays apart from any
    ``tmp_path / "uploads"`` store a test makes for itself.
    """
    path = tmp_path / "demo" / "demo.duckdb"
    copy_demo(demo_template, path)
    connection = db.connect(path)
    yield Repository(db.cursor(connection), clock)
    connection.close()


def actor_for(repo: Repository, username: str) -> Actor:
    """The Actor of a demo account."""
    record = repo.login_record(username)
    assert record is not None, username
    return record.user.as_actor()


DEADLINE_AHEAD = date(2026, 11, 30)
"""A 申报 deadline a week after the test clock (a Monday): the demo's has passed."""


def change_rules(repo: Repository, actor: Actor, **changes: object) -> Campaign:
    """Change the current campaign's rules through the office's door
    (``update_campaign``), everything else as it is; the campaign as it is now."""
    campaign = repo.current_campaign(actor)
    repo.update_campaign(
        actor,
        campaign.id,
        campaign.version,
        year=campaign.year,
        region=campaign.region,
        title=campaign.title,
        office_name=campaign.office_name,
        rules=campaign.rules.with_changes(**changes),
    )
    return repo.current_campaign(actor)


def open_declarations(repo: Repository, actor: Actor) -> Campaign:
    """Move the current campaign's 申报 deadline to ``DEADLINE_AHEAD``, so units can
    still file; the campaign as it is now."""
    return change_rules(repo, actor, declaration_deadline=DEADLINE_AHEAD)


@pytest.fixture
def office(demo: Repository) -> Actor:
    return actor_for(demo, "office")


@pytest.fixture
def system() -> Actor:
    return SYSTEM_ACTOR


@pytest.fixture
def app_db(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repository:
    """A demo database the app under test uses (THEMEDAY_DB), and a repository on it."""
    from themeday.ui.resources import _connection

    path = tmp_path / "app.duckdb"
    copy_demo(demo_template, path)
    monkeypatch.setenv("THEMEDAY_DB", str(path))
    # A key the app accepts (≥ 32 bytes, not a published sample), one per test.
    key = "test-key-" + sha256(tmp_path.name.encode()).hexdigest()
    monkeypatch.setenv("THEMEDAY_COOKIE_KEY", key)
    repo = Repository(db.cursor(_connection(str(path.resolve()))))
    # The app runs on the wall clock, the template was seeded on FakeClock's day: the
    # demo passwords are dated today, so they never expire under a test (90 days).
    repo.cur.execute("UPDATE app_user SET password_changed_at = ?", [now()])
    return repo


def take_upload_space(repo: Repository, unit_id: int, size: int) -> None:
    """Record a stored file of ``size`` bytes for a unit (raw SQL: only the quota reads
    it), so a test can bring the unit near its upload quota without writing megabytes."""
    repo.cur.execute(
        "INSERT INTO attachment (campaign_id, unit_id, owner_type, owner_id, kind,"
        " original_name, stored_name, fmt, size, sha256, uploaded_by, uploaded_at)"
        " VALUES (0, ?, 'activity', 0, 'video', 'filler.mp4', 'filler', 'mp4', ?, '', 'test',"
        " now())",
        [unit_id, size],
    )


def upload_bytes_of(repo: Repository, unit_id: int) -> int:
    """What a unit's attachment rows add up to."""
    return repo.cur.execute(
        "SELECT COALESCE(SUM(size), 0) FROM attachment WHERE unit_id = ?", [unit_id]
    ).fetchone()[0]
