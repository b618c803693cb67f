"""合规汇总 exports parsed back: the statistics workbook (merged title, two-level headers,
one row per unit and activity, adjustments), CSV with a BOM, the 通报 draft, the 催办
list, and no formula anywhere for text such as ``=HYPERLINK(...)``, ``+1`` or ``@SUM(A1)``."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import replace
from datetime import date, datetime

import docx
import openpyxl
import pandas as pd
import pytest
from docx.oxml.ns import qn
from openpyxl.worksheet.worksheet import Worksheet

from tests.conftest import actor_for
from themeday.core.compliance import ITEM_COLUMNS, ComplianceResult
from themeday.core.domain import Actor
from themeday.core.records import Campaign
from themeday.formats.compliance_exports import (
    CSV_SHEETS,
    chase_items_xlsx,
    circular_docx,
    compliance_csv,
    compliance_xlsx,
)
from themeday.repository import Repository
from themeday.services.assessment import assess, chase_items
from themeday.storage import db

HYPERLINK = '=HYPERLINK("http://x","y")'
DANGEROUS_TITLES = ("+1", "@SUM(A1)", "\t=1+1", "\r=2+2", "-3+3")
AS_OF = date(2026, 11, 23)
TITLE = "大祥区2026年“政务公开主题日”活动开展情况统计表（演示）"  # from the campaign name
UNIT_GROUPS = {"申报": "D3:H3", "活动方案": "I3:L3", "活动总结": "M3:P3"}


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def campaign(demo: Repository, office: Actor) -> Campaign:
    found = demo.catalogue.current_campaign(office)
    assert found is not None
    return found


def assessed(demo: Repository, office: Actor, campaign: Campaign) -> ComplianceResult:
    return assess(demo, office, campaign, AS_OF)


@pytest.fixture
def result(demo: Repository, office: Actor, campaign: Campaign) -> ComplianceResult:
    return assessed(demo, office, campaign)


@pytest.fixture
def hostile(demo: Repository, office: Actor, campaign: Campaign) -> ComplianceResult:
    """The demo with formula-like text in a unit name, activity titles, a contact and an
    adjustment reason."""
    units = demo.catalogue.list_units(office, include_disabled=False)
    first = units[0]
    demo.cur.execute("UPDATE unit SET name = ? WHERE id = ?", [HYPERLINK, first.id])
    demo.cur.execute("UPDATE unit SET contact_person = ? WHERE id = ?", ["@SUM(A1)", first.id])
    ids = assessed(demo, office, campaign).activities["activity_id"].tolist()  # exported ones
    for activity_id, title in zip(ids, DANGEROUS_TITLES, strict=False):
        demo.cur.execute("UPDATE activity SET title = ? WHERE id = ?", [title, activity_id])
    db.bump_data_version(demo.cur)  # written around the doors: tell the caches
    demo.compliance.add_adjustment(office, campaign.id, units[1].id, 3, HYPERLINK)
    demo.compliance.add_adjustment(office, campaign.id, units[2].id, -1.5, "+1 迟报材料")
    return assessed(demo, office, campaign)


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def data_rows(ws: Worksheet, first: int) -> list[tuple[object, ...]]:
    return [
        r for r in ws.iter_rows(min_row=first, values_only=True) if any(v is not None for v in r)
    ]


def header(ws: Worksheet, row: int) -> list[object]:
    return [c.value for c in ws[row]]


def formulas(data: bytes) -> list[str]:
    """Every ``<f>`` element (a formula) in the workbook's sheet XML."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/.*\.xml", n)]
        assert sheets
        for name in sheets:
            found += re.findall(r"<f[ >].*?</f>|<f/>", archive.read(name).decode())
    return found


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# --------------------------------------------------------------------------- sheet 1


