"""权限分离 in the browser: the 审计管理员 is offered the 审计日志 and nothing else of
the app; the office is no longer offered the 审计日志."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright", reason="playwright is not installed (requirements-dev.txt)")

from playwright.sync_api import Page, expect

from tests.browser.conftest import AppServer
from tests.browser.helpers import log_in, nav_link, settle, shown

pytestmark = pytest.mark.browser

AUDITOR_NAV = ["审计日志", "修改密码", "退出"]
OFFICE_ONLY = ["管理首页", "单位与账号", "活动管理", "申报审核", "数据表", "成果展示"]


def test_the_auditor_sees_only_the_audit_log(page: Page, app_server: AppServer):
    log_in(page, app_server, "auditor")
    shown(page.get_by_role("heading", name="审计日志"))
    shown(page.get_by_role("button", name="校验哈希链"))
    for title in AUDITOR_NAV:
        shown(nav_link(page, title))
    settle(page)
    links = page.get_by_test_id("stSidebarNav").get_by_role("link")
    expect(links).to_have_count(len(AUDITOR_NAV))
    for title in OFFICE_ONLY:
        expect(nav_link(page, title)).to_have_count(0)
    expect(page.get_by_label("活动年度")).to_have_count(0)  # no campaign to pick

    # a bookmark of an office page says so, with a way home, never the office's page
    page.goto(f"{app_server.url}/units")
    shown(page.get_by_text("您没有打开此页面的权限"))
    settle(page)
    expect(page.get_by_role("heading", name="单位与账号")).to_have_count(0)
    page.get_by_role("link", name="返回首页").click()
    shown(page.get_by_role("heading", name="审计日志"))


def test_the_office_no_longer_sees_the_audit_log(page: Page, app_server: AppServer):
    log_in(page, app_server, "office")
    shown(page.get_by_role("heading", name="管理首页"))
    shown(nav_link(page, "单位与账号"))
    settle(page)
    expect(nav_link(page, "审计日志")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("最近操作记录")  # no trail at home

    page.goto(f"{app_server.url}/audit")  # the auditor's address, typed by the office
    shown(page.get_by_text("您没有打开此页面的权限"))
    settle(page)
    expect(page.get_by_role("heading", name="审计日志")).to_have_count(0)
    expect(page.get_by_role("button", name="校验哈希链")).to_have_count(0)
