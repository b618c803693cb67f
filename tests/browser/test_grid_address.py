"""数据表 from a bookmark in Chromium at 1366×768 (issue 14).

The office saves a filtered, sorted view of 活动 with its page size, logs in, and opens
``/grid?table=activity&view=<id>``: the view's rows are drawn at once, the first of
them inside the window (the filter panel is folded above them), and the address bar
keeps the table and view in the form a bookmark stores.

The second test makes the view on the page itself (a filter, a sort and 50 rows a
page), picks it, takes the address bar as the bookmark, and opens that in a new
browser profile after a new login: the same rows, the first inside the window, and 50
rows a page again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import UI_TIMEOUT_MS, AppServer, _launch, _stop
from tests.browser.helpers import (
    HEADER_HEIGHT,
    ROW_HEIGHT,
    alert,
    cell,
    choose,
    editor_grid,
    idle,
    log_in,
    select_option,
    settle,
    shown,
)
from tests.conftest import actor_for
from themeday.core.grid import Condition, SortKey, ViewSpec
from themeday.repository import Repository
from themeday.services.first_run import open_database
from themeday.storage import db

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1366, 768
VIEW = ViewSpec(
    conditions=(Condition("status", "ne", "cancelled"),),
    sort=(SortKey("unit_name", True), SortKey("id")),
    page_size=50,
)
MADE = ViewSpec(
    conditions=(Condition("planned_month", "ge", 11),),
    sort=(SortKey("unit_name", True), SortKey("id")),
    page_size=50,
)
"""The view the second test builds on the page: 计划月份 ≥ 11, 单位名称 ↓, 编号 ↑."""
MADE_NAME = "十一月起各单位的活动"


def _seed(workdir: Path) -> dict:
    """The demo with the office's saved view; returns its id and its first row."""
    workdir.mkdir(parents=True, exist_ok=True)
    con = open_database(workdir / "x.duckdb")
    try:
        repo = Repository(db.cursor(con))
        office = actor_for(repo, "office")
        view_id = repo.grid.save_view(office, "activities", "未取消的活动", VIEW)
        saved = repo.grid.list_saved_views(office, "activities")[0].spec
        page = repo.grid.grid_rows(office, "activities", saved, 0, 50)
        made = repo.grid.grid_rows(office, "activities", MADE, 0, 50)
        con.execute("CHECKPOINT")
        return {
            "view": view_id,
            "first": int(page.rows.iloc[0]["id"]),
            "total": page.total,
            "made": [int(i) for i in made.rows["id"]],
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def address_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, dict]]:
    workdir = tmp_path_factory.mktemp("grid-address")
    facts = _seed(workdir)
    server = _launch(workdir)
    yield server, facts
    _stop(server.process)


def test_a_bookmarked_view_opens_with_its_first_row_above_the_fold(
    browser: Browser, address_server: tuple[AppServer, dict]
):
    server, facts = address_server
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    try:
        log_in(page, server, "office")
        shown(page.get_by_role("heading", name="管理首页"))
        settle(page)
        page.goto(f"{server.url}/grid?table=activity&view={facts['view']}")
        shown(page.get_by_role("heading", name="数据表", exact=True))
        grid = editor_grid(page)
        shown(grid)
        settle(page)
        shown(page.get_by_text(f"共 {facts['total']} 条记录"))
        expect(cell(grid, 0, "编号")).to_have_text(str(facts["first"]))
        expect(page.get_by_role("combobox", name="视图", exact=True)).to_have_value("未取消的活动")
        box = grid.bounding_box()
        assert box is not None
        first_row_bottom = box["y"] + HEADER_HEIGHT + ROW_HEIGHT
        assert box["y"] >= 0 and first_row_bottom <= HEIGHT, (
            f"the first row ends at {first_row_bottom:.0f} px, the window is {HEIGHT} px high"
        )
        assert page.url.endswith(f"/grid?table=activities&view={facts['view']}")
    finally:
        context.close()


