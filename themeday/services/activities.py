"""Activity service (活动开展): due dates in working days, checks, uploads, the showcase.

Pages call these functions. They check input and the campaign's rules before anything
is written, store uploads only after every file of a step passed its checks, and leave
storage and scoping to the repository.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd

from themeday.core import caching
from themeday.core.compliance import due_in_force
from themeday.core.config import TZ
from themeday.core.dates import deadline_date, deadline_dates, minute_time
from themeday.core.declaration_rules import deadline_end, late_workdays
from themeday.core.domain import (
    ACTIVITY_STATUS_LABELS,
    INVITEE_KINDS,
    ActivityStatus,
    Actor,
    CampaignRules,
    Role,
    ValidationError,
    cn_date,
    require_role,
)
from themeday.core.records import Activity, Attachment, Campaign, NewFile
from themeday.core.workdays import DatedResult, WorkdayCalendar, WorkdayIndex
from themeday.formats.uploads import (
    DOCUMENT,
    IMAGE_FORMATS,
    PHOTO,
    VIDEO,
    FileStore,
    UploadKind,
    stored_file_name,
    thumbnail,
)
from themeday.repository import Repository
from themeday.repository.activities import REMOVABLE_WHILE, photo_required
from themeday.services.declarations import uploads_root
from themeday.services.file_audit import checked_upload, stored_upload, within_quota

MAX_PLACE = 100
MAX_TEXT = 20_000
MAX_REASON = 500
MAX_MEDIA = 500


class Upload(NamedTuple):
    """A file as the browser sent it: its bytes and the name it had on the user's disk."""

    data: bytes
    name: str


# ------------------------------------------------------------------ deadlines
@dataclass(frozen=True)
class Deadline:
    """The due date of a 活动方案 or 活动总结 and where the activity stands against it."""

    label: str
    due: date
    verified: bool
    warning: str
    filed_at: datetime | None
    late_workdays: int
    """Working days late: of the filing when filed, of today when not (0 = not late)."""
    workdays_left: int
    """Working days after today up to the due date (0 on the day itself or when late)."""

    @property
    def filed(self) -> bool:
        return self.filed_at is not None

    @property
    def overdue(self) -> bool:
        """Not filed and the due day has ended."""
        return not self.filed and self.late_workdays > 0

    @property
    def text(self) -> str:
        """e.g. “截止 9月26日（周二），还剩3个工作日” or “逾期2个工作日报送”."""
        due = f"截止 {deadline_date(self.due)}"
        if self.filed:
            when = minute_time(self.filed_at)
            if self.late_workdays:
                return f"{when} 报送，逾期{self.late_workdays}个工作日；{due}"
            return f"{when} 按时报送；{due}"
        if self.late_workdays:
            return f"{due}，已逾期{self.late_workdays}个工作日，请尽快报送"
        if self.workdays_left == 0:
            return f"{due}，今天是最后期限"
        return f"{due}，还剩{self.workdays_left}个工作日"


def _deadline(
    label: str,
    due_result: DatedResult,
    filed_at: datetime | None,
    now: datetime,
    cal: WorkdayCalendar,
) -> Deadline:
    due = due_result.day
    if filed_at is not None:
        late = late_workdays(due, filed_at, cal)
        left = 0
    else:
        late = late_workdays(due, now, cal)
        today = now.astimezone(TZ).date()
        left = max(cal.workdays_between(today, due), 0) if now < deadline_end(due) else 0
    return Deadline(label, due, due_result.verified, due_result.warning, filed_at, late, left)


def kept_due(
    activity: Activity, due_of: Callable[[date], DatedResult], filed_at: datetime | None
) -> DatedResult | None:
    """The due date a step is judged against: that of the activity's date (the held
    date once held), unless a due date passed unfiled before the date moved
    (``compliance.due_in_force``, the one rule the compliance engine applies too)."""
    kept = _kept(activity.date_changes, activity.day, due_of, filed_at)
    return None if kept is None else kept[1]


def _kept(
    changes: Sequence[tuple[date, date]],
    day: date | None,
    due_of: Callable[[date], DatedResult],
    filed_at: datetime | None,
) -> tuple[date, DatedResult] | None:
    """(the 活动日期 whose due date is kept, that due date) for ``kept_due``."""
    if day is None:
        return None
    changes = list(changes)
    if not changes or changes[-1][1] != day:
        changes.append((date.min, day))  # a date set before its history was kept
    results = [(start, d, due_of(d)) for start, d in changes]
    filed_on = filed_at.astimezone(TZ).date() if filed_at is not None else None
    kept = due_in_force([(start, r.day) for start, _, r in results], filed_on)
    return next((d, r) for _, d, r in results if r.day == kept)


