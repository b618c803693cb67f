"""Many data rows in an openpyxl workbook, written as sheet XML instead of cell objects.

openpyxl lays out everything a sheet has besides its bulk rows (merged title, headers,
column widths, frozen panes, print setup, styles) and saves the workbook; the data rows
are then written straight into that sheet's ``<sheetData>`` as text, each cell with a
style registered in the same workbook. A styled openpyxl cell costs tens of
microseconds to build and again to save; a row of text costs a few. Every text cell
goes through :func:`themeday.formats.exports.neutralise` and is stored as a string (never a
formula); numbers stay numbers, dates and times are Excel serials with a date format.

    wb = Workbook(); ws = wb.active; ...layout with openpyxl...
    rows = SheetRows(ws, first_row=4, styles=[style_id(wb, ...), ...])
    for values in data:
        rows.append(values, height=20)
    data = save(wb, rows)
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from copy import copy
from datetime import date, datetime, time
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from themeday.core.config import TZ

__all__ = ["SheetRows", "save", "style_id"]

_EPOCH = datetime(1899, 12, 30)
_EPOCH_DATE = _EPOCH.date()
_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd h:mm:ss"  # what openpyxl gives a datetime by default
_ILLEGAL_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FLUSH_ROWS = 500


def style_id(
    ws: Worksheet,
    *,
    font: Font | None = None,
    horizontal: str | None = None,
    wrap: bool = False,
    border: Border | None = None,
    number_format: str | None = None,
    fill: PatternFill | None = None,
) -> int:
    """Register a cell style in ``ws``'s workbook and return its index (the ``s`` of a cell).

    The same arguments give the same style :func:`themeday.formats.exports.put_cell` builds.
    """
    cell = Cell(ws)
    if font is not None:
        cell.font = font
    if horizontal is not None or wrap:
        cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=wrap)
    if border is not None:
        cell.border = border
    if number_format is not None:
        cell.number_format = number_format
    if fill is not None:
        cell.fill = fill
    return cell.style_id


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")  # a bare CR would be read back as LF
    return text


def _serial(moment: date) -> float | int:
    """Excel's serial day number of a date or a (Beijing, zone-less) time."""
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(TZ).replace(tzinfo=None)
        delta = moment - _EPOCH
        return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return (moment - _EPOCH.date()).days


