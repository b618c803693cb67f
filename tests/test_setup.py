"""First run (demo) and `python -m themeday init --empty`."""

from __future__ import annotations

from datetime import date

import pytest

from themeday import db
from themeday.__main__ import main
from themeday.auth import AuthService
from themeday.domain import SYSTEM_ACTOR, Role, UnitKind
from themeday.repository import Repository
from themeday.setup import DEMO_PASSWORD, open_database, seed_demo


def test_first_run_creates_a_demo_database(tmp_path):
    path = tmp_path / "data" / "themeday.duckdb"
    con = open_database(path)
    repo = Repository(db.cursor(con))
    assert path.exists() and repo.is_demo()
    units = repo.list_units(SYSTEM_ACTOR)
    assert 10 <= len(units) <= 14
    assert {u.kind for u in units} >= {"部门", "街道", "乡镇", "区直单位"}
    users = {u.username: u for u in repo.list_users(SYSTEM_ACTOR)}
    assert set(users) == {"office", "leader", "unit1", "unit2", "unit3"}
    assert users["office"].role == Role.OFFICE and users["leader"].role == Role.LEADER
    assert len({users[f"unit{i}"].unit_id for i in (1, 2, 3)}) == 3
    assert AuthService(repo).authenticate("unit2", DEMO_PASSWORD).ok
    con.close()
    # a second start keeps what is there and adds nothing
    con = open_database(path)
    assert len(Repository(db.cursor(con)).list_units(SYSTEM_ACTOR)) == len(units)
    con.close()


DAYS = [date(2026, 1, 1), date(2026, 1, 3), date(2026, 6, 15), date(2026, 12, 20)]
DAYS += [date(2026, 12, 30), date(2026, 12, 31)]


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_demo_dates_sit_around_the_day_it_is_created(repo, today):
    seed_demo(repo, today=today)
    campaign = repo.current_campaign(SYSTEM_ACTOR)
    rules = campaign.rules
    assert campaign.year in (today.year, today.year + 1)
    assert 0 < (today - rules.declaration_deadline).days <= 14  # passed recently: chase
    declarations = repo.list_declarations(SYSTEM_ACTOR, campaign.id)
    statuses = [d.status for d in declarations]
    assert statuses.count("approved") >= 6 and statuses.count("returned") == 1
    assert any(d.return_reason for d in declarations if d.status == "returned")
    assert sum(bool(d.late_workdays) for d in declarations) == 1
    assert len(repo.units_not_submitted(SYSTEM_ACTOR, campaign.id)) == 2
    assert repo.list_plan(SYSTEM_ACTOR, campaign.id)
    submitted = [d.submitted_at.date() for d in repo.list_declarations(SYSTEM_ACTOR, campaign.id)]
    assert submitted and all(d < today for d in submitted)  # past work
    activities = repo.list_activities(SYSTEM_ACTOR, campaign.id)
    dated = [a for a in activities if a.activity_date]
    assert any(a.activity_date > today for a in dated)  # something is upcoming
    if 1 < today.month < 12:
        assert any(a.activity_date < today and a.status == "held" for a in dated)
    assert all(a.status != "held" or a.activity_date < today for a in dated)
    assert all(rules.first_month <= a.planned_month <= rules.last_month for a in activities)
    assert rules.scan_required and rules.plan_days_before == 5  # 大祥区 rules


def test_init_empty_creates_a_clean_production_database(tmp_path, capsys):
    path = tmp_path / "prod.duckdb"
    assert main(["init", "--empty", "--password", "Prod#2026x", "--db", str(path)]) == 0
    con = db.connect(path)
    repo = Repository(db.cursor(con))
    assert not repo.is_demo()
    assert repo.list_units(SYSTEM_ACTOR) == []
    assert repo.current_campaign(SYSTEM_ACTOR) is None
    (office,) = repo.list_users(SYSTEM_ACTOR)
    assert office.username == "office" and office.must_change_password
    assert AuthService(repo).authenticate("office", "Prod#2026x").ok
    assert not AuthService(repo).authenticate("office", DEMO_PASSWORD).ok
    con.close()
    # never overwrites a database that is in use
    assert main(["init", "--empty", "--password", "Other#2026x", "--db", str(path)]) == 1
    assert "已初始化" in capsys.readouterr().err


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
