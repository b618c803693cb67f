"""数据表 in Chromium: a bookmarked saved view opened, and a filter changed (issue 14).

    python -m themeday.dev.bench_grid --browser [--data FILE] [--repeat 5]

Works on a copy of ``--data`` (a database built by :func:`themeday.dev.bench_pages.build`,
e.g. at the province scale; the file itself is never opened for writing), or on a new
database of ``--scale`` when no file is given. Before the server starts, the office
saves a view of 活动 through the service (:func:`themeday.services.workspace.save_view`):
计划月份 = 10 and 活动状态 ≠ 已取消, sorted by 单位名称 descending then 编号, 50 rows a
page. Then ``python -m themeday serve`` runs on the copy (:func:`themeday.dev.bench_login.server`)
and, in Debian's Chromium at 1366×768, logged in once as ``office``:

- **bookmark → rows**: ``/grid?table=activity&view=<id>`` loaded, timed from the
  navigation's start until the grid's first row holds the view's first record and
  共 N 条记录 its count (checked on every animation frame), and until the script is
  idle; where the first row's top lies on the screen, and the page size shown;
- **filter change → rows**: in the opened view, 计划月份's value switched between 9
  and 10 (typed, then Enter), timed from Enter to the new first record and count drawn,
  and to the script idle.

The first of each is printed apart (the server's first open of the view, the first
filter change of the session), then the median of ``--repeat`` more. The machine's load
average is printed with them: on a shared machine the figures are upper bounds.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from themeday.core.grid import Condition, SortKey, ViewSpec
from themeday.dev.bench_login import CHROMIUM_ARGS, TIMEOUT_MS, _load, _ms, login, open_login
from themeday.dev.bench_login import server as app_server
from themeday.dev.bench_login import settle as script_idle
from themeday.dev.bench_pages import CHROMIUM, SCALES, browser_available, build
from themeday.repository import Repository
from themeday.services import workspace
from themeday.storage import db

WIDTH, HEIGHT = 1366, 768
"""The window the budget names: the first row must lie inside it."""
VIEW_NAME = "十月未取消的活动（按单位倒序）"
MONTHS = (10, 9)
"""The saved view's 计划月份, then the value a filter change switches to (and back)."""
PAGE_SIZE = 50
"""Not the page's default (100): the view must keep it."""
HEADER_HEIGHT = 36
"""The grid's header row (px), above its first data row."""


def view(month: int) -> ViewSpec:
    """The benchmark's view with 计划月份 = ``month``."""
    return ViewSpec(
        conditions=(
            Condition("planned_month", "eq", month),
            Condition("status", "ne", "cancelled"),
        ),
        sort=(SortKey("unit_name", True), SortKey("id")),
        page_size=PAGE_SIZE,
    )


@dataclass(frozen=True)
class Expected:
    """What the grid shows for one month: its first record and its count."""

    first_id: int
    total: int


def prepare(path: Path) -> tuple[int, dict[int, Expected]]:
    """Save the office's view into the database at ``path``; its id and, per month,
    the rows the grid must show."""
    con = db.connect(path)
    try:
        repo = Repository(db.cursor(con))
        record = repo.accounts.login_record("office")
        if record is None:
            raise SystemExit("the database has no 'office' account (build it with bench_pages)")
        office = record.user.as_actor()
        view_id = workspace.save_view(repo, office, "activities", VIEW_NAME, view(MONTHS[0]))
        expected = {}
        for month in MONTHS:
            page = repo.grid.grid_rows(office, "activities", view(month), 0, PAGE_SIZE)
            if page.rows.empty:
                raise SystemExit(f"no activities planned for month {month}: nothing to time")
            expected[month] = Expected(int(page.rows.iloc[0]["id"]), page.total)
        con.execute("CHECKPOINT")
        return view_id, expected
    finally:
        con.close()


DRAWN = """([first, total]) => {
  const grid = [...document.querySelectorAll('[data-testid="stDataFrame"]')]
    .find((g) => g.textContent.includes("活动日期"));
  if (!grid) return false;
  const names = [...grid.querySelectorAll('th[role="columnheader"]')]
    .map((th) => th.textContent.trim());
  const column = names.indexOf("编号");
  const cell = column < 0 ? null : grid.querySelector(`td#glide-cell-${column}-0`);
  if (!cell || cell.textContent.replace(/[,\\s]/g, "") !== first) return false;
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  return main.textContent.includes(`共 ${total} 条记录`);
}"""
"""True once the grid's first row holds record ``first`` and the count reads ``total``."""