class SheetRows:
    """The data rows of one sheet from ``first_row`` on, kept as XML until :func:`save`.

    ``styles`` holds one style index per column (see :func:`style_id`); a row may
    override some (``overrides``: column index from 0 → style). Text is neutralised,
    stripped of characters XML cannot hold and stored inline; ``None`` leaves the cell
    empty but styled (its border shows).
    """

    def __init__(self, ws: Worksheet, first_row: int, styles: Sequence[int]) -> None:
        from themeday.formats.exports import neutralise  # exports builds on this module

        self.ws = ws
        self.first_row = first_row
        self.row = first_row - 1
        self.styles = list(styles)
        self._letters = [get_column_letter(i) for i in range(1, len(styles) + 1)]
        self._chunks: list[bytes] = []
        self._pending: list[str] = []
        self._date_styles: dict[tuple[int, str], int] = {}
        self._neutralise = neutralise
        self._texts: dict[str, str] = {}  # the same text recurs (units, labels, forms)

    def _text(self, value: str) -> str:
        """``value`` as the content of an inline string: clean, neutralised, escaped."""
        return _escape(self._neutralise(_ILLEGAL_XML_CHARS.sub("", value)))

    @property
    def last_row(self) -> int:
        """The last row written (``first_row - 1`` while empty)."""
        return self.row

    def _dated(self, style: int, fmt: str) -> int:
        """``style`` with a date format, unless it already has one."""
        key = (style, fmt)
        found = self._date_styles.get(key)
        if found is None:
            wb = self.ws.parent
            cell = Cell(self.ws, style_array=copy(wb._cell_styles[style]))
            if cell.number_format == "General":
                cell.number_format = fmt
            found = self._date_styles[key] = cell.style_id
        return found

    def append(
        self,
        values: Sequence[object],
        height: float | None = None,
        overrides: dict[int, int] | None = None,
    ) -> None:
        """Write the next row; ``height`` in points (``None``: Excel's default)."""
        self.row += 1
        r = str(self.row)
        cells = []
        texts = self._texts
        styles = self.styles
        for index, value in enumerate(values):
            style = styles[index]
            if overrides and index in overrides:
                style = overrides[index]
            ref = self._letters[index] + r
            kind = type(value)
            if kind is str:
                if value:
                    text = texts.get(value)
                    if text is None:
                        text = texts[value] = self._text(value)
                    cells.append(
                        f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
                        f"{text}</t></is></c>"
                    )
                else:  # as openpyxl writes an empty string: no value
                    cells.append(f'<c r="{ref}" s="{style}"/>')
            elif value is None:
                cells.append(f'<c r="{ref}" s="{style}"/>')
            elif kind is bool:
                cells.append(f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>')
            elif kind is int or kind is Decimal:
                cells.append(f'<c r="{ref}" s="{style}"><v>{value}</v></c>')
            elif kind is float:
                if math.isfinite(value):
                    cells.append(f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>')
                else:
                    cells.append(f'<c r="{ref}" s="{style}"/>')
            elif kind is date:
                style = self._dated(style, _DATE_FORMAT)
                cells.append(f'<c r="{ref}" s="{style}"><v>{(value - _EPOCH_DATE).days}</v></c>')
            else:
                cells.append(self._other(ref, style, value))
        if height is None:
            self._pending.append(f'<row r="{r}">{"".join(cells)}</row>')
        else:
            self._pending.append(
                f'<row r="{r}" ht="{height:g}" customHeight="1">{"".join(cells)}</row>'
            )
        if len(self._pending) >= _FLUSH_ROWS:
            self._flush()

    def _other(self, ref: str, style: int, value: object) -> str:
        """A cell of a less common type: dates, times, Decimal, numpy scalars, NaT."""
        if value != value:  # NaN, NaT  # noqa: PLR0124
            return f'<c r="{ref}" s="{style}"/>'
        if isinstance(value, datetime):
            style = self._dated(style, _DATETIME_FORMAT)
            return f'<c r="{ref}" s="{style}"><v>{_serial(value)!r}</v></c>'
        if isinstance(value, date):
            style = self._dated(style, _DATE_FORMAT)
            return f'<c r="{ref}" s="{style}"><v>{_serial(value)}</v></c>'
        if isinstance(value, time):
            raise TypeError("a time of day without a date cannot be exported")
        if isinstance(value, bool):
            return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | Decimal):
            return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'
        if isinstance(value, float):
            return f'<c r="{ref}" s="{style}"><v>{float(value)!r}</v></c>'
        item = getattr(value, "item", None)  # a numpy scalar: its Python value
        if callable(item):
            plain = item()
            if not callable(getattr(plain, "item", None)):
                return self._other(ref, style, plain)
        text = self._text(str(value))
        if not text:
            return f'<c r="{ref}" s="{style}"/>'
        return (
            f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
            f"{text}</t></is></c>"
        )

    def _flush(self) -> None:
        if self._pending:
            self._chunks.append("".join(self._pending).encode("utf-8"))
            self._pending = []

    def xml(self) -> list[bytes]:
        """The rows written so far, as UTF-8 chunks of ``<row>`` elements."""
        self._flush()
        return self._chunks


_SHEET_DATA = re.compile(rb"<sheetData\s*/>|</sheetData>")
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')
_LAST_CELL = re.compile(r"^([A-Z]+)(\d+)$")


def _dimension(head: bytes, rows: SheetRows) -> bytes:
    """Widen the sheet's ``<dimension>`` to cover the rows written as text."""
    match = _DIMENSION.search(head)
    if match is None or rows.last_row < rows.first_row:
        return head
    ref = match.group(0).split(b'"')[1].decode()
    first, _, last = ref.partition(":")
    found = _LAST_CELL.match(last or first)
    width = len(rows.styles)
    if found is not None:
        width = max(width, column_index_from_string(found.group(1)))
    new = f'<dimension ref="{first}:{get_column_letter(width)}{rows.last_row}"/>'.encode()
    return head[: match.start()] + new + head[match.end() :]


def save(wb: Workbook, *sheets: SheetRows, compresslevel: int = 6) -> bytes:
    """The workbook as xlsx bytes, each sheet's text rows spliced after its openpyxl rows.

    Rows written by openpyxl must all come before ``first_row`` of their sheet (Excel
    wants rows in order); anything after the bulk rows goes in through ``SheetRows`` too.
    """
    buffer = io.BytesIO()
    wb.save(buffer)
    by_path = {}
    for rows in sheets:
        highest = max((r for r, _ in rows.ws._cells), default=0)
        highest = max(highest, max(rows.ws.row_dimensions, default=0))
        if highest >= rows.first_row:
            raise ValueError(f"row {highest} of {rows.ws.title} was written by openpyxl")
        by_path[rows.ws.path.lstrip("/")] = rows
    if not by_path:
        return buffer.getvalue()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            rows = by_path.get(info.filename)
            if rows is None:
                target.writestr(info.filename, data)
                continue
            match = _SHEET_DATA.search(data)
            if match is None:
                raise ValueError(f"{info.filename} has no sheetData")
            head, tail = data[: match.start()], data[match.end() :]
            if match.group(0).startswith(b"<sheetData"):
                head += b"<sheetData>"
            with target.open(info.filename, "w") as stream:
                stream.write(_dimension(head, rows))
                for chunk in rows.xml():
                    stream.write(chunk)
                stream.write(b"</sheetData>")
                stream.write(tail)
    return out.getvalue()
