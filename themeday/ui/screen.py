"""The head every screen opens with: who may see it, its title, and its campaign.

A page's ``render()`` starts with one call to :func:`open_screen` and then only draws
its screen: the role check, the repository, the acting user and (for a campaign page)
the chosen campaign come back together in a :class:`Screen`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import overload

import streamlit as st

from themeday.core.domain import Actor, Role
from themeday.core.records import Campaign, User
from themeday.repository import Repository
from themeday.ui import gate
from themeday.ui.widgets import campaign_page, show_flash


@dataclass(frozen=True)
class Screen:
    """What a page needs to draw itself: the checked identity and, maybe, a campaign."""

    identity: gate.Identity
    campaign: Campaign | None = None
    """The session's chosen campaign on a campaign page (``open_screen(empty=...)``)."""

    @property
    def repo(self) -> Repository:
        """The repository to read with (writes go through services)."""
        return self.identity.repo

    @property
    def actor(self) -> Actor:
        """The acting user, as the services and the repository take them."""
        return self.identity.actor

    @property
    def user(self) -> User:
        """The logged-in user."""
        return self.identity.user


@overload
def open_screen(
    title: str | None,
    *roles: Role,
    empty: None = None,
    flash: bool = True,
    password_page: bool = False,
) -> Screen: ...


@overload
def open_screen(
    title: str,
    *roles: Role,
    empty: str,
    flash: bool = True,
    password_page: bool = False,
) -> Screen | None: ...


def open_screen(
    title: str | None,
    *roles: Role,
    empty: str | None = None,
    flash: bool = True,
    password_page: bool = False,
) -> Screen | None:
    """Check the role (else stop), draw the title and the last action's message.

    With ``empty`` the page shows a campaign: the chosen one is returned in the
    screen (with its caption under the title), or ``empty`` is shown and the result
    is None when no campaign exists yet. ``title=None`` leaves the title to the page
    (one that needs the screen to word it); ``flash=False`` leaves the last action's
    message to the next page that shows one.
    """
    identity = gate.require(*roles, password_page=password_page)
    if empty is not None:
        campaign = campaign_page(title or "", identity.repo, identity.actor, empty)
        return None if campaign is None else Screen(identity, campaign)
    if title is not None:
        st.title(title)
    if flash:
        show_flash()
    return Screen(identity)
