"""Page benchmark (页面性能测试): every page × role rerun on generated data, and login.

    python -m themeday.dev.bench pages --scale district|city|province [--repeat 5]

Builds a throwaway database with :func:`themeday.dev.bench.generate` at the scale's size,
adds the accounts ``office``, ``leader``, ``unit`` (of the first unit) and ``auditor``
(the 审计日志 is the auditor's page alone), and then for
every page each role's navigation offers:

- reruns the page with ``streamlit.testing.v1.AppTest`` (the sidebar's 活动年度 picker and
  banner as ``app.py`` draws them, then the page through ``st.navigation``), interleaved
  with an empty page (``st.write("x")``) measured in the same run, and prints the median
  rerun, its ratio to the empty page's and to the page's **SQL floor**: the time spent
  inside the repository's reads during that rerun (every public ``Repository`` method is
  wrapped with a timer while the bench runs; nested calls count once);
- then, when Chromium and Playwright are installed, starts ``python -m themeday serve`` on the
  same database and times login → the role's home drawn (the script idle), the first
  login after the server start apart from the median of the next ones;
- then the exports' benchmark, when the project has one (``themeday.dev.exports_bench``).

The app's login gate (the cookie component) is not part of the AppTest reruns: the
Chromium figures carry it.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
import inspect
import os
import statistics
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from themeday.core.config import DB_ENV_VAR, PROJECT_ROOT
from themeday.core.domain import SYSTEM_ACTOR, Role
from themeday.dev.bench import SCALES as DATA_SCALES
from themeday.dev.bench import generate
from themeday.repository import FAMILIES, Repository
from themeday.services.auth import hash_password
from themeday.storage import db

PASSWORD = "Bench@2026"
CHROMIUM = Path("/usr/bin/chromium")


@dataclass(frozen=True)
class Scale:
    """How much data a run builds."""

    name: str
    units: int
    activities: int
    extra_audit: int = 0
    """Audit rows added on top of those the generated lifecycle writes."""


EXTRA_AUDIT = {"province": 1_000_000}
"""A province's audit log after a year: a million rows beyond the generated lifecycle."""

SCALES = {
    name: Scale(name, units, activities, EXTRA_AUDIT.get(name, 0))
    for name, (units, activities) in DATA_SCALES.items()
}

ACCOUNTS = (
    ("office", "政务公开办", Role.OFFICE),
    ("leader", "领导", Role.LEADER),
    ("unit", "单位填报员", Role.UNIT),
    ("auditor", "审计管理员", Role.AUDITOR),
)

HOST = """
import streamlit as st

from pages import sections_for
from themeday.core.domain import Role
from themeday.ui.resources import repository
from themeday.ui.widgets import campaign_banner, campaign_selector

repo = repository()
user = repo.accounts.user_by_id(st.session_state["themeday.user_id"])
if user.role != Role.AUDITOR:
    campaign_banner(campaign_selector(repo, user.as_actor()))
wanted = st.session_state["bench.path"]
page = next(p for p in sections_for(user)["工作"] if p.url_path == wanted)
st.navigation([page], position="hidden").run()
"""
"""One page of a role's navigation, drawn as ``app.py`` draws it for a logged-in user."""

EMPTY = 'import streamlit as st\n\nst.write("x")\n'


@dataclass
class PageResult:
    """Median rerun times of one page for one role (seconds)."""

    role: str
    path: str
    title: str
    seconds: float | None
    empty_seconds: float
    sql_seconds: float | None
    error: str = ""

    def line(self) -> str:
        name = _pad(f"{self.title} ({self.role})", 24)
        if self.seconds is None:
            return f"{name} {'—':>10}  {self.error}"
        sql = self.sql_seconds or 0.0
        ratio_sql = f"{self.seconds / sql:>7.1f}×" if sql > 0 else f"{'—':>8}"
        return (
            f"{name} {self.seconds * 1000:>8.0f} ms {self.seconds / self.empty_seconds:>7.0f}×"
            f" {sql * 1000:>8.0f} ms {ratio_sql}" + (f"  {self.error}" if self.error else "")
        )


@dataclass
class LoginResult:
    """Login → home in Chromium for one role (seconds)."""

    role: str
    first: float
    median: float
    runs: int

    def line(self) -> str:
        return (
            f"{self.role:<8} first {self.first:>6.2f} s   median of the next {self.runs}:"
            f" {self.median:>6.2f} s"
        )


