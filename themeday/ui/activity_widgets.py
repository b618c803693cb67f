"""Streamlit pieces of the activity pages (本单位活动, 活动进展).

Deadlines with their warnings, the activity picker, the files of an activity
(佐证材料), the comment thread (意见) and the read-only detail of one activity.
User text is shown with ``st.text`` (never as Markdown or HTML).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st

from themeday.core.dates import minute_time, table_date
from themeday.core.domain import (
    INVITEE_KINDS,
    ActivityStatus,
    Actor,
    NotFound,
    PermissionDenied,
    Role,
    ValidationError,
    cn_date,
)
from themeday.core.records import Activity, Attachment, Campaign
from themeday.core.workdays import WorkdayCalendar
from themeday.formats.exports import paper_title
from themeday.formats.showcase import build_static_site, qr_address_warning
from themeday.formats.uploads import DOCUMENT, IMAGE_FORMATS, PHOTO, VIDEO, file_rule, mime_for
from themeday.repository import Repository
from themeday.services.activities import (
    FILE_KIND_LABELS,
    MAX_COMMENT,
    Deadline,
    add_comment,
    deadlines_at,
    lifecycle_table,
    plan_deadline,
    read_file,
    read_public_file,
    removable,
    remove_file,
    report_deadline,
)
from themeday.services.file_audit import DownloadAudit
from themeday.ui import gate, widgets
from themeday.ui.widgets import download_name, run_action

ROLE_LABELS = {Role.OFFICE: "政务公开办", Role.UNIT: "单位", Role.LEADER: "领导"}

_CHOICE = "themeday.activity_id"
_QUERY = "activity"
_PER_ROW = 4


# ------------------------------------------------------------------ deadlines
def status_label(status: str) -> str:
    return ActivityStatus(status).label


def deadlines(
    activity: Activity, campaign: Campaign, cal: WorkdayCalendar, now: datetime
) -> tuple[Deadline | None, Deadline | None]:
    """(活动方案, 活动总结) due dates of an activity; None where there is none."""
    return (
        plan_deadline(activity, campaign.rules, cal, now),
        report_deadline(activity, campaign.rules, cal, now),
    )


def deadline_notice(deadline: Deadline | None) -> None:
    """One 截止 line: red when overdue, green when filed on time; plus the warning when
    the due date was counted over a year whose holidays are not entered yet."""
    if deadline is None:
        return
    text = f"{deadline.label}：{deadline.text}"
    if deadline.overdue:
        st.error(text)
    elif deadline.filed and deadline.late_workdays:
        st.warning(text)
    elif deadline.filed:
        st.success(text)
    else:
        st.info(text)
    if not deadline.verified:
        st.warning(deadline.warning + "，截止日期以政务公开办公布的节假日安排为准。")


# ------------------------------------------------------------------ tables and picker
LIST_CAP = 500
"""At most this many activities are listed (table and picker); a province has tens of
thousands, and the filters and 搜索活动 narrow them."""


def search_activities(rows: pd.DataFrame, *, key: str = "activity_search") -> pd.DataFrame:
    """搜索活动: the rows whose 活动主题 or 单位 contain the typed text (all when empty)."""
    words = st.text_input(
        "搜索活动", key=key, placeholder="输入活动主题或单位名称中的文字", max_chars=100
    ).split()
    if not words:
        return rows
    haystack = rows["title"].str.cat(rows["unit_name"], sep=" ").str.casefold()
    keep = pd.Series(True, index=rows.index)
    for word in words:
        keep &= haystack.str.contains(word.casefold(), regex=False)
    return rows[keep]


def capped(rows: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """The first ``limit`` rows (``LIST_CAP`` by default); says so when there are more."""
    limit = LIST_CAP if limit is None else limit
    if len(rows) <= limit:
        return rows
    st.caption(f"共{len(rows)}项，仅显示前{limit}项，请用筛选或搜索缩小范围。")
    return rows.head(limit)


def overview_table(rows: pd.DataFrame, dues: pd.DataFrame, *, with_unit: bool) -> None:
    """The activities (``repo.activities.lifecycle_rows``) with status, date and both
    deadlines (``dues``, from ``activities.deadline_table``), one row each."""
    frame = lifecycle_table(rows, dues)
    frame["活动日期"] = [table_date(d) if d else "未定" for d in frame["活动日期"]]
    columns = [c for c in frame.columns if c != "id" and (with_unit or c != "单位")]
    st.dataframe(frame, column_order=columns, hide_index=True, placeholder="", width="stretch")


def activity_label(activity: Activity, *, with_unit: bool = False) -> str:
    """“序号. 主题 · 状态” (with the unit first for the office)."""
    head = activity.unit_name if with_unit else f"{activity.seq}."
    return f"{head} {activity.title} · {status_label(activity.status)}"


def pick_activity(
    activities: Sequence[Activity],
    *,
    known_ids: set[int] | None = None,
    with_unit: bool = False,
    missing: str = "链接中的活动不存在或无权查看，已显示列表中的活动。",
) -> Activity:
    """A selectbox of activities that remembers the choice (by id) and follows
    ``?activity=<id>`` in the address; the address follows the choice."""
    by_id = {a.id: a for a in activities}
    labels = {i: activity_label(a, with_unit=with_unit) for i, a in by_id.items()}
    return by_id[pick_activity_id(labels, known_ids=known_ids, missing=missing)]


def row_labels(rows: pd.DataFrame) -> dict[int, str]:
    """``activity_label(..., with_unit=True)`` of every row of ``lifecycle_rows``."""
    labels = {s.value: s.label for s in ActivityStatus}
    text = rows["unit_name"] + " " + rows["title"] + " · " + rows["status"].map(labels)
    return dict(zip(rows["id"].astype("int64").tolist(), text.tolist(), strict=True))


def pick_activity_id(
    labels: dict[int, str],
    *,
    known_ids: set[int] | None = None,
    missing: str = "链接中的活动不存在或无权查看，已显示列表中的活动。",
) -> int:
    """``pick_activity`` over ids and their labels (no records needed); the chosen id."""
    requested = _requested_id()
    if requested is not None:
        if requested in labels:
            st.session_state[_CHOICE] = requested
        elif requested not in (known_ids or set()):
            st.warning(missing)
    if st.session_state.get(_CHOICE) not in labels:
        st.session_state.pop(_CHOICE, None)
    return st.selectbox(
        "选择活动",
        list(labels),
        format_func=labels.__getitem__,
        key=_CHOICE,
        on_change=_follow_choice,
        placeholder="请选择",
    )


def _requested_id() -> int | None:
    value = st.query_params.get(_QUERY)
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _follow_choice() -> None:
    st.query_params[_QUERY] = str(st.session_state[_CHOICE])


def default_date(activity: Activity, campaign: Campaign, cal: WorkdayCalendar, today: date) -> date:
    """The date a 定日期 form starts with: the set date, else a working day in the
    declared 计划月份 of the campaign year (today when today is in that month)."""
    if activity.activity_date is not None:
        return activity.activity_date
    if (today.year, today.month) == (campaign.year, activity.planned_month):
        return today
    first = date(campaign.year, activity.planned_month, 1)
    for offset in range(10):
        day = first.replace(day=1 + offset)
        if cal.is_workday(day):
            return day
    return first


PHOTO_FILE = file_rule(PHOTO)
DOCUMENT_FILE = file_rule(DOCUMENT)
VIDEO_FILE = file_rule(VIDEO)
"""What the activity's file pickers accept, each with its kind's own cap."""


# ------------------------------------------------------------------ writes
def edit_version(activity: Activity) -> int:
    """The version of the activity the user's open forms were filled from
    (see :func:`themeday.ui.widgets.edit_version`)."""
    return widgets.edit_version("activity", activity.id, activity.version)


def reload_notice(activity: Activity) -> None:
    """Say so when the activity changed since the forms were filled, and offer to reload."""
    widgets.stale_notice("activity", activity.id, activity.version, "该活动")


def write(activity: Activity, action: Callable[[], Any], success: str) -> None:
    """Run a write on the activity (errors shown in Chinese, input kept); after it
    worked, reload the activity so every form starts from the saved record."""
    if run_action(action, success):
        _forget(activity.id)
        st.rerun()


def _forget(activity_id: int) -> None:
    widgets.forget_edit_version("activity", activity_id)


# ------------------------------------------------------------------ the activity
def activity_summary(activity: Activity) -> None:
    """Status and the facts of an activity as plain text (for units and the office)."""
    facts = [
        ("活动状态", status_label(activity.status)),
        ("计划月份", f"{activity.planned_month}月"),
        ("活动形式", activity.form),
        ("活动日期", cn_date(activity.day) if activity.day else "未定"),
        ("活动地点", activity.place or "—"),
        ("邀请对象", "、".join(activity.invitees) or "—"),
        ("预计参加人数", _count(activity.expected_participants)),
    ]
    if activity.held_date is not None:
        attendance = activity.attendance
        if activity.activity_date not in (None, activity.held_date):
            facts.append(("原定日期", cn_date(activity.activity_date)))
        facts += [
            ("实际开展日期", cn_date(activity.held_date)),
            ("实际参加人数", _attendance_text(attendance)),
            ("参与报道的媒体", activity.media_outlets or "—"),
        ]
    if activity.published_at is not None:
        facts.append(("发布时间", minute_time(activity.published_at)))
        facts.append(("门户网站文章", activity.portal_url or "—"))
    if activity.typical_case:
        facts.append(("典型经验", "已标记为典型经验"))
    half = (len(facts) + 1) // 2
    left, right = st.columns(2)
    left.text("\n".join(f"{k}：{v}" for k, v in facts[:half]))
    right.text("\n".join(f"{k}：{v}" for k, v in facts[half:]))
    if activity.off_month:
        st.warning(f"改期：活动日期不在申报的计划月份（{activity.planned_month}月）内。调整原因：")
        st.text(activity.off_month_reason or "（未填写）")
    if activity.cancelled:
        st.error("活动已取消。取消原因：")
        st.text(activity.cancel_reason or "（未填写）")


def activity_detail(
    repo: Repository,
    actor: Actor,
    campaign: Campaign,
    activity: Activity,
    cal: WorkdayCalendar,
    dues: pd.DataFrame,
) -> None:
    """Everything about one activity, read-only: facts, deadlines (read from ``dues``,
    the page's ``activities.deadline_table``), plan, report, files."""
    st.subheader(widgets.escape_markdown(activity.title))
    st.caption(
        widgets.escape_markdown(f"{activity.unit_name} · 联系人及电话：{activity.contact or '—'}")
    )
    if activity.summary:
        st.text(f"活动简介：{activity.summary}")
    activity_summary(activity)
    plan, report = deadlines_at(dues, activity.id, campaign.rules, cal)
    st.markdown("**活动方案**")
    deadline_notice(plan)
    st.text(activity.plan_text or "尚未报送活动方案。")
    st.markdown("**情况报告 / 新闻稿**")
    deadline_notice(report)
    st.text(activity.report_text or "尚未报送活动总结。")
    file_gallery(repo, actor, repo.activities.list_activity_files(actor, activity.id))


def _count(value: int | None) -> str:
    return f"{value}人" if value else "—"


def _attendance_text(attendance: dict[str, int]) -> str:
    if not attendance:
        return "—"
    parts = [f"{k}{attendance[k]}人" for k in INVITEE_KINDS if attendance.get(k)]
    parts += [f"{k}{v}人" for k, v in attendance.items() if k not in INVITEE_KINDS and v]
    return f"共{sum(attendance.values())}人（{'、'.join(parts)}）"


# ------------------------------------------------------------------ files
def file_gallery(
    repo: Repository,
    actor: Actor,
    files: Sequence[Attachment],
    *,
    removal: tuple[Campaign, Activity] | None = None,
) -> None:
    """佐证材料: photo thumbnails, and a download for every file (loaded on click).

    With ``removal`` (the unit's own page), a file of the step still open gets a 删除
    button that asks once more before the file is removed (it stays in the audit log).
    """
    st.markdown("**佐证材料**")
    if not files:
        st.caption("暂无上传的材料。")
        return
    for kind, label in FILE_KIND_LABELS.items():
        group = [f for f in files if f.kind == kind]
        if not group:
            continue
        st.caption(f"{label}（{len(group)}个）")
        photos = [f for f in group if f.fmt in IMAGE_FORMATS]
        others = [f for f in group if f.fmt not in IMAGE_FORMATS]
        for start in range(0, len(photos), _PER_ROW):
            columns = st.columns(_PER_ROW)
            for column, photo in zip(columns, photos[start : start + _PER_ROW], strict=False):
                with column:
                    _thumbnail(repo, actor, photo)
                    _download(repo, actor, photo, "下载原图")
                    _remove_button(repo, actor, photo, files, removal)
        for other in others:
            _download(
                repo, actor, other, widgets.escape_markdown(f"下载{label}：{other.original_name}")
            )
            _remove_button(repo, actor, other, files, removal)


_REMOVING = "themeday.removing_file"


def _remove_button(
    repo: Repository,
    actor: Actor,
    attachment: Attachment,
    files: Sequence[Attachment],
    removal: tuple[Campaign, Activity] | None,
) -> None:
    """删除 for a file of the open step: a first click asks, 确认删除 removes it."""
    if removal is None:
        return
    campaign, activity = removal
    if not removable(campaign, activity, attachment, files):
        return
    key = f"remove_file_{attachment.id}"
    if st.session_state.get(_REMOVING) != attachment.id:
        if st.button("删除", key=key, help="删除上传错的文件（删除记录保留在操作日志中）"):
            st.session_state[_REMOVING] = attachment.id
            st.rerun()
        return
    st.warning(widgets.escape_markdown(f"确定删除“{attachment.original_name}”？"))
    confirm, keep = st.columns(2)
    if keep.button("不删除", key=f"{key}_keep"):
        st.session_state.pop(_REMOVING, None)
        st.rerun()
    if confirm.button("确认删除", key=f"{key}_confirm", type="primary"):
        st.session_state.pop(_REMOVING, None)
        write(
            activity,
            lambda: remove_file(repo, actor, campaign, attachment.id),
            f"已删除“{attachment.original_name}”。",
        )


def _thumbnail(repo: Repository, actor: Actor, attachment: Attachment) -> None:
    try:
        data, _ = read_file(repo, actor, attachment.id, thumb=True)
    except ValidationError as exc:
        st.error("；".join(exc.messages))
        return
    except (NotFound, PermissionDenied) as exc:
        st.error(str(exc))
        return
    st.image(data, caption=widgets.escape_markdown(attachment.original_name), width="stretch")


def _download(repo: Repository, actor: Actor, attachment: Attachment, label: str) -> None:
    """A download whose bytes are read only when clicked (videos run to 300 MB)."""
    name = attachment.original_name
    widgets.deferred_download(
        label,
        lambda reader: read_file(reader, actor, attachment.id)[0],
        file_name=name,
        mime=mime_for(attachment.fmt),
        key=f"activity_file_{attachment.id}",
        repo=repo,
        actor=actor,
        audit=DownloadAudit(
            f"{FILE_KIND_LABELS.get(attachment.kind, '佐证材料')}（{name}）",
            object_type="attachment",
            object_id=attachment.id,
        ),
    )


def showcase_site(repo: Repository, campaign: Campaign) -> bytes:
    """The campaign's published activities as a static site (ZIP bytes)."""
    return _showcase_site(repo, campaign)[0]


def _showcase_site(repo: Repository, campaign: Campaign) -> tuple[bytes, int]:
    """The static site and the number of activities in it."""
    items = repo.activities.list_showcase(campaign.id)
    site = build_static_site(
        items,
        lambda attachment_id: read_public_file(repo, attachment_id),
        site_title=paper_title(campaign, "成果展示"),
        base_url=None,
    )
    return site, len(items)


def showcase_zip_button(repo: Repository, actor: Actor, campaign: Campaign) -> None:
    """导出成果展示网页（ZIP）: built only when clicked (it holds every photo and video)."""
    widgets.deferred_download(
        "导出成果展示网页（ZIP）",
        lambda reader: _showcase_site(reader, campaign),
        file_name=download_name(f"{campaign.year}年", campaign.region, "活动成果展示网页.zip"),
        mime="application/zip",
        key=f"showcase_zip_{campaign.id}",
        repo=repo,
        actor=actor,
        audit=DownloadAudit("成果展示网页（ZIP）", campaign, "已发布的活动"),
        help="已发布活动的网页、照片和视频，解压后可直接放到政府门户网站专栏。",
    )


def qr_address_notice(base_url: str, *, configured: bool) -> None:
    """成果展示's QR code: tell the office, and nobody else, when it points to an address
    the public cannot reach (``configured``: ``base_url`` is the set public address)."""
    if gate.current_role() != Role.OFFICE:
        return
    warning = qr_address_warning(base_url, configured=configured)
    if warning:
        st.warning(warning, icon=":material/qr_code_2:")


# ------------------------------------------------------------------ comments
def comment_thread(
    repo: Repository, actor: Actor, activity: Activity, *, can_write: bool, prompt: str = ""
) -> None:
    """意见: the office's comments and the unit's replies, oldest first, and a reply box."""
    st.markdown("**意见**")
    comments = repo.activities.list_comments(actor, activity.id)
    if not comments:
        st.caption("暂无意见。")
    for comment in comments:
        with st.container(border=True):
            who = ROLE_LABELS.get(Role(comment.role), comment.role)
            st.caption(f"{who}（{comment.username}） · {minute_time(comment.created_at)}")
            st.text(comment.body)
    if not can_write:
        return
    # The count in the key gives an empty box after a comment is saved; on an error
    # the key stays and the text is kept.
    with st.form(f"comment_{activity.id}_{len(comments)}", clear_on_submit=False):
        body = st.text_area(prompt or "填写意见", max_chars=MAX_COMMENT, height=100)
        if st.form_submit_button("发表意见"):
            if run_action(lambda: add_comment(repo, actor, activity.id, body), "意见已发表。"):
                st.rerun()


def status_counts(statuses: pd.Series) -> dict[str, int]:
    """Activities per status (a column of status values), every status listed in
    lifecycle order (0 where none)."""
    counted = statuses.value_counts()
    return {s.value: int(counted.get(s.value, 0)) for s in ActivityStatus}
