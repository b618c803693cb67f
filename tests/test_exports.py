"""Exports: official xlsx layouts, docx, csv, and formula neutralisation."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import docx
import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from tests.helpers import (
    DANGEROUS,
    make_activity,
    make_campaign,
    make_declaration,
    make_unit,
    sample_activities,
)
from themeday.core.domain import DAXIANG_2023, XIANGJIANG_2023
from themeday.core.records import Activity
from themeday.core.workdays import WorkdayCalendar, WorkdayOverride
from themeday.formats import exports
from themeday.formats.exports import (
    annual_plan_docx,
    annual_plan_xlsx,
    chase_list_xlsx,
    csv_bytes,
    declaration_xlsx,
    neutralise,
)

# --------------------------------------------------------------------------- builders


def load(data: bytes) -> Worksheet:
    return openpyxl.load_workbook(io.BytesIO(data)).active


def row_values(ws: Worksheet, row: int) -> list[object]:
    return [c.value for c in ws[row]]


def assert_no_formulas(ws: Worksheet) -> None:
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)


# --------------------------------------------------------------------------- neutralise


@pytest.mark.parametrize("text", DANGEROUS + ["-", "@", "="])
def test_neutralise_prefixes_formula_starts(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["", "区财政局", "4月", "a=b", "13812345678", "'quoted", "1+1"])
def test_neutralise_leaves_plain_text(text):
    assert neutralise(text) == text


@pytest.mark.parametrize(
    "value", [None, 0, -5, 3.5, Decimal("-1.5"), True, date(2023, 4, 1), datetime(2023, 4, 1, 9)]
)
def test_neutralise_keeps_non_text(value):
    assert neutralise(value) is value


# --------------------------------------------------------------------------- 申报表


def test_declaration_xiangjiang_layout():
    campaign = make_campaign(XIANGJIANG_2023)
    unit = make_unit()
    data = declaration_xlsx(campaign, unit, make_declaration(unit), sample_activities())
    ws = load(data)

    assert ws["A1"].value == "湖南湘江新区2023年“政务公开主题日”活动主题申报表"
    assert "A1:E1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].font.bold and ws["A1"].alignment.horizontal == "center"

    header = [v for v in row_values(ws, 2) if v]
    assert header == ["填报单位（公章）：区财政局", "联系人：张三", "联系电话：0739-5321101"]

    assert row_values(ws, 3) == ["序号", "活动主题", "活动时间(月份)", "活动形式", "活动简介"]
    assert row_values(ws, 4) == [
        1,
        "重点项目建设现场调研",
        "4月",
        "实地调研",
        "重点项目建设现场调研的简介",
    ]
    assert row_values(ws, 5) == [
        2,
        "优化营商环境座谈会",
        "6月",
        "座谈交流",
        "优化营商环境座谈会的简介",
    ]
    assert ws["A4"].data_type == "n" and isinstance(ws["A4"].value, int)

    notes = ws["A6"].value
    assert notes.startswith("注：1.计划月份自2023年4月起；")
    assert "每单位须申报两个主题，其中至少一个主题为“实地调研”或“现场观摩”" in notes
    assert "A6:E6" in {str(r) for r in ws.merged_cells.ranges}

    # bordered, wrapped table; A4 with fit-to-width; the header row repeats on print
    for cell in ws[4]:
        assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
        assert cell.alignment.wrap_text
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$3"
    assert ws.column_dimensions["E"].width > ws.column_dimensions["A"].width
    assert_no_formulas(ws)


def test_declaration_daxiang_layout():
    campaign = make_campaign(DAXIANG_2023)
    unit = make_unit(name="大祥区城西街道", kind="街道")
    data = declaration_xlsx(campaign, unit, make_declaration(unit), sample_activities(unit))
    ws = load(data)

    assert ws["A1"].value == "大祥区2023年“政务公开主题日”活动主题申报表"
    assert ws["A1"].value.endswith("“政务公开主题日”活动主题申报表")
    assert "A1:D1" in {str(r) for r in ws.merged_cells.ranges}
    header = [v for v in row_values(ws, 2) if v]
    assert header == ["申报单位（盖章）：大祥区城西街道", "联系人：张三", "联系电话：0739-5321101"]
    assert row_values(ws, 3) == ["活动主题", "计划月份", "活动形式", "联系人及电话"]
    assert row_values(ws, 4) == ["重点项目建设现场调研", "4月", "实地调研", "王五 0739-1234567"]
    assert row_values(ws, 5) == ["优化营商环境座谈会", "6月", "座谈交流", "李四 13812345678"]
    assert ws["A6"].value == (
        "注：1.计划月份一般不晚于2023年10月；2.活动形式包括实地调研、现场观摩、座谈交流、"
        "政策发布或问卷调查等；3.每单位至少申报一个主题。"
    )
    assert_no_formulas(ws)


def test_blank_declaration_is_a_template_with_the_units_contact():
    campaign = make_campaign(XIANGJIANG_2023)
    unit = make_unit()
    ws = load(declaration_xlsx(campaign, unit, None, []))
    assert "联系人：单位联系人" in row_values(ws, 2)
    assert [ws.cell(row=r, column=1).value for r in (4, 5, 6)] == [1, 2, 3]
    assert all(ws.cell(row=4, column=c).value in (None, "") for c in range(2, 6))
    assert ws["A7"].value.startswith("注：")


def test_declaration_title_without_campaign_title_uses_region_and_year():
    campaign = make_campaign(DAXIANG_2023, title="")
    assert exports.declaration_title(campaign) == "邵阳市大祥区2023年“政务公开主题日”活动主题申报表"


DAXIANG = "大祥区2026年“政务公开主题日”"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2026年政务公开主题日活动", "2026年政务公开主题日活动主题申报表"),
        ("2026年政务公开主题日", "2026年政务公开主题日活动主题申报表"),
        (
            "大祥区2026年“政务公开主题日”活动（演示）",
            "大祥区2026年“政务公开主题日”活动主题申报表（演示）",
        ),
        (
            "  大祥区2026年“政务公开主题日” （演示）",
            "大祥区2026年“政务公开主题日”活动主题申报表（演示）",
        ),
    ],
)
def test_titles_come_from_the_campaign_name_without_doubled_words(name, expected):
    campaign = make_campaign(DAXIANG_2023, title=name)
    assert exports.declaration_title(campaign) == expected
    for title in (
        exports.declaration_title(campaign),
        exports.annual_plan_title(campaign),
        exports.chase_list_title(campaign, date(2026, 4, 1)),
        exports.paper_title(campaign, "活动成果展示"),
    ):
        assert "活动活动" not in title and "）活动" not in title, title
        assert title.count("活动") == 1, title
    assert exports.annual_plan_title(campaign).startswith(name.split("（")[0].strip())


def test_paper_title_places_notes_and_prefix():
    campaign = make_campaign(DAXIANG_2023, title="大祥区2026年“政务公开主题日”活动（演示）")
    assert exports.chase_list_title(campaign, date(2026, 4, 1)) == (
        "大祥区2026年“政务公开主题日”活动未申报单位名单（截至2026年4月1日）（演示）"
    )
    assert exports.paper_title(
        campaign, "开展情况的通报", prefix="关于", note="（征求意见稿）"
    ) == ("关于大祥区2026年“政务公开主题日”活动开展情况的通报（征求意见稿）（演示）")
    assert exports.annual_plan_title(make_campaign(DAXIANG_2023, title="")) == (
        "邵阳市大祥区2023年“政务公开主题日”活动计划安排表"
    )


def test_declaration_columns_default_when_rules_name_none():
    rules = DAXIANG_2023.rules.with_changes(form_columns=())
    assert exports.declaration_columns(rules)[-1] == "联系人及电话"
    assert exports.declaration_columns(XIANGJIANG_2023.rules.with_changes(form_columns=())) == (
        exports.DEFAULT_FORM_COLUMNS
    )


@pytest.mark.parametrize("preset", [XIANGJIANG_2023, DAXIANG_2023])
def test_declaration_neutralises_user_text(preset):
    campaign = make_campaign(preset)
    unit = make_unit(name="=cmd|' /C calc'!A0")
    declaration = make_declaration(unit, person="@SUM(A1)", phone="+8613812345678")
    activities = [
        make_activity(i, text, 5, unit=unit, summary=text, contact=text)
        for i, text in enumerate(DANGEROUS, start=1)
    ]
    ws = load(declaration_xlsx(campaign, unit, declaration, activities))
    assert_no_formulas(ws)
    title_column = list(campaign.rules.form_columns).index("活动主题") + 1
    for offset, text in enumerate(DANGEROUS):
        cell = ws.cell(row=4 + offset, column=title_column)
        assert cell.data_type == "s"
        assert cell.value == "'" + text


# --------------------------------------------------------------------------- 全年计划


def plan_activities() -> list[Activity]:
    a = make_unit(1, "区财政局")
    b = make_unit(2, "城西街道", kind="街道")
    return [
        make_activity(2, "财政二", 5, unit=a, contact="甲 13800000001"),
        make_activity(1, "街道一", 4, unit=b, contact="乙 13800000002"),
        make_activity(1, "财政一", 5, unit=a, contact="甲 13800000001"),
        make_activity(2, "街道二", 5, unit=b, contact="乙 13800000002"),
        make_activity(3, "财政三", 4, unit=a, contact="甲 13800000001"),
    ]


def test_annual_plan_xlsx_xiangjiang():
    campaign = make_campaign(XIANGJIANG_2023)
    ws = load(annual_plan_xlsx(campaign, plan_activities()))

    assert ws["A1"].value == "湖南湘江新区2023年“政务公开主题日”活动计划安排表"
    assert "A1:F1" in {str(r) for r in ws.merged_cells.ranges}
    assert row_values(ws, 2) == ["序号", "计划月份", "单位", "活动主题", "活动形式", "活动简介"]
    body = [row_values(ws, r) for r in range(3, ws.max_row + 1)]
    assert [row[0] for row in body] == [1, 2, 3, 4, 5]
    assert all(ws.cell(row=r, column=1).data_type == "n" for r in range(3, 8))
    # month, then unit (by name), then seq
    assert [(row[1], row[2], row[3]) for row in body] == [
        ("4月", "区财政局", "财政三"),
        ("4月", "城西街道", "街道一"),
        ("5月", "区财政局", "财政一"),
        ("5月", "区财政局", "财政二"),
        ("5月", "城西街道", "街道二"),
    ]

    assert ws.freeze_panes == "A3"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$2"
    for letter in "ABCDEF":
        assert ws.column_dimensions[letter].width
    assert_no_formulas(ws)


def test_annual_plan_xlsx_daxiang_has_contact_column():
    campaign = make_campaign(DAXIANG_2023)
    ws = load(annual_plan_xlsx(campaign, plan_activities()))
    assert ws["A1"].value == "大祥区2023年“政务公开主题日”活动计划安排表"
    assert "A1:G1" in {str(r) for r in ws.merged_cells.ranges}
    assert row_values(ws, 2)[-1] == "联系人及电话"
    assert row_values(ws, 3)[-1] == "甲 13800000001"


def test_annual_plan_xlsx_neutralises_every_text_cell():
    campaign = make_campaign(DAXIANG_2023)
    unit = make_unit(name="@evil")
    activities = [
        make_activity(i, text, 4, unit=unit, summary=text, contact=text)
        for i, text in enumerate(DANGEROUS, start=1)
    ]
    ws = load(annual_plan_xlsx(campaign, activities))
    assert_no_formulas(ws)
    titles = {ws.cell(row=r, column=4).value for r in range(3, ws.max_row + 1)}
    assert titles == {"'" + t for t in DANGEROUS}
    for r in range(3, ws.max_row + 1):
        for c in (3, 4, 6, 7):
            assert ws.cell(row=r, column=c).data_type == "s"


def test_annual_plan_empty_still_has_title_and_header():
    ws = load(annual_plan_xlsx(make_campaign(), []))
    assert ws["A1"].value.endswith("活动计划安排表")
    assert ws.max_row == 2


def test_annual_plan_docx():
    campaign = make_campaign(DAXIANG_2023)
    activities = [*plan_activities(), make_activity(9, '=HYPERLINK("http://x")', 6)]
    document = docx.Document(io.BytesIO(annual_plan_docx(campaign, activities)))

    title = document.paragraphs[0]
    assert title.text == "大祥区2023年“政务公开主题日”活动计划安排表"
    assert title.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    section = document.sections[0]
    assert section.orientation == docx.enum.section.WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height

    table = document.tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == [
        "序号",
        "计划月份",
        "单位",
        "活动主题",
        "活动形式",
        "活动简介",
        "联系人及电话",
    ]
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(1, 7)]
    assert rows[1][1:4] == ["4月", "区财政局", "财政三"]
    assert rows[-1][3] == '=HYPERLINK("http://x")'  # plain text, no field code
    assert "w:fldSimple" not in table._tbl.xml and "w:instrText" not in table._tbl.xml


# --------------------------------------------------------------------------- 催报名单


def test_chase_list_xlsx():
    campaign = make_campaign(XIANGJIANG_2023)  # 申报截止 2023-03-31 (a Friday)
    units = [
        make_unit(1, "区财政局", contact_person="张三", contact_phone="13812345678"),
        make_unit(2, "-城西街道", kind="街道", contact_person="", contact_phone=""),
    ]
    ws = load(chase_list_xlsx(campaign, units, as_of=date(2023, 3, 28)))
    assert ws["A1"].value == (
        "湖南湘江新区2023年“政务公开主题日”活动未申报单位名单（截至2023年3月28日）"
    )
    assert "A1:G1" in {str(r) for r in ws.merged_cells.ranges}
    assert row_values(ws, 2) == [
        "序号",
        "单位名称",
        "单位类别",
        "申报截止日期",
        "逾期工作日",
        "联系人",
        "联系电话",
    ]
    assert row_values(ws, 3) == [
        1,
        "区财政局",
        "部门",
        datetime(2023, 3, 31),
        0,  # not yet due
        "张三",
        "13812345678",
    ]
    assert ws["D3"].number_format == "yyyy-mm-dd" and ws["D3"].is_date
    assert row_values(ws, 4)[:3] == [2, "'-城西街道", "街道"]
    assert ws["G3"].data_type == "s"  # a phone number stays text
    assert ws.freeze_panes == "A3"
    assert ws.print_title_rows == "$1:$2"
    assert_no_formulas(ws)


def test_chase_list_counts_official_working_days_late():
    campaign = make_campaign(XIANGJIANG_2023)  # due Friday 2023-03-31
    units = [make_unit(1, "区财政局")]
    # Mon 04-03 is 1, Tue 04-04 2; 04-05 is 清明 (off), so Thu 04-06 is 3
    for day, late in ((date(2023, 4, 3), 1), (date(2023, 4, 4), 2), (date(2023, 4, 6), 3)):
        ws = load(chase_list_xlsx(campaign, units, as_of=day))
        assert ws["E3"].value == late, day
    # a weekend counts as the next working day (Mon 04-10 is the 5th)
    assert load(chase_list_xlsx(campaign, units, as_of=date(2023, 4, 8)))["E3"].value == 5
    # the office's own entry wins: Thu 04-06 made a holiday leaves Fri 04-07 the 3rd
    friday = date(2023, 4, 7)
    assert load(chase_list_xlsx(campaign, units, as_of=friday))["E3"].value == 4
    entered = WorkdayCalendar([WorkdayOverride(date(2023, 4, 6), False, "放假")])
    assert load(chase_list_xlsx(campaign, units, friday, entered))["E3"].value == 3


def test_chase_list_defaults_to_today():
    ws = load(chase_list_xlsx(make_campaign(), []))
    assert "截至" in ws["A1"].value and "年" in ws["A1"].value


# --------------------------------------------------------------------------- csv


def test_csv_bytes_bom_neutralised_and_numeric():
    rows = [
        {"单位": "区财政局", "主题": "=1+1", "月份": 4, "金额": -5, "日期": date(2023, 4, 1)},
        {"单位": "@SUM(A1)", "主题": "-2+3", "月份": None, "备注": "+86"},
    ]
    data = csv_bytes(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[0] == ["单位", "主题", "月份", "金额", "日期", "备注"]
    assert parsed[1] == ["区财政局", "'=1+1", "4", "-5", "2023-04-01", ""]
    assert parsed[2] == ["'@SUM(A1)", "'-2+3", "", "", "", "'+86"]


def test_csv_bytes_with_columns_and_empty():
    assert csv_bytes([]) == b"\xef\xbb\xbf"
    data = csv_bytes([{"a": 1, "b": "x"}], columns=["b", "a"])
    assert data.decode("utf-8-sig") == "b,a\r\nx,1\r\n"
