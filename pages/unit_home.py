"""本单位首页: the unit's own to-do list, declaration and activities, and what to do next."""

import streamlit as st

from themeday.assessment import unit_todo
from themeday.domain import Role
from themeday.ui import gate
from themeday.ui.compliance_widgets import todo_list
from themeday.ui.widgets import (
    activities_frame,
    campaign_caption,
    declaration_status_label,
    escape_markdown,
    rules_summary,
    selected_campaign,
)


def render() -> None:
    identity = gate.require(Role.UNIT)
    repo, actor = identity.repo, identity.actor
    unit = repo.get_unit(actor, actor.unit_id)
    st.title(f"本单位首页 · {escape_markdown(unit.name)}")
    campaign = selected_campaign(repo, actor)
    if campaign is None:
        st.info("政务公开办尚未发布本年度“政务公开主题日”活动，发布后将在此显示申报要求。")
        return
    campaign_caption(campaign)

    st.subheader("待办事项")
    todo_list(unit_todo(repo, actor, campaign, repo.today()))

    declarations = repo.list_declarations(actor, campaign.id)
    declaration = declarations[0] if declarations else None
    left, right = st.columns([2, 1])
    with left:
        st.subheader("活动主题申报")
        if declaration is None:
            deadline = campaign.rules.declaration_deadline
            st.info(
                f"本单位尚未申报活动主题。下一步：请于 {deadline:%Y年%m月%d日} 前填报"
                "《“政务公开主题日”活动主题申报表》。"
            )
        else:
            st.metric("申报状态", declaration_status_label(declaration.status))
            st.text(f"联系人：{declaration.contact_person}　联系电话：{declaration.contact_phone}")
            if declaration.submitted_at:
                st.caption(f"提交时间：{declaration.submitted_at:%Y-%m-%d %H:%M}")
    with right:
        st.subheader("本次活动要求")
        st.markdown("\n".join(f"- {line}" for line in rules_summary(campaign)))

    st.subheader("本单位活动")
    activities = repo.list_activities(actor, campaign.id)
    if not activities:
        st.info(
            "暂无活动。申报表审核通过后，已申报的主题会列在这里，供您安排日期、报送方案和总结。"
        )
    else:
        st.dataframe(activities_frame(activities), hide_index=True, width="stretch")
