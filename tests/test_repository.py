"""Repository tests on a temporary DuckDB file."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from tests.conftest import actor_for
from themeday.core.domain import (
    DAXIANG_2023,
    SYSTEM_AUDITOR,
    Actor,
    NotFound,
    PermissionDenied,
    Role,
    StaleRecord,
    ValidationError,
)
from themeday.repository import Repository
from themeday.services.auth import hash_password
from themeday.storage import db
from themeday.storage.migrations import LATEST_VERSION

# --------------------------------------------------------------------- migrations


def test_migrations_from_empty(tmp_path):
    con = db.connect(tmp_path / "new.duckdb")
    assert db.schema_version(con) == LATEST_VERSION
    rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    tables = {r[0] for r in rows}
    assert {"campaign", "unit", "app_user", "session", "audit_log", "declaration"} <= tables
    assert db.migrate(con) == LATEST_VERSION  # running again changes nothing
    con.close()


def test_upgrade_from_previous_version_keeps_rows(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    db.migrate(con, target=LATEST_VERSION - 1)
    assert db.schema_version(con) == LATEST_VERSION - 1
    con.execute(
        "INSERT INTO unit (name, kind, created_at, updated_at)"
        " VALUES ('老单位', '部门', now(), now())"
    )
    con.close()

    con = db.connect(path)  # a newer app opens the older file
    assert db.schema_version(con) == LATEST_VERSION
    assert con.execute("SELECT name FROM unit").fetchall() == [("老单位",)]
    con.close()


def test_second_process_gets_a_clear_message(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "busy.duckdb"
    con = db.connect(path)
    code = (
        "import sys; from themeday.storage import db\n"
        "try:\n    db.connect(sys.argv[1])\n"
        "except db.DatabaseBusy as e:\n    print(e); sys.exit(3)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60
    )
    con.close()
    assert result.returncode == 3, result.stderr
    assert "正被另一个程序使用" in result.stdout


# ----------------------------------------------------------------------- scoping


@dataclass
class Target:
    """Unit 3's rows, which its own account may touch and unit1's may not."""

    unit_id: int
    user_id: int
    declaration_id: int
    campaign_id: int
    attachment_id: int
    approved_theme_id: int


@pytest.fixture
def target(demo: Repository, office: Actor) -> Target:
    campaign = demo.catalogue.current_campaign(office)
    unit3 = demo.accounts.login_record("unit3").user
    declaration_id = demo.declarations.create_declaration(
        office,
        campaign.id,
        unit3.unit_id,
        contact_person="王建华",
        contact_phone="0739-5321103",
        themes=[{"title": "乡村振兴政策宣讲", "planned_month": 12, "form": "政策发布"}],
    )
    attachment_id = demo.declarations.attach_declaration_scan(
        office,
        declaration_id,
        original_name="scan.pdf",
        stored_name="s",
        fmt="pdf",
        size=1,
        sha256="0" * 64,
    )
    approved = next(
        d
        for d in demo.declarations.list_declarations(office, campaign.id)
        if d.status == "approved"
    )
    theme_id = demo.declarations.list_themes(office, approved.id)[0].id
    return Target(unit3.unit_id, unit3.id, declaration_id, campaign.id, attachment_id, theme_id)


def _submitted_then_review(repo: Repository, actor: Actor, target: Target) -> None:
    office = actor_for(repo, "office")
    repo.declarations.submit_declaration(office, target.declaration_id, None, 0)
    repo.declarations.review_declaration(
        actor, target.declaration_id, None, approve=False, reason="补充"
    )


def _new_campaign(repo: Repository, office: Actor) -> int:
    return repo.catalogue.create_campaign(
        office,
        year=2027,
        region="测试区",
        title="测试活动",
        office_name="测试办",
        rules=DAXIANG_2023.rules,
        make_current=False,
    )


# Each case: a call on unit 3's rows, and what each actor may do:
# office, leader, own (unit3's account), other (unit1's account). "ok" or "denied".
CASES = {
    "get_unit": (lambda r, a, t: r.catalogue.get_unit(a, t.unit_id), "ok ok ok denied"),
    "update_unit": (
        lambda r, a, t: r.catalogue.update_unit(a, t.unit_id, None, contact_person="张三"),
        "ok denied ok denied",
    ),
    "rename_unit": (
        lambda r, a, t: r.catalogue.update_unit(a, t.unit_id, None, name="改名"),
        "ok denied denied denied",
    ),
    "get_declaration": (
        lambda r, a, t: r.declarations.get_declaration(a, t.declaration_id),
        "ok ok ok denied",
    ),
    "save_declaration": (
        lambda r, a, t: r.declarations.save_declaration(
            a,
            t.campaign_id,
            t.unit_id,
            None,
            contact_person="张三",
            contact_phone="13800000000",
            themes=[{"title": "改", "planned_month": 12, "form": "政策发布"}],
        ),
        "ok denied ok denied",
    ),
    "submit_declaration": (
        lambda r, a, t: r.declarations.submit_declaration(a, t.declaration_id, None, 0),
        "ok denied ok denied",
    ),
    "review_declaration": (
        lambda r, a, t: _submitted_then_review(r, a, t),
        "ok denied denied denied",
    ),
    "declaration_history": (
        lambda r, a, t: r.declarations.declaration_history(a, t.declaration_id),
        "ok ok ok denied",
    ),
    "list_themes": (
        lambda r, a, t: r.declarations.list_themes(a, t.declaration_id),
        "ok ok ok denied",
    ),
    "declaration_for": (
        lambda r, a, t: r.declarations.declaration_for(a, t.campaign_id, t.unit_id),
        "ok ok ok denied",
    ),
    "attach_declaration_scan": (
        lambda r, a, t: r.declarations.attach_declaration_scan(
            a,
            t.declaration_id,
            original_name="x.pdf",
            stored_name="y",
            fmt="pdf",
            size=1,
            sha256="0" * 64,
        ),
        "ok denied ok denied",
    ),
    "get_attachment": (
        lambda r, a, t: r.declarations.get_attachment(a, t.attachment_id),
        "ok ok ok denied",
    ),
    "import_declaration": (
        lambda r, a, t: r.declarations.import_declaration(
            a,
            t.campaign_id,
            t.unit_id,
            contact_person="张三",
            contact_phone="13800000000",
            themes=[{"title": "导", "planned_month": 12, "form": "政策发布"}],
            late_workdays=0,
        ),
        "ok denied ok denied",
    ),
    "units_not_submitted": (
        lambda r, a, t: r.declarations.units_not_submitted(a, t.campaign_id),
        "ok ok denied denied",
    ),
    "amend_theme": (
        lambda r, a, t: r.declarations.amend_theme(
            a, t.approved_theme_id, planned_month=12, form="座谈交流", reason="调整"
        ),
        "ok denied denied denied",
    ),
    "create_declaration": (
        lambda r, a, t: r.declarations.create_declaration(
            a,
            t.campaign_id + 1000 * a.user_id,  # a campaign of its own per actor
            t.unit_id,
            contact_person="张三",
            contact_phone="13800000000",
            themes=[],
        ),
        "ok denied ok denied",
    ),
    "get_user": (lambda r, a, t: r.accounts.get_user(a, t.user_id), "ok denied ok denied"),
    "list_users": (lambda r, a, t: r.accounts.list_users(a), "ok denied denied denied"),
    "create_user": (
        lambda r, a, t: r.accounts.create_user(
            a,
            username=f"new{a.user_id}",
            display_name="新账号",
            role=Role.UNIT,
            unit_id=t.unit_id,
            password_hash="x",
        ),
        "ok denied denied denied",
    ),
    "update_user": (
        lambda r, a, t: r.accounts.update_user(
            a, t.user_id, None, display_name="改名", role=Role.UNIT, unit_id=t.unit_id
        ),
        "ok denied denied denied",
    ),
    "set_user_enabled": (
        lambda r, a, t: r.accounts.set_user_enabled(a, t.user_id, True),
        "ok denied denied denied",
    ),
    "reset_password": (
        lambda r, a, t: r.accounts.reset_password(a, t.user_id, "x"),
        "ok denied denied denied",
    ),
    "unlock_user": (
        lambda r, a, t: r.accounts.unlock_user(a, t.user_id),
        "ok denied denied denied",
    ),
    "create_unit": (
        lambda r, a, t: r.catalogue.create_unit(a, f"新单位{a.user_id}", "部门"),
        "ok denied denied denied",
    ),
    "create_campaign": (lambda r, a, t: _new_campaign(r, a), "ok denied denied denied"),
    "progress_counts": (
        lambda r, a, t: r.oversight.progress_counts(a, t.campaign_id),
        "ok ok denied denied",
    ),
    "list_audit": (lambda r, a, t: r.oversight.list_audit(a), "denied denied denied denied"),
}

ACTORS = ("office", "leader", "own", "other")
ACCOUNTS = {"office": "office", "leader": "leader", "own": "unit3", "other": "unit1"}


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_scoping_table(demo, target, case, who):
    call, expected = CASES[case]
    expectation = dict(zip(ACTORS, expected.split(), strict=True))[who]
    actor = actor_for(demo, ACCOUNTS[who])
    if expectation == "denied":
        with pytest.raises(PermissionDenied):
            call(demo, actor, target)
    else:
        call(demo, actor, target)


@pytest.mark.parametrize(
    "listing",
    [
        lambda r, a, t: r.catalogue.list_units(a),
        lambda r, a, t: r.declarations.list_declarations(a, t.campaign_id),
        lambda r, a, t: r.declarations.list_activities(a, t.campaign_id),
        lambda r, a, t: r.declarations.list_activities(a, t.campaign_id, unit_id=t.unit_id),
    ],
    ids=["units", "declarations", "activities", "activities_of_other_unit"],
)
def test_unit_lists_hold_only_own_rows(demo, target, listing):
    unit1 = actor_for(demo, "unit1")
    rows = listing(demo, unit1, target)
    assert rows, "unit1 has demo rows of its own"
    assert {getattr(row, "unit_id", getattr(row, "id", None)) for row in rows} == {unit1.unit_id}
    office_rows = listing(demo, actor_for(demo, "office"), target)
    assert target.unit_id in {
        getattr(row, "unit_id", getattr(row, "id", None)) for row in office_rows
    }


# ------------------------------------------------------------- writes and audit


def test_stale_version_is_refused_and_changes_nothing(demo, office):
    unit = demo.catalogue.list_units(office)[0]
    demo.catalogue.update_unit(office, unit.id, unit.version, contact_person="甲")
    with pytest.raises(StaleRecord):
        demo.catalogue.update_unit(office, unit.id, unit.version, contact_person="乙")
    assert demo.catalogue.get_unit(office, unit.id).contact_person == "甲"


def test_failed_write_leaves_no_audit_row(demo, office):
    before = len(demo.oversight.list_audit(SYSTEM_AUDITOR, 10_000))
    with pytest.raises(ValidationError):
        demo.catalogue.create_unit(office, "区教育局", "部门")  # the name exists
    with pytest.raises(ValidationError):
        demo.catalogue.create_unit(office, "新单位", "部门", contact_phone="123")
    assert len(demo.oversight.list_audit(SYSTEM_AUDITOR, 10_000)) == before
    demo.catalogue.create_unit(office, "区司法局", "部门", "张三", "13800000000")
    newest = demo.oversight.list_audit(SYSTEM_AUDITOR, 1)[0]
    assert (newest.action, newest.object_type, newest.detail) == ("create", "unit", "区司法局")
    assert newest.occurred_at.tzinfo is not None and newest.username == "office"


def test_unit_account_must_be_bound_to_a_unit(demo, office):
    with pytest.raises(ValidationError):
        demo.accounts.create_user(
            office,
            username="loose",
            display_name="x",
            role=Role.UNIT,
            unit_id=None,
            password_hash=hash_password("Demo@2024"),
        )
    with pytest.raises(NotFound):
        demo.catalogue.get_unit(office, 9999)


def test_today_is_the_day_in_beijing_by_the_repository_clock(repo, clock):
    """Deadlines count from the day in Asia/Shanghai: 16:30 UTC is already the next day
    there, and a moved clock moves "today" with it."""
    clock.current = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
    assert repo.today() == date(2026, 11, 24)
    clock.current = datetime(2026, 11, 23, 15, 59, tzinfo=UTC)
    assert repo.today() == date(2026, 11, 23)
    clock.advance(days=39)
    assert repo.today() == date(2027, 1, 1)


def test_two_people_saving_one_record_at_once_both_land(demo, office, clock):
    """Two sessions save the same unit at the same moment: the loser retries once."""
    for round_ in range(5):
        unit = demo.catalogue.list_units(office)[0]
        barrier = threading.Barrier(2)
        errors: list[Exception] = []

        def save(name: str, unit_id: int = unit.id, barrier=barrier, errors=errors) -> None:
            repo = Repository(db.cursor(demo.cur), clock)
            barrier.wait()
            try:
                repo.catalogue.update_unit(office, unit_id, None, contact_person=name)
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=save, args=(f"{n}{round_}",)) for n in "甲乙"]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert demo.catalogue.get_unit(office, unit.id).version == unit.version + 2


def test_in_transaction_retries_a_write_conflict_once(con):
    cur = db.cursor(con)
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise duckdb.TransactionException("TransactionContext Error: Conflict on update!")
        return "saved"

    assert db.in_transaction(cur, flaky) == "saved" and len(calls) == 2

    def always_conflicts() -> None:
        raise duckdb.TransactionException("TransactionContext Error: Conflict on update!")

    with pytest.raises(duckdb.TransactionException):
        db.in_transaction(cur, always_conflicts)


def test_fork_reads_the_same_database_from_another_thread(demo, office):
    """A download built on click runs on another thread: it needs a cursor of its own."""
    import threading

    forked = demo.fork()
    assert type(forked) is type(demo) and forked.cur is not demo.cur
    campaign = demo.catalogue.current_campaign(office)
    seen = []
    thread = threading.Thread(target=lambda: seen.append(forked.catalogue.current_campaign(office)))
    thread.start()
    thread.join()
    assert seen == [campaign]


def test_no_transaction_is_left_open_after_first_run_and_reads(tmp_path):
    """A result read only partly keeps a transaction open; then CHECKPOINT (backups,
    the WAL) is refused. Opening the app's database and reading must leave none."""
    from themeday.services.first_run import open_database

    con = open_database(tmp_path / "x.duckdb")
    try:
        reader = Repository(db.cursor(con))
        office = reader.accounts.login_record("office").user.as_actor()
        reader.catalogue.current_campaign(office)
        writer = db.cursor(con)
        writer.execute("UPDATE meta SET value = value WHERE key = 'demo'")
        writer.execute("CHECKPOINT")  # raises while another write transaction is open
    finally:
        con.close()


def test_the_campaign_list_of_declarations_reads_the_same_records_as_one_by_one(demo, office):
    """``list_declarations`` reads 提交时间 as microseconds (fast at a province): the same
    Beijing-time datetimes as ``get_declaration``'s plain column."""
    campaign = demo.catalogue.current_campaign(office)
    listed = demo.declarations.list_declarations(office, campaign.id)
    assert any(d.submitted_at is not None for d in listed)
    for declaration in listed:
        assert declaration == demo.declarations.get_declaration(office, declaration.id)
        if declaration.submitted_at is not None:
            assert declaration.submitted_at.utcoffset() == timedelta(hours=8)
