"""领导看板: read-only progress of the current campaign."""

import streamlit as st

from themeday.charts import (
    activity_status_chart,
)
from themeday.domain import Role
from themeday.ui import gate
from themeday.ui.widgets import campaign_page, progress_charts


def render() -> None:
    identity = gate.require(Role.LEADER)
    repo, actor = identity.repo, identity.actor
    campaign = campaign_page("领导看板", repo, actor, "尚未创建主题日活动。")
    if campaign is None:
        return
    counts = repo.progress_counts(actor, campaign.id)
    by_status = counts["declarations_by_status"]
    activities = counts["activities_by_status"]
    declared = counts["units"] - counts["not_declared"]
    columns = st.columns(4)
    columns[0].metric("参与单位", counts["units"])
    columns[1].metric("已申报单位", declared)
    columns[2].metric("审核通过", by_status.get("approved", 0))
    columns[3].metric("已申报主题", sum(activities.values()))
    if counts["units"]:
        st.progress(declared / counts["units"], text=f"申报率 {declared / counts['units']:.0%}")
    progress_charts(campaign, counts)
    st.altair_chart(activity_status_chart(activities), width="stretch")
