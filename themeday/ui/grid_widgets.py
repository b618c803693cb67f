"""Widgets of the 数据表 page: the view builder, the grid editor, exports, import, detail.

The page calls these in order; each reads and writes only its own session keys,
prefixed ``grid.<table>.``. What a view means and what an edit may change are decided
in :mod:`themeday.core.grid` and the repository; here is only layout.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from themeday.core.audit import role_label
from themeday.core.audit_text import value_text
from themeday.core.config import now
from themeday.core.dates import minute_time, table_date
from themeday.core.domain import Actor, NotFound, PermissionDenied, Role, ValidationError
from themeday.core.grid import (
    COMMENTABLE,
    LINKS,
    OPERATORS,
    PAGE_SIZES,
    VALUELESS,
    Condition,
    FieldType,
    GridConflict,
    GridField,
    GridTable,
    SortKey,
    ViewSpec,
    changeset_from_editor,
    check_view,
    export_rows,
    for_display,
    grid_table,
    history_rows,
    import_preview,
    labelled,
    link_view,
    operators_for,
    read_value,
    record_title,
    shown_fields,
    view_summary,
)
from themeday.formats.exports import csv_bytes, view_xlsx
from themeday.formats.imports import TABLE_FILE, read_table_rows
from themeday.repository import Repository
from themeday.repository.grid import GridPage
from themeday.services import workspace
from themeday.services.file_audit import DownloadAudit
from themeday.ui import gate
from themeday.ui.inputs import file_picker
from themeday.ui.widgets import (
    XLSX_MIME,
    deferred_download,
    download_name,
    escape_markdown,
    refused_upload,
    run_action,
)

EXPORT_LIMIT = 100_000
"""Rows one export may hold (a province's activities fit many times over)."""

_MAX_CONDITIONS = 8


TABLE_KEY = "grid.table"
"""Session key of the table picker."""
GRID_ROLES = (Role.OFFICE, Role.UNIT, Role.LEADER)
"""The roles that open 数据表."""
_ADDRESS = "grid.address"
_NOTICE = "grid.address_notice"


def _k(table: GridTable, name: str) -> str:
    return f"grid.{table.key}.{name}"


# ------------------------------------------------------------------ fragments
def _fragment_run() -> bool:
    """True while only a fragment reruns (a widget inside it changed), not the app."""
    ctx = get_script_run_ctx()
    return bool(ctx and ctx.fragment_ids_this_run)


def grid_identity(identity: gate.Identity) -> gate.Identity:
    """At the top of the grid's fragments: ``identity``, the one the page's run checked,
    when the whole page runs. A rerun of a fragment alone skips ``app.py``'s login gate
    and the page's check: a logout elsewhere, a revocation or a timeout sends the whole
    app through the gate again, and the user is read afresh, on this run's cursor."""
    if not _fragment_run():
        return identity
    if not gate.session_alive():
        st.rerun(scope="app")
    return gate.require(*GRID_ROLES)


def _rerun_grid() -> None:
    """Rerun the grid alone when only the grid is running, else the whole page."""
    st.rerun(scope="fragment" if _fragment_run() else "app")


# ------------------------------------------------------------------ the address
def open_address(repo: Repository, actor: Actor, tables: dict[str, GridTable]) -> None:
    """Open the table and view an address names (``?table=activities&view=3``).

    Runs before the pickers are drawn. ``table`` is a table's key or its object type
    (``activity``), ``view`` a saved view's number or name. An address this session
    wrote itself, or none at all, changes nothing. A table the actor may not read or a
    view that is not theirs reads like an unknown one: the default opens, with a notice.
    """
    wanted = (st.query_params.get("table"), st.query_params.get("view"))
    if wanted == (None, None) or wanted == st.session_state.get(_ADDRESS):
        return
    table_name, view_name = wanted
    problems = []
    table = None
    if table_name is None:
        table = tables.get(st.session_state.get(TABLE_KEY, ""))
    else:
        table = next((t for t in tables.values() if table_name in (t.key, t.object_type)), None)
        if table is None:
            problems.append(f"地址中的数据表「{table_name}」不存在或您无权查看")
    if table is None:
        table = next(iter(tables.values()))
        view_name = None
    st.session_state[TABLE_KEY] = table.key
    views = repo.grid.list_saved_views(actor, table.key)
    view = None
    if view_name is not None:
        view = next((v for v in views if view_name in (str(v.id), v.name)), None)
        if view is None:
            problems.append(f"地址中的视图「{view_name}」不存在或您无权使用")
    if view is None:
        view = next((v for v in views if v.is_default), None)
    st.session_state[_k(table, "view")] = view.id if view else 0
    load_view(table, view.spec if view else ViewSpec())
    if problems:
        st.session_state[_NOTICE] = "；".join(problems) + f"，已打开「{table.label}」的默认视图。"
    else:
        st.session_state.pop(_NOTICE, None)


def show_address_notice() -> None:
    """The notice about a bookmarked address that could not be opened (until the next pick)."""
    notice = st.session_state.get(_NOTICE)
    if notice:
        st.warning(escape_markdown(notice))


def forget_address_notice() -> None:
    """Picker callback: a table or view chosen by hand ends the address notice."""
    st.session_state.pop(_NOTICE, None)


def write_address(table: GridTable) -> None:
    """Put the open table and view into the address bar, so it can be bookmarked."""
    view_id = st.session_state.get(_k(table, "view")) or None
    address = (table.key, None if view_id is None else str(view_id))
    if address == st.session_state.get(_ADDRESS) and address == (
        st.query_params.get("table"),
        st.query_params.get("view"),
    ):
        return
    st.query_params.from_dict({"table": address[0]} | ({"view": address[1]} if view_id else {}))
    st.session_state[_ADDRESS] = address


# ------------------------------------------------------------------ saved views
def saved_view_bar(repo: Repository, actor: Actor, table: GridTable) -> Any:
    """视图: pick a saved view (its filters fill the builder), save or delete one.

    The office's views are shared; a unit's are its own; leaders use the office's.
    Returns the slot beside the picker where :func:`view_builder` puts 快速搜索: one row
    for the three keeps the first rows of the grid above the fold at 1366×768.
    """
    views = repo.grid.list_saved_views(actor, table.key)
    by_id = {v.id: v for v in views}
    chosen_key = _k(table, "view")
    saved_key = _k(table, "saved_view")
    saved = st.session_state.pop(saved_key, None)
    if saved in by_id:  # just saved: it is the open view now (its filters are the builder's)
        st.session_state[chosen_key] = saved
    elif chosen_key not in st.session_state:
        default = next((v for v in views if v.is_default), None)
        st.session_state[chosen_key] = default.id if default else 0
        if default:
            load_view(table, default.spec)
    if st.session_state[chosen_key] not in by_id:
        st.session_state[chosen_key] = 0

    def chosen() -> None:
        forget_address_notice()
        view = by_id.get(st.session_state[chosen_key])
        load_view(table, view.spec if view else ViewSpec())

    left, middle, right = st.columns([2, 2, 1.4], vertical_alignment="bottom")
    left.selectbox(
        "视图",
        [0, *by_id],
        format_func=lambda i: (
            "（全部记录）"
            if i == 0
            else by_id[i].name + ("（默认）" if by_id[i].is_default else "")
        ),
        key=chosen_key,
        on_change=chosen,
        help="政务公开办保存的视图全办共用；单位保存的视图仅本单位可见。",
        placeholder="请选择",
    )
    if actor.role == Role.LEADER:
        return middle
    with right.popover("保存或删除视图", width="stretch"):
        current = by_id.get(st.session_state[chosen_key])
        with st.form(_k(table, "save_view")):
            name = st.text_input("视图名称", value=current.name if current else "", max_chars=40)
            is_default = st.checkbox("设为本表默认视图", value=bool(current and current.is_default))
            if st.form_submit_button("保存当前筛选为视图", type="primary"):
                spec = current_spec(table)
                saved_ids: list[int] = []
                if run_action(
                    lambda: saved_ids.append(
                        workspace.save_view(
                            repo, actor, table.key, name, spec, is_default=is_default
                        )
                    ),
                    f"视图「{name.strip()}」已保存。",
                ):
                    # the picker is drawn already: the next run opens the saved view
                    st.session_state[saved_key] = saved_ids[0]
                    forget_address_notice()
                    st.rerun()
        if current and st.button("删除此视图", key=_k(table, "delete_view")):
            if run_action(lambda: workspace.delete_view(repo, actor, current.id), "视图已删除。"):
                st.session_state.pop(chosen_key, None)
                load_view(table, ViewSpec())
                st.rerun()
    return middle


def load_view(table: GridTable, spec: ViewSpec) -> None:
    """Put a view into the builder's widgets (before they are drawn)."""
    st.session_state[_k(table, "search")] = spec.search
    st.session_state[_k(table, "match")] = "且" if spec.match_all else "或"
    st.session_state[_k(table, "n")] = len(spec.conditions)
    for i, c in enumerate(spec.conditions):
        f = table.field(c.field)
        st.session_state[_k(table, f"c{i}.field")] = c.field
        st.session_state[_k(table, f"c{i}.op")] = c.op
        st.session_state[_k(table, f"c{i}.value")] = _widget_value(f, c)
    st.session_state[_k(table, "sort")] = [
        f"{s.field}:{'desc' if s.descending else 'asc'}" for s in spec.sort
    ]
    st.session_state[_k(table, "group")] = spec.group_by or ""
    st.session_state[_k(table, "fields")] = list(shown_fields(table, spec))
    if spec.page_size in PAGE_SIZES:
        st.session_state[_k(table, "size")] = spec.page_size
    st.session_state[_k(table, "page")] = 1


def _widget_value(f: GridField, c: Condition) -> Any:
    if c.op in VALUELESS:
        return ""
    if c.op == "in":
        return [str(f.label_of(v)) for v in c.value]
    if f.type == FieldType.BOOL:
        return "是" if c.value in (True, "true", "是") else "否"
    if f.type == FieldType.ENUM:
        return str(f.label_of(c.value))
    return "" if c.value is None else str(c.value)


# ------------------------------------------------------------------ view builder
def view_builder(table: GridTable, search_slot: Any = None) -> ViewSpec | None:
    """搜索、筛选、排序、分组与显示字段; the view they make, or None (with the reasons
    shown) when a condition cannot be read. 快速搜索 goes into ``search_slot`` (the row
    of the view picker) when given."""
    search = (search_slot or st).text_input(
        "快速搜索",
        key=_k(table, "search"),
        placeholder="在所有文字字段中搜索",
    )
    n_key = _k(table, "n")
    st.session_state.setdefault(n_key, 0)
    # Folded, so that the first rows are drawn above the fold; its label says what is set.
    label = "筛选、排序与分组 · " + _fold_label(table, current_spec(table))
    with st.expander(label, key=_k(table, "panel")):
        conditions = []
        for i in range(st.session_state[n_key]):
            condition = _condition_row(table, i)
            if condition is not None:
                conditions.append(condition)
        add, remove, match = st.columns([1, 1, 2])

        def more(step: int) -> None:  # a callback: the run it causes draws the new row
            st.session_state[n_key] += step

        add.button(
            "添加条件",
            key=_k(table, "add"),
            disabled=st.session_state[n_key] >= _MAX_CONDITIONS,
            on_click=more,
            args=(1,),
        )
        remove.button(
            "删除最后一个条件",
            key=_k(table, "remove"),
            disabled=not st.session_state[n_key],
            on_click=more,
            args=(-1,),
        )
        match.radio(
            "多个条件之间",
            ["且", "或"],
            key=_k(table, "match"),
            horizontal=True,
            help="且：所有条件都满足；或：满足任一条件。",
        )
        sort_options = [f"{f.name}:{d}" for f in table.fields for d in ("asc", "desc")]
        st.multiselect(
            "排序（按选择的先后）",
            sort_options,
            key=_k(table, "sort"),
            placeholder="不排序（按编号）",
            format_func=lambda o: (
                f"{table.field(o.split(':')[0]).label} {'↑升序' if o.endswith('asc') else '↓降序'}"
            ),
        )
        left, right = st.columns(2)
        left.selectbox(
            "分组",
            ["", *table.names],
            key=_k(table, "group"),
            format_func=lambda n: "不分组" if not n else table.field(n).label,
            placeholder="请选择",
        )
        st.session_state.setdefault(_k(table, "fields"), list(table.visible))
        right.multiselect(
            "显示字段",
            list(table.names),
            key=_k(table, "fields"),
            placeholder="选择要显示的字段",
            format_func=lambda n: table.field(n).label,
        )
    spec = current_spec(table, search=search, conditions=tuple(conditions))
    try:
        return check_view(table, spec)
    except ValidationError as exc:
        for message in exc.messages:
            st.warning(escape_markdown(message))
        return None


def _fold_label(table: GridTable, spec: ViewSpec, limit: int = 90) -> str:
    """The folded panel's label: the active search, filters, sort and grouping."""
    line = view_summary(table, spec) or "未设置筛选条件"
    if len(line) > limit:
        line = line[: limit - 1] + "…"
    return escape_markdown(line)


def _condition_row(table: GridTable, i: int) -> Condition | None:
    field_key, op_key, value_key = (_k(table, f"c{i}.{p}") for p in ("field", "op", "value"))
    st.session_state.setdefault(field_key, table.visible[0])
    a, b, c = st.columns([2, 1, 2])
    name = a.selectbox(
        f"条件 {i + 1} · 字段",
        list(table.names),
        key=field_key,
        format_func=lambda n: table.field(n).label,
        placeholder="请选择",
    )
    f = table.field(name)
    ops = list(operators_for(f))
    if st.session_state.get(op_key) not in ops:
        st.session_state[op_key] = ops[0]
    op = b.selectbox(
        "条件", ops, key=op_key, format_func=lambda o: OPERATORS[o], placeholder="请选择"
    )
    if op in VALUELESS:
        c.empty()
        return Condition(name, op)
    labels = [label for _, label in f.options]
    if f.type == FieldType.BOOL:
        labels = ["是", "否"]
    if op == "in":
        if not isinstance(st.session_state.get(value_key), list):
            st.session_state[value_key] = []
        value: Any = c.multiselect("值", labels, key=value_key, placeholder="选择一个或多个")
    elif labels:
        if st.session_state.get(value_key) not in labels:
            st.session_state[value_key] = labels[0]
        value = c.selectbox("值", labels, key=value_key, placeholder="请选择")
    else:
        if not isinstance(st.session_state.get(value_key), str):
            st.session_state[value_key] = ""
        hint = {
            FieldType.DATE: "如 2026-10-09",
            FieldType.DATETIME: "如 2026-10-09",
            FieldType.NUMBER: "数字",
        }.get(f.type, "")
        value = c.text_input("值", key=value_key, placeholder=hint)
    return Condition(name, op, value)


def current_spec(
    table: GridTable, *, search: str | None = None, conditions: tuple[Condition, ...] | None = None
) -> ViewSpec:
    """The view the builder's widgets hold now."""
    state = st.session_state
    if conditions is None:
        conditions = tuple(
            Condition(
                state.get(_k(table, f"c{i}.field")),
                state.get(_k(table, f"c{i}.op")),
                state.get(_k(table, f"c{i}.value")),
            )
            for i in range(state.get(_k(table, "n"), 0))
        )
    sort = []
    seen = set()
    for option in state.get(_k(table, "sort"), []):
        name, direction = option.split(":")
        if name not in seen:
            seen.add(name)
            sort.append(SortKey(name, direction == "desc"))
    fields = tuple(state.get(_k(table, "fields"), ()))
    size = state.get(_k(table, "size"))
    return ViewSpec(
        search=state.get(_k(table, "search"), "") if search is None else search,
        conditions=conditions,
        match_all=state.get(_k(table, "match"), "且") == "且",
        sort=tuple(sort),
        group_by=state.get(_k(table, "group")) or None,
        fields=() if fields == table.visible else fields,
        page_size=size if size in PAGE_SIZES else None,
    )


# ------------------------------------------------------------------ paging and groups
def page_of_rows(repo: Repository, actor: Actor, table: GridTable, spec: ViewSpec) -> GridPage:
    """The page the pager's size and number name, read before the pager is drawn (one
    read gives the rows and the count). A number past the last page, after the view
    shrank, turns to the last page."""
    size_key, page_key = _k(table, "size"), _k(table, "page")
    st.session_state.setdefault(size_key, PAGE_SIZES[1])
    size = st.session_state[size_key]
    number = max(1, int(st.session_state.get(page_key, 1)))
    page = repo.grid.grid_rows(actor, table.key, spec, (number - 1) * size, size)
    pages = max(1, -(-page.total // size))
    if number > pages:
        st.session_state[page_key] = pages
        page = repo.grid.grid_rows(actor, table.key, spec, (pages - 1) * size, size)
    return page


def pager(table: GridTable, total: int) -> None:
    """共 N 条, the page size and the page number (:func:`page_of_rows` read the page)."""
    size_key, page_key = _k(table, "size"), _k(table, "page")
    pages = max(1, -(-total // st.session_state[size_key]))
    left, middle, right = st.columns([2, 1, 1])
    left.markdown(f"共 **{total}** 条记录，{pages} 页")
    middle.selectbox("每页行数", PAGE_SIZES, key=size_key, placeholder="请选择")
    right.number_input("页码", min_value=1, max_value=pages, step=1, key=page_key)


def group_summary(table: GridTable, group_by: str, groups: pd.DataFrame) -> None:
    """分组计数: one line per value of the group field."""
    f = table.field(group_by)
    shown = groups.rename(columns={"value": f.label, "count": "记录数"})
    shown[f.label] = [_text(table, f.name, v) for v in shown[f.label]]
    st.dataframe(
        shown,
        hide_index=True,
        placeholder="",
        width="stretch",
        height=min(35 * (len(shown) + 1) + 3, 300),
    )


# ------------------------------------------------------------------ the grid
def _column_config(table: GridTable, f: GridField, editable: bool) -> Any:
    cc = st.column_config
    disabled = not editable
    if f.type == FieldType.NUMBER:
        return cc.NumberColumn(f.label, disabled=disabled, step=1)
    if f.type == FieldType.DATE:
        return cc.DateColumn(f.label, disabled=disabled, format="YYYY-MM-DD")
    if f.type == FieldType.DATETIME:
        return cc.DatetimeColumn(f.label, disabled=True, format="YYYY-MM-DD HH:mm")
    if f.type == FieldType.BOOL:
        return cc.CheckboxColumn(f.label, disabled=disabled)
    if f.type == FieldType.ENUM:
        return cc.SelectboxColumn(
            f.label, disabled=disabled, options=[label for _, label in f.options]
        )
    return cc.TextColumn(f.label, disabled=disabled)


def _editor_frame(table: GridTable, rows: pd.DataFrame) -> pd.DataFrame:
    frame = for_display(table, rows)
    for f in table.fields:
        if f.type == FieldType.DATE and f.name in frame.columns:
            frame[f.name] = pd.to_datetime(frame[f.name]).dt.date
    return frame.reset_index(drop=True)


def can_write(table: GridTable, role: Role) -> bool:
    """True when ``role`` may change anything in ``table``."""
    return bool(table.editable_by(role)) or role in table.creators or role in table.deleters


def grid_editor(
    repo: Repository, actor: Actor, table: GridTable, spec: ViewSpec, page: GridPage
) -> None:
    """The rows of one page: editable in place where the role may, saved in one batch.

    The rows an editor works on are kept as loaded (with their versions) until saved or
    reloaded, so a save made by someone else meanwhile is seen as a conflict, never
    overwritten.
    """
    fields = list(shown_fields(table, spec))
    if table.key_field not in fields:
        fields = [table.key_field, *fields]
    if not can_write(table, actor.role):
        shown = _editor_frame(table, page.rows)
        st.dataframe(
            shown[fields],
            hide_index=True,
            placeholder="",
            width="stretch",
            column_config={f: _column_config(table, table.field(f), False) for f in fields},
        )
        return
    nonce = st.session_state.setdefault(_k(table, "nonce"), 0)
    digest = hashlib.sha1(
        f"{spec.to_json()}|{page.offset}|{page.limit}|{nonce}".encode()
    ).hexdigest()[:12]
    editor_key = _k(table, f"editor.{digest}")
    snapshot_key = _k(table, "snapshot")
    snapshot = st.session_state.get(snapshot_key)
    if not snapshot or snapshot[0] != editor_key:
        snapshot = (editor_key, _editor_frame(table, page.rows), now())
        st.session_state[snapshot_key] = snapshot
    loaded: pd.DataFrame = snapshot[1]
    editable = table.editable_by(actor.role)
    dynamic = actor.role in table.creators or actor.role in table.deleters
    key_editable = table.key_field != "id" and actor.role in table.creators
    st.data_editor(
        loaded,
        key=editor_key,
        column_order=fields,
        hide_index=True,
        placeholder="",
        width="stretch",
        num_rows="dynamic" if dynamic else "fixed",
        column_config={
            f.name: _column_config(
                table, f, f.name in editable or (f.name == table.key_field and key_editable)
            )
            for f in table.fields
        },
    )
    st.caption(
        f"数据载入于 {snapshot[2]:%H:%M:%S}。可修改的列可直接编辑"
        + ("，可在表格末尾新增行、勾选行后删除" if dynamic else "")
        + "；点「保存修改」一次写入全部修改。"
    )
    save, reload, _ = st.columns([1, 1, 3])
    conflict_key = _k(table, "conflict")
    if save.button("保存修改", type="primary", key=_k(table, "save")):
        state = st.session_state.get(editor_key, {})
        st.session_state.pop(conflict_key, None)
        try:
            changes = changeset_from_editor(table, actor.role, loaded, state)
        except ValidationError as exc:
            for message in exc.messages:
                st.error(escape_markdown(message))
            changes = None
        if changes is not None and changes.empty:
            st.info("没有需要保存的修改。")
        elif changes is not None:
            try:
                saved = run_action(
                    lambda: workspace.save_edits(repo, actor, table.key, changes),
                    f"已保存 {changes.size} 条记录的修改。",
                )
            except GridConflict as exc:
                st.session_state[conflict_key] = exc
                saved = False
            if saved:
                st.session_state[_k(table, "nonce")] = nonce + 1
                st.rerun()
    if reload.button("放弃修改并刷新", key=_k(table, "reload")):
        st.session_state[_k(table, "nonce")] = nonce + 1
        st.session_state.pop(conflict_key, None)
        _rerun_grid()
    conflict = st.session_state.get(conflict_key)
    if conflict is not None:
        conflict_report(table, conflict)


def conflict_report(table: GridTable, conflict: GridConflict) -> None:
    """保存冲突: which fields someone else changed, with both values; nothing was written."""
    st.error(escape_markdown(str(conflict)))
    rows = [
        {
            "记录": str(c.key),
            "字段": c.label,
            "您载入时": _text(table, c.field, c.loaded),
            "您的修改": _text(table, c.field, c.mine) if c.mine_changed else "（未改）",
            "他人已保存": _text(table, c.field, c.theirs),
        }
        for c in conflict.conflicts
    ]
    rows += [
        {"记录": str(k), "字段": "整条记录", "您载入时": "", "您的修改": "", "他人已保存": "已删除"}
        for k in conflict.missing
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, placeholder="", width="stretch")
    st.caption(
        "您的修改仍保留在表格中。核对后可点「放弃修改并刷新」载入最新数据，再重新修改需要的字段。"
    )


def _text(table: GridTable, name: str, value: Any) -> str:
    """One value as a person reads it: 是/否, dates and minutes, （空） when missing."""
    if value is None or (not isinstance(value, str | list | tuple) and pd.isna(value)):
        return "（空）"
    if name and name in table.names:
        value = table.field(name).label_of(value)
    if isinstance(value, datetime):  # pandas' Timestamp too
        return minute_time(value) if value.time() != time() else table_date(value)
    if isinstance(value, date):
        return table_date(value)
    return value_text(value)


# ------------------------------------------------------------------ export and import
def export_buttons(repo: Repository, actor: Actor, table: GridTable, spec: ViewSpec) -> None:
    """导出当前视图: every row that matches the view (not only this page), xlsx and csv."""
    fields = list(shown_fields(table, spec))
    columns = [table.field(f).label for f in fields]
    stamp = now().strftime("%Y%m%d%H%M")
    filters = view_summary(table, spec)

    def rows(reader: Repository) -> list[list[Any]]:
        page = reader.grid.grid_rows(actor, table.key, spec, 0, EXPORT_LIMIT)
        return export_rows(table, page.rows, fields)

    def xlsx(reader: Repository) -> tuple[bytes, int]:
        found = rows(reader)
        return view_xlsx(f"{table.label}（导出于{stamp}）", columns, found), len(found)

    def csv(reader: Repository) -> tuple[bytes, int]:
        found = rows(reader)
        return csv_bytes([dict(zip(columns, r, strict=True)) for r in found], columns), len(found)

    left, right = st.columns(2)
    with left:
        deferred_download(
            "导出 Excel",
            xlsx,
            file_name=download_name(table.label, f"{stamp}.xlsx"),
            mime=XLSX_MIME,
            key=_k(table, "xlsx"),
            repo=repo,
            actor=actor,
            audit=DownloadAudit(f"数据表“{table.label}”（Excel）", filters=filters),
            help="按当前视图的筛选、排序和显示字段导出全部匹配记录。",
        )
    with right:
        deferred_download(
            "导出 CSV",
            csv,
            file_name=download_name(table.label, f"{stamp}.csv"),
            mime="text/csv",
            key=_k(table, "csv"),
            repo=repo,
            actor=actor,
            audit=DownloadAudit(f"数据表“{table.label}”（CSV）", filters=filters),
        )


def import_section(repo: Repository, actor: Actor, table: GridTable) -> None:
    """导入: a csv/xlsx checked row by row; nothing is written while any row is wrong."""
    creator = actor.role in table.creators
    if not (creator or table.editable_by(actor.role)):
        return
    with st.expander("从 Excel / CSV 导入"):
        st.caption(
            "第一行为表头，列名用本表字段名（可先导出一份作为模板）。"
            + (
                "填写了已有记录编号的行修改该记录，其余行新增；"
                if creator
                else "按编号修改已有记录；"
            )
            + "任何一行有问题时不写入任何内容。"
        )
        upload = file_picker("选择文件", TABLE_FILE, key=_k(table, "import"))
        if upload is None:
            return
        read = read_table_rows(upload.getvalue(), upload.name)
        if read.error:
            refused_upload(repo, actor, upload, f"数据表“{table.label}”导入文件", read.error)
            st.error(read.error)
            return
        key_field = table.field(table.key_field)
        keys = []
        labels = {key_field.label, key_field.name}
        if any(h in labels for h in read.header):
            index = next(i for i, h in enumerate(read.header) if h in labels)
            keys = [r[index] for r in read.rows if index < len(r) and r[index] not in (None, "")]
        current = _current_rows(repo, actor, table, keys)
        preview = import_preview(
            table, actor.role, read.header, read.rows, current, read.formula_rows
        )
        problems = list(preview.problems)
        if not problems and not preview.changes.empty:
            problems = workspace.import_problems(repo, actor, table.key, preview.changes)
        if preview.ignored_columns:
            st.warning("以下列不是本表字段，已忽略：" + "、".join(preview.ignored_columns))
        st.dataframe(preview.rows.map(value_text), hide_index=True, placeholder="", width="stretch")
        if problems:
            st.error(f"文件有{len(problems)}处问题，未导入任何内容：")
            st.dataframe(
                pd.DataFrame({"问题": problems}), hide_index=True, placeholder="", width="stretch"
            )
            return
        if preview.changes.empty:
            st.info("文件中的数据与现有记录相同，无需导入。")
            return
        edits, inserts = len(preview.changes.edits), len(preview.changes.inserts)
        if st.button(
            f"确认导入（新增 {inserts} 行，修改 {edits} 行）",
            type="primary",
            key=_k(table, "import_go"),
        ):
            if run_action(
                lambda: workspace.import_rows(repo, actor, table.key, preview.changes),
                f"已导入：新增 {inserts} 行，修改 {edits} 行。",
            ):
                st.session_state.pop(_k(table, "import"), None)
                st.session_state[_k(table, "nonce")] = (
                    st.session_state.get(_k(table, "nonce"), 0) + 1
                )
                st.rerun()


def _current_rows(
    repo: Repository, actor: Actor, table: GridTable, keys: list[Any]
) -> dict[Any, dict[str, Any]]:
    current: dict[Any, dict[str, Any]] = {}
    key_field = table.field(table.key_field)
    for raw in keys[:5000]:
        try:
            key = read_value(key_field, raw)
        except ValueError:
            continue
        try:
            current[key] = repo.grid.grid_record(actor, table.key, key)
        except (NotFound, PermissionDenied):
            continue  # an unknown or another unit's key: the row is read as a new one
    return current


# ------------------------------------------------------------------ record detail
def record_detail(identity: gate.Identity, table_key: str, rows: pd.DataFrame) -> None:
    """记录详情: all fields, linked records both ways, 意见, 变更历史 of one record of
    the page's ``rows``; nothing is read until a record is picked. ``identity`` is
    taken as by :func:`grid_identity`.

    Drawn as a fragment of its own (``st.fragment(record_detail)(...)``): picking a
    record reruns only the detail, not the grid."""
    if rows.empty:
        return
    identity = grid_identity(identity)
    repo, actor = identity.repo, identity.actor
    table = grid_table(table_key)
    st.subheader("记录详情")
    names = [n for n in (table.key_field, *_TITLE_FIELDS) if n in rows.columns]
    by_key = {r[table.key_field]: r for r in rows[names].to_dict("records")}
    picked = st.selectbox(
        "选择记录（本页）",
        list(by_key),
        index=None,
        key=_k(table, "detail"),
        format_func=lambda k: record_title(table, by_key[k]),
        placeholder="选择本页的一条记录，查看其字段、关联记录、意见和变更历史",
    )
    if picked is None:
        return
    record = repo.grid.grid_record(actor, table.key, _plain_key(picked))
    tabs = st.tabs(["字段", "关联记录", "意见", "变更历史"])
    with tabs[0]:
        shown = for_display(table, pd.DataFrame([record]))
        st.dataframe(
            pd.DataFrame(
                {
                    "字段": [f.label for f in table.fields],
                    "值": [_text(table, "", shown.iloc[0][f.name]) for f in table.fields],
                }
            ),
            hide_index=True,
            placeholder="",
            width="stretch",
        )
    with tabs[1]:
        linked_records(repo, actor, table, record)
    with tabs[2]:
        comments(repo, actor, table, record)
    with tabs[3]:
        history = history_rows(repo.grid.change_history(actor, table.key, record[table.key_field]))
        if history.empty:
            st.caption("暂无变更记录。")
        else:
            st.dataframe(history, hide_index=True, placeholder="", width="stretch")


_TITLE_FIELDS = ("title", "name", "unit_name", "username", "original_name", "body", "note")
"""The fields :func:`~themeday.core.grid.record_title` may name a record by."""


def _plain_key(key: Any) -> Any:
    if isinstance(key, pd.Timestamp):
        return key.date()
    return key.item() if hasattr(key, "item") else key


def linked_records(repo: Repository, actor: Actor, table: GridTable, record: dict) -> None:
    """Records linked to ``record`` that the actor may read, table by table."""
    shown = False
    for link in LINKS.get(table.key, ()):
        target = grid_table(link.table)
        spec = link_view(link, record)
        if spec is None or not target.can_read(actor.role):
            continue
        page = repo.grid.grid_rows(actor, target.key, spec, 0, 200)
        if page.total == 0:
            continue
        shown = True
        st.markdown(f"**{link.label}**（{page.total}）")
        frame = labelled(target, for_display(target, page.rows)[list(target.visible)])
        st.dataframe(frame, hide_index=True, placeholder="", width="stretch")
    if not shown:
        st.caption("没有关联记录。")


def comments(repo: Repository, actor: Actor, table: GridTable, record: dict) -> None:
    """意见 on a unit, 申报表 or activity: the thread, and a form for office and unit."""
    object_type = COMMENTABLE.get(table.key)
    if object_type is None:
        st.caption("此类记录没有意见。")
        return
    key = record[table.key_field]
    spec = ViewSpec(
        conditions=(Condition("object_type", "eq", object_type), Condition("object_id", "eq", key))
    )
    thread = repo.grid.grid_rows(actor, "comments", spec, 0, 500).rows
    if thread.empty:
        st.caption("暂无意见。")
    for item in thread.itertuples():
        with st.chat_message("assistant" if item.role == Role.OFFICE else "user"):
            who = f"{role_label(item.role)}（{item.username}）"
            st.markdown(f"**{escape_markdown(who)}** · {minute_time(item.created_at)}")
            st.text(item.body)
    if actor.role == Role.LEADER:
        return
    with st.form(_k(table, f"comment.{key}"), clear_on_submit=True):
        body = st.text_area("发表意见", max_chars=1000)
        if st.form_submit_button("发表"):
            if run_action(
                lambda: workspace.add_comment(repo, actor, object_type, int(key), body),
                "意见已发表。",
            ):
                st.rerun()
