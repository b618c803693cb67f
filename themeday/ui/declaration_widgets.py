"""Streamlit pieces of the 申报表 form (主题申报): its columns and the rows being typed.

The rows a unit is typing live in a plain session key that no widget owns (the
form's working copy), so a click on 添加一行, 删除所选行 or a refused save never
loses what was typed, and a half-filled row stays on the screen until it is fixed.
The editor is drawn from that copy; after each click the copy takes the editor's
edits and the editor starts afresh from it (a new key).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from themeday.core.declaration_rules import (
    SUMMARY_MAX,
    TITLE_MAX,
    ThemeRow,
    rows_from_records,
    summary_required,
)
from themeday.core.domain import Actor, CampaignRules
from themeday.core.records import Activity, Campaign, Declaration, Unit
from themeday.formats import exports
from themeday.repository import Repository
from themeday.services.file_audit import DownloadAudit
from themeday.ui.widgets import XLSX_MIME, deferred_download, download_name

_ROWS = "themeday.declaration_rows"
_BASE_COLUMNS = {
    "seq": "序号",
    "title": "活动主题",
    "planned_month": "计划月份",
    "form": "活动形式",
}


def theme_columns(rules: CampaignRules) -> dict[str, str]:
    """The 申报表's columns for a campaign (key → label), in their order.

    The editor and the read-only view after submitting both show exactly these.
    """
    columns = dict(_BASE_COLUMNS)
    if summary_required(rules) or not rules.row_has_contact:
        columns["summary"] = "活动简介"
    if rules.row_has_contact:
        columns["contact"] = "联系人及电话"
    return columns


def month_label(month: int) -> str:
    """计划月份 as shown: 5 → "5月"."""
    return f"{month}月"


def themes_table(themes: list[Activity], rules: CampaignRules) -> pd.DataFrame:
    """A stored 申报表's rows, read-only, with the editor's columns, labels and order."""
    columns = theme_columns(rules)
    rows = [{label: _shown(key, getattr(t, key)) for key, label in columns.items()} for t in themes]
    return pd.DataFrame(rows, columns=list(columns.values()))


def _shown(key: str, value: Any) -> Any:
    if key == "planned_month":
        return "" if value is None else month_label(value)
    return value


def editor_config(campaign: Campaign, months: list[int], contact_default: str) -> dict[str, Any]:
    """``column_config`` of the 申报表 editor.

    No column is ``required`` and no text has ``max_chars``: the browser's editor
    silently drops a new row whose required cell is empty and cuts text at
    ``max_chars``. The service refuses such rows and texts with a message instead.
    """
    rules = campaign.rules
    config = {
        "seq": st.column_config.NumberColumn(
            "序号", min_value=1, max_value=99, step=1, help="改动序号可调整主题顺序"
        ),
        "title": st.column_config.TextColumn("活动主题", help=f"不超过{TITLE_MAX}个字"),
        "planned_month": st.column_config.SelectboxColumn(
            "计划月份", options=months, format_func=month_label
        ),
        "form": st.column_config.SelectboxColumn("活动形式", options=list(rules.allowed_forms)),
        "summary": st.column_config.TextColumn(
            "活动简介", width="large", help=f"不超过{SUMMARY_MAX}个字"
        ),
        "contact": st.column_config.TextColumn(
            "联系人及电话",
            default=contact_default or None,
            help="留空则填入上方的联系人和联系电话；如：张三 0739-5321101",
        ),
    }
    return {key: config[key] for key in theme_columns(rules)}


@dataclass(frozen=True)
class FormRows:
    """The rows a 申报表 form shows: the working copy and the editor's generation.

    ``contact`` is what a new row's 联系人及电话 starts as: the form's 联系人 and
    联系电话 when the copy was made. It stays fixed for a generation, because a
    change to the editor's configuration is a new editor and would drop its edits.
    """

    records: list[dict[str, Any]]
    generation: int
    contact: str

    def frame(self, columns: dict[str, str]) -> pd.DataFrame:
        """The editor's input table: one column per key, months and 序号 as integers."""
        frame = pd.DataFrame(self.records, columns=list(columns))
        return frame.astype({"seq": "Int64", "planned_month": "Int64"})

    def label(self, position: int) -> str:
        """A row as the delete picker names it: "第2行：政策宣讲"."""
        title = str(self.records[position].get("title") or "").strip() or "（未填写活动主题）"
        return f"第{position + 1}行：{title}"


