"""领导看板 papers: the dashboard's figures as a workbook and as a one-page summary.

Plain functions, bytes out: no Streamlit, no SQL. They take the compliance engine's
result (:func:`themeday.services.assessment.assess`), the same one the dashboard draws, so the
papers show exactly the figures on screen for the chosen 统计截至 date. The headline
numbers (:func:`kpi_values`) are defined here once, for the dashboard and the papers.
No system note (an unknown holiday year) goes into the papers: the page shows it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from themeday.core.compliance import ComplianceResult
from themeday.core.domain import cn_date
from themeday.core.records import Campaign
from themeday.formats.exports import (
    BODY_FONT_CN,
    HEADING_FONT_CN,
    TITLE_FONT_CN,
    a4_portrait_document,
    cell_style,
    docx_font,
    header_row,
    page_setup,
    paper_title,
    put_cell,
    row_height,
    title_row,
    xml_safe,
)
from themeday.formats.xlsx_rows import SheetRows, save

__all__ = [
    "KPI_HELP",
    "SUMMARY_TOP",
    "dashboard_docx",
    "dashboard_summary_title",
    "dashboard_xlsx",
    "dashboard_xlsx_title",
    "kind_table",
    "kpi_values",
    "month_table",
    "ranking_table",
    "rate",
]

SUMMARY_TOP = 5
"""How many units each list of the one-page summary names."""

KPI_HELP: dict[str, str] = {
    "已申报单位": "已提交申报表的单位数 / 参与单位总数（退回修改的仍计为已申报）",
    "活动总数": "申报表审核通过的活动主题数，不含已取消的活动",
    "已开展": "已开展的活动数",
    "已报送总结": "已报送情况报告或新闻报道的活动数",
    "已展示": "已在成果展示专栏发布的活动数",
    "方案按时率": "按时报送的活动方案 / 已到截止日期的活动方案（含逾期报送和逾期未报）",
    "总结按时率": "按时报送的活动总结 / 已到截止日期的活动总结（含逾期报送和逾期未报）",
    "红灯事项": "已逾期未报的申报表、活动方案和活动总结",
    "黄灯事项": "即将到期的申报表、活动方案和活动总结",
}
"""What each headline number counts (the dashboard's help, the workbook's 说明)."""


# ------------------------------------------------------------------ figures
def rate(on_time: int, late: int, missing: int) -> str:
    """按时率: on time over every deadline that has passed or been met; "—" when none."""
    due = on_time + late + missing
    return f"{on_time / due:.1%}" if due else "—"


def _share(on_time: int, late: int, missing: int) -> float | None:
    due = on_time + late + missing
    return on_time / due if due else None


def _total(units: pd.DataFrame, column: str) -> int:
    return int(units[column].sum())


def _declared(units: pd.DataFrame) -> int:
    return int(units["declaration_status"].isin(["on_time", "late"]).sum())


def kpi_values(result: ComplianceResult) -> dict[str, str]:
    """The dashboard's headline numbers, as shown (label → value)."""
    u = result.units
    return {
        "已申报单位": f"{_declared(u)}/{len(u)}",
        "活动总数": str(_total(u, "n_activities") - _total(u, "n_cancelled")),
        "已开展": str(_total(u, "n_held")),
        "已报送总结": str(_total(u, "n_reported")),
        "已展示": str(_total(u, "n_published")),
        "方案按时率": rate(
            _total(u, "plans_on_time"), _total(u, "plans_late"), _total(u, "plans_missing")
        ),
        "总结按时率": rate(
            _total(u, "reports_on_time"), _total(u, "reports_late"), _total(u, "reports_missing")
        ),
        "红灯事项": str(_total(u, "red_items")),
        "黄灯事项": str(_total(u, "yellow_items")),
    }


