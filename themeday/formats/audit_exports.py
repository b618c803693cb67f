"""The audit log as files (审计日志导出): CSV and one A3 xlsx sheet.

The rows are :func:`themeday.core.audit.table_rows`, the screen's table with
the hash column. Apart from the hash chain (:mod:`themeday.core.audit`), which
every write imports and which so never loads openpyxl.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from themeday.core.audit import EXPORT_COLUMNS, AuditRow, table_rows
from themeday.formats.exports import (
    csv_bytes,
    data_rows,
    header_row,
    page_setup,
    set_widths,
    title_row,
)
from themeday.formats.xlsx_rows import save


def audit_csv(rows: Sequence[AuditRow]) -> bytes:
    """The rows as CSV (UTF-8 with BOM), every text cell neutralised against formulas."""
    return csv_bytes(table_rows(rows, with_hash=True), EXPORT_COLUMNS)


_EXPORT_WIDTHS = {
    "时间": 17,
    "操作人": 22,
    "对象": 30,
    "来源地址": 18,
    "说明": 50,
    "本条哈希": 30,
    "操作": 16,
}


def audit_xlsx(rows: Sequence[AuditRow], subtitle: str = "") -> bytes:
    """The rows as one xlsx sheet: a title, an optional filter line, then one row each.

    Text cells are neutralised and stored as text; ids and times stay numeric. The
    header row is frozen and printed on every page, A3 landscape, fit to width.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "审计日志"
    columns = list(EXPORT_COLUMNS)
    widths = set_widths(ws, columns)
    for index, name in enumerate(columns):
        if name in _EXPORT_WIDTHS:
            widths[index] = float(_EXPORT_WIDTHS[name])
            ws.column_dimensions[get_column_letter(index + 1)].width = widths[index]
    title_row(ws, "审计日志", len(columns))
    header = 2
    if subtitle:
        title_row(ws, subtitle, len(columns), row=2)
        ws.row_dimensions[2].height = 20
        header = 3
    header_row(ws, header, columns)
    body = data_rows(
        ws,
        header + 1,
        columns,
        ([row[c] for c in columns] for row in table_rows(rows, with_hash=True)),
        widths,
        number_formats={"时间": "yyyy-mm-dd hh:mm"},
    )
    ws.freeze_panes = f"A{header + 1}"
    # 12 columns with the long 说明 and 本条哈希 are too small on A4
    page_setup(ws, landscape=True, title_rows=f"{header}:{header}", paper="A3")
    return save(wb, body)
