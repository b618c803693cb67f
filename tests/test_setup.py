"""First run (demo) and `python -m themeday init --empty`."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime, time

import pytest
from PIL import Image

from themeday.__main__ import main
from themeday.core.config import TZ
from themeday.core.domain import SYSTEM_ACTOR, SYSTEM_AUDITOR, Role, UnitKind
from themeday.dev.setup import DEMO_PASSWORD, DEMO_UNITS, seed_demo
from themeday.formats.uploads import FileStore
from themeday.repository import Repository
from themeday.services.activities import plan_deadline, read_public_file, report_deadline
from themeday.services.auth import AuthService
from themeday.services.declarations import calendar
from themeday.services.first_run import open_database
from themeday.storage import db


def test_first_run_creates_a_demo_database(tmp_path):
    path = tmp_path / "data" / "themeday.duckdb"
    con = open_database(path)
    repo = Repository(db.cursor(con))
    assert path.exists() and repo.is_demo()
    units = repo.catalogue.list_units(SYSTEM_ACTOR)
    assert 10 <= len(units) <= 14
    assert {u.kind for u in units} >= {"部门", "街道", "乡镇", "区直单位"}
    users = {u.username: u for u in repo.accounts.list_users(SYSTEM_ACTOR)}
    assert set(users) == {"office", "leader", "auditor", "unit1", "unit2", "unit3"}
    assert users["office"].role == Role.OFFICE and users["leader"].role == Role.LEADER
    assert users["auditor"].role == Role.AUDITOR
    assert len({users[f"unit{i}"].unit_id for i in (1, 2, 3)}) == 3
    assert AuthService(repo).authenticate("unit2", DEMO_PASSWORD).ok
    # the demo photos are where the app reads attachments: uploads/ beside the file
    items = repo.activities.list_showcase()
    assert items and items[0].photo_ids
    store = FileStore(path.parent / "uploads")
    photo, fmt = read_public_file(repo, items[0].photo_ids[0], store=store)
    assert fmt == "jpeg" and Image.open(io.BytesIO(photo)).size == (1200, 800)
    con.close()
    # a second start keeps what is there and adds nothing
    con = open_database(path)
    assert len(Repository(db.cursor(con)).catalogue.list_units(SYSTEM_ACTOR)) == len(units)
    con.close()


DAYS = [date(2026, 1, 1), date(2026, 1, 3), date(2026, 6, 15), date(2026, 12, 20)]
DAYS += [date(2026, 12, 25), date(2026, 12, 30), date(2026, 12, 31), date(2026, 1, 5)]


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_demo_dates_sit_around_the_day_it_is_created(repo, tmp_path, today):
    seed_demo(repo, today=today, store=FileStore(tmp_path / "uploads"))
    campaign = repo.catalogue.current_campaign(SYSTEM_ACTOR)
    rules = campaign.rules
    assert campaign.year in (today.year, today.year + 1)
    assert 0 < (today - rules.declaration_deadline).days <= 14  # passed recently: chase
    declarations = repo.declarations.list_declarations(SYSTEM_ACTOR, campaign.id)
    statuses = [d.status for d in declarations]
    assert statuses.count("approved") >= 6 and statuses.count("returned") == 1
    assert any(d.return_reason for d in declarations if d.status == "returned")
    assert sum(bool(d.late_workdays) for d in declarations) == 1
    assert len(repo.declarations.units_not_submitted(SYSTEM_ACTOR, campaign.id)) == 2
    assert repo.declarations.list_plan(SYSTEM_ACTOR, campaign.id)
    submitted = [
        d.submitted_at.date()
        for d in repo.declarations.list_declarations(SYSTEM_ACTOR, campaign.id)
    ]
    assert submitted and all(d < today for d in submitted)  # past work
    activities = repo.declarations.list_activities(SYSTEM_ACTOR, campaign.id)
    dated = [a for a in activities if a.activity_date]
    assert any(a.activity_date > today for a in dated)  # something is upcoming
    if 1 < today.month < 12:
        assert any(a.activity_date < today and a.status == "held" for a in dated)
    assert all(a.status != "held" or a.activity_date < today for a in dated)
    assert all(rules.first_month <= a.planned_month <= rules.last_month for a in activities)
    assert rules.scan_required and rules.plan_days_before == 5  # 大祥区 rules
    # every step of an activity happened in the past, inside the campaign year
    assert all(a.activity_date.year == campaign.year for a in dated)
    for a in activities:
        for filed in (a.plan_filed_at, a.report_filed_at, a.published_at):
            assert filed is None or filed.astimezone(TZ).date() < today
        assert a.held_date is None or a.held_date < today
        assert bool(a.off_month_reason) is a.off_month  # moved out of its month: a reason
    statuses = {a.status for a in activities}
    assert {"scheduled", "plan_filed", "cancelled"} <= statuses


STAGE_DAYS = [date(2026, 11, 23), date(2026, 6, 15), date(2026, 3, 2)]


@pytest.mark.parametrize("today", STAGE_DAYS, ids=str)
def test_demo_has_activities_at_every_stage(repo, tmp_path, today):
    store = FileStore(tmp_path / "uploads")
    seed_demo(repo, today=today, store=store)
    campaign = repo.catalogue.current_campaign(SYSTEM_ACTOR)
    activities = repo.activities.list_lifecycle(SYSTEM_ACTOR, campaign.id)
    by_status: dict[str, list] = {}
    for a in activities:
        by_status.setdefault(a.status, []).append(a)
    statuses = ("scheduled", "plan_filed", "held", "reported", "published", "cancelled")
    assert set(statuses) <= set(by_status)

    cal = calendar(repo, SYSTEM_ACTOR)
    now = datetime.combine(today, time(9, 0), tzinfo=TZ)
    plans = {a.id: plan_deadline(a, campaign.rules, cal, now) for a in activities}
    reports = {a.id: report_deadline(a, campaign.rules, cal, now) for a in activities}
    open_ = [a for a in activities if not a.cancelled]
    assert any(plans[a.id] and plans[a.id].overdue for a in open_)  # a plan to chase
    assert any(reports[a.id] and reports[a.id].overdue for a in by_status["held"])
    filed = [plans[a.id] for a in activities if a.plan_filed_at]
    assert any(p.late_workdays for p in filed) and any(not p.late_workdays for p in filed)
    upcoming = [plans[a.id] for a in by_status["scheduled"] if a.activity_date > today]
    assert any(not p.overdue and p.workdays_left <= 3 for p in upcoming)  # due soon

    (cancelled,) = by_status["cancelled"]
    assert cancelled.cancel_reason
    moved = [a for a in activities if a.off_month]
    assert len(moved) == 1 and moved[0].off_month_reason and moved[0].plan_filed_at

    published = repo.activities.list_showcase(campaign.id)
    assert 2 <= len(published) <= 3
    assert [p.published_at for p in published] == sorted(
        (p.published_at for p in published), reverse=True
    )
    assert any(p.portal_url.startswith("https://") for p in published)
    assert sum(p.typical_case for p in published) == 1
    for item in published:
        assert len(item.photo_ids) >= 2 and item.report_text
        for photo_id in item.photo_ids:
            content, fmt = read_public_file(repo, photo_id, store=store)  # sha256 checked
            attachment = repo.activities.public_attachment(photo_id)
            assert hashlib.sha256(content).hexdigest() == attachment.sha256
            image = Image.open(io.BytesIO(content))
            assert fmt == "jpeg" and image.format == "JPEG"
            assert not image.getexif() and "exif" not in image.info
            thumb, _ = read_public_file(repo, photo_id, thumb=True, store=store)
            assert max(Image.open(io.BytesIO(thumb)).size) <= 320
        report = " ".join([item.title, item.place, item.report_text])
        for _, _, person, phone in DEMO_UNITS:
            assert person not in report and phone not in report
    # the photos differ from activity to activity
    first_photos = [read_public_file(repo, p.photo_ids[0], store=store)[0] for p in published]
    assert len(set(first_photos)) == len(first_photos)

    # the steps went through the lifecycle: versions, audit rows and uploads are real
    actions = {
        e.action
        for e in repo.oversight.list_audit(SYSTEM_AUDITOR, 10_000)
        if e.object_type == "activity"
    }
    assert {"schedule", "file_plan", "record_held", "file_report", "publish"} <= actions
    assert {"cancel", "typical_case"} <= actions
    assert all(a.version > 1 for a in activities if a.status != "planned")
    unit1 = repo.accounts.login_record("unit1").user.as_actor()
    assert any(
        f.uploaded_by == "unit1"
        for a in repo.activities.list_lifecycle(unit1, campaign.id)
        for f in repo.activities.list_activity_files(unit1, a.id)
    )


def test_demo_without_a_store_writes_no_file_and_stops_before_photos(repo):
    seed_demo(repo, today=date(2026, 11, 23))
    campaign = repo.catalogue.current_campaign(SYSTEM_ACTOR)
    activities = repo.activities.list_lifecycle(SYSTEM_ACTOR, campaign.id)
    assert {a.status for a in activities} <= {"planned", "scheduled", "plan_filed", "cancelled"}
    assert repo.activities.list_showcase() == []
    assert not any(repo.activities.list_activity_files(SYSTEM_ACTOR, a.id) for a in activities)


@pytest.mark.parametrize("today", [date(2026, 12, 25), date(2026, 1, 5)], ids=str)
def test_demo_at_the_turn_of_the_year(repo, tmp_path, today):
    """Late December: next year's campaign, nothing held yet; early January: this year's,
    with the first plans due. Both seed without error and keep their dates in the year."""
    seed_demo(repo, today=today, store=FileStore(tmp_path / "uploads"))
    campaign = repo.catalogue.current_campaign(SYSTEM_ACTOR)
    assert campaign.year == (2027 if today.month == 12 else 2026)
    activities = repo.activities.list_lifecycle(SYSTEM_ACTOR, campaign.id)
    dated = [a for a in activities if a.activity_date]
    assert dated and all(a.activity_date.year == campaign.year for a in dated)
    statuses = {a.status for a in activities}
    assert {"scheduled", "plan_filed", "cancelled"} <= statuses
    assert "held" not in statuses and repo.activities.list_showcase() == []
    assert any(a.off_month and a.off_month_reason for a in activities)


def test_demo_photos_need_no_chinese_font(monkeypatch):
    from themeday.dev import setup

    monkeypatch.setattr(setup, "_CJK_FONTS", ())
    setup._font.cache_clear()
    try:
        photo = setup._demo_photo("背街小巷提质改造实地调研", "城南街道办事处", 1)
    finally:
        setup._font.cache_clear()
    image = Image.open(io.BytesIO(photo))
    assert image.format == "JPEG" and image.size == (1200, 800)


def test_init_empty_creates_a_clean_production_database(tmp_path, capsys):
    path = tmp_path / "prod.duckdb"
    assert main(["init", "--empty", "--password", "Prod#2026x", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    auditor_password = out.split("审计管理员初始密码：")[1].split("（")[0]
    con = db.connect(path)
    repo = Repository(db.cursor(con))
    assert not repo.is_demo()
    assert repo.catalogue.list_units(SYSTEM_ACTOR) == []
    assert repo.catalogue.current_campaign(SYSTEM_ACTOR) is None
    # 权限分离: an office account and an auditor account, both to change their password
    auditor, office = repo.accounts.list_users(SYSTEM_ACTOR)  # by role
    assert office.username == "office" and office.must_change_password
    assert (auditor.username, auditor.role) == ("auditor", Role.AUDITOR)
    assert auditor.must_change_password
    assert AuthService(repo).authenticate("office", "Prod#2026x").ok
    assert not AuthService(repo).authenticate("office", DEMO_PASSWORD).ok
    assert AuthService(repo).authenticate("auditor", auditor_password).ok
    con.close()
    # never overwrites a database that is in use
    assert main(["init", "--empty", "--password", "Other#2026x", "--db", str(path)]) == 1
    assert "已初始化" in capsys.readouterr().err


def test_init_empty_takes_the_auditor_password_given(tmp_path, capsys):
    path = tmp_path / "prod.duckdb"
    args = ["init", "--empty", "--password", "Prod#2026x", "--db", str(path)]
    assert main([*args, "--auditor-password", "Prod#2026x"]) == 2  # not the office's
    assert "不能与管理员" in capsys.readouterr().err and not path.exists()
    assert main([*args, "--auditor-password", "Audit#2026y"]) == 0
    assert "初始密码" not in capsys.readouterr().out  # none generated
    con = db.connect(path)
    try:
        assert AuthService(Repository(db.cursor(con))).authenticate("auditor", "Audit#2026y").ok
    finally:
        con.close()


def test_init_empty_refuses_a_weak_password(tmp_path, capsys):
    path = tmp_path / "weak.duckdb"
    assert main(["init", "--empty", "--password", "weak", "--db", str(path)]) == 2
    assert "密码不符合要求" in capsys.readouterr().err


def test_init_without_empty_gives_the_demo(tmp_path):
    path = tmp_path / "demo.duckdb"
    assert main(["init", "--db", str(path)]) == 0
    con = db.connect(path)
    assert Repository(db.cursor(con)).is_demo()
    con.close()


def test_unit_kinds_are_the_design_words():
    assert [k.value for k in UnitKind] == ["部门", "街道", "乡镇", "区直单位", "驻区单位"]


def test_init_while_the_app_holds_the_file_is_a_clear_message(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "busy.duckdb"
    con = db.connect(path)  # this process plays the running app
    try:
        result = subprocess.run(
            [sys.executable, "-m", "themeday", "init", "--db", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        con.close()
    assert result.returncode == 1
    assert "请先停止应用" in result.stderr and "Traceback" not in result.stderr
