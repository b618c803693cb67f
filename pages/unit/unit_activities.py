"""本单位活动: the unit carries out its approved themes, step by step.

定日期 → 活动方案 → 开展情况 → 活动总结, or 取消活动; files and the office's comments.

Every form is keyed by the version of the activity it was filled from
(:func:`edit_version`): a write refused as stale keeps what was typed, and a saved one
starts the forms afresh from the stored record.
"""

from datetime import datetime

import pandas as pd
import streamlit as st

from themeday.core.domain import (
    INVITEE_KINDS,
    OPEN_ACTIVITY_STATUSES,
    ActivityStatus,
    Role,
    cn_date,
)
from themeday.core.records import Activity, Campaign
from themeday.core.workdays import WorkdayCalendar
from themeday.services import activities, declarations
from themeday.services.activities import deadlines_at
from themeday.ui import step_form as fields
from themeday.ui.activity_widgets import (
    DOCUMENT_FILE,
    PHOTO_FILE,
    VIDEO_FILE,
    activity_summary,
    capped,
    comment_thread,
    deadline_notice,
    default_date,
    file_gallery,
    overview_table,
    pick_activity,
    reload_notice,
    search_activities,
)
from themeday.ui.gate import Identity
from themeday.ui.inputs import date_field, year_bounds
from themeday.ui.screen import Screen, open_screen
from themeday.ui.step_form import Field, StepForm, step_form, step_suffix
from themeday.ui.widgets import declaration_status_label

_S = ActivityStatus
_PLAN_STEP = (_S.SCHEDULED, _S.PLAN_FILED)
_HELD_STEP = (_S.SCHEDULED, _S.PLAN_FILED, _S.HELD)
_REPORT_STEP = (_S.HELD, _S.REPORTED)


def render() -> None:
    screen = open_screen("本单位活动", Role.UNIT, empty="政务公开办尚未发布主题日活动。")
    if screen is None:
        return
    repo, actor, campaign = screen.repo, screen.actor, screen.campaign
    mine = _lifecycle(screen)
    if not mine:
        return
    cal = declarations.calendar(repo, actor)
    now = repo.clock()
    rows = activities.rows_of(mine)
    dues = activities.deadline_table(rows, campaign.rules, cal, now)

    st.subheader("活动一览")
    shown = search_activities(rows, key="unit_activity_search")
    if shown.empty:
        st.info("没有符合搜索条件的活动。")
        return
    shown = capped(shown)
    overview_table(shown, dues, with_unit=False)

    st.subheader("办理活动")
    listed = set(shown["id"].tolist())
    activity = pick_activity(
        [a for a in mine if a.id in listed],
        known_ids={a.id for a in mine},
        missing="链接中的活动不存在或不属于本单位，已显示本单位的活动。",
    )
    _steps(screen, activity, cal, now, dues)


def _lifecycle(screen: Screen) -> list[Activity]:
    """The unit's activities, or none (and why) before its declaration is approved."""
    repo, actor, campaign = screen.repo, screen.actor, screen.campaign
    declaration = repo.declarations.declaration_for(actor, campaign.id, actor.unit_id)
    if declaration is None:
        st.info(
            "本单位尚未申报活动主题。请先在“主题申报”中填报并提交申报表，"
            "申报表审核通过后即可安排活动。"
        )
        return []
    if declaration.status != "approved":
        st.info(
            f"本单位申报表当前状态：{declaration_status_label(declaration.status)}。"
            "申报表审核通过后即可安排活动。"
        )
        return []
    mine = repo.activities.list_lifecycle(actor, campaign.id)
    if not mine:
        st.info("本单位申报表中暂无活动主题。")
    return mine


def _steps(
    screen: Screen, activity: Activity, cal: WorkdayCalendar, now: datetime, dues: pd.DataFrame
) -> None:
    """The chosen activity: its facts, the step forms, its files and the comments."""
    repo, actor, campaign, identity = screen.repo, screen.actor, screen.campaign, screen.identity
    activity_summary(activity)
    reload_notice(activity)
    _schedule(identity, campaign, activity, cal, now)
    _plan(identity, campaign, activity, cal, dues)
    _held(identity, campaign, activity)
    _report(identity, campaign, activity, cal, dues)
    _cancel(identity, activity)
    st.divider()
    file_gallery(
        repo,
        actor,
        repo.activities.list_activity_files(actor, activity.id),
        removal=(campaign, activity),
    )
    st.divider()
    comment_thread(repo, actor, activity, can_write=True, prompt="回复政务公开办")


