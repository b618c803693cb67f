"""Reading what people upload: unit lists (xlsx/csv) and filled 申报表 (xlsx).

Pure functions, bytes in: no Streamlit, no SQL. Every problem is reported in Chinese
and names its row (``第3行：…``). A result's ``ok`` is ``not errors``: when it is false
the caller imports nothing, so a file is taken whole or not at all.

Uploaded files are not trusted: the content is checked (not the file name), sizes are
capped, formula cells are reported and never evaluated, the apostrophe that
:func:`themeday.formats.exports.neutralise` adds is taken off again, and text is stripped.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from themeday.core.domain import UnitKind, unit_problems
from themeday.core.records import Campaign
from themeday.core.workdays import WorkdayOverride
from themeday.formats.exports import neutralise
from themeday.formats.uploads import FileRule

__all__ = [
    "MAX_IMPORT_BYTES",
    "TABLE_FILE",
    "XLSX_FILE",
    "DeclarationImport",
    "UnitImport",
    "UnitRow",
    "parse_declaration_xlsx",
    "parse_month",
    "parse_units",
]

MAX_IMPORT_BYTES = 10 * 1024 * 1024
"""Largest file accepted (10 MB); a unit list or a 申报表 is far smaller."""

XLSX_FILE = FileRule(("Excel（.xlsx）",), ("xlsx",), MAX_IMPORT_BYTES)
"""The file picker for a filled 申报表."""
TABLE_FILE = FileRule(("Excel（.xlsx）", "CSV"), ("xlsx", "csv"), MAX_IMPORT_BYTES)
"""The file picker for a list (units, workday overrides, grid records)."""

MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
"""Largest xlsx content once unzipped, so a small "zip bomb" cannot exhaust memory."""

MAX_UNIT_ROWS = 20_000
MAX_DECLARATION_ROWS = 2_000
_HEADER_SEARCH_ROWS = 30

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an encrypted .xlsx

NOT_XLSX = (
    "文件无法读取：不是有效的 Excel（.xlsx）文件，请用 Excel 或 WPS 另存为 .xlsx 后重新上传。"
)
OLD_XLS = (
    "文件是旧版 .xls 格式或已加密，无法读取："
    "请在 Excel 或 WPS 中另存为 .xlsx（不设密码）后重新上传。"
)
TOO_LARGE = f"文件过大（超过{MAX_IMPORT_BYTES // (1024 * 1024)}MB），无法导入。"
EMPTY_FILE = "文件是空的。"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class UnitRow:
    """One valid row of an imported unit list."""

    name: str
    kind: str
    contact_person: str
    contact_phone: str


@dataclass
class UnitImport:
    """What :func:`parse_units` found: the valid rows and every problem.

    ``ok`` is ``not errors``; when it is false the caller must import nothing.
    """

    rows: list[UnitRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file has no problems and every row may be imported."""
        return not self.errors


@dataclass
class DeclarationImport:
    """What :func:`parse_declaration_xlsx` found in a filled 申报表.

    ``themes`` holds the rows that parsed cleanly, in file order, each a dict with
    ``title``, ``planned_month`` (int), ``form``, ``summary`` and ``contact``.
    ``ok`` is ``not errors``; when it is false the caller must import nothing.
    """

    unit_name: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    themes: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row parsed and the themes may be imported."""
        return not self.errors


# --------------------------------------------------------------------------- cells


@dataclass(frozen=True)
class _Formula:
    """A formula cell in an uploaded workbook: kept as its text, never evaluated."""

    text: str


def _unneutralise(text: str) -> str:
    """Take off the apostrophe that :func:`themeday.formats.exports.neutralise` added."""
    if text.startswith("'") and neutralise(text[1:]) == text:
        return text[1:]
    return text


def _text(value: object) -> str:
    """A cell's value as stripped text (numbers without a trailing ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, _Formula):
        return value.text.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == 0:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return _unneutralise(str(value)).strip()


def _normalise_header(value: object) -> str:
    """Header text compared loosely: no spaces, ``*`` or parenthesised notes."""
    text = unicodedata.normalize("NFKC", _text(value))
    text = re.sub(r"[\s*]", "", text)
    return re.sub(r"\([^)]*\)", "", text)


