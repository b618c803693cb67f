"""Passwords, lockout and server-side sessions (登录、锁定与会话).

No Streamlit here: the login gate in ``themeday.ui.gate`` calls these functions, and
tests drive them with an injected clock. Hashes are bcrypt, the scheme the
streamlit-authenticator package verifies.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import bcrypt
import jwt

from themeday.core.addresses import LOOPBACK, is_trusted_proxy
from themeday.core.config import SECURITY, TZ, IPNetwork, SecurityPolicy
from themeday.core.domain import Actor, ValidationError
from themeday.core.records import User
from themeday.repository import Repository

_CLASS_NAMES = ("大写字母", "小写字母", "数字", "符号")


def password_problems(
    password: str, username: str | None = None, policy: SecurityPolicy = SECURITY
) -> list[str]:
    """Chinese messages for every way ``password`` breaks the policy (empty when fine)."""
    problems: list[str] = []
    if len(password) < policy.password_min_length:
        problems.append(f"密码至少{policy.password_min_length}位。")
    if len(password.encode("utf-8")) > policy.password_max_bytes:
        problems.append(f"密码过长：不能超过{policy.password_max_bytes}字节（一个汉字占3字节）。")
    classes = [
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(classes) < policy.password_min_classes:
        problems.append(
            f"密码须包含{'、'.join(_CLASS_NAMES)}中的至少{policy.password_min_classes}类。"
        )
    if username and password.lower() == username.lower():
        problems.append("密码不能与用户名相同。")
    return problems


def hash_password(password: str, policy: SecurityPolicy = SECURITY) -> str:
    """A bcrypt hash of a password that already passed ``password_problems``."""
    problems = password_problems(password, policy=policy)
    if problems:
        raise ValidationError(problems)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def password_matches(password: str, password_hash: str) -> bool:
    """Check a password against a bcrypt hash; over-long input never matches."""
    raw = password.encode("utf-8")
    if len(raw) > SECURITY.password_max_bytes:
        return False
    try:
        return bcrypt.checkpw(raw, password_hash.encode("ascii"))
    except ValueError:
        return False


def password_expired(user: User, now: datetime, policy: SecurityPolicy = SECURITY) -> bool:
    """Whether ``user``'s password is older than the policy's maximum age (口令过期).

    A password without a change date (none is left after the schema upgrade that
    dates them from the account's creation) is not treated as expired.
    """
    changed = user.password_changed_at
    return changed is not None and now >= changed + policy.password_max_age


def password_expiry_notice(user: User, now: datetime, policy: SecurityPolicy = SECURITY) -> str:
    """The reminder shown in the last days before the password expires, else "".

    Days are counted in calendar days in Asia/Shanghai: a password changed on 1 March
    with a 90-day maximum expires on 30 May, and on 25 May the notice says 5 days.
    """
    changed = user.password_changed_at
    if changed is None or user.must_change_password or password_expired(user, now, policy):
        return ""
    expires = changed + policy.password_max_age
    if expires - now > policy.password_expiry_warning:
        return ""
    days = (expires.astimezone(TZ).date() - now.astimezone(TZ).date()).days
    if days <= 0:
        return "您的密码将于今天过期，请及时修改。"
    return f"您的密码将于{days}天后过期，请及时修改。"


def session_key(username: str, cookie_expiry: float) -> str:
    """The session id for a re-authentication cookie.

    The cookie the authenticator signs carries the username and its expiry stamp;
    together they name one login, so the server-side session row is keyed by them.
    """
    return hashlib.sha256(f"{username}|{cookie_expiry!r}".encode()).hexdigest()


def served_over_tls(
    url: str | None,
    forwarded_proto: str | None,
    peer: str | None,
    trusted: Sequence[IPNetwork],
) -> bool:
    """Whether the browser reached the app over https, so the login cookie gets ``Secure``.

    ``url`` is the address in the browser (https when nginx terminates TLS, or when
    Streamlit serves TLS itself). ``X-Forwarded-Proto`` counts only from a trusted
    proxy; ``peer`` is the connection's address, ``None`` for a loopback one (as
    Streamlit reports it).
    """
    if url and url.lower().startswith("https://"):
        return True
    if not forwarded_proto:
        return False
    # A proxy chain appends: the first value is what the browser used.
    proto = forwarded_proto.split(",")[0].strip().lower()
    return proto == "https" and is_trusted_proxy(peer or LOOPBACK, trusted)


_COOKIE_VALUE = re.compile(r"[A-Za-z0-9._~-]*")
"""What a login cookie's value may hold: a JWT (base64url parts and dots), or nothing."""


