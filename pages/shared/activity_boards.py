"""看板视图: activities as a kanban, a calendar and a photo wall (read-only).

Units see their own activities, the office and leadership every unit's; the steps
themselves are done on 本单位活动 and 活动进展.
"""

import streamlit as st

from themeday.core.domain import NotFound, Role
from themeday.services import activities, boards, declarations
from themeday.ui import board_widgets, gate
from themeday.ui.screen import open_screen

KEY = "themeday.services.boards"
TABS = ("看板", "日历", "照片墙")
HINTS = {
    Role.UNIT: "本页只读。定日期、报送活动方案和总结，请到“本单位活动”办理。",
    Role.OFFICE: "本页只读。查看详情、发表意见和发布成果，请到“活动进展”。",
    Role.LEADER: "本页只读，显示各单位活动的实时进展。",
}


def render() -> None:
    screen = open_screen(
        "看板视图", Role.OFFICE, Role.UNIT, Role.LEADER, empty="尚未发布主题日活动。"
    )
    if screen is None:
        return
    repo, actor, campaign = screen.repo, screen.actor, screen.campaign
    everything = activities.lifecycle(repo, actor, campaign.id)
    if not everything:
        st.info("暂无审核通过的活动。申报表审核通过后，活动会显示在这里。")
        return
    st.caption(HINTS[actor.role])
    filters = board_widgets.board_filters(
        everything, with_unit=actor.role != Role.UNIT, key=f"{KEY}.filter"
    )
    shown = boards.filter_activities(everything, filters)
    st.caption(f"共 {len(shown)} 个活动（全部 {len(everything)} 个）")
    today = repo.today()
    kanban_tab, calendar_tab, photo_tab = st.tabs(TABS, key=f"{KEY}.tab", on_change="rerun")
    if kanban_tab.open:
        with kanban_tab:
            cards = board_widgets.board_cards(repo, actor, campaign, shown, today)
            board_widgets.kanban(boards.board_columns(cards))
    if calendar_tab.open:
        with calendar_tab:
            cards = board_widgets.board_cards(repo, actor, campaign, shown, today)
            counts = boards.month_counts(cards, campaign.year)
            default = boards.default_month([c.day for c in cards], campaign.year, today)
            month = board_widgets.month_picker(
                campaign.year, counts, default, key=f"{KEY}.month.{campaign.id}"
            )
            cal = declarations.calendar(repo, actor)
            board_widgets.month_calendar(boards.month_matrix(campaign.year, month, cal, cards))
    if photo_tab.open:
        with photo_tab:
            st.fragment(_photo_part)(campaign.id, filters)


def _photo_part(campaign_id: int, filters: boards.Filters) -> None:
    """照片墙 on its own: turning a page redraws only the photos. The activities are
    read again (from the shared cache), so the captions follow the last write."""
    identity = gate.require(Role.OFFICE, Role.UNIT, Role.LEADER)
    repo, actor = identity.repo, identity.actor
    try:
        campaign = repo.catalogue.get_campaign(actor, campaign_id)
    except NotFound:
        return
    everything = activities.lifecycle(repo, actor, campaign.id)
    board_widgets.photo_wall(repo, actor, campaign, everything, filters, f"{KEY}.page")