@dataclass
class Report:
    """Everything one run measured."""

    scale: Scale
    repeat: int
    pages: list[PageResult] = field(default_factory=list)
    logins: list[LoginResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        s = self.scale
        out = [
            f"scale {s.name}: {s.units:,} units, {s.activities:,} activities"
            + (f", {s.extra_audit:,} extra audit rows" if s.extra_audit else "")
            + f"; medians of {self.repeat} reruns; load average {_load()}",
            f"{'page (role)':<24} {'rerun':>11} {'×empty':>8} {'SQL floor':>11} {'×SQL':>8}",
        ]
        out += [r.line() for r in self.pages]
        if self.pages:
            empty = statistics.median(r.empty_seconds for r in self.pages)
            out.append(f"{'empty page':<24} {empty * 1000:>8.1f} ms (median over the run)")
        if self.logins:
            out.append("login → home drawn in Chromium:")
            out += ["  " + r.line() for r in self.logins]
        out += self.notes
        return out


def _pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (a Chinese character takes two)."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - shown, 0)


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


# ------------------------------------------------------------------ the data
def build(path: Path, scale: Scale, seed: int = 7) -> None:
    """Generate the scale's data into a new database file, with the bench's accounts."""
    con = db.connect(path)
    try:
        generate(con, scale.units, scale.activities, seed, extra_audit=scale.extra_audit)
        repo = Repository(db.cursor(con))
        password_hash = hash_password(PASSWORD)
        for username, name, role in ACCOUNTS:
            repo.accounts.create_user(
                SYSTEM_ACTOR,
                username=username,
                display_name=name,
                role=role,
                unit_id=1 if role == Role.UNIT else None,
                password_hash=password_hash,
                must_change_password=False,
            )
        repo.set_meta("demo", "0")
        repo.set_meta("initialised", "bench")
        con.execute("CHECKPOINT")
    finally:
        con.close()


# ------------------------------------------------------------------ the SQL floor
class ReadTimer:
    """Time spent inside the repository's public methods (outermost calls only)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        self._lock = threading.Lock()
        self._depth = threading.local()

    def reset(self) -> float:
        with self._lock:
            spent, self.seconds, self.calls = self.seconds, 0.0, 0
        return spent

    def wrap(self, method: Callable) -> Callable:
        @functools.wraps(method)
        def timed(*args, **kwargs):
            depth = getattr(self._depth, "n", 0)
            self._depth.n = depth + 1
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self._depth.n = depth
                if depth == 0:
                    spent = time.perf_counter() - started
                    with self._lock:
                        self.seconds += spent
                        self.calls += 1

        return timed


@contextlib.contextmanager
def timed_repository() -> Iterator[ReadTimer]:
    """Wrap every public method of :class:`Repository` and of its table families
    (``repo.declarations``, ...) with a :class:`ReadTimer`."""
    timer = ReadTimer()
    wrapped: list[tuple[type, str, Callable | None]] = []
    for cls in (Repository, *FAMILIES.values()):
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_") or isinstance(
                inspect.getattr_static(cls, name), staticmethod | classmethod
            ):
                continue
            wrapped.append((cls, name, cls.__dict__.get(name)))
            setattr(cls, name, timer.wrap(member))
    try:
        yield timer
    finally:
        for cls, name, own in wrapped:
            if own is not None:
                setattr(cls, name, own)
            else:
                delattr(cls, name)  # inherited from a base class again


# ------------------------------------------------------------------ reruns
LIST_PAGES = """
import streamlit as st

from pages import sections_for
from themeday.ui.resources import repository

for username in st.session_state["bench.users"]:
    user = repository().accounts.login_record(username).user
    for page in sections_for(user)["工作"]:
        st.text(f"{username}|{page.url_path}|{page.title}|{user.id}")
"""
"""Each role's work pages, as ``app.py``'s navigation offers them (``st.Page`` needs a run)."""


def _navigation(AppTest, timeout: float) -> dict[str, list[tuple[str, str, int]]]:
    """Each role's work pages: (url path, title, user id)."""
    at = AppTest.from_string(LIST_PAGES, default_timeout=timeout)
    at.session_state["bench.users"] = [username for username, _, _ in ACCOUNTS]
    at.run()
    out: dict[str, list[tuple[str, str, int]]] = {}
    for element in at.text:
        username, url_path, title, user_id = element.value.split("|")
        out.setdefault(username, []).append((url_path, title, int(user_id)))
    return out


def measure_pages(
    path: Path, repeat: int, timeout: float, progress: Callable[[str], None] | None = None
) -> list[PageResult]:
    """Median rerun of every page × role, interleaved with the empty page; each result's
    line goes to ``progress`` as soon as it is measured."""
    from streamlit.testing.v1 import AppTest

    from themeday.ui.resources import _connection

    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))  # the host script imports ``pages``
    results = []
    os.environ[DB_ENV_VAR] = str(path)
    try:
        navigation = _navigation(AppTest, timeout)
        with timed_repository() as timer:
            empty = AppTest.from_string(EMPTY, default_timeout=timeout).run()
            for role, pages in navigation.items():
                for url_path, title, user_id in pages:
                    result = _measure_one(
                        AppTest, empty, timer, role, url_path, title, user_id, repeat
                    )
                    results.append(result)
                    if progress is not None:
                        progress(result.line())
    finally:
        with contextlib.suppress(Exception):
            _connection(str(path)).close()
        _connection.clear()
    return results


