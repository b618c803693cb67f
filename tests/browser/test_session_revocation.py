"""Session revocation in Chromium (issue 7): a copied login cookie stops working.

"Copy the auth cookie, log out, open a new context with that cookie: not logged in"
is ``test_login_flows.test_logout_revokes_the_cookie_on_the_server``. This module adds
the second half: "same after the office disables the user". The office disables the
account through 单位与账号 in its own browser profile (the server process holds the
database), and then

* the copied cookie in a new browser profile shows the login form, and the app
  deletes the refused cookie (a sign that the server has read it);
* the browser that was logged in is logged out on its next click;
* the password no longer logs in.

For the waits (:func:`settle`, :func:`idle`) see ``helpers``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import AppServer
from tests.browser.helpers import (
    alert,
    assert_logged_out,
    idle,
    log_in,
    login_form,
    nav_link,
    new_page,
    open_account,
    settle,
    shown,
    wait_for_cookie,
)

pytestmark = pytest.mark.browser

UNIT2 = "unit2"
UNIT2_TITLE = "本单位首页 · 区教育局"


def unit2_content(page: Page) -> list:
    return [page.get_by_role("heading", name=UNIT2_TITLE), page.get_by_text("区教育局")]


def disable_account(office: Page, server: AppServer, username: str) -> None:
    """The office logs in and clicks 停用账号 for ``username`` in 单位与账号 · 用户账号,
    then 确认停用账号 (it asks first)."""
    open_account(office, server, username)
    button = office.get_by_role("button", name="停用账号", exact=True)
    shown(button)
    button.click()
    confirm = office.get_by_role("button", name="确认停用账号", exact=True)
    shown(confirm)
    idle(office)
    confirm.click()
    shown(alert(office, "Success", f"账号 {username} 已停用"))
    idle(office)
    # still on 用户账号 with the account chosen (the tabs are keyed)
    shown(office.get_by_role("button", name="启用账号", exact=True))


def test_disabling_an_account_revokes_its_cookie(
    page: Page, context: BrowserContext, browser: Browser, app_server: AppServer
):
    # unit2 logs in (browser A) and the cookie is copied.
    log_in(page, app_server, UNIT2)
    shown(page.get_by_role("heading", name=UNIT2_TITLE))
    saved = wait_for_cookie(context, present=True)
    settle(page)

    # Control: before the account is disabled, the copy logs a new profile in.
    with new_page(browser, app_server.workdir / "copy-before.png") as copy:
        copy.context.add_cookies([saved])
        copy.goto(app_server.url)
        shown(copy.get_by_role("heading", name=UNIT2_TITLE))

    with new_page(browser, app_server.workdir / "office.png") as office:
        disable_account(office, app_server, UNIT2)

    # The copied cookie in a new profile: the login form, and the cookie is dropped.
    with new_page(browser, app_server.workdir / "copy-after.png") as replay:
        replay.context.add_cookies([saved])
        replay.goto(app_server.url)
        login_form(replay)
        wait_for_cookie(replay.context, present=False)
        settle(replay)
        assert_logged_out(replay, "the disabled account's cookie in a new browser profile")
        for part in unit2_content(replay):
            expect(part).to_have_count(0)

    # Browser A, still showing unit2's page: its next click ends in the login form.
    nav_link(page, "主题申报").click()
    login_form(page)
    settle(page)
    assert_logged_out(page, "browser A after the account was disabled")
    for part in unit2_content(page):
        expect(part).to_have_count(0)
    page.reload()
    login_form(page)
    settle(page)
    assert_logged_out(page, "browser A reloaded")

    # The password is refused too.
    log_in(page, app_server, UNIT2)
    shown(page.get_by_test_id("stAlertContentError"))  # 用户名或密码错误 (no account probing)
    settle(page)
    assert_logged_out(page, "password of the disabled account")
