"""本单位首页: the unit's own to-do list, declaration and activities, and what to do next."""

import streamlit as st

from themeday.core.dates import deadline_date, minute_time
from themeday.core.domain import DeclarationStatus, Role
from themeday.core.records import Campaign
from themeday.services import declarations
from themeday.services.assessment import unit_todo
from themeday.ui.compliance_widgets import todo_list
from themeday.ui.gate import Identity
from themeday.ui.screen import open_screen
from themeday.ui.widgets import (
    activities_frame,
    campaign_caption,
    declaration_status_label,
    escape_markdown,
    rules_summary,
    selected_campaign,
)


def render() -> None:
    screen = open_screen(None, Role.UNIT, flash=False)
    repo, actor = screen.repo, screen.actor
    unit = repo.catalogue.get_unit(actor, actor.unit_id)
    st.title(f"本单位首页 · {escape_markdown(unit.name)}")
    campaign = selected_campaign(repo, actor)
    if campaign is None:
        st.info("政务公开办尚未发布本年度“政务公开主题日”活动，发布后将在此显示申报要求。")
        return
    campaign_caption(campaign)

    st.subheader("待办事项")
    todo_list(unit_todo(repo, actor, campaign, repo.today()))

    mine = repo.declarations.list_declarations(actor, campaign.id)
    declaration = mine[0] if mine else None
    left, right = st.columns([2, 1])
    with left:
        st.subheader("活动主题申报")
        if declaration is None or declaration.status == DeclarationStatus.DRAFT:
            _not_yet_submitted(screen.identity, campaign, started=declaration is not None)
        if declaration is not None:
            st.metric("申报状态", declaration_status_label(declaration.status))
            st.text(f"联系人：{declaration.contact_person}　联系电话：{declaration.contact_phone}")
            if declaration.submitted_at:
                st.caption(f"提交时间：{minute_time(declaration.submitted_at)}")
    with right:
        st.subheader("本次活动要求")
        st.markdown("\n".join(f"- {line}" for line in rules_summary(campaign)))

    st.subheader("本单位活动")
    activities = repo.declarations.list_activities(actor, campaign.id)
    if not activities:
        st.info(
            "暂无活动。申报表审核通过后，已申报的主题会列在这里，供您安排日期、报送方案和总结。"
        )
    else:
        st.dataframe(activities_frame(activities), hide_index=True, width="stretch")


def _not_yet_submitted(identity: Identity, campaign: Campaign, started: bool) -> None:
    """What to do next while the 申报表 is not submitted, before and after the deadline."""
    deadline = campaign.rules.declaration_deadline
    form = "《“政务公开主题日”活动主题申报表》"
    state = "本单位的申报表尚未提交（草稿）。" if started else "本单位尚未申报活动主题。"
    if identity.repo.today() <= deadline:
        st.info(f"{state}下一步：请于{deadline_date(deadline)}前填报{form}。")
        return
    late = declarations.late_if_submitted_now(identity.repo, identity.actor, campaign)
    st.warning(
        f"申报已截止，仍可逾期提交：截止日期为{deadline_date(deadline)}，"
        f"现在提交将记为逾期{late}个工作日。"
    )
    st.info(f"{state}下一步：请尽快填报并提交{form}。")