def _column_map(row: Sequence[object], synonyms: dict[str, set[str]]) -> dict[str, int]:
    """Field name → column index for the header cells of ``row`` that are recognised."""
    found: dict[str, int] = {}
    for index, value in enumerate(row):
        header = _normalise_header(value)
        for key, names in synonyms.items():
            if header in names and key not in found:
                found[key] = index
                break
    return found


def _find_header(
    rows: Sequence[Sequence[object]], synonyms: dict[str, set[str]], required: Sequence[str]
) -> tuple[int, dict[str, int]] | None:
    """The first row (index, column map) holding every ``required`` header."""
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        columns = _column_map(row, synonyms)
        if all(key in columns for key in required):
            return index, columns
    return None


def _cell(row: Sequence[object], index: int | None) -> object:
    if index is None or index >= len(row):
        return None
    return row[index]


def _is_blank(row: Sequence[object]) -> bool:
    return all(not _text(v) for v in row)


# --------------------------------------------------------------------------- reading files


def _open_workbook(data: bytes) -> tuple[Any, str | None]:
    """The workbook in ``data``, or a Chinese error when it is not a readable xlsx."""
    if not data:
        return None, EMPTY_FILE
    if len(data) > MAX_IMPORT_BYTES:
        return None, TOO_LARGE
    if data.startswith(_OLE_MAGIC):
        return None, OLD_XLS
    if not data.startswith(_ZIP_MAGIC):
        return None, NOT_XLSX
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None, NOT_XLSX
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        return None, NOT_XLSX
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        return None, TOO_LARGE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), data_only=False, rich_text=False)
    except Exception:  # openpyxl raises many kinds on a damaged file
        return None, NOT_XLSX
    return workbook, None


def _sheet_rows(ws: Worksheet, limit: int) -> list[list[object]]:
    """The sheet's values row by row; formulas become :class:`_Formula`, merged cells
    repeat the value of their top-left cell."""
    merged: dict[tuple[int, int], object] = {}
    for cell_range in ws.merged_cells.ranges:
        top_left = ws.cell(row=cell_range.min_row, column=cell_range.min_col)
        value = _cell_value(top_left)
        for row in range(cell_range.min_row, min(cell_range.max_row, limit) + 1):
            for column in range(cell_range.min_col, cell_range.max_col + 1):
                merged[(row, column)] = value
    rows: list[list[object]] = []
    for cells in ws.iter_rows(min_row=1, max_row=min(ws.max_row, limit)):
        values = []
        for cell in cells:
            key = (cell.row, cell.column)
            values.append(merged[key] if key in merged else _cell_value(cell))
        rows.append(values)
    return rows


def _cell_value(cell: Any) -> object:
    """A cell's value; a formula (``=…``, array or table formula) as :class:`_Formula`."""
    value = cell.value
    if cell.data_type == "f":
        return _Formula(str(getattr(value, "text", None) or value or ""))
    if value is None or isinstance(value, str | int | float | date | datetime):
        return value
    return str(value)  # times, durations: shown as text