def form_rows(
    campaign_id: int, version: int, load: Callable[[], list[ThemeRow]], contact: str
) -> FormRows:
    """The working copy of the form filled from ``version``; the first time, ``load``
    gives the stored rows and ``contact`` the form's 联系人及电话."""
    kept = st.session_state.setdefault(_ROWS, {})
    if (campaign_id, version) not in kept:
        kept[(campaign_id, version)] = FormRows(records_of(load()), 0, contact)
    return kept[(campaign_id, version)]


def keep_rows(campaign_id: int, version: int, rows: list[ThemeRow], contact: str) -> None:
    """Make ``rows`` the working copy; the next run draws a fresh editor from it."""
    kept = st.session_state.setdefault(_ROWS, {})
    old = kept.get((campaign_id, version))
    generation = (old.generation + 1) if old else 0
    kept[(campaign_id, version)] = FormRows(records_of(rows), generation, contact)


def forget_rows(campaign_id: int) -> None:
    """Drop the working copies of a campaign's form (after a save the stored rows count)."""
    kept = st.session_state.get(_ROWS, {})
    for key in [k for k in kept if k[0] == campaign_id]:
        del kept[key]


def records_of(rows: list[ThemeRow]) -> list[dict[str, Any]]:
    """Rows as editor records, 序号 renumbered 1…n in their order."""
    return [
        {
            "seq": number,
            "title": row.title,
            "planned_month": row.planned_month,
            "form": row.form or None,
            "summary": row.summary,
            "contact": row.contact,
        }
        for number, row in enumerate(rows, start=1)
    ]


def typed_rows(
    edited: pd.DataFrame,
    contact_defaults: tuple[str, ...] = (),
    drop: list[int] | tuple[int, ...] = (),
    keep_blank: bool = False,
) -> list[ThemeRow]:
    """The rows the editor holds, in 序号 order, without the rows at positions ``drop``.

    A 联系人及电话 cell that only repeats the form's 联系人 and 联系电话 (one of
    ``contact_defaults``) counts as empty: it follows those fields when they change,
    and a row holding nothing else is a blank row.
    """
    defaults = {d for d in contact_defaults if d}
    records = []
    for label, record in zip(edited.index, edited.to_dict("records"), strict=True):
        if label in drop:
            continue
        values = {k: None if _missing(v) else v for k, v in record.items()}
        if values.get("contact") is not None and str(values["contact"]).strip() in defaults:
            values["contact"] = None
        records.append(values)
    return rows_from_records(records, keep_blank=keep_blank)


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def declaration_download(
    repo: Repository,
    actor: Actor,
    campaign: Campaign,
    unit: Unit,
    declaration: Declaration,
    label: str,
) -> None:
    """The unit's 申报表 as the official xlsx, read and built only when clicked."""

    def build(reader: Repository) -> tuple[bytes, int]:
        themes = reader.declarations.list_themes(actor, declaration.id)
        return exports.declaration_xlsx(campaign, unit, declaration, themes), len(themes)

    deferred_download(
        label,
        build,
        file_name=download_name(f"{campaign.year}年", unit.name, "主题申报表.xlsx"),
        mime=XLSX_MIME,
        key=f"declaration_xlsx_{declaration.id}",
        repo=repo,
        actor=actor,
        audit=DownloadAudit(
            f"{unit.name}主题申报表（Excel）",
            campaign,
            object_type="declaration",
            object_id=declaration.id,
        ),
    )
