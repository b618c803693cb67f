"""Login benchmark (登录与首屏): server start → first page, login → home, and memory.

    python -m themeday.dev.bench_login [--scale district] [--starts 3] [--logins 5] [--memory 10]

Builds a throwaway database at the scale's size with the accounts ``office``, ``unit`` and
``leader`` (:func:`themeday.dev.bench_pages.build`), then in Debian's Chromium:

- **start → first page**: ``python -m themeday serve`` (the README's start command) is
  started ``--starts`` times; each time from the process start to the login form drawn
  in a new browser profile (the script idle), and the first login after that start on
  its own;
- **login → home**: per role, ``--logins`` logins in a fresh browser profile each, from
  the click on 登录 to the role's home page title drawn with the script idle;
- **memory** (``--memory N``): the server's resident size before and after N browser
  sessions (Playwright contexts) logged in as ``leader``, opened 领导看板 and were
  closed; the after figure is taken once the server has dropped the closed sessions.

Medians are printed; the machine's load average is printed with them, since a shared
machine's numbers are upper bounds.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from themeday.core.config import DB_ENV_VAR, PROJECT_ROOT
from themeday.dev.bench_pages import ACCOUNTS, CHROMIUM, PASSWORD, SCALES, browser_available, build

HOME = {"office": "管理首页", "leader": "领导看板", "unit": "本单位首页", "auditor": "审计日志"}
"""The title each role's home page starts with."""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 120_000


@dataclass
class Server:
    """A running ``python -m themeday serve``, when it was started and when it answered."""

    url: str
    process: subprocess.Popen
    started: float
    healthy: float

    def rss_mb(self) -> float:
        """The server process's resident set size (MB)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kb = int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1))
        return kb / 1024


@contextlib.contextmanager
def server(path: Path, timeout: float = 120.0) -> Iterator[Server]:
    """``python -m themeday serve`` on the database at ``path``, healthy."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, DB_ENV_VAR: str(path), "THEMEDAY_COOKIE_KEY": secrets.token_hex(32)}
    log = (path.parent / "streamlit.log").open("ab")
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "themeday", "serve", "--server.port", str(port)]
        + ["--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read().strip() == b"ok":
                        break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the app server did not start")
            time.sleep(0.05)
        yield Server(url, process, started, time.perf_counter())
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def settle(page, quiet: float = 1.0, timeout: float = 120.0) -> float:
    """Wait until the script has not run for ``quiet`` seconds; the moment that idle
    spell began (``time.perf_counter``)."""
    app = page.get_by_test_id("stApp")
    deadline = time.monotonic() + timeout
    idle_since = None
    while time.monotonic() < deadline:
        idle = app.count() and app.get_attribute("data-test-script-state") == "notRunning"
        now = time.perf_counter()
        if not idle:
            idle_since = None
        elif idle_since is None:
            idle_since = now
        elif now - idle_since >= quiet:
            return idle_since
        time.sleep(0.01)
    raise RuntimeError("the app did not become idle")


def open_login(browser, url: str):
    """A new browser profile on the login form, the script idle: (context, page, drawn at)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name="登录").wait_for()
    return context, page, settle(page)


def login(page, username: str) -> float:
    """Log in on an idle login form; seconds from the click to the home page drawn, idle."""
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    started = time.perf_counter()
    page.get_by_role("button", name="登录").click()
    heading = page.get_by_role("heading", name=re.compile(f"^{HOME[username]}"))
    heading.first.wait_for()
    return settle(page) - started


def login_once(browser, url: str, username: str) -> float:
    """Login → home in a fresh browser profile (seconds)."""
    context, page, _ = open_login(browser, url)
    try:
        return login(page, username)
    finally:
        context.close()


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:6.0f} ms (n={len(values)}, " + (
        f"{min(values) * 1000:.0f}–{max(values) * 1000:.0f})"
    )


def measure_starts(browser, path: Path, starts: int) -> list[str]:
    """Server start → login form drawn, and the first login after it (office).

    Split in two: the process start until ``/_stcore/health`` answers (Streamlit's own
    boot), and from then, a browser opening the address until the form is drawn.
    """
    boots, first_pages, first_logins = [], [], []
    for _ in range(starts):
        with server(path) as srv:
            context, page, drawn = open_login(browser, srv.url)
            try:
                boots.append(srv.healthy - srv.started)
                first_pages.append(drawn - srv.healthy)
                first_logins.append(login(page, "office"))
            finally:
                context.close()
    return [
        f"start → server answers:           {_ms(boots)}",
        f"then → first page drawn:          {_ms(first_pages)}",
        f"first login after start (office): {_ms(first_logins)}",
    ]


def measure_logins(browser, path: Path, logins: int) -> list[str]:
    """Login → home per role, on one server warmed by one login per role."""
    lines = []
    with server(path) as srv:
        for username, _, _ in ACCOUNTS:
            login_once(browser, srv.url, username)  # the first one after start is apart
        for username in ("office", "unit", "leader"):
            times = [login_once(browser, srv.url, username) for _ in range(logins)]
            lines.append(f"login → home ({username:6}):           {_ms(times)}")
    return lines


def measure_memory(browser, path: Path, sessions: int) -> list[str]:
    """Server RSS before and after ``sessions`` leaders opened the dashboard and left."""
    with server(path) as srv:
        login_once(browser, srv.url, "leader")  # warm: imports, caches of one session
        time.sleep(2)
        before = srv.rss_mb()
        for _ in range(sessions):
            context, page, _ = open_login(browser, srv.url)
            login(page, "leader")
            context.close()
        peak = srv.rss_mb()
        # Streamlit drops a closed session's state when its websocket closes; give it
        # time, and a fresh login page to run the script once more.
        time.sleep(5)
        context, page, _ = open_login(browser, srv.url)
        context.close()
        time.sleep(5)
        after = srv.rss_mb()
    grown = (after - before) / before * 100
    return [
        f"RSS before {sessions} dashboard sessions: {before:.0f} MB",
        f"RSS right after they closed:       {peak:.0f} MB",
        f"RSS 10 s later:                    {after:.0f} MB ({grown:+.1f}%)",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m themeday.dev.bench_login", description="登录与首屏 benchmark"
    )
    parser.add_argument("--scale", choices=list(SCALES), default="district")
    parser.add_argument("--starts", type=int, default=3, help="server starts (median)")
    parser.add_argument("--logins", type=int, default=5, help="logins per role (median)")
    parser.add_argument("--memory", type=int, default=0, help="dashboard sessions for RSS")
    args = parser.parse_args(argv)
    if not browser_available():
        print(f"needs Playwright and {CHROMIUM}", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        build(path, SCALES[args.scale])
        print(f"scale {args.scale}; load average {_load()}", flush=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                lines = []
                if args.starts:
                    lines += measure_starts(browser, path, args.starts)
                if args.logins:
                    lines += measure_logins(browser, path, args.logins)
                if args.memory:
                    lines += measure_memory(browser, path, args.memory)
            finally:
                browser.close()
        for line in lines:
            print(line, flush=True)
        print(f"load average after: {_load()}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