def test_unit_sheet_has_the_official_title_merged_headers_and_one_row_per_unit(result, campaign):
    wb = workbook(compliance_xlsx(result, campaign))
    assert wb.sheetnames == ["单位汇总", "活动明细", "加减分记录"]
    ws = wb["单位汇总"]
    last = openpyxl.utils.get_column_letter(ws.max_column)

    assert ws["A1"].value == TITLE
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"A1:{last}1" in merged
    assert ws["A2"].value == "统计截至：2026年11月23日"
    assert f"A2:{last}2" in merged

    # two header rows: groups over their checks, lone columns merged down both rows
    assert {"A3:A4", "B3:B4", "C3:C4"} <= merged
    for group, span in UNIT_GROUPS.items():
        assert ws[span.split(":")[0]].value == group
        assert span in merged
    top = [v for v in header(ws, 3) if v]
    assert top == ["序号", "单位", "单位类别", "申报", "活动方案", "活动总结", "开展与展示", "考核"]
    sub = header(ws, 4)
    assert sub[3:8] == ["状态", "审核状态", "逾期工作日", "主题数量", "规则检查"]
    assert sub[8:12] == ["按时", "逾期报送", "逾期未报", "未到期"]
    assert sub[12:16] == ["按时", "逾期报送", "逾期未报", "未到期"]
    assert {"现场标识", "按计划月份开展", "已展示", "典型经验"} <= set(sub[16:22])
    assert sub[-4:] == ["基础分", "加减分", "得分", "排名"]

    rows = data_rows(ws, 5)
    assert len(rows) == len(result.units) == 12
    expected = result.units.sort_values("rank", kind="stable")
    assert [r[1] for r in rows] == expected["unit_name"].tolist()
    assert [r[0] for r in rows] == list(range(1, 13))
    scores = [r[-2] for r in rows]
    ranks = [r[-1] for r in rows]
    assert all(isinstance(s, int | float) and not isinstance(s, bool) for s in scores)
    assert scores == pytest.approx(expected["score"].tolist())
    assert [r[-4] for r in rows] == pytest.approx(expected["score_base"].tolist())
    assert all(isinstance(r, int) for r in ranks)
    assert ranks == sorted(ranks) == expected["rank"].tolist()
    assert ranks[0] == 1
    plans_missing = [r[10] for r in rows]
    assert plans_missing == expected["plans_missing"].tolist()


def test_unit_sheet_words_for_the_declaration(result, campaign):
    ws = workbook(compliance_xlsx(result, campaign))["单位汇总"]
    rows = {r[1]: r for r in data_rows(ws, 5)}
    units = result.units.set_index("unit_name")
    missing = units[units["declaration_status"] == "missing"].index
    assert len(missing) == 2
    for name in missing:
        status, state, late, themes, checks = rows[name][3:8]
        assert (status, state, themes, checks) == ("逾期未报", "未填报", None, None)
        assert late == units.loc[name, "declaration_late_workdays"] > 0
    on_time = units[units["declaration_status"] == "on_time"].index[0]
    assert rows[on_time][3] == "按时报送"
    assert rows[on_time][5] == 0
    assert rows[on_time][7] == "符合"


def test_unit_sheet_names_the_failed_rule_checks(result, campaign):
    units = result.units.copy()
    first, second = units.index[units["n_themes"].notna()][:2]
    units["themes_count_ok"] = units["themes_count_ok"].astype("boolean")
    units.loc[first, "themes_count_ok"] = False
    units.loc[second, "months_ok"] = False
    ws = workbook(compliance_xlsx(replace(result, units=units), campaign))["单位汇总"]
    checks = {r[1]: r[7] for r in data_rows(ws, 5)}
    assert checks[units.loc[first, "unit_name"]] == "主题数量不符"
    assert checks[units.loc[second, "unit_name"]] == "计划月份超范围"


def test_unit_sheet_print_and_view_settings(result, campaign):
    wb = workbook(compliance_xlsx(result, campaign))
    ws = wb["单位汇总"]
    assert ws.freeze_panes == "C5"  # below the two header rows, right of the unit name
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 8  # A3: 26 columns stay readable
    assert int(ws.page_setup.fitToWidth) == 1
    assert int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$4"
    assert ws.column_dimensions["B"].width >= 20
    assert ws.column_dimensions["A"].width < ws.column_dimensions["B"].width
    assert int(wb["活动明细"].page_setup.paperSize) == 8  # A3: 20 columns
    assert int(wb["加减分记录"].page_setup.paperSize) == 9  # A4: 5 columns
    for name in ("活动明细", "加减分记录"):
        assert wb[name].page_setup.orientation == "landscape"
        assert wb[name].freeze_panes is not None
        assert wb[name].print_title_rows == "$3:$3"
        assert int(wb[name].page_setup.fitToWidth) == 1


def test_the_warning_about_an_unknown_holiday_year_is_in_the_subtitle(result, campaign):
    unverified = replace(result, unverified_years=(2027,))
    assert unverified.warning
    ws = workbook(compliance_xlsx(unverified, campaign))["单位汇总"]
    assert ws["A2"].value.startswith("统计截至：2026年11月23日")
    assert unverified.warning in ws["A2"].value


# --------------------------------------------------------------------------- sheets 2 and 3


