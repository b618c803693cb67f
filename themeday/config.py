"""Settings in one place: paths, security numbers, time zone.

Every number that a security rule depends on (lockout, timeouts, password policy)
lives here so that it is changed once and read everywhere.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
"""All deadlines and audit times are in China Standard Time."""

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "themeday.duckdb"
DB_ENV_VAR = "THEMEDAY_DB"
COOKIE_KEY_ENV_VAR = "THEMEDAY_COOKIE_KEY"
COOKIE_NAME = "themeday_auth"


@dataclass(frozen=True)
class SecurityPolicy:
    """Login, lockout, session and password-age limits (登录与会话安全策略)."""

    max_failed_logins: int = 5
    failed_login_window: timedelta = timedelta(minutes=15)
    lockout_duration: timedelta = timedelta(minutes=30)
    idle_timeout: timedelta = timedelta(minutes=30)
    absolute_timeout: timedelta = timedelta(hours=12)
    session_touch_interval: timedelta = timedelta(minutes=1)
    password_min_length: int = 8
    password_max_bytes: int = 72
    password_min_classes: int = 3
    password_max_age: timedelta = timedelta(days=90)
    """After this long a password must be changed at the next login (定期更换口令)."""
    password_expiry_warning: timedelta = timedelta(days=7)
    """How long before the expiry the user is told to change it."""
    stale_account_after: timedelta = timedelta(days=90)
    """An enabled account not logged in for this long is listed for the office."""


SECURITY = SecurityPolicy()


def now() -> datetime:
    """The current time in Asia/Shanghai (the default clock)."""
    return datetime.now(TZ)


def db_path() -> Path:
    """The DuckDB file to use: ``$THEMEDAY_DB`` or ``data/themeday.duckdb``."""
    configured = os.environ.get(DB_ENV_VAR)
    return Path(configured).expanduser().resolve() if configured else DEFAULT_DB_PATH


def resolve_cookie_key(secret_value: str | None, key_file: Path) -> str:
    """Find the cookie signing key, generating one on first run.

    Order: a value from ``.streamlit/secrets.toml`` (passed in), the environment
    variable ``THEMEDAY_COOKIE_KEY``, then a key file beside the database. When none
    exists a random 32-byte key is written to ``key_file`` (readable by the owner only).
    """
    if secret_value:
        return secret_value
    from_env = os.environ.get(COOKIE_KEY_ENV_VAR)
    if from_env:
        return from_env
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key