def _window(browser: Browser) -> Page:
    """A page in a new browser profile, 1366×768."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    return context.new_page()


def _page_size(page: Page, size: int) -> None:
    """Choose ``size`` in 每页行数 (by its exact text: 50 is also how 500 begins)."""
    box = page.get_by_role("combobox", name="每页行数", exact=True)
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name=str(size), exact=True).click()
    expect(box).to_have_value(str(size))
    idle(page)


def _rows_and_fold(page: Page, ids: list[int]) -> None:
    """The grid holds ``ids`` in order, 50 a page, its first row inside the window."""
    grid = editor_grid(page)
    shown(grid)
    shown(page.get_by_text(f"共 {len(ids)} 条记录"))
    expect(page.get_by_role("combobox", name="每页行数", exact=True)).to_have_value("50")
    for row, activity_id in enumerate(ids):
        expect(cell(grid, row, "编号")).to_have_text(str(activity_id))
    box = grid.bounding_box()
    assert box is not None
    first_row_top = box["y"] + HEADER_HEIGHT
    assert 0 <= box["y"] and first_row_top + ROW_HEIGHT <= HEIGHT, (
        f"the first row spans {first_row_top:.0f}–{first_row_top + ROW_HEIGHT:.0f} px,"
        f" the window is {HEIGHT} px high"
    )


def test_a_view_saved_on_the_page_opens_from_its_bookmark_with_its_page_size(
    browser: Browser, address_server: tuple[AppServer, dict]
):
    server, facts = address_server
    page = _window(browser)
    try:
        log_in(page, server, "office")
        shown(page.get_by_role("heading", name="管理首页"))
        settle(page)
        page.goto(f"{server.url}/grid?table=activity")
        shown(editor_grid(page))
        settle(page)

        # a filter, a sort and 50 rows a page, saved as a view ----------------------------
        page.get_by_text("筛选、排序与分组").click()
        page.get_by_role("button", name="添加条件", exact=True).click()
        idle(page)
        select_option(page, "条件 1 · 字段", "计划月份")
        select_option(page, "条件", "大于等于")
        value = page.get_by_label("值", exact=True)
        value.fill("11")
        value.press("Enter")
        idle(page)
        choose(page, "排序（按选择的先后）", "单位名称 ↓降序")
        idle(page)
        choose(page, "排序（按选择的先后）", "编号 ↑升序")
        idle(page)
        _page_size(page, 50)
        _rows_and_fold(page, facts["made"])
        page.get_by_role("button", name="保存或删除视图").click()
        page.get_by_label("视图名称", exact=True).fill(MADE_NAME)
        page.get_by_role("button", name="保存当前筛选为视图").click()
        shown(alert(page, "Success", f"视图「{MADE_NAME}」已保存。"))
        idle(page)
        page.keyboard.press("Escape")
        # the view just saved is the open one, and the address names it
        picker = page.get_by_role("combobox", name="视图", exact=True)
        expect(picker).to_have_value(MADE_NAME)
        expect(page).to_have_url(re.compile(r"/grid\?table=activities&view=\d+$"))
        bookmark = page.url
        # a view picked by hand reruns the grid alone, and still writes the address
        select_option(page, "视图", "（全部记录）")
        expect(page).to_have_url(re.compile(r"/grid\?table=activities$"))
        select_option(page, "视图", MADE_NAME)
        expect(page).to_have_url(bookmark)
        shown(page.get_by_text(f"共 {len(facts['made'])} 条记录"))
    finally:
        page.context.close()

    # the bookmark in a new browser profile, after a new login ----------------------------
    page = _window(browser)
    try:
        log_in(page, server, "office")
        shown(page.get_by_role("heading", name="管理首页"))
        settle(page)
        page.goto(bookmark)
        shown(page.get_by_role("heading", name="数据表", exact=True))
        settle(page)
        expect(page.get_by_role("combobox", name="视图", exact=True)).to_have_value(MADE_NAME)
        _rows_and_fold(page, facts["made"])
        assert page.url == bookmark
    finally:
        page.context.close()
