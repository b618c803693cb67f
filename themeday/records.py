"""Plain records the repository returns: one dataclass per table row kind.

A leaf module (no SQL, no Streamlit) so services and pages can type against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from themeday.domain import Actor, CampaignRules, Role


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


@dataclass(frozen=True)
class AuditEntry:
    """审计日志 row."""

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
