"""AppTest: every page for every role, and the login gate in app.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import campaign_with
from tests.helpers import (
    EXPECTED_NAV,
    ROOT,
    TIMEOUT,
    app,
    host,
    login,
    new_office_clerk,
    page_at,
    texts,
    titles,
)
from themeday.core.config import SECURITY, now
from themeday.core.domain import DeclarationStatus, Role
from themeday.dev.setup import DEMO_PASSWORD
from themeday.services.auth import password_matches

# ------------------------------------------------------------------ login gate


def test_login_page_shows_demo_accounts_only_on_a_demo_database(app_db):
    at = app().run()
    assert not at.exception
    assert titles(at) == ["政务公开主题日工作平台"]
    assert "Demo@2023" in texts(at, "info")
    app_db.set_meta("demo", "0")
    at = app().run()
    assert "Demo@2023" not in texts(at, "info")


def test_wrong_password_shows_chinese_error(app_db):
    at = login(app().run(), "unit1", "Wrong@1234")
    assert "用户名或密码错误" in texts(at, "error")
    assert titles(at) == ["政务公开主题日工作平台"]


def test_over_long_password_is_a_clean_error(app_db):
    at = login(app().run(), "unit1", "很长的密码" * 10)
    assert not at.exception
    assert "72字节" in texts(at, "error")


@pytest.mark.parametrize(
    ("username", "title"),
    [
        ("unit1", "本单位首页 · 城北街道办事处"),
        ("office", "管理首页"),
        ("leader", "领导看板"),
        ("auditor", "审计日志"),
    ],
)
def test_each_role_lands_on_its_home(app_db, username, title):
    at = login(app().run(), username)
    assert not at.exception
    assert titles(at) == [title]


def test_disabling_a_user_ends_their_open_session(app_db):
    at = login(app().run(), "unit1")
    assert titles(at) == ["本单位首页 · 城北街道办事处"]
    office = app_db.accounts.login_record("office").user.as_actor()
    app_db.accounts.set_user_enabled(office, app_db.accounts.login_record("unit1").user.id, False)
    at.run()
    assert titles(at) == ["政务公开主题日工作平台"]
    assert "已停用" in texts(at, "info")


def test_new_account_must_change_password_before_anything_else(app_db):
    at = login(app().run(), "clerk", new_office_clerk(app_db))
    assert titles(at) == ["修改密码"]
    at.text_input[0].input("Start@2026")
    at.text_input[1].input("weak")
    at.text_input[2].input("weak")
    at.button[0].click().run()
    assert "至少8位" in texts(at, "error")
    assert titles(at) == ["修改密码"]
    at.text_input[0].input("Start@2026")
    at.text_input[1].input("Better#2026")
    at.text_input[2].input("Better#2026")
    at.button[0].click().run()
    assert titles(at) == ["政务公开主题日工作平台"]
    assert "密码已修改" in texts(at, "info")
    at = login(at, "clerk", "Better#2026")
    assert titles(at) == ["管理首页"]


def _password_dated(app_db, username: str, days_ago: float) -> None:
    """The app runs on the wall clock: date the password back from now."""
    app_db.cur.execute(
        "UPDATE app_user SET password_changed_at = ? WHERE username = ?",
        [now() - timedelta(days=days_ago), username],
    )


def test_an_expired_password_is_changed_before_anything_else(app_db):
    _password_dated(app_db, "unit1", SECURITY.password_max_age.days + 1)
    at = login(app().run(), "unit1")
    assert not at.exception
    assert titles(at) == ["修改密码"]
    assert f"超过{SECURITY.password_max_age.days}天未修改" in texts(at, "warning")
    at.text_input[0].input(DEMO_PASSWORD)
    at.text_input[1].input("Fresh#2027a")
    at.text_input[2].input("Fresh#2027a")
    at.button[0].click().run()
    assert "密码已修改" in texts(at, "info")
    at = login(at, "unit1", "Fresh#2027a")
    assert titles(at) == ["本单位首页 · 城北街道办事处"]
    assert "过期" not in texts(at, "warning")


def test_a_password_about_to_expire_is_announced_above_the_page(app_db):
    days_left = 5
    _password_dated(app_db, "office", SECURITY.password_max_age.days - days_left)
    at = login(app().run(), "office")
    assert titles(at) == ["管理首页"]  # not forced yet
    assert f"您的密码将于{days_left}天后过期，请及时修改" in texts(at, "warning")
    _password_dated(app_db, "leader", 10)
    at = login(app().run(), "leader")
    assert "过期" not in texts(at, "warning")


# ------------------------------------------------------------- navigation by role


@pytest.mark.parametrize("username", sorted(EXPECTED_NAV))
def test_navigation_holds_only_the_roles_pages(app_db, username):
    at = AppTest.from_file(str(ROOT / "tests/apps/nav_host.py"), default_timeout=TIMEOUT)
    at.session_state["user_id"] = app_db.accounts.login_record(username).user.id
    at.run()
    rows = [t.value.split("|") for t in at.text]
    assert [r[1] for r in rows] == EXPECTED_NAV[username]


def test_streamlit_finds_no_page_file_in_pages():
    """A fresh server would serve each pages/<file>.py alone, listed by file name.

    Streamlit's legacy discovery globs ``pages/*.py`` and skips ``__init__.py``: the
    screens live in sub-packages, and the table names every one of them.
    """
    from pages import SCREENS, WORK_PATHS, screen_module

    assert [p.name for p in (ROOT / "pages").glob("*.py")] == ["__init__.py"]
    modules = {p.stem for p in (ROOT / "pages").rglob("*.py")} - {"__init__"}
    assert modules == set(SCREENS)
    for name in SCREENS:
        path = ROOT / (screen_module(name).replace(".", "/") + ".py")
        assert path.is_file(), name
    paths = set(WORK_PATHS) | {p for nav in EXPECTED_NAV.values() for p in nav}
    assert not paths & modules


# ------------------------------------------------------------ every page × role

PAGES = {
    "unit_home": ("本单位首页 · 城北街道办事处", {"unit1"}),
    "declaration_form": ("主题申报", {"unit1"}),
    "workday_calendar": ("节假日维护", {"office"}),
    "campaign_settings": ("活动管理", {"office"}),
    "declaration_review": ("申报审核", {"office"}),
    "annual_plan": ("全年活动计划", {"unit1", "office", "leader"}),
    "office_home": ("管理首页", {"office"}),
    "units_accounts": ("单位与账号", {"office"}),
    "leader_dashboard": ("领导看板", {"leader", "office"}),
    "change_password": ("修改密码", {"unit1", "office", "leader", "auditor"}),
    "unit_activities": ("本单位活动", {"unit1"}),
    "activity_oversight": ("活动进展", {"office", "leader"}),
    "public_showcase": (
        "“政务公开主题日”活动成果展示",
        {"unit1", "office", "leader", "auditor", None},
    ),
    "chase_board": ("督办催办", {"office"}),
    "assessment_summary": ("考核汇总", {"office"}),
    "audit_log": ("审计日志", {"auditor"}),
    "activity_boards": ("看板视图", {"unit1", "office", "leader"}),
    "data_grid": ("数据表", {"unit1", "office", "leader"}),
}


@pytest.mark.parametrize("username", ["unit1", "office", "leader", "auditor", None])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_for_role(app_db, page, username):
    title, allowed = PAGES[page]
    at = page_at(page, app_db, username).run()
    assert not at.exception
    if username in allowed:
        assert titles(at) == [title]
    else:
        assert titles(at) == []
        expected = "无权访问" if username else "请先登录"
        assert expected in texts(at, "error") + texts(at, "warning")


def test_unit_page_without_declaration_says_what_to_do_next(app_db):
    campaign_with(app_db, {"unit2": DeclarationStatus.SUBMITTED})
    at = host(app_db, "unit_home", "unit1")
    assert titles(at) == ["本单位首页 · 城北街道办事处"]
    info = texts(at, "info")
    assert "尚未申报" in info and "下一步" in info
    assert "区教育局" not in str(at.main)  # never another unit's rows (unit2's)


def test_office_adds_a_unit_and_a_bad_phone_is_refused(app_db):
    at = host(app_db, "units_accounts", "office")
    unit_inputs = [t for t in at.text_input if t.label in ("单位名称", "联系人", "联系电话")]
    name, person, phone = unit_inputs[:3]
    name.input("区司法局")
    person.input("张三")
    phone.input("12345")
    next(b for b in at.button if b.label == "新增单位").click().run()
    assert "联系电话格式不正确" in texts(at, "error")
    office = app_db.accounts.login_record("office").user.as_actor()
    assert "区司法局" not in {u.name for u in app_db.catalogue.list_units(office)}
    unit_inputs = [t for t in at.text_input if t.label in ("单位名称", "联系人", "联系电话")]
    assert unit_inputs[0].value == "区司法局"  # the input is kept
    unit_inputs[2].input("0739-5321199")
    next(b for b in at.button if b.label == "新增单位").click().run()
    assert "区司法局" in {u.name for u in app_db.catalogue.list_units(office)}
    assert "已新增单位" in texts(at, "success")


def test_office_creates_an_account_and_sees_the_initial_password_until_dismissed(app_db):
    at = host(app_db, "units_accounts", "office")
    labels: dict = {}
    for field in at.text_input:  # the first of each label belongs to the "新增" forms
        labels.setdefault(field.label, field)
    labels["用户名"].input("unit4")
    labels["姓名或岗位"].input("城南街道填报员")
    role_box = next(s for s in at.selectbox if s.label == "角色")
    role_box.set_value(Role.UNIT)
    unit_box = next(s for s in at.selectbox if s.label.startswith("所属单位（"))
    office = app_db.accounts.login_record("office").user.as_actor()
    south = next(u for u in app_db.catalogue.list_units(office) if u.name == "城南街道办事处")
    unit_box.set_value(south.id)
    next(b for b in at.button if b.label == "新增账号").click().run()
    assert not at.exception
    shown = texts(at, "success")
    assert "unit4" in shown and "初始密码" in shown
    created = app_db.accounts.login_record("unit4").user
    assert created.unit_id == south.id and created.must_change_password
    (password,) = dialog_codes(at)
    assert login_succeeds(app_db, "unit4", password)
    at.run()  # another rerun: still shown
    assert dialog_codes(at) == [password]
    next(b for b in at.button if b.label == "我已记下，关闭").click().run()
    assert "初始密码" not in texts(at, "success") and not at.code


def dialog_codes(at: AppTest) -> list[str]:
    """The passwords shown in a modal dialog (always in view, wherever the page is
    scrolled), and nowhere else on the page."""
    found, todo = [], [(at._tree, False)]  # a dialog sits beside main, not in it
    while todo:
        node, in_dialog = todo.pop()
        proto = getattr(node, "proto", None)
        in_dialog = in_dialog or (
            getattr(proto, "DESCRIPTOR", None) is not None
            and proto.DESCRIPTOR.name == "Block"
            and proto.WhichOneof("type") == "dialog"
        )
        if node.type == "code":
            assert in_dialog, "a password outside the dialog"
            found.append(node.value)
        todo.extend((child, in_dialog) for child in getattr(node, "children", {}).values())
    return found


def login_succeeds(app_db, username: str, password: str) -> bool:
    return password_matches(password, app_db.accounts.login_record(username).password_hash)


def pick_user(at: AppTest, app_db, username: str) -> AppTest:
    return (
        at.selectbox(key="user_pick")
        .set_value(app_db.accounts.login_record(username).user.id)
        .run()
    )


def click(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def test_disabling_an_account_asks_first(app_db):
    at = pick_user(host(app_db, "units_accounts", "office"), app_db, "unit1")
    click(at, "停用账号")
    assert "确认停用账号 unit1" in texts(at, "warning")
    assert app_db.accounts.login_record("unit1").user.enabled  # only asked
    click(at, "取消")
    assert "确认停用账号" not in texts(at, "warning")
    assert app_db.accounts.login_record("unit1").user.enabled
    click(click(at, "停用账号"), "确认停用账号")
    assert not at.exception
    assert not app_db.accounts.login_record("unit1").user.enabled
    assert "已停用" in texts(at, "success")
    assert any(b.label == "启用账号" for b in at.button)


def test_the_office_cannot_disable_its_own_account(app_db):
    at = pick_user(host(app_db, "units_accounts", "office"), app_db, "office")
    click(click(at, "停用账号"), "确认停用账号")
    assert "不能停用自己" in texts(at, "error")
    assert app_db.accounts.login_record("office").user.enabled


def test_a_reset_password_asks_first_and_stays_on_the_screen(app_db):
    at = pick_user(host(app_db, "units_accounts", "office"), app_db, "unit1")
    old_hash = app_db.accounts.login_record("unit1").password_hash
    click(at, "重置密码")
    assert "确认重置账号 unit1" in texts(at, "warning")
    assert app_db.accounts.login_record("unit1").password_hash == old_hash  # only asked
    click(at, "确认重置密码")
    assert not at.exception
    (password,) = dialog_codes(at)
    assert "unit1 的新密码" in texts(at, "success")
    assert login_succeeds(app_db, "unit1", password)
    assert app_db.accounts.login_record("unit1").user.must_change_password
    assert at.selectbox(key="user_pick").value == app_db.accounts.login_record("unit1").user.id
    at.run()
    assert dialog_codes(at) == [password]
    next(b for b in at.button if b.label == "我已记下，关闭").click().run()
    assert not at.code and "unit1 的新密码" not in texts(at, "success")
    assert at.selectbox(key="user_pick").value == app_db.accounts.login_record("unit1").user.id


def test_the_office_disables_stale_accounts_after_a_confirmation(app_db):
    days = SECURITY.stale_account_after.days
    app_db.cur.execute(
        "UPDATE app_user SET created_at = ? WHERE username IN ('unit2', 'unit3')",
        [now() - timedelta(days=days + 10)],
    )
    at = host(app_db, "units_accounts", "office")
    assert not at.exception
    assert f"超过{days}天未登录" in " ".join(m.value for m in at.markdown)
    table = next(d.value for d in at.dataframe if "未登录天数" in d.value.columns)
    listed = dict(zip(table["用户名"], table["未登录天数"], strict=True))
    assert listed["unit2"] == listed["unit3"] == days + 10 and "office" not in listed
    assert set(table.loc[table["用户名"] == "unit3", "最近登录"]) == {"从未登录"}
    unit3 = app_db.accounts.login_record("unit3").user.id
    at.multiselect(key="stale_pick").set_value([unit3]).run()
    click(at, "停用所选账号")
    assert "确认停用账号 unit3" in texts(at, "warning")
    assert app_db.accounts.login_record("unit3").user.enabled  # only asked
    click(at, "确认停用所选账号")
    assert not at.exception
    assert not app_db.accounts.login_record("unit3").user.enabled
    assert app_db.accounts.login_record("unit2").user.enabled
    assert "已停用1个长期未登录的账号：unit3" in texts(at, "success")
    table = next(d.value for d in at.dataframe if "未登录天数" in d.value.columns)
    assert "unit3" not in set(table["用户名"])
    auditor = app_db.accounts.login_record("auditor").user.as_actor()
    newest = app_db.oversight.list_audit(auditor, 1)[0]
    assert (newest.action, newest.object_id, newest.username) == ("disable", str(unit3), "office")