def plan_deadline(
    activity: Activity, rules: CampaignRules, cal: WorkdayCalendar, now: datetime
) -> Deadline | None:
    """活动方案 due date (提前N个工作日), or None: no date yet, or the campaign sets no rule."""
    n = rules.plan_days_before
    if n is None or activity.day is None:
        return None
    due = kept_due(activity, lambda day: cal.plan_due(day, n), activity.plan_filed_at)
    return _deadline("活动方案", due, activity.plan_filed_at, now, cal)


def report_deadline(
    activity: Activity, rules: CampaignRules, cal: WorkdayCalendar, now: datetime
) -> Deadline | None:
    """活动总结 due date (活动后N个工作日内) from the held date (or the planned one)."""
    n = rules.report_days_after
    if n is None or activity.day is None:
        return None
    due = kept_due(activity, lambda day: cal.report_due(day, n), activity.report_filed_at)
    return _deadline("活动总结", due, activity.report_filed_at, now, cal)


def schedule_consequences(
    campaign: Campaign, activity: Activity, day: date | None, cal: WorkdayCalendar, now: datetime
) -> list[str]:
    """What saving ``day`` as the activity's date would mean, to say before it is saved:
    a date in the past, a 活动方案 (or 活动总结) late by then (empty when none)."""
    if day is None or day.year != campaign.year:
        return []
    today = now.astimezone(TZ).date()
    moved = replace(
        activity, activity_date=day, date_history_json=activity.date_history_with(day, today)
    )
    said = []
    if day < today:
        said.append(f"{cn_date(day)}已是过去的日期（今天是{cn_date(today)}）。")
    for deadline in (
        plan_deadline(moved, campaign.rules, cal, now),
        report_deadline(moved, campaign.rules, cal, now) if day < today else None,
    ):
        if deadline is None or not deadline.late_workdays:
            continue
        n, due = deadline.late_workdays, cn_date(deadline.due)
        if deadline.filed:
            said.append(f"已报送的{deadline.label}将记为逾期{n}个工作日报送（截止{due}）。")
        else:
            said.append(f"{deadline.label}将逾期{n}个工作日（截止{due}）。")
    return said


# ------------------------------------------------------------------ uploads
FILE_KIND_LABELS = {
    "plan": "活动方案附件",
    "marking": "现场标识照片",
    "photo": "活动照片",
    "video": "活动视频",
    "report": "总结附件",
}
"""佐证材料 of an activity by ``attachment.kind``, in the order they are shown."""


@dataclass(frozen=True)
class _Checked:
    """An upload that passed its checks, ready to store (photos re-encoded, thumbnailed)."""

    purpose: str
    name: str
    content: bytes
    fmt: str
    thumbnail: bytes | None


def check_uploads(
    repo: Repository, actor: Actor, uploads: Sequence[Upload], kind: UploadKind, purpose: str
) -> list[_Checked]:
    """Check files of one kind by content; a bad one raises ``ValidationError`` (audited)."""
    checked = []
    for upload in uploads:
        content, fmt = checked_upload(repo, actor, upload.data, upload.name, kind)
        thumb = thumbnail(content) if fmt in IMAGE_FORMATS else None
        name = stored_file_name(upload.name, fmt)
        checked.append(_Checked(purpose, name[:120], content, fmt, thumb))
    return checked


def store_checked(
    repo: Repository, actor: Actor, checked: Sequence[_Checked], store: FileStore
) -> list[NewFile]:
    """Store checked files; if one cannot be stored, the ones already stored are removed
    and :class:`~themeday.formats.uploads.FileNotSaved` says why (audited)."""
    files: list[NewFile] = []
    try:
        for item in checked:
            label = FILE_KIND_LABELS.get(item.purpose, item.purpose)
            stored = stored_upload(repo, actor, store, item.content, item.fmt, item.name, label)
            files.append(_new_file(item, stored.stored_name, stored.size, stored.sha256))
            if item.thumbnail is not None:
                thumb = stored_upload(
                    repo, actor, store, item.thumbnail, "jpeg", item.name, f"{label}缩略图"
                )
                files[-1] = replace(
                    files[-1], thumbnail_name=thumb.stored_name, thumbnail_sha256=thumb.sha256
                )
    except Exception:
        _remove(store, files)
        raise
    return files