def _schedule(
    identity: Identity, campaign: Campaign, a: Activity, cal: WorkdayCalendar, now: datetime
) -> None:
    if a.status not in OPEN_ACTIVITY_STATUSES:
        return
    done = a.activity_date is not None
    with st.expander("① 定日期" + ("（已确定，可修改）" if done else ""), expanded=not done):
        # Outside the form, so that picking a date reruns the page and its consequence
        # (a past date, a plan that would be late) is shown before anything is saved.
        day = date_field(
            "活动日期",
            default_date(a, campaign, cal, now.date()),
            year_bounds(campaign.year),
            help=f"申报的计划月份为{a.planned_month}月。",
            key=f"date_{step_suffix(a)}",
        )
        for consequence in activities.schedule_consequences(campaign, a, day, cal, now):
            st.warning(f"按此日期保存：{consequence}")
        form = StepForm(
            "schedule",
            _schedule_fields(a),
            "保存活动日期",
            f"活动日期已确定为{cn_date(day)}。",
            given={"activity_date": day},
        )
        step_form(a, form, activities.schedule, identity.repo, identity.actor, campaign)


def _schedule_fields(a: Activity) -> list[Field]:
    return [
        fields.text("place", "活动地点", "place", value=a.place, max_chars=activities.MAX_PLACE),
        fields.choices(
            "invitees",
            "邀请对象",
            "invitees",
            options=list(INVITEE_KINDS),
            default=[kind for kind in a.invitees if kind in INVITEE_KINDS],
            placeholder="请选择（可多选）",
        ),
        fields.whole_number(
            "expected_participants",
            "预计参加人数",
            "expected",
            int(a.expected_participants or 0),
            convert=lambda n: int(n) or None,
        ),
        fields.area(
            "off_month_reason",
            "调整原因",
            "reason",
            value=a.off_month_reason,
            max_chars=activities.MAX_REASON,
            help=f"活动日期不在申报的计划月份（{a.planned_month}月）内时必填，"
            "政务公开办可查看；在计划月份内时无需填写。",
        ),
    ]


def _plan(
    identity: Identity, campaign: Campaign, a: Activity, cal: WorkdayCalendar, dues: pd.DataFrame
) -> None:
    if a.cancelled:
        return
    filed = a.plan_filed_at is not None
    open_step = a.status in _PLAN_STEP
    title = "② 活动方案" + ("（已报送）" if filed else "")
    with st.expander(title, expanded=open_step and not filed):
        plan_due, _ = deadlines_at(dues, a.id, campaign.rules, cal)
        if campaign.rules.plan_days_before is None:
            st.caption("本年度活动未规定方案报送时限，仍可报送活动方案供政务公开办了解。")
        elif a.activity_date is None:
            st.caption(
                f"活动前{campaign.rules.plan_days_before}个工作日报送活动方案，"
                "确定活动日期后显示截止日期。"
            )
        deadline_notice(plan_due)
        if not open_step:
            if a.status == _S.PLANNED:
                st.caption("请先确定活动日期，再报送活动方案。")
            elif filed:
                st.text(a.plan_text)
            return
        step_form(a, _plan_form(a, filed), activities.file_plan, identity.repo, identity.actor)


def _plan_form(a: Activity, filed: bool) -> StepForm:
    inputs = [
        fields.area(
            "plan_text",
            "活动方案内容",
            "plan_text",
            value=a.plan_text,
            height=220,
            max_chars=activities.MAX_TEXT,
            placeholder="活动目的、时间地点、参加人员、流程安排、宣传报道、安全保障等",
        ),
        fields.files("documents", "方案附件", "plan_files", DOCUMENT_FILE, note="可选"),
    ]
    return StepForm(
        "plan",
        inputs,
        "更新活动方案" if filed else "报送活动方案",
        "活动方案已更新。" if filed else "活动方案已报送。",
        note="方案已报送。再次报送将更新方案内容，报送时间仍以首次报送为准。" if filed else "",
    )