def _decode_csv(data: bytes) -> tuple[str | None, str | None]:
    """CSV text in UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, None
    return None, "文件无法读取：不是有效的 CSV 文本文件（支持 UTF-8 或 GBK 编码）。"


def _csv_rows(text: str, limit: int) -> list[list[object]]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    rows: list[list[object]] = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        rows.append(list(row))
        if len(rows) >= limit:
            break
    return rows


def _table_rows(data: bytes, filename: str, limit: int) -> tuple[list[list[object]], str | None]:
    """Rows of the first sheet of an xlsx, or of a csv; or one Chinese error."""
    name = filename.lower().strip()
    if not data:
        return [], EMPTY_FILE
    if len(data) > MAX_IMPORT_BYTES:
        return [], TOO_LARGE
    if name.endswith(".xls") or data.startswith(_OLE_MAGIC):
        return [], OLD_XLS
    if name.endswith((".xlsx", ".xlsm")) or data.startswith(_ZIP_MAGIC):
        workbook, error = _open_workbook(data)
        if error:
            return [], error
        try:
            return _sheet_rows(workbook.worksheets[0], limit), None
        finally:
            workbook.close()
    if name.endswith((".csv", ".txt")):
        text, error = _decode_csv(data)
        if error or text is None:
            return [], error
        try:
            return _csv_rows(text, limit), None
        except csv.Error:
            return [], "文件无法读取：CSV 格式不正确。"
    return [], "仅支持 Excel（.xlsx）或 CSV 文件。"


# --------------------------------------------------------------------------- 单位名单

_UNIT_COLUMNS: dict[str, set[str]] = {
    "name": {"单位名称", "名称", "单位", "单位全称"},
    "kind": {"单位类别", "类别", "单位类型", "类型"},
    "contact_person": {"联系人", "联系人姓名", "姓名"},
    "contact_phone": {
        "联系电话",
        "电话",
        "手机",
        "手机号",
        "手机号码",
        "电话号码",
        "联系方式",
        "联系人电话",
    },
}
_UNIT_LABELS = {
    "name": "单位名称",
    "kind": "单位类别",
    "contact_person": "联系人",
    "contact_phone": "联系电话",
}
_KIND_VALUES = [k.value for k in UnitKind]


def parse_units(data: bytes, filename: str) -> UnitImport:
    """Read a unit list (单位名单) from an xlsx or csv upload.

    The header row (within the first rows) needs 单位名称 and 单位类别; 联系人 and
    联系电话 are optional. Synonyms such as 名称, 类别 or 联系电话(手机) are accepted.
    CSV may be UTF-8 (with or without BOM) or GBK. Blank lines are skipped; each other
    row is checked with :func:`themeday.core.domain.unit_problems` and against earlier rows
    of the file for a repeated 单位名称. Errors are Chinese and name the row
    (``第3行：…``); ``rows`` holds only the valid rows. A file that cannot be read or
    lacks a required column gives one error and no rows. Import only when ``ok``.
    """
    result = UnitImport()
    rows, error = _table_rows(data, filename, MAX_UNIT_ROWS + _HEADER_SEARCH_ROWS)
    if error:
        result.errors.append(error)
        return result
    found = _find_header(rows, _UNIT_COLUMNS, ["name", "kind"])
    if found is None:
        result.errors.append(
            "未找到表头：文件须有“单位名称”和“单位类别”两列（可另加“联系人”“联系电话”）。"
        )
        return result
    header_index, columns = found
    seen: dict[str, int] = {}
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        line = index + 1
        if _is_blank(row):
            continue
        cells = {key: _cell(row, columns.get(key)) for key in _UNIT_COLUMNS}
        problems = [
            f"{_UNIT_LABELS[key]}是公式，请直接填写内容。"
            for key, value in cells.items()
            if isinstance(value, _Formula)
        ]
        name = _text(cells["name"])
        kind = _text(cells["kind"])
        person = _text(cells["contact_person"])
        phone = re.sub(r"[\s\u3000]", "", _text(cells["contact_phone"]))
        for problem in unit_problems(name, kind, phone):
            if problem == "请选择单位类别。":
                problem = (
                    f"单位类别“{kind}”不正确，应为{'、'.join(_KIND_VALUES)}之一。"
                    if kind
                    else "请填写单位类别。"
                )
            problems.append(problem)
        key = re.sub(r"\s", "", name)
        if key and key in seen:
            problems.append(f"单位名称“{name}”与第{seen[key]}行重复。")
        elif key:
            seen[key] = line
        if problems:
            result.errors.extend(f"第{line}行：{p}" for p in problems)
        else:
            result.rows.append(UnitRow(name, kind, person, phone))
    if len(rows) > MAX_UNIT_ROWS + header_index + 1:
        result.errors.append(f"文件行数过多：一次最多导入{MAX_UNIT_ROWS}个单位。")
    if not result.rows and not result.errors:
        result.errors.append("文件中没有单位数据。")
    return result


# --------------------------------------------------------------------------- 申报表

_THEME_COLUMNS: dict[str, set[str]] = {
    "seq": {"序号", "编号"},
    "title": {"活动主题", "主题", "主题名称", "活动名称"},
    "planned_month": {"计划月份", "活动时间", "月份", "活动月份", "计划时间", "时间"},
    "form": {"活动形式", "形式"},
    "summary": {"活动简介", "简介", "活动内容", "主要内容", "内容"},
    "contact": {"联系人及电话", "联系人及联系电话", "联系人和电话", "联系方式", "联系人"},
}
_THEME_LABELS = {
    "title": "活动主题",
    "planned_month": "计划月份",
    "form": "活动形式",
    "summary": "活动简介",
    "contact": "联系人及电话",
}

_CHINESE_MONTHS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}
_MONTH_ONLY = re.compile(r"(\d{1,2})(?:月份?)?")
_YEAR_MONTH = re.compile(r"(\d{4})(?:年|[./-])(\d{1,2})(?:月份?)?")
_CHINESE_MONTH = re.compile(r"(十[一二]?|[一二三四五六七八九])月份?")

_LABEL = re.compile(
    r"(?P<label>填报单位|申报单位|单位名称|联系人|联系电话)"
    r"\s*(?:[(（][^)）]*[)）])?\s*(?:[:：]\s*|$)"
)
"""A label of the 申报表's header line: followed by a colon, or alone in its cell."""
_TRAILING_DATE = re.compile(r"\s*\d{0,4}\s*年\s*\d{0,2}\s*月\s*\d{0,2}\s*日\s*$")
_NOTE_START = ("注", "备注", "说明", "附注")


