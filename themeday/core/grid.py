"""数据表: the tables a role may browse as a grid, and what a view of one is.

Plain data and rules, no SQL and no Streamlit. The repository turns a :class:`ViewSpec`
into SQL (filtering, sorting, grouping and paging happen in the database) and checks
every edit against :data:`TABLES`; the page only lays it out.

Values in a grid are shown as people read them: an enum field holds its Chinese label
(草稿, 已定日期…), and :func:`to_stored` turns a label back into the stored code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import pandas as pd

from themeday.core.audit import ACTION_LABELS, OBJECT_LABELS, action_label
from themeday.core.config import TZ
from themeday.core.domain import (
    ACTIVITY_STATUS_LABELS,
    BUSINESS_ROLES,
    DECLARATION_STATUS_LABELS,
    Role,
    UnitKind,
    ValidationError,
)


class FieldType(StrEnum):
    """字段类型: decides the operators a filter offers and how an edit is read."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"
    ENUM = "enum"


@dataclass(frozen=True)
class GridField:
    """One column of a grid table (字段)."""

    name: str
    label: str
    type: FieldType = FieldType.TEXT
    options: tuple[tuple[str, str], ...] = ()
    """For enums: (stored code, Chinese label) pairs, in display order."""
    hidden: bool = False
    """Not shown unless the view asks for it (link keys such as unit_id)."""

    def label_of(self, code: object) -> object:
        """The Chinese label of a stored enum code (the value itself for other types)."""
        if self.type != FieldType.ENUM or code is None:
            return code
        return dict(self.options).get(str(code), code)


@dataclass(frozen=True)
class GridTable:
    """A table of the 数据表 page and who may do what with it (enforced in the repository)."""

    key: str
    label: str
    object_type: str
    """The ``audit_log.object_type`` / ``comment.object_type`` of its rows."""
    fields: tuple[GridField, ...]
    readers: frozenset[Role]
    editable: Mapping[Role, frozenset[str]] = field(default_factory=dict)
    creators: frozenset[Role] = frozenset()
    deleters: frozenset[Role] = frozenset()
    required: tuple[str, ...] = ()
    """Fields a new row must have."""
    key_field: str = "id"
    versioned: bool = True
    unit_scoped: bool = True
    """A unit user sees only rows of its own unit (False: rows that belong to no unit)."""

    def field(self, name: str) -> GridField:
        """The field called ``name``; a ValidationError names an unknown one."""
        for f in self.fields:
            if f.name == name:
                return f
        raise ValidationError(f"数据表「{self.label}」没有字段 {name}。")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def visible(self) -> tuple[str, ...]:
        """The fields shown when a view does not choose."""
        return tuple(f.name for f in self.fields if not f.hidden)

    def editable_by(self, role: Role) -> frozenset[str]:
        return self.editable.get(role, frozenset())

    def can_read(self, role: Role) -> bool:
        return role in self.readers


def _enum(pairs: Mapping[Any, str]) -> tuple[tuple[str, str], ...]:
    return tuple((str(code), label) for code, label in pairs.items())


_F = FieldType
_ALL = BUSINESS_ROLES
_OFFICE = frozenset({Role.OFFICE})
_BOOL_OPTIONS = (("true", "是"), ("false", "否"))
_ROLE_OPTIONS = _enum({r.value: r.label for r in Role})
_KIND_OPTIONS = tuple((k.value, k.value) for k in UnitKind)

