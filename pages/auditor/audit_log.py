"""审计日志: every write, who did it and when; filters, the hash-chain check and
exports of the filtered rows. The 审计管理员 (auditor) alone opens it: the office that
manages the data and the accounts does not read its own trail (权限分离). Filtering and
paging happen in SQL."""

import streamlit as st

from themeday.core.audit import MIN_RETENTION_DAYS
from themeday.core.domain import Role
from themeday.ui.audit_widgets import audit_exports, audit_filters, audit_rows, chain_check
from themeday.ui.screen import open_screen


def render() -> None:
    """The auditor's 审计日志 page."""
    screen = open_screen("审计日志", Role.AUDITOR, flash=False)
    repo, actor = screen.repo, screen.actor
    st.caption(
        "系统中的每一次写入和登录都记录在此：记录只增不改，每条以哈希值与上一条相连，"
        f"至少保留{MIN_RETENTION_DAYS}天。"
    )
    filters = audit_filters(repo, actor)
    if filters is None:
        return
    total = audit_rows(repo, actor, filters)
    if total:
        audit_exports(repo, actor, filters, total)
    chain_check(repo, actor)
