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
from themeday.services.activities import Upload, deadlines_at
from themeday.ui import gate
from themeday.ui.activity_widgets import (
    DOCUMENT_FILE,
    PHOTO_FILE,
    VIDEO_FILE,
    activity_summary,
    capped,
    comment_thread,
    deadline_notice,
    default_date,
    edit_version,
    file_gallery,
    overview_table,
    pick_activity,
    reload_notice,
    search_activities,
    write,
)
from themeday.ui.gate import Identity
from themeday.ui.inputs import date_field, file_picker, year_bounds
from themeday.ui.widgets import campaign_page, declaration_status_label

_S = ActivityStatus
_PLAN_STEP = (_S.SCHEDULED, _S.PLAN_FILED)
_HELD_STEP = (_S.SCHEDULED, _S.PLAN_FILED, _S.HELD)
_REPORT_STEP = (_S.HELD, _S.REPORTED)


def render() -> None:
    identity = gate.require(Role.UNIT)
    repo, actor = identity.repo, identity.actor
    campaign = campaign_page("本单位活动", repo, actor, "政务公开办尚未发布主题日活动。")
    if campaign is None:
        return
    declaration = repo.declaration_for(actor, campaign.id, actor.unit_id)
    if declaration is None:
        st.info(
            "本单位尚未申报活动主题。请先在“主题申报”中填报并提交申报表，"
            "申报表审核通过后即可安排活动。"
        )
        return
    if declaration.status != "approved":
        st.info(
            f"本单位申报表当前状态：{declaration_status_label(declaration.status)}。"
            "申报表审核通过后即可安排活动。"
        )
        return
    mine = repo.list_lifecycle(actor, campaign.id)
    if not mine:
        st.info("本单位申报表中暂无活动主题。")
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
    activity_summary(activity)
    reload_notice(activity)
    _schedule(identity, campaign, activity, cal, now)
    _plan(identity, campaign, activity, cal, dues)
    _held(identity, campaign, activity)
    _report(identity, campaign, activity, cal, dues)
    _cancel(identity, activity)
    st.divider()
    file_gallery(
        repo, actor, repo.list_activity_files(actor, activity.id), removal=(campaign, activity)
    )
    st.divider()
    comment_thread(repo, actor, activity, can_write=True, prompt="回复政务公开办")


def _schedule(
    identity: Identity, campaign: Campaign, a: Activity, cal: WorkdayCalendar, now: datetime
) -> None:
    if a.status not in OPEN_ACTIVITY_STATUSES:
        return
    version = edit_version(a)
    k = f"{a.id}_{version}"
    done = a.activity_date is not None
    with st.expander("① 定日期" + ("（已确定，可修改）" if done else ""), expanded=not done):
        # Outside the form, so that picking a date reruns the page and its consequence
        # (a past date, a plan that would be late) is shown before anything is saved.
        day = date_field(
            "活动日期",
            default_date(a, campaign, cal, now.date()),
            year_bounds(campaign.year),
            help=f"申报的计划月份为{a.planned_month}月。",
            key=f"date_{k}",
        )
        for consequence in activities.schedule_consequences(campaign, a, day, cal, now):
            st.warning(f"按此日期保存：{consequence}")
        with st.form(f"schedule_{k}", clear_on_submit=False):
            place = st.text_input(
                "活动地点", value=a.place, max_chars=activities.MAX_PLACE, key=f"place_{k}"
            )
            invitees = st.multiselect(
                "邀请对象",
                list(INVITEE_KINDS),
                default=[kind for kind in a.invitees if kind in INVITEE_KINDS],
                placeholder="请选择（可多选）",
                key=f"invitees_{k}",
            )
            expected = st.number_input(
                "预计参加人数",
                min_value=0,
                step=1,
                value=int(a.expected_participants or 0),
                key=f"expected_{k}",
            )
            reason = st.text_area(
                "调整原因",
                value=a.off_month_reason,
                max_chars=activities.MAX_REASON,
                help=f"活动日期不在申报的计划月份（{a.planned_month}月）内时必填，"
                "政务公开办可查看；在计划月份内时无需填写。",
                key=f"reason_{k}",
            )
            if st.form_submit_button("保存活动日期", type="primary"):
                write(
                    a,
                    lambda: activities.schedule(
                        identity.repo,
                        identity.actor,
                        campaign,
                        a.id,
                        version,
                        activity_date=day,
                        place=place,
                        invitees=invitees,
                        expected_participants=int(expected) or None,
                        off_month_reason=reason,
                    ),
                    f"活动日期已确定为{cn_date(day)}。",
                )


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
        version = edit_version(a)
        k = f"{a.id}_{version}"
        with st.form(f"plan_{k}", clear_on_submit=False):
            text = st.text_area(
                "活动方案内容",
                value=a.plan_text,
                height=220,
                max_chars=activities.MAX_TEXT,
                placeholder="活动目的、时间地点、参加人员、流程安排、宣传报道、安全保障等",
                key=f"plan_text_{k}",
            )
            files = file_picker(
                "方案附件", DOCUMENT_FILE, key=f"plan_files_{k}", multiple=True, note="可选"
            )
            if filed:
                st.caption("方案已报送。再次报送将更新方案内容，报送时间仍以首次报送为准。")
            if st.form_submit_button("更新活动方案" if filed else "报送活动方案", type="primary"):
                write(
                    a,
                    lambda: activities.file_plan(
                        identity.repo,
                        identity.actor,
                        a.id,
                        version,
                        plan_text=text,
                        documents=_uploads(files),
                    ),
                    "活动方案已更新。" if filed else "活动方案已报送。",
                )


