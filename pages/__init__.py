"""Screens. Each module only defines ``render()``; nothing runs at import time.

The screens live in sub-packages (``pages/unit/``, ``pages/office/``, …), never as
``pages/<file>.py``: Streamlit's legacy discovery serves every ``pages/*.py`` (but
``__init__.py``) as a page of its own, listed by file name, until a session has called
``st.navigation`` (DESIGN.md §3). :data:`SCREENS` says where each screen lives.

:func:`sections_for` is the one table of which role opens which page; ``app.py``
passes it to ``st.navigation``. A screen's module is imported when the page is first
drawn (:func:`_screen`): the login page, the first page after a server start, does not
wait for the libraries of every screen (charts, spreadsheets, Word, PDF). Importing
the package only tells :mod:`themeday.ui.addresses` how a user's home page is found
(the account screens send the user there).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import streamlit as st

from themeday.core.domain import Role
from themeday.core.records import User
from themeday.ui import addresses


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
    if user.role == Role.AUDITOR:
        # The auditor reads the audit log and nothing of the campaign (权限分离).
        audit = _page(_screen("audit_log"), "审计日志", "history", "audit", default=True)
        return {"工作": [audit], "账号": account}
    shared = (
        _page(_screen("annual_plan"), "活动计划", "calendar_month", "plan"),
        _page(_screen("activity_boards"), "看板视图", "view_kanban", "boards"),
        _page(_screen("data_grid"), "数据表", "table_view", "grid"),
    )
    work = {Role.UNIT: _unit_work, Role.OFFICE: _office_work}.get(user.role, _leader_work)
    return {"工作": work(*shared) + public_pages(), "账号": account}


def _unit_work(plan_page: st.Page, boards_page: st.Page, grid_page: st.Page) -> list[st.Page]:
    return [
        _page(_screen("unit_home"), "本单位首页", "home", "unit", default=True),
        _page(_screen("declaration_form"), "主题申报", "edit_note", "declaration"),
        plan_page,
        _page(_screen("unit_activities"), "本单位活动", "event_available", "activities"),
        boards_page,
        grid_page,
    ]


def _office_work(plan_page: st.Page, boards_page: st.Page, grid_page: st.Page) -> list[st.Page]:
    return [
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


def _leader_work(plan_page: st.Page, boards_page: st.Page, grid_page: st.Page) -> list[st.Page]:
    return [
        _page(_screen("leader_dashboard"), "领导看板", "monitoring", "dashboard", default=True),
        plan_page,
        _page(_screen("activity_oversight"), "活动进展", "task_alt", "activities"),
        boards_page,
        grid_page,
    ]


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


HOME_PATHS: dict[Role, str] = {
    Role.UNIT: "unit",
    Role.OFFICE: "office",
    Role.LEADER: "dashboard",
    Role.AUDITOR: "audit",
}
"""Each role's home address besides the root (its home page is served at ``/``)."""

ACCOUNT_PATHS = ("password", "logout")
PUBLIC_PATHS = ("showcase",)
KNOWN_PATHS = frozenset(WORK_PATHS) | set(HOME_PATHS.values()) | set(ACCOUNT_PATHS + PUBLIC_PATHS)
"""Every address some role or state opens a page at."""


def login_pages(render_login: Callable[[], None], requested: str = "") -> list[st.Page]:
    """The login form, served at the root and at every page's address.

    Opening a bookmarked page while logged out shows the login form (not Streamlit's
    "page not found"), and after logging in the same address opens that page. 退出's
    address and old or unknown ones (``requested``, see :func:`address_kind`) open the
    form at the root: logging in at ``/logout`` would end the new session at once.
    """
    login = st.Page(render_login, title="登录", icon=":material/login:", url_path="", default=True)
    pages = [login]
    for path in sorted(_addresses(requested) - set(PUBLIC_PATHS)):
        if address_kind(None, path) == "login":
            pages.append(_hidden(render_login, "登录", path))
        else:
            pages.append(_hidden(addresses.go_home(login), "登录", path))
    return pages


def navigation_for(user: User, requested: str = "") -> dict[str, list[st.Page]]:
    """:func:`sections_for` plus a hidden page at every other address the app knows.

    Another role's page says 您没有打开此页面的权限 with a link home; the role's own
    home address and old or unknown ones open the home page; during a forced password
    change every known address shows 修改密码. ``requested`` is the address this run
    was opened at (:func:`themeday.ui.addresses.requested_address`).
    """
    sections = sections_for(user)
    taken = {page.url_path for pages in sections.values() for page in pages}
    home = next(page for pages in sections.values() for page in pages if page.url_path == "")
    hidden = []
    for path in sorted(_addresses(requested) - taken):
        kind = address_kind(user, path)
        if kind == "password":
            hidden.append(_hidden(_screen("change_password"), "修改密码", path))
        elif kind == "no_access":
            hidden.append(_hidden(addresses.no_access(home), "无法打开此页面", path))
        else:
            hidden.append(_hidden(addresses.go_home(home), home.title, path))
    return {**sections, "账号": sections["账号"] + hidden}


def only_page(page: st.Page, requested: str = "") -> list[st.Page]:
    """``page`` (the 系统维护 page) and hidden pages at every other address that open it."""
    others = _addresses(requested) - {page.url_path, "maintenance"}  # its own url_path
    return [page] + [_hidden(addresses.go_home(page), page.title, path) for path in sorted(others)]


def address_kind(user: User | None, path: str) -> str:
    """What an address that is not one of ``user``'s pages shows (None: logged out).

    ``"login"`` the login form, ``"password"`` 修改密码 (a forced change is due),
    ``"no_access"`` 您没有打开此页面的权限, ``"home"`` the home page.
    """
    known = path in KNOWN_PATHS
    if user is None:
        return "login" if known and path != "logout" else "home"
    if user.must_change_password:
        return "password" if known else "home"
    if not known or path == HOME_PATHS[user.role]:
        return "home"
    return "no_access"


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

OLD_PATHS = frozenset(SCREENS)
"""The screens' file names: a fresh server once served each ``pages/<file>.py`` there."""


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
    # A home page is at the root: its url_path would name an address nothing opens
    # (Streamlit finds a default page only at "/"), and no hidden page could take it.
    return st.Page(
        render,
        title=title,
        icon=f":material/{icon}:",
        url_path="" if default else url_path,
        default=default,
    )


def _hidden(render: Callable[[], None], title: str, url_path: str) -> st.Page:
    return st.Page(render, title=title, url_path=url_path, visibility="hidden")


def _addresses(requested: str) -> set[str]:
    """Every address the app knows, and the one this run was opened at."""
    return set(KNOWN_PATHS) | set(OLD_PATHS) | ({requested} if requested else set())


addresses.find_homes_with(home_page)
