"""数据表 from a bookmark in Chromium at 1366×768 (issue 14).

The office saves a filtered, sorted view of 活动 with its page size, logs in, and opens
``/grid?table=activity&view=<id>``: the view's rows are drawn at once, the first of
them inside the window (the filter panel is folded above them), and the address bar
keeps the table and view in the form a bookmark stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import UI_TIMEOUT_MS, AppServer, _launch, _stop
from tests.browser.helpers import (
    HEADER_HEIGHT,
    ROW_HEIGHT,
    cell,
    editor_grid,
    log_in,
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


def _seed(workdir: Path) -> dict:
    """The demo with the office's saved view; returns its id and its first row."""
    workdir.mkdir(parents=True, exist_ok=True)
    con = open_database(workdir / "x.duckdb")
    try:
        repo = Repository(db.cursor(con))
        office = actor_for(repo, "office")
        view_id = repo.save_view(office, "activities", "未取消的活动", VIEW)
        saved = repo.list_saved_views(office, "activities")[0].spec
        page = repo.grid_rows(office, "activities", saved, 0, 50)
        con.execute("CHECKPOINT")
        return {"view": view_id, "first": int(page.rows.iloc[0]["id"]), "total": page.total}
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
