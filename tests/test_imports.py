"""Imports: filled 申报表 and unit lists, read back with per-row Chinese errors."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from tests.helpers import (
    DANGEROUS,
    make_activity,
    make_campaign,
    make_declaration,
    make_unit,
    sample_activities,
)
from themeday.core.domain import DAXIANG_2023, XIANGJIANG_2023
from themeday.formats.exports import annual_plan_docx, csv_bytes, declaration_xlsx
from themeday.formats.imports import (
    DeclarationImport,
    UnitImport,
    UnitRow,
    parse_declaration_xlsx,
    parse_month,
    parse_units,
)


def xlsx_bytes(rows: list[list[object]], merges: list[str] = ()) -> bytes:
    """A workbook whose first sheet holds ``rows`` (as a unit would type them)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for cell_range in merges:
        ws.merge_cells(cell_range)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def themes_of(activities) -> list[dict]:
    return [
        {
            "title": a.title,
            "planned_month": a.planned_month,
            "form": a.form,
            "summary": a.summary,
            "contact": a.contact,
        }
        for a in sorted(activities, key=lambda a: a.seq)
    ]


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("preset", [XIANGJIANG_2023, DAXIANG_2023])
def test_declaration_round_trip(preset):
    campaign = make_campaign(preset)
    unit = make_unit(name="区财政局")
    activities = sample_activities(unit)
    data = declaration_xlsx(campaign, unit, make_declaration(unit), activities)

    result = parse_declaration_xlsx(data, campaign)

    assert isinstance(result, DeclarationImport)
    assert result.errors == [] and result.ok
    assert (result.unit_name, result.contact_person, result.contact_phone) == (
        "区财政局",
        "张三",
        "0739-5321101",
    )
    expected = themes_of(activities)
    columns = preset.rules.form_columns
    for theme in expected:  # a column the layout lacks comes back empty
        if "活动简介" not in columns:
            theme["summary"] = ""
        if "联系人及电话" not in columns:
            theme["contact"] = ""
    assert result.themes == expected


@pytest.mark.parametrize("preset", [XIANGJIANG_2023, DAXIANG_2023])
def test_round_trip_gives_back_text_that_was_neutralised(preset):
    campaign = make_campaign(preset)
    unit = make_unit(name='=HYPERLINK("http://x")')
    declaration = make_declaration(unit, person="@张三", phone="13812345678")
    activities = [
        make_activity(i, text, 5, unit=unit, summary=text, contact=text)
        for i, text in enumerate(DANGEROUS, start=1)
    ]
    result = parse_declaration_xlsx(
        declaration_xlsx(campaign, unit, declaration, activities), campaign
    )
    assert result.ok, result.errors
    assert result.unit_name == '=HYPERLINK("http://x")'
    assert result.contact_person == "@张三"
    assert [t["title"] for t in result.themes] == [t.strip() for t in DANGEROUS]


def test_blank_template_reports_no_themes():
    campaign = make_campaign(DAXIANG_2023)
    unit = make_unit()
    result = parse_declaration_xlsx(declaration_xlsx(campaign, unit, None, []), campaign)
    assert result.themes == []
    assert result.errors == ["申报表中没有填写任何活动主题。"]
    assert result.unit_name == unit.name and result.contact_phone == unit.contact_phone


# --------------------------------------------------------------------------- hand-filled forms


def test_hand_filled_daxiang_form_with_blank_rows_and_month_variants():
    campaign = make_campaign(DAXIANG_2023)
    rows = [
        ["“政务公开主题日”活动主题申报表"],
        [],
        ["申报单位（盖章）：", "  城西街道办事处 ", "联系人：", "刘六"],
        ["联系电话", "0739 5321101"],
        [],
        ["活动主题", "计划\n月份", "活动形式", "联系人及电话"],
        ["  政策宣讲进社区  ", "5月", "政策发布", "刘六 13812345678"],
        [],
        ["营商环境问卷", 5, "问卷调查", None],
        ["办事大厅开放日", "2023年6月", " 现场观摩 ", "刘六"],
        ["重点项目调研", 7.0, "实地调研", ""],
        ["十月座谈", datetime(2023, 10, 1), "座谈交流", ""],
        ["四月座谈", "四月", "座谈交流", ""],
        ["五月份座谈", "５月份", "座谈交流", ""],
        ["九月座谈", "2023-09", "座谈交流", ""],
        [],
        ["注：1.计划月份一般不晚于2023年10月；2.……"],
        ["这一行在注之后，不读"],
    ]
    result = parse_declaration_xlsx(xlsx_bytes(rows), campaign)
    assert result.errors == []
    assert result.unit_name == "城西街道办事处"
    assert result.contact_person == "刘六"
    assert result.contact_phone == "07395321101"
    assert [(t["title"], t["planned_month"], t["form"]) for t in result.themes] == [
        ("政策宣讲进社区", 5, "政策发布"),
        ("营商环境问卷", 5, "问卷调查"),
        ("办事大厅开放日", 6, "现场观摩"),
        ("重点项目调研", 7, "实地调研"),
        ("十月座谈", 10, "座谈交流"),
        ("四月座谈", 4, "座谈交流"),
        ("五月份座谈", 5, "座谈交流"),
        ("九月座谈", 9, "座谈交流"),
    ]
    assert result.themes[0]["contact"] == "刘六 13812345678"
    assert result.themes[1]["contact"] == ""
    assert all(t["summary"] == "" for t in result.themes)