def test_activity_sheet_has_one_row_per_activity_with_dates(result, campaign):
    ws = workbook(compliance_xlsx(result, campaign))["活动明细"]
    assert "活动明细" in ws["A1"].value
    assert ws.freeze_panes == "D4"
    head = header(ws, 3)
    for label in (
        "单位", "序号", "活动主题", "活动形式", "计划月份", "活动日期", "状态", "方案截止",
        "方案报送时间", "方案状态", "方案逾期工作日", "总结截止", "总结报送时间", "总结状态",
        "总结逾期工作日", "现场标识照片数", "按计划月份开展", "已展示", "典型经验",
    ):  # fmt: skip
        assert label in head, label
    rows = data_rows(ws, 4)
    acts = result.activities
    assert len(rows) == len(acts) > 5
    col = {label: head.index(label) for label in head}
    assert [r[col["活动主题"]] for r in rows] == acts["title"].tolist()
    assert [r[col["计划月份"]] for r in rows] == acts["planned_month"].tolist()

    first = acts.index[acts["activity_date"].notna()][0]
    cell = ws.cell(row=4 + int(first), column=col["活动日期"] + 1)
    assert isinstance(cell.value, datetime)
    assert cell.value.date() == acts.loc[first, "activity_date"].date()
    assert cell.number_format == "yyyy-mm-dd"
    due = ws.cell(row=4 + int(first), column=col["方案截止"] + 1)
    assert due.number_format == "yyyy-mm-dd"

    late = acts.index[acts["report_status"] == "missing"][0]
    row = rows[int(late)]
    assert row[col["总结状态"]] == "逾期未报"
    assert row[col["总结逾期工作日"]] == acts.loc[late, "report_late_workdays"] > 0
    assert {r[col["已展示"]] for r in rows} <= {"是", "否"}


def test_adjustment_sheet_lists_the_adjustments_with_reasons(demo, office, campaign):
    unit = demo.catalogue.list_units(office, include_disabled=False)[3]
    demo.compliance.add_adjustment(office, campaign.id, unit.id, 3, HYPERLINK)
    result = assessed(demo, office, campaign)
    wb = workbook(compliance_xlsx(result, campaign))
    ws = wb["加减分记录"]
    assert header(ws, 3) == ["单位", "分值", "原因", "操作人", "时间"]
    rows = data_rows(ws, 4)
    assert len(rows) == 1
    name, delta, reason, who, when = rows[0]
    assert (name, delta, who) == (unit.name, 3, "office")
    assert isinstance(delta, int | float)
    assert reason == "'" + HYPERLINK
    assert isinstance(when, datetime)
    units = {r[1]: r for r in data_rows(wb["单位汇总"], 5)}
    assert units[unit.name][-3] == pytest.approx(3)  # 加减分 of the unit


def test_empty_adjustments_still_give_the_header(result, campaign):
    ws = workbook(compliance_xlsx(result, campaign))["加减分记录"]
    assert result.adjustments.empty
    assert header(ws, 3) == ["单位", "分值", "原因", "操作人", "时间"]
    assert data_rows(ws, 4) == []


def test_progress_is_reported_from_start_to_finish(result, campaign):
    calls: list[tuple[float, str]] = []
    compliance_xlsx(result, campaign, lambda fraction, message: calls.append((fraction, message)))
    fractions = [f for f, _ in calls]
    assert len(calls) >= 3
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert all(0.0 <= f <= 1.0 and message for f, message in calls)


# --------------------------------------------------------------------------- injection


def test_no_formula_in_any_sheet_for_formula_like_text(hostile, campaign):
    data = compliance_xlsx(hostile, campaign)
    assert formulas(data) == []
    wb = workbook(data)
    units = data_rows(wb["单位汇总"], 5)
    assert "'" + HYPERLINK in [r[1] for r in units]
    titles = [r[2] for r in data_rows(wb["活动明细"], 4)]
    for text in DANGEROUS_TITLES:
        assert "'" + text in titles, repr(text)
    reasons = [r[2] for r in data_rows(wb["加减分记录"], 4)]
    assert reasons == ["'" + HYPERLINK, "'+1 迟报材料"]
    deltas = [r[1] for r in data_rows(wb["加减分记录"], 4)]
    assert deltas == [3, -1.5]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
                if isinstance(cell.value, str):
                    assert not cell.value.lstrip().startswith(("=", "+", "@", "\t", "\r"))