TABLES: dict[str, GridTable] = {
    t.key: t
    for t in (
        GridTable(
            key="units",
            label="单位",
            object_type="unit",
            fields=(
                GridField("id", "编号", _F.NUMBER),
                GridField("name", "单位名称"),
                GridField("kind", "单位类别", _F.ENUM, _KIND_OPTIONS),
                GridField("contact_person", "联系人"),
                GridField("contact_phone", "联系电话"),
                GridField("enabled", "启用", _F.BOOL),
                GridField("created_at", "创建时间", _F.DATETIME),
                GridField("updated_at", "修改时间", _F.DATETIME),
                GridField("version", "版本", _F.NUMBER, hidden=True),
            ),
            readers=_ALL,
            editable={
                Role.OFFICE: frozenset({"name", "kind", "contact_person", "contact_phone"}),
                Role.UNIT: frozenset({"contact_person", "contact_phone"}),
            },
            creators=_OFFICE,
            deleters=_OFFICE,
            required=("name", "kind"),
        ),
        GridTable(
            key="accounts",
            label="账号",
            object_type="app_user",
            fields=(
                GridField("id", "编号", _F.NUMBER),
                GridField("username", "用户名"),
                GridField("display_name", "姓名/名称"),
                GridField("role", "角色", _F.ENUM, _ROLE_OPTIONS),
                GridField("unit_id", "单位编号", _F.NUMBER, hidden=True),
                GridField("unit_name", "所属单位"),
                GridField("enabled", "启用", _F.BOOL),
                GridField("must_change_password", "须改密码", _F.BOOL),
                GridField("locked_until", "锁定至", _F.DATETIME),
                GridField("password_changed_at", "改密时间", _F.DATETIME),
                GridField("created_at", "创建时间", _F.DATETIME),
                GridField("version", "版本", _F.NUMBER, hidden=True),
            ),
            readers=_OFFICE,  # a leader sees no accounts (权限分离)
            editable={Role.OFFICE: frozenset({"display_name"})},
        ),
        GridTable(
            key="declarations",
            label="申报表",
            object_type="declaration",
            fields=(
                GridField("id", "编号", _F.NUMBER),
                GridField("year", "活动年度", _F.NUMBER),
                GridField("unit_id", "单位编号", _F.NUMBER, hidden=True),
                GridField("unit_name", "单位名称"),
                GridField("status", "申报状态", _F.ENUM, _enum(DECLARATION_STATUS_LABELS)),
                GridField("contact_person", "联系人"),
                GridField("contact_phone", "联系电话"),
                GridField("submitted_at", "提交时间", _F.DATETIME),
                GridField("late_workdays", "逾期工作日", _F.NUMBER),
                GridField("return_reason", "退回原因"),
                GridField("updated_at", "修改时间", _F.DATETIME),
                GridField("version", "版本", _F.NUMBER, hidden=True),
            ),
            readers=_ALL,
            editable={
                Role.OFFICE: frozenset({"contact_person", "contact_phone"}),
                Role.UNIT: frozenset({"contact_person", "contact_phone"}),
            },
        ),
        GridTable(
            key="activities",
            label="活动",
            object_type="activity",
            fields=(
                GridField("id", "编号", _F.NUMBER),
                GridField("year", "活动年度", _F.NUMBER),
                GridField("unit_id", "单位编号", _F.NUMBER, hidden=True),
                GridField("declaration_id", "申报表编号", _F.NUMBER, hidden=True),
                GridField("unit_name", "单位名称"),
                GridField("title", "活动主题"),
                GridField("planned_month", "计划月份", _F.NUMBER),
                GridField("form", "活动形式"),
                GridField("status", "活动状态", _F.ENUM, _enum(ACTIVITY_STATUS_LABELS)),
                GridField("activity_date", "活动日期", _F.DATE),
                GridField("place", "活动地点"),
                GridField("contact", "联系人及电话"),
                GridField("expected_participants", "预计人数", _F.NUMBER),
                GridField("plan_filed_at", "方案报送时间", _F.DATETIME),
                GridField("held_date", "开展日期", _F.DATE),
                GridField("report_filed_at", "总结报送时间", _F.DATETIME),
                GridField("published_at", "展示时间", _F.DATETIME),
                GridField("typical_case", "典型经验", _F.BOOL),
                GridField("portal_url", "门户链接"),
                GridField("summary", "活动简介", hidden=True),
                GridField("updated_at", "修改时间", _F.DATETIME, hidden=True),
                GridField("version", "版本", _F.NUMBER, hidden=True),
            ),
            readers=_ALL,
            editable={
                Role.OFFICE: frozenset(
                    {"activity_date", "place", "contact", "expected_participants", "portal_url"}
                ),
                Role.UNIT: frozenset(
                    {"activity_date", "place", "contact", "expected_participants"}
                ),
            },
        ),
        GridTable(
            key="attachments",
            label="附件",
            object_type="attachment",
            fields=(
                GridField("id", "编号", _F.NUMBER),
                GridField("unit_id", "单位编号", _F.NUMBER, hidden=True),
                GridField("unit_name", "单位名称"),
                GridField("owner_type", "所属记录类型"),
                GridField("owner_id", "所属记录编号", _F.NUMBER),
                GridField("kind", "材料类别"),
                GridField("original_name", "文件名"),
                GridField("fmt", "格式"),
                GridField("size", "大小（字节）", _F.NUMBER),
                GridField("sha256", "SHA-256", hidden=True),
                GridField("uploaded_by", "上传人"),
                GridField("uploaded_at", "上传时间", _F.DATETIME),
            ),
            readers=_ALL,
            versioned=False,
        ),
        GridTable(
            key="comments",
            label="意见",
            object_type="comment",
            fields=(
                GridField("id", "编号", _F.NUMBER),
                GridField("object_type", "所属记录类型"),
                GridField("object_id", "所属记录编号", _F.NUMBER),
                GridField("unit_id", "单位编号", _F.NUMBER, hidden=True),
                GridField("unit_name", "单位名称"),
                GridField("body", "内容"),
                GridField("username", "发表人"),
                GridField("role", "角色", _F.ENUM, _ROLE_OPTIONS),
                GridField("created_at", "时间", _F.DATETIME),
            ),
            readers=_ALL,
            deleters=_OFFICE,
            versioned=False,
        ),
        GridTable(
            key="workday_overrides",
            label="节假日调整",
            object_type="workday_override",
            fields=(
                GridField("day", "日期", _F.DATE),
                GridField("is_workday", "上班（调休）", _F.BOOL),
                GridField("note", "说明"),
                GridField("created_by", "录入人"),
                GridField("created_at", "录入时间", _F.DATETIME),
                GridField("version", "版本", _F.NUMBER, hidden=True),
            ),
            readers=_ALL,
            editable={Role.OFFICE: frozenset({"is_workday", "note"})},
            creators=_OFFICE,
            deleters=_OFFICE,
            required=("day", "is_workday"),
            key_field="day",
            unit_scoped=False,
        ),
        GridTable(
            key="audit_log",
            label="审计日志",
            object_type="audit_log",
            fields=(
                GridField("id", "编号", _F.NUMBER),
                GridField("occurred_at", "时间", _F.DATETIME),
                GridField("username", "用户"),
                GridField("role", "角色", _F.ENUM, _ROLE_OPTIONS),
                GridField("unit_id", "单位编号", _F.NUMBER),
                GridField("action", "操作", _F.ENUM, _enum(ACTION_LABELS)),
                GridField("object_type", "对象类型", _F.ENUM, _enum(OBJECT_LABELS)),
                GridField("object_id", "对象编号"),
                GridField("success", "成功", _F.BOOL),
                GridField("detail", "详情"),
            ),
            readers=frozenset({Role.AUDITOR}),  # the audit log is the auditor's alone
            versioned=False,
            unit_scoped=False,
        ),
    )
}
"""Every table of the 数据表 page, in the order the table picker shows them."""