def test_hand_filled_xiangjiang_form_one_line_header_and_merged_contact():
    campaign = make_campaign(XIANGJIANG_2023)
    rows = [
        ["湖南湘江新区2023年“政务公开主题日”活动主题申报表"],
        ["填报单位（公章）：岳麓街道   联系人：赵七   联系电话：13812345678"],
        ["序号", "活动主题", "活动时间(月份)", "活动形式", "活动简介"],
        [1, "现场观摩政务大厅", "4", "现场观摩", "邀请市民体验"],
        [2, "园区调研", "2023年5月", "实地调研", None],
        [3, None, None, None, None],  # a numbered but empty row of the template
    ]
    result = parse_declaration_xlsx(xlsx_bytes(rows, merges=["A2:E2"]), campaign)
    assert result.errors == []
    assert (result.unit_name, result.contact_person, result.contact_phone) == (
        "岳麓街道",
        "赵七",
        "13812345678",
    )
    assert result.themes == [
        {
            "title": "现场观摩政务大厅",
            "planned_month": 4,
            "form": "现场观摩",
            "summary": "邀请市民体验",
            "contact": "",
        },
        {"title": "园区调研", "planned_month": 5, "form": "实地调研", "summary": "", "contact": ""},
    ]


def test_merged_contact_cell_applies_to_every_row_it_spans():
    campaign = make_campaign(DAXIANG_2023)
    rows = [
        ["活动主题", "计划月份", "活动形式", "联系人及电话"],
        ["主题一", "5月", "座谈交流", "刘六 13812345678"],
        ["主题二", "6月", "政策发布", None],
    ]
    result = parse_declaration_xlsx(xlsx_bytes(rows, merges=["D2:D3"]), campaign)
    assert result.ok, result.errors
    assert [t["contact"] for t in result.themes] == ["刘六 13812345678"] * 2


# --------------------------------------------------------------------------- per-row errors


def daxiang_form(*data_rows: list[object]) -> bytes:
    rows: list[list[object]] = [
        ["“政务公开主题日”活动主题申报表"],
        ["申报单位（盖章）：城西街道", "", "联系人：刘六", "联系电话：13812345678"],
        ["活动主题", "计划月份", "活动形式", "联系人及电话"],
    ]
    return xlsx_bytes(rows + [list(r) for r in data_rows])


def test_bad_month_unknown_form_and_range_are_reported_by_row():
    campaign = make_campaign(DAXIANG_2023)
    data = daxiang_form(
        ["好主题", "5月", "座谈交流", ""],  # row 4: fine
        [],  # row 5: blank
        ["主题A", "五月底", "座谈交流", ""],  # row 6
        ["主题B", "6月", "宣讲", ""],  # row 7
        ["主题C", "11月", "座谈交流", ""],  # row 8: after October
        ["主题D", "2024年5月", "座谈交流", ""],  # row 9: wrong year
        ["", "5月", "", ""],  # row 10
        ["主题F", None, "座谈交流", ""],  # row 11
        ["主题G", 3, "座谈交流", ""],  # row 12: before April
    )
    result = parse_declaration_xlsx(data, campaign)
    assert not result.ok
    assert [t["title"] for t in result.themes] == ["好主题"]
    errors = result.errors
    assert errors[0].startswith("第6行：计划月份无法识别“五月底”")
    assert errors[1].startswith("第7行：活动形式“宣讲”不在本次活动允许的形式中")
    assert errors[2].startswith("第8行：计划月份11月不在本次活动的月份范围（4月至10月）内")
    assert errors[3].startswith("第9行：计划月份“2024年5月”的年份与本次活动（2023年）不符")
    assert "第10行：请填写活动主题。" in errors
    assert "第10行：请填写活动形式。" in errors
    assert "第11行：请填写计划月份。" in errors
    assert errors[-1].startswith("第12行：计划月份3月不在")
    assert len(errors) == 8


