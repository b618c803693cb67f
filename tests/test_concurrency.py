"""30 threads write at once through the repository: no lost update, no deadlock.

The workload is the benchmark's (``themeday.dev.bench_concurrency``): units edit, save and
submit their own 申报表 and set their activities' dates, some units with two threads on
the same rows; office threads race to review the same 申报表, edit units and amend
approved themes. Every write passes the version its writer read.

Checked: every write either succeeded or was refused in a way the user is told about
(``StaleRecord``, a ``ValidationError`` in Chinese, or a DuckDB write conflict left after
the retry); every thread finished (no deadlock); no two successful writes started from
the same version of a row (no lost update) and each bumped the version exactly once;
each successful write has its audit row and no refused write has one; each 申报表's
status agrees with its history.
Latency is not asserted here: ``python -m themeday.dev.bench_concurrency`` measures it.

Without the process-wide write lock of ``themeday.storage.db`` this test fails, and rightly:
an ``amend_theme`` and a ``schedule_activity`` on the same activity, on two cursors,
can both commit (both audited) while one version bump is lost.
"""

from __future__ import annotations

from collections import Counter

import pytest

from themeday.dev import bench_concurrency as bench
from themeday.repository import Repository
from themeday.storage import db

THREADS = 30
SECONDS = 6.0

_AUDIT_ACTION = {
    "save_declaration": ("declaration", {"save_draft"}),
    "submit_declaration": ("declaration", {"submit"}),
    "review_declaration": ("declaration", {"approve", "return"}),
    "update_unit": ("unit", {"update"}),
    "schedule_activity": ("activity", {"schedule"}),
    "amend_theme": ("activity", {"amend"}),
}


@pytest.fixture
def run(tmp_path):
    con = db.connect(tmp_path / "concurrency.duckdb")
    units, _, _, _ = bench.plan(THREADS)
    campaign_id, unit_ids = bench.seed(Repository(db.cursor(con)), units)
    first_audit = con.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchall()[0][0]
    report = bench.run_on(con, campaign_id, unit_ids, THREADS, SECONDS, join_timeout=60)
    yield con, report, first_audit
    con.close()


def test_thirty_threads_lose_no_update_and_finish(run):
    con, report, first_audit = run
    assert report.threads == THREADS
    assert report.unfinished == [], "a thread did not finish: deadlock or hang"
    errors = [w for w in report.writes if w.outcome == bench.ERROR]
    assert not errors, errors[0].error
    outcomes = report.outcomes()
    assert outcomes[bench.OK] >= 50, outcomes
    assert outcomes[bench.STALE] > 0, "the threads should have raced for the same rows"
    ops = Counter(w.op for w in report.writes if w.outcome == bench.OK)
    assert set(ops) == set(_AUDIT_ACTION), ops  # every kind of write got through

    ok = Counter((w.table, w.row_id) for w in report.writes if w.outcome == bench.OK)

    # no lost update: no two successful writes started from the same version of a row.
    # A 申报表's or a unit's writes are all version-checked, so theirs are exactly the
    # versions 1, 2, ... n: each write saw the one before it.
    based_on: dict[tuple[str, int], list[int]] = {}
    for w in report.writes:
        if w.outcome == bench.OK and w.based_on is not None:
            based_on.setdefault((w.table, w.row_id), []).append(w.based_on)
    for (table, row_id), versions in based_on.items():
        assert len(versions) == len(set(versions)), (table, row_id, sorted(versions))
        if table != "activity":
            assert sorted(versions) == list(range(1, len(versions) + 1)), (table, row_id)

    # every row's version is 1 + its successful writes (each bumped it exactly once)
    for table in ("declaration", "unit"):
        for row_id, version in con.execute(f"SELECT id, version FROM {table}").fetchall():
            assert version == 1 + ok[(table, row_id)], (table, row_id, version)
    for row_id, version in con.execute("SELECT id, version FROM activity").fetchall():
        # themes are replaced on every save of a draft: only writes on the surviving
        # rows count, and those happen after approval (no save replaces them then)
        assert version == 1 + ok[("activity", row_id)], (row_id, version)

    # one audit row per successful write, none for a refused one
    audited = Counter(
        (object_type, int(object_id), action)
        for object_type, object_id, action in con.execute(
            "SELECT object_type, object_id, action FROM audit_log WHERE id > ?", [first_audit]
        ).fetchall()
    )
    expected: Counter = Counter()
    for w in report.writes:
        if w.outcome == bench.OK:
            table, actions = _AUDIT_ACTION[w.op]
            expected[(table, w.row_id, "|".join(sorted(actions)))] += 1
    grouped: Counter = Counter()
    for (table, row_id, action), count in audited.items():
        for op_table, actions in _AUDIT_ACTION.values():
            if op_table == table and action in actions:
                grouped[(table, row_id, "|".join(sorted(actions)))] += count
    assert grouped == expected

    # statuses agree with the history
    latest = dict(
        con.execute(
            "SELECT declaration_id, arg_max(status, id) FROM declaration_history GROUP BY ALL"
        ).fetchall()
    )
    for row_id, status in con.execute("SELECT id, status FROM declaration").fetchall():
        assert latest.get(row_id, "draft") == status, row_id


def test_latency_report_lines():
    writes = [bench.Write("t", "save", "unit", 1, bench.OK, n / 100) for n in range(1, 101)]
    report = bench.Report(writes, 1, [], 1.0)
    latency = report.latency()
    assert (latency.count, latency.p95, latency.max) == (100, 0.95, 1.0)
    assert latency.p50 == pytest.approx(0.505)
    assert any("p95" in line and "950.0 ms" in line for line in report.lines())
