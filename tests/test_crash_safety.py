"""Crash safety: a writer killed with SIGKILL at random moments loses no acknowledged write.

Each round starts ``tests/crash_writer.py`` on the same database. The writer makes real
repository calls (save, submit, review, resubmit, amend) and, after each has
committed, appends an fsynced acknowledgement line. The test kills it with SIGKILL
after a random delay (seeded), reopens the database in this process through the app's
own ``db.connect`` and checks that:

- the database opens (the WAL replays);
- every acknowledged write is there: the row's version is at least the acknowledged
  one, and at that same version it has the acknowledged status and content;
- every status is a valid one and agrees with ``declaration_history``;
- every change has its ``audit_log`` row: a 申报表's version is exactly the number of
  its audited changes, and each history event has its audit row (same transaction);
- the audit log's hash chain is intact.

Some rounds fold the WAL into the file often (a small ``checkpoint_threshold``), so the
kill may land inside a checkpoint, and some leave the WAL in place on close, so the next
writer starts on a database that still has to replay it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from themeday.core.domain import (
    DAXIANG_2023,
    SYSTEM_ACTOR,
    SYSTEM_AUDITOR,
    ActivityStatus,
    DeclarationStatus,
    UnitKind,
)
from themeday.repository import Repository
from themeday.storage import db

WRITER = Path(__file__).resolve().parent / "crash_writer.py"
ROUNDS = 16  # ≥ 15 kills (issue 15); each round is a writer start and ≤ 1.2 s of work
UNITS = 16
SEED = 20260707
READY_TIMEOUT = 60


def seed(path: Path) -> None:
    """A campaign and its units, nothing declared yet."""
    con = db.connect(path)
    repo = Repository(db.cursor(con))
    rules = DAXIANG_2023.rules.with_changes(declaration_deadline=date(2099, 12, 31))
    repo.catalogue.create_campaign(
        SYSTEM_ACTOR,
        year=2026,
        region=DAXIANG_2023.region,
        title="崩溃测试活动",
        office_name=DAXIANG_2023.office_name,
        rules=rules,
    )
    for n in range(1, UNITS + 1):
        repo.catalogue.create_unit(
            SYSTEM_ACTOR, f"崩溃测试单位{n:02d}", UnitKind.DEPARTMENT, "联系人", ""
        )
    con.close()


def run_writer(path: Path, acks: Path, round_seed: int, delay: float, threshold: str) -> None:
    """Start the writer, let it write for ``delay`` seconds, then SIGKILL it."""
    command = [sys.executable, str(WRITER), str(path), str(acks), str(round_seed)]
    if threshold:
        command += ["--checkpoint-threshold", threshold]
    writer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = _readline(writer, READY_TIMEOUT)
        assert line == "ready", f"writer did not start: {line!r} {writer.stderr.read()}"
        time.sleep(delay)
        if writer.poll() is not None:  # it must not have stopped by itself
            pytest.fail(f"writer ended with {writer.returncode}: {writer.stderr.read()}")
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.kill()
        writer.wait(timeout=30)
        writer.stdout.close()
        writer.stderr.close()
    assert writer.returncode == -signal.SIGKILL


def _readline(process: subprocess.Popen, timeout: float) -> str:
    """The first line the process prints (the writer prints ``ready`` once it is open)."""
    import selectors

    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return process.stdout.readline().strip()


def read_acks(acks: Path) -> list[dict]:
    """The acknowledged writes; a line torn by the kill (no newline) was never acked."""
    if not acks.exists():
        return []
    lines = acks.read_text(encoding="utf-8").split("\n")
    return [json.loads(line) for line in lines[:-1]]


def check(con: duckdb.DuckDBPyConnection, acks: list[dict]) -> dict[str, int]:
    """Every acknowledged write is present and the invariants hold; counts for the log."""
    declarations = {
        row[0]: row[1:]
        for row in con.execute(
            "SELECT id, unit_id, status, version, contact_phone FROM declaration"
        ).fetchall()
    }
    activities = {
        row[0]: row[1:]
        for row in con.execute(
            "SELECT id, declaration_id, status, version, planned_month, form FROM activity"
        ).fetchall()
    }

    # every acknowledged write is there (or something newer)
    for ack in acks:
        if ack["op"] == "amend":
            assert ack["activity_id"] in activities, ack
            _, _, version, month, form = activities[ack["activity_id"]]
            assert version >= ack["version"], ack
            if version == ack["version"]:
                assert (month, form) == (ack["planned_month"], ack["form"]), ack
        else:
            assert ack["declaration_id"] in declarations, ack
            unit_id, status, version, phone = declarations[ack["declaration_id"]]
            assert unit_id == ack["unit_id"], ack
            assert version >= ack["version"], ack
            if version == ack["version"]:
                assert (status, phone) == (ack["status"], ack["contact_phone"]), ack

    # statuses are valid, one 申报表 per unit
    assert {s for _, s, _, _ in declarations.values()} <= {s.value for s in DeclarationStatus}
    assert {a[1] for a in activities.values()} <= {s.value for s in ActivityStatus}
    units = [d[0] for d in declarations.values()]
    assert len(units) == len(set(units))

    history: dict[int, list[tuple]] = {}
    for row in con.execute(
        "SELECT declaration_id, version, action, status FROM declaration_history ORDER BY id"
    ).fetchall():
        history.setdefault(row[0], []).append(row[1:])
    audits: dict[tuple[str, str, str], int] = {}
    for object_type, object_id, action, count in con.execute(
        "SELECT object_type, object_id, action, count(*) FROM audit_log"
        " WHERE object_type IN ('declaration', 'activity') GROUP BY ALL"
    ).fetchall():
        audits[(object_type, object_id, action)] = count

    for declaration_id, (_, status, version, _) in declarations.items():
        events = history.get(declaration_id, [])
        key = str(declaration_id)
        saves = audits.get(("declaration", key, "save_draft"), 0)
        # statuses agree with the history: the latest event is the current status
        if status == DeclarationStatus.DRAFT:
            assert not events, (declaration_id, events)
        else:
            last_version, _, last_status = events[-1]
            assert last_status == status, (declaration_id, events[-1], status)
            if status in (DeclarationStatus.SUBMITTED, DeclarationStatus.APPROVED):
                assert last_version == version  # no save after a submission
        # the history follows the allowed transitions
        previous = DeclarationStatus.DRAFT.value
        for _, action, state in events:
            if action == "submit":
                assert previous in ("draft", "returned") and state == "submitted"
            elif action in ("approve", "return"):
                assert previous == "submitted"
                assert state == ("approved" if action == "approve" else "returned")
            else:
                assert action == "amend" and previous == state == "approved"
            previous = state
        # every change has its audit row: one per history event, one per save
        for action in ("submit", "approve", "return"):
            assert audits.get(("declaration", key, action), 0) == sum(
                1 for e in events if e[1] == action
            ), (declaration_id, action)
        changes = saves + sum(1 for e in events if e[1] != "amend")
        assert version == changes, (declaration_id, version, saves, events)
        amends = sum(1 for e in events if e[1] == "amend")
        own = [i for i, a in activities.items() if a[0] == declaration_id]
        assert amends == sum(audits.get(("activity", str(i), "amend"), 0) for i in own)
        assert sum(activities[i][2] - 1 for i in own) == amends  # each amend +1 version
    return {
        "acks": len(acks),
        "declarations": len(declarations),
        "history": sum(len(e) for e in history.values()),
    }


def test_killed_writer_loses_no_acknowledged_write(tmp_path):
    path = tmp_path / "crash.duckdb"
    acks = tmp_path / "acks.jsonl"
    seed(path)
    rng = random.Random(SEED)
    started = time.monotonic()
    log = []
    for round_no in range(ROUNDS):
        threshold = rng.choice(["", "", "32KB", "256KB"])
        delay = rng.uniform(0.05, 1.2)
        before = len(read_acks(acks))
        run_writer(path, acks, rng.randrange(2**31), delay, threshold)
        acked = read_acks(acks)
        wal = path.with_name(path.name + ".wal")
        con = db.connect(path)  # the app's own open: WAL replay, schema check
        try:
            counts = check(con, acked)
            chain = Repository(db.cursor(con)).oversight.verify_audit_chain(SYSTEM_AUDITOR)
            assert chain.ok, chain.message()  # the audit hash chain survives the kill
            if rng.random() < 0.5:  # leave the WAL for the next writer to replay
                con.execute("PRAGMA disable_checkpoint_on_shutdown")
        finally:
            con.close()
        log.append((round_no, threshold, round(delay, 2), len(acked) - before, wal.exists()))
        assert counts["acks"] == len(acked)
    # the writers got real work done in the time they had
    assert len(read_acks(acks)) >= ROUNDS * 5, log
    print(f"{ROUNDS} rounds in {time.monotonic() - started:.0f} s")
    print("\n".join(str(entry) for entry in log))
