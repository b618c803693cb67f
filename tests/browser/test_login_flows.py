"""Login, cookie restore, logout and page protection, end to end in Chromium.

<<<<<<< HEAD
Streamlit renders asynchronously: a page load or a click starts a run whose elements
arrive one by one. Hence:

* Before typing or clicking, wait until the app has stayed idle (:func:`settle`): a
  click that lands while a run is still drawing can be dropped by the app (seen on a
  busy machine right after the first page load: the form is left filled in and
  nothing happens), like a user who clicks before the page has finished loading.
* Positive checks wait for the expected element. While a run is in progress the
  previous run's elements stay until they are replaced, so an element can briefly be
  there twice: :func:`shown` waits for the first match; counts are checked after
  settling.
* Negative checks ("not logged in", "no office content") come after :func:`settle`
  and, where a cookie is involved, after a sign that the server has handled it.
=======
The waits these tests rely on (:func:`settle`, :func:`shown`) are explained in
``helpers``.
>>>>>>> h-tests
"""

from __future__ import annotations

import time

import pytest

pytest.importorskip("playwright", reason="playwright is not installed (requirements-dev.txt)")

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import AppServer
from tests.browser.helpers import (
    COOKIE,
    assert_logged_out,
    assert_no_office_content,
    log_in,
    login_form,
    nav_link,
    settle,
    shown,
    unit1_title,
    wait_for_cookie,
)

pytestmark = pytest.mark.browser

LOGOUT_NOTICE = "您已安全退出"


# --- helpers -------------------------------------------------------------------------


# --- tests ---------------------------------------------------------------------------


def test_unit_login_survives_reload(page: Page, context: BrowserContext, app_server: AppServer):
    log_in(page, app_server, "unit1")
    shown(unit1_title(page))
    shown(nav_link(page, "本单位首页"))
    shown(nav_link(page, "退出"))
    # A unit user is not offered the office pages.
    expect(nav_link(page, "单位与账号")).to_have_count(0)
    expect(nav_link(page, "管理首页")).to_have_count(0)

    wait_for_cookie(context, present=True)
    page.reload()  # a new Streamlit session: only the cookie can log it in again
    shown(unit1_title(page))
    settle(page)
    expect(unit1_title(page)).to_have_count(1)
    expect(page.get_by_label("密码", exact=True)).to_have_count(0)


def test_wrong_password_shows_chinese_error(
    page: Page, context: BrowserContext, app_server: AppServer
):
    # unit3, so that this failed attempt does not count against unit1's lockout.
    log_in(page, app_server, "unit3", "Wrong@2023")
    error = page.get_by_test_id("stAlertContentError")
    expect(error.first).to_contain_text("用户名或密码错误")
    settle(page)
    expect(error).to_have_count(1)
    expect(error).to_contain_text("用户名或密码错误")
    assert_logged_out(page)
    expect(page.locator("body")).not_to_contain_text("本单位首页")
    assert not [c for c in context.cookies() if c["name"] == COOKIE]


def test_protected_paths_on_fresh_server(page: Page, fresh_app_server: AppServer):
    """Office paths opened directly by a visitor who is not logged in.

    ``/units_accounts`` comes first, before any session has run ``app.py`` on this
    server: Streamlit would serve a ``pages/units_accounts.py`` as a page of its own.
    It only defines ``render()`` and must show nothing. The navigation paths of the
    office (``/units``, ``/office``) must show the login form.
    """
    for path in ["units_accounts", "units", "office"]:
        page.goto(f"{fresh_app_server.url}/{path}")  # a new Streamlit session each time
        settle(page)
        if path == "units_accounts":
            assert_no_office_content(page, f"/{path}")
        else:
            assert_logged_out(page, f"/{path}")


