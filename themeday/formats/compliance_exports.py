"""合规汇总 exports for the office: the statistics workbook, its CSVs, the 通报 draft and
the 督办催办 list.

Plain functions, bytes out: no Streamlit, no SQL. They take the result of the compliance
engine (:class:`themeday.core.compliance.ComplianceResult`, or the 催办 items of
:func:`themeday.core.compliance.open_items`) and lay it out in the official style of
:mod:`themeday.formats.exports`, whose cell, title and page helpers they reuse. Every text cell
goes through :func:`themeday.formats.exports.neutralise` (DESIGN.md §3 "Exports"), so text such as
``=HYPERLINK(...)`` never becomes a formula; counts, scores and days stay numbers and
dates stay dates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from themeday.core.compliance import DECLARATION_STATE_LABELS, ITEM_KIND_LABELS, ComplianceResult
from themeday.core.domain import (
    ACTIVITY_STATUS_LABELS,
    DEADLINE_STATUS_LABELS,
    TRAFFIC_LIGHT_LABELS,
    cn_date,
)
from themeday.core.records import Campaign
from themeday.formats import docx_rows
from themeday.formats.docx_rows import markers
from themeday.formats.exports import (
    BODY_FONT_CN,
    FONT_NAME,
    HEAD_FONT,
    HEADING_FONT_CN,
    TITLE_FONT_CN,
    a4_portrait_document,
    cell_style,
    csv_bytes,
    docx_font,
    page_setup,
    paper_title,
    put_cell,
    row_height,
    title_row,
    xml_safe,
)
from themeday.formats.xlsx_rows import SheetRows, save

__all__ = [
    "CSV_SHEETS",
    "chase_items_xlsx",
    "chase_items_title",
    "circular_docx",
    "circular_title",
    "compliance_csv",
    "compliance_title",
    "compliance_xlsx",
]

Progress = Callable[[float, str], None]
"""``progress(fraction, message)``: fraction from 0 to 1 and a Chinese message."""

CSV_SHEETS: dict[str, str] = {
    "units": "单位汇总",
    "activities": "活动明细",
    "adjustments": "加减分记录",
}
"""The sheets :func:`compliance_csv` writes, with the Chinese name of each (for file names)."""

_DATE_FORMAT = "yyyy-mm-dd"
_TIME_FORMAT = "yyyy-mm-dd hh:mm"
_MONTH_FORMAT = '0"月"'
_ROWS_PER_STEP = 2000

_LIGHT_WORDS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "grey": "灰灯"}
_LIGHT_FILLS = {
    "red": PatternFill("solid", start_color="F8CBAD", end_color="F8CBAD"),
    "yellow": PatternFill("solid", start_color="FFE699", end_color="FFE699"),
    "green": PatternFill("solid", start_color="C6E0B4", end_color="C6E0B4"),
}
_SUBTITLE_FONT = Font(name=FONT_NAME, size=11)
_ACTIVITY_STATES = {str(k): v for k, v in ACTIVITY_STATUS_LABELS.items()}


# --------------------------------------------------------------------------- titles


def compliance_title(campaign: Campaign) -> str:
    """``<活动名称>开展情况统计表`` (:func:`themeday.formats.exports.paper_title`)."""
    return paper_title(campaign, "开展情况统计表")


def chase_items_title(campaign: Campaign) -> str:
    """``<活动名称>督办催办清单``."""
    return paper_title(campaign, "督办催办清单")


def circular_title(campaign: Campaign) -> str:
    """``关于<活动名称>开展情况的通报（征求意见稿）``."""
    return paper_title(campaign, "开展情况的通报", prefix="关于", note="（征求意见稿）")


def _as_of_line(as_of: date, warning: str = "") -> str:
    line = f"统计截至：{cn_date(as_of)}"
    return f"{line}　（{warning}）" if warning else line


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class _Column:
    """One exported column: its header (under an optional group header), how wide it is,
    how its cells are aligned and formatted, and how its values come out of a frame."""

    label: str
    values: Callable[[pd.DataFrame], list[Any]]
    group: str = ""
    width: float = 9
    align: str = "center"
    number_format: str | None = None

    @property
    def flat_label(self) -> str:
        """The one-line header for CSV (``活动方案·按时``)."""
        return f"{self.group}·{self.label}" if self.group else self.label


def _cells(series: pd.Series) -> Iterator[tuple[Any, bool]]:
    """Each value of ``series`` with whether it is missing, tested once for the whole
    column (``pd.isna`` on every value costs more than the rest of the export)."""
    return zip(series.tolist(), series.isna().tolist(), strict=True)


def _ints(column: str) -> Callable[[pd.DataFrame], list[Any]]:
    def values(frame: pd.DataFrame) -> list[Any]:
        return [None if missing else int(v) for v, missing in _cells(frame[column])]

    return values


def _floats(column: str) -> Callable[[pd.DataFrame], list[Any]]:
    def values(frame: pd.DataFrame) -> list[Any]:
        return [None if missing else float(v) for v, missing in _cells(frame[column])]

    return values


def _texts(column: str) -> Callable[[pd.DataFrame], list[Any]]:
    def values(frame: pd.DataFrame) -> list[Any]:
        return ["" if missing else str(v) for v, missing in _cells(frame[column])]

    return values


def _labels(column: str, labels: dict[str, str]) -> Callable[[pd.DataFrame], list[Any]]:
    def values(frame: pd.DataFrame) -> list[Any]:
        codes = ["" if missing else str(v) for v, missing in _cells(frame[column])]
        return [labels.get(code, code) for code in codes]

    return values


def _yes_no(column: str) -> Callable[[pd.DataFrame], list[Any]]:
    def values(frame: pd.DataFrame) -> list[Any]:
        return ["" if missing else ("是" if v else "否") for v, missing in _cells(frame[column])]

    return values


def _dates(column: str) -> Callable[[pd.DataFrame], list[Any]]:
    def values(frame: pd.DataFrame) -> list[Any]:
        stamps = pd.to_datetime(frame[column])
        return [None if missing else v.date() for v, missing in _cells(stamps)]

    return values


def _times(column: str) -> Callable[[pd.DataFrame], list[Any]]:
    def values(frame: pd.DataFrame) -> list[Any]:
        stamps = pd.to_datetime(frame[column])
        return [
            None if missing else v.to_pydatetime().replace(tzinfo=None)
            for v, missing in _cells(stamps)
        ]

    return values


def _numbering(frame: pd.DataFrame) -> list[Any]:
    return list(range(1, len(frame) + 1))


def _rule_checks(frame: pd.DataFrame) -> list[Any]:
    """申报 rule checks as words: 符合, the failed checks, or blank before a submission."""
    failures = {
        "themes_count_ok": "主题数量不符",
        "required_form_ok": "缺必选形式",
        "months_ok": "计划月份超范围",
    }
    out: list[Any] = []
    checks = frame[list(failures)].astype("object")
    for declared, row in zip(
        frame["n_themes"].notna(), checks.itertuples(index=False), strict=True
    ):
        if not declared:
            out.append("")
            continue
        failed = [
            word
            for word, ok in zip(failures.values(), row, strict=True)
            if not pd.isna(ok) and not ok
        ]
        out.append("；".join(failed) if failed else "符合")
    return out


_UNIT_SHEET: tuple[_Column, ...] = (
    _Column("序号", _numbering, width=6),
    _Column("单位", _texts("unit_name"), width=24, align="left"),
    _Column("单位类别", _texts("unit_kind"), width=10),
    _Column("状态", _labels("declaration_status", DEADLINE_STATUS_LABELS), "申报", 10),
    _Column("审核状态", _labels("declaration_state", DECLARATION_STATE_LABELS), "申报", 14),
    _Column("逾期工作日", _ints("declaration_late_workdays"), "申报", 9),
    _Column("主题数量", _ints("n_themes"), "申报", 8),
    _Column("规则检查", _rule_checks, "申报", 14, align="left"),
    _Column("按时", _ints("plans_on_time"), "活动方案", 7),
    _Column("逾期报送", _ints("plans_late"), "活动方案", 7),
    _Column("逾期未报", _ints("plans_missing"), "活动方案", 7),
    _Column("未到期", _ints("plans_open"), "活动方案", 7),
    _Column("按时", _ints("reports_on_time"), "活动总结", 7),
    _Column("逾期报送", _ints("reports_late"), "活动总结", 7),
    _Column("逾期未报", _ints("reports_missing"), "活动总结", 7),
    _Column("未到期", _ints("reports_open"), "活动总结", 7),
    _Column("活动数", _ints("n_activities"), "开展与展示", 7),
    _Column("已开展", _ints("n_held"), "开展与展示", 7),
    _Column("现场标识", _ints("marking_present"), "开展与展示", 7),
    _Column("按计划月份开展", _ints("held_in_month"), "开展与展示", 9),
    _Column("已展示", _ints("n_published"), "开展与展示", 7),
    _Column("典型经验", _ints("typical_cases"), "开展与展示", 7),
    _Column("基础分", _floats("score_base"), "考核", 8),
    _Column("加减分", _floats("adjustment_total"), "考核", 8),
    _Column("得分", _floats("score"), "考核", 8),
    _Column("排名", _ints("rank"), "考核", 6),
)
"""Sheet 1 (单位汇总): one row per unit; ``group`` gives the two-level headers."""

_ACTIVITY_SHEET: tuple[_Column, ...] = (
    _Column("单位", _texts("unit_name"), width=22, align="left"),
    _Column("序号", _ints("seq"), width=6),
    _Column("活动主题", _texts("title"), width=30, align="left"),
    _Column("活动形式", _texts("form"), width=10),
    _Column("计划月份", _ints("planned_month"), width=8, number_format=_MONTH_FORMAT),
    _Column("活动日期", _dates("activity_date"), width=12, number_format=_DATE_FORMAT),
    _Column("实际开展日期", _dates("held_date"), width=12, number_format=_DATE_FORMAT),
    _Column("状态", _labels("status", _ACTIVITY_STATES), width=10),
    _Column("方案截止", _dates("plan_due"), width=12, number_format=_DATE_FORMAT),
    _Column("方案报送时间", _times("plan_filed_at"), width=17, number_format=_TIME_FORMAT),
    _Column("方案状态", _labels("plan_status", DEADLINE_STATUS_LABELS), width=10),
    _Column("方案逾期工作日", _ints("plan_late_workdays"), width=9),
    _Column("总结截止", _dates("report_due"), width=12, number_format=_DATE_FORMAT),
    _Column("总结报送时间", _times("report_filed_at"), width=17, number_format=_TIME_FORMAT),
    _Column("总结状态", _labels("report_status", DEADLINE_STATUS_LABELS), width=10),
    _Column("总结逾期工作日", _ints("report_late_workdays"), width=9),
    _Column("现场标识照片数", _ints("marking_photos"), width=9),
    _Column("按计划月份开展", _yes_no("held_in_planned_month"), width=9),
    _Column("已展示", _yes_no("published"), width=7),
    _Column("典型经验", _yes_no("typical_case"), width=7),
)
"""Sheet 2 (活动明细): one row per activity with its dates and lateness."""

_ADJUSTMENT_SHEET: tuple[_Column, ...] = (
    _Column("单位", _texts("unit_name"), width=24, align="left"),
    _Column("分值", _floats("delta"), width=8),
    _Column("原因", _texts("reason"), width=48, align="left"),
    _Column("操作人", _texts("created_by"), width=12),
    _Column("时间", _times("created_at"), width=17, number_format=_TIME_FORMAT),
)
"""Sheet 3 (加减分记录): the office's adjustments with their reasons."""