def _rows_drawn(page, expected: Expected) -> float:
    """Wait (checking every frame) until ``expected`` is drawn; the moment it was."""
    page.wait_for_function(
        DRAWN, arg=[str(expected.first_id), expected.total], polling="raf", timeout=TIMEOUT_MS
    )
    return time.perf_counter()


def open_bookmark(page, address: str, expected: Expected) -> tuple[float, float]:
    """Load ``address``; seconds until its rows are drawn, and until the script is idle."""
    page.goto("about:blank")
    started = time.perf_counter()
    page.goto(address, wait_until="commit")
    drawn = _rows_drawn(page, expected)
    return drawn - started, script_idle(page) - started


def change_filter(page, month: int, expected: Expected) -> tuple[float, float]:
    """Type ``month`` as 计划月份's value and press Enter; seconds until the new rows are
    drawn, and until the script is idle."""
    box = page.get_by_role("textbox", name="值", exact=True).first
    box.fill(str(month))
    started = time.perf_counter()
    box.press("Enter")
    drawn = _rows_drawn(page, expected)
    return drawn - started, script_idle(page) - started


def _first_row_top(page) -> float:
    grid = page.get_by_test_id("stDataFrame").filter(has_text="活动日期").first
    box = grid.bounding_box()
    return float("nan") if box is None else box["y"] + HEADER_HEIGHT


def measure(browser, url: str, view_id: int, expected: dict[int, Expected], repeat: int):
    """The timed steps in one browser profile logged in as office; printable lines."""
    address = f"{url}/grid?table=activity&view={view_id}"
    saved = expected[MONTHS[0]]
    context, page, _ = open_login(browser, url)  # a 1366×768 window
    try:
        login(page, "office")
        first_open = open_bookmark(page, address, saved)
        opens = [open_bookmark(page, address, saved) for _ in range(max(repeat, 1))]
        top = _first_row_top(page)
        size = page.get_by_role("combobox", name="每页行数", exact=True).input_value()
        page.get_by_text("筛选、排序与分组").first.click()
        script_idle(page)
        changes = []
        month = MONTHS[0]
        for _ in range(max(repeat, 1) + 1):
            month = MONTHS[1] if month == MONTHS[0] else MONTHS[0]
            changes.append(change_filter(page, month, expected[month]))
    finally:
        context.close()
    first_change, changes = changes[0], changes[1:]
    return [
        f"view: {saved.total} of the activities, {PAGE_SIZE} a page; first row top at"
        f" {top:.0f} px of {HEIGHT} ({'above' if top + 1 < HEIGHT else 'BELOW'} the fold);"
        f" page size shown {size}",
        f"bookmark → rows, first after start: {first_open[0] * 1000:.0f} ms"
        f" (idle {first_open[1] * 1000:.0f} ms)",
        f"bookmark → rows drawn:         {_ms([o[0] for o in opens])}",
        f"bookmark → script idle:        {_ms([o[1] for o in opens])}",
        f"filter change, first of the session: {first_change[0] * 1000:.0f} ms"
        f" (idle {first_change[1] * 1000:.0f} ms)",
        f"filter change → rows drawn:    {_ms([c[0] for c in changes])}",
        f"filter change → script idle:   {_ms([c[1] for c in changes])}",
    ]


def run(data: Path | None, scale: str, repeat: int) -> int:
    """Copy (or build) the database, save the view, serve it and time it in Chromium."""
    if not browser_available():
        print(f"needs Playwright and {CHROMIUM}", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        if data is not None:
            shutil.copyfile(data, path)
            wal = data.with_name(data.name + ".wal")
            if wal.exists():
                shutil.copyfile(wal, path.with_name(path.name + ".wal"))
        else:
            build(path, SCALES[scale])
        view_id, expected = prepare(path)
        print(f"{data.name if data else scale}; load average {_load()}", flush=True)
        with app_server(path) as srv, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                lines = measure(browser, srv.url, view_id, expected, repeat)
            finally:
                browser.close()
        for line in lines:
            print(line, flush=True)
        print(f"load average after: {_load()}", flush=True)
    return 0
