"""Audit rows, histories and record details in plain Chinese (plain functions, no Streamlit).

The audit log stores codes (``approve``, ``declaration``, ``system``), ids and, for some
actions, JSON (``{"declared_late_cap": 5.0, …}``): exact for the hash chain, unreadable for
a clerk. These functions turn a row into what a person reads: the action in Chinese, the
object by its name (the repository's audit reads join the names), 是/否, times to the
minute in Beijing time, a person as 张三（office）, and JSON as ``字段：旧 → 新`` lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

import pandas as pd

from themeday.core.dates import minute_time, table_date
from themeday.core.domain import (
    COMPLIANCE_WEIGHT_LABELS,
    ComplianceWeights,
    DeclarationStatus,
    Role,
)

SYSTEM_LOGIN = "system"
"""The login of set-up code and the command line (``SYSTEM_ACTOR``)."""

EMPTY = "（空）"
"""How an empty old or new value reads in a ``字段：旧 → 新`` line."""

_BOOLS = {"true": "是", "false": "否", "True": "是", "False": "否"}
_NONES = {"None", "none", "null", "NaT", "nan", ""}

# The details the repository writes for 催办 and 加减分 (the unit is the object's name).
_CHASE = re.compile(r"单位\d+ (unit|declaration|(plan|report):(\d+))\s*(.*)", re.S)
_CHASE_ITEMS = {
    "unit": "单位整体",
    "declaration": "申报表",
    "plan": "活动方案",
    "report": "活动总结",
}
_ADJUSTMENT = re.compile(r"单位\d+ ([+-][\d.]+)：(.*)", re.S)

_UNIT_FIELDS = {
    "name": "单位名称",
    "kind": "单位类型",
    "contact_person": "联系人",
    "contact_phone": "联系电话",
    "enabled": "启用",
    "sort_order": "排序",
}


def person(display_name: str | None, login: str | None) -> str:
    """``张三（office）``; the set-up code is 系统; a login without an account stays as typed."""
    login = (login or "").strip()
    display_name = (display_name or "").strip()
    if login == SYSTEM_LOGIN or (not login and not display_name):
        return "系统"
    if display_name and display_name != login:
        return f"{display_name}（{login}）" if login else display_name
    return login


def value_text(value: Any) -> str:
    """One stored value as a person reads it: 是/否, numbers without ``.0``, no ``None``."""
    if value is None or (not isinstance(value, str | list | tuple | dict) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, datetime):
        return minute_time(value)
    if isinstance(value, date):
        return table_date(value)
    if isinstance(value, list | tuple):
        return "、".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{value_text(v)}" for k, v in value.items())
    text = str(value)
    if text in _NONES:
        return ""
    if text in _BOOLS:
        return _BOOLS[text]
    if len(text) >= 19 and text[4] == "-" and text[10] in "T ":
        try:
            return minute_time(text)  # an ISO moment, e.g. from a record's snapshot
        except ValueError:
            return text
    return text


def change_line(label: str, before: Any, after: Any) -> str:
    """``逾期申报扣分上限：5 → 3`` (an empty side reads （空）)."""
    return f"{label}：{value_text(before) or EMPTY} → {value_text(after) or EMPTY}"


def _field_labels(object_type: str | None) -> dict[str, str]:
    from themeday.core.grid import TABLES  # the grid's field labels are the record's labels

    labels: dict[str, str] = {}
    for table in TABLES.values():
        if table.object_type == object_type:
            for f in table.fields:
                labels.setdefault(f.name, f.label)
    return labels


def _weights(text: str | None) -> dict[str, Any]:
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


def detail_lines(
    action: str,
    object_type: str | None,
    detail: str | None,
    previous_detail: str | None = None,
) -> list[str]:
    """The ``detail`` of one audit row as readable lines.

    - a field edit (JSON with label, before, after): ``预计人数：30 → 50``;
    - a record created or deleted in the 数据表 (JSON of its fields): ``字段：值`` lines;
    - 设置考核权重 (the whole set as JSON): the weights that changed against
      ``previous_detail`` (the set before it; the defaults when there was none);
    - role, status and working-day codes in Chinese; any other text as it was written.
    """
    text = (detail or "").strip()
    if not text:
        return []
    if action == "set_weights":
        new = _weights(text)
        old = _weights(previous_detail) if previous_detail else asdict(ComplianceWeights())
        lines = [
            change_line(COMPLIANCE_WEIGHT_LABELS.get(k, k), old.get(k), v)
            for k, v in new.items()
            if old.get(k) != v
        ]
        return lines or ["权重未变"]
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return [text]
        if isinstance(data, dict):
            return _json_lines(object_type, data)
    if action == "update" and object_type == "app_user" and text.startswith("role="):
        return ["角色：" + _role(text.removeprefix("role="))]
    if action == "update" and object_type == "unit":
        names = [n.strip() for n in text.split(",")]
        if all(n in _UNIT_FIELDS for n in names):
            return ["修改了：" + "、".join(_UNIT_FIELDS[n] for n in names)]
    if object_type == "declaration" and action == "create":
        try:
            return ["状态：" + DeclarationStatus(text).label]
        except ValueError:
            return [text]
    if action == "chase":
        match = _CHASE.fullmatch(text)
        if match:
            item, kind, activity_id, note = match.groups()
            what = _CHASE_ITEMS.get(kind or item, item)
            if activity_id:
                what += f"（活动编号{activity_id}）"
            return [f"事项：{what}", *([f"说明：{note}"] if note else [])]
    if action == "adjust_score":
        match = _ADJUSTMENT.fullmatch(text)
        if match:
            return [f"分值：{match.group(1)}", f"理由：{match.group(2)}"]
    if action == "set_workday":
        return [{"班": "调休上班", "休": "放假"}.get(text, text)]
    return [text]


def _json_lines(object_type: str | None, data: Mapping[str, Any]) -> list[str]:
    if {"label", "before", "after"} <= set(data):
        return [change_line(str(data["label"]), data["before"], data["after"])]
    if "themes" in data:  # a 申报表's content (contact and themes)
        themes = data.get("themes") or []
        titles = "、".join(value_text(t.get("title")) for t in themes if isinstance(t, dict))
        lines = [f"联系人：{value_text(data.get('contact_person'))}"]
        lines.append(f"联系电话：{value_text(data.get('contact_phone'))}")
        lines.append(f"活动主题（{len(themes)}个）：{titles}")
        return lines
    labels = _field_labels(object_type)
    lines = []
    for key, value in data.items():
        label = labels.get(key) or COMPLIANCE_WEIGHT_LABELS.get(key) or key
        lines.append(f"{label}：{value_text(value)}")
    return lines


def _role(code: str) -> str:
    try:
        return Role(code).label
    except ValueError:
        return code


def object_text(object_type: str | None, object_id: str | None, object_name: str | None) -> str:
    """The object by its name (``申报表：城北街道办事处``); 编号 only when the name is gone."""
    from themeday.core.audit import object_label

    kind = object_label(object_type)
    if object_type == "session":
        return kind  # a session's id is a secret's prefix: nothing a person needs
    if object_type == "workday_override" and object_id:
        return f"{kind}：{table_date(object_id)}"
    name = (object_name or "").strip()
    if name:
        return f"{kind}：{name}" if kind else name
    if object_id:
        return f"{kind}（编号{object_id}）" if kind else f"编号{object_id}"
    return kind