def grid_table(key: str) -> GridTable:
    """The table called ``key``; a ValidationError for an unknown one."""
    try:
        return TABLES[key]
    except KeyError:
        raise ValidationError(f"没有名为 {key} 的数据表。") from None


def tables_for(role: Role) -> list[GridTable]:
    """The tables ``role`` may open, in picker order (units and leaders never see
    accounts, and only the auditor the audit log)."""
    return [t for t in TABLES.values() if t.can_read(role)]


# --------------------------------------------------------------------------- views

OPERATORS: dict[str, str] = {
    "eq": "等于",
    "ne": "不等于",
    "contains": "包含",
    "not_contains": "不包含",
    "lt": "小于",
    "le": "小于等于",
    "gt": "大于",
    "ge": "大于等于",
    "before": "早于",
    "after": "晚于",
    "in": "属于",
    "empty": "为空",
    "not_empty": "不为空",
}
"""Filter operators and their Chinese names."""

_OPERATORS_BY_TYPE: dict[FieldType, tuple[str, ...]] = {
    _F.TEXT: ("contains", "eq", "ne", "not_contains", "empty", "not_empty"),
    _F.NUMBER: ("eq", "ne", "lt", "le", "gt", "ge", "empty", "not_empty"),
    _F.DATE: ("eq", "before", "after", "empty", "not_empty"),
    _F.DATETIME: ("eq", "before", "after", "empty", "not_empty"),
    _F.BOOL: ("eq",),
    _F.ENUM: ("eq", "ne", "in", "empty", "not_empty"),
}

VALUELESS = frozenset({"empty", "not_empty"})

PAGE_SIZES = (50, 100, 200, 500)
"""Rows per page a grid offers (and a saved view may keep)."""


def operators_for(grid_field: GridField) -> tuple[str, ...]:
    """The operators that make sense for a field's type, the usual one first."""
    return _OPERATORS_BY_TYPE[grid_field.type]


@dataclass(frozen=True)
class Condition:
    """One filter condition: field, operator, value (条件)."""

    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class SortKey:
    """One sort key: a field and its direction (排序)."""

    field: str
    descending: bool = False


