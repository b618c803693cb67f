"""数据表 benchmark: the grid's views on a province-sized campaign.

``python -m themeday.dev.bench_grid [--units 8000] [--activities 40000] [--repeat 5]``

``python -m themeday.dev.bench_grid --browser [--data FILE] [--repeat 5]`` times the page
in Chromium instead: a bookmarked saved view opened, and a filter changed
(:mod:`themeday.dev.bench_grid_browser`).

Builds the same throwaway database as :mod:`themeday.dev.bench`, then times, for the office
and for one unit, what the 数据表 page runs on each rerun: the count and one page of
rows under a view (filter, sort, group, search), the group counts, and reading a whole
view for an export. Each figure is the median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from themeday.core.domain import SYSTEM_ACTOR, Actor, Role
from themeday.core.grid import Condition, SortKey, ViewSpec, export_rows, grid_table
from themeday.dev.bench import generate
from themeday.dev.bench_pages import SCALES
from themeday.formats.exports import view_xlsx
from themeday.repository import Repository
from themeday.storage import db

VIEWS: dict[str, ViewSpec] = {
    "全部，第 1 页": ViewSpec(),
    "计划月份 = 10，按日期倒序": ViewSpec(
        conditions=(Condition("planned_month", "eq", 10),),
        sort=(SortKey("activity_date", True),),
    ),
    "按单位分组": ViewSpec(group_by="unit_name"),
    "搜索“政策”或状态为已开展": ViewSpec(
        search="政策",
        conditions=(Condition("status", "in", ["已开展", "总结已报送"]),),
        match_all=False,
    ),
}


def _median(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(units: int, activities: int, repeat: int, seed: int = 7) -> list[str]:
    """Generate the data, time each view; one printable line per figure."""
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        con = db.connect(Path(tmp) / "bench.duckdb")
        try:
            generate(con, units, activities, seed)
            repo = Repository(db.cursor(con))
            office = Actor(SYSTEM_ACTOR.user_id, "office", Role.OFFICE)
            unit = Actor(0, "unit", Role.UNIT, unit_id=1)
            total = repo.grid.grid_rows(office, "activities", ViewSpec(), 0, 1).total
            lines.append(f"{units} units, {total} activities")
            middle = max(0, total // 2)
            for label, spec in VIEWS.items():
                page = _median(
                    lambda s=spec: repo.grid.grid_rows(office, "activities", s, middle, 100), repeat
                )
                lines.append(
                    f"office · {label} · 100 rows at offset {middle}: {page * 1000:.0f} ms"
                )
                if spec.group_by:
                    groups = _median(
                        lambda s=spec: repo.grid.grid_groups(office, "activities", s), repeat
                    )
                    lines.append(f"office · {label} · group counts: {groups * 1000:.0f} ms")
                mine = _median(
                    lambda s=spec: repo.grid.grid_rows(unit, "activities", s, 0, 100), repeat
                )
                lines.append(f"unit · {label} · first 100 rows: {mine * 1000:.0f} ms")
            table = grid_table("activities")
            fields = list(table.visible)

            def export() -> bytes:
                rows = repo.grid.grid_rows(office, "activities", ViewSpec(), 0, 100_000).rows
                return view_xlsx(
                    "活动", [table.field(f).label for f in fields], export_rows(table, rows, fields)
                )

            lines.append(f"office · export of all {total} rows as xlsx: {_median(export, 1):.1f} s")
        finally:
            con.close()
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m themeday.dev.bench_grid", description="数据表性能测试 (grid benchmark)"
    )
    parser.add_argument("--units", type=int, default=8000)
    parser.add_argument("--activities", type=int, default=40000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--browser", action="store_true", help="在 Chromium 中打开书签视图并切换筛选（计时）"
    )
    parser.add_argument(
        "--data", type=Path, help="--browser: 已生成的数据库文件（复制后使用，原文件不改动）"
    )
    parser.add_argument(
        "--scale",
        choices=list(SCALES),
        default="province",
        help="--browser 且未给 --data 时新生成的数据规模",
    )
    args = parser.parse_args(argv)
    if args.browser:
        from themeday.dev.bench_grid_browser import run as run_browser

        return run_browser(args.data, args.scale, args.repeat)
    for line in run(args.units, args.activities, args.repeat):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