def cookie_script(
    name: str,
    value: str,
    expires: datetime | None,
    *,
    secure: bool,
) -> str:
    """The JavaScript that sets (or, with ``expires=None``, deletes) the login cookie in
    the browser: ``document.cookie`` with ``Path=/`` and ``SameSite=Strict``, plus
    ``Secure`` over https.

    The browser runs it once; nothing answers back, so setting the cookie costs no
    rerun of the page. Only a JWT-shaped value is accepted, and the assignment is a
    JSON string literal with ``<`` escaped, so nothing in it can end the script tag.
    """
    if not _COOKIE_VALUE.fullmatch(name) or not _COOKIE_VALUE.fullmatch(value):
        raise ValueError("cookie name or value outside the token alphabet")
    parts = [f"{name}={value}", "Path=/", "SameSite=Strict"]
    if expires is None:
        parts.append("Max-Age=0")
        parts.append("Expires=Thu, 01 Jan 1970 00:00:00 GMT")
    else:
        parts.append("Expires=" + format_datetime(expires.astimezone(UTC), usegmt=True))
    if secure:
        parts.append("Secure")
    literal = json.dumps("; ".join(parts)).replace("<", "\\u003c")
    return f"document.cookie = {literal};"


COOKIE_ALGORITHM = "HS256"
"""The one algorithm the authenticator signs its login cookie with."""

COOKIE_PROBLEMS = {
    "garbled": "无法解析",
    "wrong_algorithm": "签名算法不符",
    "wrong_signature": "签名无效",
    "malformed": "内容不完整",
    "expired": "已过期",
}
"""Why a login cookie was refused (the audit row's detail), with its Chinese name."""


@dataclass(frozen=True)
class CookieCheck:
    """A login cookie read back from the browser: its payload, or why it is refused."""

    payload: dict[str, Any] | None
    problem: str = ""
    username: str = ""
    """The username the cookie claims, when it could be read (for the audit row)."""


def check_login_cookie(token: str, key: str, now: float) -> CookieCheck:
    """Verify a login cookie the way the authenticator should: any token that is not a
    well-formed, HS256-signed, unexpired ``{username, exp_date}`` is refused.

    The authenticator catches only some of PyJWT's errors (a token with ``alg: none``
    or HS512 raised out of the page), so the gate checks the cookie here first.
    """
    claimed = ""
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        claimed = str(unverified.get("username") or "")[:64]
    except (jwt.PyJWTError, ValueError, TypeError, AttributeError):
        return CookieCheck(None, "garbled")
    try:
        header = jwt.get_unverified_header(token)
    except (jwt.PyJWTError, ValueError, TypeError):
        return CookieCheck(None, "garbled", claimed)
    if header.get("alg") != COOKIE_ALGORITHM:
        return CookieCheck(None, "wrong_algorithm", claimed)
    try:
        payload = jwt.decode(token, key, algorithms=[COOKIE_ALGORITHM])
    except jwt.InvalidSignatureError:
        return CookieCheck(None, "wrong_signature", claimed)
    except jwt.ExpiredSignatureError:
        return CookieCheck(None, "expired", claimed)
    except (jwt.PyJWTError, ValueError, TypeError):
        return CookieCheck(None, "garbled", claimed)
    username, expiry = payload.get("username"), payload.get("exp_date")
    if (
        not isinstance(username, str)
        or not username
        or isinstance(expiry, bool)
        or not isinstance(expiry, int | float)
        or not math.isfinite(expiry)
    ):
        return CookieCheck(None, "malformed", claimed)
    if expiry <= now:
        return CookieCheck(None, "expired", claimed)
    return CookieCheck(payload, username=username)


@dataclass(frozen=True)
class LoginOutcome:
    """The result of a login attempt; ``message`` is shown to the user when not ok."""

    ok: bool
    user: User | None = None
    message: str = ""


@dataclass(frozen=True)
class SessionCheck:
    """Whether a session may go on; ``message`` says why not."""

    user: User | None
    reason: str = ""
    message: str = ""


WRONG_CREDENTIALS = "用户名或密码错误。"
END_MESSAGES = {
    "idle_timeout": "您已较长时间未操作，为保障安全已自动退出，请重新登录。",
    "absolute_timeout": "本次登录已超过最长时限，请重新登录。",
    "logout": "您已退出登录。",
    "password_changed": "密码已修改，请使用新密码重新登录。",
    "password_reset": "您的密码已被管理员重置，请重新登录。",
    "disabled": "该账号已停用，请联系政务公开办。",
}


