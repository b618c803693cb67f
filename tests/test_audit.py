"""The tamper-evident audit log: the hash chain on every write, verification naming the
first broken row, writers from several threads, escaping, retention, rows from before
the chain, backups, exports and the command line."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from tests.conftest import FakeClock, actor_for, copy_demo
from themeday.__main__ import main
from themeday.core.audit import (
    EXPORT_COLUMNS,
    GENESIS,
    AuditFilter,
    AuditRow,
    compute_hash,
    escape_text,
    verify_chain,
)
from themeday.core.domain import (
    SYSTEM_ACTOR,
    SYSTEM_AUDITOR,
    PermissionDenied,
    Role,
    ValidationError,
)
from themeday.formats.audit_exports import audit_csv, audit_xlsx
from themeday.repository import Repository
from themeday.services.auth import AuthService
from themeday.storage import db
from themeday.storage.backup import backup, restore
from themeday.storage.migrations import MIGRATIONS

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def chain_rows(repo: Repository) -> list[AuditRow]:
    return list(repo.oversight._chain_rows())


def assert_one_chain(rows: list[AuditRow], anchor: str = GENESIS) -> None:
    """Each row points at the one before it and its hash matches its content."""
    expected = anchor
    for row in rows:
        assert row.prev_hash == expected, row.id
        assert row.row_hash == compute_hash(row, row.prev_hash), row.id
        expected = row.row_hash


def count(repo: Repository) -> int:
    return repo.cur.execute("SELECT count(*) FROM audit_log").fetchall()[0][0]


# ------------------------------------------------------------------ the chain
def test_every_write_appends_a_row_chained_to_the_one_before(repo, system):
    assert count(repo) == 0
    unit_id = repo.catalogue.create_unit(system, "区司法局", "部门", "张三", "0739-5321199")
    repo.accounts.create_user(
        system,
        username="clerk",
        display_name="填报员",
        role=Role.UNIT,
        unit_id=unit_id,
        password_hash="x",
        must_change_password=True,
    )
    AuthService(repo).authenticate("nobody", "Wrong@1234")  # a failed login, no actor
    repo.oversight.record_backup(system, "bk", "备份")  # a write outside any transaction
    rows = chain_rows(repo)
    assert [r.action for r in rows] == ["create", "create", "login", "backup"]
    assert rows[0].prev_hash == GENESIS
    assert_one_chain(rows)
    assert len({r.row_hash for r in rows}) == len(rows)
    assert (
        repo.oversight.verify_audit_chain(SYSTEM_AUDITOR).message()
        == "审计日志完整：共 4 条，哈希链校验通过。"
    )


def test_a_fresh_demo_database_verifies(demo, office):
    result = demo.oversight.verify_audit_chain(SYSTEM_AUDITOR)
    assert result.ok and result.count == count(demo) > 50
    assert result.last_id == demo.oversight.list_audit(SYSTEM_AUDITOR, 1)[0].id
    assert_one_chain(chain_rows(demo))


# ------------------------------------------------------------ separation of duties
AUDIT_READS = {
    "list_audit": lambda r, a: r.oversight.list_audit(a, 5),
    "search_audit": lambda r, a: r.oversight.search_audit(a, AuditFilter(), 5),
    "count_audit": lambda r, a: r.oversight.count_audit(a, AuditFilter()),
    "audit_choices": lambda r, a: r.oversight.audit_choices(a),
    "verify_audit_chain": lambda r, a: r.oversight.verify_audit_chain(a),
    "grid": lambda r, a: r.grid.grid_rows(a, "audit_log", limit=5),
}


@pytest.mark.parametrize("read", sorted(AUDIT_READS))
@pytest.mark.parametrize("username", ["office", "leader", "unit1"])
def test_only_the_auditor_reads_the_audit_log(demo, username, read):
    """权限分离: the office that manages the data and the accounts reads no audit row,
    through any door; the demo's auditor account does."""
    with pytest.raises(PermissionDenied):
        AUDIT_READS[read](demo, actor_for(demo, username))
    assert AUDIT_READS[read](demo, actor_for(demo, "auditor"))