def test_logout_revokes_the_cookie_on_the_server(
    page: Page, context: BrowserContext, browser: Browser, app_server: AppServer
):
    log_in(page, app_server, "unit1")
    shown(unit1_title(page))
    saved = wait_for_cookie(context, present=True)

    # Control: before logout, the copied cookie logs a new browser profile in.
    copy = browser.new_context()
    try:
        copy.add_cookies([saved])
        other = copy.new_page()
        other.goto(app_server.url)
        shown(unit1_title(other))
    finally:
        copy.close()

    settle(page)
    nav_link(page, "退出").click()
    shown(page.get_by_text(LOGOUT_NOTICE))
    login_form(page)
    wait_for_cookie(context, present=False)
    settle(page)
    assert_logged_out(page, "after 退出")
    # The notice outlasts the cookie component's rerun (it once vanished within 0.5 s).
    expect(page.get_by_text(LOGOUT_NOTICE)).to_be_visible()

    page.reload()
    login_form(page)
    settle(page)
    assert_logged_out(page, "reload after 退出")

    # A copy of the old cookie in a new profile must not log in: the session has
    # ended on the server. The app deletes the refused cookie, which shows that the
    # server has read it (and not merely not yet received it).
    replay = browser.new_context()
    try:
        replay.add_cookies([saved])
        again = replay.new_page()
        again.goto(app_server.url)
        login_form(again)
        wait_for_cookie(replay, present=False)
        settle(again)
        assert_logged_out(again, "old cookie in a new browser profile")
    finally:
        replay.close()


def test_office_sees_units_and_accounts(page: Page, app_server: AppServer):
    log_in(page, app_server, "office")
    shown(page.get_by_role("heading", name="管理首页"))
    link = nav_link(page, "单位与账号")
    shown(link)
    settle(page)
    link.click()
    shown(page.get_by_role("heading", name="单位与账号"))
    shown(page.get_by_role("tab", name="单位名录"))
    shown(page.get_by_role("tab", name="用户账号"))
    assert page.url.rstrip("/").endswith("/units")


def test_a_page_link_clicked_at_once_stays_open(
    page: Page, context: BrowserContext, app_server: AppServer
):
    """Right after a login, and right after a reload, a page link clicked as soon as it
    shows opens that page for good. (The cookie component's answer reran the page it
    was mounted on, which sent a quick clerk back to 管理首页.)"""
    log_in(page, app_server, "office")
    shown(page.get_by_role("heading", name="管理首页"))
    for reload in (False, True):
        if reload:
            wait_for_cookie(context, present=True)
            page.reload()
            shown(page.get_by_role("heading", name="管理首页"))
        nav_link(page, "活动管理").click()
        shown(page.get_by_role("heading", name="活动管理", exact=True))
        settle(page)
        expect(page.get_by_role("heading", name="管理首页")).to_have_count(0)
        expect(page.get_by_text("新建活动", exact=True)).to_be_visible()
        nav_link(page, "管理首页").click()
        shown(page.get_by_role("heading", name="管理首页"))
        settle(page)


def _forged_cookie(algorithm: str) -> str:
    """A login cookie for ``office`` that the server never signed."""
    import base64
    import json

    import jwt

    payload = {"username": "office", "exp_date": time.time() + 3600}
    if algorithm == "HS512":
        return jwt.encode(payload, "攻击者的密钥" * 12, algorithm="HS512")

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


def test_a_forged_cookie_is_dropped_and_audited(
    page: Page, context: BrowserContext, app_server: AppServer
):
    host = app_server.url.split("//")[1].split(":")[0]
    for algorithm in ("none", "HS512"):
        context.add_cookies(
            [{"name": COOKIE, "value": _forged_cookie(algorithm), "domain": host, "path": "/"}]
        )
        page.goto(app_server.url)
        login_form(page)
        settle(page)
        assert_logged_out(page, f"forged cookie ({algorithm})")
        expect(page.get_by_text("This app has encountered an error")).to_have_count(0)
        wait_for_cookie(context, present=False)

    log_in(page, app_server, "auditor")  # only the 审计管理员 reads the audit log
    shown(nav_link(page, "审计日志"))
    settle(page)
    nav_link(page, "审计日志").click()
    # The audit table is a canvas grid: its cells are in the page but not "visible".
    cells = page.get_by_test_id("stDataFrame").get_by_text("拒绝无效登录凭证")
    expect(cells.first).to_be_attached()
