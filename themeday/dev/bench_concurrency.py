"""Concurrent writers (并发写入测试): units and the office writing at once.

    python -m themeday.dev.bench_concurrency [--threads 30 --seconds 20 --seed 7]

One process, one DuckDB connection, as in the app: every thread takes its own cursor
(``db.cursor``) and :class:`~themeday.repository.Repository`, like one Streamlit
session each. About two thirds of the threads act as units: they edit and save their
own 申报表, submit it, and once it is approved set their activities' dates (定日期); a
few units have two threads (two 填报员 editing the same rows). The rest act as the
office: reviewers race each other to approve or return the same submitted 申报表, and
editors change units' contacts and amend approved themes. Every write passes the
version its writer read, so a write that lost the race is refused (``StaleRecord``)
or finds the record in another state (``ValidationError``), never applied on top.

Each write is timed and its outcome recorded: ``ok``, ``stale``, ``invalid``, or
``conflict`` (DuckDB's write conflict, left after ``in_transaction`` retried once; the
pages show it as 系统繁忙，请稍后重试). Anything else is an ``error``. The test
(``tests/test_concurrency.py``) runs the same workload and checks the database;
this command prints the latencies (p50/p95/max per write).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from themeday.core.domain import (
    DAXIANG_2023,
    STANDARD_FORMS,
    SYSTEM_ACTOR,
    Actor,
    DeclarationStatus,
    Role,
    StaleRecord,
    UnitKind,
    ValidationError,
)
from themeday.repository import Repository
from themeday.storage import db

YEAR = 2026
OFFICE = Actor(user_id=1, username="office", role=Role.OFFICE, display_name="政务公开办")

OK, STALE, INVALID, CONFLICT, ERROR = "ok", "stale", "invalid", "conflict", "error"
REPORTED = frozenset({STALE, INVALID, CONFLICT})
"""Outcomes that are a refusal the user is told about, not a failure of the system."""


@dataclass(frozen=True)
class Write:
    """One timed write: who, what, on which row, how it ended."""

    thread: str
    op: str
    table: str
    row_id: int
    outcome: str
    seconds: float
    based_on: int | None = None  # the version the writer read (None: not version-checked)
    error: str = ""


@dataclass(frozen=True)
class Latency:
    """Seconds per write: count, median, 95th percentile, maximum."""

    count: int
    p50: float
    p95: float
    max: float

    @classmethod
    def of(cls, seconds: list[float]) -> Latency:
        if not seconds:
            return cls(0, 0.0, 0.0, 0.0)
        ordered = sorted(seconds)
        p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
        return cls(len(ordered), statistics.median(ordered), p95, ordered[-1])

    def line(self, label: str) -> str:
        return (
            f"{label:<22} {self.count:>6}  p50 {self.p50 * 1000:7.1f} ms"
            f"  p95 {self.p95 * 1000:7.1f} ms  max {self.max * 1000:7.1f} ms"
        )


@dataclass
class Report:
    """What a run did: every write, the threads that did not finish, the wall time."""

    writes: list[Write]
    threads: int
    unfinished: list[str]
    seconds: float

    def outcomes(self) -> Counter[str]:
        return Counter(w.outcome for w in self.writes)

    def latency(self, outcomes: frozenset[str] | None = None, op: str | None = None) -> Latency:
        """Latency of the writes with one of ``outcomes`` (all when None), of one ``op``."""
        return Latency.of(
            [
                w.seconds
                for w in self.writes
                if (outcomes is None or w.outcome in outcomes) and (op is None or w.op == op)
            ]
        )

    def lines(self) -> list[str]:
        outcomes = self.outcomes()
        counts = ", ".join(f"{k} {outcomes[k]}" for k in (OK, STALE, INVALID, CONFLICT, ERROR))
        lines = [
            f"threads {self.threads}, {len(self.writes)} writes in {self.seconds:.1f} s"
            f" ({len(self.writes) / max(self.seconds, 1e-9):.0f}/s); {counts};"
            f" unfinished threads: {len(self.unfinished)}",
            self.latency().line("all writes"),
            self.latency(frozenset({OK})).line("successful writes"),
            self.latency(REPORTED).line("refused (reported)"),
        ]
        for op in sorted({w.op for w in self.writes}):
            lines.append(self.latency(op=op).line(f"  {op}"))
        return lines


# ------------------------------------------------------------------ the data
def themes(unit_id: int, edit: int) -> list[dict]:
    """Two rows of a unit's 申报表 at its ``edit``-th save."""
    return [
        {
            "title": f"并发测试单位{unit_id}主题{n}（第{edit}稿）",
            "planned_month": 4 + (unit_id + n) % 7,
            "form": STANDARD_FORMS[(unit_id + n) % len(STANDARD_FORMS)],
            "summary": "并发写入测试",
            "contact": "联系人 0739-5321101",
        }
        for n in (1, 2)
    ]


