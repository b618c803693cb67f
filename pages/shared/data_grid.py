"""数据表: every table a role may read as a grid — search, filter, sort, group, page,
saved views, inline editing where allowed, export, import and a record's detail.

Below the title the page is one ``st.fragment``: picking a table or view, changing a
filter, a page or the page size reruns only the grid, not the sidebar, the banner and
the rest of the app. 记录详情 is a fragment of its own inside it, read only once a
record is picked.
"""

import streamlit as st

from themeday.core.domain import Role
from themeday.core.grid import tables_for
from themeday.ui import gate
from themeday.ui.grid_widgets import (
    GRID_ROLES,
    TABLE_KEY,
    export_buttons,
    forget_address_notice,
    grid_editor,
    grid_identity,
    group_summary,
    import_section,
    open_address,
    page_of_rows,
    pager,
    record_detail,
    saved_view_bar,
    show_address_notice,
    view_builder,
    write_address,
)
from themeday.ui.screen import open_screen

INTRO = {
    Role.UNIT: "本单位的数据：可修改联系人、活动日期和地点等本环节允许的字段。",
    Role.LEADER: "全部数据，只读。",
    Role.OFFICE: "全部数据：可筛选、分组、直接修改并一次保存，所有修改逐字段记入审计日志。",
}


def render() -> None:
    screen = open_screen("数据表", *GRID_ROLES)
    st.caption(INTRO[screen.actor.role])
    st.fragment(_grid)(screen.identity)


def _grid(identity: gate.Identity) -> None:
    """The table and view pickers, the builder, the rows and what goes with them.

    ``identity`` is the full run's; a rerun of the grid alone checks the login again."""
    identity = grid_identity(identity)
    repo, actor = identity.repo, identity.actor
    tables = {t.key: t for t in tables_for(actor.role)}
    open_address(repo, actor, tables)
    show_address_notice()
    if st.session_state.get(TABLE_KEY) not in tables:
        st.session_state[TABLE_KEY] = next(iter(tables))
    key = st.segmented_control(
        "数据表",
        list(tables),
        format_func=lambda k: tables[k].label,
        key=TABLE_KEY,
        label_visibility="collapsed",
        on_change=forget_address_notice,
    )
    table = tables[key or next(iter(tables))]
    search_slot = saved_view_bar(repo, actor, table)
    write_address(table)
    spec = view_builder(table, search_slot)
    if spec is None:
        return
    page = page_of_rows(repo, actor, table, spec)
    pager(table, page.total)
    grid_editor(repo, actor, table, spec, page)
    if spec.group_by:  # below the rows: they come first on the screen
        group_summary(table, spec.group_by, repo.grid.grid_groups(actor, table.key, spec))
    export_buttons(repo, actor, table, spec)
    import_section(repo, actor, table)
    st.fragment(record_detail)(identity, table.key, page.rows)
