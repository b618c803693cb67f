"""Streamlit pieces of 单位与账号: the one-time password the office has just issued.

The password is shown in a modal dialog, not on the page: on the page it sat above the
tabs and the rerun after 确认重置密码 could leave it scrolled out of the clerk's view.
The dialog is always in view, can only be closed by 我已记下，关闭 (a click beside it
must not lose a password nobody has noted), and reopens on every rerun until then.
"""

from __future__ import annotations

import streamlit as st

from themeday.ui.widgets import escape_markdown

ISSUED = "units_accounts.issued_password"
"""(username, what it is, password) of a password just issued, until dismissed."""

CLOSE_LABEL = "我已记下，关闭"


def issue_password(username: str, what: str, password: str) -> None:
    """Keep a just-issued password (``what``: 初始密码, 新密码) to show it in the dialog."""
    st.session_state[ISSUED] = (username, what, password)


def issued_password_dialog() -> None:
    """Open the dialog with the password just issued, if there is one."""
    issued = st.session_state.get(ISSUED)
    if issued:
        _password_dialog(*issued)


@st.dialog("一次性密码", dismissible=False)
def _password_dialog(username: str, what: str, password: str) -> None:
    st.success(
        escape_markdown(
            f"账号 {username} 的{what}（一次性密码）如下。请通过安全渠道告知本人，"
            "登录后须立即修改；关闭后不再显示。"
        )
    )
    st.code(password, language=None)
    st.caption("点击密码框右侧的复制按钮可复制密码。")
    if st.button(CLOSE_LABEL, key=f"{ISSUED}.dismiss", type="primary", width="stretch"):
        st.session_state.pop(ISSUED, None)
        st.rerun()