@dataclass(frozen=True)
class ViewSpec:
    """What a grid shows: search, filters (且/或), sort, grouping and fields (视图)."""

    search: str = ""
    conditions: tuple[Condition, ...] = ()
    match_all: bool = True
    """True: every condition must hold (且); False: any one (或)."""
    sort: tuple[SortKey, ...] = ()
    group_by: str | None = None
    fields: tuple[str, ...] = ()
    """Fields shown, in order; empty means the table's visible fields."""
    page_size: int | None = None
    """Rows per page (one of :data:`PAGE_SIZES`); None keeps the page's current size."""

    def to_json(self) -> str:
        """The view as JSON (stored in ``saved_view.spec``)."""
        data = asdict(self)
        data["conditions"] = [{**c, "value": _json_value(c["value"])} for c in data["conditions"]]
        if data["page_size"] is None:
            del data["page_size"]  # views saved before page sizes were kept read the same
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ViewSpec:
        """The view stored by :meth:`to_json`."""
        data = json.loads(text)
        return cls(
            search=data.get("search", ""),
            conditions=tuple(Condition(**c) for c in data.get("conditions", ())),
            match_all=bool(data.get("match_all", True)),
            sort=tuple(SortKey(**s) for s in data.get("sort", ())),
            group_by=data.get("group_by"),
            fields=tuple(data.get("fields", ())),
            page_size=data.get("page_size"),
        )


