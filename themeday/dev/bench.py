"""Benchmark of the compliance engine (合规考核性能测试) on generated data.

    python -m themeday.dev.bench [--units 8000 --activities 40000 --repeat 5 --as-of 2023-09-15]
    python -m themeday.dev.bench --scale district|city|province
    python -m themeday.dev.bench pages --scale district|city|province   (see bench_pages)

Builds a throwaway DuckDB file with a 大祥区-style 2023 campaign, ``--units`` units and
``--activities`` themes with realistic histories (submissions, approvals and returns,
scheduling and rescheduling, plans, held dates, marking photos, reports, publications,
典型经验, cancellations, 加减分 and audit rows), written in bulk from pandas through
DuckDB. Then it times ``repo.compliance.compliance_facts`` and ``compliance.compute`` for the
as-of date (median of ``--repeat`` runs) and reports the peak memory of one pass.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from themeday.core import compliance
from themeday.core.config import TZ
from themeday.core.domain import DAXIANG_2023, STANDARD_FORMS, SYSTEM_ACTOR, UnitKind
from themeday.core.workdays import WorkdayCalendar
from themeday.repository import Repository, bulk
from themeday.storage import db

YEAR = 2023
DEFAULT_AS_OF = date(2023, 9, 15)
SCALES: dict[str, tuple[int, int]] = {
    "district": (40, 200),
    "city": (400, 2000),
    "province": (8000, 40000),
}
"""Named data sizes: (units, activities) of a district, a city and a province."""
_KINDS = tuple(k.value for k in UnitKind)


@dataclass(frozen=True)
class Timings:
    """Seconds per step (medians), sizes and peak memory of one benchmark run."""

    units: int
    activities: int
    rows_generated: int
    generate_seconds: float
    facts_seconds: float
    compute_seconds: float
    total_seconds: float
    peak_traced_mb: float
    max_rss_mb: float
    result_units: int
    result_activities: int

    def lines(self) -> list[str]:
        return [
            f"units                {self.units:>10,}",
            f"activities           {self.activities:>10,}",
            f"rows generated       {self.rows_generated:>10,}  ({self.generate_seconds:.2f} s)",
            f"compliance_facts     {self.facts_seconds:>10.3f} s  (median)",
            f"compliance.compute   {self.compute_seconds:>10.3f} s  (median)",
            f"facts + compute      {self.total_seconds:>10.3f} s  (median)",
            f"peak traced memory   {self.peak_traced_mb:>10.1f} MB (one pass, tracemalloc)",
            f"max RSS of process   {self.max_rss_mb:>10.1f} MB",
            f"result rows          {self.result_units:>10,} units, "
            f"{self.result_activities:,} activities",
        ]


# ------------------------------------------------------------------ generated data
def _at(days: np.ndarray, hour: np.ndarray | int) -> pd.Series:
    """Asia/Shanghai timestamps: midnight of ``days`` (datetime64[D]) plus ``hour``."""
    moments = days.astype("datetime64[us]") + np.asarray(hour * 3600 * 10**6).astype(
        "timedelta64[us]"
    )
    return pd.Series(moments).dt.tz_localize(TZ)


def generate(
    con: duckdb.DuckDBPyConnection,
    units: int,
    activities: int,
    seed: int = 7,
    *,
    extra_audit: int = 0,
) -> tuple[int, int]:
    """Fill an empty, migrated database with one campaign; returns (campaign id, rows).

    ``extra_audit`` adds that many unrelated audit rows (logins spread over the year), for
    pages that read the audit log at a province's size.
    """
    rng = np.random.default_rng(seed)
    rules = DAXIANG_2023.rules
    created = pd.Timestamp(datetime(YEAR, 1, 5, 9, 0, tzinfo=TZ))
    rows = 0

    def insert(table: str, frame: pd.DataFrame) -> None:
        nonlocal rows
        rows += bulk.insert_frame(con, table, frame)

    bulk.insert_row(
        con,
        "campaign",
        {
            "id": 1,
            "year": YEAR,
            "region": DAXIANG_2023.region,
            "title": DAXIANG_2023.title,
            "office_name": DAXIANG_2023.office_name,
            "rules": rules.to_json(),
            "is_current": True,
            "created_at": created,
            "updated_at": created,
        },
    )
    unit_ids = np.arange(1, units + 1)
    insert(
        "unit",
        pd.DataFrame(
            {
                "id": unit_ids,
                "name": [f"测试单位{i:05d}" for i in unit_ids],
                "kind": np.array(_KINDS)[unit_ids % len(_KINDS)],
                "contact_person": "联系人",
                "contact_phone": [f"0739-53{i % 100000:05d}" for i in unit_ids],
                "created_at": created,
                "updated_at": created,
            }
        ),
    )

    # 申报: 97% of units declare, from 20 March to 25 April (some late); most approved
    declared = unit_ids[rng.random(units) < 0.97]
    n_decl = len(declared)
    decl_ids = np.arange(1, n_decl + 1)
    submit_day = np.datetime64(f"{YEAR}-03-20") + rng.integers(0, 37, n_decl)
    submitted_at = _at(submit_day, rng.integers(8, 18, n_decl))
    fate = rng.choice(["approved", "submitted", "returned"], n_decl, p=[0.9, 0.05, 0.05])
    insert(
        "declaration",
        pd.DataFrame(
            {
                "id": decl_ids,
                "campaign_id": 1,
                "unit_id": declared,
                "status": fate,
                "contact_person": "联系人",
                "contact_phone": "0739-5321101",
                "submitted_at": submitted_at,
                "created_at": submitted_at - pd.Timedelta(days=2),
                "updated_at": submitted_at,
            }
        ),
    )

    # themes: spread over the declarations, 4–10月
    owner = rng.integers(0, n_decl, activities)
    owner.sort()
    act_ids = np.arange(1, activities + 1)
    seq = pd.Series(owner).groupby(owner).cumcount().to_numpy() + 1
    month = rng.integers(rules.first_month, rules.last_month + 1, activities)
    forms = np.array(STANDARD_FORMS)[rng.integers(0, len(STANDARD_FORMS), activities)]
    approved = fate[owner] == "approved"
    approve_day = submit_day[owner] + rng.integers(1, 6, activities)

    # lifecycle of approved themes: schedule (10% outside the month), plan, hold, report
    scheduled = approved & (rng.random(activities) < 0.88)
    first_day = np.array([np.datetime64(f"{YEAR}-{m:02d}-01") for m in range(1, 13)])
    shift = np.where(rng.random(activities) < 0.1, rng.choice([-1, 1], activities), 0)
    act_month = np.clip(month + shift, 1, 12)
    act_day = first_day[act_month - 1] + rng.integers(0, 28, activities)
    act_day = np.maximum(act_day, approve_day + 20)  # dates are set after approval
    scheduled_day = np.maximum(act_day - rng.integers(15, 45, activities), approve_day + 1)
    plan_filed = scheduled & (rng.random(activities) < 0.85)
    plan_day = act_day - rng.integers(2, 12, activities)
    data_end = np.datetime64(f"{YEAR}-11-30")
    held = plan_filed & (act_day <= data_end) & (rng.random(activities) < 0.92)
    cancelled = scheduled & ~held & (rng.random(activities) < 0.2)
    reported = held & (rng.random(activities) < 0.85)
    report_day = act_day + rng.integers(1, 12, activities)
    published = reported & (rng.random(activities) < 0.6)
    publish_day = report_day + rng.integers(2, 6, activities)
    typical = held & (rng.random(activities) < 0.05)
    rescheduled = scheduled & ~cancelled & (rng.random(activities) < 0.05)

    status = np.select(
        [cancelled, published, reported, held, plan_filed, scheduled],
        ["cancelled", "published", "reported", "held", "plan_filed", "scheduled"],
        "planned",
    )
    nat = pd.Series(pd.NaT, index=range(activities)).dt.tz_localize(TZ)
    insert(
        "activity",
        pd.DataFrame(
            {
                "id": act_ids,
                "declaration_id": decl_ids[owner],
                "campaign_id": 1,
                "unit_id": declared[owner],
                "seq": seq,
                "title": [f"主题日活动{i}" for i in act_ids],
                "planned_month": month,
                "form": forms,
                "contact": "联系人 0739-5321101",
                "activity_date": pd.Series(act_day.astype("datetime64[us]")).where(scheduled),
                "place": "",
                "status": status,
                "created_at": submitted_at.to_numpy()[owner],
                "updated_at": submitted_at.to_numpy()[owner],
                "scheduled_at": _at(scheduled_day, 9).where(scheduled, nat),
                "plan_filed_at": _at(plan_day, 10).where(plan_filed, nat),
                "held_date": pd.Series(act_day.astype("datetime64[us]")).where(held),
                "held_recorded_at": _at(act_day, 18).where(held, nat),
                "report_filed_at": _at(report_day, 11).where(reported, nat),
                "published_at": _at(publish_day, 15).where(published, nat),
                "cancelled_at": _at(act_day - 5, 16).where(cancelled, nat),
                "typical_case": typical,
            }
        ),
    )

    # 申报 history with snapshots (built by DuckDB from the theme rows)
    history = [
        ("submit", "submitted", submit_day, np.ones(n_decl, dtype=bool)),
        ("return", "returned", submit_day + 2, fate == "returned"),
        ("approve", "approved", submit_day + 3, fate == "approved"),
    ]
    frames = [
        pd.DataFrame(
            {
                "declaration_id": decl_ids[mask],
                "action": action,
                "status": state,
                "occurred_at": _at(day[mask], 15),
            }
        )
        for action, state, day, mask in history
    ]
    rows += bulk.insert_declaration_history(con, pd.concat(frames, ignore_index=True))

    # audit rows the lifecycle steps write (the engine replays dates from them)
    def audit(mask, action, day, hour, detail) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "occurred_at": _at(day[mask], hour),
                "username": "bench",
                "role": "unit",
                "action": action,
                "object_type": "activity",
                "object_id": act_ids[mask].astype(str),
                "success": True,
                "detail": detail[mask] if isinstance(detail, np.ndarray) else detail,
            }
        )

    dates = act_day.astype(str)
    early = (act_day - 7).astype(str)
    audits = [
        audit(scheduled & ~rescheduled, "schedule", scheduled_day, 9, "未定 → " + dates),
        audit(rescheduled, "schedule", scheduled_day, 9, "未定 → " + early),
        audit(rescheduled, "schedule", scheduled_day + 3, 9, early + " → " + dates),
        audit(plan_filed, "file_plan", plan_day, 10, ""),
        audit(held, "record_held", act_day, 18, dates),
        audit(reported, "file_report", report_day, 11, ""),
        audit(published, "publish", publish_day, 15, ""),
        audit(typical, "typical_case", publish_day + 1, 9, "标记"),
        audit(cancelled, "cancel", act_day - 5, 16, "时间冲突"),
    ]
    logins = units + extra_audit
    noise = pd.DataFrame(
        {
            "occurred_at": _at(
                np.datetime64(f"{YEAR}-03-01") + rng.integers(0, 270, logins),
                rng.integers(8, 18, logins) if extra_audit else 8,
            ),
            "username": "bench",
            "role": "unit",
            "action": "login",
            "object_type": None,
            "object_id": None,
            "success": True,
            "detail": "",
        }
    )
    insert("audit_log", pd.concat([*audits, noise], ignore_index=True))

    # 现场标识 photos (1–3 per held activity) and report photos
    marks = np.repeat(act_ids[held], rng.integers(1, 4, int(held.sum())))
    photos = act_ids[reported]
    owner_of = pd.Series(declared[owner], index=act_ids)
    files = pd.DataFrame(
        {
            "campaign_id": 1,
            "unit_id": owner_of.reindex(np.concatenate([marks, photos])).to_numpy(),
            "owner_type": "activity",
            "owner_id": np.concatenate([marks, photos]),
            "kind": ["marking"] * len(marks) + ["photo"] * len(photos),
            "original_name": "photo.jpg",
            "stored_name": "generated.jpg",
            "fmt": "jpeg",
            "size": 100_000,
            "sha256": "0" * 64,
            "uploaded_by": "bench",
        }
    )
    day_of = pd.Series(act_day, index=act_ids)
    files["uploaded_at"] = _at(day_of.reindex(files["owner_id"]).to_numpy(), 19)
    insert("attachment", files)

    # 加减分 for 5% of units, and the office's weights
    lucky = unit_ids[rng.random(units) < 0.05]
    insert(
        "score_adjustment",
        pd.DataFrame(
            {
                "campaign_id": 1,
                "unit_id": lucky,
                "delta": rng.choice([-3.0, -1.0, 1.0, 2.0, 5.0], len(lucky)),
                "reason": "专项工作加减分",
                "created_by": "office",
                "created_at": _at(
                    np.datetime64(f"{YEAR}-05-01") + rng.integers(0, 200, len(lucky)), 10
                ),
            }
        ),
    )
    bulk.insert_row(
        con,
        "compliance_weights",
        {
            "campaign_id": 1,
            "weights": '{"typical_case": 6.0}',
            "set_by": "office",
            "set_at": created,
        },
    )
    db.bump_data_version(con)  # written around the doors: caches must not see the empty file
    return 1, rows + 2


# ------------------------------------------------------------------ timing
def run(
    units: int = 8000,
    activities: int = 40000,
    *,
    repeat: int = 5,
    as_of: date = DEFAULT_AS_OF,
    seed: int = 7,
    directory: Path | None = None,
) -> Timings:
    """Generate the data in a temporary database, then time facts and computation."""
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        con = db.connect(Path(tmp) / "bench.duckdb")
        try:
            started = time.perf_counter()
            campaign_id, rows = generate(con, units, activities, seed)
            generated = time.perf_counter() - started
            repo = Repository(db.cursor(con))
            campaign = repo.catalogue.get_campaign(SYSTEM_ACTOR, campaign_id)
            calendar = WorkdayCalendar(repo.catalogue.list_workday_overrides(SYSTEM_ACTOR))

            def facts():
                return repo.compliance.compliance_facts(SYSTEM_ACTOR, campaign_id)

            def computed(f):
                return compliance.compute(f, campaign.rules, calendar, as_of)

            facts_times, compute_times, totals = [], [], []
            result = None
            for _ in range(max(repeat, 1)):
                t0 = time.perf_counter()
                f = facts()
                t1 = time.perf_counter()
                result = computed(f)
                t2 = time.perf_counter()
                facts_times.append(t1 - t0)
                compute_times.append(t2 - t1)
                totals.append(t2 - t0)

            tracemalloc.start()
            computed(facts())
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        finally:
            con.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return Timings(
        units=units,
        activities=activities,
        rows_generated=rows,
        generate_seconds=generated,
        facts_seconds=statistics.median(facts_times),
        compute_seconds=statistics.median(compute_times),
        total_seconds=statistics.median(totals),
        peak_traced_mb=peak / 2**20,
        max_rss_mb=rss / 1024 if sys.platform != "darwin" else rss / 2**20,
        result_units=len(result.units),
        result_activities=len(result.activities),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m themeday.dev.bench", description="合规考核性能测试 (compliance benchmark)"
    )
    parser.add_argument("--units", type=int, default=8000)
    parser.add_argument("--activities", type=int, default=40000)
    parser.add_argument(
        "--scale", choices=sorted(SCALES), help="a named size; overrides --units/--activities"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF)
    parser.add_argument("--seed", type=int, default=7)
    commands = parser.add_subparsers(dest="command", metavar="{pages}")
    pages = commands.add_parser("pages", help="页面性能测试: every page × role, and login")
    from themeday.dev import bench_pages  # it builds its data with this module's generate

    bench_pages.add_arguments(pages)
    args = parser.parse_args(argv)
    if args.command == "pages":
        return bench_pages.run_from(args)
    if args.scale:
        args.units, args.activities = SCALES[args.scale]
    timings = run(args.units, args.activities, repeat=args.repeat, as_of=args.as_of, seed=args.seed)
    print(f"as of {args.as_of.isoformat()}, {args.repeat} repetitions")
    for line in timings.lines():
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
