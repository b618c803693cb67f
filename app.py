"""主题日: page set-up, the login gate, and the pages each role may open."""

import streamlit as st

from pages import (
    change_password,
    leader_dashboard,
    logout,
    office_home,
    unit_home,
    units_accounts,
)
from themeday.domain import Role
from themeday.ui import gate

st.set_page_config(page_title="政务公开主题日", page_icon=":material/campaign:", layout="wide")

identity = gate.identify()

if identity is None:
    login = st.Page(gate.render_login, title="登录", icon=":material/login:", default=True)
    st.navigation([login], position="hidden").run()
else:
    password = st.Page(
        change_password.render,
        title="修改密码",
        icon=":material/key:",
        url_path="password",
    )
    leave = st.Page(logout.render, title="退出", icon=":material/logout:", url_path="logout")
    work: list = []
    if identity.user.must_change_password:
        password = st.Page(
            change_password.render,
            title="修改密码",
            icon=":material/key:",
            url_path="password",
            default=True,
        )
    elif identity.user.role == Role.UNIT:
        work = [
            st.Page(
                unit_home.render,
                title="本单位首页",
                icon=":material/home:",
                url_path="unit",
                default=True,
            )
        ]
    elif identity.user.role == Role.OFFICE:
        work = [
            st.Page(
                office_home.render,
                title="管理首页",
                icon=":material/dashboard:",
                url_path="office",
                default=True,
            ),
            st.Page(
                units_accounts.render,
                title="单位与账号",
                icon=":material/group:",
                url_path="units",
            ),
        ]
    elif identity.user.role == Role.LEADER:
        work = [
            st.Page(
                leader_dashboard.render,
                title="领导看板",
                icon=":material/monitoring:",
                url_path="dashboard",
                default=True,
            )
        ]
    st.sidebar.caption(f"{identity.user.display_name}（{identity.user.role.label}）")
    sections = {"工作": work, "账号": [password, leave]} if work else {"账号": [password, leave]}
    st.navigation(sections).run()
