"""Look-alike accounts: usernames are one account after NFKC + case folding, reserved
names are refused, and old look-alike pairs are reported (CLI and 管理首页)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import copy_demo
from tests.helpers import page_at
from themeday.__main__ import main
from themeday.core.config import TZ
from themeday.core.domain import Role, ValidationError, lookalike_groups, username_key
from themeday.dev.setup import DEMO_PASSWORD
from themeday.repository import Repository
from themeday.services import accounts
from themeday.services.auth import AuthService
from themeday.storage import db

ROOT = Path(__file__).resolve().parent.parent


def add_raw_account(repo: Repository, username: str, like: str = "unit1") -> None:
    """An account written around the doors, as an older version could have made it."""
    now = datetime(2026, 1, 5, 9, 0, tzinfo=TZ)
    repo.cur.execute(
        "INSERT INTO app_user (username, display_name, role, unit_id, password_hash,"
        " must_change_password, created_at, updated_at)"
        " SELECT ?, display_name, role, unit_id, password_hash, FALSE, ?, ?"
        " FROM app_user WHERE username = ?",
        [username, now, now, like],
    )


@pytest.mark.parametrize("name", ["unit1", "Unit1", "UNIT1", "ｕｎｉｔ１", " Ｕnit1 "])
def test_case_and_full_width_forms_share_one_key(name):
    assert username_key(name) == "unit1"
    assert username_key("Straße") == username_key("STRASSE")
    assert username_key("unit2") != username_key("unit1")


def test_lookalike_groups_keep_distinct_names_apart():
    names = ["office", "unit1", "Unit1", "leader", "ＵＮＩＴ１", "unit2"]
    assert lookalike_groups(names) == [("unit1", "Unit1", "ＵＮＩＴ１")]
    assert lookalike_groups(["office", "leader", "unit1"]) == []


@pytest.mark.parametrize("name", ["Unit1", "UNIT1", "ｕｎｉｔ１", "unit1"])
def test_a_name_that_differs_only_in_case_or_width_is_refused(demo, office, name):
    before = len(demo.accounts.list_users(office))
    with pytest.raises(ValidationError, match="unit1"):
        accounts.create_account(
            demo, office, username=name, display_name="冒名", role=Role.LEADER, unit_id=None
        )
    assert len(demo.accounts.list_users(office)) == before


@pytest.mark.parametrize(
    "name", ["admin", "Admin", "ＡＤＭＩＮ", "root", "test", "administrator", "guest", "管理员"]
)
def test_reserved_names_are_refused_in_chinese(demo, office, name):
    with pytest.raises(ValidationError, match="系统保留名称"):
        accounts.create_account(
            demo, office, username=name, display_name="管理", role=Role.OFFICE, unit_id=None
        )


def test_a_full_width_name_is_stored_in_its_plain_form(demo, office):
    accounts.create_account(
        demo,
        office,
        username="ｄｅｐｕｔｙ",
        display_name="副主任",
        role=Role.LEADER,
        unit_id=None,
        password="Deputy@2026",
    )
    assert "deputy" in {u.username for u in demo.accounts.list_users(office)}


@pytest.mark.parametrize("typed", ["unit1", "UNIT1", "Unit1", "ｕｎｉｔ１"])
def test_login_folds_the_name_and_the_session_gets_the_stored_one(demo, typed):
    outcome = AuthService(demo).authenticate(typed, DEMO_PASSWORD)
    assert outcome.ok
    assert outcome.user.username == "unit1"


def test_login_of_an_old_lookalike_pair_needs_the_exact_name(demo):
    add_raw_account(demo, "Unit1")
    service = AuthService(demo)
    assert service.authenticate("Unit1", DEMO_PASSWORD).user.username == "Unit1"
    assert service.authenticate("unit1", DEMO_PASSWORD).user.username == "unit1"
    # Folded, the name is ambiguous: it finds neither account.
    assert not service.authenticate("UNIT1", DEMO_PASSWORD).ok


def test_findings_name_the_pairs_and_the_reserved_accounts(demo, office):
    assert accounts.account_name_findings(demo, office) == []
    add_raw_account(demo, "UNIT1")
    add_raw_account(demo, "admin", like="office")
    findings = accounts.account_name_findings(demo, office)
    assert len(findings) == 2
    assert "unit1、UNIT1" in findings[0]
    assert "admin" in findings[1]


def test_check_accounts_cli_reports_lookalikes_and_exits_1(demo_template, tmp_path, capsys):
    path = tmp_path / "cli" / "demo.duckdb"
    copy_demo(demo_template, path)
    assert main(["check-accounts", "--db", str(path)]) == 0
    assert "账号检查通过" in capsys.readouterr().out

    con = db.connect(path)
    add_raw_account(Repository(db.cursor(con)), "ｕｎｉｔ１")
    con.close()
    assert main(["check-accounts", "--db", str(path)]) == 1
    out = capsys.readouterr().out
    assert "unit1、ｕｎｉｔ１" in out
    assert main(["check-accounts", "--db", str(tmp_path / "missing.duckdb")]) == 2


def office_home(app_db) -> AppTest:
    return page_at("office_home", app_db, "office").run()


def test_office_home_warns_of_lookalike_accounts(app_db):
    at = office_home(app_db)
    assert not at.exception
    assert not [w for w in at.warning if "账号名称" in w.value]
    add_raw_account(app_db, "Unit1")
    at = office_home(app_db)
    warning = " ".join(w.value for w in at.warning)
    assert "账号名称需要处理" in warning
    assert "unit1、Unit1" in warning


def test_a_full_width_login_name_opens_the_units_home(app_db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.text_input(key="login_username").input("ｕｎｉｔ１")
    at.text_input(key="login_password").input(DEMO_PASSWORD)
    at = at.button[0].click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["本单位首页 · 城北街道办事处"]
