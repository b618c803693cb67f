"""Plain records the repository returns: one dataclass per table row kind.

A leaf module (no SQL, no Streamlit) so services and pages can type against them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from themeday.core.domain import Actor, CampaignRules, Role


@dataclass(frozen=True)
class Campaign:
    """主题日活动 (one campaign year)."""

    id: int
    year: int
    region: str
    title: str
    office_name: str
    rules: CampaignRules
    is_current: bool
    version: int


@dataclass(frozen=True)
class Unit:
    """单位."""

    id: int
    name: str
    kind: str
    contact_person: str
    contact_phone: str
    enabled: bool
    version: int


@dataclass(frozen=True)
class User:
    """账号 (app_user); the hash never leaves the repository's login lookups."""

    id: int
    username: str
    display_name: str
    role: Role
    unit_id: int | None
    must_change_password: bool
    enabled: bool
    locked_until: datetime | None
    password_changed_at: datetime | None
    version: int
    unit_name: str | None = None

    def as_actor(self) -> Actor:
        return Actor(self.id, self.username, self.role, self.unit_id, self.display_name)


@dataclass(frozen=True)
class StaleAccount:
    """An enabled account nobody has logged in with for a long time (长期未登录)."""

    user: User
    last_login_at: datetime | None
    """The start of its newest session; None when it never logged in."""
    created_at: datetime


@dataclass(frozen=True)
class LoginRecord:
    """What the login check needs about a user, including the bcrypt hash."""

    user: User
    password_hash: str
    failed_logins: int
    failed_window_start: datetime | None


@dataclass(frozen=True)
class Session:
    """A server-side login session (会话)."""

    id: str
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None
    end_reason: str | None


@dataclass(frozen=True)
class Declaration:
    """申报表: one unit's declaration for one campaign."""

    id: int
    campaign_id: int
    unit_id: int
    unit_name: str
    status: str
    contact_person: str
    contact_phone: str
    submitted_at: datetime | None
    version: int
    late_workdays: int | None = None
    return_reason: str | None = None
    scan_attachment_id: int | None = None
    unit_kind: str = ""

    @property
    def editable_by_unit(self) -> bool:
        """A unit edits its 申报表 only as a draft or after the office returned it."""
        return self.status in ("draft", "returned")


@dataclass(frozen=True)
class DeclarationEvent:
    """One entry of a declaration's history (申报记录): a version and its reason."""

    id: int
    declaration_id: int
    version: int
    action: str
    status: str
    reason: str
    snapshot: str
    username: str
    occurred_at: datetime
    display_name: str = ""
    """The acting account's name now (joined by the read; empty for the set-up code)."""


@dataclass(frozen=True)
class Attachment:
    """佐证材料: a stored file; ``original_name`` is display text only."""

    id: int
    campaign_id: int
    unit_id: int
    owner_type: str
    owner_id: int
    kind: str
    original_name: str
    stored_name: str
    fmt: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    thumbnail_name: str | None = None
    thumbnail_sha256: str | None = None