def test_chase_list_has_no_formula_either(demo, office, campaign):
    unit_id = int(chase_items(demo, office, campaign, AS_OF).iloc[0]["unit_id"])
    demo.cur.execute("UPDATE unit SET name = ? WHERE id = ?", [HYPERLINK, unit_id])
    demo.cur.execute("UPDATE unit SET contact_person = ? WHERE id = ?", ["@SUM(A1)", unit_id])
    demo.cur.execute("UPDATE unit SET contact_phone = ? WHERE id = ?", ["\t=1+1", unit_id])
    db.bump_data_version(demo.cur)  # written around the doors: tell the caches
    items = chase_items(demo, office, campaign, AS_OF)
    data = chase_items_xlsx(items, campaign, AS_OF)
    assert formulas(data) == []
    values = [c.value for row in workbook(data).active.iter_rows(min_row=4) for c in row]
    assert "'" + HYPERLINK in values
    assert "'@SUM(A1)" in values
    assert "'\t=1+1" in values


# --------------------------------------------------------------------------- csv


def test_csv_of_units_has_a_bom_one_row_per_unit_and_plain_numbers(result):
    assert CSV_SHEETS == {
        "units": "单位汇总",
        "activities": "活动明细",
        "adjustments": "加减分记录",
    }
    rows = csv_rows(compliance_csv(result, "units"))
    head, body = rows[0], rows[1:]
    assert head[:3] == ["序号", "单位", "单位类别"]
    assert "活动方案·逾期未报" in head and "活动总结·逾期未报" in head
    assert head[-2:] == ["考核·得分", "考核·排名"]
    assert len(body) == len(result.units) == 12
    expected = result.units.sort_values("rank", kind="stable")
    assert [r[1] for r in body] == expected["unit_name"].tolist()
    assert [float(r[-2]) for r in body] == pytest.approx(expected["score"].tolist())
    assert [int(r[-1]) for r in body] == expected["rank"].tolist()


def test_csv_matches_the_xlsx_columns(result, campaign):
    wb = workbook(compliance_xlsx(result, campaign))
    activities = csv_rows(compliance_csv(result, "activities"))
    assert activities[0] == header(wb["活动明细"], 3)
    assert len(activities) - 1 == len(result.activities)
    adjustments = csv_rows(compliance_csv(result, "adjustments"))
    assert adjustments == [["单位", "分值", "原因", "操作人", "时间"]]
    units = csv_rows(compliance_csv(result, "units"))
    assert len(units[0]) == wb["单位汇总"].max_column
    dates = [r[activities[0].index("活动日期")] for r in activities[1:]]
    assert all(d == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates)


def test_csv_text_is_neutralised(hostile):
    units = csv_rows(compliance_csv(hostile, "units"))
    assert "'" + HYPERLINK in [r[1] for r in units]
    titles = [r[2] for r in csv_rows(compliance_csv(hostile, "activities"))[1:]]
    for text in DANGEROUS_TITLES:
        assert "'" + text in titles
    adjustments = csv_rows(compliance_csv(hostile, "adjustments"))[1:]
    assert [r[2] for r in adjustments] == ["'" + HYPERLINK, "'+1 迟报材料"]
    assert [float(r[1]) for r in adjustments] == [3.0, -1.5]  # numbers are not neutralised


def test_csv_rejects_an_unknown_sheet(result):
    with pytest.raises(ValueError):
        compliance_csv(result, "people")


# --------------------------------------------------------------------------- 通报 docx


def overdue_counts(result: ComplianceResult) -> pd.Series:
    units = result.units.set_index("unit_name")
    total = (
        (units["declaration_status"] == "missing").astype(int)
        + units["plans_missing"]
        + units["reports_missing"]
    )
    return total[total > 0]


def test_circular_has_the_title_counts_and_units_ranked_by_overdue_items(result, campaign):
    document = docx.Document(io.BytesIO(circular_docx(result, campaign)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "关于大祥区2026年“政务公开主题日”活动开展情况的通报（征求意见稿）（演示）"
    body = "\n".join(texts)
    assert "参与单位12个" in body
    declared = int(result.units["declaration_status"].isin(["on_time", "late"]).sum())
    assert f"已申报{declared}个" in body
    assert f"共{int(result.units['n_activities'].sum())}项" in body
    assert f"已开展{int(result.units['n_held'].sum())}项" in body
    assert "按时率" in body
    assert texts[-2:] == [campaign.office_name, "2026年11月23日"]

    assert len(document.tables) == 1
    table = document.tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0][1] == "单位" and rows[0][-1] == "合计"
    expected = overdue_counts(result)
    assert len(rows) - 1 == len(expected) > 0
    totals = [int(r[-1]) for r in rows[1:]]
    assert totals == sorted(totals, reverse=True)
    for row in rows[1:]:
        assert int(row[-1]) == expected[row[1]] == sum(int(v) for v in row[2:5])
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(1, len(rows))]