def _ordered_units(result: ComplianceResult) -> pd.DataFrame:
    return result.units.sort_values(["rank"], kind="stable").reset_index(drop=True)


def _sheet_frames(result: ComplianceResult) -> dict[str, tuple[pd.DataFrame, Sequence[_Column]]]:
    return {
        "units": (_ordered_units(result), _UNIT_SHEET),
        "activities": (result.activities, _ACTIVITY_SHEET),
        "adjustments": (result.adjustments, _ADJUSTMENT_SHEET),
    }


def _rows(frame: pd.DataFrame, columns: Sequence[_Column]) -> list[tuple[Any, ...]]:
    """The cell values of ``frame`` column by column, then zipped into rows."""
    if frame.empty:
        return []
    return list(zip(*(c.values(frame) for c in columns), strict=True))


# --------------------------------------------------------------------------- xlsx helpers


def _widths(ws: Worksheet, columns: Sequence[_Column]) -> list[float]:
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    return [c.width for c in columns]


def _subtitle_row(ws: Worksheet, row: int, text: str, n: int, widths: Sequence[float]) -> None:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n)
    put_cell(ws, row, 1, text, font=_SUBTITLE_FONT, border=False)
    ws.row_dimensions[row].height = row_height([(text, sum(widths))], 16, 22)


