"""Fixtures for the browser tests: the app as the README starts it, and Debian's Chromium.

The app runs in a subprocess on a free port with its own DuckDB file (created with
demo data on the first page load) and a random cookie signing key. ``app_server`` is
shared by the tests of a module; ``fresh_app_server`` is a server that no browser
has opened yet, for tests that depend on what Streamlit serves before any session
has called ``st.navigation``.

Playwright cannot download browsers here, so the system Chromium is used. Without it
the tests are skipped locally; with ``CI=true`` they fail instead, because CI must
run them.

When a test fails, a screenshot of its page and the tail of the server log are
attached to the report (the screenshot lies beside the server's DuckDB file, or in
``$THEMEDAY_TEST_ARTIFACTS`` when that is set).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the test module skips; in CI a missing Playwright is an error
    if os.environ.get("CI", "").lower() == "true":
        raise
    expect = sync_playwright = None

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT = 60.0
"""Seconds to wait for ``/_stcore/health`` to answer ``ok``."""
UI_TIMEOUT_MS = 20_000
"""Playwright's wait for an element or an expectation (the first page load seeds the DB)."""


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> None:
    """Skip locally; fail in CI, where the browser tests must run."""
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must run in CI)", pytrace=False)
    pytest.skip(reason)


@dataclass
class AppServer:
    """A running ``streamlit run app.py``."""

    url: str
    process: subprocess.Popen
    workdir: Path
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().decode().strip() == "ok"
    except (OSError, urllib.error.URLError):
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _launch(workdir: Path) -> AppServer:
    """Start the app on a free port and wait until it is healthy.

    Another process may take the port between picking and binding it; then the
    server exits early and the start is retried on a new port.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "THEMEDAY_DB": str(workdir / "x.duckdb"),
        "THEMEDAY_COOKIE_KEY": secrets.token_hex(32),
        "PYTHONUNBUFFERED": "1",
    }
    problem = ""
    for attempt in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log_path = workdir / f"streamlit-{attempt}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "themeday",
                    "serve",  # streamlit run app.py, as the README starts it
                    "--server.port",
                    str(port),
                    "--server.headless",
                    "true",
                    "--browser.gatherUsageStats",
                    "false",
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        server = AppServer(url, process, workdir, log_path)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            if _healthy(url):
                return server
            time.sleep(0.2)
        if process.poll() is None:
            _stop(process)
            problem = f"no 'ok' from {url}/_stcore/health within {STARTUP_TIMEOUT:.0f} s"
            break  # a hung start is not a port clash: do not retry
        problem = f"streamlit exited with code {process.returncode}"
    raise RuntimeError(f"{problem}; server log:\n{server.log_tail()}")


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """One app server for all tests of a module."""
    server = _launch(tmp_path_factory.mktemp("app"))
    yield server
    _stop(server.process)


@pytest.fixture
def fresh_app_server(tmp_path: Path) -> Iterator[AppServer]:
    """A server of its own: nobody has opened ``app.py`` on it yet."""
    server = _launch(tmp_path / "app")
    yield server
    _stop(server.process)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright (never ``playwright install``)."""
    if sync_playwright is None:
        _unavailable("playwright is not installed (pip install -r requirements-dev.txt)")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    expect.set_options(timeout=UI_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    """A new browser profile (no cookies) per test."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    ctx.set_default_timeout(UI_TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """On a failed test, attach a screenshot of its page and the server log tail."""
    report = yield
    if report.when != "call" or not report.failed:
        return report
    funcargs = getattr(item, "funcargs", {})
    server = funcargs.get("fresh_app_server") or funcargs.get("app_server")
    page = funcargs.get("page")
    if page is not None and not page.is_closed():
        folder = os.environ.get("THEMEDAY_TEST_ARTIFACTS")
        target = (
            Path(folder) if folder else (server.workdir if server else Path(tempfile.gettempdir()))
        )
        target.mkdir(parents=True, exist_ok=True)
        shot = target / f"{item.name.replace('/', '_')}.png"
        try:
            page.screenshot(path=str(shot), full_page=True)
            report.sections.append(("browser screenshot", str(shot)))
        except Exception as exc:  # a report helper must not raise
            report.sections.append(("browser screenshot", f"failed: {exc}"))
    if server is not None:
        report.sections.append(("streamlit log (tail)", server.log_tail()))
    return report
