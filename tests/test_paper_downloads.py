"""Papers from the pages (issue 16): the leader takes the dashboard's figures and the
活动计划 away; the 通报's system note stays on the screen.

AppTest: the buttons are there, a click builds a file that opens (openpyxl, python-docx)
and writes its audit row.
"""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from openpyxl import load_workbook

from tests.helpers import host
from themeday.core.compliance import ComplianceResult
from themeday.core.domain import SYSTEM_ACTOR
from themeday.formats.dashboard_papers import dashboard_summary_title

DEMO_DAY = date(2026, 11, 23)


def audited(repo) -> list[tuple]:
    return repo.cur.execute(
        "SELECT username, role, success, detail FROM audit_log"
        " WHERE action = 'download' ORDER BY id"
    ).fetchall()


def dashboard(app_db):
    campaign = app_db.catalogue.current_campaign(SYSTEM_ACTOR)
    at = host(app_db, "leader_dashboard", "leader")
    at.session_state[f"dashboard.as_of_{campaign.id}"] = DEMO_DAY
    return at.run(), campaign


def test_the_leader_downloads_the_dashboard_figures(app_db, downloads):
    at, campaign = dashboard(app_db)
    assert not at.exception
    wb = load_workbook(io.BytesIO(downloads.click(at, "看板数据（Excel）")))
    assert wb.sheetnames == ["主要指标", "各月进展", "单位类别", "单位排名"]
    assert wb["主要指标"]["A2"].value == "统计截至：2026年11月23日"
    assert wb["单位排名"].max_row > 4

    document = docx.Document(io.BytesIO(downloads.click(at, "汇报材料（Word，一页）")))
    assert document.paragraphs[0].text == dashboard_summary_title(campaign)
    assert len(document.tables) == 4

    rows = audited(app_db)
    assert [r[:3] for r in rows] == [("leader", "leader", True)] * 2
    assert "文件：领导看板数据（Excel）" in rows[0][3]
    assert "筛选条件：统计截至2026-11-23" in rows[0][3]
    assert "文件：领导看板汇报材料（Word）" in rows[1][3]


@pytest.mark.parametrize("page", ["leader_dashboard", "annual_plan"])
def test_the_leader_downloads_the_annual_plan(app_db, downloads, page):
    leader = app_db.accounts.login_record("leader").user.as_actor()
    campaign = app_db.catalogue.current_campaign(leader)
    plan = app_db.declarations.list_plan(leader, campaign.id)
    assert plan
    at = host(app_db, page, "leader")
    assert not at.exception
    labels = {
        "leader_dashboard": ("活动计划安排表（Excel）", "活动计划安排表（Word）"),
        "annual_plan": ("导出计划安排表（Excel）", "导出计划安排表（Word）"),
    }[page]
    sheet = load_workbook(io.BytesIO(downloads.click(at, labels[0]))).active
    assert sheet["A1"].value.endswith("活动计划安排表（演示）")
    assert sheet.max_row == 2 + len(plan)
    document = docx.Document(io.BytesIO(downloads.click(at, labels[1])))
    assert len(document.tables[0].rows) == 1 + len(plan)
    rows = audited(app_db)
    assert [r[:3] for r in rows] == [("leader", "leader", True)] * 2
    assert "文件：全年活动计划安排表（Excel）" in rows[0][3]
    assert f"行数：{len(plan)}" in rows[0][3]


def test_the_circulars_note_is_on_screen_beside_the_download_not_in_the_paper(
    app_db, downloads, monkeypatch
):
    notice = "2027年节假日安排未录入，日期仅按周末计算"
    monkeypatch.setattr(ComplianceResult, "warning", property(lambda self: notice))
    at = host(app_db, "assessment_summary", "office")
    assert not at.exception
    shown = [w.value for w in at.warning]
    assert f"{notice}，通报中涉及的截止日期请核对后再印发。" in shown
    document = docx.Document(io.BytesIO(downloads.click(at, "通报（Word 草稿）")))
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    body = "\n".join(texts)
    assert notice not in body and "说明" not in body and "未录入" not in body
    assert texts[0].startswith("关于") and texts[0].count("活动") == 1