def _flat_headers(ws: Worksheet, row: int, columns: Sequence[_Column]) -> None:
    for index, column in enumerate(columns, start=1):
        put_cell(ws, row, index, column.label, font=HEAD_FONT, horizontal="center")
    ws.row_dimensions[row].height = row_height(((c.label, c.width) for c in columns), 15, 30)


def _grouped_headers(ws: Worksheet, row: int, columns: Sequence[_Column]) -> None:
    """Two header rows: a group over its columns, a lone column merged down both rows."""
    index = 1
    while index <= len(columns):
        column = columns[index - 1]
        if not column.group:
            put_cell(ws, row, index, column.label, font=HEAD_FONT, horizontal="center")
            ws.merge_cells(start_row=row, start_column=index, end_row=row + 1, end_column=index)
            index += 1
            continue
        end = index
        while end < len(columns) and columns[end].group == column.group:
            end += 1
        put_cell(ws, row, index, column.group, font=HEAD_FONT, horizontal="center")
        if end > index:
            ws.merge_cells(start_row=row, start_column=index, end_row=row, end_column=end)
        for inner in range(index, end + 1):
            label = columns[inner - 1].label
            put_cell(ws, row + 1, inner, label, font=HEAD_FONT, horizontal="center")
        index = end + 1
    ws.row_dimensions[row].height = 24
    ws.row_dimensions[row + 1].height = row_height(((c.label, c.width) for c in columns), 15, 30)