def parse_month(value: object, year: int | None = None) -> tuple[int | None, str | None]:
    """A 计划月份 cell as ``(month, None)``, or ``(None, why)`` in Chinese.

    Accepts ``5``, ``5.0``, ``"5"``, ``"05"``, ``"5月"``, ``"5月份"``, ``"五月"``,
    ``"2023年5月"``, ``"2023-05"``, ``"2023.5"`` and Excel dates. When ``year`` is given, a
    stated year must match it. Anything else (``"五月底"``, ``"5-6月"``) is refused.
    """
    if value is None or isinstance(value, bool) or isinstance(value, _Formula):
        shown = value.text if isinstance(value, _Formula) else _text(value)
        return None, f"计划月份无法识别“{shown}”" if shown else "请填写计划月份"
    stated_year: int | None = None
    month: int | None = None
    if isinstance(value, datetime | date):
        stated_year, month = value.year, value.month
    elif isinstance(value, int | float):
        month = int(value) if float(value).is_integer() else None
    else:
        text = re.sub(r"\s", "", unicodedata.normalize("NFKC", _text(value)))
        if not text:
            return None, "请填写计划月份"
        if match := _MONTH_ONLY.fullmatch(text):
            month = int(match.group(1))
        elif match := _YEAR_MONTH.fullmatch(text):
            stated_year, month = int(match.group(1)), int(match.group(2))
        elif match := _CHINESE_MONTH.fullmatch(text):
            month = _CHINESE_MONTHS[match.group(1)]
    if month is None or not 1 <= month <= 12:
        return None, f"计划月份无法识别“{_text(value)}”，请填写如“5月”"
    if year is not None and stated_year is not None and stated_year != year:
        return None, f"计划月份“{_text(value)}”的年份与本次活动（{year}年）不符"
    return month, None


def _header_fields(rows: Sequence[Sequence[object]]) -> dict[str, str]:
    """填报单位, 联系人, 联系电话 from the rows above the table.

    Accepts ``联系人：张三`` in one cell, the label and the value in neighbouring cells,
    or all three labels typed into one cell.
    """
    found: dict[str, str] = {}
    for row in rows:
        pending: str | None = None
        for value in row:
            text = _text(value)
            if not text:
                continue
            matches = list(_LABEL.finditer(text))
            if not matches:
                if pending and pending not in found:
                    found[pending] = text
                pending = None
                continue
            before = text[: matches[0].start()].strip()
            if pending and before and pending not in found:
                found[pending] = before
            pending = None
            for number, match in enumerate(matches):
                end = matches[number + 1].start() if number + 1 < len(matches) else len(text)
                key = {"申报单位": "填报单位", "单位名称": "填报单位"}.get(
                    match.group("label"), match.group("label")
                )
                content = text[match.end() : end].strip()
                if key == "填报单位":
                    content = _TRAILING_DATE.sub("", content).strip()
                if content:
                    found.setdefault(key, _unneutralise(content).strip())
                else:
                    pending = key
    return found


