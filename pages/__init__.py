"""Screens. Each module only defines ``render()``; nothing runs at import time.

:func:`sections_for` is the one table of which role opens which page; ``app.py``
passes it to ``st.navigation``.
"""

from __future__ import annotations

import streamlit as st

from pages import (
    campaigns,
    change_password,
    declaration,
    leader_dashboard,
    logout,
    office_home,
    plan,
    review,
    unit_home,
    units_accounts,
)
from themeday.domain import Role
from themeday.records import User


def sections_for(user: User) -> dict[str, list[st.Page]]:
    """The navigation of a logged-in user: their role's pages, then 修改密码 and 退出.

    Until a forced password change is done, only 修改密码 and 退出 are offered.
    """
    forced = user.must_change_password
    account = [
        _page(change_password.render, "修改密码", "key", "password", default=forced),
        _page(logout.render, "退出", "logout", "logout"),
    ]
    if forced:
        return {"账号": account}
    annual_plan = _page(plan.render, "活动计划", "calendar_month", "plan")
    if user.role == Role.UNIT:
        work = [
            _page(unit_home.render, "本单位首页", "home", "unit", default=True),
            _page(declaration.render, "主题申报", "edit_note", "declaration"),
            annual_plan,
        ]
    elif user.role == Role.OFFICE:
        work = [
            _page(office_home.render, "管理首页", "dashboard", "office", default=True),
            _page(campaigns.render, "活动管理", "event", "campaigns"),
            _page(review.render, "申报审核", "fact_check", "review"),
            annual_plan,
            _page(units_accounts.render, "单位与账号", "group", "units"),
        ]
    else:
        work = [
            _page(leader_dashboard.render, "领导看板", "monitoring", "dashboard", default=True),
            annual_plan,
        ]
    return {"工作": work, "账号": account}


def _page(render, title: str, icon: str, url_path: str, default: bool = False) -> st.Page:
    return st.Page(
        render, title=title, icon=f":material/{icon}:", url_path=url_path, default=default
    )