def _kpi_numbers(result: ComplianceResult) -> list[tuple[str, Any, str | None]]:
    """The headline figures as cell values (label, value, number format) for the workbook:
    counts as numbers, rates as fractions shown as percentages (blank when none is due)."""
    u = result.units
    plans = _share(_total(u, "plans_on_time"), _total(u, "plans_late"), _total(u, "plans_missing"))
    reports = _share(
        _total(u, "reports_on_time"), _total(u, "reports_late"), _total(u, "reports_missing")
    )
    return [
        ("参与单位", len(u), None),
        ("已申报单位", _declared(u), None),
        ("活动总数", _total(u, "n_activities") - _total(u, "n_cancelled"), None),
        ("已开展", _total(u, "n_held"), None),
        ("已报送总结", _total(u, "n_reported"), None),
        ("已展示", _total(u, "n_published"), None),
        ("方案按时率", plans, "0.0%"),
        ("总结按时率", reports, "0.0%"),
        ("红灯事项", _total(u, "red_items"), None),
        ("黄灯事项", _total(u, "yellow_items"), None),
    ]


def _live(activities: pd.DataFrame) -> pd.DataFrame:
    return activities[~activities["cancelled"].astype(bool)]


def month_table(result: ComplianceResult, campaign: Campaign) -> pd.DataFrame:
    """各月活动进展: one row per month of the campaign (计划月份), cancelled activities apart.

    Columns 计划月份 (the month number), 活动数, 已开展, 已报送总结, 已展示.
    """
    live = _live(result.activities)
    months = range(campaign.rules.first_month, campaign.rules.last_month + 1)
    rows = []
    for month in months:
        these = live[live["planned_month"] == month]
        rows.append(
            {
                "计划月份": month,
                "活动数": len(these),
                "已开展": int(these["held"].astype(bool).sum()),
                "已报送总结": int(these["report_filed_at"].notna().sum()),
                "已展示": int(these["published"].astype(bool).sum()),
            }
        )
    return pd.DataFrame(rows, columns=["计划月份", "活动数", "已开展", "已报送总结", "已展示"])


def kind_table(result: ComplianceResult) -> pd.DataFrame:
    """按单位类别: 单位数, 已申报单位, 活动数 (cancelled apart), 已开展, 红灯事项 per 单位类别."""
    u = result.units
    rows = []
    for kind, group in u.groupby(u["unit_kind"].astype("str"), sort=True):
        rows.append(
            {
                "单位类别": kind,
                "单位数": len(group),
                "已申报单位": _declared(group),
                "活动数": _total(group, "n_activities") - _total(group, "n_cancelled"),
                "已开展": _total(group, "n_held"),
                "红灯事项": _total(group, "red_items"),
            }
        )
    columns = ["单位类别", "单位数", "已申报单位", "活动数", "已开展", "红灯事项"]
    return pd.DataFrame(rows, columns=columns)


def ranking_table(result: ComplianceResult, top: int | None = None) -> pd.DataFrame:
    """单位排名: units by rank (then name), the first ``top`` of them (all when None)."""
    u = result.units.sort_values(["rank", "unit_name"], kind="stable")
    if top is not None:
        u = u.head(top)
    return pd.DataFrame(
        {
            "排名": u["rank"].astype("int64").tolist(),
            "单位": u["unit_name"].astype("str").tolist(),
            "单位类别": u["unit_kind"].astype("str").tolist(),
            "得分": u["score"].astype("float64").round(2).tolist(),
            "活动数": (u["n_activities"] - u["n_cancelled"]).astype("int64").tolist(),
            "已开展": u["n_held"].astype("int64").tolist(),
            "红灯事项": u["red_items"].astype("int64").tolist(),
            "黄灯事项": u["yellow_items"].astype("int64").tolist(),
        }
    )


def _most_overdue(result: ComplianceResult, top: int) -> pd.DataFrame:
    """Units with red items, most first, then by rank."""
    table = ranking_table(result)
    table = table[table["红灯事项"] > 0]
    return table.sort_values(["红灯事项", "排名"], ascending=[False, True], kind="stable").head(top)


# ------------------------------------------------------------------ titles
def dashboard_xlsx_title(campaign: Campaign, sheet: str = "") -> str:
    """``<活动名称>进展情况统计``, with the sheet's heading after it (``（主要指标）``)."""
    return paper_title(campaign, "进展情况统计", note=f"（{sheet}）" if sheet else "")


def dashboard_summary_title(campaign: Campaign) -> str:
    """``<活动名称>进展情况``: the heading of the one-page summary."""
    return paper_title(campaign, "进展情况")


