"""Benchmark of the downloads (导出性能测试) on generated data.

    python -m themeday.dev.exports_bench --scale district|city|province [--only 通报] [--traced]

Builds the throwaway database of :mod:`themeday.dev.bench` (a 大祥区-style 2023 campaign),
computes the compliance result once, as the pages do, then builds every download the
office can click: 合规汇总 xlsx and csv, 通报 docx, 督办催办清单 xlsx, 催报名单 xlsx,
全年活动计划 xlsx and docx, the 数据表 view of all activities and the 审计日志 (both
including the read of their rows, which happens on the click). For each it prints the
seconds (median of ``--repeat``; wall clock and this process's CPU time, which
a loaded machine disturbs less), the file size and the growth of the process's
resident memory over its level before the click (sampled every few milliseconds).
``--traced`` adds one more pass under tracemalloc and prints its peak (slower).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from themeday.core import compliance
from themeday.core.audit import AuditFilter, filter_summary
from themeday.core.domain import SYSTEM_ACTOR, SYSTEM_AUDITOR, Actor, Role
from themeday.core.grid import ViewSpec, export_rows, grid_table
from themeday.core.workdays import WorkdayCalendar
from themeday.dev.bench import DEFAULT_AS_OF, SCALES, generate
from themeday.formats.audit_exports import audit_csv, audit_xlsx
from themeday.formats.compliance_exports import (
    chase_items_xlsx,
    circular_docx,
    compliance_csv,
    compliance_xlsx,
)
from themeday.formats.exports import annual_plan_docx, annual_plan_xlsx, chase_list_xlsx, view_xlsx
from themeday.repository import Repository
from themeday.storage import db

_PAGE = os.sysconf("SC_PAGE_SIZE")
AUDIT_LIMIT = 50_000  # the 审计日志 page exports at most this many rows
VIEW_LIMIT = 100_000  # and the 数据表 page this many


@dataclass(frozen=True)
class Measure:
    """One export: median seconds, file size, resident growth and (optional) traced peak."""

    name: str
    seconds: float
    cpu_seconds: float
    size: int
    rss_growth_mb: float
    traced_peak_mb: float | None

    def line(self) -> str:
        traced = "" if self.traced_peak_mb is None else f"  traced {self.traced_peak_mb:7.1f} MB"
        return (
            f"{self.name:<18}{self.seconds:>9.3f} s  (CPU {self.cpu_seconds:7.3f} s)"
            f"  {self.size / 2**20:>7.2f} MB file"
            f"  RSS +{self.rss_growth_mb:7.1f} MB{traced}"
        )


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE


class _RssPeak:
    """Samples the resident size in a thread while a block runs; ``growth`` in bytes."""

    def __enter__(self) -> _RssPeak:
        gc.collect()
        self.base = self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def growth(self) -> int:
        return self.peak - self.base


def exports(repo: Repository, as_of: date) -> dict[str, Callable[[], bytes]]:
    """The downloads by name, each a callable doing what its click does."""
    office = Actor(SYSTEM_ACTOR.user_id, "office", Role.OFFICE)
    campaign = repo.catalogue.get_campaign(SYSTEM_ACTOR, 1)
    calendar = WorkdayCalendar(repo.catalogue.list_workday_overrides(SYSTEM_ACTOR))
    result = compliance.compute(
        repo.compliance.compliance_facts(SYSTEM_ACTOR, campaign.id), campaign.rules, calendar, as_of
    )
    items = compliance.open_items(result, repo.compliance.list_chases(office, campaign.id))
    plan = repo.declarations.list_plan(office, campaign.id)
    missing_ids = set(result.units.loc[result.units["declaration_status"] == "missing", "unit_id"])
    missing = [u for u in repo.catalogue.list_units(office) if u.id in missing_ids]
    table = grid_table("activities")
    fields = list(table.visible)
    labels = [table.field(f).label for f in fields]
    filters = AuditFilter()

    def view() -> bytes:
        rows = repo.grid.grid_rows(office, table.key, ViewSpec(), 0, VIEW_LIMIT).rows
        return view_xlsx("活动（导出）", labels, export_rows(table, rows, fields))

    return {
        "合规汇总 xlsx": lambda: compliance_xlsx(result, campaign),
        "合规汇总 csv": lambda: compliance_csv(result, "activities"),
        "通报 docx": lambda: circular_docx(result, campaign),
        "催办清单 xlsx": lambda: chase_items_xlsx(items, campaign, as_of),
        "催报名单 xlsx": lambda: chase_list_xlsx(campaign, missing, as_of, calendar),
        "活动计划 xlsx": lambda: annual_plan_xlsx(campaign, plan),
        "活动计划 docx": lambda: annual_plan_docx(campaign, plan),
        "数据表 view xlsx": view,
        "审计日志 xlsx": lambda: audit_xlsx(
            repo.oversight.search_audit(SYSTEM_AUDITOR, filters, AUDIT_LIMIT),
            filter_summary(filters),
        ),
        "审计日志 csv": lambda: audit_csv(
            repo.oversight.search_audit(SYSTEM_AUDITOR, filters, AUDIT_LIMIT)
        ),
    }


def measure(name: str, build: Callable[[], bytes], repeat: int, traced: bool) -> Measure:
    """Time ``build`` ``repeat`` times; the first run also gives the resident growth."""
    times, cpu, size, growth = [], [], 0, 0
    for index in range(max(repeat, 1)):
        with _RssPeak() as rss:
            started, cpu_started = time.perf_counter(), time.process_time()
            data = build()
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        size = len(data)
        del data
        if index == 0:
            growth = rss.growth
    peak = None
    if traced:
        gc.collect()
        tracemalloc.start()
        build()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return Measure(
        name, statistics.median(times), statistics.median(cpu), size, growth / 2**20, peak
    )


def run(
    units: int,
    activities: int,
    *,
    repeat: int = 1,
    traced: bool = False,
    only: str = "",
    profile: Path | None = None,
    as_of: date = DEFAULT_AS_OF,
    directory: Path | None = None,
) -> list[str]:
    """Generate the data, build each export; one printable line per figure."""
    lines: list[str] = []
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        con = db.connect(Path(tmp) / "bench.duckdb")
        try:
            generate(con, units, activities)
            repo = Repository(db.cursor(con))
            builders = exports(repo, as_of)
            lines.append(
                f"{units:,} units, {activities:,} activities, as of {as_of.isoformat()};"
                f" resident before the exports {_rss() / 2**20:.0f} MB"
            )
            for name, build in builders.items():
                if only and only not in name:
                    continue
                if profile is not None:
                    profiler = cProfile.Profile()
                    profiler.runcall(build)
                    stats = pstats.Stats(profiler)
                    stats.dump_stats(profile / f"{name.replace(' ', '_')}.prof")
                lines.append(measure(name, build, repeat, traced).line())
        finally:
            con.close()
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m themeday.dev.exports_bench", description="导出性能测试 (exports benchmark)"
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--units", type=int, help="overrides the scale's units")
    parser.add_argument("--activities", type=int, help="overrides the scale's activities")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--traced", action="store_true", help="also the tracemalloc peak")
    parser.add_argument("--only", default="", help="only the exports whose name contains this")
    parser.add_argument("--profile", type=Path, help="write a cProfile file per export here")
    args = parser.parse_args(argv)
    units, activities = SCALES[args.scale]
    units = args.units or units
    activities = args.activities or activities
    for line in run(
        units,
        activities,
        repeat=args.repeat,
        traced=args.traced,
        only=args.only,
        profile=args.profile,
    ):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
