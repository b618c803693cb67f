"""Settings in one place: paths, security numbers, time zone.

Every number that a security rule depends on (lockout, timeouts, password policy)
lives here so that it is changed once and read everywhere.
"""

from __future__ import annotations

import ipaddress
import logging
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
TRUSTED_PROXIES_ENV_VAR = "THEMEDAY_TRUSTED_PROXIES"
DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"
"""nginx on the same machine: only it may say, in ``X-Forwarded-For``, who the client is."""

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class SecurityPolicy:
    """Login, lockout and session limits (登录与会话安全策略)."""

    max_failed_logins: int = 5
    failed_login_window: timedelta = timedelta(minutes=15)
    lockout_duration: timedelta = timedelta(minutes=30)
    idle_timeout: timedelta = timedelta(minutes=30)
    absolute_timeout: timedelta = timedelta(hours=12)
    session_touch_interval: timedelta = timedelta(minutes=1)
    password_min_length: int = 8
    password_max_bytes: int = 72
    password_min_classes: int = 3


SECURITY = SecurityPolicy()


def now() -> datetime:
    """The current time in Asia/Shanghai (the default clock)."""
    return datetime.now(TZ)


def db_path() -> Path:
    """The DuckDB file to use: ``$THEMEDAY_DB`` or ``data/themeday.duckdb``."""
    configured = os.environ.get(DB_ENV_VAR)
    return Path(configured).expanduser().resolve() if configured else DEFAULT_DB_PATH


def trusted_proxies() -> tuple[IPNetwork, ...]:
    """The proxies whose ``X-Forwarded-For`` is believed: ``$THEMEDAY_TRUSTED_PROXIES``,
    addresses or networks separated by commas (``10.0.0.0/8`` too), default the local
    machine. An empty value trusts no proxy. An entry that is not an address is left
    out, with a warning in the server log.
    """
    networks = []
    for entry in os.environ.get(TRUSTED_PROXIES_ENV_VAR, DEFAULT_TRUSTED_PROXIES).split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            logging.getLogger(__name__).warning(
                "%s: %r is not an address or network; ignored", TRUSTED_PROXIES_ENV_VAR, entry
            )
    return tuple(networks)


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