def _as_of_line(result: ComplianceResult) -> str:
    return f"统计截至：{cn_date(result.as_of)}"


# ------------------------------------------------------------------ xlsx
_LEFT = {"指标", "说明", "单位"}


@dataclass(frozen=True)
class _Sheet:
    name: str
    heading: str
    columns: Sequence[str]
    widths: Sequence[float]
    rows: list[list[Any]]
    formats: dict[str, str]
    landscape: bool = False
    cell_formats: tuple[str | None, ...] = ()
    """A number format per row for the column after 指标 (rates among counts)."""


def _frame_rows(frame: pd.DataFrame) -> list[list[Any]]:
    return [list(row) for row in frame.itertuples(index=False)]


def _write_sheet(ws: Worksheet, sheet: _Sheet, campaign: Campaign, as_of: str) -> SheetRows:
    n = len(sheet.columns)
    for index, width in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    title_row(ws, dashboard_xlsx_title(campaign, sheet.heading), n)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n)
    put_cell(ws, 2, 1, as_of, border=False)
    ws.row_dimensions[2].height = 20
    header_row(ws, 3, sheet.columns)
    styles = [
        cell_style(ws, "left" if c in _LEFT else "center", number_format=sheet.formats.get(c))
        for c in sheet.columns
    ]
    rows = SheetRows(ws, 4, styles)
    value_column = list(sheet.columns).index("数值") if "数值" in sheet.columns else -1
    for index, values in enumerate(sheet.rows):
        fmt = sheet.cell_formats[index] if index < len(sheet.cell_formats) else None
        overrides = {value_column: cell_style(ws, "center", number_format=fmt)} if fmt else None
        texts = [(v, w) for v, w in zip(values, sheet.widths, strict=True) if isinstance(v, str)]
        rows.append(values, row_height(texts), overrides)
    ws.freeze_panes = "A4"
    page_setup(ws, landscape=sheet.landscape, title_rows="3:3")
    return rows


def dashboard_xlsx(result: ComplianceResult, campaign: Campaign) -> bytes:
    """The dashboard's figures as a workbook: 主要指标, 各月进展, 单位类别, 单位排名.

    Each sheet has the title built from the campaign's name, the 统计截至 line, a header
    row frozen and repeated on every printed page, A4 fit to width. Counts and scores
    are numbers, the on-time rates fractions shown as percentages (blank when nothing
    is due yet); text is neutralised.
    """
    kpis = _kpi_numbers(result)
    months = month_table(result, campaign)
    ranking = ranking_table(result)
    sheets = [
        _Sheet(
            "主要指标",
            "主要指标",
            ["序号", "指标", "数值", "说明"],
            [6, 16, 12, 60],
            [
                [n, label, value, KPI_HELP.get(label, _UNITS_HELP)]
                for n, (label, value, _) in enumerate(kpis, start=1)
            ],
            {},
            cell_formats=tuple(fmt for _, _, fmt in kpis),
        ),
        _Sheet(
            "各月进展",
            "各月活动进展",
            list(months.columns),
            [12, 12, 12, 14, 12],
            _frame_rows(months),
            {"计划月份": '0"月"'},
        ),
        _Sheet(
            "单位类别",
            "按单位类别",
            ["单位类别", "单位数", "已申报单位", "活动数", "已开展", "红灯事项"],
            [16, 10, 12, 10, 10, 10],
            _frame_rows(kind_table(result)),
            {},
        ),
        _Sheet(
            "单位排名",
            "单位排名",
            list(ranking.columns),
            [8, 30, 12, 10, 10, 10, 10, 10],
            _frame_rows(ranking),
            {"得分": "0.00"},
            landscape=True,
        ),
    ]
    wb = Workbook()
    as_of = _as_of_line(result)
    written = []
    for index, sheet in enumerate(sheets):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = sheet.name
        written.append(_write_sheet(ws, sheet, campaign, as_of))
    return save(wb, *written)


_UNITS_HELP = "参与本年度活动的单位数"


# ------------------------------------------------------------------ one-page docx
_TABLE_SIZE = 10.5  # 五号
_BODY_SIZE = 12  # 小四
_HEADING_SIZE = 14  # 四号
_TITLE_SIZE = 18  # 小二
_USABLE_CM = 21.0 - 2.5 - 2.5


