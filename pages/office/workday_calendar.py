"""节假日维护: the office enters holidays and make-up workdays the official calendar
does not know yet, and checks the deadlines they give."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from themeday.core.dates import deadline_date, table_date
from themeday.core.domain import Role
from themeday.core.workdays import WorkdayOverride
from themeday.formats.imports import TABLE_FILE, parse_workday_overrides
from themeday.services import holidays
from themeday.services.declarations import calendar
from themeday.ui.gate import Identity
from themeday.ui.inputs import date_field, file_picker, year_bounds
from themeday.ui.screen import open_screen
from themeday.ui.widgets import refused_import, run_action, selected_campaign

_WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")
_KINDS = {False: "休（放假）", True: "班（调休上班）"}


def render() -> None:
    screen = open_screen("节假日维护", Role.OFFICE)
    repo, actor = screen.repo, screen.actor
    st.caption(
        "活动方案和总结的截止日期按国家法定工作日计算（含调休上班日）。系统内置2004—2026年的"
        "国务院节假日安排；国务院每年11月公布次年安排后，请在此录入。录入的日期优先于内置安排。"
    )
    today = repo.today()
    work_calendar = calendar(repo, actor)
    for year in (today.year, today.year + 1):
        if work_calendar.is_verified(today.replace(year=year, month=6, day=1)):
            st.success(f"{year}年节假日安排：已掌握。")
        else:
            st.warning(f"{year}年节假日安排未录入，日期仅按周末计算。")

    overrides = repo.catalogue.list_workday_overrides(actor)
    if overrides:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "日期": table_date(o.day),
                        "星期": "星期" + _WEEKDAYS[o.day.weekday()],
                        "类型": _KINDS[o.is_workday],
                        "说明": o.note,
                    }
                    for o in overrides
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info("尚未录入任何调整，当前完全按内置的国家节假日安排计算。")
    _add(screen.identity)
    if overrides:
        _delete(screen.identity, overrides)
    _import(screen.identity)
    _check(screen.identity, today)


def _add(identity: Identity) -> None:
    with st.form("workday_add"):
        st.markdown("**录入一天**")
        left, middle, right = st.columns(3)
        day = date_field("日期", None, _calendar_years(identity), container=left)
        is_workday = middle.radio("类型", list(_KINDS), format_func=_KINDS.get)
        note = right.text_input("说明", placeholder="如：春节", max_chars=60)
        if st.form_submit_button("保存", type="primary"):
            if day is None:
                st.error("请选择日期。")
            elif run_action(
                lambda: holidays.save_overrides(
                    identity.repo, identity.actor, [WorkdayOverride(day, is_workday, note)]
                ),
                f"已录入 {table_date(day)}（{_KINDS[is_workday]}）。",
            ):
                st.rerun()


def _delete(identity: Identity, overrides: list[WorkdayOverride]) -> None:
    with st.expander("删除录入的日期"):
        days = [o.day for o in overrides]
        day = st.selectbox("日期", days, format_func=table_date, placeholder="请选择")
        if st.button("删除", key="workday_delete") and run_action(
            lambda: holidays.delete_override(identity.repo, identity.actor, day),
            f"已删除 {table_date(day)}，该日恢复按内置安排计算。",
        ):
            st.rerun()


def _import(identity: Identity) -> None:
    with st.expander("从 Excel 或 CSV 导入全年安排"):
        st.caption(
            "两列必填：日期（如 2027-01-01）、类型（休 或 班），可加“说明”。有误时不导入任何一行。"
        )
        upload = file_picker("选择文件", TABLE_FILE, key="workday_import")
        if upload is None:
            return
        parsed = parse_workday_overrides(upload.getvalue(), upload.name)
        if not parsed.ok:
            refused_import(identity.repo, identity.actor, upload, "节假日导入文件", parsed.errors)
            return
        st.write(f"共 {len(parsed.rows)} 天待导入。")
        if st.button("确认导入", type="primary", key="workday_import_go") and run_action(
            lambda: holidays.save_overrides(identity.repo, identity.actor, parsed.rows),
            f"已导入{len(parsed.rows)}天。",
        ):
            st.rerun()


def _calendar_years(identity: Identity) -> tuple[date, date]:
    """Days the office may enter or try: last year to next year (the State Council
    publishes next year's holidays each November)."""
    year = identity.repo.today().year
    return year_bounds(year - 1, year + 1)


def _check(identity: Identity, today) -> None:
    st.subheader("截止日期试算")
    campaign = selected_campaign(identity.repo, identity.actor)
    rules = campaign.rules if campaign else None
    before = (rules.plan_days_before if rules else None) or 5
    after = (rules.report_days_after if rules else None) or 5
    days = year_bounds(campaign.year) if campaign else _calendar_years(identity)
    day = date_field("活动日期", today + timedelta(days=14), days, key="workday_check_day")
    work_calendar = calendar(identity.repo, identity.actor)
    plan = work_calendar.plan_due(day, before)
    report = work_calendar.report_due(day, after)
    left, right = st.columns(2)
    left.metric(f"活动方案截止（提前{before}个工作日）", deadline_date(plan.day))
    right.metric(f"总结报告截止（{after}个工作日内）", deadline_date(report.day))
    for result in (plan, report):
        if result.warning:
            st.warning(result.warning)
            break
