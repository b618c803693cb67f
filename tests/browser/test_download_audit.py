"""A download in Chromium leaves its audit row (issue 15's browser test).

On the first-run demo the office opens 活动计划 and downloads the 计划安排表 (Excel);
the file is built on the click and opens with openpyxl. After the server stops, the
database holds exactly one 下载/导出 row by the office naming the file, the campaign
and the row count.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page

from tests.browser.conftest import AppServer, _stop
from tests.browser.helpers import idle, log_in, settle, shown, wait_for_cookie
from tests.conftest import actor_for
from themeday.repository import Repository
from themeday.storage import db

pytestmark = pytest.mark.browser


def test_office_downloads_the_annual_plan_and_it_is_audited(
    page: Page, fresh_app_server: AppServer, tmp_path: Path
):
    server = fresh_app_server
    log_in(page, server, "office")
    shown(page.get_by_role("heading", name="管理首页", exact=True))
    settle(page)
    wait_for_cookie(page.context, present=True)
    page.goto(f"{server.url}/plan")
    shown(page.get_by_role("heading", name="全年活动计划", exact=True))
    settle(page)
    button = page.get_by_test_id("stDownloadButton").filter(has_text="导出计划安排表（Excel）")
    shown(button)
    with page.expect_download() as info:
        button.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    idle(page)
    sheet = load_workbook(target).active
    title = sheet["A1"].value
    assert target.suffix == ".xlsx" and "“政务公开主题日”活动计划安排表" in title
    assert "活动活动" not in title and "）活动" not in title  # built from the campaign name

    _stop(server.process)  # DuckDB: one process per file; the server holds it until now
    con = db.connect(server.workdir / "x.duckdb")
    try:
        rows = con.execute(
            "SELECT username, role, object_type, success, detail FROM audit_log"
            " WHERE action = 'download'"
        ).fetchall()
        repo = Repository(db.cursor(con))
        office = actor_for(repo, "office")
        campaign = repo.catalogue.current_campaign(office)
        planned = len(repo.declarations.list_plan(office, campaign.id))
    finally:
        con.close()
    assert len(rows) == 1
    username, role, object_type, success, detail = rows[0]
    assert (username, role, object_type, success) == ("office", "office", "campaign", True)
    assert "文件：全年活动计划安排表（Excel）" in detail
    assert f"活动：{campaign.year}年 · {campaign.region}" in detail
    assert "筛选条件：无（全部）" in detail
    assert f"行数：{planned}" in detail
    assert f"文件名：{target.name}" in detail