def _new_file(item: _Checked, stored_name: str, size: int, sha256: str) -> NewFile:
    return NewFile(
        kind=item.purpose,
        original_name=item.name,
        stored_name=stored_name,
        fmt=item.fmt,
        size=size,
        sha256=sha256,
    )


def _remove(store: FileStore, files: Sequence[NewFile]) -> None:
    for f in files:
        for name in (f.stored_name, f.thumbnail_name):
            if name:
                store.delete(name)


def _with_files(store: FileStore, files: list[NewFile], write) -> None:
    """Run the repository write; if it fails, remove the files stored for it."""
    try:
        write(files)
    except Exception:
        _remove(store, files)
        raise


def _store(store: FileStore | None) -> FileStore:
    return store or FileStore(uploads_root())


def _within_quota(
    repo: Repository, actor: Actor, activity: Activity, checked: list[_Checked]
) -> list[_Checked]:
    """Refuse files that would push the unit over its upload quota, before any is
    written to disk (the repository checks again when it records them)."""
    files = [(c.name, FILE_KIND_LABELS.get(c.purpose, c.purpose), len(c.content)) for c in checked]
    within_quota(repo, actor, activity.unit_id, files)
    return checked


# ------------------------------------------------------------------ the unit's steps
def schedule_problems(
    campaign: Campaign,
    activity: Activity,
    *,
    activity_date: date | None,
    place: str,
    invitees: Sequence[str],
    expected_participants: int | None,
    off_month_reason: str,
) -> list[str]:
    """What is wrong with a 定日期 form (empty when it may be saved)."""
    problems = date_problems(campaign, activity, activity_date, off_month_reason, "活动日期")
    if not place.strip():
        problems.append("请填写活动地点。")
    elif len(place) > MAX_PLACE:
        problems.append(f"活动地点不超过{MAX_PLACE}个字。")
    if not invitees:
        problems.append("请至少选择一类邀请对象。")
    elif any(kind not in INVITEE_KINDS for kind in invitees):
        problems.append("邀请对象只能从" + "、".join(INVITEE_KINDS) + "中选择。")
    if expected_participants is not None and expected_participants < 0:
        problems.append("预计参加人数不能为负数。")
    return problems


def date_problems(
    campaign: Campaign, activity: Activity, day: date | None, reason: str, label: str
) -> list[str]:
    """What is wrong with an activity's new date (定日期 or the held date, ``label``):
    missing, outside the campaign year, or outside the 计划月份 without a reason."""
    problems = []
    if day is None:
        problems.append(f"请选择{label}。")
    elif day.year != campaign.year:
        problems.append(f"{label}须在{campaign.year}年内。")
    elif day.month != activity.planned_month and not reason.strip():
        problems.append(
            f"{label}不在申报的计划月份（{activity.planned_month}月）内，请填写调整原因。"
        )
    if len(reason) > MAX_REASON:
        problems.append(f"调整原因不超过{MAX_REASON}个字。")
    return problems


def off_month_reason_for(activity: Activity, day: date, reason: str) -> str:
    """The 调整原因 to keep with ``day``: the reason given when it lies outside the
    计划月份 (改期), "" when inside."""
    return reason.strip() if day.month != activity.planned_month else ""


def schedule(
    repo: Repository,
    actor: Actor,
    campaign: Campaign,
    activity_id: int,
    expected_version: int | None,
    *,
    activity_date: date | None,
    place: str,
    invitees: Sequence[str],
    expected_participants: int | None = None,
    off_month_reason: str = "",
) -> None:
    """定日期: date, place and invitees of an approved activity (or a new date for it)."""
    activity = repo.activities.get_activity(actor, activity_id)
    problems = schedule_problems(
        campaign,
        activity,
        activity_date=activity_date,
        place=place,
        invitees=invitees,
        expected_participants=expected_participants,
        off_month_reason=off_month_reason,
    )
    if problems:
        raise ValidationError(problems)
    reason = off_month_reason_for(activity, activity_date, off_month_reason)
    repo.activities.schedule_activity(
        actor,
        activity_id,
        expected_version,
        activity_date=activity_date,
        place=place.strip(),
        invitees=list(invitees),
        expected_participants=expected_participants,
        off_month_reason=reason,
    )


