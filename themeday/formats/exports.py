"""Files the office and the units download: xlsx in the official layouts, csv, docx.

Pure functions, bytes out: no Streamlit, no SQL. Every text cell goes through
:func:`neutralise` so that Excel or WPS never runs user text as a formula
(DESIGN.md §3 "Exports"); numbers and dates stay numeric.

The layout written by :func:`declaration_xlsx` is the one
:func:`themeday.formats.imports.parse_declaration_xlsx` reads back.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from themeday.core.config import TZ, now
from themeday.core.declaration_rules import late_workdays
from themeday.core.domain import CampaignRules, cn_date
from themeday.core.records import Activity, Campaign, Declaration, Unit
from themeday.core.workdays import WorkdayCalendar
from themeday.formats import docx_rows
from themeday.formats.docx_rows import markers
from themeday.formats.xlsx_rows import SheetRows, save, style_id

__all__ = [
    "CHASE_LIST_COLUMNS",
    "DEFAULT_FORM_COLUMNS",
    "annual_plan_docx",
    "annual_plan_title",
    "annual_plan_xlsx",
    "chase_list_title",
    "chase_list_xlsx",
    "csv_bytes",
    "declaration_columns",
    "declaration_notes",
    "declaration_title",
    "declaration_xlsx",
    "month_label",
    "neutralise",
    "paper_title",
    "view_xlsx",
    # building blocks for other workbooks (合规汇总, 审计日志)
    "FONT_NAME",
    "HEAD_FONT",
    "body_styles",
    "cell_style",
    "data_row",
    "data_rows",
    "header_row",
    "page_setup",
    "put_cell",
    "row_height",
    "set_widths",
    "title_row",
    "workbook_bytes",
    "xml_safe",
]

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n")
"""First characters that make Excel, WPS or LibreOffice read a cell as a formula."""

T = TypeVar("T")

_LEADING_BLANKS = " \u3000\xa0"
_RISKY_FIRST = frozenset(FORMULA_PREFIXES) | frozenset(_LEADING_BLANKS)
_ILLEGAL_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

DEFAULT_FORM_COLUMNS: tuple[str, ...] = ("序号", "活动主题", "计划月份", "活动形式", "活动简介")
"""申报表 columns for a campaign whose rules name none (联系人及电话 added when the rows
carry a contact)."""

CONTACT_COLUMN = "联系人及电话"
CHASE_LIST_COLUMNS: tuple[str, ...] = (
    "序号",
    "单位名称",
    "单位类别",
    "申报截止日期",
    "逾期工作日",
    "联系人",
    "联系电话",
)
"""The 催报名单's columns (:func:`chase_list_xlsx`)."""
NOTES_PREFIX = "注："

_COLUMN_WIDTHS = {
    "序号": 6,
    "活动主题": 30,
    "活动时间(月份)": 15,
    "计划月份": 10,
    "活动形式": 12,
    "活动简介": 44,
    CONTACT_COLUMN: 24,
    "单位": 24,
    "单位名称": 34,
    "单位类别": 12,
    "联系人": 12,
    "联系电话": 18,
    "申报截止日期": 14,
    "逾期工作日": 11,
}
_CENTRED_COLUMNS = {
    "序号",
    "活动时间(月份)",
    "计划月份",
    "活动形式",
    "单位类别",
    "联系电话",
    "申报截止日期",
    "逾期工作日",
}

FONT_NAME = "宋体"
TITLE_FONT_CN = "方正小标宋简体"
"""The title font of an official paper (公文); the next three likewise."""
BODY_FONT_CN = "仿宋_GB2312"
HEADING_FONT_CN = "黑体"
LATIN_FONT = "Times New Roman"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True)
HEAD_FONT = Font(name=FONT_NAME, size=11, bold=True)
_BODY_FONT = Font(name=FONT_NAME, size=11)
_NOTE_FONT = Font(name=FONT_NAME, size=10)

_CHINESE_NUMBERS = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九"}


# --------------------------------------------------------------------------- text safety


