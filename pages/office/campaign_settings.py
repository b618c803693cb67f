"""活动管理: the office creates campaigns from a notice's preset or an earlier one, and
edits their rules."""

import pandas as pd
import streamlit as st

from themeday.core.dates import table_date
from themeday.core.domain import PRESETS, Role
from themeday.core.records import Campaign
from themeday.services import campaigns as campaign_service
from themeday.services.campaigns import fields_for_next_year, fields_from_preset
from themeday.ui.campaign_widgets import settings_form
from themeday.ui.gate import Identity
from themeday.ui.screen import open_screen
from themeday.ui.widgets import choose_campaign, rules_summary, run_action


def render() -> None:
    screen = open_screen("活动管理", Role.OFFICE)
    repo, actor = screen.repo, screen.actor
    campaigns = repo.catalogue.list_campaigns(actor)
    if campaigns:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "年度": c.year,
                        "地区": c.region,
                        "活动名称": c.title,
                        "申报截止": table_date(c.rules.declaration_deadline),
                        "当前活动": "是" if c.is_current else "",
                    }
                    for c in campaigns
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    _create(screen.identity, campaigns)
    if campaigns:
        _edit(screen.identity, campaigns)


def _create(identity: Identity, campaigns: list[Campaign]) -> None:
    repo, actor = identity.repo, identity.actor
    with st.expander("新建活动", expanded=not campaigns):
        sources = {f"preset:{k}": f"按通知预设：{p.title}" for k, p in PRESETS.items()}
        sources |= {f"copy:{c.id}": f"复制已有活动：{c.title}" for c in campaigns}
        source = st.radio("新建方式", list(sources), format_func=sources.get)
        make_current = st.checkbox("设为当前活动", value=True)
        if st.button("新建", type="primary"):
            kind, _, key = source.partition(":")
            if kind == "preset":
                fields = fields_from_preset(key)
            else:
                fields = fields_for_next_year(repo.catalogue.get_campaign(actor, int(key)))
            created: list[int] = []
            if run_action(
                lambda: created.append(campaign_service.create(repo, actor, fields, make_current)),
                f"已新建活动：{fields['title']}",
            ):
                if make_current:
                    choose_campaign(created[0])
                st.rerun()


def _edit(identity: Identity, campaigns: list[Campaign]) -> None:
    repo, actor = identity.repo, identity.actor
    st.subheader("活动设置")
    by_id = {c.id: c for c in campaigns}
    campaign_id = st.selectbox(
        "选择活动",
        list(by_id),
        format_func=lambda i: by_id[i].title,
        key="campaign_edit_pick",
        placeholder="请选择",
    )
    campaign = by_id[campaign_id]
    if not campaign.is_current and st.button("设为当前活动", key=f"current_{campaign.id}"):
        if run_action(
            lambda: campaign_service.make_current(repo, actor, campaign.id), "已设为当前活动。"
        ):
            choose_campaign(campaign.id)
            st.rerun()
    st.caption("现行规则：" + "；".join(rules_summary(campaign)))
    changes = settings_form(campaign)
    if changes is not None and run_action(
        lambda: campaign_service.update(repo, actor, campaign, changes), "活动设置已保存。"
    ):
        st.rerun()
