"""活动管理: the office creates campaigns from a notice's preset or an earlier one, and
edits their rules."""

import pandas as pd
import streamlit as st

from themeday.core.dates import table_date
from themeday.core.domain import PRESETS, STANDARD_FORMS, Role
from themeday.core.records import Campaign
from themeday.services import campaigns as campaign_service
from themeday.services.campaigns import fields_for_next_year, fields_from_preset
from themeday.ui import gate
from themeday.ui.gate import Identity
from themeday.ui.inputs import date_field, year_bounds
from themeday.ui.widgets import choose_campaign, rules_summary, run_action, show_flash

_MONTHS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)


def render() -> None:
    identity = gate.require(Role.OFFICE)
    repo, actor = identity.repo, identity.actor
    st.title("活动管理")
    show_flash()
    campaigns = repo.list_campaigns(actor)
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
    _create(identity, campaigns)
    if campaigns:
        _edit(identity, campaigns)


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
                fields = fields_for_next_year(repo.get_campaign(actor, int(key)))
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
    rules = campaign.rules
    if not campaign.is_current and st.button("设为当前活动", key=f"current_{campaign.id}"):
        if run_action(
            lambda: campaign_service.make_current(repo, actor, campaign.id), "已设为当前活动。"
        ):
            choose_campaign(campaign.id)
            st.rerun()
    st.caption("现行规则：" + "；".join(rules_summary(campaign)))
    with st.form(f"campaign_{campaign.id}_{campaign.version}"):
        left, right = st.columns(2)
        title = left.text_input("活动名称", campaign.title)
        region = right.text_input("地区", campaign.region)
        office_name = left.text_input("主办单位（政务公开办）", campaign.office_name)
        year = right.number_input("年度", 2000, 2100, campaign.year, step=1)
        deadline = date_field(
            "申报截止日期",
            rules.declaration_deadline,
            year_bounds(campaign.year - 1, campaign.year + 1),
            container=left,
        )
        scan_required = right.checkbox("须上传加盖公章的扫描件", rules.scan_required)
        count_mode = left.radio(
            "每单位主题数",
            ["exact", "min"],
            index=0 if rules.themes_exact else 1,
            format_func={"exact": "恰好", "min": "至少"}.get,
            horizontal=True,
        )
        themes_count = right.number_input("个数", 1, 10, rules.themes_count, step=1)
        extra_forms = [f for f in rules.allowed_forms if f not in STANDARD_FORMS]
        allowed = st.multiselect(
            "允许的活动形式",
            list(STANDARD_FORMS) + extra_forms,
            default=list(rules.allowed_forms),
            placeholder="请选择",
        )
        added = st.text_input("增加其他活动形式（多个用顿号或逗号分隔，如：现场宣传）")
        required = st.multiselect(
            "至少一个主题须采用的形式（不要求则留空）",
            list(STANDARD_FORMS) + extra_forms,
            default=list(rules.required_forms),
            placeholder="不要求",
        )
        first, last = st.columns(2)
        first_month = first.selectbox(
            "最早计划月份",
            _MONTHS,
            _MONTHS.index(rules.first_month),
            format_func=_month,
            placeholder="请选择",
        )
        last_month = last.selectbox(
            "最晚计划月份",
            _MONTHS,
            _MONTHS.index(rules.last_month),
            format_func=_month,
            placeholder="请选择",
        )
        plan_days = first.number_input(
            "活动方案提前报送的工作日数（0 表示不要求）", 0, 30, rules.plan_days_before or 0
        )
        report_days = last.number_input(
            "活动总结在活动后几个工作日内报送（0 表示不要求）", 0, 30, rules.report_days_after or 0
        )
        row_has_contact = st.checkbox("申报表每行填写联系人及电话", rules.row_has_contact)
        if st.form_submit_button("保存设置", type="primary"):
            extra = [f.strip() for f in added.replace("，", "、").replace(",", "、").split("、")]
            forms = tuple(dict.fromkeys([*allowed, *[f for f in extra if f]]))
            new_rules = rules.with_changes(
                declaration_deadline=deadline,
                themes_count=int(themes_count),
                themes_exact=count_mode == "exact",
                required_forms=tuple(required),
                allowed_forms=forms,
                first_month=first_month,
                last_month=last_month,
                plan_days_before=int(plan_days) or None,
                report_days_after=int(report_days) or None,
                scan_required=scan_required,
                row_has_contact=row_has_contact,
            )
            if run_action(
                lambda: campaign_service.update(
                    repo,
                    actor,
                    campaign,
                    {
                        "year": int(year),
                        "region": region.strip(),
                        "title": title.strip(),
                        "office_name": office_name.strip(),
                        "rules": new_rules,
                    },
                ),
                "活动设置已保存。",
            ):
                st.rerun()


def _month(month: int) -> str:
    return f"{month}月"