def neutralise(value: T) -> T:
    """Make ``value`` safe for a spreadsheet cell: text can never become a formula.

    Text whose first character (after any leading spaces) is ``= + - @``, a tab, CR or
    LF gets a leading apostrophe, as OWASP advises for CSV injection; Excel and WPS then
    show it as text. Numbers, dates, booleans and ``None`` are returned unchanged so they
    stay numeric. :func:`themeday.formats.imports` strips that apostrophe again on import.
    """
    if not isinstance(value, str) or not value:
        return value
    if value[0] not in _RISKY_FIRST:
        return value  # the common case, decided by one look-up
    first = value.lstrip(_LEADING_BLANKS)[:1] or value[0]
    if value[0] in FORMULA_PREFIXES or first in FORMULA_PREFIXES:
        return "'" + value  # type: ignore[return-value]  # str in, str out
    return value


def xml_safe(text: str) -> str:
    """Drop control characters that xlsx and docx cannot store (pasted text has them)."""
    return _ILLEGAL_XML_CHARS.sub("", text)


def month_label(month: int | None) -> str:
    """``4`` → ``"4月"``; an unknown month is an empty string."""
    return f"{month}月" if month else ""


def _chinese_count(n: int) -> str:
    return _CHINESE_NUMBERS.get(n, str(n))


