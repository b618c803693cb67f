"""数据表 in Chromium (issue 6's browser test).

On the first-run demo the office opens 数据表 · 活动, filters the activities by 计划月份,
groups them by unit, changes one activity's 活动日期 in the grid and saves; unit1
opens the same page and sees only its own activities. After the server stops, the
database holds the new date, a field-edit audit row and the 'schedule' row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import AppServer, _launch, _stop
from tests.browser.helpers import (
    HEADER_HEIGHT,
    ROW_HEIGHT,
    alert,
    cell,
    click_grid,
    column,
    editor_grid,
    idle,
    log_in,
    new_page,
    open_page,
    select_option,
    settle,
    shown,
)
from tests.conftest import actor_for
from themeday.core.domain import OPEN_ACTIVITY_STATUSES
from themeday.core.grid import ViewSpec
from themeday.repository import Repository
from themeday.services.first_run import open_database
from themeday.storage import db

pytestmark = pytest.mark.browser


def _seed(workdir: Path) -> dict:
    """The demo; returns the activity unit1 will move, its month and the expected rows."""
    workdir.mkdir(parents=True, exist_ok=True)
    con = open_database(workdir / "x.duckdb")
    try:
        repo = Repository(db.cursor(con))
        office, unit1 = actor_for(repo, "office"), actor_for(repo, "unit1")
        campaign = repo.catalogue.current_campaign(office)
        rows = repo.grid.grid_rows(office, "activities", ViewSpec(), 0, 10_000).rows
        approved = {
            d.id
            for d in repo.declarations.list_declarations(office, campaign.id)
            if d.status == "approved"
        }
        movable = rows[
            (rows["year"] == campaign.year)
            & (rows["unit_id"] == unit1.unit_id)
            & rows["status"].isin([s.value for s in OPEN_ACTIVITY_STATUSES])
            & rows["declaration_id"].isin(approved)
        ]
        target = movable.iloc[0]
        month = int(target["planned_month"])
        in_month = rows[(rows["planned_month"] == month)]
        order = sorted(zip(in_month["unit_name"], in_month["id"], strict=True))
        old = target["activity_date"]
        day = 20 if (old is None or str(old)[:10] != f"{campaign.year}-{month:02d}-20") else 21
        mine = rows[rows["unit_id"] == unit1.unit_id]
        con.execute("CHECKPOINT")
        return {
            "id": int(target["id"]),
            "month": month,
            "new_date": date(campaign.year, month, day),
            "order": [int(i) for _, i in order],
            "unit_names": sorted(set(in_month["unit_name"])),
            "unit1_name": repo.catalogue.get_unit(unit1, unit1.unit_id).name,
            "unit1_count": len(mine),
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def grid_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, dict]]:
    workdir = tmp_path_factory.mktemp("grid-app")
    facts = _seed(workdir)
    server = _launch(workdir)
    yield server, facts
    _stop(server.process)


def table_button(page: Page, label: str) -> Locator:
    """The table picker's button (a segmented control) called ``label``."""
    return page.locator("main button").filter(has_text=re.compile(rf"^{label}$"))


def open_activities(page: Page) -> Locator:
    open_page(page, "数据表", "数据表")
    table_button(page, "活动").click()
    idle(page)
    grid = editor_grid(page)
    shown(grid)
    return grid


def set_date_cell(page: Page, grid: Locator, row: int, day: date) -> None:
    """Open the 活动日期 cell's editor (a date input) and enter ``day``."""
    page.keyboard.press("Escape")
    grid.scroll_into_view_if_needed()
    click_grid(page, grid, 30, HEADER_HEIGHT + ROW_HEIGHT * row + ROW_HEIGHT / 2)
    for _ in range(grid.locator('th[role="columnheader"]').count()):
        page.keyboard.press("ArrowLeft")
    for _ in range(column(grid, "活动日期")):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    editor = page.locator('input[type="date"]')
    shown(editor)
    editor.fill(day.isoformat())
    editor.press("Enter")
    page.wait_for_timeout(300)
    page.keyboard.press("Escape")
    expect(cell(grid, row, "活动日期")).to_have_text(day.isoformat())


