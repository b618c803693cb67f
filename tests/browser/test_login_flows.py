"""Login, cookie restore, logout and page protection, end to end in Chromium.

Streamlit renders asynchronously and the login cookie is read and written by a JS
component, which makes the script run again once its value arrives. Positive checks
therefore wait for the expected text; negative checks ("not logged in", "no office
content") first wait until the app has stayed idle for a while (:func:`settle`) and,
where a cookie is involved, for a sign that the server has handled it.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import AppServer

pytestmark = pytest.mark.browser

COOKIE = "themeday_auth"
PASSWORD = "Demo@2023"
UNIT1_TITLE = "本单位首页 · 城北街道办事处"
LOGOUT_NOTICE = "您已安全退出"
OFFICE_CONTENT = ["单位与账号", "单位名录", "用户账号", "管理首页", "区教育局", "城北街道办事处"]
"""Text of the office pages and demo unit names: never shown to a visitor not logged in."""


# --- helpers -------------------------------------------------------------------------


def settle(page: Page, quiet: float = 2.0, timeout: float = 30.0) -> None:
    """Wait until the script has been idle ("notRunning") for ``quiet`` seconds.

    The cookie component can start another run a moment after the first one ends, so
    a single "notRunning" is not enough before asserting that something is absent.
    """
    app = page.get_by_test_id("stApp")
    deadline = time.monotonic() + timeout
    idle_since: float | None = None
    state = None
    while time.monotonic() < deadline:
        state = app.get_attribute("data-test-script-state") if app.count() else None
        now = time.monotonic()
        if state == "notRunning":
            idle_since = idle_since or now
            if now - idle_since >= quiet:
                return
        else:
            idle_since = None
        page.wait_for_timeout(100)
    raise AssertionError(f"app not idle for {quiet} s within {timeout} s (state: {state})")


def wait_for_cookie(context: BrowserContext, present: bool, timeout: float = 15.0) -> dict | None:
    """Poll until the login cookie exists (``present``) or is gone; return it."""
    deadline = time.monotonic() + timeout
    while True:
        cookie = next((c for c in context.cookies() if c["name"] == COOKIE), None)
        if (cookie is not None) == present:
            return cookie
        if time.monotonic() > deadline:
            state = "set" if present else "deleted"
            raise AssertionError(f"cookie {COOKIE} was not {state} within {timeout} s")
        time.sleep(0.2)


def login_form(page: Page) -> None:
    """Assert that the login form is shown."""
    expect(page.get_by_role("heading", name="政务公开主题日工作平台")).to_be_visible()
    expect(page.get_by_label("用户名", exact=True)).to_be_visible()
    expect(page.get_by_label("密码", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def log_in(page: Page, server: AppServer, username: str, password: str = PASSWORD) -> None:
    page.goto(server.url)
    login_form(page)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()


def unit1_title(page: Page):
    return page.get_by_role("heading", name=UNIT1_TITLE)


def nav_link(page: Page, title: str):
    return page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)


def assert_logged_out(page: Page) -> None:
    """After :func:`settle`: the login form, and nothing of the unit or office pages."""
    login_form(page)
    expect(unit1_title(page)).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    for text in OFFICE_CONTENT:
        expect(page.locator("body")).not_to_contain_text(text)


# --- tests ---------------------------------------------------------------------------


def test_unit_login_survives_reload(page: Page, context: BrowserContext, app_server: AppServer):
    log_in(page, app_server, "unit1")
    expect(unit1_title(page)).to_be_visible()
    expect(nav_link(page, "本单位首页")).to_be_visible()
    expect(nav_link(page, "退出")).to_be_visible()
    # A unit user is not offered the office pages.
    expect(nav_link(page, "单位与账号")).to_have_count(0)
    expect(nav_link(page, "管理首页")).to_have_count(0)

    wait_for_cookie(context, present=True)
    page.reload()  # a new Streamlit session: only the cookie can log it in again
    expect(unit1_title(page)).to_be_visible()
    expect(page.get_by_label("密码", exact=True)).to_have_count(0)


def test_wrong_password_shows_chinese_error(
    page: Page, context: BrowserContext, app_server: AppServer
):
    # unit3, so that this failed attempt does not count against unit1's lockout.
    log_in(page, app_server, "unit3", "Wrong@2023")
    error = page.get_by_test_id("stAlertContentError")
    expect(error).to_contain_text("用户名或密码错误")
    settle(page)
    expect(error).to_contain_text("用户名或密码错误")
    login_form(page)
    expect(page.get_by_role("heading", name="本单位首页")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("本单位首页")
    assert not [c for c in context.cookies() if c["name"] == COOKIE]


@pytest.mark.parametrize("path", ["units_accounts", "units", "office"])
def test_protected_paths_on_fresh_server(page: Page, fresh_app_server: AppServer, path: str):
    """Opened directly, before any session has run ``app.py`` on this server.

    ``pages/units_accounts.py`` may then be served as a page of its own; it only
    defines ``render()`` and must show nothing. The navigation paths must show the
    login form.
    """
    page.goto(f"{fresh_app_server.url}/{path}")
    settle(page)
    body = page.locator("body")
    for text in OFFICE_CONTENT:
        expect(body).not_to_contain_text(text)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    expect(page.get_by_role("tab")).to_have_count(0)
    if path != "units_accounts":
        assert_logged_out(page)


def test_logout_revokes_the_cookie_on_the_server(
    page: Page, context: BrowserContext, browser, app_server: AppServer
):
    log_in(page, app_server, "unit1")
    expect(unit1_title(page)).to_be_visible()
    saved = wait_for_cookie(context, present=True)

    # Control: before logout, the copied cookie logs a new browser profile in.
    copy = browser.new_context()
    try:
        copy.add_cookies([saved])
        other = copy.new_page()
        other.goto(app_server.url)
        expect(unit1_title(other)).to_be_visible()
    finally:
        copy.close()

    nav_link(page, "退出").click()
    # The notice is replaced by a rerun about half a second after it appears (see
    # test_logout_notice_stays_visible), so look for it on every animation frame.
    page.wait_for_function(
        "text => document.body.innerText.includes(text)", arg=LOGOUT_NOTICE, polling="raf"
    )
    login_form(page)
    wait_for_cookie(context, present=False)
    settle(page)
    assert_logged_out(page)

    page.reload()
    login_form(page)
    settle(page)
    assert_logged_out(page)

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
        assert_logged_out(again)
    finally:
        replay.close()


def test_office_sees_units_and_accounts(page: Page, app_server: AppServer):
    log_in(page, app_server, "office")
    expect(page.get_by_role("heading", name="管理首页")).to_be_visible()
    link = nav_link(page, "单位与账号")
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", name="单位与账号")).to_be_visible()
    expect(page.get_by_role("tab", name="单位名录")).to_be_visible()
    expect(page.get_by_role("tab", name="用户账号")).to_be_visible()
    assert page.url.rstrip("/").endswith("/units")


@pytest.mark.xfail(
    strict=True,
    reason=(
        "app bug: render_login() pops the notice, then the cookie component's rerun "
        "draws the login page again without it, so 您已安全退出 shows for ~0.5 s only"
    ),
)
def test_logout_notice_stays_visible(page: Page, app_server: AppServer):
    log_in(page, app_server, "unit2")
    expect(page.get_by_role("heading", name="本单位首页 · 区教育局")).to_be_visible()
    nav_link(page, "退出").click()
    login_form(page)
    settle(page)
    expect(page.get_by_text(LOGOUT_NOTICE)).to_be_visible(timeout=1_000)