def seed(repo: Repository, units: int) -> tuple[int, list[int]]:
    """A campaign, ``units`` units and a draft 申报表 for each; (campaign id, unit ids)."""
    rules = DAXIANG_2023.rules.with_changes(declaration_deadline=date(YEAR, 12, 31))
    campaign_id = repo.catalogue.create_campaign(
        SYSTEM_ACTOR,
        year=YEAR,
        region=DAXIANG_2023.region,
        title="并发写入测试活动",
        office_name=DAXIANG_2023.office_name,
        rules=rules,
    )
    unit_ids = []
    for n in range(1, units + 1):
        unit_id = repo.catalogue.create_unit(
            SYSTEM_ACTOR, f"并发测试单位{n:03d}", UnitKind.DEPARTMENT, "联系人", "0739-5321101"
        )
        repo.declarations.save_declaration(
            unit_actor(unit_id),
            campaign_id,
            unit_id,
            0,
            contact_person="联系人",
            contact_phone="0739-5321101",
            themes=themes(unit_id, 0),
        )
        unit_ids.append(unit_id)
    return campaign_id, unit_ids


def unit_actor(unit_id: int) -> Actor:
    """A unit's 填报员."""
    return Actor(user_id=1000 + unit_id, username=f"unit{unit_id}", role=Role.UNIT, unit_id=unit_id)