@pytest.mark.parametrize("username", ["office", "leader", "unit1"])
def test_only_the_auditor_deletes_audit_rows(demo, clock, username):
    clock.advance(days=400)
    before = count(demo)
    with pytest.raises(PermissionDenied):
        demo.oversight.apply_audit_retention(actor_for(demo, username), 183)
    with pytest.raises(PermissionDenied):
        demo.oversight.apply_audit_retention(SYSTEM_ACTOR, 183)  # the office's set-up actor neither
    assert count(demo) == before
    assert demo.oversight.apply_audit_retention(actor_for(demo, "auditor"), 183).deleted == before


def test_the_hash_covers_every_field_and_the_previous_hash():
    row = AuditRow(1, FakeClock()(), "office", "office", None, "login", "session", "ab", True, "")
    base = compute_hash(row, GENESIS)
    for field, value in (
        ("id", 2),
        ("occurred_at", FakeClock()().replace(microsecond=1)),
        ("username", "office2"),
        ("role", "unit"),
        ("unit_id", 3),
        ("action", "logout"),
        ("object_type", "app_user"),
        ("object_id", "ac"),
        ("success", False),
        ("detail", "x"),
    ):
        changed = AuditRow(**{**row.__dict__, field: value})
        assert compute_hash(changed, GENESIS) != base, field
    assert compute_hash(row, "1" * 64) != base
    # the same instant in another zone is the same row
    moved = AuditRow(**{**row.__dict__, "occurred_at": row.occurred_at.astimezone(None)})
    assert compute_hash(moved, GENESIS) == base


