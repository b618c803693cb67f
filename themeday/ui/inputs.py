"""Input widgets in Chinese: file pickers with their kind's cap, bounded date fields, and
the one stylesheet that puts Chinese over the English Streamlit draws itself.

Streamlit 1.67 has no parameter for the uploader's button ("Upload"), its hint
("Drag and drop files here", "200MB per file • PDF"), a rejected file's message, the
multiselect's "Select all", an empty list's "No results", a date field's "yyyy/mm/dd"
and out-of-range error, or the "Press Enter to apply" under text fields. The stylesheet
below hides those text nodes (``visibility: hidden`` also keeps them out of
``innerText``) and draws constant Chinese in their place with ``::after``, keyed on
``data-testid`` and ``data-*`` attributes the frontend sets for its own tests. It
holds no user text. Sizes and formats cannot be read by CSS, so each picker's label
carries them (:func:`file_picker`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from themeday.formats.uploads import FileRule

DATE_FORMAT = "YYYY-MM-DD"
"""How every date field shows its date (the tables' style: 2026-12-03)."""

_UPLOADER = '[data-testid="stFileUploaderDropzone"]'
_DATE = '[data-testid="stDateInputField"] [data-placeholder="true"]'
_HINT = '[data-testid="InputInstructions"] > span:first-child'
_FORM = '[data-testid="stForm"]'
_AREA = '[data-testid="stTextArea"]'
_SMALL = "0.75rem"

REPLACEMENTS: tuple[tuple[str, str, str], ...] = (
    # The uploader's button ("Upload") and its hint line ("20MB per file • PDF").
    (f'{_UPLOADER} button [data-testid="stMarkdownContainer"] p', "选择文件", "0.875rem"),
    (
        f'{_UPLOADER} [data-testid="stFileUploaderDropzoneInstructions"] span',
        "或将文件拖放到此处（格式和大小见上方说明）",
        "0.875rem",
    ),
    # Shown while a file is dragged over the box ("Drag and drop files here").
    ('[data-testid="stFileUploaderDropzoneInput"] + div > span', "松开鼠标即可添加文件", "1rem"),
    # A file the browser refused ("Error: File must be 20.0MB or smaller.").
    ('[data-testid="stFileChip"] [role="alert"]', "文件过大或格式不符，未能添加", _SMALL),
    # Multiselect: the bulk rows ("Select all", "Select 3 matches") and an empty list.
    ('[data-key="__select_all__"] [data-item-hl]', "全选", "1rem"),
    ('[data-key="__select_matches__"] [data-item-hl]', "全选筛选结果", "1rem"),
    ('[role="listbox"][data-empty="true"] [role="option"] > span', "无匹配项", "0.875rem"),
    # Date fields: the empty segments ("yyyy", "mm", "dd") and the range error.
    (f'{_DATE}[data-type="year"]', "年", "1rem"),
    (f'{_DATE}[data-type="month"]', "月", "1rem"),
    (f'{_DATE}[data-type="day"]', "日", "1rem"),
    ('[data-testid="stDateInput"] [role="alert"]', "日期超出可选范围，请重新选择", _SMALL),
    # The hover tooltip of any widget's error (a refused file, a date out of range…).
    ('[data-testid="stTooltipErrorContent"]', "输入有误，请按说明重新选择或填写", "0.875rem"),
    # "Press Enter to apply", "... to submit form", "Press Ctrl+Enter to apply" (the
    # later, more specific rules win inside forms and text areas).
    (_HINT, "按回车键确认", _SMALL),
    (f"{_FORM} {_HINT}", "按回车键提交", _SMALL),
    (f"{_AREA} {_HINT}", "按 Ctrl（或 ⌘）+回车键确认", _SMALL),
    (f"{_FORM} {_AREA} {_HINT}", "按 Ctrl（或 ⌘）+回车键提交", _SMALL),
)
"""(CSS selector of an element whose English text is hidden, Chinese drawn instead,
font size of the Chinese)."""

_SWAP = "visibility: hidden; font-size: 0 !important; line-height: 0;"
"""Hide an element's own text but keep its box, so its ``::after`` can show instead."""
_SHOW = "visibility: visible; line-height: normal;"

WIDGET_CSS = "".join(
    f"{selector} {{ {_SWAP} }}\n"
    f'{selector}::after {{ content: "{text}"; font-size: {size}; {_SHOW} }}\n'
    for selector, text, size in REPLACEMENTS
)
"""The constant stylesheet (no user text): see the module docstring."""


def widget_stylesheet() -> None:
    """Emit :data:`WIDGET_CSS` (once per run, from ``app.py``: it serves every page)."""
    st.html(f"<style>{WIDGET_CSS}</style>")


# ------------------------------------------------------------------ file pickers
def file_picker(
    label: str,
    rule: FileRule,
    *,
    key: str,
    multiple: bool = False,
    note: str = "",
    help: str | None = None,
    container: Any = None,
) -> Any:
    """``st.file_uploader`` with the rule's formats and its own cap (not the server's
    ``maxUploadSize``); the label ends with them in Chinese, e.g.
    "选择扫描件（PDF、JPG 或 PNG，不超过 20 MB）", after an optional ``note`` ("可选")."""
    where = st if container is None else container
    extra = f"{note}，" if note else ""
    return where.file_uploader(
        f"{label}（{extra}{rule.hint(multiple)}）",
        type=list(rule.extensions),
        accept_multiple_files=multiple,
        key=key,
        help=help,
        max_upload_size=rule.max_mb,
    )


# ------------------------------------------------------------------ dates
def year_bounds(first_year: int, last_year: int | None = None) -> tuple[date, date]:
    """1 January of ``first_year`` to 31 December of ``last_year`` (default: the same)."""
    return date(first_year, 1, 1), date(last_year or first_year, 12, 31)


def clamp(day: date, bounds: tuple[date, date]) -> date:
    """``day`` moved into ``bounds`` (Streamlit refuses a default outside them)."""
    return min(max(day, bounds[0]), bounds[1])


def date_field(
    label: str,
    value: date | None,
    bounds: tuple[date, date],
    *,
    key: str | None = None,
    help: str | None = None,
    container: Any = None,
) -> date | None:
    """``st.date_input`` in the tables' date style, limited to ``bounds`` (so the
    calendar offers only days that fit, never Streamlit's ten years either side of
    today); a default outside them is moved to the nearest bound, ``None`` stays empty."""
    where = st if container is None else container
    return where.date_input(
        label,
        value=None if value is None else clamp(value, bounds),
        min_value=bounds[0],
        max_value=bounds[1],
        key=key,
        help=help,
        format=DATE_FORMAT,
    )