def test_campaign_with_extra_form_accepts_it():
    rules = DAXIANG_2023.rules.with_changes(
        allowed_forms=(*DAXIANG_2023.rules.allowed_forms, "现场宣传")
    )
    campaign = make_campaign(DAXIANG_2023, rules=rules)
    result = parse_declaration_xlsx(daxiang_form(["主题", "5月", "现场宣传", ""]), campaign)
    assert result.ok and result.themes[0]["form"] == "现场宣传"


def test_formula_cells_are_reported_not_evaluated():
    campaign = make_campaign(DAXIANG_2023)
    data = daxiang_form(
        ['=HYPERLINK("http://x","点我")', "5月", "座谈交流", ""],
        ["主题", "=4+1", "座谈交流", ""],
    )
    result = parse_declaration_xlsx(data, campaign)
    assert result.themes == []
    assert result.errors[0].startswith("第4行：活动主题是公式")
    assert result.errors[1].startswith("第5行：计划月份是公式（=4+1）")


def test_missing_header_gives_one_error():
    campaign = make_campaign(XIANGJIANG_2023)
    result = parse_declaration_xlsx(xlsx_bytes([["单位", "备注"], ["甲", "乙"]]), campaign)
    assert result.themes == []
    assert len(result.errors) == 1 and "未找到申报表表头" in result.errors[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的。"),
        (os.urandom(4096), "不是有效的 Excel（.xlsx）文件"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(2048), "不是有效的 Excel（.xlsx）文件"),
        (b"PK\x03\x04" + os.urandom(2048), "不是有效的 Excel（.xlsx）文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048), "旧版 .xls"),
        (b"x" * (10 * 1024 * 1024 + 1), "文件过大"),
    ],
    ids=["empty", "random", "exe", "fake-zip", "xls", "too-large"],
)
def test_unreadable_declaration_files(data, message):
    result = parse_declaration_xlsx(data, make_campaign())
    assert result.themes == [] and not result.ok
    assert len(result.errors) == 1 and message in result.errors[0]


def test_a_word_file_renamed_xlsx_is_refused():
    docx_bytes = annual_plan_docx(make_campaign(), [])
    result = parse_declaration_xlsx(docx_bytes, make_campaign())
    assert len(result.errors) == 1 and "不是有效的 Excel" in result.errors[0]


def test_a_zip_bomb_is_refused_before_loading():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (101 * 1024 * 1024))
    result = parse_declaration_xlsx(buffer.getvalue(), make_campaign())
    assert len(result.errors) == 1 and "文件过大" in result.errors[0]


@pytest.mark.parametrize(
    ("value", "month"),
    [
        (5, 5),
        (5.0, 5),
        ("5", 5),
        ("05", 5),
        ("5月", 5),
        (" 5 月 ", 5),
        ("5月份", 5),
        ("五月", 5),
        ("十二月", 12),
        ("2023年5月", 5),
        ("2023-05", 5),
        ("2023.5", 5),
        ("2023/5", 5),
        ("５月", 5),
        (date(2023, 5, 1), 5),
        (datetime(2023, 5, 20), 5),
    ],
)
def test_parse_month_accepts(value, month):
    assert parse_month(value, 2023) == (month, None)


@pytest.mark.parametrize("value", ["五月底", "5-6月", "13月", "0", 5.5, "下半年", True])
def test_parse_month_refuses(value):
    month, why = parse_month(value, 2023)
    assert month is None and why.startswith("计划月份无法识别")


def test_parse_month_year_must_match():
    assert parse_month("2024年5月", 2023)[0] is None
    assert parse_month(datetime(2022, 5, 1), 2023)[0] is None
    assert parse_month("2024年5月") == (5, None)
    assert parse_month(None) == (None, "请填写计划月份")


# --------------------------------------------------------------------------- 单位名单

UNITS_CSV = (
    "单位名称,单位类别,联系人,联系电话\n"
    "区财政局,部门,张三,13812345678\n"
    "\n"
    "城西街道,街道,李四,0739-5321101\n"
    ",,,\n"
    "罗市镇,乡镇,,\n"
)
EXPECTED_UNITS = [
    UnitRow("区财政局", "部门", "张三", "13812345678"),
    UnitRow("城西街道", "街道", "李四", "0739-5321101"),
    UnitRow("罗市镇", "乡镇", "", ""),
]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"])
def test_parse_units_csv_encodings(encoding):
    result = parse_units(UNITS_CSV.encode(encoding), "单位名单.csv")
    assert isinstance(result, UnitImport)
    assert result.errors == [] and result.ok
    assert result.rows == EXPECTED_UNITS


