"""The only module that speaks SQL.

Every read and write takes the acting user (``Actor``) and is scoped here, not in the
pages: a unit user reads and changes only its own unit's rows, a leader reads
everything and changes nothing, the office may do both. Every change writes its
``audit_log`` row in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import duckdb

from themeday.config import now as default_clock
from themeday.db import in_transaction
from themeday.domain import (
    Actor,
    CampaignRules,
    DeclarationStatus,
    NotFound,
    PermissionDenied,
    Role,
    StaleRecord,
    ValidationError,
    unit_problems,
)
from themeday.records import (
    Activity,
    AuditEntry,
    Campaign,
    Declaration,
    LoginRecord,
    Session,
    Unit,
    User,
)

Clock = Callable[[], datetime]

_USER_COLUMNS = (
    "u.id, u.username, u.display_name, u.role, u.unit_id, u.must_change_password,"
    " u.enabled, u.locked_until, u.password_changed_at, u.version, un.name"
)
_USER_FROM = "app_user u LEFT JOIN unit un ON un.id = u.unit_id"
_UNIT_COLUMNS = "id, name, kind, contact_person, contact_phone, enabled, version"
_DECLARATION_COLUMNS = (
    "d.id, d.campaign_id, d.unit_id, un.name, d.status, d.contact_person,"
    " d.contact_phone, d.submitted_at, d.version"
)
_ACTIVITY_COLUMNS = (
    "a.id, a.declaration_id, a.campaign_id, a.unit_id, un.name, a.seq, a.title,"
    " a.planned_month, a.form, a.summary, a.contact, a.activity_date, a.place, a.status"
)


def _user(row: Sequence[Any]) -> User:
    return User(
        id=row[0],
        username=row[1],
        display_name=row[2],
        role=Role(row[3]),
        unit_id=row[4],
        must_change_password=row[5],
        enabled=row[6],
        locked_until=row[7],
        password_changed_at=row[8],
        version=row[9],
        unit_name=row[10],
    )


class Repository:
    """Data access for one script run (one DuckDB cursor)."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, clock: Clock = default_clock):
        self.cur = cur
        self.clock = clock

    # ------------------------------------------------------------------ helpers
    def _one(self, sql: str, params: Iterable[Any] = ()) -> tuple | None:
        return self.cur.execute(sql, list(params)).fetchone()

    def _all(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        return self.cur.execute(sql, list(params)).fetchall()

    def _audit(
        self,
        actor: Actor | None,
        action: str,
        object_type: str | None = None,
        object_id: object = None,
        success: bool = True,
        detail: str = "",
        username: str | None = None,
    ) -> None:
        self.cur.execute(
            "INSERT INTO audit_log (occurred_at, username, role, unit_id, action,"
            " object_type, object_id, success, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.clock(),
                username or (actor.username if actor else ""),
                actor.role.value if actor else None,
                actor.unit_id if actor else None,
                action,
                object_type,
                None if object_id is None else str(object_id),
                success,
                detail,
            ],
        )

    @staticmethod
    def _require(actor: Actor, *roles: Role) -> None:
        if actor.role not in roles:
            raise PermissionDenied("您的账号无权进行此操作。")

    @staticmethod
    def _require_own_unit(actor: Actor, unit_id: int) -> None:
        if actor.role == Role.UNIT and actor.unit_id != unit_id:
            raise PermissionDenied("只能查看和修改本单位的数据。")

    def _check_version(self, table: str, record_id: int, expected: int | None) -> int:
        row = self._one(f"SELECT version FROM {table} WHERE id = ?", [record_id])
        if row is None:
            raise NotFound("记录不存在或已被删除。")
        if expected is not None and row[0] != expected:
            raise StaleRecord("该记录已被他人修改，请刷新后重新编辑（您的输入未保存）。")
        return row[0]

    # --------------------------------------------------------------------- meta
    def get_meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", [key])
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.cur.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def is_demo(self) -> bool:
        """True when the database was filled with demo data on first run (演示数据库)."""
        return self.get_meta("demo") == "1"

    def user_count(self) -> int:
        return self._one("SELECT count(*) FROM app_user")[0]

    # ---------------------------------------------------------------- campaigns
    def _campaign(self, row: Sequence[Any]) -> Campaign:
        return Campaign(
            id=row[0],
            year=row[1],
            region=row[2],
            title=row[3],
            office_name=row[4],
            rules=CampaignRules.from_json(row[5]),
            is_current=row[6],
            version=row[7],
        )

    _CAMPAIGN_SELECT = (
        "SELECT id, year, region, title, office_name, rules, is_current, version FROM campaign"
    )

    def create_campaign(
        self,
        actor: Actor,
        *,
        year: int,
        region: str,
        title: str,
        office_name: str,
        rules: CampaignRules,
        make_current: bool = True,
    ) -> int:
        """Create a campaign (新建主题日活动); office only."""
        self._require(actor, Role.OFFICE)

        def work() -> int:
            now = self.clock()
            if make_current:
                self.cur.execute("UPDATE campaign SET is_current = FALSE WHERE is_current")
            campaign_id = self._one(
                "INSERT INTO campaign (year, region, title, office_name, rules, is_current,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    year,
                    region,
                    title,
                    office_name,
                    rules.to_json(),
                    make_current,
                    now,
                    now,
                ],
            )[0]
            self._audit(actor, "create", "campaign", campaign_id, detail=title)
            return campaign_id

        return in_transaction(self.cur, work)

    def current_campaign(self, actor: Actor) -> Campaign | None:
        """The campaign marked current (当前活动), or the newest one."""
        row = self._one(
            self._CAMPAIGN_SELECT + " ORDER BY is_current DESC, year DESC, id DESC LIMIT 1"
        )
        return self._campaign(row) if row else None

    def list_campaigns(self, actor: Actor) -> list[Campaign]:
        return [
            self._campaign(r) for r in self._all(self._CAMPAIGN_SELECT + " ORDER BY year DESC, id")
        ]

    # -------------------------------------------------------------------- units
    def list_units(self, actor: Actor, include_disabled: bool = True) -> list[Unit]:
        """Units the actor may see: a unit user sees only its own (单位名录)."""
        sql = f"SELECT {_UNIT_COLUMNS} FROM unit WHERE 1 = 1"
        params: list[Any] = []
        if actor.role == Role.UNIT:
            sql += " AND id = ?"
            params.append(actor.unit_id)
        if not include_disabled:
            sql += " AND enabled"
        return [Unit(*r) for r in self._all(sql + " ORDER BY kind, id", params)]

    def get_unit(self, actor: Actor, unit_id: int) -> Unit:
        self._require_own_unit(actor, unit_id)
        row = self._one(f"SELECT {_UNIT_COLUMNS} FROM unit WHERE id = ?", [unit_id])
        if row is None:
            raise NotFound("单位不存在。")
        return Unit(*row)

    def create_unit(
        self,
        actor: Actor,
        name: str,
        kind: str,
        contact_person: str = "",
        contact_phone: str = "",
    ) -> int:
        """Add a unit to the roster; office only."""
        self._require(actor, Role.OFFICE)
        problems = unit_problems(name, kind, contact_phone)
        if problems:
            raise ValidationError(problems)
        name = name.strip()

        def work() -> int:
            if self._one("SELECT 1 FROM unit WHERE name = ?", [name]):
                raise ValidationError(f"单位“{name}”已存在。")
            now = self.clock()
            unit_id = self._one(
                "INSERT INTO unit (name, kind, contact_person, contact_phone, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                [name, kind, contact_person, contact_phone, now, now],
            )[0]
            self._audit(actor, "create", "unit", unit_id, detail=name)
            return unit_id

        return in_transaction(self.cur, work)

    def update_unit(
        self,
        actor: Actor,
        unit_id: int,
        expected_version: int | None,
        *,
        name: str | None = None,
        kind: str | None = None,
        contact_person: str | None = None,
        contact_phone: str | None = None,
        enabled: bool | None = None,
    ) -> None:
        """Edit a unit. The office edits any field; a unit edits only its own contacts."""
        self._require(actor, Role.OFFICE, Role.UNIT)
        self._require_own_unit(actor, unit_id)
        if actor.role == Role.UNIT and (name, kind, enabled) != (None, None, None):
            raise PermissionDenied("单位用户只能修改本单位的联系人和电话。")
        changes = {
            "name": name,
            "kind": kind,
            "contact_person": contact_person,
            "contact_phone": contact_phone,
            "enabled": enabled,
        }
        changes = {k: v for k, v in changes.items() if v is not None}

        def work() -> None:
            current = self.get_unit(actor, unit_id)
            problems = unit_problems(
                changes.get("name", current.name),
                changes.get("kind", current.kind),
                changes.get("contact_phone", current.contact_phone),
            )
            if problems:
                raise ValidationError(problems)
            self._check_version("unit", unit_id, expected_version)
            if name is not None and self._one(
                "SELECT 1 FROM unit WHERE name = ? AND id <> ?", [name, unit_id]
            ):
                raise ValidationError(f"单位“{name}”已存在。")
            sets = ", ".join(f"{k} = ?" for k in changes)
            self.cur.execute(
                f"UPDATE unit SET {sets}, updated_at = ?, version = version + 1 WHERE id = ?",
                [*changes.values(), self.clock(), unit_id],
            )
            self._audit(actor, "update", "unit", unit_id, detail=", ".join(changes))

        in_transaction(self.cur, work)

    # -------------------------------------------------------------------- users
    def list_users(self, actor: Actor) -> list[User]:
        """All accounts (账号管理); office only."""
        self._require(actor, Role.OFFICE)
        return [
            _user(r)
            for r in self._all(f"SELECT {_USER_COLUMNS} FROM {_USER_FROM} ORDER BY u.role, u.id")
        ]

    def get_user(self, actor: Actor, user_id: int) -> User:
        """One account: the office reads any, others only their own."""
        if actor.role != Role.OFFICE and actor.user_id != user_id:
            raise PermissionDenied("无权查看其他账号。")
        row = self._one(f"SELECT {_USER_COLUMNS} FROM {_USER_FROM} WHERE u.id = ?", [user_id])
        if row is None:
            raise NotFound("账号不存在。")
        return _user(row)

    def create_user(
        self,
        actor: Actor,
        *,
        username: str,
        display_name: str,
        role: Role,
        unit_id: int | None,
        password_hash: str,
        must_change_password: bool = True,
    ) -> int:
        """Create an account; office only. A unit account must be bound to a unit."""
        self._require(actor, Role.OFFICE)
        self._check_user_binding(role, unit_id)

        def work() -> int:
            if self._one("SELECT 1 FROM app_user WHERE username = ?", [username]):
                raise ValidationError(f"用户名“{username}”已被使用。")
            now = self.clock()
            user_id = self._one(
                "INSERT INTO app_user (username, display_name, role, unit_id, password_hash,"
                " must_change_password, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    username,
                    display_name,
                    role.value,
                    unit_id,
                    password_hash,
                    must_change_password,
                    now,
                    now,
                ],
            )[0]
            self._audit(actor, "create", "app_user", user_id, detail=username)
            return user_id

        return in_transaction(self.cur, work)

    def _check_user_binding(self, role: Role, unit_id: int | None) -> None:
        if role == Role.UNIT:
            if unit_id is None:
                raise ValidationError("单位用户必须绑定一个单位。")
            if not self._one("SELECT 1 FROM unit WHERE id = ?", [unit_id]):
                raise ValidationError("所选单位不存在。")
        elif unit_id is not None:
            raise ValidationError("只有单位用户可以绑定单位。")

    def update_user(
        self,
        actor: Actor,
        user_id: int,
        expected_version: int | None,
        *,
        display_name: str,
        role: Role,
        unit_id: int | None,
    ) -> None:
        """Change an account's name, role or unit; office only."""
        self._require(actor, Role.OFFICE)
        self._check_user_binding(role, unit_id)

        def work() -> None:
            self._check_version("app_user", user_id, expected_version)
            self.cur.execute(
                "UPDATE app_user SET display_name = ?, role = ?, unit_id = ?, updated_at = ?,"
                " version = version + 1 WHERE id = ?",
                [display_name, role.value, unit_id, self.clock(), user_id],
            )
            self._audit(actor, "update", "app_user", user_id, detail=f"role={role.value}")

        in_transaction(self.cur, work)

    def set_user_enabled(self, actor: Actor, user_id: int, enabled: bool) -> None:
        """Enable or disable an account; disabling ends its sessions at once."""
        self._require(actor, Role.OFFICE)
        if user_id == actor.user_id and not enabled:
            raise ValidationError("不能停用自己正在使用的账号。")

        def work() -> None:
            self._check_version("app_user", user_id, None)
            self.cur.execute(
                "UPDATE app_user SET enabled = ?, updated_at = ?, version = version + 1"
                " WHERE id = ?",
                [enabled, self.clock(), user_id],
            )
            if not enabled:
                self._end_user_sessions(user_id, "disabled")
            self._audit(actor, "enable" if enabled else "disable", "app_user", user_id)

        in_transaction(self.cur, work)

    def reset_password(self, actor: Actor, user_id: int, password_hash: str) -> None:
        """Set a new password that must be changed at next login; unlocks the account."""
        self._require(actor, Role.OFFICE)

        def work() -> None:
            self._check_version("app_user", user_id, None)
            self.cur.execute(
                "UPDATE app_user SET password_hash = ?, must_change_password = TRUE,"
                " failed_logins = 0, failed_window_start = NULL, locked_until = NULL,"
                " updated_at = ?, version = version + 1 WHERE id = ?",
                [password_hash, self.clock(), user_id],
            )
            self._end_user_sessions(user_id, "password_reset")
            self._audit(actor, "reset_password", "app_user", user_id)

        in_transaction(self.cur, work)

    def unlock_user(self, actor: Actor, user_id: int) -> None:
        """Lift a lockout before it expires (解除锁定); office only."""
        self._require(actor, Role.OFFICE)

        def work() -> None:
            self._check_version("app_user", user_id, None)
            self.cur.execute(
                "UPDATE app_user SET failed_logins = 0, failed_window_start = NULL,"
                " locked_until = NULL, updated_at = ? WHERE id = ?",
                [self.clock(), user_id],
            )
            self._audit(actor, "unlock", "app_user", user_id)

        in_transaction(self.cur, work)

    def current_password_hash(self, actor: Actor) -> str:
        """The actor's own bcrypt hash, to check the old password on a change."""
        row = self._one("SELECT password_hash FROM app_user WHERE id = ?", [actor.user_id])
        if row is None:
            raise NotFound("账号不存在。")
        return row[0]

    def change_own_password(self, actor: Actor, password_hash: str) -> None:
        """Store the actor's new password and end all of the actor's sessions."""

        def work() -> None:
            now = self.clock()
            self.cur.execute(
                "UPDATE app_user SET password_hash = ?, must_change_password = FALSE,"
                " password_changed_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                [password_hash, now, now, actor.user_id],
            )
            self._end_user_sessions(actor.user_id, "password_changed")
            self._audit(actor, "change_password", "app_user", actor.user_id)

        in_transaction(self.cur, work)

    # ------------------------------------------------------ login and sessions
    def login_record(self, username: str) -> LoginRecord | None:
        """The user and hash for a login attempt (no actor yet: this is the login)."""
        row = self._one(
            f"SELECT {_USER_COLUMNS}, u.password_hash, u.failed_logins, u.failed_window_start"
            f" FROM {_USER_FROM} WHERE u.username = ?",
            [username],
        )
        if row is None:
            return None
        return LoginRecord(_user(row[:11]), row[11], row[12], row[13])

    def record_login_failure(
        self,
        username: str,
        user: User | None,
        *,
        failed_logins: int,
        window_start: datetime | None,
        locked_until: datetime | None,
        reason: str,
        newly_locked: bool,
    ) -> None:
        """Count a failed login (and a new lockout) with its audit rows."""

        def work() -> None:
            if user is not None:
                self.cur.execute(
                    "UPDATE app_user SET failed_logins = ?, failed_window_start = ?,"
                    " locked_until = ? WHERE id = ?",
                    [failed_logins, window_start, locked_until, user.id],
                )
            actor = user.as_actor() if user else None
            self._audit(actor, "login", "app_user", user and user.id, False, reason, username)
            if newly_locked:
                self._audit(actor, "lockout", "app_user", user and user.id, True, "", username)

        in_transaction(self.cur, work)

    def start_session(self, user: User, session_id: str) -> None:
        """Open a server-side session after a successful login; clears failures."""

        def work() -> None:
            now = self.clock()
            self.cur.execute(
                "UPDATE app_user SET failed_logins = 0, failed_window_start = NULL,"
                " locked_until = NULL WHERE id = ?",
                [user.id],
            )
            self.cur.execute(
                "INSERT INTO session (id, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (id) DO NOTHING",
                [session_id, user.id, now, now],
            )
            self._audit(user.as_actor(), "login", "session", session_id[:12])

        in_transaction(self.cur, work)

    def get_session(self, session_id: str) -> Session | None:
        row = self._one(
            "SELECT id, user_id, created_at, last_seen_at, ended_at, end_reason"
            " FROM session WHERE id = ?",
            [session_id],
        )
        return Session(*row) if row else None

    def touch_session(self, session_id: str) -> None:
        """Record activity on a session (resets its idle timer)."""
        self.cur.execute(
            "UPDATE session SET last_seen_at = ? WHERE id = ? AND ended_at IS NULL",
            [self.clock(), session_id],
        )

    def end_session(self, session_id: str, reason: str, user: User | None) -> None:
        """End one session: ``logout``, ``idle_timeout``, ``absolute_timeout``…"""

        def work() -> None:
            self.cur.execute(
                "UPDATE session SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
                [self.clock(), reason, session_id],
            )
            action = "logout" if reason == "logout" else "timeout"
            actor = user.as_actor() if user else None
            self._audit(actor, action, "session", session_id[:12], True, reason)

        in_transaction(self.cur, work)

    def _end_user_sessions(self, user_id: int, reason: str) -> None:
        self.cur.execute(
            "UPDATE session SET ended_at = ?, end_reason = ?"
            " WHERE user_id = ? AND ended_at IS NULL",
            [self.clock(), reason, user_id],
        )

    def user_by_id(self, user_id: int) -> User | None:
        """Load the user a live session belongs to (used by the login gate)."""
        row = self._one(f"SELECT {_USER_COLUMNS} FROM {_USER_FROM} WHERE u.id = ?", [user_id])
        return _user(row) if row else None

    def active_users_for_login(self) -> list[tuple[str, str, str, str]]:
        """(username, display name, role, hash) of enabled users, for the authenticator."""
        return self._all(
            "SELECT username, display_name, role, password_hash FROM app_user WHERE enabled"
        )

    # ---------------------------------------------- declarations and activities
    def list_declarations(self, actor: Actor, campaign_id: int) -> list[Declaration]:
        """申报表 of a campaign; a unit user gets only its own."""
        sql = (
            f"SELECT {_DECLARATION_COLUMNS} FROM declaration d JOIN unit un ON un.id = d.unit_id"
            " WHERE d.campaign_id = ?"
        )
        params: list[Any] = [campaign_id]
        if actor.role == Role.UNIT:
            sql += " AND d.unit_id = ?"
            params.append(actor.unit_id)
        return [Declaration(*r) for r in self._all(sql + " ORDER BY un.kind, un.id", params)]

    def get_declaration(self, actor: Actor, declaration_id: int) -> Declaration:
        row = self._one(
            f"SELECT {_DECLARATION_COLUMNS} FROM declaration d JOIN unit un ON un.id = d.unit_id"
            " WHERE d.id = ?",
            [declaration_id],
        )
        if row is None:
            raise NotFound("申报表不存在。")
        declaration = Declaration(*row)
        self._require_own_unit(actor, declaration.unit_id)
        return declaration

    def list_activities(
        self, actor: Actor, campaign_id: int, unit_id: int | None = None
    ) -> list[Activity]:
        """Declared themes and activities of a campaign; a unit user gets only its own."""
        sql = (
            f"SELECT {_ACTIVITY_COLUMNS} FROM activity a JOIN unit un ON un.id = a.unit_id"
            " WHERE a.campaign_id = ?"
        )
        params: list[Any] = [campaign_id]
        if actor.role == Role.UNIT:
            unit_id = actor.unit_id
        if unit_id is not None:
            sql += " AND a.unit_id = ?"
            params.append(unit_id)
        rows = self._all(sql + " ORDER BY a.planned_month, un.id, a.seq", params)
        return [Activity(*r) for r in rows]

    def create_declaration(
        self,
        actor: Actor,
        campaign_id: int,
        unit_id: int,
        *,
        contact_person: str,
        contact_phone: str,
        themes: Sequence[dict[str, Any]],
        status: DeclarationStatus = DeclarationStatus.DRAFT,
        submitted_at: datetime | None = None,
    ) -> int:
        """Create a unit's 申报表 with its themes (one ``activity`` row each)."""
        self._require(actor, Role.OFFICE, Role.UNIT)
        self._require_own_unit(actor, unit_id)

        def work() -> int:
            if self._one(
                "SELECT 1 FROM declaration WHERE campaign_id = ? AND unit_id = ?",
                [campaign_id, unit_id],
            ):
                raise ValidationError("本单位在该活动中已有申报表。")
            now = self.clock()
            declaration_id = self._one(
                "INSERT INTO declaration (campaign_id, unit_id, status, contact_person,"
                " contact_phone, submitted_at, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    campaign_id,
                    unit_id,
                    status.value,
                    contact_person,
                    contact_phone,
                    submitted_at,
                    now,
                    now,
                ],
            )[0]
            for seq, theme in enumerate(themes, start=1):
                self.cur.execute(
                    "INSERT INTO activity (declaration_id, campaign_id, unit_id, seq, title,"
                    " planned_month, form, summary, contact, activity_date, place, status,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        declaration_id,
                        campaign_id,
                        unit_id,
                        seq,
                        theme["title"],
                        theme["planned_month"],
                        theme["form"],
                        theme.get("summary", ""),
                        theme.get("contact", ""),
                        theme.get("activity_date"),
                        theme.get("place", ""),
                        theme.get("status", "planned"),
                        now,
                        now,
                    ],
                )
            self._audit(actor, "create", "declaration", declaration_id, detail=status.value)
            return declaration_id

        return in_transaction(self.cur, work)

    def update_declaration_contact(
        self,
        actor: Actor,
        declaration_id: int,
        expected_version: int | None,
        contact_person: str,
        contact_phone: str,
    ) -> None:
        """Change a declaration's contact (联系人及电话)."""
        self._require(actor, Role.OFFICE, Role.UNIT)

        def work() -> None:
            declaration = self.get_declaration(actor, declaration_id)
            if actor.role == Role.UNIT and declaration.status in (
                DeclarationStatus.SUBMITTED,
                DeclarationStatus.APPROVED,
            ):
                raise ValidationError("申报表已提交，不能修改；如需修改请联系政务公开办退回。")
            self._check_version("declaration", declaration_id, expected_version)
            self.cur.execute(
                "UPDATE declaration SET contact_person = ?, contact_phone = ?, updated_at = ?,"
                " version = version + 1 WHERE id = ?",
                [contact_person, contact_phone, self.clock(), declaration_id],
            )
            self._audit(actor, "update", "declaration", declaration_id, detail="contact")

        in_transaction(self.cur, work)

    # -------------------------------------------------------------- dashboards
    def progress_counts(self, actor: Actor, campaign_id: int) -> dict[str, Any]:
        """Counts for the office home and the leadership dashboard (进度统计)."""
        self._require(actor, Role.OFFICE, Role.LEADER)
        units = self._one("SELECT count(*) FROM unit WHERE enabled")[0]
        by_status = dict(
            self._all(
                "SELECT status, count(*) FROM declaration WHERE campaign_id = ? GROUP BY status",
                [campaign_id],
            )
        )
        activities_by_status = dict(
            self._all(
                "SELECT status, count(*) FROM activity WHERE campaign_id = ? GROUP BY status",
                [campaign_id],
            )
        )
        by_month = self._all(
            "SELECT planned_month, count(*) FROM activity WHERE campaign_id = ?"
            " GROUP BY planned_month ORDER BY planned_month",
            [campaign_id],
        )
        not_declared = self._one(
            "SELECT count(*) FROM unit un WHERE un.enabled AND NOT EXISTS (SELECT 1 FROM"
            " declaration d WHERE d.unit_id = un.id AND d.campaign_id = ?"
            " AND d.status <> 'draft')",
            [campaign_id],
        )[0]
        return {
            "units": units,
            "declarations_by_status": by_status,
            "not_declared": not_declared,
            "activities_by_status": activities_by_status,
            "activities_by_month": by_month,
        }

    # -------------------------------------------------------------------- audit
    def list_audit(self, actor: Actor, limit: int = 200) -> list[AuditEntry]:
        """The newest audit rows (审计日志); office only."""
        self._require(actor, Role.OFFICE)
        rows = self._all(
            "SELECT id, occurred_at, username, role, unit_id, action, object_type, object_id,"
            " success, detail FROM audit_log ORDER BY id DESC LIMIT ?",
            [limit],
        )
        return [AuditEntry(*r) for r in rows]
