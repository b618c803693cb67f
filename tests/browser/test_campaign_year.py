"""The session's year never changes by itself (issue 13), in Chromium under CPU load.

The demo's current campaign is 2026; a 2027 copy that is not current sits beside it
and is listed first in the sidebar's 活动年度. In several fresh sessions the office
(and the leader) opens every page of the sidebar twice while another process keeps
a core busy; on each page the year at the top of the main area and the selector
must still say 2026. Then a deliberate pick of 2027 holds across pages.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import AppServer, _launch, _stop
from tests.browser.helpers import idle, log_in, nav_link, select_option, settle, shown
from tests.conftest import actor_for
from themeday.repository import Repository
from themeday.services import campaigns
from themeday.services.first_run import open_database
from themeday.storage import db

pytestmark = pytest.mark.browser

OFFICE_PAGES = [
    "活动管理",
    "申报审核",
    "活动计划",
    "活动进展",
    "看板视图",
    "数据表",
    "督办催办",
    "考核汇总",
    "领导看板",
    "单位与账号",
    "节假日维护",
    "管理首页",
]
LEADER_PAGES = ["活动计划", "活动进展", "看板视图", "数据表", "领导看板"]
SESSIONS = 3
"""Fresh office sessions (the old selector lost the year in the second one)."""


def _seed(workdir: Path) -> tuple[int, int]:
    """The demo plus a non-current copy for the next year; (current year, newer year)."""
    workdir.mkdir(parents=True, exist_ok=True)
    con = open_database(workdir / "x.duckdb")
    try:
        repo = Repository(db.cursor(con))
        office = actor_for(repo, "office")
        current = repo.catalogue.current_campaign(office)
        fields = campaigns.fields_for_next_year(current)
        repo.catalogue.create_campaign(office, make_current=False, **fields)
        con.execute("CHECKPOINT")
        return current.year, fields["year"]
    finally:
        con.close()


@pytest.fixture(scope="module")
def year_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, int, int]]:
    workdir = tmp_path_factory.mktemp("year-app")
    current, newer = _seed(workdir)
    server = _launch(workdir)
    yield server, current, newer
    _stop(server.process)


@pytest.fixture
def busy_cpu() -> Iterator[None]:
    """Another process spinning on one of the machine's cores, as on a busy server."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    yield
    spinner.kill()
    spinner.wait(timeout=10)


def assert_year(page: Page, year: int, where: str) -> None:
    """The banner at the top of the main area and the sidebar's selector say ``year``."""
    main = page.get_by_test_id("stMain")
    expect(main, f"{where}: banner").to_contain_text(f"当前年度：{year}年")
    box = page.get_by_test_id("stSidebar").get_by_role("combobox", name="活动年度", exact=True)
    expect(box, f"{where}: selector").to_have_value(re.compile(rf"^{year}年"))


def visit_all(page: Page, titles: list[str], year: int, round_: str) -> None:
    for title in titles:
        nav_link(page, title).click()
        expect(nav_link(page, title)).to_have_attribute("aria-current", "page")
        idle(page)
        assert_year(page, year, f"{round_} {title}")


def open_session(browser: Browser, server: AppServer, username: str) -> Page:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    log_in(page, server, username)
    shown(page.get_by_test_id("stSidebarNav"))
    settle(page)
    return page


def test_the_year_holds_on_every_page_under_load(
    browser: Browser, year_server: tuple[AppServer, int, int], busy_cpu: None
):
    server, current, newer = year_server
    runs = [("office", OFFICE_PAGES)] * SESSIONS + [("leader", LEADER_PAGES)]
    for session, (username, titles) in enumerate(runs):
        page = open_session(browser, server, username)
        try:
            assert_year(page, current, f"{username} #{session} home")
            for round_ in ("first", "second"):
                visit_all(page, titles, current, f"{username} #{session} {round_}")
        finally:
            page.context.close()


def test_a_year_picked_by_hand_holds_across_pages(
    browser: Browser, year_server: tuple[AppServer, int, int]
):
    server, current, newer = year_server
    page = open_session(browser, server, "office")
    try:
        select_option(page.get_by_test_id("stSidebar"), "活动年度", f"{newer}年")
        assert_year(page, newer, "after the pick")
        visit_all(page, OFFICE_PAGES[:6], newer, "picked")
        select_option(page.get_by_test_id("stSidebar"), "活动年度", f"{current}年")
        visit_all(page, OFFICE_PAGES[6:], current, "picked back")
    finally:
        page.context.close()