def _line(
    document: Any,
    text: str,
    east_asia: str = BODY_FONT_CN,
    size: float = _BODY_SIZE,
    align: Any = WD_ALIGN_PARAGRAPH.LEFT,
    before: float = 0,
) -> Any:
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(3)
    fmt.line_spacing = 1.0
    docx_font(paragraph.add_run(xml_safe(text)), east_asia, size)
    return paragraph


def _table(
    document: Any, header: Sequence[str], rows: Sequence[Sequence[Any]], weights: Sequence[float]
) -> None:
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    total = sum(weights)
    widths = [Cm(_USABLE_CM * w / total) for w in weights]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row_index, (row, values) in enumerate(zip(table.rows, [header, *rows], strict=True)):
        for col_index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = widths[col_index]
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            if row_index == 0 or not isinstance(value, str) or col_index != 1:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            font = HEADING_FONT_CN if row_index == 0 else BODY_FONT_CN
            docx_font(paragraph.add_run(xml_safe(_cell_text(value))), font, _TABLE_SIZE)


def _ranked_units(
    document: Any, heading: str, ranked: pd.DataFrame, columns: list[str], empty: str
) -> None:
    """A numbered section: ``heading``, then the ``columns`` of ``ranked`` as a table
    (the unit's name wide), or the sentence ``empty`` when no unit is ranked."""
    _line(document, heading, HEADING_FONT_CN, _HEADING_SIZE, before=6)
    if ranked.empty:
        _line(document, empty)
    else:
        _table(document, columns, ranked[columns].values.tolist(), [1.2, 5, 1.5, 1.5, 1.5])


def _cell_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def dashboard_docx(result: ComplianceResult, campaign: Campaign) -> bytes:
    """A one-page summary of the dashboard for a meeting (A4 portrait, docx).

    Title from the campaign's name, the 统计截至 line, then 一、主要指标 (the headline
    numbers of :func:`kpi_values`), 二、各月活动进展, 三、得分前列单位 and 四、红灯事项较多的单位
    (at most :data:`SUMMARY_TOP` units each, so that it stays one page whatever the
    number of units), and the sender with the date. No system notes.
    """
    document = a4_portrait_document(2.2, 2.2, 2.5, 2.5, _BODY_SIZE)

    title = _line(
        document,
        dashboard_summary_title(campaign),
        TITLE_FONT_CN,
        _TITLE_SIZE,
        WD_ALIGN_PARAGRAPH.CENTER,
    )
    title.paragraph_format.space_after = Pt(6)
    _line(
        document,
        f"（{_as_of_line(result)}）",
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )

    _line(document, "一、主要指标", HEADING_FONT_CN, _HEADING_SIZE, before=6)
    values = kpi_values(result)
    pairs = [("参与单位", str(len(result.units))), *values.items()]
    half = (len(pairs) + 1) // 2
    left, right = pairs[:half], pairs[half:]
    right += [("", "")] * (len(left) - len(right))
    _table(
        document,
        ["指标", "数值", "指标", "数值"],
        [[a, b, c, d] for (a, b), (c, d) in zip(left, right, strict=True)],
        [3, 2, 3, 2],
    )

    _line(document, "二、各月活动进展", HEADING_FONT_CN, _HEADING_SIZE, before=6)
    months = month_table(result, campaign)
    _table(
        document,
        ["计划月份", "活动数", "已开展", "已报送总结", "已展示"],
        [[f"{r[0]}月", *r[1:]] for r in _frame_rows(months)],
        [2, 2, 2, 2, 2],
    )

    _ranked_units(
        document,
        "三、得分前列单位",
        ranking_table(result, SUMMARY_TOP),
        ["排名", "单位", "得分", "活动数", "已开展"],
        "暂无参与单位。",
    )
    _ranked_units(
        document,
        "四、红灯事项较多的单位",
        _most_overdue(result, SUMMARY_TOP),
        ["排名", "单位", "红灯事项", "黄灯事项", "已开展"],
        "目前各单位均无逾期未报事项。",
    )

    for text in (campaign.office_name, cn_date(result.as_of)):
        _line(document, text, align=WD_ALIGN_PARAGRAPH.RIGHT, before=0)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
