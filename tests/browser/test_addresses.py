"""Addresses typed into the browser on a fresh server: never Streamlit's "Page not found".

The first address opened after a start is the one Streamlit would look up in its own
"v1" navigation of ``pages/*.py`` (see ``themeday/ui/serve.py``); later ones are looked
up by name in ``app.py``'s navigation. Both are checked, logged out and logged in, and
the sidebar never lists the screens' file names.
"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright", reason="playwright is not installed (requirements-dev.txt)")

from playwright.sync_api import Page, expect

from pages import SCREENS
from tests.browser.conftest import AppServer
from tests.browser.helpers import (
    UNIT1_TITLE,
    assert_logged_out,
    login_form,
    settle,
    shown,
    unit1_title,
)

pytestmark = pytest.mark.browser

PASSWORD = "Demo@2023"
V1_TITLES = {name.replace("_", " ") for name in SCREENS} | {"app"}
"""How Streamlit's v1 navigation would title ``pages/<file>.py`` and ``app.py``."""


def assert_no_streamlit_notice(page: Page, where: str) -> None:
    """After :func:`settle`: no English "Page not found" and no page list of file names."""
    body = page.locator("body")
    expect(body, f"{where}: English notice").not_to_contain_text("Page not found")
    expect(body, f"{where}: English notice").not_to_contain_text("does not seem to exist")
    nav = page.get_by_test_id("stSidebarNav")
    if nav.count():
        titles = {t.strip() for t in nav.get_by_role("link").all_inner_texts()}
        assert not titles & V1_TITLES, f"{where}: file names listed: {titles & V1_TITLES}"


def open_address(page: Page, server: AppServer, path: str) -> None:
    page.goto(f"{server.url}/{path}")  # a new Streamlit session each time
    page.locator("h1").first.wait_for()
    settle(page)


def log_in_here(page: Page, username: str) -> None:
    login_form(page)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_addresses_right_after_a_start_and_after_login(page: Page, fresh_app_server: AppServer):
    server = fresh_app_server
    # Logged out, the first address opened on this server first.
    for path in ["password", "logout", "data_grid", "review", "units_accounts", "no-such-page"]:
        open_address(page, server, path)
        assert_no_streamlit_notice(page, f"/{path} logged out")
        assert_logged_out(page, f"/{path}")

    # Logging in at another role's address: the unit is told it may not open it.
    open_address(page, server, "review")
    assert page.url.endswith("/review")
    log_in_here(page, "unit1")
    shown(page.get_by_text("您没有打开此页面的权限"))
    settle(page)
    assert_no_streamlit_notice(page, "/review as unit1")
    expect(page.get_by_role("heading", name="申报审核")).to_have_count(0)
    page.get_by_role("link", name="返回首页").click()
    shown(unit1_title(page))

    # Logged in (the cookie logs each new session in): each address opened afresh.
    for path, heading in [
        ("data_grid", UNIT1_TITLE),
        ("unit", UNIT1_TITLE),
        ("no-such-page", UNIT1_TITLE),
        ("review", "无法打开此页面"),
        ("password", "修改密码"),
        ("grid", "数据表"),
    ]:
        open_address(page, server, path)
        shown(page.get_by_role("heading", name=heading))
        assert_no_streamlit_notice(page, f"/{path} as unit1")

    open_address(page, server, "logout")
    assert_no_streamlit_notice(page, "/logout as unit1")
    assert_logged_out(page, "/logout as unit1")


def test_logging_in_at_a_page_address_opens_that_page(page: Page, fresh_app_server: AppServer):
    open_address(page, fresh_app_server, "password")
    assert_no_streamlit_notice(page, "/password logged out")
    log_in_here(page, "office")
    shown(page.get_by_role("heading", name="修改密码"))
    settle(page)
    assert_no_streamlit_notice(page, "/password as office")
    assert page.url.endswith("/password")