def _join_or(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + "或" + items[-1]


# --------------------------------------------------------------------------- titles and columns


_NAME_NOTE = re.compile(r"（[^（）]*）$")


def paper_title(campaign: Campaign, paper: str, *, prefix: str = "", note: str = "") -> str:
    """An official title built from the campaign's name (活动名称): ``prefix`` + name + ``paper``.

    The name is read as ``<…>活动`` with any note in brackets after it (``（演示）``): the
    note moves to the very end, 活动 is added when the name lacks it and is not repeated
    when ``paper`` starts with it; ``note`` (``（截至…）``) goes before the name's note.
    Without a name the region and year stand in. For example
    ``2026年政务公开主题日活动`` + ``主题申报表`` → ``2026年政务公开主题日活动主题申报表``;
    ``大祥区2026年“政务公开主题日”活动（演示）`` + ``活动计划安排表`` →
    ``大祥区2026年“政务公开主题日”活动计划安排表（演示）``.
    """
    name = campaign.title.strip()
    name_note = ""
    while (found := _NAME_NOTE.search(name)) is not None:
        name_note = found.group(0) + name_note
        name = name[: found.start()].rstrip()
    if not name:
        name = f"{campaign.region.strip()}{campaign.year}年“政务公开主题日”"
    if not name.endswith("活动"):
        name += "活动"
    paper = paper.strip()
    if paper.startswith("活动"):
        paper = paper[len("活动") :]
    return f"{prefix}{name}{paper}{note}{name_note}"


def declaration_title(campaign: Campaign) -> str:
    """The 申报表 title, e.g. ``湖南湘江新区2023年“政务公开主题日”活动主题申报表``."""
    return paper_title(campaign, "主题申报表")


def annual_plan_title(campaign: Campaign) -> str:
    """``<活动名称>计划安排表``, e.g. ``大祥区2023年“政务公开主题日”活动计划安排表``."""
    return paper_title(campaign, "活动计划安排表")


def chase_list_title(campaign: Campaign, as_of: date) -> str:
    """``<活动名称>未申报单位名单（截至2023年4月14日）``."""
    return paper_title(campaign, "未申报单位名单", note=f"（截至{cn_date(as_of)}）")


def declaration_columns(rules: CampaignRules) -> tuple[str, ...]:
    """The campaign's 申报表 columns (``rules.form_columns``, or a default for old rules)."""
    if rules.form_columns:
        return tuple(rules.form_columns)
    if rules.row_has_contact:
        return (*DEFAULT_FORM_COLUMNS, CONTACT_COLUMN)
    return DEFAULT_FORM_COLUMNS


def declaration_notes(campaign: Campaign) -> str:
    """The 注 line under the 申报表, built from the campaign's rules.

    For 大祥区: ``注：1.计划月份一般不晚于2023年10月；2.活动形式包括实地调研、…或问卷调查等；
    3.每单位至少申报一个主题。``
    """
    rules = campaign.rules
    if rules.last_month < 12:
        months = f"计划月份一般不晚于{campaign.year}年{rules.last_month}月"
    else:
        months = f"计划月份自{campaign.year}年{rules.first_month}月起"
    forms = f"活动形式包括{_join_or(list(rules.allowed_forms))}等"
    count = _chinese_count(rules.themes_count)
    themes = f"每单位{'须' if rules.themes_exact else '至少'}申报{count}个主题"
    if rules.required_forms:
        quoted = [f"“{f}”" for f in rules.required_forms]
        themes += f"，其中至少一个主题为{_join_or(quoted)}"
    return f"{NOTES_PREFIX}1.{months}；2.{forms}；3.{themes}。"


# --------------------------------------------------------------------------- xlsx helpers


def put_cell(
    ws: Worksheet,
    row: int,
    column: int,
    value: object,
    *,
    font: Font = _BODY_FONT,
    horizontal: str = "left",
    border: bool = True,
    wrap: bool = True,
) -> Cell:
    """Write one cell: text neutralised and stored as a string (data type ``s``)."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = xml_safe(neutralise(value))
        cell.data_type = "s"  # never "f" (formula) nor "e" (an error code like #N/A)
    elif isinstance(value, bool | int | float | Decimal | date | datetime) or value is None:
        cell.value = value
    else:
        cell.value = xml_safe(str(neutralise(str(value))))
        cell.data_type = "s"
    cell.font = font
    cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=wrap)
    if border:
        cell.border = _BORDER
    return cell


_WIDE_CHARS = re.compile("[\u2e80-\U0010ffff]")


def _text_units(text: str) -> float:
    """Approximate width of ``text`` in Excel column units (CJK characters are wide)."""
    wide = len(_WIDE_CHARS.findall(text))
    return 2.0 * wide + 1.1 * (len(text) - wide)


def row_height(
    texts: Iterable[tuple[str, float]], line: float = 15.0, minimum: float = 20.0
) -> float:
    """A row height that shows every wrapped line of ``(text, column width)`` pairs."""
    lines = 1
    for text, width in texts:
        usable = max(width - 1.0, 1.0)
        if 2.0 * len(text) <= usable and "\n" not in text:
            continue  # fits on one line even if every character is wide
        count = sum(max(1, math.ceil(_text_units(part) / usable)) for part in text.split("\n"))
        lines = max(lines, count)
    return min(409.0, max(minimum, lines * line + 6))


def set_widths(ws: Worksheet, columns: Sequence[str]) -> list[float]:
    widths = []
    for index, name in enumerate(columns, start=1):
        width = float(_COLUMN_WIDTHS.get(name, 16))
        ws.column_dimensions[get_column_letter(index)].width = width
        widths.append(width)
    return widths


def title_row(ws: Worksheet, text: str, columns: int, row: int = 1) -> None:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    put_cell(ws, row, 1, text, font=_TITLE_FONT, horizontal="center", border=False)
    ws.row_dimensions[row].height = 36


def header_row(ws: Worksheet, row: int, columns: Sequence[str]) -> None:
    for index, name in enumerate(columns, start=1):
        put_cell(ws, row, index, name, font=HEAD_FONT, horizontal="center")
    ws.row_dimensions[row].height = 30


def data_row(
    ws: Worksheet, row: int, columns: Sequence[str], values: Sequence[object], widths: list[float]
) -> None:
    for index, (name, value) in enumerate(zip(columns, values, strict=True), start=1):
        put_cell(ws, row, index, value, horizontal="center" if name in _CENTRED_COLUMNS else "left")
    ws.row_dimensions[row].height = row_height(
        (str(v), w) for v, w in zip(values, widths, strict=True) if isinstance(v, str)
    )


def cell_style(
    ws: Worksheet,
    horizontal: str = "left",
    *,
    number_format: str | None = None,
    fill: PatternFill | None = None,
) -> int:
    """The style index of a bordered, wrapped body cell as :func:`put_cell` writes it,
    for rows written by :class:`themeday.formats.xlsx_rows.SheetRows`."""
    return style_id(
        ws,
        font=_BODY_FONT,
        horizontal=horizontal,
        wrap=True,
        border=_BORDER,
        number_format=number_format,
        fill=fill,
    )


def body_styles(
    ws: Worksheet, columns: Sequence[str], number_formats: Mapping[str, str] | None = None
) -> list[int]:
    """The style of each column's data cells as :func:`data_row` writes them, with a
    number format for the columns ``number_formats`` names."""
    formats = number_formats or {}
    return [
        cell_style(ws, "center" if n in _CENTRED_COLUMNS else "left", number_format=formats.get(n))
        for n in columns
    ]


def data_rows(
    ws: Worksheet,
    first_row: int,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    widths: list[float],
    number_formats: Mapping[str, str] | None = None,
) -> SheetRows:
    """Many rows laid out as :func:`data_row` lays out one, kept as XML for
    :func:`themeday.formats.xlsx_rows.save` (fast for tens of thousands of rows)."""
    sheet = SheetRows(ws, first_row, body_styles(ws, columns, number_formats))
    for values in rows:
        height = row_height(
            (v, w) for v, w in zip(values, widths, strict=True) if isinstance(v, str) and v
        )
        sheet.append(values, height)
    return sheet


def page_setup(
    ws: Worksheet,
    *,
    landscape: bool,
    title_rows: str | None,
    footer: bool = True,
    paper: str = "A4",
) -> None:
    """Print setup: ``paper`` (``A4`` or ``A3``), orientation, fit to one page wide,
    ``title_rows`` (``"3:4"``) repeated on every page, centred, a page-number footer."""
    sizes = {"A4": ws.PAPERSIZE_A4, "A3": ws.PAPERSIZE_A3}
    if paper not in sizes:
        raise ValueError(f"unknown paper size {paper!r}")
    ws.page_setup.paperSize = sizes[paper]
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = title_rows
    if footer:
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _ordered(activities: Iterable[Activity]) -> list[Activity]:
    return sorted(activities, key=lambda a: (a.seq, a.id))


# --------------------------------------------------------------------------- 申报表


def _declaration_cell(column: str, activity: Activity | None, number: int) -> object:
    """The value of one 申报表 cell for ``activity`` (blank rows get only their 序号)."""
    if column == "序号":
        return number
    if activity is None:
        return ""
    if column in ("活动主题", "主题"):
        return activity.title
    if "月" in column or column in ("活动时间", "计划时间"):
        return month_label(activity.planned_month)
    if column in ("活动形式", "形式"):
        return activity.form
    if column in ("活动简介", "简介", "活动内容"):
        return activity.summary
    if column.startswith("联系"):
        return activity.contact
    return ""


def declaration_xlsx(
    campaign: Campaign,
    unit: Unit,
    declaration: Declaration | None,
    activities: list[Activity],
) -> bytes:
    """The unit's filled 申报表 in its campaign's layout (``rules.form_columns``).

    Row 1 is the merged title, row 2 names the unit (填报单位/申报单位), 联系人 and
    联系电话, row 3 holds the columns and one row per activity follows in ``seq`` order,
    months written like ``4月``. A 注 line built from the rules closes the table. Without
    activities the form is a blank template with numbered empty rows. Without a
    declaration the unit's own contact is filled in.
    """
    rules = campaign.rules
    columns = declaration_columns(rules)
    n = len(columns)
    wb = Workbook()
    ws = wb.active
    ws.title = "申报表"
    widths = set_widths(ws, columns)

    title_row(ws, declaration_title(campaign), n)

    unit_label = "申报单位（盖章）" if rules.row_has_contact else "填报单位（公章）"
    if declaration is not None:
        person, phone = declaration.contact_person, declaration.contact_phone
    else:
        person, phone = unit.contact_person, unit.contact_phone
    header = [f"{unit_label}：{unit.name}", f"联系人：{person}", f"联系电话：{phone}"]
    if n >= 3:
        spans = [(1, n - 2), (n - 1, n - 1), (n, n)]
    else:  # a campaign with very few columns: one line per field
        spans = []
    if spans:
        for text, (start, end) in zip(header, spans, strict=True):
            if end > start:
                ws.merge_cells(start_row=2, start_column=start, end_row=2, end_column=end)
            put_cell(ws, 2, start, text, border=False, wrap=True)
        header_widths = [sum(widths[s - 1 : e]) for s, e in spans]
        ws.row_dimensions[2].height = row_height(zip(header, header_widths, strict=True), 16, 28)
        table_row = 3
    else:
        for offset, text in enumerate(header):
            ws.merge_cells(start_row=2 + offset, start_column=1, end_row=2 + offset, end_column=n)
            put_cell(ws, 2 + offset, 1, text, border=False)
        table_row = 2 + len(header)

    header_row(ws, table_row, columns)
    rows: list[Activity | None] = list(_ordered(activities))
    if not rows:
        rows = [None] * max(rules.themes_count, 3)
    row = table_row
    for number, activity in enumerate(rows, start=1):
        row += 1
        values = [_declaration_cell(c, activity, number) for c in columns]
        data_row(ws, row, columns, values, widths)
        if activity is None:
            ws.row_dimensions[row].height = 36

    notes = declaration_notes(campaign)
    row += 1
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n)
    put_cell(ws, row, 1, notes, font=_NOTE_FONT, border=False)
    ws.row_dimensions[row].height = row_height([(notes, sum(widths) * 1.1)], 14, 20)

    page_setup(ws, landscape=False, title_rows=f"{table_row}:{table_row}", footer=False)
    return workbook_bytes(wb)


# --------------------------------------------------------------------------- 全年计划


def _annual_columns(rules: CampaignRules) -> list[str]:
    columns = ["序号", "计划月份", "单位", "活动主题", "活动形式", "活动简介"]
    if rules.row_has_contact:
        columns.append(CONTACT_COLUMN)
    return columns


def _annual_order(activities: Iterable[Activity]) -> list[Activity]:
    return sorted(
        activities, key=lambda a: (a.planned_month or 99, a.unit_name, a.unit_id, a.seq, a.id)
    )


def _annual_rows(campaign: Campaign, activities: Iterable[Activity]) -> list[list[object]]:
    has_contact = campaign.rules.row_has_contact
    rows: list[list[object]] = []
    for number, a in enumerate(_annual_order(activities), start=1):
        row: list[object] = [
            number,
            month_label(a.planned_month),
            a.unit_name,
            a.title,
            a.form,
            a.summary,
        ]
        if has_contact:
            row.append(a.contact)
        rows.append(row)
    return rows


def annual_plan_xlsx(campaign: Campaign, activities: list[Activity]) -> bytes:
    """The 全年“政务公开主题日”活动计划安排表 as xlsx.

    Rows are ordered by month, then unit, then ``seq``; 序号 runs 1..n as numbers. The
    header row is frozen and repeated on every printed page; A4 landscape, fit to width.
    The caller chooses which activities belong in the plan (usually the approved ones).
    """
    columns = _annual_columns(campaign.rules)
    wb = Workbook()
    ws = wb.active
    ws.title = "全年计划"
    widths = set_widths(ws, columns)
    title_row(ws, annual_plan_title(campaign), len(columns))
    header_row(ws, 2, columns)
    rows = data_rows(ws, 3, columns, _annual_rows(campaign, activities), widths)
    ws.freeze_panes = "A3"
    page_setup(ws, landscape=True, title_rows="1:2")
    return save(wb, rows)


_DOCX_WEIGHTS = {
    "序号": 1.0,
    "计划月份": 1.6,
    "单位": 3.2,
    "活动主题": 4.2,
    "活动形式": 1.8,
    "活动简介": 6.0,
    CONTACT_COLUMN: 3.0,
}


def docx_font(
    run: Any, east_asia: str, size: float, bold: bool = False, latin: str = LATIN_FONT
) -> None:
    """Set a Word run's fonts, the Chinese one as ``w:eastAsia`` so Word and WPS use it."""
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = latin
    props = run._element.get_or_add_rPr()
    fonts = props.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        props.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)


