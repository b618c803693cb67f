"""Edge hardening (issue 15): the cookie signing key, the nginx sample, the login
cookie's ``Secure`` flag."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import nginx_sample, self_signed_certificate
from themeday.core.config import (
    COOKIE_KEY_MIN_BYTES,
    PUBLISHED_COOKIE_KEYS,
    CookieKeyError,
    cookie_key_problem,
    resolve_cookie_key,
    trusted_proxies,
)
from themeday.services.auth import served_over_tls

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


# ------------------------------------------------------------------ nginx sample


def server_blocks(conf: str) -> list[str]:
    """The text of each top-level ``server { … }`` block."""
    blocks, depth, start = [], 0, None
    for match in re.finditer(r"server\s*\{|\{|\}", conf):
        token = match.group(0)
        if token.startswith("server") and depth == 0:
            start, depth = match.start(), 1
        elif token == "{":
            depth += bool(depth)
        elif depth:
            depth -= 1
            if depth == 0:
                blocks.append(conf[start : match.end()])
    return blocks


def location(conf: str, path: str) -> str:
    body = re.search(r"location\s*=\s*" + re.escape(path) + r"\s*\{(.*?)\n    \}", conf, re.S)
    assert body, f"no exact location for {path}"
    return body.group(1)


def test_nginx_sample_redirects_http_to_https():
    plain = [b for b in server_blocks(nginx_sample()) if re.search(r"listen\s+80\b", b)]
    assert plain, "no server on port 80"
    assert re.search(r"return\s+301\s+https://\$host\$request_uri;", plain[0])
    assert "proxy_pass" not in plain[0]  # nothing is served without TLS


def test_nginx_sample_sends_the_security_headers_on_every_reply():
    conf = nginx_sample()
    tls = [b for b in server_blocks(conf) if re.search(r"listen\s+443\s+ssl", b)]
    assert tls, "no TLS server"
    server = tls[0]
    headers = dict(re.findall(r"add_header\s+(\S+)\s+(.+?)\s+always;", server))
    assert re.fullmatch(
        r'"max-age=\d{8,}; includeSubDomains"', headers["Strict-Transport-Security"]
    )
    assert headers["X-Content-Type-Options"] == '"nosniff"'
    # Framing: DENY and frame-ancestors 'none' for every page; only Streamlit's own
    # component frames may be framed, by this site.
    assert headers["X-Frame-Options"] == "$frame_options"
    assert headers["Content-Security-Policy"] == '"frame-ancestors $frame_ancestors"'
    frame_map = re.search(r"map \$uri \$frame_options \{(.*?)\}", conf, re.S).group(1)
    assert re.search(r"default\s+DENY;", frame_map)
    assert re.findall(r"(\S+)\s+SAMEORIGIN;", frame_map) == ["~^/component/"]
    ancestors = re.search(r"map \$uri \$frame_ancestors \{(.*?)\}", conf, re.S).group(1)
    assert re.search(r"default\s+\"'none'\";", ancestors)
    assert re.findall(r"(\S+)\s+\"'self'\";", ancestors) == ["~^/component/"]
    # A location with its own add_header would silently drop the server's headers.
    assert all(
        "add_header" not in body for body in re.findall(r"location[^{]*\{(.*?)\}", server, re.S)
    )


def test_nginx_sample_keeps_metrics_and_host_config_from_outside():
    conf = nginx_sample()
    metrics = location(conf, "/_stcore/metrics")
    assert re.search(r"allow\s+127\.0\.0\.1;\s*deny\s+all;", metrics)
    host_config = location(conf, "/_stcore/host-config")
    outside = re.search(
        r"if \(\$remote_addr != 127\.0\.0\.1\) \{\s*return 200 '(.*?)';", host_config
    )
    assert outside, "outside visitors must get the fixed reply, not the app's"
    reply = json.loads(outside.group(1))
    assert reply["allowedOrigins"] == []


def test_nginx_sample_host_config_reply_has_every_field_streamlit_sends():
    """The fixed reply stands in for Streamlit's own: a field a new Streamlit adds must
    be added to the README too (the app's own reply is read from its route)."""
    from streamlit.web.server.starlette import starlette_routes

    source = Path(starlette_routes.__file__).read_text(encoding="utf-8")
    handler = source[source.index("async def _host_config_endpoint") :]
    handler = handler[: handler.index("return response")]
    fields = set(re.findall(r'^\s+"(\w+)":', handler, re.M))
    outside = re.search(r"return 200 '(.*?)';", location(nginx_sample(), "/_stcore/host-config"))
    assert fields and set(json.loads(outside.group(1))) == fields


def test_nginx_sample_forwards_what_the_app_needs():
    root = re.search(r"location / \{(.*?)\n    \}", nginx_sample(), re.S).group(1)
    assert "proxy_pass http://127.0.0.1:8501;" in root
    assert 'proxy_set_header Connection "upgrade";' in root
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in root
    assert "proxy_cookie_flags ~ secure samesite=strict;" in root


def test_nginx_sample_parses(tmp_path):
    """``nginx -t`` on the sample, where nginx is installed."""
    nginx = shutil.which("nginx", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"]))
    if nginx is None:
        pytest.skip("nginx is not installed")
    self_signed_certificate(tmp_path / "ztr.crt", tmp_path / "ztr.key")
    conf = nginx_sample().replace("/etc/nginx/tls/", f"{tmp_path}/")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\naccess_log off;\n{conf}\n}}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [nginx, "-t", "-q", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------ Secure cookie
LOCAL = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128"))


@pytest.mark.parametrize(
    "url, proto, peer, secure",
    [
        ("https://ztr.example.gov.cn/", None, None, True),  # the browser's address
        ("HTTPS://ztr.example.gov.cn/", None, "10.0.0.5", True),
        ("http://localhost:8501/", None, None, False),  # the README's demo command
        ("http://127.0.0.1:8501/", "https", None, True),  # nginx here (loopback: None)
        ("http://127.0.0.1:8501/", "https", "::1", True),
        ("http://127.0.0.1:8501/", "https, http", None, True),  # the first hop counts
        ("http://127.0.0.1:8501/", "http", None, False),
        ("http://10.0.0.9:8501/", "https", "10.0.0.66", False),  # not a trusted proxy
        (None, None, None, False),
    ],
)
def test_served_over_tls(url, proto, peer, secure):
    assert served_over_tls(url, proto, peer, LOCAL) is secure


def test_trusted_proxies_setting(monkeypatch):
    monkeypatch.delenv("THEMEDAY_TRUSTED_PROXIES", raising=False)
    assert trusted_proxies() == LOCAL
    monkeypatch.setenv("THEMEDAY_TRUSTED_PROXIES", " 10.0.0.2 , 10.0.0.3,")
    assert trusted_proxies() == tuple(ipaddress.ip_network(a) for a in ("10.0.0.2", "10.0.0.3"))
    assert not served_over_tls("http://x/", "https", None, trusted_proxies())
    assert served_over_tls("http://x/", "https", "10.0.0.3", trusted_proxies())


# ------------------------------------------------------------------ 等保 2.0 notes


def test_readme_says_which_dengbao_items_the_app_covers_and_which_the_deployment():
    section = README[README.index("### 等保 2.0 对照") :]
    section = section[: section.index("\n## ")]
    assert "| 等保 item | the app | the deployment |" in section
    rows = {
        line.split("|")[1].strip(): line.split("|")[2:4]
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| 等保 item")
    }
    for item in ("身份鉴别", "访问控制", "安全审计", "入侵防范", "数据完整性", "数据备份恢复"):
        assert item in rows, item
        app, deployment = (cell.strip() for cell in rows[item])
        assert app and app != "—" and deployment, item
    boundary = next(v for k, v in rows.items() if "区域边界" in k)
    assert boundary[0].strip() == "—"  # the network is the deployment's alone
