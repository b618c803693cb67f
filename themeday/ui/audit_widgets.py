"""The parts of 审计日志: its filters, the page of rows, the exports and the chain check.

Filtering and paging happen in SQL (``repo.oversight.search_audit``).
"""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from themeday.core.audit import (
    EARLIEST_FILTER_DAY,
    AuditFilter,
    action_label,
    filter_summary,
    object_label,
    table_rows,
)
from themeday.core.config import now
from themeday.core.domain import Actor
from themeday.formats.audit_exports import audit_csv, audit_xlsx
from themeday.repository import Repository
from themeday.services.file_audit import DownloadAudit
from themeday.ui.inputs import date_field
from themeday.ui.widgets import XLSX_MIME, deferred_download, download_name

PAGE_SIZE = 50
EXPORT_LIMIT = 50_000
"""At most this many rows (the newest) go into one export."""

RESULTS = {"全部": None, "成功": True, "失败": False}
_PAGE_KEY = "audit_page"


def audit_filters(repo: Repository, actor: Actor) -> AuditFilter | None:
    """The filter inputs (用户, 操作, 对象类型, 对象编号, dates, 结果) as a filter;
    None (with a warning) while the dates are the wrong way round."""
    actions, object_types = repo.oversight.audit_choices(actor)
    top = st.columns(3)
    username = top[0].text_input("用户", key="audit_user", placeholder="登录名（可输入部分）")
    chosen_actions = top[1].multiselect(
        "操作", actions, key="audit_actions", format_func=action_label, placeholder="全部操作"
    )
    object_type = top[2].selectbox(
        "对象类型",
        ["", *object_types],
        key="audit_object_type",
        format_func=lambda t: object_label(t) or "全部",
        placeholder="请选择",
    )
    bottom = st.columns(4)
    object_id = bottom[0].text_input("对象编号", key="audit_object_id")
    days = (EARLIEST_FILTER_DAY, repo.today())
    date_from = date_field("起始日期", None, days, key="audit_from", container=bottom[1])
    date_to = date_field("截止日期", None, days, key="audit_to", container=bottom[2])
    result = bottom[3].selectbox("结果", list(RESULTS), key="audit_result", placeholder="请选择")
    if date_from and date_to and date_from > date_to:
        st.warning("起始日期晚于截止日期，请重新选择。")
        return None
    return AuditFilter(
        username=username.strip(),
        actions=tuple(chosen_actions),
        object_type=object_type,
        object_id=object_id.strip(),
        date_from=date_from,
        date_to=date_to,
        success=RESULTS[result],
    )


def audit_rows(repo: Repository, actor: Actor, filters: AuditFilter) -> int:
    """One page of the matching rows, newest first, with the page picker; their count."""
    total = repo.oversight.count_audit(actor, filters)
    pages = max(1, -(-total // PAGE_SIZE))
    if st.session_state.get(_PAGE_KEY, 1) > pages:
        st.session_state[_PAGE_KEY] = pages  # the filters changed: stay in range
    if total == 0:
        st.info("没有符合条件的记录。")
        return 0
    head = st.columns([3, 1])
    page = head[1].number_input("页码", min_value=1, max_value=pages, step=1, key=_PAGE_KEY)
    head[0].caption(f"共 {total} 条，按时间从新到旧，每页 {PAGE_SIZE} 条，第 {page}/{pages} 页。")
    rows = repo.oversight.search_audit(actor, filters, PAGE_SIZE, (int(page) - 1) * PAGE_SIZE)
    st.dataframe(
        pd.DataFrame(table_rows(rows, text_times=True)),
        hide_index=True,
        width="stretch",
        column_config={"编号": st.column_config.NumberColumn(format="%d")},
    )
    return total


def audit_exports(repo: Repository, actor: Actor, filters: AuditFilter, total: int) -> None:
    """导出 Excel and 导出 CSV of the matching rows (the newest EXPORT_LIMIT)."""
    if total > EXPORT_LIMIT:
        st.caption(f"导出文件只含最新的 {EXPORT_LIMIT} 条，请缩小筛选范围后分批导出。")
    name = download_name("审计日志", f"{now():%Y%m%d%H%M}")
    left, right = st.columns(2)
    summary = filter_summary(filters)
    with left:
        deferred_download(
            "导出 Excel",
            lambda reader: _exported(audit_xlsx, reader, actor, filters, summary),
            file_name=f"{name}.xlsx",
            mime=XLSX_MIME,
            key="audit_xlsx",
            repo=repo,
            actor=actor,
            audit=_export_audit("审计日志（Excel）", summary),
        )
    with right:
        deferred_download(
            "导出 CSV",
            lambda reader: _exported(audit_csv, reader, actor, filters),
            file_name=f"{name}.csv",
            mime="text/csv",
            key="audit_csv",
            repo=repo,
            actor=actor,
            audit=_export_audit("审计日志（CSV）", summary),
        )


def chain_check(repo: Repository, actor: Actor) -> None:
    """哈希链校验: check every row's hash against the one before, on a click."""
    st.subheader("哈希链校验")
    st.caption(
        "从第一条记录起逐条核对哈希值：任何一条被修改、删除、插入或调换顺序，"
        "都会在该条或其后一条处报告。"
    )
    if st.button("校验哈希链", icon=":material/verified_user:"):
        with st.spinner("正在校验……"):
            verdict = repo.oversight.verify_audit_chain(actor)
        if verdict.ok:
            st.success(verdict.message())
            if verdict.last_id is not None:
                st.caption(f"最新一条记录 #{verdict.last_id} 的哈希：{verdict.last_hash}")
        else:
            st.error(verdict.message())


def _export_audit(what: str, summary: str) -> DownloadAudit:
    return DownloadAudit(what, filters=summary.removeprefix("筛选条件："), object_type="audit_log")


def _exported(
    builder: Callable[..., bytes],
    reader: Repository,
    actor: Actor,
    filters: AuditFilter,
    *args: str,
) -> tuple[bytes, int]:
    """The export of the rows that match ``filters`` (at most EXPORT_LIMIT), with their count."""
    rows = reader.oversight.search_audit(actor, filters, EXPORT_LIMIT)
    return builder(rows, *args), len(rows)