def _required_text(text: str, missing: str, too_long: str) -> str:
    """``text`` stripped; a :class:`ValidationError` (``missing`` / ``too_long``) when it
    is empty or longer than :data:`MAX_TEXT`."""
    text = text.strip()
    if not text:
        raise ValidationError(missing)
    if len(text) > MAX_TEXT:
        raise ValidationError(too_long)
    return text


def file_plan(
    repo: Repository,
    actor: Actor,
    activity_id: int,
    expected_version: int | None,
    *,
    plan_text: str,
    documents: Sequence[Upload] = (),
    store: FileStore | None = None,
) -> None:
    """报送活动方案: the plan text, optionally with PDF/DOCX documents."""
    text = _required_text(
        plan_text,
        "请填写活动方案内容（活动目的、时间地点、参加人员、流程安排等）。",
        f"活动方案不超过{MAX_TEXT}个字，较长的方案请作为附件上传。",
    )
    # Scope check before a file is written.
    activity = repo.activities.get_activity(actor, activity_id)
    store = _store(store)
    checked = check_uploads(repo, actor, documents, DOCUMENT, "plan")
    files = store_checked(repo, actor, _within_quota(repo, actor, activity, checked), store)
    _with_files(
        store,
        files,
        lambda f: repo.activities.file_activity_plan(
            actor, activity_id, expected_version, plan_text=text, files=f
        ),
    )


def record_held(
    repo: Repository,
    actor: Actor,
    campaign: Campaign,
    activity_id: int,
    expected_version: int | None,
    *,
    held_date: date | None,
    attendance: dict[str, int],
    media_outlets: str = "",
    marking_photos: Sequence[Upload] = (),
    off_month_reason: str = "",
    store: FileStore | None = None,
) -> None:
    """开展情况: held date, attendance by invitee kind, media, marking photos.

    The held date becomes the activity's date: outside the 计划月份 it needs a 调整原因
    (改期, as 定日期 does), and both deadlines are judged against it from then on.
    """
    # Scope check before a file is written.
    activity = repo.activities.get_activity(actor, activity_id)
    if held_date is not None and held_date > repo.today():
        problems = ["实际开展日期不能晚于今天；活动尚未开展时请先修改活动日期。"]
    else:
        problems = date_problems(campaign, activity, held_date, off_month_reason, "实际开展日期")
    if any(kind not in INVITEE_KINDS for kind in attendance):
        problems.append("参加人员类别只能从" + "、".join(INVITEE_KINDS) + "中选择。")
    if any(count is None or count < 0 for count in attendance.values()):
        problems.append("参加人数不能为负数。")
    elif sum(attendance.values()) == 0:
        problems.append("请填写实际参加人数。")
    if len(media_outlets) > MAX_MEDIA:
        problems.append(f"参与报道的媒体不超过{MAX_MEDIA}个字。")
    if problems:
        raise ValidationError(problems)
    store = _store(store)
    checked = check_uploads(repo, actor, marking_photos, PHOTO, "marking")
    files = store_checked(repo, actor, _within_quota(repo, actor, activity, checked), store)
    rules = campaign.rules
    _with_files(
        store,
        files,
        lambda f: repo.activities.record_activity_held(
            actor,
            activity_id,
            expected_version,
            held_date=held_date,
            attendance={k: int(v) for k, v in attendance.items() if v},
            media_outlets=media_outlets.strip(),
            files=f,
            plan_required=rules.plan_days_before is not None,
            marking_required=bool(rules.on_site_marking),
            off_month_reason=off_month_reason_for(activity, held_date, off_month_reason),
        ),
    )


def file_report(
    repo: Repository,
    actor: Actor,
    activity_id: int,
    expected_version: int | None,
    *,
    report_text: str,
    photos: Sequence[Upload] = (),
    video: Upload | None = None,
    document: Upload | None = None,
    store: FileStore | None = None,
) -> None:
    """报送活动总结: 情况报告/新闻稿 text, ≥ 1 photo, optional video and document."""
    text = _required_text(
        report_text,
        "请填写情况报告或新闻稿内容。",
        f"情况报告不超过{MAX_TEXT}个字，较长的材料请作为附件上传。",
    )
    # Scope check before a file is written.
    activity = repo.activities.get_activity(actor, activity_id)
    store = _store(store)
    # Every file is checked before any is stored: a bad video keeps good photos out too.
    checked = check_uploads(repo, actor, photos, PHOTO, "photo")
    checked += check_uploads(repo, actor, [video] if video else [], VIDEO, "video")
    checked += check_uploads(repo, actor, [document] if document else [], DOCUMENT, "report")
    files = store_checked(repo, actor, _within_quota(repo, actor, activity, checked), store)
    _with_files(
        store,
        files,
        lambda f: repo.activities.file_activity_report(
            actor, activity_id, expected_version, report_text=text, files=f
        ),
    )


