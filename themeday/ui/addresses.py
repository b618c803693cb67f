"""Addresses that are not a page of this user: what they show instead of "Page not found".

Streamlit answers an address that names no registered page with an English dialog
("Page not found … Running the app's main page."). ``pages`` registers a hidden page
at every address the app knows, and at the one the browser asked for
(:func:`requested_address`); the pages drawn there come from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

NO_ACCESS = "您没有打开此页面的权限"


def requested_address() -> str:
    """The page name the browser asked for by address in this run, or ``""``.

    Only a run started by typing or opening an address asks by name; a click in the
    navigation, a widget or ``st.switch_page`` asks by the page's hash, and a hash
    Streamlit does not know falls back to the home page without a dialog. A name with
    a ``/`` cannot be a page's ``url_path``, so it is not returned.
    """
    # Streamlit keeps the name asked for only on its pages manager (pinned 1.67).
    ctx = get_script_run_ctx()
    manager = getattr(ctx, "pages_manager", None)
    if manager is None or manager.intended_page_script_hash:
        return ""
    name = (manager.intended_page_name or "").strip().strip("/")
    return "" if "/" in name else name


def go_home(home: st.Page) -> Callable[[], None]:
    """A page that opens ``home`` at once (old or unknown addresses)."""

    def render() -> None:
        st.switch_page(home)

    render.__name__ = render.__qualname__ = "go_home"
    return render


def no_access(home: st.Page) -> Callable[[], None]:
    """A page saying this user may not open the page at this address, with a way home."""

    def render() -> None:
        st.title("无法打开此页面")
        st.warning(NO_ACCESS + "。", icon=":material/block:")
        st.page_link(home, label="返回首页", icon=":material/home:")

    render.__name__ = render.__qualname__ = "no_access"
    return render


_home_finder: list[Callable[[Any], st.Page | None]] = []


def find_homes_with(finder: Callable[[Any], st.Page | None]) -> None:
    """Say how a user's home page is found (``pages`` passes its ``home_page``).

    The account screens (修改密码, 退出) send the user home; they ask here instead of
    importing the navigation table of the package they live in.
    """
    _home_finder[:] = [finder]


def home_of(user: Any) -> st.Page | None:
    """The home page of ``user``'s navigation, or None (none yet, or a forced password
    change is due)."""
    return _home_finder[0](user) if _home_finder else None