class AuthService:
    """Login checks and session lifetime against the repository."""

    def __init__(self, repo: Repository, policy: SecurityPolicy = SECURITY):
        self.repo = repo
        self.policy = policy

    def authenticate(self, username: str, password: str) -> LoginOutcome:
        """Check one login attempt, counting failures and locking as the policy says."""
        username = (username or "").strip()
        if not username or not password:
            return LoginOutcome(False, message="请输入用户名和密码。")
        now = self.repo.clock()
        record = self.repo.accounts.login_record(username)
        user = record.user if record else None

        if user and user.locked_until and user.locked_until > now:
            self.repo.accounts.record_login_failure(
                username,
                user,
                failed_logins=record.failed_logins,
                window_start=record.failed_window_start,
                locked_until=user.locked_until,
                reason="locked",
                newly_locked=False,
            )
            until = user.locked_until.astimezone(now.tzinfo).strftime("%H:%M")
            return LoginOutcome(
                False,
                message=f"该账号因多次登录失败已被锁定，请于{until}后再试，或联系政务公开办解锁。",
            )

        too_long = len(password.encode("utf-8")) > self.policy.password_max_bytes
        if (
            record
            and user.enabled
            and not too_long
            and password_matches(password, record.password_hash)
        ):
            if not user.must_change_password and password_expired(user, now, self.policy):
                # the forced change then runs as after a reset (修改密码 only)
                user = self.repo.accounts.expire_password(user)
            return LoginOutcome(True, user=user)

        failed, window_start, locked_until = 1, now, None
        if record and record.failed_window_start is not None:
            if now - record.failed_window_start <= self.policy.failed_login_window:
                failed, window_start = (
                    record.failed_logins + 1,
                    record.failed_window_start,
                )
        newly_locked = record is not None and failed >= self.policy.max_failed_logins
        if newly_locked:
            locked_until = now + self.policy.lockout_duration
        reason = "too_long" if too_long else ("disabled" if user and not user.enabled else "bad")
        self.repo.accounts.record_login_failure(
            username,
            user,
            failed_logins=failed,
            window_start=window_start,
            locked_until=locked_until,
            reason=reason,
            newly_locked=newly_locked,
        )
        if newly_locked:
            minutes = int(self.policy.lockout_duration.total_seconds() // 60)
            return LoginOutcome(False, message=f"连续登录失败次数过多，账号已被锁定{minutes}分钟。")
        if too_long:
            return LoginOutcome(
                False,
                message=f"密码过长（不能超过{self.policy.password_max_bytes}字节），请检查后重新输入。",
            )
        return LoginOutcome(False, message=WRONG_CREDENTIALS)

    def reject_cookie(self, check: CookieCheck) -> None:
        """Audit a refused login cookie (``cookie_rejected``); the gate then drops it."""
        self.repo.accounts.record_cookie_rejected(check.problem, check.username)

    def start_session(self, user: User, key: str) -> None:
        """Open the server-side session for a successful login."""
        self.repo.accounts.start_session(user, key)

    def check_session(self, key: str, touch: bool = True) -> SessionCheck:
        """Is the session alive? Ends it (with an audit row) when it has timed out.

        ``touch=False`` checks without counting as activity (a page refreshing itself
        is not the user at work, so it must not keep an unattended login alive).
        """
        session = self.repo.accounts.get_session(key)
        if session is None:
            return SessionCheck(None, "unknown", "请登录。")
        user = self.repo.accounts.user_by_id(session.user_id)
        if session.ended_at is not None:
            reason = session.end_reason or "revoked"
            return SessionCheck(None, reason, END_MESSAGES.get(reason, "登录已失效，请重新登录。"))
        now = self.repo.clock()
        reason = ""
        if user is None or not user.enabled:
            reason = "disabled"
        elif now - session.created_at > self.policy.absolute_timeout:
            reason = "absolute_timeout"
        elif now - session.last_seen_at > self.policy.idle_timeout:
            reason = "idle_timeout"
        if reason:
            self.repo.accounts.end_session(key, reason, user)
            return SessionCheck(None, reason, END_MESSAGES[reason])
        if touch and now - session.last_seen_at >= self.policy.session_touch_interval:
            self.repo.accounts.touch_session(key)
        return SessionCheck(user)

    def logout(self, key: str, user: User | None) -> None:
        """End the session on 退出."""
        self.repo.accounts.end_session(key, "logout", user)

    def change_password(self, actor: Actor, old: str, new: str, confirm: str) -> None:
        """Change the actor's own password; ends all of the actor's sessions."""
        problems: list[str] = []
        if not password_matches(old, self.repo.accounts.current_password_hash(actor)):
            problems.append("原密码不正确。")
        if new != confirm:
            problems.append("两次输入的新密码不一致。")
        if new == old:
            problems.append("新密码不能与原密码相同。")
        problems += password_problems(new, actor.username, self.policy)
        if problems:
            raise ValidationError(problems)
        self.repo.accounts.change_own_password(actor, hash_password(new, self.policy))