# ------------------------------------------------------------------ tampering
def middle_id(repo: Repository) -> int:
    ids = [r.id for r in chain_rows(repo)]
    return ids[len(ids) // 2]


def test_a_changed_detail_is_reported_at_that_row(demo, office):
    target = middle_id(demo)
    demo.cur.execute("UPDATE audit_log SET detail = detail || '（改）' WHERE id = ?", [target])
    result = demo.oversight.verify_audit_chain(SYSTEM_AUDITOR)
    assert not result.ok and result.broken_id == target
    assert "被修改" in result.reason and f"#{target}" in result.message()


def test_a_changed_row_with_a_recomputed_hash_is_reported_at_the_next_row(demo, office):
    rows = chain_rows(demo)
    target = rows[10]
    forged = AuditRow(**{**target.__dict__, "success": not target.success})
    demo.cur.execute(
        "UPDATE audit_log SET success = ?, row_hash = ? WHERE id = ?",
        [forged.success, compute_hash(forged, target.prev_hash), target.id],
    )
    result = demo.oversight.verify_audit_chain(SYSTEM_AUDITOR)
    assert result.broken_id == rows[11].id and f"#{target.id}" in result.reason


def test_a_deleted_middle_row_is_reported_at_the_row_after_it(demo, office):
    rows = chain_rows(demo)
    demo.cur.execute("DELETE FROM audit_log WHERE id = ?", [rows[20].id])
    result = demo.oversight.verify_audit_chain(SYSTEM_AUDITOR)
    assert result.broken_id == rows[21].id
    assert "删除" in result.reason and f"#{rows[19].id}" in result.reason


def test_a_deleted_first_row_is_reported(demo, office):
    rows = chain_rows(demo)
    demo.cur.execute("DELETE FROM audit_log WHERE id = ?", [rows[0].id])
    assert demo.oversight.verify_audit_chain(SYSTEM_AUDITOR).broken_id == rows[1].id


def test_two_swapped_rows_are_reported_at_the_first_of_them(demo, office):
    rows = chain_rows(demo)
    a, b = rows[5], rows[6]
    for target, source in ((a, b), (b, a)):  # each row's content and hashes, other id
        demo.cur.execute(
            "UPDATE audit_log SET occurred_at = ?, username = ?, action = ?, object_type = ?,"
            " object_id = ?, detail = ?, prev_hash = ?, row_hash = ? WHERE id = ?",
            [
                source.occurred_at,
                source.username,
                source.action,
                source.object_type,
                source.object_id,
                source.detail,
                source.prev_hash,
                source.row_hash,
                target.id,
            ],
        )
    assert demo.oversight.verify_audit_chain(SYSTEM_AUDITOR).broken_id == a.id


def test_a_row_without_hashes_is_reported_and_not_chained_again_on_open(tmp_path):
    path = tmp_path / "x.duckdb"
    con = db.connect(path)
    repo = Repository(db.cursor(con), FakeClock())
    for n in range(3):
        repo.oversight.record_backup(SYSTEM_ACTOR, f"bk{n}", "")
    second = chain_rows(repo)[1].id
    repo.cur.execute(
        "UPDATE audit_log SET detail = 'x', prev_hash = NULL, row_hash = NULL WHERE id = ?",
        [second],
    )
    con.close()
    con = db.connect(path)  # the chain exists: opening must not re-chain the row
    try:
        result = Repository(db.cursor(con)).oversight.verify_audit_chain(SYSTEM_AUDITOR)
        assert result.broken_id == second and "没有哈希" in result.reason
    finally:
        con.close()


def test_verify_chain_on_plain_rows():
    clock = FakeClock()
    rows = [
        AuditRow(i, clock(), "u", None, None, "login", None, None, True, str(i)) for i in (1, 2, 3)
    ]
    assert verify_chain([]).message() == "审计日志完整：共 0 条，哈希链校验通过。"
    from themeday.core.audit import chain

    chained = chain(rows)
    assert verify_chain(chained).ok
    assert verify_chain(chained[1:]).broken_id == 2  # its start was cut, no anchor
    assert verify_chain(chained[1:], chained[0].row_hash).ok


# ------------------------------------------------------------------ several writers
def test_a_transaction_in_progress_holds_back_other_writers(tmp_path):
    """Without the write lock, B would chain to the row before A's and fork the chain."""
    con = db.connect(tmp_path / "x.duckdb")
    try:
        a = Repository(db.cursor(con), FakeClock())
        a.oversight.record_backup(SYSTEM_ACTOR, "first", "")
        started, errors = threading.Event(), []

        def slow_write() -> None:
            def work() -> None:
                a._audit(SYSTEM_ACTOR, "backup", "database", "a")
                started.set()
                threading.Event().wait(0.4)  # B tries to write meanwhile

            db.in_transaction(a.cur, work)

        def other(kind: str) -> None:
            started.wait(5)
            repo = Repository(db.cursor(con), FakeClock())
            try:
                if kind == "transaction":
                    repo.catalogue.create_unit(SYSTEM_ACTOR, "区司法局", "部门")
                else:
                    repo.oversight.record_backup(SYSTEM_ACTOR, "b", "")
            except Exception as exc:  # pragma: no cover - shown by the assertion
                errors.append(exc)

        threads = [threading.Thread(target=slow_write)] + [
            threading.Thread(target=other, args=(k,)) for k in ("transaction", "plain")
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert errors == []
        rows = chain_rows(a)
        assert [r.object_id for r in rows[:2]] == ["first", "a"]
        assert len(rows) == 4
        assert_one_chain(rows)
        assert a.oversight.verify_audit_chain(SYSTEM_AUDITOR).ok
    finally:
        con.close()


def test_many_threads_writing_at_once_keep_one_unbroken_chain(demo, office):
    con = demo.cur  # cursors of the one shared connection, one per thread
    before = count(demo)
    errors: list[Exception] = []
    barrier = threading.Barrier(4)

    def writer(n: int) -> None:
        repo = Repository(db.cursor(con), FakeClock())
        auth = AuthService(repo)
        barrier.wait()
        try:
            for i in range(8):
                if i % 2:
                    auth.authenticate(f"nobody{n}", "Wrong@1234")
                else:
                    repo.oversight.record_backup(office, f"t{n}-{i}", "")
        except Exception as exc:  # pragma: no cover - shown by the assertion
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert count(demo) == before + 32
    rows = chain_rows(demo)
    assert len({r.prev_hash for r in rows}) == len(rows)  # no two rows share a parent
    assert_one_chain(rows)
    assert demo.oversight.verify_audit_chain(SYSTEM_AUDITOR).ok


# ------------------------------------------------------------------ escaping
def test_escape_text():
    assert escape_text("a\nb\r\nc\td") == "a\\nb\\r\\nc\\td"
    assert escape_text("typed \\n") == "typed \\\\n"  # not the same as a real newline
    assert escape_text("x\u2028y\x00z\u202e") == "x\\u2028y\\u0000z\\u202e"
    assert escape_text("区教育局 申报 2026") == "区教育局 申报 2026"
    assert escape_text(None) is None


def test_user_values_cannot_fake_another_log_line(demo, office, tmp_path):
    fake = "unit1\n2026-11-23 09:00:00,office,政务公开办,,登录,成功"
    AuthService(demo).authenticate(fake, "Wrong@1234")
    demo.oversight.record_backup(office, "bk\r\n#999", "第一行\n第二行\u2028第三行")
    rows = demo.oversight.search_audit(SYSTEM_AUDITOR, AuditFilter(), 2)
    texts = [v for r in rows for v in (r.username, r.object_id, r.detail) if v]
    assert not any(ch in t for t in texts for ch in "\n\r\u2028")
    assert rows[1].username == "unit1\\n2026-11-23 09:00:00,office,政务公开办,,登录,成功"
    assert rows[0].object_id == "bk\\r\\n#999"
    assert rows[0].detail == "第一行\\n第二行\\u2028第三行"
    assert demo.oversight.verify_audit_chain(SYSTEM_AUDITOR).ok
    # the filter finds what was typed
    assert demo.oversight.count_audit(SYSTEM_AUDITOR, AuditFilter(username=fake)) == 1
    # one line per row in the csv export
    lines = audit_csv(rows).decode("utf-8-sig").split("\r\n")
    assert len([line for line in lines if line]) == 3


# ------------------------------------------------------------------ exports
def test_exports_neutralise_every_text_cell(demo, office):
    for text in ('=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)"):
        AuthService(demo).authenticate(text, "Wrong@1234")
    demo.oversight.record_backup(office, "=cmd|' /C calc'!A0", "\t=1+1")
    rows = demo.oversight.search_audit(SYSTEM_AUDITOR, AuditFilter(), 5)

    sheet = load_workbook(io.BytesIO(audit_xlsx(rows, "筛选条件：全部记录"))).active
    header = next(r for r in range(1, 6) if sheet.cell(r, 1).value == "编号")
    values = [[c for c in row] for row in sheet.iter_rows(min_row=header + 1)]
    assert len(values) == 5
    for row in values:
        assert isinstance(row[0].value, int)  # ids stay numbers
        for cell in row:
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
                assert cell.value[0] not in "=+-@\t\r", cell.value
    usernames = [row[2].value for row in values]
    assert '\'=HYPERLINK("http://x")' in usernames and "'@SUM(A1)" in usernames

    table = list(csv.reader(io.StringIO(audit_csv(rows).decode("utf-8-sig"))))
    assert table[0][0] == "编号" and len(table) == 6
    for row in table[1:]:
        for value in row:
            assert not value or value[0] not in "=+-@\t\r", value
    assert any(r[EXPORT_COLUMNS.index("对象编号")] == "'=cmd|' /C calc'!A0" for r in table[1:])


def test_audit_xlsx_prints_a3_with_a_frozen_chinese_header(demo, office):
    AuthService(demo).authenticate("nobody", "Wrong@1234")
    rows = demo.oversight.search_audit(SYSTEM_AUDITOR, AuditFilter(), 5)
    for subtitle, header in (("筛选条件：全部记录", 3), ("", 2)):
        sheet = load_workbook(io.BytesIO(audit_xlsx(rows, subtitle))).active
        assert sheet.title == "审计日志" and sheet["A1"].value == "审计日志"
        heads = [c.value for c in sheet[header]]
        assert heads[0] == "编号" and heads[-1] == "本条哈希"
        assert not any(re.search(r"[A-Za-z]", h) for h in heads), heads  # Chinese only
        assert sheet.freeze_panes == f"A{header + 1}"
        assert sheet.print_title_rows == f"${header}:${header}"
        assert int(sheet.page_setup.paperSize) == 8  # A3
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_audit_export_labels_are_chinese(demo, office):
    """The demo's whole log: 角色, 操作, 对象类型 and 结果 read in Chinese, no codes."""
    AuthService(demo).authenticate("nobody", "Wrong@1234")
    demo.oversight.record_backup(office, "备份.zip", "")
    rows = demo.oversight.search_audit(SYSTEM_AUDITOR, AuditFilter(), 100_000)
    sheet = load_workbook(io.BytesIO(audit_xlsx(rows))).active
    heads = [c.value for c in sheet[2]]
    for name in ("角色", "操作", "对象类型", "结果"):
        column = heads.index(name)
        values = {r[column].value for r in sheet.iter_rows(min_row=3)} - {None}
        assert values
        assert not [v for v in values if re.search(r"[A-Za-z]", v)], (name, values)


# ------------------------------------------------------------------ retention
def dated_rows(repo: Repository, clock: FakeClock, days_ago: list[int]) -> list[int]:
    """One audit row per entry, written ``days_ago`` days before the clock's now."""
    now = clock.current
    ids = []
    for n, back in enumerate(days_ago):
        from datetime import timedelta

        clock.current = now - timedelta(days=back)
        repo.oversight.record_backup(SYSTEM_ACTOR, f"row{n}", f"{back}天前")
        ids.append(chain_rows(repo)[-1].id)
    clock.current = now
    return ids


def test_retention_refuses_fewer_than_183_days(repo, clock):
    dated_rows(repo, clock, [400, 300])
    with pytest.raises(ValidationError, match="至少保留183天"):
        repo.oversight.apply_audit_retention(SYSTEM_AUDITOR, 182)
    assert count(repo) == 2


def test_retention_deletes_only_older_rows_is_audited_and_verify_still_passes(repo, clock):
    ids = dated_rows(repo, clock, [400, 300, 190, 100, 250, 1])
    rows = chain_rows(repo)
    done = repo.oversight.apply_audit_retention(SYSTEM_AUDITOR, 183)
    # the first three are older than 183 days; the one 250 days old comes after a newer
    # row and waits for a later run (only a prefix of the chain is ever cut)
    assert (done.deleted, done.first_id, done.up_to_id) == (3, ids[0], ids[2])
    assert done.anchor == rows[2].row_hash
    left = chain_rows(repo)
    assert [r.id for r in left[:3]] == ids[3:]
    record = left[-1]
    assert (record.action, record.object_type, record.object_id) == (
        "retention",
        "audit_log",
        str(ids[2]),
    )
    assert "删除3条" in record.detail and rows[2].row_hash in record.detail
    result = repo.oversight.verify_audit_chain(SYSTEM_AUDITOR)
    assert result.ok and result.count == 4

    # later writes, and a later retention, keep it verifiable
    repo.oversight.record_backup(SYSTEM_ACTOR, "after", "")
    clock.advance(days=400)
    again = repo.oversight.apply_audit_retention(SYSTEM_AUDITOR, 183)
    assert again.deleted == 5
    assert repo.oversight.verify_audit_chain(SYSTEM_AUDITOR).ok
    assert [r.action for r in chain_rows(repo)] == ["retention"]


def test_rows_deleted_beyond_the_retention_are_reported(repo, clock):
    ids = dated_rows(repo, clock, [400, 300, 10, 5])
    repo.oversight.apply_audit_retention(SYSTEM_AUDITOR, 183)
    repo.cur.execute("DELETE FROM audit_log WHERE id = ?", [ids[2]])
    result = repo.oversight.verify_audit_chain(SYSTEM_AUDITOR)
    assert result.broken_id == ids[3] and "更早的记录可能被删除" in result.reason


def test_retention_refuses_while_the_chain_is_broken(repo, clock):
    ids = dated_rows(repo, clock, [400, 300, 10])
    repo.cur.execute("UPDATE audit_log SET detail = 'x' WHERE id = ?", [ids[0]])
    with pytest.raises(ValidationError, match="未删除任何记录"):
        repo.oversight.apply_audit_retention(SYSTEM_AUDITOR, 183)
    assert count(repo) == 3


# ------------------------------------------------------------------ rows from before v6
def test_rows_written_before_the_chain_are_chained_when_the_database_opens(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    db.migrate(con, target=len(MIGRATIONS) - 1)  # schema v5: no hash columns
    for n in range(3):
        con.execute(
            "INSERT INTO audit_log (occurred_at, username, role, unit_id, action,"
            " object_type, object_id, success, detail) VALUES"
            " (TIMESTAMPTZ '2026-01-05 10:00:00+08' + INTERVAL (?) MINUTE, 'office', 'office',"
            " NULL, 'login', 'session', ?, true, '')",
            [n, f"s{n}"],
        )
    con.close()

    con = db.connect(path)
    try:
        repo = Repository(db.cursor(con), FakeClock())
        rows = chain_rows(repo)
        assert len(rows) == 3 and all(r.row_hash for r in rows)
        assert_one_chain(rows)
        repo.oversight.record_backup(SYSTEM_ACTOR, "new", "")
        assert_one_chain(chain_rows(repo))
        assert repo.oversight.verify_audit_chain(SYSTEM_AUDITOR).message() == (
            "审计日志完整：共 4 条，哈希链校验通过。"
        )
        assert db.chain_legacy_audit(con) == 0  # once only
    finally:
        con.close()


# ------------------------------------------------------------------ backup and restore
def test_a_restored_database_still_verifies(demo, office, tmp_path):
    demo.oversight.record_backup(office, "bk", "多行\n说明")
    before = demo.oversight.verify_audit_chain(SYSTEM_AUDITOR)
    path = tmp_path / "demo" / "demo.duckdb"
    con = duckdb.connect(str(path))  # the demo fixture's file, same process
    try:
        backup(con, path, tmp_path / "bk")
    finally:
        con.close()
    restored = tmp_path / "restored" / "x.duckdb"
    restore(tmp_path / "bk", restored)
    con = db.connect(restored)
    try:
        after = Repository(db.cursor(con)).oversight.verify_audit_chain(SYSTEM_AUDITOR)
    finally:
        con.close()
    assert before.ok and after.ok
    assert (after.count, after.last_id, after.last_hash) == (
        before.count,
        before.last_id,
        before.last_hash,
    )


# ------------------------------------------------------------------ command line
@pytest.fixture
def demo_file(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "cli" / "demo.duckdb"
    copy_demo(demo_template, path)
    return path


def test_cli_verify_exit_codes(demo_file, tmp_path, capsys):
    assert main(["audit", "verify", "--db", str(demo_file)]) == 0
    out = capsys.readouterr().out
    assert "哈希链校验通过" in out and "审计日志完整：共 " in out

    con = db.connect(demo_file)
    repo = Repository(db.cursor(con))
    target = middle_id(repo)
    con.execute("UPDATE audit_log SET username = 'someone' WHERE id = ?", [target])
    con.close()
    assert main(["audit", "verify", "--db", str(demo_file)]) == 1
    assert f"第一条异常记录为 #{target}" in capsys.readouterr().out

    missing = tmp_path / "none.duckdb"
    assert main(["audit", "verify", "--db", str(missing)]) == 2
    assert "数据库文件不存在" in capsys.readouterr().err
    assert not missing.exists()


def test_cli_retention(demo_file, capsys):
    assert main(["audit", "retention", "--days", "100", "--db", str(demo_file)]) == 2
    assert "至少保留183天" in capsys.readouterr().err
    assert main(["audit", "retention", "--days", "183", "--db", str(demo_file)]) == 0
    out = capsys.readouterr().out
    assert "哈希链校验通过" in out
    con = db.connect(demo_file)
    try:
        newest = Repository(db.cursor(con)).oversight.list_audit(SYSTEM_AUDITOR, 1)[0]
        assert (newest.action, newest.username) == ("retention", "system")
    finally:
        con.close()


def test_cli_verify_while_the_app_holds_the_database(demo_file):
    holder = duckdb.connect(str(demo_file))  # this process plays the running app
    try:
        result = subprocess.run(
            [sys.executable, "-m", "themeday", "audit", "verify", "--db", str(demo_file)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
    finally:
        holder.close()
    assert result.returncode == 2
    assert "请先停止应用" in result.stderr and "Traceback" not in result.stderr