def a4_portrait_document(
    top: float, bottom: float, left: float, right: float, body_size: float
) -> Any:
    """A new Word document on A4 portrait with these margins (cm), its Normal style in
    the official body font (:data:`BODY_FONT_CN`) at ``body_size`` points."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(top), Cm(bottom)
    section.left_margin, section.right_margin = Cm(left), Cm(right)
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(body_size)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT_CN)
    return document


def annual_plan_docx(campaign: Campaign, activities: list[Activity]) -> bytes:
    """The same 全年活动计划安排表 as a Word document (A4 landscape, centred title).

    All text is inserted as plain runs; the header row repeats on every page.
    """

    def font(run: Any, size: float, bold: bool = False) -> None:
        docx_font(run, FONT_NAME, size, bold, latin=FONT_NAME)

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(2.0)

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(heading.add_run(xml_safe(annual_plan_title(campaign))), 18, bold=True)

    columns = _annual_columns(campaign.rules)
    rows = _annual_rows(campaign, activities)
    # a header and one model row, copied per activity as XML (docx_rows): python-docx
    # costs about a millisecond a cell
    model = [markers(len(columns))] if rows else []
    table = document.add_table(rows=1 + len(model), cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    usable = 29.7 - 4.0
    total = sum(_DOCX_WEIGHTS.get(c, 2.0) for c in columns)
    widths = [Cm(usable * _DOCX_WEIGHTS.get(c, 2.0) / total) for c in columns]

    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid LibreOffice and WPS go by
    header_props = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)

    # table.cell(r, c) rebuilds the cell list on every call: walk rows and cells instead
    for row_index, (row, values) in enumerate(
        zip(table.rows, [list(columns), *model], strict=True)
    ):
        for col_index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = widths[col_index]
            paragraph = cell.paragraphs[0]
            if row_index == 0 or columns[col_index] in _CENTRED_COLUMNS:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            font(paragraph.add_run(xml_safe(str(value))), 10.5, bold=row_index == 0)

    return docx_rows.save(document, ([str(v) for v in values] for values in rows))


# --------------------------------------------------------------------------- 催报名单


def chase_list_xlsx(
    campaign: Campaign,
    units: list[Unit],
    as_of: date | None = None,
    calendar: WorkdayCalendar | None = None,
) -> bytes:
    """催报名单: the units (passed in, already filtered) that have not submitted.

    The title names the date the list is true for (``as_of``, default today in
    Asia/Shanghai). Columns 序号, 单位名称, 单位类别, 申报截止日期 (a date), 逾期工作日 (the
    official working days from the deadline to ``as_of`` by ``calendar``, the office's
    overrides included; 0 before the deadline has passed), 联系人, 联系电话: what a
    催报 notice needs. A4 portrait, header frozen and repeated on every page.
    """
    if as_of is None:
        as_of = now().date()
    if calendar is None:
        calendar = WorkdayCalendar()
    deadline = campaign.rules.declaration_deadline
    # counted as declaration_rules counts a submission made at noon on the as-of day
    late = late_workdays(deadline, datetime.combine(as_of, time(12), TZ), calendar)
    columns = list(CHASE_LIST_COLUMNS)
    wb = Workbook()
    ws = wb.active
    ws.title = "未申报单位"
    widths = set_widths(ws, columns)
    title = chase_list_title(campaign, as_of)
    title_row(ws, title, len(columns))
    ws.row_dimensions[1].height = row_height([(title, sum(widths) / 1.6)], 22, 36)
    header_row(ws, 2, columns)
    values = (
        [number, unit.name, str(unit.kind), deadline, late, unit.contact_person, unit.contact_phone]
        for number, unit in enumerate(units, start=1)
    )
    rows = data_rows(ws, 3, columns, values, widths, number_formats={"申报截止日期": "yyyy-mm-dd"})
    ws.freeze_panes = "A3"
    page_setup(ws, landscape=False, title_rows="1:2")
    return save(wb, rows)


# --------------------------------------------------------------------------- csv


def _csv_value(value: object) -> str:
    kind = type(value)
    if kind is str:
        return neutralise(value)  # type: ignore[return-value]
    if kind is int or kind is float:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return str(neutralise(str(value)))


def csv_bytes(rows: list[Mapping[str, object]], columns: Sequence[str] | None = None) -> bytes:
    """Rows as CSV, UTF-8 with a BOM so Excel opens Chinese text correctly.

    The columns are ``columns`` or every key in order of first appearance. Text is
    neutralised; numbers stay plain numbers, dates ISO, ``None`` empty, booleans 是/否.
    """
    if columns is None:
        seen: dict[str, None] = {}
        for row in rows:
            seen.update(dict.fromkeys(row))
        columns = list(seen)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if columns:
        writer.writerow([_csv_value(c) for c in columns])
    for row in rows:
        writer.writerow([_csv_value(row.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")


# --------------------------------------------------------------------------- 数据表视图


def view_xlsx(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A 数据表 view as a workbook: a title row, bold headers, frozen panes, a filter.

    The rows are written as sheet XML (:mod:`themeday.formats.xlsx_rows`), so tens of thousands
    take about a second. Text is neutralised (never a formula); numbers, dates and
    booleans keep their types; timezone-aware times are written as Beijing time.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    for index, name in enumerate(columns, start=1):
        width = min(40.0, max(10.0, _text_units(name) + 4))
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A3"
    title_cell = ws.cell(row=1, column=1, value=xml_safe(neutralise(title)))
    title_cell.data_type = "s"
    title_cell.font = _TITLE_FONT
    for index, name in enumerate(columns, start=1):
        cell = ws.cell(row=2, column=index, value=xml_safe(neutralise(name)))
        cell.data_type = "s"
        cell.font = HEAD_FONT
    sheet = SheetRows(ws, 3, [0] * len(columns))  # style 0: Excel's plain cell
    for values in rows:
        sheet.append(values)
    if columns:
        last = max(2, sheet.last_row)
        ws.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{last}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    return save(wb, sheet)