# ------------------------------------------------------------------ the threads
@dataclass
class _Thread:
    """One simulated session: its repository (own cursor), its random draws, its log."""

    name: str
    repo: Repository
    rng: random.Random
    deadline: float
    max_writes: int
    think: float = 0.0
    """Mean seconds a user thinks between two clicks; 0: a stress test (up to 10 ms)."""
    writes: list[Write] = field(default_factory=list)

    def write(
        self,
        op: str,
        table: str,
        row_id: int,
        based_on: int | None,
        call: Callable[..., object],
        *args: object,
        **kwargs: object,
    ) -> str:
        """Run ``call(*args, **kwargs)``, a repository write based on version
        ``based_on``, timed; its outcome."""
        started = time.perf_counter()
        error = ""
        try:
            call(*args, **kwargs)
            outcome = OK
        except StaleRecord:
            outcome = STALE
        except ValidationError as exc:
            outcome = INVALID if exc.messages and all(_chinese(m) for m in exc.messages) else ERROR
            error = "" if outcome == INVALID else repr(exc)
        except duckdb.Error as exc:
            outcome = CONFLICT if db.is_write_conflict(exc) else ERROR
            error = "" if outcome == CONFLICT else traceback.format_exc()
        except Exception:  # noqa: BLE001 - recorded as a failure of the run
            outcome, error = ERROR, traceback.format_exc()
        self.writes.append(
            Write(
                self.name,
                op,
                table,
                row_id,
                outcome,
                time.perf_counter() - started,
                based_on,
                error,
            )
        )
        return outcome

    def going(self) -> bool:
        return len(self.writes) < self.max_writes and time.perf_counter() < self.deadline

    def idle(self) -> None:
        """Nothing to do yet (nothing submitted to review): look again soon."""
        time.sleep(0.5 * self.think if self.think else 0.005)

    def pause(self) -> None:
        """A user's think time between two clicks: ``think`` seconds on average (half to
        one and a half times it), or up to 10 ms in the stress test (``think`` 0)."""
        if self.think:
            time.sleep(self.rng.uniform(0.5 * self.think, 1.5 * self.think))
        else:
            time.sleep(self.rng.uniform(0.0, 0.01))


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _unit_work(t: _Thread, campaign_id: int, unit_id: int) -> None:
    """A unit's 填报员: edit and save, submit; once approved, set activity dates."""
    actor = unit_actor(unit_id)
    while t.going():
        declaration = t.repo.declarations.declaration_for(actor, campaign_id, unit_id)
        status, version = DeclarationStatus(declaration.status), declaration.version
        if status in (DeclarationStatus.DRAFT, DeclarationStatus.RETURNED):
            if t.rng.random() < 0.5:
                t.write(
                    "save_declaration",
                    "declaration",
                    declaration.id,
                    version,
                    t.repo.declarations.save_declaration,
                    actor,
                    campaign_id,
                    unit_id,
                    version,
                    contact_person="联系人",
                    contact_phone=f"0739-53{t.rng.randrange(100000):05d}",
                    themes=themes(unit_id, version),
                )
            else:
                t.write(
                    "submit_declaration",
                    "declaration",
                    declaration.id,
                    version,
                    t.repo.declarations.submit_declaration,
                    actor,
                    declaration.id,
                    version,
                    0,
                )
        elif status == DeclarationStatus.APPROVED and t.rng.random() < 0.7:
            activity = t.rng.choice(t.repo.declarations.list_themes(actor, declaration.id))
            day = date(YEAR, activity.planned_month, t.rng.randint(1, 28))
            t.write(
                "schedule_activity",
                "activity",
                activity.id,
                activity.version,
                t.repo.activities.schedule_activity,
                actor,
                activity.id,
                activity.version,
                activity_date=day,
                place="区政务服务中心",
                invitees=["人大代表", "市民群众"],
                expected_participants=30,
                off_month_reason="",
            )
        else:  # waiting for the review: keep the unit's contacts current
            unit = t.repo.catalogue.get_unit(actor, unit_id)
            t.write(
                "update_unit",
                "unit",
                unit_id,
                unit.version,
                t.repo.catalogue.update_unit,
                actor,
                unit_id,
                unit.version,
                contact_phone=f"0739-54{t.rng.randrange(100000):05d}",
            )
        t.pause()


def _reviewer_work(t: _Thread, campaign_id: int) -> None:
    """The office reviews whatever is submitted; reviewers race for the same 申报表."""
    while t.going():
        submitted = [
            d
            for d in t.repo.declarations.list_declarations(OFFICE, campaign_id)
            if d.status == DeclarationStatus.SUBMITTED
        ]
        if not submitted:
            t.idle()
            if time.perf_counter() >= t.deadline:
                break
            continue
        declaration = t.rng.choice(submitted[:3])  # the top of the list, like people do
        approve = t.rng.random() < 0.5
        t.write(
            "review_declaration",
            "declaration",
            declaration.id,
            declaration.version,
            t.repo.declarations.review_declaration,
            OFFICE,
            declaration.id,
            declaration.version,
            approve=approve,
            reason="" if approve else "请写明具体的政策或项目名称。",
        )
        t.pause()


def _editor_work(t: _Thread, campaign_id: int, hot_units: list[int]) -> None:
    """The office edits a few units' contacts (contended) and amends approved themes."""
    while t.going():
        if t.rng.random() < 0.6:
            unit_id = t.rng.choice(hot_units)
            unit = t.repo.catalogue.get_unit(OFFICE, unit_id)
            t.write(
                "update_unit",
                "unit",
                unit_id,
                unit.version,
                t.repo.catalogue.update_unit,
                OFFICE,
                unit_id,
                unit.version,
                contact_person=f"联系人{t.rng.randrange(100)}",
            )
        else:
            approved = [
                d
                for d in t.repo.declarations.list_declarations(OFFICE, campaign_id)
                if d.status == DeclarationStatus.APPROVED
            ]
            if not approved:
                t.idle()
                continue
            declaration = t.rng.choice(approved)
            activity = t.rng.choice(t.repo.declarations.list_themes(OFFICE, declaration.id))
            month = 4 + (activity.planned_month - 3) % 7
            t.write(
                "amend_theme",
                "activity",
                activity.id,
                None,  # amending has no version check: the office's word is final
                t.repo.declarations.amend_theme,
                OFFICE,
                activity.id,
                planned_month=month,
                form=activity.form,
                reason="并发测试调整月份",
            )
        t.pause()


