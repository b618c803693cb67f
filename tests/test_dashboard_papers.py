"""领导看板 papers: the figures workbook and the one-page summary read back (issue 16)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import docx
import openpyxl
import pytest

from themeday.core.compliance import ComplianceResult
from themeday.core.domain import Actor
from themeday.core.records import Campaign
from themeday.formats.dashboard_papers import (
    SUMMARY_TOP,
    dashboard_docx,
    dashboard_summary_title,
    dashboard_xlsx,
    kpi_values,
    month_table,
    ranking_table,
)
from themeday.repository import Repository
from themeday.services.assessment import assess

AS_OF = date(2026, 11, 23)


@pytest.fixture
def campaign(demo: Repository, office: Actor) -> Campaign:
    found = demo.catalogue.current_campaign(office)
    assert found is not None
    return found


@pytest.fixture
def result(demo: Repository, office: Actor, campaign: Campaign) -> ComplianceResult:
    return assess(demo, office, campaign, AS_OF)


def texts_of(document: docx.document.Document) -> list[str]:
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return texts


def test_the_workbook_holds_the_dashboards_figures(result, campaign):
    wb = openpyxl.load_workbook(io.BytesIO(dashboard_xlsx(result, campaign)))
    assert wb.sheetnames == ["主要指标", "各月进展", "单位类别", "单位排名"]
    ws = wb["主要指标"]
    assert ws["A1"].value == "大祥区2026年“政务公开主题日”活动进展情况统计（主要指标）（演示）"
    assert ws["A2"].value == "统计截至：2026年11月23日"
    assert [c.value for c in ws[3]] == ["序号", "指标", "数值", "说明"]
    figures = {ws.cell(r, 2).value: ws.cell(r, 3) for r in range(4, ws.max_row + 1)}
    shown = kpi_values(result)  # what the dashboard shows
    assert figures["参与单位"].value == len(result.units)
    declared, units = shown["已申报单位"].split("/")
    assert figures["已申报单位"].value == int(declared) and int(units) == len(result.units)
    for label in ("活动总数", "已开展", "已报送总结", "已展示", "红灯事项", "黄灯事项"):
        assert figures[label].value == int(shown[label]), label
    for label in ("方案按时率", "总结按时率"):
        cell = figures[label]
        if shown[label] == "—":
            assert cell.value is None
        else:
            assert f"{cell.value:.1%}" == shown[label]
            assert cell.number_format == "0.0%"

    months = wb["各月进展"]
    frame = month_table(result, campaign)
    rows = [[c.value for c in r] for r in months.iter_rows(min_row=4)]
    assert rows == frame.values.tolist()
    assert sum(r[1] for r in rows) == int(shown["活动总数"])  # every live activity once

    ranking = wb["单位排名"]
    rows = [[c.value for c in r] for r in ranking.iter_rows(min_row=4)]
    assert len(rows) == len(result.units)
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert rows[0][1] == ranking_table(result)["单位"].iloc[0]


def test_every_sheet_prints_with_its_header(result, campaign):
    wb = openpyxl.load_workbook(io.BytesIO(dashboard_xlsx(result, campaign)))
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A4", ws.title
        assert ws.print_title_rows == "$3:$3", ws.title
        assert int(ws.page_setup.paperSize) == 9, ws.title  # A4
        assert int(ws.page_setup.fitToWidth) == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert "活动活动" not in ws["A1"].value
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_the_summary_is_one_a4_page_of_figures_without_system_notes(result, campaign):
    unverified = replace(result, unverified_years=(2027,))
    document = docx.Document(io.BytesIO(dashboard_docx(unverified, campaign)))
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    texts = texts_of(document)
    body = "\n".join(texts)
    assert texts[0] == dashboard_summary_title(campaign)
    assert texts[0] == "大祥区2026年“政务公开主题日”活动进展情况（演示）"
    for heading in (
        "一、主要指标",
        "二、各月活动进展",
        "三、得分前列单位",
        "四、红灯事项较多的单位",
    ):
        assert heading in texts
    for label, value in kpi_values(result).items():
        assert label in texts and value in texts, label
    assert "说明" not in body and unverified.warning not in body and "节假日" not in body
    # one page: no page break, and at most SUMMARY_TOP units in each list
    xml = document.element.xml
    assert 'w:type="page"' not in xml and "w:pageBreakBefore" not in xml
    kpis, months, top, overdue = document.tables
    assert len(top.rows) <= SUMMARY_TOP + 1 and len(overdue.rows) <= SUMMARY_TOP + 1
    assert len(months.rows) == 1 + campaign.rules.last_month - campaign.rules.first_month + 1
    assert sum(len(t.rows) for t in document.tables) + len(document.paragraphs) <= 40
    assert top.rows[1].cells[1].text == ranking_table(result)["单位"].iloc[0]


def test_the_summary_stays_one_page_for_many_units(result, campaign):
    """A province has thousands of units: the lists still name SUMMARY_TOP of them."""
    many = result.units.sample(n=600, replace=True, random_state=1).reset_index(drop=True)
    many["unit_name"] = [f"单位{n}" for n in range(len(many))]
    big = replace(result, units=many)
    document = docx.Document(io.BytesIO(dashboard_docx(big, campaign)))
    assert all(len(t.rows) <= max(SUMMARY_TOP + 1, 13) for t in document.tables)