def cancel(
    repo: Repository, actor: Actor, activity_id: int, expected_version: int | None, reason: str
) -> None:
    """取消活动 with a reason (kept and shown to the office)."""
    if len(reason) > MAX_REASON:
        raise ValidationError(f"取消原因不超过{MAX_REASON}个字。")
    repo.activities.cancel_activity(actor, activity_id, expected_version, reason)


# ------------------------------------------------------------------ the office
def portal_url_problem(url: str) -> str | None:
    """Why a 门户网站 article address is refused (None when it is fine or empty)."""
    url = url.strip()
    if not url:
        return None
    if not url.lower().startswith(("http://", "https://")) or any(c.isspace() for c in url):
        return "门户网站文章地址须以 http:// 或 https:// 开头，且不含空格。"
    if len(url) > 500:
        return "门户网站文章地址过长。"
    return None


def publish(
    repo: Repository, actor: Actor, activity_id: int, expected_version: int | None, url: str = ""
) -> None:
    """发布到成果展示, optionally with the portal article's address."""
    problem = portal_url_problem(url)
    if problem:
        raise ValidationError(problem)
    repo.activities.publish_activity(actor, activity_id, expected_version, url.strip())


def withdraw(repo: Repository, actor: Actor, activity_id: int, expected_version: int | None):
    """撤回发布 (office): the activity leaves the 成果展示 and is a filed report again."""
    require_role(actor, Role.OFFICE)
    repo.activities.unpublish_activity(actor, activity_id, expected_version)


def set_typical_case(
    repo: Repository, actor: Actor, activity_id: int, expected_version: int | None, typical: bool
) -> None:
    """标记/取消典型经验 (office); only an activity that was held can be one."""
    require_role(actor, Role.OFFICE)
    repo.activities.set_typical_case(actor, activity_id, expected_version, typical)


MAX_COMMENT = 2000


def add_comment(repo: Repository, actor: Actor, activity_id: int, body: str) -> int:
    """意见: the office comments on an activity; the unit replies on its own."""
    require_role(actor, Role.OFFICE, Role.UNIT)
    if len(body) > MAX_COMMENT:
        raise ValidationError(f"意见不超过{MAX_COMMENT}个字。")
    return repo.activities.add_comment(actor, activity_id, body)


def remove_file(repo: Repository, actor: Actor, campaign: Campaign, attachment_id: int) -> None:
    """删除上传错的文件 of the step still open (the next step not yet filed).

    The file stays in the audit trail (marked removed, never deleted); a step that needs
    a photo keeps its last one. The repository enforces the unit and the step.
    """
    require_role(actor, Role.OFFICE, Role.UNIT)
    repo.activities.remove_activity_file(
        actor, attachment_id, marking_required=bool(campaign.rules.on_site_marking)
    )


def removable(
    campaign: Campaign, activity: Activity, attachment: Attachment, files: Sequence[Attachment]
) -> bool:
    """Whether the file may be removed: it belongs to the step still open, and it is not
    the last photo that step needs (``files``: the activity's files)."""
    if activity.status not in REMOVABLE_WHILE.get(attachment.kind, ()):
        return False
    if not photo_required(attachment.kind, bool(campaign.rules.on_site_marking)):
        return True
    return sum(f.kind == attachment.kind for f in files) > 1


# ------------------------------------------------------------------ reading files
def read_file(
    repo: Repository,
    actor: Actor,
    attachment_id: int,
    *,
    thumb: bool = False,
    store: FileStore | None = None,
) -> tuple[bytes, str]:
    """(content, fmt) of an attachment the actor may see (sha256 re-checked)."""
    attachment = repo.declarations.get_attachment(actor, attachment_id)
    return _load(attachment, thumb, _store(store))


def read_public_file(
    repo: Repository, attachment_id: int, *, thumb: bool = False, store: FileStore | None = None
) -> tuple[bytes, str]:
    """(content, fmt) of a photo or video of a published activity, for anyone."""
    attachment = repo.activities.public_attachment(attachment_id)
    return _load(attachment, thumb, _store(store))


def _load(attachment, thumb: bool, store: FileStore) -> tuple[bytes, str]:
    if thumb and attachment.thumbnail_name:
        return store.load(attachment.thumbnail_name, attachment.thumbnail_sha256), "jpeg"
    return store.load(attachment.stored_name, attachment.sha256), attachment.fmt