def _theme_row(
    row: Sequence[object], columns: dict[str, int], line: int, campaign: Campaign
) -> tuple[dict[str, Any] | None, list[str]]:
    """One data row as a theme dict, or the row's Chinese problems."""
    rules = campaign.rules
    problems: list[str] = []
    cells = {key: _cell(row, columns.get(key)) for key in _THEME_LABELS}
    for key, value in cells.items():
        if isinstance(value, _Formula):
            problems.append(
                f"第{line}行：{_THEME_LABELS[key]}是公式（{value.text}），请直接填写内容。"
            )
    if problems:
        return None, problems
    title = _text(cells["title"])
    if not title:
        problems.append(f"第{line}行：请填写活动主题。")
    month, why = parse_month(cells["planned_month"], campaign.year)
    if why:
        problems.append(f"第{line}行：{why}。")
    elif month is not None and not rules.first_month <= month <= rules.last_month:
        problems.append(
            f"第{line}行：计划月份{month}月不在本次活动的月份范围"
            f"（{rules.first_month}月至{rules.last_month}月）内。"
        )
    form = re.sub(r"\s", "", _text(cells["form"]))
    if not form:
        problems.append(f"第{line}行：请填写活动形式。")
    elif form not in rules.allowed_forms:
        allowed = "、".join(rules.allowed_forms)
        problems.append(f"第{line}行：活动形式“{form}”不在本次活动允许的形式中（{allowed}）。")
    if problems:
        return None, problems
    theme = {
        "title": title,
        "planned_month": month,
        "form": form,
        "summary": _text(cells["summary"]),
        "contact": _text(cells["contact"]),
    }
    return theme, []


def parse_declaration_xlsx(data: bytes, campaign: Campaign) -> DeclarationImport:
    """Read a filled 申报表 (the layout :func:`themeday.formats.exports.declaration_xlsx` writes).

    Also takes a form filled in by hand: extra blank rows, merged cells, months written
    ``5月``, ``5``, ``2023年5月`` or as a number, columns found by their Chinese names.
    The rows above the table give 填报单位/申报单位, 联系人 and 联系电话; the table ends
    at a row starting with 注. Each row is checked on its own (filled in, month readable
    and within the campaign's months, form allowed); campaign-level rules such as the
    number of themes are checked elsewhere. Formula cells are reported, never evaluated.
    Errors are Chinese and name the row; import only when ``ok``.
    """
    result = DeclarationImport()
    workbook, error = _open_workbook(data)
    if error:
        result.errors.append(error)
        return result
    try:
        sheets = [_sheet_rows(ws, MAX_DECLARATION_ROWS) for ws in workbook.worksheets]
    finally:
        workbook.close()
    for rows in sheets:
        found = _find_header(rows, _THEME_COLUMNS, ["title", "planned_month", "form"])
        if found is not None:
            break
    else:
        result.errors.append(
            "未找到申报表表头（须有“活动主题”“计划月份”“活动形式”列），请使用系统导出的申报表填写。"
        )
        return result
    header_index, columns = found

    fields = _header_fields(rows[:header_index])
    result.unit_name = fields.get("填报单位", "")
    result.contact_person = fields.get("联系人", "")
    result.contact_phone = re.sub(r"[\s\u3000]", "", fields.get("联系电话", ""))

    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if _is_blank(row):
            continue
        first = next((_text(v) for v in row if _text(v)), "")
        if first.startswith(_NOTE_START):
            break
        data_keys = ("title", "planned_month", "form", "summary", "contact")
        if all(not _text(_cell(row, columns.get(k))) for k in data_keys):
            continue  # a numbered but empty row of the template
        theme, problems = _theme_row(row, columns, index + 1, campaign)
        if theme is not None:
            result.themes.append(theme)
        result.errors.extend(problems)
    if not result.themes and not result.errors:
        result.errors.append("申报表中没有填写任何活动主题。")
    return result


# --------------------------------------------------------------------------- holidays

MAX_OVERRIDE_ROWS = 400
_OVERRIDE_COLUMNS = {
    "day": {"日期", "date"},
    "kind": {"类型", "休/班", "休班", "安排", "类别"},
    "note": {"说明", "备注", "节日", "名称"},
}
_OFF_WORDS = {"休", "休息", "放假", "假"}
_ON_WORDS = {"班", "上班", "调休上班", "补班"}


