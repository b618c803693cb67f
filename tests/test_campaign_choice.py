"""AppTest: the session's campaign (活动年度) changes only when the person picks one.

With a newer campaign that is not current listed first in the selector, page after
page keeps the current year, at the top of the main area and in the sidebar; a
pick by hand holds across pages, and so does the office's switch after promoting
another campaign.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import actor_for
from tests.helpers import (
    EXPECTED_NAV,
    app,
    goto,
    login,
)
from themeday.repository import Repository
from themeday.services import campaigns


def _campaign_paths(username: str) -> list[str]:
    """The pages of ``username``'s navigation that show the campaign, home last."""
    return [
        p for p in EXPECTED_NAV[username] if p not in ("", "showcase", "password", "logout")
    ] + [""]


OFFICE_PATHS = _campaign_paths("office")
LEADER_PATHS = _campaign_paths("leader")


def with_newer_campaign(repo: Repository) -> tuple[int, int]:
    """Add next year's campaign, not current; (current year, newer year)."""
    office = actor_for(repo, "office")
    current = repo.catalogue.current_campaign(office)
    fields = campaigns.fields_for_next_year(current)
    repo.catalogue.create_campaign(office, make_current=False, **fields)
    return current.year, fields["year"]


def shown_year(at: AppTest) -> tuple[str, str]:
    """The banner at the top of the main area and the selector's label."""
    banner = next(c.value for c in at.main.caption if c.value.startswith("当前年度"))
    selector = at.sidebar.selectbox[0]
    return banner, selector.format_func(selector.value)


def assert_year(at: AppTest, year: int, where: str) -> None:
    assert not at.exception, where
    banner, selector = shown_year(at)
    assert banner.startswith(f"当前年度：{year}年"), (where, banner)
    assert selector.startswith(f"{year}年"), (where, selector)


def test_the_year_holds_over_many_page_switches(app_db: Repository):
    current, _ = with_newer_campaign(app_db)
    for username, paths in (("office", OFFICE_PATHS), ("leader", LEADER_PATHS)):
        at = login(app().run(), username)
        assert_year(at, current, f"{username} home")
        for round_ in range(3):
            for path in paths:
                assert_year(goto(at, path), current, f"{username} {round_} /{path}")


def pick(at: AppTest, year: int) -> AppTest:
    """Choose ``year`` in the sidebar's 活动年度, as a person does."""
    selector = at.sidebar.selectbox[0]
    index = next(i for i, label in enumerate(selector.options) if label.startswith(f"{year}年"))
    return selector.select_index(index).run()


def test_a_picked_year_holds_and_every_page_shows_it(app_db: Repository):
    current, newer = with_newer_campaign(app_db)
    at = login(app().run(), "office")
    assert_year(pick(at, newer), newer, "after the pick")
    for path in OFFICE_PATHS:
        assert_year(goto(at, path), newer, f"picked /{path}")
    assert_year(pick(at, current), current, "picked back")
    for path in OFFICE_PATHS[:4]:
        assert_year(goto(at, path), current, f"picked back /{path}")


def test_promoting_a_campaign_switches_the_session_to_it(app_db: Repository):
    current, newer = with_newer_campaign(app_db)
    at = login(app().run(), "office")
    goto(at, "campaigns")
    assert_year(at, current, "before")
    buttons = [b for b in at.button if b.label == "设为当前活动"]
    assert buttons, [b.label for b in at.button]
    buttons[0].click().run()
    assert_year(at, newer, "after promoting")
    assert_year(goto(at, "review"), newer, "next page")