# ------------------------------------------------------------------ tables
LIFECYCLE_ROWS = (
    "id",
    "unit_id",
    "unit_name",
    "seq",
    "title",
    "form",
    "planned_month",
    "activity_date",
    "held_date",
    "status",
    "plan_filed_at",
    "report_filed_at",
    "date_history",
    "single_date",
    "typical_case",
)
"""Columns of ``repo.activities.lifecycle_rows`` (and of :func:`rows_of`)."""

_MOMENTS = ("activity_date", "held_date", "plan_filed_at", "report_filed_at")
_KINDS = (("plan", "活动方案", "plan_filed_at", -1), ("report", "活动总结", "report_filed_at", 1))
_MARGIN = timedelta(days=60)


def rows_of(activities: Sequence[Activity]) -> pd.DataFrame:
    """The ``repo.activities.lifecycle_rows`` frame of activities already read as records."""

    def local(moment: datetime | None) -> datetime | None:
        return None if moment is None else moment.astimezone(TZ).replace(tzinfo=None)

    frame = pd.DataFrame(
        [
            (
                a.id,
                a.unit_id,
                a.unit_name,
                a.seq,
                a.title,
                a.form,
                a.planned_month,
                a.activity_date,
                a.held_date,
                a.status,
                local(a.plan_filed_at),
                local(a.report_filed_at),
                a.date_history_json,
                len(a.date_changes) == 0
                or (len(a.date_changes) == 1 and a.date_changes[0][1] == a.day),
                a.typical_case,
            )
            for a in activities
        ],
        columns=list(LIFECYCLE_ROWS),
    )
    for column in _MOMENTS:
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    return frame


def deadline_table(
    rows: pd.DataFrame, rules: CampaignRules, cal: WorkdayCalendar, now: datetime
) -> pd.DataFrame:
    """Both deadlines of every activity at once, on the working-day table: one row per
    activity, indexed by its id (``rows`` as ``repo.activities.lifecycle_rows`` gives them).

    Per kind (``plan_``: 活动方案, ``report_``: 活动总结): ``due`` (NaT when there is
    none: no date yet, or the campaign sets no rule), ``from`` (the 活动日期 whose due
    date is kept, see :func:`kept_due`), ``verified``, ``filed_at``, ``late`` and
    ``left`` (as :class:`Deadline`); and ``overdue`` (:func:`is_overdue`'s answer).
    The same answers as :func:`plan_deadline` and :func:`report_deadline` row by row.
    """
    ids = pd.Index(rows["id"].astype("int64"), name="id")
    rows = rows.set_axis(ids)
    day = rows["held_date"].fillna(rows["activity_date"]).astype("datetime64[us]")
    local_now = pd.Timestamp(now.astimezone(TZ).replace(tzinfo=None))
    today = local_now.normalize()
    moments = [day, rows["plan_filed_at"], rows["report_filed_at"], pd.Series([today])]
    index = _index_over(cal, moments)
    out: dict[str, pd.Series] = {}
    overdue = pd.Series(False, index=ids)
    for kind, _, filed_column, sign in _KINDS:
        n = rules.plan_days_before if kind == "plan" else rules.report_days_after
        filed_at = rows[filed_column].astype("datetime64[us]")
        due, source, verified = _dues(rows, day, n, sign, filed_at, index, cal)
        if due.notna().any() and not (
            index.start <= due.min().date() <= due.max().date() <= index.end
        ):
            index = _index_over(cal, [*moments, due])
        has_due = due.notna()
        filed = filed_at.notna()
        late_filed = index.late_workdays(due, filed_at).fillna(0)
        late_now = index.late_workdays(due, pd.Series(local_now, index=ids)).fillna(0)
        left = index.workdays_between(pd.Series(today, index=ids), due).fillna(0).clip(lower=0)
        running = has_due & ~filed & (local_now < due + pd.Timedelta(days=1))
        late = late_filed.where(filed, late_now).where(has_due, 0).astype("int64")
        out[f"{kind}_due"] = due
        out[f"{kind}_from"] = source
        out[f"{kind}_verified"] = verified
        out[f"{kind}_filed_at"] = filed_at
        out[f"{kind}_late"] = late
        out[f"{kind}_left"] = left.where(running, 0).astype("int64")
        overdue |= has_due & ~filed & (late > 0)
    out["overdue"] = overdue & (rows["status"] != ActivityStatus.CANCELLED.value)
    return pd.DataFrame(out, index=ids)


