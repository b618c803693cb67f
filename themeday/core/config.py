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

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "themeday.duckdb"
DB_ENV_VAR = "THEMEDAY_DB"
COOKIE_KEY_ENV_VAR = "THEMEDAY_COOKIE_KEY"
COOKIE_NAME = "themeday_auth"
TRUSTED_PROXIES_ENV_VAR = "THEMEDAY_TRUSTED_PROXIES"
DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"
"""nginx on the same machine: only it may say, in ``X-Forwarded-*``, who and how the client
connected."""
UNIT_UPLOAD_QUOTA_ENV_VAR = "THEMEDAY_UNIT_UPLOAD_QUOTA_MB"
DEFAULT_UNIT_UPLOAD_QUOTA_MB = 2048
"""What one unit may store in attachments, all campaigns together (7 videos at the cap)."""

DEMO_PASSWORD = "Demo@2023"
"""The password of every account of the demo database (see the README); the login page
shows it only while the database is a demo database."""

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


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


COOKIE_KEY_MIN_BYTES = 32
"""A cookie signing key shorter than this (in UTF-8 bytes) can be guessed offline."""

PUBLISHED_COOKIE_KEYS = frozenset(
    {
        # streamlit-authenticator's README and config.yaml samples, and keys copied
        # from them into public examples; every one of them signs forged cookies.
        "some_signature_key",
        "random_signature_key",
        "abcdef",
        "abcdefghij",
        "random_key",
        "random_text",
        "some_key",
        "secret",
        "secret_key",
        "changeme",
    }
)
"""Keys published in documentation: refused even when padded to the minimum length."""

COOKIE_KEY_HELP = (
    "请在 .streamlit/secrets.toml 的 cookie_key 或环境变量 THEMEDAY_COOKIE_KEY 中设置"
    f"至少 {COOKIE_KEY_MIN_BYTES} 字节的随机密钥"
    '（可用 python -c "import secrets; print(secrets.token_hex(32))" 生成），'
    "或把两处都删掉，由系统首次运行时自动生成并保存在数据库旁的 cookie_key 文件中。"
)


class CookieKeyError(ValueError):
    """The configured cookie signing key is unsafe; the message says why, in Chinese."""


def cookie_key_problem(key: str) -> str | None:
    """Why ``key`` may not sign login cookies (Chinese), or ``None`` when it may.

    Refused: shorter than :data:`COOKIE_KEY_MIN_BYTES`, a published sample (also
    padded, compared case-insensitively), or fewer than 8 distinct
    characters (``aaaa…``).
    """
    size = len(key.encode("utf-8"))
    folded = key.strip().casefold()
    padded = (sample for sample in PUBLISHED_COOKIE_KEYS if len(sample) >= 12)
    if folded in PUBLISHED_COOKIE_KEYS or any(sample in folded for sample in padded):
        return "是公开文档中的示例密钥，任何人都能用它伪造登录凭证"
    if size < COOKIE_KEY_MIN_BYTES:
        return f"过短（{size} 字节，至少需要 {COOKIE_KEY_MIN_BYTES} 字节）"
    if len(set(key)) < 8:
        return "字符过于单一，容易被猜出"
    return None


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


def unit_upload_quota_bytes() -> int:
    """The per-unit attachment quota in bytes: ``$THEMEDAY_UNIT_UPLOAD_QUOTA_MB`` (a
    positive whole number of MB) or :data:`DEFAULT_UNIT_UPLOAD_QUOTA_MB`.

    A value that is not a positive number raises ``ValueError`` rather than silently
    lifting or zeroing the quota.
    """
    configured = os.environ.get(UNIT_UPLOAD_QUOTA_ENV_VAR, "").strip()
    megabytes = DEFAULT_UNIT_UPLOAD_QUOTA_MB
    if configured:
        if not configured.isdigit() or int(configured) <= 0:
            raise ValueError(
                f"环境变量 {UNIT_UPLOAD_QUOTA_ENV_VAR} 须为正整数（单位 MB），当前为“{configured}”"
            )
        megabytes = int(configured)
    return megabytes * 1024 * 1024


def resolve_cookie_key(secret_value: str | None, key_file: Path) -> str:
    """Find the cookie signing key, generating one on first run.

    Order: a value from ``.streamlit/secrets.toml`` (passed in), the environment
    variable ``THEMEDAY_COOKIE_KEY``, then a key file beside the database. When none
    exists a random 32-byte key is written to ``key_file`` (readable by the owner only).
    A key that is too short or published (:func:`cookie_key_problem`) raises
    :class:`CookieKeyError` naming where it came from: the app refuses to start.
    """
    from_env = os.environ.get(COOKIE_KEY_ENV_VAR)
    if secret_value:
        key, source = secret_value, ".streamlit/secrets.toml 中的 cookie_key"
    elif from_env:
        key, source = from_env, f"环境变量 {COOKIE_KEY_ENV_VAR}"
    elif key_file.exists():
        key, source = key_file.read_text(encoding="utf-8").strip(), f"密钥文件 {key_file.name}"
    else:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        key_file.write_text(key, encoding="utf-8")
        key_file.chmod(0o600)
        return key
    problem = cookie_key_problem(key)
    if problem is not None:
        raise CookieKeyError(
            f"登录凭证签名密钥不安全，系统拒绝启动。密钥来源：{source}；问题：密钥{problem}。"
            + COOKIE_KEY_HELP
        )
    return key