def _json_value(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def view_summary(table: GridTable, spec: ViewSpec) -> str:
    """The view's search, filters, sort and grouping as one Chinese line (empty: none),
    for the audit row of an export and the 数据表's folded filter panel."""

    def label(name: str) -> str:
        return table.field(name).label if name in table.names else name

    def value(condition: Condition) -> str:
        if condition.op in VALUELESS:
            return ""
        values = condition.value if isinstance(condition.value, list | tuple) else [condition.value]
        if condition.field in table.names:
            values = [table.field(condition.field).label_of(v) for v in values]
        return "“" + "、".join(str(v) for v in values) + "”"

    parts = [f"搜索“{spec.search}”"] if spec.search else []
    if spec.conditions:
        joined = ("且" if spec.match_all else "或").join(
            f"{label(c.field)}{OPERATORS.get(c.op, c.op)}{value(c)}" for c in spec.conditions
        )
        parts.append(f"条件：{joined}")
    if spec.sort:
        parts.append(
            "排序："
            + "、".join(f"{label(k.field)}{'降序' if k.descending else '升序'}" for k in spec.sort)
        )
    if spec.group_by:
        parts.append(f"分组：{label(spec.group_by)}")
    return "；".join(parts)


def shown_fields(table: GridTable, spec: ViewSpec) -> tuple[str, ...]:
    """The fields a view shows (its own choice, else the table's visible fields)."""
    return spec.fields or table.visible


def check_view(table: GridTable, spec: ViewSpec) -> ViewSpec:
    """``spec`` with every condition's value read for its field's type.

    Raises ValidationError (Chinese, one message per problem) for an unknown field, an
    operator that does not suit the field, or a value of the wrong kind. Only checked
    names ever reach SQL.
    """
    problems: list[str] = []
    conditions = []
    for number, condition in enumerate(spec.conditions, start=1):
        try:
            f = table.field(condition.field)
        except ValidationError as exc:
            problems += exc.messages
            continue
        if condition.op not in operators_for(f):
            problems.append(
                f"条件 {number}：「{f.label}」不能用“{OPERATORS.get(condition.op, condition.op)}”。"
            )
            continue
        if condition.op in VALUELESS:
            conditions.append(Condition(f.name, condition.op))
            continue
        try:
            if condition.op == "in":
                values = (
                    condition.value
                    if isinstance(condition.value, list | tuple)
                    else [condition.value]
                )
                value: Any = tuple(read_value(f, v, stored=True) for v in values)
            else:
                value = read_value(f, condition.value, stored=True)
        except ValueError as exc:
            problems.append(f"条件 {number}：「{f.label}」{exc}")
            continue
        if value is None or value == ():
            problems.append(f"条件 {number}：请填写「{f.label}」的值。")
            continue
        conditions.append(Condition(f.name, condition.op, value))
    for key in spec.sort:
        if key.field not in table.names:
            problems.append(f"排序字段 {key.field} 不存在。")
    if spec.group_by and spec.group_by not in table.names:
        problems.append(f"分组字段 {spec.group_by} 不存在。")
    for name in spec.fields:
        if name not in table.names:
            problems.append(f"显示字段 {name} 不存在。")
    if spec.page_size is not None and spec.page_size not in PAGE_SIZES:
        sizes = "、".join(str(n) for n in PAGE_SIZES)
        problems.append(f"每页行数应为 {sizes} 之一。")
    if problems:
        raise ValidationError(problems)
    return ViewSpec(
        search=spec.search.strip(),
        conditions=tuple(conditions),
        match_all=spec.match_all,
        sort=spec.sort,
        group_by=spec.group_by,
        fields=spec.fields,
        page_size=spec.page_size,
    )


# --------------------------------------------------------------------------- values


def is_blank(value: object) -> bool:
    """True for None, NaN/NaT and empty or all-space text."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def read_value(grid_field: GridField, value: object, *, stored: bool = False) -> Any:
    """``value`` as the Python value stored for ``grid_field`` (None when blank).

    Accepts what a grid editor or an imported file gives: labels for enums (or the
    stored code when ``stored``), 是/否 for booleans, text for dates. Raises ValueError
    with a short Chinese reason.
    """
    if is_blank(value):
        return None
    kind = grid_field.type
    if kind == _F.TEXT:
        return str(value).strip()
    if kind == _F.NUMBER:
        return _number(value)
    if kind == _F.DATE:
        return _date(value)
    if kind == _F.DATETIME:
        stamp = pd.Timestamp(value) if not isinstance(value, datetime) else value
        return stamp.to_pydatetime() if isinstance(stamp, pd.Timestamp) else stamp
    if kind == _F.BOOL:
        return _bool(value)
    text = str(value).strip()
    for code, label in grid_field.options:
        if text == label or (text == code):
            return code
    raise ValueError(f"只能填写：{'、'.join(label for _, label in grid_field.options)}。")


def _number(value: object) -> int | float:
    if isinstance(value, bool):
        raise ValueError("应为数字。")
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        raise ValueError("应为数字。") from None
    if math.isnan(number) or math.isinf(number):
        raise ValueError("应为数字。")
    return int(number) if number.is_integer() else number


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    text = str(value).strip()
    if "T" in text or " " in text:
        try:
            return pd.Timestamp(text).date()
        except ValueError:
            raise ValueError("应为日期，如 2026-10-09。") from None
    text = text.replace("/", "-").replace(".", "-")
    for suffix in ("年", "月"):
        text = text.replace(suffix, "-")
    text = text.replace("日", "")
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise ValueError("应为日期，如 2026-10-09。") from None


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"是", "true", "1", "yes", "y", "启用", "上班", "班"}:
        return True
    if text in {"否", "false", "0", "no", "n", "停用", "休息", "休"}:
        return False
    raise ValueError("只能填写 是 或 否。")


def for_display(table: GridTable, frame: pd.DataFrame) -> pd.DataFrame:
    """The repository's rows as people read them: enum codes become Chinese labels, and
    the audit log's details readable lines (:func:`themeday.core.audit_text.detail_lines`)."""
    shown = frame.copy()
    if table.key == "audit_log" and {"action", "object_type", "detail"} <= set(shown.columns):
        from themeday.core.audit_text import detail_lines

        shown["detail"] = [
            "；".join(detail_lines(a, o, d))
            for a, o, d in zip(shown["action"], shown["object_type"], shown["detail"], strict=True)
        ]
    for f in table.fields:
        if f.name in shown.columns and f.type == _F.ENUM:
            shown[f.name] = shown[f.name].map(f.label_of)
    return shown


def labelled(table: GridTable, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with Chinese column headers (for exports and read-only tables)."""
    return frame.rename(columns={f.name: f.label for f in table.fields})


# --------------------------------------------------------------------------- edits


@dataclass(frozen=True)
class RowEdit:
    """Changed fields of one row, with the version the editor loaded (修改)."""

    key: Any
    version: int | None
    changes: Mapping[str, Any]
    loaded: Mapping[str, Any] = field(default_factory=dict)
    """The values the editor showed before the change (for the conflict report)."""


@dataclass(frozen=True)
class RowDelete:
    """A row to delete, with the version the editor loaded (删除)."""

    key: Any
    version: int | None


@dataclass(frozen=True)
class Changeset:
    """Everything one 保存 writes: all of it in one transaction, or nothing."""

    edits: tuple[RowEdit, ...] = ()
    inserts: tuple[Mapping[str, Any], ...] = ()
    deletes: tuple[RowDelete, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.edits or self.inserts or self.deletes)

    @property
    def size(self) -> int:
        return len(self.edits) + len(self.inserts) + len(self.deletes)


@dataclass(frozen=True)
class Conflict:
    """A field someone else changed after this editor loaded the row (冲突)."""

    key: Any
    field: str
    label: str
    loaded: Any
    mine: Any
    theirs: Any
    mine_changed: bool = True
    """False for a field only the other person changed (shown for the whole picture)."""


class GridConflict(Exception):
    """Save refused: rows changed by someone else since they were loaded. Nothing written."""

    def __init__(self, conflicts: Sequence[Conflict], missing: Sequence[Any] = ()):
        self.conflicts = list(conflicts)
        self.missing = list(missing)
        rows = sorted({str(c.key) for c in self.conflicts} | {str(k) for k in self.missing})
        super().__init__(
            f"第 {', '.join(rows)} 号记录在您打开之后已被他人修改或删除，本次保存未写入任何内容。"
        )


def changeset_from_editor(
    table: GridTable,
    role: Role,
    loaded: pd.DataFrame,
    state: Mapping[str, Any],
) -> Changeset:
    """What an ``st.data_editor`` session state means for the rows it was given.

    ``loaded`` is the frame the editor showed (display values, one row per record,
    with the key and, for versioned tables, ``version`` columns); ``state`` is the
    editor's ``{"edited_rows", "added_rows", "deleted_rows"}``. Values are read for
    their field types here; a ValidationError lists every bad cell by row number.
    """
    problems: list[str] = []
    allowed = table.editable_by(role)
    edits: list[RowEdit] = []
    for position, changed in sorted(
        state.get("edited_rows", {}).items(), key=lambda kv: int(kv[0])
    ):
        row = loaded.iloc[int(position)]
        changes: dict[str, Any] = {}
        for name, value in changed.items():
            f = table.field(name)
            if name not in allowed:
                problems.append(f"第 {int(position) + 1} 行：「{f.label}」不可修改。")
                continue
            try:
                new = read_value(f, value)
                old = read_value(f, row[name])
            except ValueError as exc:
                problems.append(f"第 {int(position) + 1} 行「{f.label}」：{exc}")
                continue
            if new != old:
                changes[name] = new
        if changes:
            edits.append(
                RowEdit(
                    _key(row[table.key_field]),
                    _version(table, row),
                    changes,
                    loaded_values(table, row),
                )
            )
    inserts = []
    for number, added in enumerate(state.get("added_rows", []), start=1):
        values, row_problems = read_row(table, added, f"新增第 {number} 行")
        problems += row_problems
        if values:
            inserts.append(values)
    deletes = [
        RowDelete(_key(loaded.iloc[int(p)][table.key_field]), _version(table, loaded.iloc[int(p)]))
        for p in state.get("deleted_rows", [])
    ]
    if problems:
        raise ValidationError(problems)
    return Changeset(tuple(edits), tuple(inserts), tuple(deletes))


def loaded_values(table: GridTable, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row of an editor's frame read back into stored values (the conflict report
    compares them with the row as it is now)."""
    values: dict[str, Any] = {}
    for f in table.fields:
        if f.name not in row or f.name == "version":
            continue
        try:
            values[f.name] = read_value(f, row[f.name])
        except ValueError:
            continue
    return values


def same_value(grid_field: GridField, a: Any, b: Any) -> bool:
    """True when two stored values of a field are the same (blank is blank; times to the
    second in Beijing time)."""
    a = None if is_blank(a) else a
    b = None if is_blank(b) else b
    return _same(grid_field, a, b)


def read_row(
    table: GridTable, raw: Mapping[str, Any], where: str
) -> tuple[dict[str, Any], list[str]]:
    """A new row's values read for their types, and the problems (Chinese, by ``where``)."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    unreadable: set[str] = set()
    for name, value in raw.items():
        if name not in table.names:
            continue
        f = table.field(name)
        try:
            read = read_value(f, value)
        except ValueError as exc:
            problems.append(f"{where}「{f.label}」：{exc}")
            unreadable.add(name)
            continue
        if read is not None:
            values[name] = read
    if not values and not unreadable:
        return {}, problems  # an empty added row (the editor's blank line) is ignored
    for name in table.required:
        if name not in values and name not in unreadable:
            problems.append(f"{where}：请填写「{table.field(name).label}」。")
    return values, problems


def _key(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "item"):
        return value.item()
    return value


def _version(table: GridTable, row: pd.Series) -> int | None:
    if not table.versioned or "version" not in row.index or is_blank(row["version"]):
        return None
    return int(row["version"])


# --------------------------------------------------------------------------- history


def field_change_detail(grid_field: GridField, before: Any, after: Any) -> str:
    """The ``audit_log.detail`` of one field edit (JSON: field, label, before, after)."""
    return json.dumps(
        {
            "field": grid_field.name,
            "label": grid_field.label,
            "before": _history_text(grid_field, before),
            "after": _history_text(grid_field, after),
        },
        ensure_ascii=False,
    )


def _history_text(grid_field: GridField, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(grid_field.label_of(value))


def history_rows(entries: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """A record's change history: 时间, 操作人, 操作, 字段, 修改前, 修改后, in plain Chinese.

    ``entries`` are audit rows (occurred_at, username, display_name, action, detail); a
    field edit's JSON detail is split into field, before and after; any other detail is
    read as :func:`themeday.core.audit_text.detail_lines` and kept as 修改后.
    """
    from themeday.core.audit_text import detail_lines, person, value_text
    from themeday.core.dates import minute_time

    rows = []
    for entry in entries:
        action = entry["action"]
        detail = str(entry.get("detail") or "")
        field_label, before, after = "", "", detail
        parsed = None
        if action == "edit":
            try:
                parsed = json.loads(detail)
                field_label = parsed["label"]
                before, after = value_text(parsed["before"]), value_text(parsed["after"])
            except (ValueError, KeyError, TypeError):
                parsed = None
        if parsed is None:
            after = "；".join(detail_lines(action, entry.get("object_type"), detail))
        rows.append(
            {
                "时间": minute_time(entry["occurred_at"]),
                "操作人": person(entry.get("display_name"), entry["username"]),
                "操作": action_label(action),
                "字段": field_label,
                "修改前": before,
                "修改后": after,
            }
        )
    return pd.DataFrame(rows, columns=["时间", "操作人", "操作", "字段", "修改前", "修改后"])


# --------------------------------------------------------------------------- export, import


def export_rows(table: GridTable, frame: pd.DataFrame, fields: Sequence[str]) -> list[list[Any]]:
    """The rows of a view as cell values for xlsx/csv: labels for enums, None for blanks."""
    shown = for_display(table, frame)
    if not fields:
        return [[] for _ in range(len(shown))]
    columns = []
    for name in fields:  # column by column: one isna for the column, not one per cell
        series = shown[name]
        columns.append(
            [
                None if missing or (isinstance(v, str) and not v.strip()) else _plain(v)
                for v, missing in zip(series.tolist(), series.isna().tolist(), strict=True)
            ]
        )
    return [list(row) for row in zip(*columns, strict=True)]


def _same(grid_field: GridField, new: Any, old: Any) -> bool:
    """True when a value read from a file equals the stored one (times to the second,
    in Beijing time: spreadsheets hold no time zone)."""
    if grid_field.type == FieldType.DATETIME and new is not None and old is not None:
        return _local_second(new) == _local_second(old)
    return new == old


def _local_second(value: Any) -> datetime:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(TZ).tz_localize(None)
    return stamp.floor("s").to_pydatetime()


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value


@dataclass(frozen=True)
class ImportPreview:
    """An uploaded file read against a table: what would be written, and every problem.

    ``rows`` has one entry per data row: 行号, 操作 (新增/修改/无变化), its values and
    问题. Nothing may be written while ``problems`` is not empty.
    """

    changes: Changeset
    rows: pd.DataFrame
    problems: list[str]
    ignored_columns: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.changes.empty


def import_preview(
    table: GridTable,
    role: Role,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    current: Mapping[Any, Mapping[str, Any]],
    formula_rows: Sequence[int] = (),
) -> ImportPreview:
    """Read uploaded rows for ``table``: a row whose key names an existing record
    (``current``) edits it, any other row is new. Columns are matched by the field's
    Chinese label or its name; unknown columns are listed and ignored.

    Row numbers are the file's (the header is row 1).
    """
    by_header = {f.label: f.name for f in table.fields} | {f.name: f.name for f in table.fields}
    columns = [by_header.get(str(h).strip()) for h in header]
    ignored = [str(h) for h, c in zip(header, columns, strict=True) if c is None and str(h).strip()]
    allowed = table.editable_by(role)
    key_field = table.field(table.key_field)
    edits: list[RowEdit] = []
    inserts: list[dict[str, Any]] = []
    preview: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, raw in enumerate(rows, start=2):
        values = {c: v for c, v in zip(columns, raw, strict=False) if c is not None}
        row_problems: list[str] = []
        if number in formula_rows:
            row_problems.append(f"第 {number} 行：含有公式，请改为数值后再导入。")
        try:
            key = read_value(key_field, values.get(table.key_field))
        except ValueError:
            key = None  # reported once, when the row is read as a new one below
        action = "新增"
        if key is not None and key in current:
            action = "无变化"
            changes: dict[str, Any] = {}
            before: dict[str, Any] = {}
            for name, value in values.items():
                if name in (table.key_field, "version"):
                    continue
                f = table.field(name)
                try:
                    new = read_value(f, value)
                except ValueError as exc:
                    row_problems.append(f"第 {number} 行「{f.label}」：{exc}")
                    continue
                old = current[key].get(name)
                if _same(f, new, None if is_blank(old) else old):
                    continue
                if name not in allowed:
                    row_problems.append(f"第 {number} 行：「{f.label}」不可修改。")
                    continue
                changes[name] = new
                before[name] = old
            if changes:
                action = "修改"
                edits.append(RowEdit(key, None, changes, before))
        elif table.creators and role in table.creators:
            new_values, read_problems = read_row(table, values, f"第 {number} 行")
            row_problems += read_problems
            if table.key_field != "id" or key is None:
                inserts.append(new_values)
            else:
                row_problems.append(f"第 {number} 行：编号 {key} 的记录不存在，新增时请留空编号。")
        else:
            row_problems.append(
                f"第 {number} 行：找不到要修改的记录，且您不能在「{table.label}」中新增。"
            )
        problems += row_problems
        preview.append(
            {"行号": number, "操作": action, **{table.field(c).label: values[c] for c in values}}
            | {"问题": "；".join(row_problems)}
        )
    changes = Changeset(tuple(edits), tuple(i for i in inserts if i), ())
    return ImportPreview(changes, pd.DataFrame(preview), problems, ignored)


# --------------------------------------------------------------------------- linked records


@dataclass(frozen=True)
class Link:
    """Records of ``table`` linked to a record: each (field of the linked table, field of
    the record or a fixed value) pair must match (关联记录)."""

    label: str
    table: str
    match: tuple[tuple[str, str], ...]
    fixed: tuple[tuple[str, str], ...] = ()


LINKS: dict[str, tuple[Link, ...]] = {
    "units": (
        Link("申报表", "declarations", (("unit_id", "id"),)),
        Link("活动", "activities", (("unit_id", "id"),)),
        Link("账号", "accounts", (("unit_id", "id"),)),
        Link("附件", "attachments", (("unit_id", "id"),)),
    ),
    "accounts": (Link("所属单位", "units", (("id", "unit_id"),)),),
    "declarations": (
        Link("单位", "units", (("id", "unit_id"),)),
        Link("活动", "activities", (("declaration_id", "id"),)),
        Link("附件", "attachments", (("owner_id", "id"),), (("owner_type", "declaration"),)),
    ),
    "activities": (
        Link("单位", "units", (("id", "unit_id"),)),
        Link("申报表", "declarations", (("id", "declaration_id"),)),
        Link("附件", "attachments", (("owner_id", "id"),), (("owner_type", "activity"),)),
    ),
    "attachments": (
        Link("单位", "units", (("id", "unit_id"),)),
        Link("所属活动", "activities", (("id", "owner_id"),), (("owner_type", "activity"),)),
        Link("所属申报表", "declarations", (("id", "owner_id"),), (("owner_type", "declaration"),)),
    ),
    "comments": (
        Link("单位", "units", (("id", "unit_id"),)),
        Link("所属活动", "activities", (("id", "object_id"),), (("object_type", "activity"),)),
        Link(
            "所属申报表", "declarations", (("id", "object_id"),), (("object_type", "declaration"),)
        ),
    ),
}
"""Linked records both ways: unit → 申报表 → 活动 → 附件, and back up."""

COMMENTABLE = {"units": "unit", "declarations": "declaration", "activities": "activity"}
"""Grid tables whose records carry a 意见 thread, and their comment object type."""


def link_view(link: Link, record: Mapping[str, Any]) -> ViewSpec | None:
    """The view of ``link.table`` that shows the records linked to ``record``.

    None when the link does not apply (a fixed value such as owner_type differs on the
    record's side, or the record's field is empty).
    """
    conditions = []
    for linked_field, value in link.fixed:
        if linked_field in record and record[linked_field] != value:
            return None  # e.g. an attachment owned by a declaration has no activity
        if linked_field not in record:
            conditions.append(Condition(linked_field, "eq", value))
    for linked_field, own_field in link.match:
        value = record.get(own_field)
        if is_blank(value):
            return None
        conditions.append(Condition(linked_field, "eq", _plain(value)))
    return ViewSpec(conditions=tuple(conditions))


def record_title(table: GridTable, record: Mapping[str, Any]) -> str:
    """A short name of a record for pickers: its key and its first naming field."""
    for name in ("title", "name", "unit_name", "username", "original_name", "body", "note"):
        if name in table.names and not is_blank(record.get(name)):
            text = str(record[name])
            return f"{record[table.key_field]} · {text[:30]}"
    return str(record[table.key_field])