@dataclass(frozen=True)
class Activity:
    """活动: one declared theme and, later, the activity held for it."""

    id: int
    declaration_id: int
    campaign_id: int
    unit_id: int
    unit_name: str
    seq: int
    title: str
    planned_month: int
    form: str
    summary: str
    contact: str
    activity_date: date | None
    place: str
    status: str
    unit_kind: str = ""
    invitees_json: str = "[]"
    expected_participants: int | None = None
    off_month_reason: str = ""
    plan_text: str = ""
    plan_filed_at: datetime | None = None
    held_date: date | None = None
    attendance_json: str = "{}"
    media_outlets: str = ""
    report_text: str = ""
    report_filed_at: datetime | None = None
    cancel_reason: str = ""
    published_at: datetime | None = None
    portal_url: str = ""
    typical_case: bool = False
    version: int = 1
    date_history_json: str = "[]"

    @property
    def date_changes(self) -> tuple[tuple[date, date], ...]:
        """(the day it came into force, the date) for every 活动日期 the activity had,
        oldest first: 定日期, each 改期 and the held date."""
        pairs = json.loads(self.date_history_json or "[]")
        return tuple((date.fromisoformat(f), date.fromisoformat(d)) for f, d in pairs)

    def date_history_with(self, day: date, today: date) -> str:
        """The date history (JSON) once ``day`` becomes the activity's date today."""
        pairs = [[f.isoformat(), d.isoformat()] for f, d in self.date_changes]
        return json.dumps([*pairs, [today.isoformat(), day.isoformat()]])

    @property
    def invitees(self) -> tuple[str, ...]:
        """邀请对象: the invitee kinds chosen when scheduling."""
        return tuple(json.loads(self.invitees_json or "[]"))

    @property
    def attendance(self) -> dict[str, int]:
        """实际参加人数 by invitee kind, as recorded when the activity was held."""
        return {k: int(v) for k, v in json.loads(self.attendance_json or "{}").items()}

    @property
    def day(self) -> date | None:
        """The day it is (or was) held: the held date once recorded, else the scheduled
        date, else None (未定日期)."""
        return self.held_date or self.activity_date

    @cached_property
    def month(self) -> int:
        """活动月份: the month of :attr:`day` once set, else the declared 计划月份 (kept
        on the record: the filters of a province's cached activities ask on every rerun)."""
        return self.day.month if self.day else self.planned_month

    @property
    def off_month(self) -> bool:
        """The activity's date (the held date once recorded, else the scheduled one) lies
        outside the declared 计划月份 (改期, flagged for the office)."""
        return self.day is not None and self.day.month != self.planned_month

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


@dataclass(frozen=True)
class AuditEntry:
    """审计日志 row, with its place in the hash chain (see :mod:`themeday.core.audit`)."""

    id: int
    occurred_at: datetime
    username: str
    role: str | None
    unit_id: int | None
    action: str
    object_type: str | None
    object_id: str | None
    success: bool
    detail: str
    prev_hash: str | None = None
    row_hash: str | None = None
    client_address: str = ""
    """来源地址: the client's IP address ("" before it was recorded, and for the CLI)."""
    actor_name: str = ""
    """The acting account's display name now (not hashed: joined by the audit reads)."""
    unit_name: str = ""
    """The acting account's unit by name (joined, not hashed)."""
    object_name: str = ""
    """The object by its name: a unit's or activity's name, a 申报表's unit, a file's name
    (joined, not hashed; empty when the object is gone)."""
    previous_detail: str = ""
    """For 设置考核权重: the detail of the set before it, to show what changed (joined)."""


@dataclass(frozen=True)
class Comment:
    """意见: a remark on a record (the office's comment, the unit's reply)."""

    id: int
    object_type: str
    object_id: int
    unit_id: int | None
    body: str
    username: str
    role: str
    created_at: datetime


@dataclass(frozen=True)
class ShowcaseItem:
    """成果展示: a published activity as the public sees it (no contact names or phones)."""

    activity_id: int
    campaign_id: int
    year: int
    unit_name: str
    title: str
    form: str
    planned_month: int
    held_date: date | None
    place: str
    report_text: str
    published_at: datetime
    portal_url: str
    typical_case: bool
    photo_ids: tuple[int, ...] = ()
    video_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class NewFile:
    """A checked upload already written to the file store, to be recorded as an attachment.

    ``kind`` says what the file is for: ``plan`` (活动方案附件), ``marking`` (现场标识照片),
    ``photo`` (活动照片), ``video`` (活动视频), ``report`` (总结附件).
    """

    kind: str
    original_name: str
    stored_name: str
    fmt: str
    size: int
    sha256: str
    thumbnail_name: str | None = None
    thumbnail_sha256: str | None = None


@dataclass(frozen=True)
class ScoreAdjustment:
    """加减分: the office's change to a unit's score, with its required reason."""

    id: int
    campaign_id: int
    unit_id: int
    unit_name: str
    delta: float
    reason: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class Chase:
    """催办记录: the office chased a unit about one item (see ``compliance.item_key``)."""

    id: int
    campaign_id: int
    unit_id: int
    unit_name: str
    item: str
    note: str
    created_by: str
    created_at: datetime
