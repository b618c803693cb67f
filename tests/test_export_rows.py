"""Exports whose rows are written as sheet XML (themeday.formats.xlsx_rows), read back at a few
hundred rows: every row present and in order, values and types as given, layout kept,
and no formula for text such as ``=HYPERLINK(...)``."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import docx
import numpy as np
import openpyxl
import pandas as pd
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm
from openpyxl import Workbook

from tests.helpers import make_campaign
from themeday.core import compliance
from themeday.core.audit import AuditRow, local_time, table_rows
from themeday.core.config import TZ
from themeday.core.domain import DAXIANG_2023, SYSTEM_ACTOR
from themeday.core.grid import export_rows, grid_table
from themeday.core.records import Activity, Unit
from themeday.core.workdays import WorkdayCalendar
from themeday.dev.bench import generate
from themeday.formats.audit_exports import audit_xlsx
from themeday.formats.compliance_exports import (
    _ACTIVITY_SHEET,
    _CHASE_SHEET,
    _UNIT_SHEET,
    _ordered_units,
    _overdue_table,
    _rows,
    chase_items_xlsx,
    circular_docx,
    compliance_xlsx,
)
from themeday.formats.exports import (
    _annual_rows,
    annual_plan_docx,
    annual_plan_xlsx,
    chase_list_xlsx,
    neutralise,
    view_xlsx,
)
from themeday.formats.xlsx_rows import SheetRows, save, style_id
from themeday.repository import Repository
from themeday.storage import db

HOSTILE = ('=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "\t=1+1", "\r=2+2", "-3+3", " =A1")


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def expected_cell(value: object) -> object:
    """What openpyxl reads back for a value the export was given."""
    if isinstance(value, str):
        return neutralise(value) if value else None
    return value


def same(read: object, given: object) -> bool:
    if isinstance(given, datetime):
        moment = given.astimezone(TZ).replace(tzinfo=None) if given.tzinfo else given
        return isinstance(read, datetime) and abs(read - moment) < timedelta(seconds=1)
    if isinstance(given, date):
        return isinstance(read, datetime) and read.date() == given
    if isinstance(given, float):
        return isinstance(read, int | float) and abs(read - given) < 1e-9
    return read == expected_cell(given) and type(read) is type(expected_cell(given))


def assert_rows(ws, first_row: int, rows: Sequence[Sequence[object]]) -> None:
    """Row by row, cell by cell, and nothing after the last row."""
    got = list(ws.iter_rows(min_row=first_row, values_only=False))
    assert len(got) == len(rows)
    for number, (cells, values) in enumerate(zip(got, rows, strict=True), start=first_row):
        assert len(cells) >= len(values)
        for cell, value in zip(cells, values, strict=False):
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            assert same(cell.value, value), (number, cell.coordinate, cell.value, value)
            if isinstance(value, str) and value:
                assert cell.data_type == "s"
            if isinstance(value, int | float) and not isinstance(value, bool):
                assert cell.data_type == "n"


def no_formula_anywhere(wb: openpyxl.Workbook) -> None:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
                if isinstance(cell.value, str):
                    assert cell.value[:1] not in "=+-@\t\r" or cell.value == "-", cell.value


# --------------------------------------------------------------------------- the writer


def test_sheet_rows_keep_types_order_escapes_and_styles():
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "标题"
    plain = style_id(ws)
    tinted = style_id(ws, number_format="0.00")
    rows = SheetRows(ws, 2, [plain, plain, plain, plain, plain])
    given = []
    for n in range(300):
        values = [
            n,
            f"<b>&{n}</b>" if n % 3 else HOSTILE[n % len(HOSTILE)],
            n / 7,
            date(2023, 4, 1) + timedelta(days=n),
            datetime(2023, 4, 1, 9, 30, tzinfo=UTC) + timedelta(hours=n),
        ]
        given.append(values)
        rows.append(values, height=18 + n % 5, overrides={2: tinted} if n % 2 else None)
    rows.append([np.int64(7), "a\x01b\x1fc", Decimal("1.5"), True, None])
    data = save(wb, rows)
    back = load(data).active
    assert back["A1"].value == "标题"
    assert_rows(back, 2, given + [[7, "abc", 1.5, True, None]])
    assert back["C3"].number_format == "0.00" and back["C2"].number_format == "General"
    assert back["D2"].number_format == "yyyy-mm-dd"
    assert back["E2"].number_format == "yyyy-mm-dd h:mm:ss"
    assert back["E2"].value == datetime(2023, 4, 1, 17, 30)  # Beijing time
    assert back.row_dimensions[3].height == 19
    assert back.max_row == 302  # <dimension> covers the rows written as text
    read_only = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    assert read_only.max_row == 302 and read_only.max_column == 5


def test_a_row_written_by_openpyxl_after_the_text_rows_is_refused():
    wb = Workbook()
    ws = wb.active
    ws["A5"] = "late"
    with pytest.raises(ValueError):
        save(wb, SheetRows(ws, 3, [0]))
    other = Workbook()
    other.active.row_dimensions[4].height = 30  # openpyxl would write an empty row 4
    with pytest.raises(ValueError):
        save(other, SheetRows(other.active, 3, [0]))


def test_an_empty_sheet_rows_gives_a_valid_workbook():
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "only a title"
    back = load(save(wb, SheetRows(ws, 2, [0, 0]))).active
    assert back.max_row == 1 and back["A1"].value == "only a title"


# --------------------------------------------------------------------------- exports.py


def activities(n: int) -> list[Activity]:
    out = []
    for i in range(n):
        title = HOSTILE[i % len(HOSTILE)] if i % 10 == 0 else f"主题{i:04d}"
        out.append(
            Activity(
                id=i + 1,
                declaration_id=i // 3 + 1,
                campaign_id=1,
                unit_id=i // 3 + 1,
                unit_name=f"单位{(i * 7) % 97:03d}",
                seq=i % 3 + 1,
                title=title,
                planned_month=4 + i % 7,
                form="实地调研",
                summary="简介" * (i % 40),
                contact="-张三 0739-1234567",
                activity_date=None,
                place="",
                status="planned",
            )
        )
    return out


def test_annual_plan_xlsx_has_every_row_in_order_and_the_official_layout():
    campaign = make_campaign(DAXIANG_2023)
    acts = activities(400)
    data = annual_plan_xlsx(campaign, acts)
    wb = load(data)
    ws = wb.active
    expected = _annual_rows(campaign, acts)
    assert_rows(ws, 3, expected)
    assert [ws.cell(row=r, column=1).value for r in range(3, 403)] == list(range(1, 401))
    months = [ws.cell(row=r, column=2).value for r in range(3, 403)]
    assert months == sorted(months, key=lambda m: int(m.rstrip("月")))
    assert "A1:" in str(ws.merged_cells) and ws.freeze_panes == "A3"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$2"
    assert ws.column_dimensions["D"].width == 30
    last = ws.cell(row=402, column=4)
    assert last.border.left.style == "thin" and last.alignment.wrap_text
    assert ws.cell(row=402, column=1).alignment.horizontal == "center"
    assert ws.row_dimensions[3 + 39].height > ws.row_dimensions[3].height  # long 简介 wraps
    no_formula_anywhere(wb)


def test_chase_list_xlsx_lists_every_unit():
    units = [
        Unit(i, HOSTILE[i % 7] if i % 9 == 0 else f"单位{i}", "街道", "@李", "+86 1", True, 1)
        for i in range(1, 301)
    ]
    wb = load(chase_list_xlsx(make_campaign(), units, date(2023, 4, 14)))
    ws = wb.active
    due, late = date(2023, 3, 31), 9  # 04-03…04-14 less 清明 (04-05)
    expected = [
        [n, u.name, u.kind, due, late, u.contact_person, u.contact_phone]
        for n, u in enumerate(units, 1)
    ]
    assert_rows(ws, 3, expected)
    assert ws.freeze_panes == "A3" and ws.page_setup.orientation == "portrait"
    no_formula_anywhere(wb)


def test_view_xlsx_keeps_types_order_and_filter():
    given = [
        [
            i,
            HOSTILE[i % len(HOSTILE)] if i % 4 == 0 else f"行{i}",
            datetime(2023, 5, 1, 8, 0, tzinfo=UTC) + timedelta(minutes=i),
            date(2023, 5, 1) + timedelta(days=i % 30),
            i % 2 == 0,
            None,
            Decimal("2.5"),
        ]
        for i in range(350)
    ]
    wb = load(view_xlsx("=标题", ["编号", "名称", "时间", "日期", "是否", "空", "分"], given))
    ws = wb.active
    assert ws["A1"].value == "'=标题" and ws["A1"].font.bold
    assert ws["B2"].value == "名称" and ws["B2"].font.bold
    assert_rows(ws, 3, [[*r[:6], 2.5] for r in given])
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:G352"
    assert ws.page_setup.orientation == "landscape"
    no_formula_anywhere(wb)


def test_audit_xlsx_rows_in_order_with_times():
    start = datetime(2023, 3, 1, tzinfo=UTC)
    rows = [
        AuditRow(
            i,
            start + timedelta(minutes=i),
            HOSTILE[i % len(HOSTILE)] if i % 5 == 0 else f"user{i}",
            "office",
            None,
            "login",
            "session",
            str(i),
            i % 3 != 0,
            "=cmd|' /C calc'!A0" if i % 7 == 0 else "说明",
            row_hash="ab" * 32,
        )
        for i in range(1, 301)
    ]
    wb = load(audit_xlsx(rows, "筛选条件：全部记录"))
    ws = wb.active
    expected = [list(r.values()) for r in table_rows(rows, with_hash=True)]
    assert_rows(ws, 4, expected)
    assert ws["B4"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["B4"].value == local_time(rows[0].occurred_at)
    assert ws.print_title_rows == "$3:$3"
    no_formula_anywhere(wb)


# --------------------------------------------------------------------------- 合规汇总, 催办


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    """A generated campaign (60 units, 300 themes) with formula-like text injected."""
    path = Path(tmp_path_factory.mktemp("rows")) / "bench.duckdb"
    con = db.connect(path)
    generate(con, 60, 300)
    repo = Repository(db.cursor(con))
    campaign = repo.catalogue.get_campaign(SYSTEM_ACTOR, 1)
    calendar = WorkdayCalendar(repo.catalogue.list_workday_overrides(SYSTEM_ACTOR))
    facts = repo.compliance.compliance_facts(SYSTEM_ACTOR, 1)
    result = compliance.compute(facts, campaign.rules, calendar, date(2023, 9, 15))
    acts = result.activities.copy()
    acts.loc[acts.index[::9], "title"] = HOSTILE[0]
    acts.loc[acts.index[1::9], "unit_name"] = HOSTILE[3]
    units = result.units.copy()
    units.loc[units.index[::7], "unit_name"] = HOSTILE[1]
    result = replace(result, activities=acts, units=units)
    yield campaign, result
    con.close()


def test_compliance_xlsx_has_every_unit_and_activity_in_order(generated):
    campaign, result = generated
    assert len(result.activities) >= 250
    wb = load(compliance_xlsx(result, campaign))
    units_ws, acts_ws = wb.worksheets[0], wb.worksheets[1]
    assert_rows(units_ws, 5, _rows(_ordered_units(result), _UNIT_SHEET))
    assert_rows(acts_ws, 4, _rows(result.activities, _ACTIVITY_SHEET))
    assert units_ws.freeze_panes == "C5" and acts_ws.freeze_panes == "D4"
    assert "A1:Z1" in str(units_ws.merged_cells)
    assert acts_ws.page_setup.orientation == "landscape" and acts_ws.print_title_rows == "$3:$3"
    assert acts_ws.cell(row=4, column=9).number_format == "yyyy-mm-dd"
    assert acts_ws.cell(row=4, column=5).number_format == '0"月"'
    assert acts_ws.cell(row=4, column=3).border.top.style == "thin"
    no_formula_anywhere(wb)


def test_chase_items_xlsx_tints_the_light_of_each_row(generated):
    campaign, result = generated
    items = compliance.open_items(result)
    assert len(items) >= 50 and items["light"].nunique() >= 2
    ws = load(chase_items_xlsx(items, campaign, date(2023, 9, 15))).active
    assert_rows(ws, 4, _rows(items.reset_index(drop=True), _CHASE_SHEET))
    colours = {"red": "F8CBAD", "yellow": "FFE699", "green": "C6E0B4"}
    for offset, light in enumerate(items["light"]):
        cell = ws.cell(row=4 + offset, column=2)
        assert cell.fill.start_color.rgb.endswith(colours[light]), (offset, light)
        assert ws.cell(row=4 + offset, column=3).fill.fill_type is None
    assert ws.freeze_panes == "A4"


# --------------------------------------------------------------------------- Word tables


def east_asia_font(cell) -> str | None:
    run = cell.paragraphs[0].runs[0]
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_annual_plan_docx_copies_the_model_row_for_every_activity():
    campaign = make_campaign(DAXIANG_2023)
    acts = activities(300)
    acts[5] = replace(acts[5], summary="第一行\n第二行\t列 & <标签> \x01 ")
    acts[6] = replace(acts[6], title="  前导空格")
    document = docx.Document(io.BytesIO(annual_plan_docx(campaign, acts)))
    (table,) = document.tables
    expected = [[str(v) for v in row] for row in _annual_rows(campaign, acts)]
    got = [[cell.text for cell in row.cells] for row in table.rows]
    assert got[0] == [
        "序号",
        "计划月份",
        "单位",
        "活动主题",
        "活动形式",
        "活动简介",
        "联系人及电话",
    ]
    body = [[t.replace("\x01", "").replace("\r", "\n") for t in row] for row in expected]
    assert got[1:] == body  # every row, in order, texts as given
    assert "第一行\n第二行\t列 & <标签>  " in [row[5] for row in got]
    assert "  前导空格" in [row[3] for row in got]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    last = table.rows[-1].cells
    assert last[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert last[3].paragraphs[0].alignment is None  # text columns stay left
    assert east_asia_font(last[3]) == "宋体" and not last[3].paragraphs[0].runs[0].bold
    assert last[3].width == table.rows[1].cells[3].width and last[3].width > Cm(4)
    section = document.sections[0]
    assert section.page_width > section.page_height


def test_annual_plan_docx_without_activities_has_only_the_header():
    document = docx.Document(io.BytesIO(annual_plan_docx(make_campaign(), [])))
    (table,) = document.tables
    assert len(table.rows) == 1


def test_circular_docx_lists_every_overdue_unit_in_order(generated):
    campaign, result = generated
    overdue = _overdue_table(result.units)
    assert len(overdue) >= 20
    document = docx.Document(io.BytesIO(circular_docx(result, campaign)))
    (table,) = document.tables
    got = [[cell.text for cell in row.cells] for row in table.rows]
    assert got[0][:2] == ["序号", "单位"]
    expected = [
        [str(n), name, str(d), str(p), str(r), str(t)]
        for n, (name, d, p, r, t) in enumerate(
            overdue[["unit_name", "declaration", "plans", "reports", "total"]].itertuples(
                index=False
            ),
            start=1,
        )
    ]
    assert got[1:] == expected
    assert HOSTILE[1] in [row[1] for row in got]  # text stays text in Word
    assert east_asia_font(table.rows[-1].cells[1]) == "仿宋_GB2312"
    assert east_asia_font(table.rows[0].cells[1]) == "黑体"
    paragraphs = [p.text for p in document.paragraphs]
    assert any("四、下一步工作要求" in p for p in paragraphs)  # the text after the table stays


def test_export_rows_blanks_missing_and_space_only_values_and_keeps_order():
    table = grid_table("activities")
    fields = ["title", "planned_month", "activity_date", "status"]
    frame = pd.DataFrame(
        {
            "title": ["甲", "  ", None, "乙", "\u3000"],
            "planned_month": pd.array([4, None, 6, 7, 8], dtype="Int64"),
            "activity_date": pd.to_datetime(["2023-04-03", None, "2023-06-01", None, None]),
            "status": ["planned", "held", None, "reported", "planned"],
        }
    )
    rows = export_rows(table, frame, fields)
    assert [r[0] for r in rows] == ["甲", None, None, "乙", None]
    assert [r[1] for r in rows] == [4, None, 6, 7, 8]
    assert all(type(r[1]) is int for r in rows if r[1] is not None)
    assert rows[0][2] == datetime(2023, 4, 3) and rows[1][2] is None
    status = table.field("status")
    assert [r[3] for r in rows] == [
        status.label_of("planned"),
        status.label_of("held"),
        None,
        status.label_of("reported"),
        status.label_of("planned"),
    ]
    assert rows[1][3] != "held"  # a label, not the stored code
