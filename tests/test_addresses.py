"""Every address the app knows is a page in every state: no "Page not found" dialog.

The table (:func:`pages.address_kind`) is checked as plain data; AppTest then opens
addresses of other roles, old file names and the role's own home address through
``app.py`` and reads what is drawn. Opening an address typed into the browser (by
name, not by a page's hash) is checked in ``tests/browser/test_addresses.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pages import (
    HOME_PATHS,
    KNOWN_PATHS,
    OLD_PATHS,
    SCREENS,
    address_kind,
)
from tests.helpers import ROOT, TIMEOUT, app, goto, login, new_office_clerk, texts, titles
from themeday.core.domain import Role
from themeday.core.records import User
from themeday.ui.addresses import NO_ACCESS

HOMES = {"unit1": "本单位首页 · 城北街道办事处", "office": "管理首页", "auditor": "审计日志"}


def user(role: Role, forced: bool = False) -> User:
    return User(1, "x", "某人", role, 1 if role == Role.UNIT else None, forced, True, None, None, 1)


def open_at(at: AppTest, path: str) -> AppTest:
    """Open the page at ``path``; later runs stay where the app then is, as a browser does."""
    at = goto(at, path)
    at._page_hash = ""
    return at


def test_old_file_names_are_not_addresses_of_pages():
    assert OLD_PATHS == set(SCREENS)
    assert not OLD_PATHS & KNOWN_PATHS


def test_logged_out_every_page_address_shows_the_login_form():
    for path in KNOWN_PATHS - {"logout"}:
        assert address_kind(None, path) == "login", path
    # Logging in at /logout would end the new session at once: the form opens at "/".
    assert address_kind(None, "logout") == "home"
    assert address_kind(None, "data_grid") == "home"
    assert address_kind(None, "no-such-page") == "home"


@pytest.mark.parametrize("role", list(Role))
def test_an_address_of_another_roles_page_says_no_access(role):
    assert address_kind(user(role), HOME_PATHS[role]) == "home"
    assert address_kind(user(role), "units_accounts") == "home"
    assert address_kind(user(role), "no-such-page") == "home"
    others = KNOWN_PATHS - {HOME_PATHS[role]}
    assert {address_kind(user(role), path) for path in others} == {"no_access"}


@pytest.mark.parametrize("role", list(Role))
def test_during_a_forced_change_every_known_address_shows_the_password_page(role):
    forced = user(role, forced=True)
    assert {address_kind(forced, path) for path in KNOWN_PATHS} == {"password"}
    assert address_kind(forced, "data_grid") == "home"


@pytest.mark.parametrize("forced", [False, True])
@pytest.mark.parametrize("role", list(Role))
def test_the_navigation_has_a_page_at_every_address(role, forced):
    at = AppTest.from_file(str(ROOT / "tests/apps/address_host.py"), default_timeout=TIMEOUT)
    at.session_state["user"] = user(role, forced)
    at.session_state["requested"] = "no-such-page"
    at.run()
    assert not at.exception
    rows = [t.value.split("|") for t in at.text]
    paths = [path for path, _ in rows]
    assert len(paths) == len(set(paths))  # st.navigation refuses a path twice
    assert set(paths) >= KNOWN_PATHS | OLD_PATHS | {"", "no-such-page"}
    visible = {path for path, visibility in rows if visibility == "visible"}
    assert not visible & (OLD_PATHS | {"no-such-page"})


def test_a_unit_opening_an_office_page_is_told_it_has_no_access(app_db):
    at = login(app().run(), "unit1")
    at = open_at(at, "review")
    assert not at.exception
    assert titles(at) == ["无法打开此页面"]
    assert NO_ACCESS in texts(at, "warning")
    assert "申报审核" not in titles(at)


def test_the_office_opening_the_audit_log_is_told_it_has_no_access(app_db):
    at = open_at(login(app().run(), "office"), "audit")
    assert titles(at) == ["无法打开此页面"]
    assert NO_ACCESS in texts(at, "warning")


@pytest.mark.parametrize("username", sorted(HOMES))
def test_old_file_names_and_the_roles_own_address_open_its_home(app_db, username):
    at = login(app().run(), username)
    role = app_db.accounts.login_record(username).user.role
    for path in ["data_grid", "units_accounts", HOME_PATHS[role]]:
        at = open_at(at, path)
        assert not at.exception, path
        assert titles(at)[:1] == [HOMES[username]], path


def test_logged_out_a_page_address_shows_the_login_form_then_opens_the_page(app_db):
    at = open_at(app().run(), "review")
    assert titles(at) == ["政务公开主题日工作平台"]
    at = login(at, "office")
    assert titles(at)[:1] == ["申报审核"]


def test_logged_out_logout_opens_the_login_form_at_the_root(app_db):
    at = open_at(app().run(), "logout")
    assert titles(at) == ["政务公开主题日工作平台"]
    at = login(at, "office")
    assert titles(at)[:1] == ["管理首页"]


def test_a_forced_change_shows_the_password_page_at_every_address(app_db):
    at = login(app().run(), "clerk", new_office_clerk(app_db))
    for path in ["review", "audit", "password", "office"]:
        at = open_at(at, path)
        assert not at.exception, path
        assert titles(at) == ["修改密码"], path


def test_serve_runs_streamlit_on_app_py_with_v1_pages_off(monkeypatch):
    """``python -m themeday serve`` is ``streamlit run app.py`` minus the v1 first run."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    from themeday.__main__ import main
    from themeday.ui import serve

    seen = {}
    warmed = threading.Event()

    def fake_main(args, prog_name):
        seen.update(args=args, flag=PagesManager.uses_pages_directory)

    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    monkeypatch.setattr(cli.main, "main", fake_main)
    monkeypatch.setattr(serve, "warm_up", warmed.set)
    monkeypatch.setattr(serve, "SERVER_WAIT_SECONDS", 0.0)  # no runtime starts here
    assert main(["serve", "--server.port", "8502"]) == 0
    assert seen["args"] == ["run", str(ROOT / "app.py"), "--server.port", "8502"]
    assert seen["flag"] is False  # Streamlit sets it only while it is still None
    assert warmed.wait(10), "the warm-up thread was not started"


_WARM_UP = """
import json, sys
from themeday.ui.serve import warm_up
warm_up()
print(json.dumps(sorted(sys.modules)))
"""


def test_the_warm_up_imports_the_login_page_opens_the_database_and_imports_screens(tmp_path):
    """What ``serve`` does in the background while the first browser loads."""
    import pages

    database = tmp_path / "themeday.duckdb"
    env = dict(os.environ, THEMEDAY_DB=str(database))
    done = subprocess.run(
        [sys.executable, "-c", _WARM_UP], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    modules = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert {"themeday.ui.gate", "streamlit_authenticator", "duckdb"} <= modules
    assert {pages.screen_module(name) for name in pages.SCREENS} <= modules
    assert "预热失败" not in done.stderr
    con = duckdb.connect(str(database), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM campaign").fetchone()[0] >= 1  # the demo
    finally:
        con.close()


def test_streamlit_still_keeps_the_address_asked_for_where_we_read_it():
    """``requested_address`` reads Streamlit internals (pinned 1.67): fail here if moved."""
    import inspect

    from streamlit.runtime.pages_manager import PagesManager

    source = inspect.getsource(PagesManager)
    assert "self._intended_page_name" in source
    assert {"intended_page_name", "intended_page_script_hash"} <= set(dir(PagesManager))
    assert "uses_pages_directory: bool | None = None" in source