def _column_styles(ws: Worksheet, columns: Sequence[_Column]) -> list[int]:
    """Each column's data cell style: its alignment and number format."""
    return [cell_style(ws, c.align, number_format=c.number_format) for c in columns]


def _write_rows(
    ws: Worksheet,
    first_row: int,
    columns: Sequence[_Column],
    rows: Sequence[tuple[Any, ...]],
    step: Callable[[int], None] | None = None,
    overrides: Sequence[dict[int, int] | None] | None = None,
) -> SheetRows:
    """Data rows from ``first_row``: text neutralised, numbers and dates kept as such.

    The rows are kept as sheet XML (:mod:`themeday.formats.xlsx_rows`) for :func:`save`, which
    keeps tens of thousands of rows fast; ``overrides`` gives a row's cells another
    style (the 催办 light's tint).
    """
    widths = [c.width for c in columns]
    sheet = SheetRows(ws, first_row, _column_styles(ws, columns))
    for offset, values in enumerate(rows):
        texts = ((v, w) for v, w in zip(values, widths, strict=True) if isinstance(v, str) and v)
        sheet.append(values, row_height(texts, 15, 20), overrides[offset] if overrides else None)
        if step is not None and (offset + 1) % _ROWS_PER_STEP == 0:
            step(offset + 1)
    return sheet