def test_parse_units_xlsx_with_title_row_synonyms_and_numeric_phone():
    rows = [
        ["2023年参与单位名单"],
        ["名称", "类别", "联系人", "联系电话(手机)"],
        ["区财政局 ", " 部门", "张三", 13812345678],
        [None, None, None, None],
        ["城西街道", "街道", "李四", "0739-5321101"],
        ["罗市镇", "乡镇"],
    ]
    result = parse_units(xlsx_bytes(rows), "units.xlsx")
    assert result.errors == []
    assert result.rows == EXPECTED_UNITS


def test_parse_units_reports_bad_rows_by_number_and_duplicates():
    text = (
        "单位名称,单位类别,联系人,联系电话\n"
        "区财政局,部门,张三,13812345678\n"  # row 2
        "城西街道,街道,李四,12345\n"  # row 3: bad phone
        "区财政局,部门,王五,\n"  # row 4: duplicate of row 2
        "罗市镇,村委会,,\n"  # row 5: bad kind
        ",部门,,\n"  # row 6: no name
        "某驻区单位,,,\n"  # row 7: no kind
    )
    result = parse_units(text.encode("utf-8-sig"), "units.csv")
    assert not result.ok
    assert result.rows == [UnitRow("区财政局", "部门", "张三", "13812345678")]
    assert result.errors == [
        "第3行：联系电话格式不正确：手机号为11位数字，座机须带区号（如 0739-5321101）。",
        "第4行：单位名称“区财政局”与第2行重复。",
        "第5行：单位类别“村委会”不正确，应为部门、街道、乡镇、区直单位、驻区单位之一。",
        "第6行：请填写单位名称。",
        "第7行：请填写单位类别。",
    ]


def test_parse_units_formula_cell_is_an_error():
    rows = [["单位名称", "单位类别"], ['=A1&"局"', "部门"]]
    result = parse_units(xlsx_bytes(rows), "units.xlsx")
    assert result.rows == []
    assert result.errors[0] == "第2行：单位名称是公式，请直接填写内容。"


def test_parse_units_reads_back_our_own_csv_export():
    data = csv_bytes(
        [
            {"单位名称": "+新区办", "单位类别": "区直单位", "联系人": "-", "联系电话": ""},
            {"单位名称": "=某局", "单位类别": "部门", "联系人": "@王", "联系电话": "13812345678"},
        ]
    )
    result = parse_units(data, "export.csv")
    assert result.ok, result.errors
    assert [(r.name, r.contact_person) for r in result.rows] == [("+新区办", "-"), ("=某局", "@王")]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (os.urandom(4096), "units.xlsx", "不是有效的 Excel（.xlsx）文件"),
        (b"MZ\x90\x00" * 512, "units.xlsx", "不是有效的 Excel（.xlsx）文件"),
        (b"MZ\x90\x00" * 512, "units.csv", "不是有效的 CSV 文本文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "units.xls", "旧版 .xls"),
        (b"", "units.csv", "文件是空的。"),
        ("单位,备注\n甲,乙\n".encode(), "units.csv", "未找到表头"),
        ("单位名称,联系人\n甲,乙\n".encode(), "units.csv", "未找到表头"),
        ("单位名称,单位类别\n".encode(), "units.csv", "文件中没有单位数据"),
        (b"name", "units.pdf", "仅支持"),
    ],
    ids=["random", "exe", "exe-csv", "xls", "empty", "no-header", "no-kind", "no-rows", "pdf"],
)
def test_parse_units_unreadable_files_give_one_error(data, filename, message):
    result = parse_units(data, filename)
    assert result.rows == [] and not result.ok
    assert len(result.errors) == 1 and message in result.errors[0]


def test_parse_units_xlsx_named_csv_is_read_by_content():
    data = xlsx_bytes([["单位名称", "单位类别"], ["区财政局", "部门"]])
    result = parse_units(data, "units.csv")
    assert result.ok and result.rows == [UnitRow("区财政局", "部门", "", "")]


def test_parse_units_tab_separated_utf16():
    text = "单位名称\t单位类别\n区财政局\t部门\n"
    result = parse_units(text.encode("utf-16"), "units.txt")
    assert result.ok and result.rows == [UnitRow("区财政局", "部门", "", "")]
