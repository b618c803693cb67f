"""Screens. Each module only defines ``render()``; nothing runs at import time.

The screens live in sub-packages (``pages/unit/``, ``pages/office/``, …), never as
``pages/<file>.py``: Streamlit's legacy discovery serves every ``pages/*.py`` (but
``__init__.py``) as a page of its own, listed by file name, until a session has called
``st.navigation`` (DESIGN.md §3). :data:`SCREENS` says where each screen lives.

:func:`sections_for` is the one table of which role opens which page; ``app.py``
passes it to ``st.navigation``. A screen's module is imported when the page is first
drawn (:func:`_screen`): the login page, the first page after a server start, does not
wait for the libraries of every screen (charts, spreadsheets, Word, PDF).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import streamlit as st

from themeday.domain import Role
from themeday.records import User


def sections_for(user: User) -> dict[str, list[st.Page]]:
    """The navigation of a logged-in user: their role's pages, then 修改密码 and 退出.

    Until a forced password change is done, only 修改密码 and 退出 are offered.
    """
    forced = user.must_change_password
    account = [
        _page(_screen("change_password"), "修改密码", "key", "password", default=forced),
        _page(_screen("sign_out"), "退出", "logout", "logout"),
    ]
    if forced:
        return {"账号": account}
    plan_page = _page(_screen("annual_plan"), "活动计划", "calendar_month", "plan")
    boards_page = _page(_screen("activity_boards"), "看板视图", "view_kanban", "boards")
    grid_page = _page(_screen("data_grid"), "数据表", "table_view", "grid")
    if user.role == Role.UNIT:
        work = [
            _page(_screen("unit_home"), "本单位首页", "home", "unit", default=True),
            _page(_screen("declaration_form"), "主题申报", "edit_note", "declaration"),
            plan_page,
            _page(_screen("unit_activities"), "本单位活动", "event_available", "activities"),
            boards_page,
            grid_page,
        ]
    elif user.role == Role.OFFICE:
        work = [
            _page(_screen("office_home"), "管理首页", "dashboard", "office", default=True),
            _page(_screen("campaign_settings"), "活动管理", "event", "campaigns"),
            _page(_screen("declaration_review"), "申报审核", "fact_check", "review"),
            plan_page,
            _page(_screen("activity_oversight"), "活动进展", "task_alt", "activities"),
            boards_page,
            grid_page,
            _page(_screen("chase_board"), "督办催办", "notifications_active", "chase"),
            _page(_screen("assessment_summary"), "考核汇总", "leaderboard", "assessment"),
            _page(_screen("leader_dashboard"), "领导看板", "monitoring", "dashboard"),
            _page(_screen("units_accounts"), "单位与账号", "group", "units"),
            _page(_screen("workday_calendar"), "节假日维护", "event_busy", "holidays"),
        ]
    elif user.role == Role.AUDITOR:
        # The auditor reads the audit log and nothing of the campaign (权限分离).
        audit = _page(_screen("audit_log"), "审计日志", "history", "audit", default=True)
        return {"工作": [audit], "账号": account}
    else:
        work = [
            _page(_screen("leader_dashboard"), "领导看板", "monitoring", "dashboard", default=True),
            plan_page,
            _page(_screen("activity_oversight"), "活动进展", "task_alt", "activities"),
            boards_page,
            grid_page,
        ]
    return {"工作": work + public_pages(), "账号": account}


WORK_PATHS = (
    "declaration",
    "plan",
    "campaigns",
    "review",
    "units",
    "holidays",
    "activities",
    "chase",
    "assessment",
    "dashboard",
    "boards",
    "grid",
    "audit",
)
"""Pages a bookmark may point to (each role's home is at the root).

None of them is the name of a screen's module either, so an old address of a file name
is told apart from a page's.
"""


def login_pages(render_login: Callable[[], None]) -> list[st.Page]:
    """The login form, served at the root and at every page's path.

    Opening a bookmarked page while logged out shows the login form (not Streamlit's
    "page not found"), and after logging in the same address opens that page.
    """
    pages = [st.Page(render_login, title="登录", icon=":material/login:", default=True)]
    pages += [
        st.Page(render_login, title="登录", icon=":material/login:", url_path=path)
        for path in WORK_PATHS
    ]
    return pages


def public_pages() -> list[st.Page]:
    """Pages anyone may open without logging in: the 成果展示 of published activities."""
    return [_page(_screen("public_showcase"), "成果展示", "photo_library", "showcase")]


def home_page(user: User) -> st.Page | None:
    """The role's home page (its first work page); None while a password change is due."""
    work = sections_for(user).get("工作")
    return work[0] if work else None


SCREENS: dict[str, str] = {
    "unit_home": "unit",
    "declaration_form": "unit",
    "unit_activities": "unit",
    "office_home": "office",
    "campaign_settings": "office",
    "declaration_review": "office",
    "chase_board": "office",
    "assessment_summary": "office",
    "units_accounts": "office",
    "workday_calendar": "office",
    "leader_dashboard": "leader",
    "activity_oversight": "leader",
    "annual_plan": "shared",
    "activity_boards": "shared",
    "data_grid": "shared",
    "audit_log": "auditor",
    "change_password": "account",
    "sign_out": "account",
    "public_showcase": "public",
}
"""Each screen's module name → the sub-package of ``pages`` it lives in."""


def screen_module(name: str) -> str:
    """The importable module of screen ``name``, e.g. ``pages.unit.unit_home``."""
    return f"pages.{SCREENS[name]}.{name}"


def _screen(module: str) -> Callable[[], None]:
    """The screen's ``render``, its module imported on the first call."""
    target = screen_module(module)  # a KeyError here, at start, not on a click

    def render() -> None:
        importlib.import_module(target).render()

    render.__name__ = render.__qualname__ = module
    return render


def _page(render, title: str, icon: str, url_path: str, default: bool = False) -> st.Page:
    return st.Page(
        render, title=title, icon=f":material/{icon}:", url_path=url_path, default=default
    )