def _held(identity: Identity, campaign: Campaign, a: Activity) -> None:
    if a.cancelled or a.status == _S.PLANNED:
        return
    rules = campaign.rules
    done = a.held_date is not None
    open_step = a.status in _HELD_STEP
    waiting = rules.plan_days_before is not None and a.plan_filed_at is None
    title = "③ 开展情况" + ("（已填报）" if done else "")
    with st.expander(title, expanded=open_step and not done and not waiting):
        if not open_step:
            st.caption("活动总结已报送，开展情况不能再修改。")
            return
        if waiting:
            st.info("请先报送活动方案，再填报开展情况。")
            return
        st.caption("活动开展后填写。")
        version = edit_version(a)
        k = f"{a.id}_{version}"
        with st.form(f"held_{k}", clear_on_submit=False):
            held_date = date_field(
                "实际开展日期", a.day, year_bounds(campaign.year), key=f"held_date_{k}"
            )
            st.markdown("实际参加人数")
            attendance = {}
            columns = st.columns(3)
            for index, kind in enumerate(INVITEE_KINDS):
                attendance[kind] = columns[index % 3].number_input(
                    kind,
                    min_value=0,
                    step=1,
                    value=a.attendance.get(kind, 0),
                    key=f"attendance_{index}_{k}",
                )
            reason = st.text_area(
                "开展日期调整原因",
                value=a.off_month_reason,
                max_chars=activities.MAX_REASON,
                help=f"实际开展日期不在申报的计划月份（{a.planned_month}月）内时必填；"
                "实际开展日期即为活动日期，方案和总结的截止日期随之重新计算。",
                key=f"held_reason_{k}",
            )
            media = st.text_input(
                "参与报道的媒体",
                value=a.media_outlets,
                max_chars=activities.MAX_MEDIA,
                placeholder="如：区融媒体中心、市日报社（多个用顿号分隔）",
                key=f"media_{k}",
            )
            required = bool(rules.on_site_marking)
            marking = file_picker(
                "现场标识照片",
                PHOTO_FILE,
                key=f"marking_{k}",
                multiple=True,
                note=rules.on_site_marking if required else "可选",
                help="本次活动要求至少上传一张，已上传的照片计入。" if required else None,
            )
            if st.form_submit_button("保存开展情况", type="primary"):
                write(
                    a,
                    lambda: activities.record_held(
                        identity.repo,
                        identity.actor,
                        campaign,
                        a.id,
                        version,
                        held_date=held_date,
                        attendance={kind: int(n) for kind, n in attendance.items()},
                        media_outlets=media,
                        marking_photos=_uploads(marking),
                        off_month_reason=reason,
                    ),
                    "开展情况已保存。",
                )


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
        version = edit_version(a)
        k = f"{a.id}_{version}"
        with st.form(f"report_{k}", clear_on_submit=False):
            text = st.text_area(
                "情况报告或新闻稿",
                value=a.report_text,
                height=260,
                max_chars=activities.MAX_TEXT,
                key=f"report_text_{k}",
            )
            photos = file_picker(
                "活动照片",
                PHOTO_FILE,
                key=f"photos_{k}",
                multiple=True,
                help="活动总结须附至少一张活动照片（已上传的照片计入）。",
            )
            video = file_picker("活动视频", VIDEO_FILE, key=f"video_{k}", note="可选")
            document = file_picker("总结附件", DOCUMENT_FILE, key=f"document_{k}", note="可选")
            if filed:
                st.caption("总结已报送。再次报送将更新内容，报送时间仍以首次报送为准。")
            if st.form_submit_button("更新活动总结" if filed else "报送活动总结", type="primary"):
                write(
                    a,
                    lambda: activities.file_report(
                        identity.repo,
                        identity.actor,
                        a.id,
                        version,
                        report_text=text,
                        photos=_uploads(photos),
                        video=_upload(video),
                        document=_upload(document),
                    ),
                    "活动总结已更新。" if filed else "活动总结已报送。",
                )


def _cancel(identity: Identity, a: Activity) -> None:
    if a.status not in OPEN_ACTIVITY_STATUSES:
        return
    version = edit_version(a)
    k = f"{a.id}_{version}"
    with st.expander("取消活动"):
        st.caption("活动取消后不能恢复，取消原因将报政务公开办。")
        with st.form(f"cancel_{k}", clear_on_submit=False):
            reason = st.text_area(
                "取消原因", max_chars=activities.MAX_REASON, key=f"cancel_reason_{k}"
            )
            if st.form_submit_button("确认取消活动"):
                write(
                    a,
                    lambda: activities.cancel(identity.repo, identity.actor, a.id, version, reason),
                    "活动已取消。",
                )


def _uploads(files) -> list[Upload]:
    return [Upload(f.getvalue(), f.name) for f in files or []]


def _upload(file) -> Upload | None:
    return Upload(file.getvalue(), file.name) if file is not None else None