def _index_over(cal: WorkdayCalendar, columns: Sequence[pd.Series]) -> WorkdayIndex:
    """A working-day index over every date in ``columns``, with room for the counts."""
    known = [c.min() for c in columns if c.notna().any()]
    known += [c.max() for c in columns if c.notna().any()]
    low, high = min(known).date(), max(known).date()
    return WorkdayIndex(cal, low - _MARGIN, high + _MARGIN)


def _dues(
    rows: pd.DataFrame,
    day: pd.Series,
    n: int | None,
    sign: int,
    filed_at: pd.Series,
    index: WorkdayIndex,
    cal: WorkdayCalendar,
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(due, the 活动日期 it is counted from, verified) of one kind for every row."""
    if n is None or rows.empty:
        none = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[us]")
        return none, none.copy(), pd.Series(True, index=rows.index)
    counted = index.add_workdays(day, sign * n)
    due, verified, source = counted["day"].copy(), counted["verified"].copy(), day.copy()
    # An activity whose date moved: the earlier date's due date may be the one in force.
    for key in rows.index[~rows["single_date"].astype(bool) & day.notna()]:
        changes = tuple(
            (date.fromisoformat(f), date.fromisoformat(d))
            for f, d in json.loads(rows.at[key, "date_history"] or "[]")
        )
        moment = filed_at[key]
        filed = None if pd.isna(moment) else moment.to_pydatetime().replace(tzinfo=TZ)
        kept_from, result = _kept(
            changes, day[key].date(), lambda d: cal.add_workdays(d, sign * n), filed
        )
        due[key], source[key], verified[key] = (
            pd.Timestamp(result.day),
            pd.Timestamp(kept_from),
            result.verified,
        )
    return due, source, verified


def deadlines_at(
    dues: pd.DataFrame, activity_id: int, rules: CampaignRules, cal: WorkdayCalendar
) -> tuple[Deadline | None, Deadline | None]:
    """(活动方案, 活动总结) of one activity, read from a :func:`deadline_table`."""
    row = dues.loc[activity_id]
    found: list[Deadline | None] = []
    for kind, label, _, sign in _KINDS:
        due = row[f"{kind}_due"]
        if pd.isna(due):
            found.append(None)
            continue
        verified = bool(row[f"{kind}_verified"])
        warning = ""
        if not verified:
            n = rules.plan_days_before if kind == "plan" else rules.report_days_after
            warning = cal.add_workdays(row[f"{kind}_from"].date(), sign * n).warning
        moment = row[f"{kind}_filed_at"]
        filed_at = None if pd.isna(moment) else moment.to_pydatetime().replace(tzinfo=TZ)
        found.append(
            Deadline(
                label,
                due.date(),
                verified,
                warning,
                filed_at,
                int(row[f"{kind}_late"]),
                int(row[f"{kind}_left"]),
            )
        )
    return found[0], found[1]


def lifecycle_frame(
    activities: Sequence[Activity], rules: CampaignRules, cal: WorkdayCalendar, now: datetime
) -> pd.DataFrame:
    """One row per activity with its status and both deadlines, for the overview tables."""
    rows = rows_of(activities)
    return lifecycle_table(rows, deadline_table(rows, rules, cal, now))


def lifecycle_table(rows: pd.DataFrame, dues: pd.DataFrame) -> pd.DataFrame:
    """The overview table of ``rows`` (``lifecycle_rows``) with their deadlines
    (``dues``, a :func:`deadline_table` holding at least these activities)."""
    ids = rows["id"].astype("int64")
    own = dues.reindex(ids)
    day = rows["held_date"].fillna(rows["activity_date"])
    cancelled = (rows["status"] == ActivityStatus.CANCELLED.value).to_numpy()
    labels = {s.value: label for s, label in ACTIVITY_STATUS_LABELS.items()}
    frame = pd.DataFrame(
        {
            "id": ids.to_numpy(),
            "单位": rows["unit_name"].to_numpy(),
            "活动主题": rows["title"].to_numpy(),
            "活动形式": rows["form"].to_numpy(),
            "计划月份": (rows["planned_month"].astype("int64").astype(str) + "月").to_numpy(),
            "活动日期": [None if pd.isna(d) else d.date() for d in day],
            "状态": rows["status"].map(labels).to_numpy(),
            "活动方案": _cells(own, "plan", cancelled),
            "活动总结": _cells(own, "report", cancelled),
            "改期": np.where(
                day.notna().to_numpy() & (day.dt.month != rows["planned_month"]).to_numpy(),
                "是",
                "",
            ),
            "典型经验": np.where(rows["typical_case"].astype(bool).to_numpy(), "★", ""),
        }
    )
    return frame


def _cells(own: pd.DataFrame, kind: str, cancelled: np.ndarray) -> np.ndarray:
    due = own[f"{kind}_due"]
    late = own[f"{kind}_late"].fillna(0).astype("int64").astype(str).to_numpy()
    filed = own[f"{kind}_filed_at"].notna().to_numpy()
    is_late = (own[f"{kind}_late"].fillna(0) > 0).to_numpy()
    none = cancelled | due.isna().to_numpy()
    text = (deadline_dates(due) + "截止").to_numpy(dtype=object)
    return np.select(
        [none, filed & is_late, filed, is_late],
        ["—", "逾期" + late + "个工作日报送", "按时报送", "逾期" + late + "个工作日未报"],
        text,
    )


def _status_label(status: str) -> str:
    return ACTIVITY_STATUS_LABELS[ActivityStatus(status)]


LIFECYCLE_CACHE: caching.LruCache[list[Activity]] = caching.cache(
    "lifecycle", maxsize=16, copy=list
)
"""Activities of approved 申报表 by database, data version, campaign and scope."""


def lifecycle(repo: Repository, actor: Actor, campaign_id: int) -> list[Activity]:
    """``repo.activities.list_lifecycle`` of the whole campaign, shared by every session of
    the process until the next write (a unit user's list is its own unit's only)."""
    database, version = repo.data_version()
    return LIFECYCLE_CACHE.get(
        database,
        version,
        (campaign_id, *caching.scope_of(actor)),
        lambda: repo.activities.list_lifecycle(actor, campaign_id),
    )


PLAN_CACHE: caching.LruCache[list[Activity]] = caching.cache("plan", maxsize=8, copy=list)
"""全年活动计划 by database, data version, campaign and scope (the office and leaders
share one entry; a unit's list is its own, since it carries that unit's contacts)."""


def plan(repo: Repository, actor: Actor, campaign_id: int) -> list[Activity]:
    """``repo.declarations.list_plan``, shared by every session of the process until the next
    write (a province plans tens of thousands of themes: 0.5 s to read them)."""
    database, version = repo.data_version()
    return PLAN_CACHE.get(
        database,
        version,
        (campaign_id, *caching.scope_of(actor)),
        lambda: repo.declarations.list_plan(actor, campaign_id),
    )


def by_month(plan: Sequence[Activity], months: Sequence[int]) -> dict[int, list[Activity]]:
    """The themes of each of ``months`` (in order, every month present), in one pass."""
    grouped: dict[int, list[Activity]] = {m: [] for m in months}
    for theme in plan:
        if theme.planned_month in grouped:
            grouped[theme.planned_month].append(theme)
    return grouped


class Overview(NamedTuple):
    """活动进展's frames: every activity (``repo.activities.lifecycle_rows``) and their
    deadlines (:func:`deadline_table`), both indexed as the repository gives them."""

    rows: pd.DataFrame
    dues: pd.DataFrame


OVERVIEW_CACHE: caching.LruCache[Overview] = caching.cache(
    "overview",
    maxsize=8,
    copy=lambda o: Overview(o.rows.copy(deep=False), o.dues.copy(deep=False)),
)
""":func:`overview` by database, data version, campaign, local date and scope."""


def overview(repo: Repository, actor: Actor, campaign: Campaign, cal: WorkdayCalendar) -> Overview:
    """Every activity the actor may see with both deadlines, shared by every session
    until the next write or the next day.

    The deadline table depends on the clock only through the local date (a deadline
    runs to the end of its day), so the date is part of the key; the calendar's
    overrides and the campaign's rules are product data, covered by the data version.
    """
    now = repo.clock()

    def computed() -> Overview:
        rows = repo.activities.lifecycle_rows(actor, campaign.id)
        if rows.empty:
            return Overview(rows, pd.DataFrame(index=pd.Index([], dtype="int64", name="id")))
        return Overview(rows, deadline_table(rows, campaign.rules, cal, now))

    database, version = repo.data_version()
    local_day = now.astimezone(TZ).date()
    return OVERVIEW_CACHE.get(
        database, version, (campaign, local_day, *caching.scope_of(actor)), computed
    )