def plan(threads: int) -> tuple[int, int, int, int]:
    """How ``threads`` split: (units, units with two threads, reviewers, editors)."""
    office = max(2, threads // 3)
    reviewers = max(1, round(office * 0.6))
    unit_threads = threads - office
    doubled = unit_threads // 7
    return unit_threads - doubled, doubled, reviewers, office - reviewers


def run_on(
    con: duckdb.DuckDBPyConnection,
    campaign_id: int,
    unit_ids: list[int],
    threads: int = 30,
    seconds: float = 10.0,
    max_writes: int = 10**9,
    seed_value: int = 7,
    join_timeout: float = 120.0,
    think: float = 0.0,
) -> Report:
    """Run the workload on an open, seeded database (see :func:`seed`)."""
    units, doubled, reviewers, editors = plan(threads)
    assert len(unit_ids) >= units, "seed one unit per unit thread"
    rng = random.Random(seed_value)
    started = time.perf_counter()
    deadline = started + seconds
    jobs: list[tuple[_Thread, Callable[[], None]]] = []

    def add(name: str, target: Callable[[_Thread], None]) -> None:
        t = _Thread(
            name,
            Repository(db.cursor(con)),
            random.Random(rng.random()),
            deadline,
            max_writes,
            think,
        )
        jobs.append((t, lambda: target(t)))

    for n, unit_id in enumerate(unit_ids[:units]):
        copies = 2 if n < doubled else 1
        for copy in range(copies):
            add(f"unit{unit_id}-{copy}", lambda t, u=unit_id: _unit_work(t, campaign_id, u))
    for n in range(reviewers):
        add(f"reviewer{n}", lambda t: _reviewer_work(t, campaign_id))
    hot = unit_ids[: max(2, units // 4)]
    for n in range(editors):
        add(f"editor{n}", lambda t: _editor_work(t, campaign_id, hot))

    crashed: list[Write] = []

    def guarded(t: _Thread, body: Callable[[], None]) -> None:
        try:
            body()
        except Exception:  # noqa: BLE001 - a read that failed: record it, end the thread
            crashed.append(Write(t.name, "read", "", 0, ERROR, 0.0, None, traceback.format_exc()))

    workers = [
        threading.Thread(target=guarded, args=(t, body), name=t.name, daemon=True)
        for t, body in jobs
    ]
    for worker in workers:
        worker.start()
    end = time.perf_counter() + seconds + join_timeout
    for worker in workers:
        worker.join(max(0.0, end - time.perf_counter()))
    unfinished = [w.name for w in workers if w.is_alive()]
    writes = [w for t, _ in jobs for w in list(t.writes)] + crashed
    return Report(writes, len(jobs), unfinished, time.perf_counter() - started)


def run(
    threads: int = 30,
    seconds: float = 20.0,
    seed_value: int = 7,
    directory: Path | None = None,
    think: float = 0.0,
) -> Report:
    """Seed a throwaway database and run the workload on it."""
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        con = db.connect(Path(tmp) / "concurrency.duckdb")
        try:
            units, doubled, _, _ = plan(threads)
            campaign_id, unit_ids = seed(Repository(db.cursor(con)), units)
            return run_on(
                con, campaign_id, unit_ids, threads, seconds, seed_value=seed_value, think=think
            )
        finally:
            con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m themeday.dev.bench_concurrency",
        description="并发写入测试 (concurrent writers benchmark)",
    )
    parser.add_argument("--threads", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="每个用户两次操作之间的平均思考时间（秒）；0 为压力测试",
    )
    args = parser.parse_args(argv)
    report = run(args.threads, args.seconds, args.seed, think=args.think)
    for line in report.lines():
        print(line)
    errors = [w for w in report.writes if w.outcome == ERROR]
    for w in errors[:5]:
        print(f"error in {w.thread} {w.op}: {w.error}")
    return 1 if errors or report.unfinished else 0


if __name__ == "__main__":
    raise SystemExit(main())
