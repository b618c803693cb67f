"""活动设置: the form of a campaign's name, year and rules (活动管理)."""

from typing import Any

import streamlit as st

from themeday.core.domain import STANDARD_FORMS
from themeday.core.records import Campaign
from themeday.ui.inputs import date_field, year_bounds

_MONTHS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)


def settings_form(campaign: Campaign) -> dict[str, Any] | None:
    """The campaign's settings as a form; on 保存设置 the changed fields (for
    ``campaigns.update``), else None."""
    rules = campaign.rules
    with st.form(f"campaign_{campaign.id}_{campaign.version}"):
        left, right = st.columns(2)
        title = left.text_input("活动名称", campaign.title)
        region = right.text_input("地区", campaign.region)
        office_name = left.text_input("主办单位（政务公开办）", campaign.office_name)
        year = right.number_input("年度", 2000, 2100, campaign.year, step=1)
        changes = _count_rules(campaign, left, right)
        changes.update(_form_rules(campaign))
        changes.update(_timing_rules(campaign))
        if not st.form_submit_button("保存设置", type="primary"):
            return None
    return {
        "year": int(year),
        "region": region.strip(),
        "title": title.strip(),
        "office_name": office_name.strip(),
        "rules": rules.with_changes(**changes),
    }


def _count_rules(campaign: Campaign, left: Any, right: Any) -> dict[str, Any]:
    """申报截止日期, 扫描件, and how many themes a unit declares."""
    rules = campaign.rules
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
    return {
        "declaration_deadline": deadline,
        "themes_count": int(themes_count),
        "themes_exact": count_mode == "exact",
        "scan_required": scan_required,
    }


def _form_rules(campaign: Campaign) -> dict[str, Any]:
    """The activity forms a theme may take, and those one theme must take."""
    rules = campaign.rules
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
    extra = [f.strip() for f in added.replace("，", "、").replace(",", "、").split("、")]
    forms = tuple(dict.fromkeys([*allowed, *[f for f in extra if f]]))
    return {"required_forms": tuple(required), "allowed_forms": forms}


def _timing_rules(campaign: Campaign) -> dict[str, Any]:
    """The planned months, the plan's and the report's working days, row contacts."""
    rules = campaign.rules
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
    return {
        "first_month": first_month,
        "last_month": last_month,
        "plan_days_before": int(plan_days) or None,
        "report_days_after": int(report_days) or None,
        "row_has_contact": row_has_contact,
    }


def _month(month: int) -> str:
    return f"{month}月"