def _held(identity: Identity, campaign: Campaign, a: Activity) -> None:
    if a.cancelled or a.status == _S.PLANNED:
        return
    done = a.held_date is not None
    open_step = a.status in _HELD_STEP
    waiting = campaign.rules.plan_days_before is not None and a.plan_filed_at is None
    title = "③ 开展情况" + ("（已填报）" if done else "")
    with st.expander(title, expanded=open_step and not done and not waiting):
        if not open_step:
            st.caption("活动总结已报送，开展情况不能再修改。")
            return
        if waiting:
            st.info("请先报送活动方案，再填报开展情况。")
            return
        st.caption("活动开展后填写。")
        form = StepForm("held", _held_fields(campaign, a), "保存开展情况", "开展情况已保存。")
        step_form(a, form, activities.record_held, identity.repo, identity.actor, campaign)


def _held_fields(campaign: Campaign, a: Activity) -> list[Field]:
    required = campaign.rules.on_site_marking
    return [
        fields.day("held_date", "实际开展日期", "held_date", a.day, year_bounds(campaign.year)),
        fields.counts("attendance", "实际参加人数", "attendance", INVITEE_KINDS, a.attendance),
        fields.area(
            "off_month_reason",
            "开展日期调整原因",
            "held_reason",
            value=a.off_month_reason,
            max_chars=activities.MAX_REASON,
            help=f"实际开展日期不在申报的计划月份（{a.planned_month}月）内时必填；"
            "实际开展日期即为活动日期，方案和总结的截止日期随之重新计算。",
        ),
        fields.text(
            "media_outlets",
            "参与报道的媒体",
            "media",
            value=a.media_outlets,
            max_chars=activities.MAX_MEDIA,
            placeholder="如：区融媒体中心、市日报社（多个用顿号分隔）",
        ),
        fields.files(
            "marking_photos",
            "现场标识照片",
            "marking",
            PHOTO_FILE,
            note=required or "可选",
            help="本次活动要求至少上传一张，已上传的照片计入。" if required else None,
        ),
    ]


def _report(
    identity: Identity, campaign: Campaign, a: Activity, cal: WorkdayCalendar, dues: pd.DataFrame
) -> None:
    if a.status not in (*_REPORT_STEP, _S.PUBLISHED):
        return
    filed = a.report_filed_at is not None
    with st.expander("④ 活动总结" + ("（已报送）" if filed else ""), expanded=not filed):
        _, report_due = deadlines_at(dues, a.id, campaign.rules, cal)
        if campaign.rules.report_days_after is None:
            st.caption("本年度活动未规定总结报送时限。")
        deadline_notice(report_due)
        if a.status == _S.PUBLISHED:
            st.info("活动已发布到成果展示。如需修改总结，请联系政务公开办撤回发布。")
            st.text(a.report_text)
            return
        step_form(a, _report_form(a, filed), activities.file_report, identity.repo, identity.actor)


def _report_form(a: Activity, filed: bool) -> StepForm:
    inputs = [
        fields.area(
            "report_text",
            "情况报告或新闻稿",
            "report_text",
            value=a.report_text,
            height=260,
            max_chars=activities.MAX_TEXT,
        ),
        fields.files(
            "photos",
            "活动照片",
            "photos",
            PHOTO_FILE,
            help="活动总结须附至少一张活动照片（已上传的照片计入）。",
        ),
        fields.one_file("video", "活动视频", "video", VIDEO_FILE, note="可选"),
        fields.one_file("document", "总结附件", "document", DOCUMENT_FILE, note="可选"),
    ]
    return StepForm(
        "report",
        inputs,
        "更新活动总结" if filed else "报送活动总结",
        "活动总结已更新。" if filed else "活动总结已报送。",
        note="总结已报送。再次报送将更新内容，报送时间仍以首次报送为准。" if filed else "",
    )


def _cancel(identity: Identity, a: Activity) -> None:
    if a.status not in OPEN_ACTIVITY_STATUSES:
        return
    with st.expander("取消活动"):
        st.caption("活动取消后不能恢复，取消原因将报政务公开办。")
        reason = fields.area("reason", "取消原因", "cancel_reason", max_chars=activities.MAX_REASON)
        form = StepForm("cancel", [reason], "确认取消活动", "活动已取消。", primary=False)
        step_form(a, form, activities.cancel, identity.repo, identity.actor)