def _report(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


# --------------------------------------------------------------------------- 合规汇总 xlsx


def compliance_xlsx(
    result: ComplianceResult, campaign: Campaign, progress: Progress | None = None
) -> bytes:
    """The 合规汇总 workbook: 单位汇总, 活动明细 and 加减分记录.

    Sheet 1 has the official title merged over all columns, a 统计截至 line (with the
    warning about a year whose holidays are not known, if any), two merged header rows
    (申报 · 活动方案 · 活动总结 · 开展与展示 · 考核 over their checks) and one row per unit in
    rank order; panes are frozen below the headers and right of the unit name. Sheet 2
    lists every activity with its dates and lateness, sheet 3 the adjustments with their
    reasons. Sheets 1 and 2 print A3 landscape (their 26 and 20 columns stay readable), sheet 3
    A4 landscape, all fit to width with their headers on every page.
    ``progress(fraction, message)`` is called as the sheets are built.
    """
    _report(progress, 0.0, "正在生成单位汇总……")
    wb = Workbook()
    units_ws = wb.active
    units_ws.title = CSV_SHEETS["units"]
    sheets = [_unit_sheet(units_ws, result, campaign)]
    _report(progress, 0.1, "单位汇总已生成，正在生成活动明细……")

    activities_ws = wb.create_sheet(CSV_SHEETS["activities"])
    total = max(len(result.activities), 1)

    def step(done: int) -> None:
        _report(progress, 0.1 + 0.4 * done / total, f"活动明细已写入{done}行……")

    sheets.append(_activity_sheet(activities_ws, result, campaign, step))
    _report(progress, 0.5, "活动明细已生成，正在生成加减分记录……")

    adjustments_ws = wb.create_sheet(CSV_SHEETS["adjustments"])
    sheets.append(_adjustment_sheet(adjustments_ws, result, campaign))
    _report(progress, 0.55, "加减分记录已生成，正在保存文件（数据较多时需稍候）……")

    data = save(wb, *sheets)
    _report(progress, 1.0, "合规汇总已生成。")
    return data


def _unit_sheet(ws: Worksheet, result: ComplianceResult, campaign: Campaign) -> SheetRows:
    columns = _UNIT_SHEET
    n = len(columns)
    widths = _widths(ws, columns)
    title_row(ws, compliance_title(campaign), n)
    _subtitle_row(ws, 2, _as_of_line(result.as_of, result.warning), n, widths)
    _grouped_headers(ws, 3, columns)
    rows = _write_rows(ws, 5, columns, _rows(_ordered_units(result), columns))
    ws.freeze_panes = "C5"  # below the headers, right of 序号 and 单位
    # 26 columns on A4 print at 5–6 pt; on A3 landscape they stay readable (about 9 pt)
    page_setup(ws, landscape=True, title_rows="3:4", paper="A3")
    return rows


def _activity_sheet(
    ws: Worksheet,
    result: ComplianceResult,
    campaign: Campaign,
    step: Callable[[int], None] | None = None,
) -> SheetRows:
    columns = _ACTIVITY_SHEET
    n = len(columns)
    widths = _widths(ws, columns)
    title = paper_title(campaign, "活动明细表")
    title_row(ws, title, n)
    _subtitle_row(ws, 2, _as_of_line(result.as_of, result.warning), n, widths)
    _flat_headers(ws, 3, columns)
    rows = _write_rows(ws, 4, columns, _rows(result.activities, columns), step)
    ws.freeze_panes = "D4"  # below the header, right of 单位, 序号 and 活动主题
    page_setup(ws, landscape=True, title_rows="3:3", paper="A3")  # 20 columns, as sheet 1
    return rows


def _adjustment_sheet(ws: Worksheet, result: ComplianceResult, campaign: Campaign) -> SheetRows:
    columns = _ADJUSTMENT_SHEET
    n = len(columns)
    widths = _widths(ws, columns)
    title = paper_title(campaign, "考核加减分记录")
    title_row(ws, title, n)
    ws.row_dimensions[1].height = row_height([(title, sum(widths) / 1.6)], 22, 36)
    _subtitle_row(ws, 2, _as_of_line(result.as_of), n, widths)
    _flat_headers(ws, 3, columns)
    rows = _write_rows(ws, 4, columns, _rows(result.adjustments, columns))
    ws.freeze_panes = "A4"
    page_setup(ws, landscape=True, title_rows="3:3")
    return rows


# --------------------------------------------------------------------------- csv


def compliance_csv(result: ComplianceResult, sheet: str) -> bytes:
    """One sheet of the 合规汇总 as CSV: ``units``, ``activities`` or ``adjustments``.

    The same columns as the xlsx sheet under one header row (a grouped header becomes
    ``活动方案·按时``), UTF-8 with a BOM so Excel and WPS show the Chinese, text neutralised,
    numbers plain, dates ``YYYY-MM-DD``.
    """
    frames = _sheet_frames(result)
    if sheet not in frames:
        raise ValueError(f"unknown sheet {sheet!r}; expected one of {', '.join(CSV_SHEETS)}")
    frame, columns = frames[sheet]
    labels = [c.flat_label for c in columns]
    rows = [dict(zip(labels, values, strict=True)) for values in _rows(frame, columns)]
    return csv_bytes(rows, labels)


# --------------------------------------------------------------------------- 通报 docx

_BODY_SIZE = 16  # 三号
_TITLE_SIZE = 22  # 二号
_TABLE_SIZE = 12  # 小四


def _paragraph(
    document: Any,
    text: str,
    *,
    east_asia: str = BODY_FONT_CN,
    size: float = _BODY_SIZE,
    bold: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
) -> Any:
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    docx_font(paragraph.add_run(xml_safe(text)), east_asia, size, bold)
    return paragraph


def _quoted(title: str) -> str:
    """An activity title in “”, its own double quotes turned into ‘’ as Chinese nesting asks."""
    inner = title.strip().replace("“", "‘").replace("”", "’").replace('"', "’")
    return f"“{inner}”"


def _percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


def _overdue_table(units: pd.DataFrame) -> pd.DataFrame:
    """Units with at least one overdue item (逾期未报), most first, then by name."""
    table = pd.DataFrame(
        {
            "unit_name": units["unit_name"].astype("str"),
            "declaration": (units["declaration_status"] == "missing").astype("int64"),
            "plans": units["plans_missing"].astype("int64"),
            "reports": units["reports_missing"].astype("int64"),
        }
    )
    table["total"] = table["declaration"] + table["plans"] + table["reports"]
    table = table[table["total"] > 0]
    return table.sort_values(["total", "unit_name"], ascending=[False, True], kind="stable")


def _overview(result: ComplianceResult) -> str:
    units = result.units
    day = cn_date(result.as_of)
    declared = int(units["declaration_status"].isin(["on_time", "late"]).sum())
    total = int(units["n_activities"].sum())
    cancelled = int(units["n_cancelled"].sum())
    on_time = int(units["plans_on_time"].sum() + units["reports_on_time"].sum())
    due = on_time + int(
        units[["plans_late", "plans_missing", "reports_late", "reports_missing"]].sum().sum()
    )
    text = (
        f"截至{day}，全区共有参与单位{len(units)}个，已申报{declared}个、"
        f"未申报{len(units) - declared}个；审核通过的活动共{total}项"
    )
    if cancelled:
        text += f"（其中已取消{cancelled}项）"
    text += (
        f"，已开展{int(units['n_held'].sum())}项，已报送总结{int(units['n_reported'].sum())}项，"
        f"已在政府门户网站专栏展示{int(units['n_published'].sum())}项。"
    )
    if due:
        rate = _percent(on_time, due)
        text += f"已到期的活动方案和活动总结共{due}件，按时报送{on_time}件，按时率{rate}。"
    else:
        text += "目前尚无到期的活动方案和活动总结，按时率暂不统计。"
    return text


def _typical_cases(result: ComplianceResult) -> str:
    acts = result.activities
    chosen = acts[acts["typical_case"].astype(bool) & ~acts["cancelled"].astype(bool)]
    if chosen.empty:
        return "截至目前，暂无推荐的典型经验。请各单位认真总结活动中的好经验、好做法，积极报送。"
    names = [
        f"{unit}{_quoted(title)}"
        for unit, title in zip(chosen["unit_name"], chosen["title"], strict=True)
    ]
    listed = names[0] if len(names) == 1 else f"{'、'.join(names)}等{len(names)}项"
    return (
        f"{listed}活动组织有力、形式新颖、群众参与度高，"
        "经验做法值得推广，拟作为典型经验向上级推荐。"
    )


def _docx_table(document: Any, overdue: pd.DataFrame) -> list[list[str]]:
    """The table's header and model row; returns the body rows for ``docx_rows.save``."""
    headers = ["序号", "单位", "申报表逾期未报", "活动方案逾期未报", "活动总结逾期未报", "合计"]
    widths = [Cm(1.3), Cm(5.3), Cm(2.2), Cm(2.3), Cm(2.3), Cm(1.4)]
    table = document.add_table(rows=2, cols=len(headers))  # a header and the model row
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    header_props = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    body = [
        [str(n), name, str(d), str(p), str(r), str(t)]
        for n, (name, d, p, r, t) in enumerate(
            overdue[["unit_name", "declaration", "plans", "reports", "total"]].itertuples(
                index=False
            ),
            start=1,
        )
    ]
    model = markers(len(headers))
    for row_index, (row, values) in enumerate(zip(table.rows, [headers, model], strict=True)):
        for col_index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = widths[col_index]
            paragraph = cell.paragraphs[0]
            if row_index == 0 or col_index != 1:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            font = HEADING_FONT_CN if row_index == 0 else BODY_FONT_CN
            docx_font(paragraph.add_run(xml_safe(value)), font, _TABLE_SIZE)
    return body


def circular_docx(result: ComplianceResult, campaign: Campaign) -> bytes:
    """A 通报 draft (征求意见稿) on the campaign as of ``result.as_of``, as docx.

    Title, 总体情况 with the counts and the on-time rate, 逾期未报 units ranked by their
    overdue items (未申报 + 活动方案 + 活动总结) with counts, the 典型经验 activities, what
    the units are asked to do, and the sender (``campaign.office_name``) with the date.
    A4 portrait with official margins; 方正小标宋简体 title, 黑体 headings, 仿宋_GB2312 body,
    set as East Asian fonts so Word and WPS use them.
    """
    document = a4_portrait_document(3.7, 3.5, 2.8, 2.6, _BODY_SIZE)

    title = _paragraph(
        document,
        circular_title(campaign),
        east_asia=TITLE_FONT_CN,
        size=_TITLE_SIZE,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = Pt(28)

    _paragraph(document, "各有关单位：", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph(
        document,
        f"为深入推进政务公开工作，扎实开展{campaign.year}年“政务公开主题日”活动，"
        f"{campaign.office_name}对各单位活动申报、活动方案报送、活动开展及总结报送情况"
        f"进行了跟踪统计。现将截至{cn_date(result.as_of)}的有关情况通报如下：",
    )

    _paragraph(document, "一、总体情况", east_asia=HEADING_FONT_CN)
    _paragraph(document, _overview(result))

    _paragraph(document, "二、逾期未报情况", east_asia=HEADING_FONT_CN)
    overdue = _overdue_table(result.units)
    body: list[list[str]] = []
    if overdue.empty:
        _paragraph(document, f"截至{cn_date(result.as_of)}，各单位均无逾期未报事项。")
    else:
        _paragraph(
            document,
            f"截至{cn_date(result.as_of)}，共有{len(overdue)}个单位存在逾期未报事项"
            f"{int(overdue['total'].sum())}件，按逾期事项数量排列如下：",
        )
        body = _docx_table(document, overdue)

    _paragraph(document, "三、典型经验", east_asia=HEADING_FONT_CN)
    _paragraph(document, _typical_cases(result))

    _paragraph(document, "四、下一步工作要求", east_asia=HEADING_FONT_CN)
    _paragraph(
        document,
        "请存在逾期未报事项的单位高度重视，立即对照问题抓紧补报申报表、活动方案和活动总结；"
        "尚未开展活动的单位要按照计划月份认真组织，提前5个工作日报送活动方案，活动结束后"
        "5个工作日内报送情况报告或新闻报道及相关图片、视频资料。活动开展情况将纳入年度"
        "政务公开绩效考核。",
    )

    _paragraph(document, "", indent=False)
    for line in (campaign.office_name, cn_date(result.as_of)):
        sender = _paragraph(document, line, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        sender.paragraph_format.right_indent = Pt(_BODY_SIZE * 2)

    return docx_rows.save(document, body)


# --------------------------------------------------------------------------- 催办 xlsx


def _light_words(frame: pd.DataFrame) -> list[Any]:
    out = []
    for code in frame["light"].astype("object"):
        code = "" if pd.isna(code) else str(code)
        word, label = _LIGHT_WORDS.get(code, ""), TRAFFIC_LIGHT_LABELS.get(code, code)
        out.append(f"{word}（{label}）" if word and label else label)
    return out


def _item_titles(frame: pd.DataFrame) -> list[Any]:
    titles = _texts("title")(frame)
    kinds = frame["item_kind"].astype("object")
    return [
        "" if kind == "declaration" else title for kind, title in zip(kinds, titles, strict=True)
    ]


_CHASE_SHEET: tuple[_Column, ...] = (
    _Column("序号", _numbering, width=6),
    _Column("提醒", _light_words, width=16),
    _Column("单位", _texts("unit_name"), width=24, align="left"),
    _Column("事项", _labels("item_kind", ITEM_KIND_LABELS), width=10),
    _Column("活动主题", _item_titles, width=30, align="left"),
    _Column("截止日期", _dates("due"), width=12, number_format=_DATE_FORMAT),
    _Column("逾期工作日", _ints("late_workdays"), width=9),
    _Column("剩余工作日", _ints("workdays_left"), width=9),
    _Column("联系人", _texts("contact_person"), width=10),
    _Column("联系电话", _texts("contact_phone"), width=15),
    _Column("最近催办", _times("last_chased_at"), width=17, number_format=_TIME_FORMAT),
    _Column("催办次数", _ints("chase_count"), width=8),
)
"""The 督办催办 list: one row per open item, in the order given."""


def _light_counts(items: pd.DataFrame) -> str:
    counts = items["light"].astype("str").value_counts()
    parts = [f"{_LIGHT_WORDS[c]}{int(counts.get(c, 0))}项" for c in ("red", "yellow", "green")]
    return f"共{len(items)}项：" + "、".join(parts)


def chase_items_xlsx(items: pd.DataFrame, campaign: Campaign, as_of: date) -> bytes:
    """The 督办催办清单 as xlsx: one row per item of ``items``, in the order given.

    ``items`` has the columns of :func:`themeday.core.compliance.open_items` (as from
    :func:`themeday.services.assessment.chase_items`, possibly filtered). The light is written
    as words (``红灯（已逾期）``) and the cell tinted; due dates are dates, working days
    numbers. A4 landscape, header frozen and repeated on every printed page.
    """
    columns = _CHASE_SHEET
    n = len(columns)
    wb = Workbook()
    ws = wb.active
    ws.title = "督办催办清单"
    widths = _widths(ws, columns)
    title_row(ws, chase_items_title(campaign), n)
    line = _as_of_line(as_of)
    if len(items):
        line += "　" + _light_counts(items)
    _subtitle_row(ws, 2, line, n, widths)
    _flat_headers(ws, 3, columns)
    light = columns[1]
    tinted = {
        code: {1: cell_style(ws, light.align, number_format=light.number_format, fill=fill)}
        for code, fill in _LIGHT_FILLS.items()
    }
    overrides = [
        tinted.get("" if pd.isna(code) else str(code)) for code in items["light"].astype("object")
    ]
    rows = _write_rows(
        ws, 4, columns, _rows(items.reset_index(drop=True), columns), None, overrides
    )
    ws.freeze_panes = "A4"
    page_setup(ws, landscape=True, title_rows="3:3")
    return save(wb, rows)