def test_office_filters_groups_and_edits_a_date_unit_sees_only_its_rows(
    page: Page, browser: Browser, grid_server: tuple[AppServer, dict]
):
    server, facts = grid_server
    log_in(page, server, "office")
    shown(page.get_by_role("heading", name="管理首页"))
    settle(page)
    grid = open_activities(page)

    # filter by month, group by unit --------------------------------------------------------
    page.get_by_text("筛选、排序与分组").click()
    page.get_by_role("button", name="添加条件", exact=True).click()
    idle(page)
    select_option(page, "条件 1 · 字段", "计划月份")
    select_option(page, "条件", "等于")
    value = page.get_by_label("值", exact=True)
    value.fill(str(facts["month"]))
    value.press("Enter")
    idle(page)
    select_option(page, "分组", "单位名称")
    shown(page.get_by_text(f"共 {len(facts['order'])} 条记录"))
    grid = editor_grid(page)
    expect(grid.locator("tbody tr")).to_have_count(len(facts["order"]))
    for row, activity_id in enumerate(facts["order"]):
        expect(cell(grid, row, "编号")).to_have_text(str(activity_id))
        expect(cell(grid, row, "计划月份")).to_have_text(str(facts["month"]))
    counts = page.get_by_test_id("stDataFrame").filter(has_text="记录数")
    for name in facts["unit_names"]:
        expect(counts.locator("td").filter(has_text=name)).to_have_count(1)

    # edit a date inline and save ------------------------------------------------------------
    row = facts["order"].index(facts["id"])
    set_date_cell(page, grid, row, facts["new_date"])
    page.get_by_role("button", name="保存修改", exact=True).click()
    shown(alert(page, "Success", "已保存 1 条记录的修改。"))
    idle(page)
    grid = editor_grid(page)
    expect(cell(grid, row, "活动日期")).to_have_text(facts["new_date"].isoformat())
    expect(cell(grid, row, "活动状态")).not_to_have_text("已申报")

    # unit1 sees only its own rows ------------------------------------------------------------
    with new_page(browser, server.workdir / "unit1-grid.png") as unit:
        log_in(unit, server, "unit1")
        shown(unit.get_by_role("heading", name=f"本单位首页 · {facts['unit1_name']}"))
        settle(unit)
        grid = open_activities(unit)
        shown(unit.get_by_text(f"共 {facts['unit1_count']} 条记录"))
        expect(grid.locator("tbody tr")).to_have_count(facts["unit1_count"])
        for r in range(facts["unit1_count"]):
            expect(cell(grid, r, "单位名称")).to_have_text(facts["unit1_name"])
        shown(table_button(unit, "申报表"))
        expect(table_button(unit, "账号")).to_have_count(0)
        expect(table_button(unit, "审计日志")).to_have_count(0)

    # the write is in the database, audited field by field ----------------------------------
    _stop(server.process)
    con = db.connect(server.workdir / "x.duckdb")
    try:
        stored = con.execute(
            "SELECT activity_date, status FROM activity WHERE id = ?", [facts["id"]]
        ).fetchall()[0]
        assert stored[0] == facts["new_date"] and stored[1] != "planned"
        edits = con.execute(
            "SELECT detail FROM audit_log WHERE object_type = 'activity' AND object_id = ?"
            " AND action = 'edit' AND username = 'office'",
            [str(facts["id"])],
        ).fetchall()
        assert [json.loads(d[0])["after"] for d in edits] == [facts["new_date"].isoformat()]
        schedule = con.execute(
            "SELECT detail FROM audit_log WHERE object_id = ? AND action = 'schedule'"
            " AND username = 'office'",
            [str(facts["id"])],
        ).fetchall()
        assert schedule and schedule[-1][0].endswith(facts["new_date"].isoformat())
    finally:
        con.close()