def test_circular_holds_no_system_note_even_for_an_unknown_holiday_year(result, campaign):
    unverified = replace(result, unverified_years=(2027,))
    assert "2027" in unverified.warning
    document = docx.Document(io.BytesIO(circular_docx(unverified, campaign)))
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    body = "\n".join(texts)
    assert "说明" not in body
    assert "未录入" not in body and unverified.warning not in body
    assert "节假日" not in body


def test_circular_fonts_and_page(result, campaign):
    document = docx.Document(io.BytesIO(circular_docx(result, campaign)))
    section = document.sections[0]
    assert abs(section.page_width.cm - 21.0) < 0.05
    assert abs(section.page_height.cm - 29.7) < 0.05
    title_run = document.paragraphs[0].runs[0]
    fonts = title_run._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) in ("方正小标宋简体", "黑体")
    body_run = document.paragraphs[2].runs[0]
    assert body_run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_circular_names_typical_cases(result, campaign):
    typical = result.activities[result.activities["typical_case"]]
    body = "\n".join(
        p.text for p in docx.Document(io.BytesIO(circular_docx(result, campaign))).paragraphs
    )
    assert "三、典型经验" in body
    if typical.empty:
        assert "暂无推荐的典型经验" in body
    for unit, title in zip(typical["unit_name"], typical["title"], strict=True):
        assert unit in body
        assert title.replace("“", "‘").replace("”", "’") in body


def test_circular_without_overdue_units_says_so(result, campaign):
    clean = replace(
        result,
        units=result.units.assign(declaration_status="on_time", plans_missing=0, reports_missing=0),
    )
    document = docx.Document(io.BytesIO(circular_docx(clean, campaign)))
    assert document.tables == []
    assert any("各单位均无逾期未报事项" in p.text for p in document.paragraphs)


# --------------------------------------------------------------------------- 催办 xlsx


def test_chase_list_has_one_row_per_item_in_order(demo, office, campaign):
    items = chase_items(demo, office, campaign, AS_OF)
    assert len(items) > 0
    ws = workbook(chase_items_xlsx(items, campaign, AS_OF)).active
    assert ws["A1"].value == "大祥区2026年“政务公开主题日”活动督办催办清单（演示）"
    last = openpyxl.utils.get_column_letter(ws.max_column)
    assert f"A1:{last}1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value.startswith("统计截至：2026年11月23日")
    head = header(ws, 3)
    for label in ("提醒", "单位", "事项", "活动主题", "截止日期", "逾期工作日", "剩余工作日"):
        assert label in head
    assert {"联系人", "联系电话", "最近催办"} <= set(head)
    rows = data_rows(ws, 4)
    assert len(rows) == len(items)
    col = {label: head.index(label) for label in head}
    assert [r[col["单位"]] for r in rows] == items["unit_name"].tolist()
    words = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
    for row, light in zip(rows, items["light"], strict=True):
        assert row[col["提醒"]].startswith(words[light])
    kinds = {"declaration": "申报表", "plan": "活动方案", "report": "活动总结"}
    assert [r[col["事项"]] for r in rows] == [kinds[k] for k in items["item_kind"]]
    for row, item in zip(rows, items.itertuples(), strict=True):
        assert row[col["截止日期"]].date() == item.due.date()
        late = None if pd.isna(item.late_workdays) else int(item.late_workdays)
        assert row[col["逾期工作日"]] == late
    assert ws.freeze_panes == "A4"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4


def test_chase_list_shows_when_an_item_was_last_chased(demo, office, campaign, clock):
    items = chase_items(demo, office, campaign, AS_OF)
    first = items.iloc[0]
    demo.compliance.record_chase(
        office, campaign.id, int(first["unit_id"]), first["item"], "电话催办"
    )
    items = chase_items(demo, office, campaign, AS_OF)
    ws = workbook(chase_items_xlsx(items, campaign, AS_OF)).active
    head = header(ws, 3)
    rows = data_rows(ws, 4)
    chased = [r for r in rows if r[head.index("最近催办")] is not None]
    assert len(chased) == 1
    assert chased[0][head.index("最近催办")].date() == clock().date()


def test_an_empty_chase_list_is_still_a_sheet(campaign):
    empty = pd.DataFrame(columns=list(ITEM_COLUMNS))
    ws = workbook(chase_items_xlsx(empty, campaign, AS_OF)).active
    assert header(ws, 3)[1] == "提醒"
    assert data_rows(ws, 4) == []


def test_unit_actor_sees_only_its_own_row(demo, campaign):
    unit = actor_for(demo, "unit1")
    own = assess(demo, unit, campaign, AS_OF)
    ws = workbook(compliance_xlsx(own, campaign))["单位汇总"]
    assert len(data_rows(ws, 5)) == len(own.units) == 1
