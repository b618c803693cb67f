"""Edge hardening (issue 15): the cookie signing key, the nginx sample, the login
cookie's ``Secure`` flag."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from themeday.config import (
    COOKIE_KEY_MIN_BYTES,
    PUBLISHED_COOKIE_KEYS,
    CookieKeyError,
    cookie_key_problem,
    resolve_cookie_key,
)

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------ cookie key


def test_a_generated_key_is_accepted():
    import secrets

    assert cookie_key_problem(secrets.token_hex(32)) is None
    assert cookie_key_problem(secrets.token_urlsafe(32)) is None


@pytest.mark.parametrize("key", ["", "k", "test-key-abc", "x" * 20, "短密钥" * 3])
def test_a_key_shorter_than_32_bytes_is_refused(key):
    assert len(key.encode()) < COOKIE_KEY_MIN_BYTES
    assert "过短" in cookie_key_problem(key)


def readme_sample_keys() -> set[str]:
    """Every literal cookie key the README shows (``cookie_key = "…"`` or
    ``THEMEDAY_COOKIE_KEY=…``), so a sample added to the docs is refused too."""
    found = re.findall(r'cookie_key\s*=\s*"([^"<]+)"', README)
    found += re.findall(r"THEMEDAY_COOKIE_KEY=['\"]?([^\s'\"<]+)", README)
    return set(found)


@pytest.mark.parametrize(
    "key",
    sorted(PUBLISHED_COOKIE_KEYS)
    + ["some_signature_key", "abcdef", "SOME_SIGNATURE_KEY", "some_signature_key" * 2]
    + ["random_signature_key-padded-to-be-long-enough"],
)
def test_a_published_sample_key_is_refused_even_when_padded(key):
    assert cookie_key_problem(key) is not None


def test_keys_shown_in_the_readme_are_refused():
    for key in readme_sample_keys():
        assert cookie_key_problem(key) is not None, key


def test_a_key_of_few_distinct_characters_is_refused():
    assert "过于单一" in cookie_key_problem("k" * 64)


@pytest.mark.parametrize("source", ["secrets", "env", "file"])
def test_resolve_refuses_a_short_key_wherever_it_comes_from(tmp_path, monkeypatch, source):
    key_file = tmp_path / "cookie_key"
    monkeypatch.delenv("THEMEDAY_COOKIE_KEY", raising=False)
    secret = None
    if source == "secrets":
        secret = "some_signature_key"
    elif source == "env":
        monkeypatch.setenv("THEMEDAY_COOKIE_KEY", "abcdef")
    else:
        key_file.write_text("short\n", encoding="utf-8")
    with pytest.raises(CookieKeyError, match="拒绝启动") as refused:
        resolve_cookie_key(secret, key_file)
    where = {"secrets": "secrets.toml", "env": "THEMEDAY_COOKIE_KEY", "file": "密钥文件"}
    assert where[source] in str(refused.value)


def test_the_app_refuses_to_start_with_a_short_key(app_db, monkeypatch, caplog):
    monkeypatch.setenv("THEMEDAY_COOKIE_KEY", "a-short-key-0123")
    with caplog.at_level(logging.ERROR):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "登录凭证签名密钥不安全" in errors and "THEMEDAY_COOKIE_KEY" in errors
    assert "过短" in errors
    assert not [t for t in at.text_input if t.key == "login_username"]  # no login form
    assert "登录凭证签名密钥不安全" in caplog.text


def test_the_app_starts_with_the_readme_command_and_no_key_set(app_db, monkeypatch):
    """First run without a key: one is generated beside the database, the login shows."""
    monkeypatch.delenv("THEMEDAY_COOKIE_KEY", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert not at.error
    assert [t for t in at.text_input if t.key == "login_username"]
