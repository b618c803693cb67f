"""Page reruns with and without the shared caches: ``python -m themeday.dev.bench_cache``.

    python -m themeday.dev.bench_cache [--units 8000] [--activities 40000] [--reruns 5]
                                   [--profile] [--sessions 10]

Builds the compliance benchmark's data (``themeday.dev.bench.generate``) in a throwaway
DuckDB file, adds an office, a leader and unit accounts, and runs each of the pages
that read the compliance result in Streamlit's AppTest, as the app would: one first
run, then ``--reruns`` reruns, for every role that opens it. Each page × role is
measured twice, interleaved: with the caches switched off (every rerun recomputes, as
before issue 14) and on (the first run fills them, the reruns read them). An empty
page (``st.write("x")``) is timed in the same run as the floor. ``--profile`` prints
the top of a cProfile of one rerun each way.

Then the memory check: the process's resident size before and after ``--sessions``
sessions (the leader's dashboard and as many units' home pages) opened and closed.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from themeday.core import caching
from themeday.core.config import PROJECT_ROOT
from themeday.core.domain import SYSTEM_ACTOR, Role
from themeday.dev import bench
from themeday.repository import Repository
from themeday.services.auth import hash_password
from themeday.storage import db

if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))  # the host script imports ``pages``

HOST = (  # the profiler, when given, runs on the script's own thread
    "import importlib\n"
    "import streamlit as st\n"
    "profiler = st.session_state.get('profiler')\n"
    "if profiler:\n"
    "    profiler.enable()\n"
    "try:\n"
    "    importlib.import_module(f\"pages.{st.session_state['page']}\").render()\n"
    "finally:\n"
    "    if profiler:\n"
    "        profiler.disable()\n"
)
EMPTY = 'import streamlit as st\nst.write("x")\n'
PAGES = (
    ("leader_dashboard", "leader"),
    ("leader_dashboard", "office"),
    ("activity_boards", "office"),
    ("activity_boards", "unit"),
    ("chase_board", "office"),
    ("assessment_summary", "office"),
    ("unit_home", "unit"),
)
TIMEOUT = 600


def rss_mb() -> float:
    """The process's resident size now (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build(directory: Path, units: int, activities: int, unit_accounts: int) -> dict[str, int]:
    """The benchmark database with accounts; returns username → user id."""
    con = db.connect(directory / "bench.duckdb")
    bench.generate(con, units, activities)
    repo = Repository(db.cursor(con))
    password = hash_password("Bench-2026-pass")
    ids = {}
    for username, role in (("office", Role.OFFICE), ("leader", Role.LEADER)):
        ids[username] = repo.accounts.create_user(
            SYSTEM_ACTOR,
            username=username,
            display_name=username,
            role=role,
            unit_id=None,
            password_hash=password,
            must_change_password=False,
        )
    unit_ids = [u.id for u in repo.catalogue.list_units(SYSTEM_ACTOR)][:unit_accounts]
    for n, unit_id in enumerate(unit_ids):
        name = "unit" if n == 0 else f"unit{n}"
        ids[name] = repo.accounts.create_user(
            SYSTEM_ACTOR,
            username=name,
            display_name=name,
            role=Role.UNIT,
            unit_id=unit_id,
            password_hash=password,
            must_change_password=False,
        )
    con.close()
    return ids


def app(page: str | None, user_id: int | None) -> AppTest:
    at = AppTest.from_string(HOST if page else EMPTY, default_timeout=TIMEOUT)
    if page:
        at.session_state["page"] = page
        at.session_state["themeday.user_id"] = user_id
    return at


def timed(at: AppTest) -> float:
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    return elapsed


def _clear() -> None:
    caching.clear_all()


def _mode(cached: bool):
    return caching.disabled() if not cached else _nothing()


def measure(
    page: str | None, user_id: int | None, reruns: int, cached: bool
) -> tuple[float, float]:
    """(first run, median rerun) in seconds."""
    _clear()
    with _mode(cached):
        at = app(page, user_id)
        first = timed(at)
        times = [timed(at) for _ in range(reruns)]
    return first, statistics.median(times)


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def profile(page: str, user_id: int, cached: bool, top: int = 12) -> str:
    _clear()
    with _mode(cached):
        at = app(page, user_id)
        at.run()
        profiler = cProfile.Profile()
        at.session_state["profiler"] = profiler
        at.run()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="缓存前后的页面重跑耗时")
    parser.add_argument("--units", type=int, default=8000)
    parser.add_argument("--activities", type=int, default=40000)
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        ids = build(Path(tmp), args.units, args.activities, max(args.sessions, 1))
        print(
            f"built {args.units} units / {args.activities} activities "
            f"in {time.perf_counter() - started:.1f} s; load {os.getloadavg()[0]:.1f}"
        )
        os.environ["THEMEDAY_DB"] = str(Path(tmp) / "bench.duckdb")
        os.environ["THEMEDAY_COOKIE_KEY"] = "bench-cookie-key"

        _, empty = measure(None, None, args.reruns, True)
        print(f"empty page rerun: {empty * 1000:.0f} ms")
        print(
            f"{'page':<20} {'role':<7} {'before first':>12} {'before rerun':>12}"
            f" {'after first':>12} {'after rerun':>12}"
        )
        for page, role in PAGES:
            before = measure(page, ids[role], args.reruns, False)
            after = measure(page, ids[role], args.reruns, True)
            print(
                f"{page:<20} {role:<7} {before[0]:>11.2f}s {before[1]:>11.3f}s"
                f" {after[0]:>11.2f}s {after[1]:>11.3f}s",
                flush=True,
            )
        if args.profile:
            for page, role in PAGES:
                for cached in (False, True):
                    print(f"--- {page} ({role}) {'cached' if cached else 'uncached'}")
                    print(profile(page, ids[role], cached))

        _clear()
        gc.collect()
        warm = app("leader_dashboard", ids["leader"])
        warm.run()
        del warm
        gc.collect()
        baseline = rss_mb()
        for n in range(args.sessions):
            for page, name in (("leader_dashboard", "leader"), ("unit_home", f"unit{n or ''}")):
                at = app(page, ids[name])
                at.run()
                del at
        gc.collect()
        after = rss_mb()
        entries = sum(len(c) for c in caching.CACHES)
        print(
            f"RSS before {args.sessions} sessions {baseline:.0f} MB, after they closed"
            f" {after:.0f} MB ({after - baseline:+.0f} MB; {entries} cache entries)"
        )
        _clear()
        gc.collect()
        print(f"RSS after clearing the caches {rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
