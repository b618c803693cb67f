"""Shared fixtures: a throwaway DuckDB file, an adjustable clock, demo data."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from hashlib import sha256
from pathlib import Path

import duckdb
import pytest

from tests.downloads import downloads  # noqa: F401  (a fixture for every test module)
from tests.helpers import actor_for, approved_campaign_2023, at, declare
from themeday.core.config import TZ, now
from themeday.core.domain import SYSTEM_ACTOR, Actor, DeclarationStatus
from themeday.core.records import Campaign
from themeday.dev.setup import seed_demo
from themeday.formats.uploads import FileStore
from themeday.repository import Repository
from themeday.services.campaigns import fields_for_next_year
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


DEADLINE_AHEAD = date(2026, 11, 30)
"""A 申报 deadline a week after the test clock (a Monday): the demo's has passed."""


def change_rules(repo: Repository, actor: Actor, **changes: object) -> Campaign:
    """Change the current campaign's rules through the office's door
    (``update_campaign``), everything else as it is; the campaign as it is now."""
    campaign = repo.catalogue.current_campaign(actor)
    repo.catalogue.update_campaign(
        actor,
        campaign.id,
        campaign.version,
        year=campaign.year,
        region=campaign.region,
        title=campaign.title,
        office_name=campaign.office_name,
        rules=campaign.rules.with_changes(**changes),
    )
    return repo.catalogue.current_campaign(actor)


def open_declarations(repo: Repository, actor: Actor) -> Campaign:
    """Move the current campaign's 申报 deadline to ``DEADLINE_AHEAD``, so units can
    still file; the campaign as it is now."""
    return change_rules(repo, actor, declaration_deadline=DEADLINE_AHEAD)


def campaign_with(
    repo: Repository,
    declarations: dict[str, DeclarationStatus],
    return_reason: str | None = None,
) -> Campaign:
    """Next year's campaign, made current, its 申报 open for a month from today, with
    a 申报表 of each ``username: status`` of ``declarations`` (one October theme,
    ``return_reason`` on a returned one) and none of any other unit; the campaign.

    For tests that assert what a page shows of the declarations: the facts they count
    are the ones given here, not the demo's.
    """
    office = actor_for(repo, "office")
    fields = fields_for_next_year(repo.catalogue.current_campaign(office))
    deadline = now().date() + timedelta(days=30)
    fields["rules"] = fields["rules"].with_changes(declaration_deadline=deadline)
    campaign_id = repo.catalogue.create_campaign(office, make_current=True, **fields)
    for username, status in declarations.items():
        declare(
            repo,
            campaign_id,
            username,
            f"{username}的主题",
            status,
            form="座谈交流",
            submitted_at=None if status == DeclarationStatus.DRAFT else now(),
            return_reason=return_reason if status == DeclarationStatus.RETURNED else None,
        )
    return repo.catalogue.current_campaign(office)


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


@pytest.fixture
def world(demo, tmp_path):
    """A 大祥区 2023 campaign with 城北街道 (unit1) approved for an October theme.

    The tuple: repository, office, unit1, unit2, campaign, unit1's and unit2's
    activity, and a file store.
    """
    office = actor_for(demo, "office")
    unit1, unit2 = actor_for(demo, "unit1"), actor_for(demo, "unit2")
    demo.clock.current = at(2023, 9, 20, 9)
    campaign_id, _ = approved_campaign_2023(
        demo, {"unit1": "城区防汛应急政策发布", "unit2": "义务教育招生政策解读"}
    )
    campaign = demo.catalogue.get_campaign(office, campaign_id)
    mine = demo.activities.list_lifecycle(unit1, campaign_id)[0]
    theirs = demo.activities.list_lifecycle(unit2, campaign_id)[0]
    store = FileStore(tmp_path / "uploads")
    return demo, office, unit1, unit2, campaign, mine, theirs, store
