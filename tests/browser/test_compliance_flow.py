"""领导看板 and 考核汇总 in Chromium (issue 5's browser test), on the first-run demo.

The leader's home is the dashboard: its KPIs and Altair charts are drawn. The office
downloads the 合规汇总 workbook from 考核汇总; it opens with openpyxl and holds one
row per demo unit on its first sheet.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.conftest import AppServer
from tests.browser.helpers import idle, log_in, settle, shown, wait_for_cookie
from themeday.dev.setup import DEMO_UNITS

pytestmark = pytest.mark.browser

CHARTS_AT_LEAST = 4
"""By month, by form, by unit kind, ranking and the heatmap: some may share a row."""


def test_leader_sees_the_dashboard_charts(page: Page, app_server: AppServer):
    log_in(page, app_server, "leader")
    shown(page.get_by_role("heading", name="领导看板", exact=True))
    settle(page)
    shown(page.get_by_test_id("stMetric").first)
    charts = page.get_by_test_id("stVegaLiteChart")
    shown(charts.first)
    assert charts.count() >= CHARTS_AT_LEAST
    # read-only: no form and no button that writes
    expect(page.get_by_test_id("stForm")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("保存|提交|发布|删除"))).to_have_count(0)


def test_office_downloads_the_compliance_workbook(
    page: Page, app_server: AppServer, tmp_path: Path
):
    log_in(page, app_server, "office")
    shown(page.get_by_role("heading", name="管理首页", exact=True))
    settle(page)
    wait_for_cookie(page.context, present=True)
    page.goto(f"{app_server.url}/assessment")
    shown(page.get_by_role("heading", name="考核汇总", exact=True))
    settle(page)
    page.get_by_role("button", name="生成合规汇总").click()  # with a progress bar
    idle(page)
    button = page.get_by_test_id("stDownloadButton").filter(has_text="合规汇总（Excel）")
    shown(button)
    with page.expect_download() as info:
        button.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    idle(page)
    assert target.suffix == ".xlsx"
    sheet = load_workbook(target).worksheets[0]
    names = {unit[0] for unit in DEMO_UNITS}
    listed = [name for row in sheet.iter_rows(values_only=True) for name in names.intersection(row)]
    assert sorted(listed) == sorted(names)  # each demo unit on exactly one row
