"""Accounts, logins and server-side sessions (账号与会话)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from themeday.core.domain import (
    Actor,
    NotFound,
    PermissionDenied,
    Role,
    ValidationError,
    username_key,
)
from themeday.core.records import LoginRecord, Session, StaleAccount, User
from themeday.repository.base import Family
from themeday.storage.db import in_transaction

_USER_COLUMNS = (
    "u.id, u.username, u.display_name, u.role, u.unit_id, u.must_change_password,"
    " u.enabled, u.locked_until, u.password_changed_at, u.version, un.name"
)
_USER_FROM = "app_user u LEFT JOIN unit un ON un.id = u.unit_id"


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


class Accounts(Family):
    """Accounts, logins and server-side sessions (账号与会话)."""

    def list_users(self, actor: Actor) -> list[User]:
        """All accounts (账号管理); office only."""
        self._require(actor, Role.OFFICE)
        return [
            _user(r)
            for r in self._all(f"SELECT {_USER_COLUMNS} FROM {_USER_FROM} ORDER BY u.role, u.id")
        ]

    def stale_users(self, actor: Actor, cutoff: datetime) -> list[StaleAccount]:
        """Enabled accounts with no login since ``cutoff`` (never-used ones counted from
        their creation), longest unused first; office only."""
        self._require(actor, Role.OFFICE)
        rows = self._all(
            f"SELECT {_USER_COLUMNS}, s.last_login, u.created_at FROM {_USER_FROM}"
            " LEFT JOIN (SELECT user_id, max(created_at) AS last_login FROM session"
            " GROUP BY user_id) s ON s.user_id = u.id"
            " WHERE u.enabled AND coalesce(s.last_login, u.created_at) <= ?"
            " ORDER BY coalesce(s.last_login, u.created_at), u.id",
            [cutoff],
        )
        return [StaleAccount(_user(r[:11]), r[11], r[12]) for r in rows]

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
        """Create an account; office only. A unit account must be bound to a unit.

        The office may create 审计管理员 accounts too (a new district needs one); that
        row is in the audit log the auditors read, and the new account must change its
        password at first login, so an initial password the office knew stops working.
        """
        self._require(actor, Role.OFFICE)
        self._check_user_binding(role, unit_id)

        def work() -> int:
            same = self._usernames_with_key(username_key(username))
            if username in same:
                raise ValidationError(f"用户名“{username}”已被使用。")
            if same:
                raise ValidationError(
                    f"用户名“{username}”与已有账号“{same[0]}”只差大小写或全角半角，"
                    "容易混淆，请换一个。"
                )
            now = self.clock()
            user_id = self._one(
                "INSERT INTO app_user (username, display_name, role, unit_id, password_hash,"
                " must_change_password, password_changed_at, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    username,
                    display_name,
                    role.value,
                    unit_id,
                    password_hash,
                    must_change_password,
                    now,
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
        """Change an account's name, role or unit; office only.

        Nobody changes the role of the account they act with (nobody grants themselves
        a role, e.g. the office making itself the auditor).
        """
        self._require(actor, Role.OFFICE)
        self._check_user_binding(role, unit_id)

        def work() -> None:
            self._check_version("app_user", user_id, expected_version)
            if user_id == actor.user_id:
                stored = self._one("SELECT role FROM app_user WHERE id = ?", [user_id])[0]
                if stored != role.value:
                    raise PermissionDenied("不能修改自己正在使用的账号的角色。")
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
            now = self.clock()
            self.cur.execute(
                "UPDATE app_user SET password_hash = ?, must_change_password = TRUE,"
                " failed_logins = 0, failed_window_start = NULL, locked_until = NULL,"
                " password_changed_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                [password_hash, now, now, user_id],
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

        in_transaction(self.cur, work, bump=False)

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

    def expire_password(self, user: User) -> User:
        """The password is older than the policy allows: it must be changed now.

        Called at login (by the user's own login, so the user is the actor); the
        forced change then runs as after a reset.
        """

        def work() -> None:
            self.cur.execute(
                "UPDATE app_user SET must_change_password = TRUE, updated_at = ?,"
                " version = version + 1 WHERE id = ?",
                [self.clock(), user.id],
            )
            changed = user.password_changed_at
            detail = f"上次修改 {changed:%Y-%m-%d}" if changed else ""
            self._audit(user.as_actor(), "password_expired", "app_user", user.id, detail=detail)

        in_transaction(self.cur, work)
        return self.user_by_id(user.id)

    def _usernames_with_key(self, key: str) -> list[str]:
        """The stored usernames whose :func:`username_key` is ``key``, oldest first.

        Compared in Python: SQL has no NFKC case folding, and the accounts are few.
        """
        return [
            name
            for (name,) in self._all("SELECT username FROM app_user ORDER BY id")
            if username_key(name) == key
        ]

    # login and sessions
    def login_record(self, username: str) -> LoginRecord | None:
        """The user and hash for a login attempt (no actor yet: this is the login).

        The name is looked up as typed, else by :func:`username_key` (``UNIT1`` or a
        full-width ``ｕｎｉｔ１`` finds ``unit1``); when an old database holds two
        accounts with that key, only the exact name finds either.
        """
        sql = (
            f"SELECT {_USER_COLUMNS}, u.password_hash, u.failed_logins, u.failed_window_start"
            f" FROM {_USER_FROM} WHERE u.username = ?"
        )
        row = self._one(sql, [username])
        if row is None:
            same = self._usernames_with_key(username_key(username))
            if len(same) != 1:
                return None
            row = self._one(sql, [same[0]])
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

        in_transaction(self.cur, work, bump=False)

    def record_cookie_rejected(self, reason: str, username: str = "") -> None:
        """Audit a login cookie that was refused (forged, garbled, expired)."""
        in_transaction(
            self.cur,
            lambda: self._audit(None, "cookie_rejected", "session", None, False, reason, username),
            bump=False,
        )

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

        in_transaction(self.cur, work, bump=False)

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

        in_transaction(self.cur, work, bump=False)

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