@dataclass
class OverrideImport:
    """What :func:`parse_workday_overrides` found; import only when ``ok``."""

    rows: list[WorkdayOverride] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", _text(value))
    match = re.fullmatch(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?", text)
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_workday_overrides(data: bytes, filename: str) -> OverrideImport:
    """Read a year's holiday arrangement (节假日安排) from xlsx or csv.

    Columns 日期 and 类型 (休 for a day off, 班 for a make-up workday), optional 说明.
    Dates may be written 2027-01-01, 2027/1/1 or 2027年1月1日. Errors name the row.
    """
    result = OverrideImport()
    rows, error = _table_rows(data, filename, MAX_OVERRIDE_ROWS + _HEADER_SEARCH_ROWS)
    if error:
        result.errors.append(error)
        return result
    found = _find_header(rows, _OVERRIDE_COLUMNS, ["day", "kind"])
    if found is None:
        result.errors.append("未找到表头：文件须有“日期”和“类型”（休/班）两列，可另加“说明”。")
        return result
    header_index, columns = found
    seen: dict[date, int] = {}
    for index in range(header_index + 1, len(rows)):
        row, line = rows[index], index + 1
        if _is_blank(row):
            continue
        raw_day, raw_kind = _cell(row, columns["day"]), _cell(row, columns["kind"])
        day = _parse_day(raw_day)
        kind = _text(raw_kind)
        problems = []
        if day is None:
            problems.append(f"日期“{_text(raw_day)}”无法识别，请写成 2027-01-01。")
        elif day in seen:
            problems.append(f"日期 {day:%Y-%m-%d} 与第{seen[day]}行重复。")
        if kind not in _OFF_WORDS | _ON_WORDS:
            problems.append(f"类型“{kind}”不正确，应为“休”或“班”。")
        if problems:
            result.errors.extend(f"第{line}行：{p}" for p in problems)
            continue
        seen[day] = line
        note = _text(_cell(row, columns.get("note")))[:60]
        result.rows.append(WorkdayOverride(day, kind in _ON_WORDS, note))
    if not result.rows and not result.errors:
        result.errors.append("文件中没有日期数据。")
    return result


# --------------------------------------------------------------------------- 数据表导入

MAX_TABLE_ROWS = 5000
"""Rows one 数据表 import may hold (a larger list is split by the office)."""


@dataclass(frozen=True)
class TableRows:
    """An uploaded table: its header and rows as text/values, or one Chinese error.

    A formula cell is refused (its row is named in ``formula_rows``), never evaluated;
    the apostrophe our exports put before formula-like text is taken off again.
    """

    header: list[str] = field(default_factory=list)
    rows: list[list[object]] = field(default_factory=list)
    error: str | None = None
    formula_rows: list[int] = field(default_factory=list)


def read_table_rows(data: bytes, filename: str) -> TableRows:
    """The first sheet of an xlsx (or a csv) as a header row and data rows.

    The header is the first non-blank row; blank rows are skipped. A title row above
    the header (as our xlsx exports write) is skipped when the row after it is wider.
    """
    rows, error = _table_rows(data, filename, MAX_TABLE_ROWS + 3)
    if error:
        return TableRows(error=error)
    rows = [r for r in rows if not _is_blank(r)]
    if not rows:
        return TableRows(error=EMPTY_FILE)
    if len(rows) > 1 and _distinct(rows[0]) == 1 and _distinct(rows[1]) > 1:
        rows = rows[1:]  # the export's title row (merged: every cell reads the same)
    header = [_text(v) for v in rows[0]]
    body: list[list[object]] = []
    formulas: list[int] = []
    for number, row in enumerate(rows[1:], start=2):
        if any(isinstance(v, _Formula) for v in row):
            formulas.append(number)
        body.append([_unneutralise(v) if isinstance(v, str) else v for v in row])
    if len(body) > MAX_TABLE_ROWS:
        return TableRows(error=f"一次最多导入{MAX_TABLE_ROWS}行，请分批导入。")
    return TableRows(header=header, rows=body, formula_rows=formulas)


def _distinct(row: Sequence[object]) -> int:
    return len({str(v).strip() for v in row if v is not None and str(v).strip()})
