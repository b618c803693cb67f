"""The login cookie over TLS (issue 15): ``Secure`` when the browser came over https.

Where nginx is installed, the app runs behind the README's own nginx sample (TLS on a
free port, a throwaway certificate) and behind two plain-http proxies that say
``X-Forwarded-Proto: https``, from a trusted and from an untrusted address (the
header of a browser itself never reaches the app's WebSocket, so a proxy sends it).
CI installs nginx; where it is missing those tests are skipped. Without any proxy, plain
http gets a cookie without ``Secure`` and the README's ``streamlit run`` still logs in.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.browser.conftest import UI_TIMEOUT_MS, AppServer
from tests.browser.helpers import (
    COOKIE,
    log_in,
    login_form,
    nav_link,
    settle,
    shown,
    wait_for_cookie,
)
from tests.helpers import nginx_sample, self_signed_certificate

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def proxies(app_server: AppServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """nginx in front of the app, where nginx is installed: the README's sample on free
    ports (``"tls"``, its https address), and two plain-http proxies that say
    ``X-Forwarded-Proto: https`` as one behind a TLS load balancer would, one from
    127.0.0.1 (``"trusted"``) and one from 127.0.0.2 (``"untrusted"``, not a trusted
    proxy address)."""
    nginx = shutil.which("nginx", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"]))
    if nginx is None:
        pytest.skip("nginx is not installed")
    folder = tmp_path_factory.mktemp("nginx")
    self_signed_certificate(folder / "ztr.crt", folder / "ztr.key")
    https, http, trusted, untrusted = (_free_port() for _ in range(4))
    app = "127.0.0.1:" + app_server.url.rsplit(":", 1)[1]
    sample = (
        nginx_sample()
        .replace("listen 80;", f"listen 127.0.0.1:{http};")
        .replace("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;")
        .replace("/etc/nginx/tls/", f"{folder}/")
        .replace("127.0.0.1:8501", app)
    )
    forwarding = "".join(
        f"""
server {{
    listen 127.0.0.1:{port};
    location / {{
        proxy_pass http://{app};
        proxy_bind {source};
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-Proto https;
    }}
}}"""
        for port, source in ((trusted, "127.0.0.1"), (untrusted, "127.0.0.2"))
    )
    # nginx's scratch folders, which default to a system path.
    temp = "\n".join(
        f"{kind}_temp_path {folder}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        f"http {{\naccess_log off;\n{temp}\n{sample}\n{forwarding}\n}}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [nginx, "-c", str(folder / "nginx.conf"), "-p", str(folder), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", untrusted)) == 0:
                break
        time.sleep(0.1)
    if process.poll() is not None:
        raise RuntimeError(f"nginx did not start: {process.stderr.read().decode()}")
    yield {
        "tls": f"https://127.0.0.1:{https}",
        "trusted": f"http://127.0.0.1:{trusted}",
        "untrusted": f"http://127.0.0.1:{untrusted}",
    }
    process.terminate()
    process.wait(timeout=10)


def _server(url: str) -> AppServer:
    """What ``log_in`` needs of a server: its address (here, a proxy's)."""
    return AppServer(url, None, Path(), Path())  # type: ignore[arg-type]


def _context(browser: Browser, **options) -> BrowserContext:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", **options)
    ctx.set_default_timeout(UI_TIMEOUT_MS)
    return ctx


def test_behind_the_readme_nginx_the_login_cookie_is_secure(browser: Browser, proxies: dict):
    ctx = _context(browser, ignore_https_errors=True)
    try:
        page = ctx.new_page()
        response = page.goto(proxies["tls"])
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "max-age=" in response.headers["strict-transport-security"]
        log_in(page, _server(proxies["tls"]), "office")
        shown(page.get_by_role("heading", name="管理首页"))
        cookie = wait_for_cookie(ctx, present=True)
        assert cookie["secure"] is True and cookie["sameSite"] == "Strict"
        xsrf = next(c for c in ctx.cookies() if c["name"] == "_streamlit_xsrf")
        assert xsrf["secure"] is True  # nginx's proxy_cookie_flags
        settle(page)
        page.reload()  # the Secure cookie is sent back over https: still logged in
        shown(page.get_by_role("heading", name="管理首页"))
        settle(page)
        nav_link(page, "退出").click()  # and a Secure cookie is deleted on logout
        login_form(page)
        wait_for_cookie(ctx, present=False)
    finally:
        ctx.close()


@pytest.mark.parametrize("proxy, secure", [("trusted", True), ("untrusted", False)])
def test_forwarded_https_counts_only_from_a_trusted_proxy(
    browser: Browser, proxies: dict, proxy: str, secure: bool
):
    ctx = _context(browser)
    try:
        page = ctx.new_page()
        log_in(page, _server(proxies[proxy]), "unit1")
        shown(page.get_by_role("heading", name="本单位首页", exact=False))
        cookie = wait_for_cookie(ctx, present=True)
        assert cookie["secure"] is secure
    finally:
        ctx.close()


def test_over_plain_http_the_cookie_is_not_secure_and_login_works(
    browser: Browser, app_server: AppServer
):
    ctx = _context(browser)
    try:
        page = ctx.new_page()
        log_in(page, app_server, "unit1")
        shown(page.get_by_role("heading", name="本单位首页", exact=False))
        cookie = wait_for_cookie(ctx, present=True)
        assert cookie["name"] == COOKIE and cookie["secure"] is False
        settle(page)
        page.reload()
        shown(page.get_by_role("heading", name="本单位首页", exact=False))
    finally:
        ctx.close()