def _measure_one(AppTest, empty, timer, role, url_path, title, user_id, repeat) -> PageResult:
    at = AppTest.from_string(HOST, default_timeout=empty.default_timeout)
    at.session_state["themeday.user_id"] = user_id
    at.session_state["bench.path"] = url_path
    page_times, empty_times, sql_times = [], [], []
    try:
        at.run()  # the first run imports and warms up: not counted
        for _ in range(max(repeat, 1)):
            started = time.perf_counter()
            empty.run()
            empty_times.append(time.perf_counter() - started)
            timer.reset()
            started = time.perf_counter()
            at.run()
            page_times.append(time.perf_counter() - started)
            sql_times.append(timer.reset())
    except RuntimeError as exc:  # AppTest's timeout
        return PageResult(role, url_path, title, None, _median(empty_times), None, str(exc))
    error = ""
    if at.exception:
        error = "error: " + str(at.exception[0].message)[:80]
    return PageResult(
        role,
        url_path,
        title,
        statistics.median(page_times),
        statistics.median(empty_times),
        statistics.median(sql_times),
        error,
    )


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# ------------------------------------------------------------------ login in Chromium
def browser_available() -> bool:
    """Chromium and Playwright are installed."""
    return CHROMIUM.exists() and importlib.util.find_spec("playwright") is not None


def measure_logins(path: Path, runs: int) -> tuple[float, list[LoginResult]]:
    """The first page after the server start (the login form drawn), then login → the
    role's home drawn, per role, each from a fresh browser profile (the browser steps of
    :mod:`themeday.dev.bench_login`)."""
    from playwright.sync_api import sync_playwright

    from themeday.dev.bench_login import CHROMIUM_ARGS, login_once, open_login, server

    results = []
    with server(path) as srv, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context, _, drawn = open_login(browser, srv.url)
            first_page = drawn - srv.started
            context.close()
            for username, _, _ in ACCOUNTS:
                times = [login_once(browser, srv.url, username) for _ in range(max(runs, 1) + 1)]
                results.append(
                    LoginResult(username, times[0], statistics.median(times[1:]), len(times) - 1)
                )
        finally:
            browser.close()
    return first_page, results


# ------------------------------------------------------------------ the run
def run(
    scale: Scale,
    *,
    repeat: int = 5,
    timeout: float = 600.0,
    logins: int = 3,
    browser: bool = True,
    exports: bool = True,
    directory: Path | None = None,
    progress: Callable[[str], None] | None = None,
    data: Path | None = None,
) -> Report:
    """Build the data, time every page × role, then logins and exports when available.

    With ``data``, the database is that file: built there when it does not exist yet,
    reused as it is when it does (a province takes minutes to build on a busy machine).
    The reruns write nothing; the logins add their sessions and audit rows to it.
    """
    report = Report(scale, repeat)
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        path = Path(tmp) / "bench.duckdb"
        if data is not None:
            path = Path(data)
            if not path.exists():
                build(path, scale)
            else:
                report.notes.append(f"data: reused {path.name} (built earlier)")
        else:
            build(path, scale)
        report.pages = measure_pages(path, repeat, timeout, progress)
        if browser and browser_available():
            try:
                first_page, report.logins = measure_logins(path, logins)
                report.notes.append(
                    f"first page after the server start (login form drawn): {first_page:.2f} s"
                )
            except Exception as exc:  # the reruns' figures still count
                problem = f"{type(exc).__name__}: {exc}"[:240]
                report.notes.append(f"login in Chromium: failed ({problem})")
        elif browser:
            report.notes.append("login in Chromium: skipped (no /usr/bin/chromium or Playwright)")
        if exports:
            report.notes += _exports(scale)
    return report


def _exports(scale: Scale) -> list[str]:
    """The exports' own benchmark (its times and memory), when the project has one."""
    if importlib.util.find_spec("themeday.dev.exports_bench") is None:
        return ["exports: skipped (no exports benchmark in this version)"]
    module = importlib.import_module("themeday.dev.exports_bench")
    return ["exports:", *("  " + line for line in module.run(scale.units, scale.activities))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m themeday.dev.bench pages", description="页面性能测试 (page benchmark)"
    )
    add_arguments(parser)
    return run_from(parser.parse_args(argv))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``pages`` sub-command's options."""
    parser.add_argument("--scale", choices=list(SCALES), default="district")
    parser.add_argument("--repeat", type=int, default=5, help="reruns per page (median)")
    parser.add_argument("--logins", type=int, default=3, help="logins per role after the first")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per rerun")
    parser.add_argument("--no-browser", action="store_true", help="skip login in Chromium")
    parser.add_argument("--no-exports", action="store_true", help="skip the exports benchmark")
    parser.add_argument(
        "--data",
        type=Path,
        help="database file: built there if missing, reused if present (same scale)",
    )


def run_from(args: argparse.Namespace) -> int:
    """Run the page benchmark for parsed arguments and print its report."""
    report = run(
        SCALES[args.scale],
        repeat=args.repeat,
        timeout=args.timeout,
        logins=args.logins,
        browser=not args.no_browser,
        exports=not args.no_exports,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
        data=args.data,
    )
    for line in report.lines():
        print(line, flush=True)
    return 0
