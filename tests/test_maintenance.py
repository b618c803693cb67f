"""A database that does not open: the 系统维护 page, and no file is touched.

A damaged write-ahead log is made the way it happens: committed rows left in the
``.wal`` (no checkpoint on close, as after a crash), then one byte of it flipped, so
that DuckDB's checksum of the entry fails when the WAL is replayed on open.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from themeday.core.config import now
from themeday.storage import db
from themeday.storage.backup import app_backup_target, backup
from themeday.ui import maintenance
from themeday.ui.maintenance import DatabaseProblem, ProblemKind

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


def damaged_wal_database(path: Path, with_backup: bool = False) -> Path:
    """A migrated database whose ``.wal`` holds committed rows and is damaged."""
    con = db.connect(path)
    if with_backup:
        backup(con, path, app_backup_target(path, now()))
    con.execute("PRAGMA disable_checkpoint_on_shutdown")
    con.execute("CHECKPOINT")
    con.execute("SET checkpoint_threshold = '1GB'")
    con.execute(
        "INSERT INTO meta SELECT 'row' || range, repeat('x', 50) FROM range(200)"
    )  # committed, only in the WAL
    con.close()
    wal = path.with_name(path.name + ".wal")
    data = bytearray(wal.read_bytes())
    assert len(data) > 1000, "the rows should be in the WAL"
    data[len(data) // 2] ^= 0xFF
    wal.write_bytes(bytes(data))
    return wal


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` with the sha256 of its content."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def damaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "themeday.duckdb"
    damaged_wal_database(path, with_backup=True)
    monkeypatch.setenv("THEMEDAY_DB", str(path))
    return path


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def page_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "error", "info", "warning") for e in at.get(kind)]
    return " ".join(str(p) for p in parts)


# ------------------------------------------------------------------ without the UI


def test_duckdb_refuses_a_damaged_wal(tmp_path):
    """The premise: DuckDB 2.0 does not open a file whose WAL fails its checksum."""
    path = tmp_path / "x.duckdb"
    damaged_wal_database(path)
    with pytest.raises(duckdb.Error, match="WAL"):
        db.connect(path)


def test_open_attempt_keeps_the_wal_and_the_database_byte_for_byte(damaged):
    from themeday.ui.resources import database_problem

    before = fingerprint(damaged.parent)
    assert damaged.name + ".wal" in before
    for _ in range(2):  # a failed open is not cached: every run tries again
        problem = database_problem()
        assert problem is not None and problem.kind == ProblemKind.WAL
        assert problem.error_class == "Error"
    assert fingerprint(damaged.parent) == before


def test_problem_classification(tmp_path):
    busy = db.DatabaseBusy("占用")
    busy.__cause__ = duckdb.IOException("Could not set lock on file")
    assert maintenance.problem_of(busy, tmp_path / "a.duckdb") == DatabaseProblem(
        ProblemKind.BUSY, "DatabaseBusy（IOException）", tmp_path / "a.duckdb"
    )
    wal = maintenance.problem_of(duckdb.Error("Failure while replaying WAL file"), tmp_path)
    assert wal.kind == ProblemKind.WAL
    assert maintenance.problem_of(PermissionError(13, "denied"), tmp_path).kind == (
        ProblemKind.FAILED
    )


def test_only_a_lock_conflict_is_reported_as_busy(tmp_path, monkeypatch):
    """A file another process holds is "busy"; any other I/O error (a permission, a
    full disk) keeps its own type, so the maintenance page does not blame a program."""
    errors = {
        "lock": duckdb.IOException('IO Error: Could not set lock on file "x.duckdb"'),
        "denied": duckdb.IOException('IO Error: Cannot open file "x.duckdb": Permission denied'),
    }

    def refuse(path: str) -> None:
        raise errors[Path(path).stem]

    monkeypatch.setattr(db.duckdb, "connect", refuse)
    with pytest.raises(db.DatabaseBusy) as busy:
        db.connect(tmp_path / "lock.duckdb")
    assert maintenance.problem_of(busy.value, tmp_path).kind == ProblemKind.BUSY
    with pytest.raises(duckdb.IOException) as denied:
        db.connect(tmp_path / "denied.duckdb")
    assert not isinstance(denied.value, db.DatabaseBusy)
    problem = maintenance.problem_of(denied.value, tmp_path)
    assert problem.kind == ProblemKind.FAILED and problem.error_class == "IOException"


# ------------------------------------------------------------------ the app


def test_app_shows_the_maintenance_page_on_a_damaged_wal(damaged):
    before = fingerprint(damaged.parent)
    at = app().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["系统维护"]
    text = page_text(at)
    assert "数据库无法打开" in text and "错误类型：Error" in text
    assert "预写日志（.wal 文件）已损坏" in text
    assert "没有删除、改名或改写任何文件" in text and "themeday.duckdb.wal" in text
    assert "python -m themeday restore 备份目录" in text
    assert "联系系统管理员" in text
    assert "Traceback" not in text and str(damaged.parent) not in text  # no paths
    assert len(at.table) == 1  # the backup made before the damage is offered
    assert "backups/" in str(at.table[0].value.iloc[0, 0])
    assert not at.text_input  # no login form
    assert fingerprint(damaged.parent) == before


def test_app_shows_the_maintenance_page_when_another_process_holds_the_file(tmp_path, monkeypatch):
    path = tmp_path / "busy.duckdb"
    db.connect(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            "con = duckdb.connect(sys.argv[1])\n"
            "print('ready', flush=True)\n"
            "time.sleep(120)\n",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        monkeypatch.setenv("THEMEDAY_DB", str(path))
        at = app().run()
        assert not at.exception
        assert [t.value for t in at.title] == ["系统维护"]
        text = page_text(at)
        assert "正被另一个程序占用" in text and "DatabaseBusy" in text
        assert "停止占用该数据库文件的程序" in text
        assert not at.text_input
    finally:
        holder.kill()
        holder.wait()
    # Once the other program is gone, 重新检查 opens the app (the failure was not cached).
    at.button[0].click().run()
    assert not at.exception
    assert [t.value for t in at.title] != ["系统维护"]
