"""Backup and restore (备份与恢复): the restore drill, refusals, tampering, the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import duckdb
import pytest

from themeday.__main__ import main
from themeday.core.config import PROJECT_ROOT
from themeday.core.domain import SYSTEM_AUDITOR, UnitKind
from themeday.formats.uploads import FileStore
from themeday.repository import Repository
from themeday.services.activities import read_public_file
from themeday.services.first_run import open_database
from themeday.storage import db
from themeday.storage.backup import (
    IN_USE_MESSAGE,
    BackupError,
    Manifest,
    backup,
    read_manifest,
    restore,
    verify_backup,
)
from themeday.storage.db_admin import align_sequences, table_counts

REFUSED = "为防止覆盖现有数据，已停止恢复"


@dataclass
class Drill:
    original: Path
    con: duckdb.DuckDBPyConnection
    backup_dir: Path
    manifest: Manifest
    restored: Path
    added_unit: int


def office_of(repo: Repository):
    return repo.accounts.login_record("office").user.as_actor()


def file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def rows_of(cur: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return cur.execute(f'SELECT * FROM "{table}" ORDER BY ALL').fetchall()


def tree_state(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``folder`` with its size and hash (to prove nothing changed)."""
    return {
        p.relative_to(folder).as_posix(): (
            p.stat().st_size,
            hashlib.sha256(p.read_bytes()).hexdigest(),
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory) -> Drill:
    """The first-run demo, a row or two more, a backup taken with the app's connection
    still open, and a restore of it (moved elsewhere first) into an empty directory."""
    tmp = tmp_path_factory.mktemp("drill")
    original = tmp / "a" / "x.duckdb"
    con = open_database(original)  # writes the demo photos to a/uploads
    repo = Repository(db.cursor(con))
    office = office_of(repo)
    unit_id = repo.catalogue.create_unit(
        office, "区数据资源局", UnitKind.DEPARTMENT.value, "钱多多", ""
    )
    campaign = repo.catalogue.current_campaign(office)
    repo.compliance.add_adjustment(office, campaign.id, unit_id, 1.5, "备份演练加分")

    manifest = backup(con, original, tmp / "office's backup")  # a quote in the SQL path
    moved = tmp / "elsewhere" / "backup 2026"  # restored from where it was carried to
    moved.parent.mkdir()
    shutil.move(tmp / "office's backup", moved)
    restored = tmp / "b" / "x.duckdb"
    restore(moved, restored)
    yield Drill(original, con, moved, manifest, restored, unit_id)
    con.close()


def test_restore_drill_every_table_and_file_is_equal(drill):
    source = db.cursor(drill.con)
    target = duckdb.connect(str(drill.restored), read_only=True)
    try:
        tables = table_counts(source)
        assert table_counts(target) == tables == drill.manifest.tables
        assert tables["unit"] == 13 and tables["score_adjustment"] == 1  # the added rows
        assert tables["attachment"] > 0 and tables["audit_log"] > 0
        for table in tables:
            assert rows_of(target, table) == rows_of(source, table), table
        assert db.schema_version(target) == db.schema_version(source)
    finally:
        target.close()

    before = file_hashes(drill.original.parent / "uploads")
    after = file_hashes(drill.restored.parent / "uploads")
    assert before and after == before
    assert drill.manifest.upload_files == len(before)
    # and the app reads them back through the recorded sha256
    con = db.connect(drill.restored)
    try:
        repo = Repository(db.cursor(con))
        item = repo.activities.list_showcase()[0]
        store = FileStore(drill.restored.parent / "uploads")
        content, fmt = read_public_file(repo, item.photo_ids[0], store=store)
        assert fmt == "jpeg" and content[:3] == b"\xff\xd8\xff"
        # the app that was backed up keeps working on its open connection
        original = Repository(db.cursor(drill.con))
        added = original.catalogue.create_unit(
            office_of(original), "备份后新增单位", UnitKind.TOWNSHIP.value
        )
        assert original.catalogue.get_unit(office_of(original), added).name == "备份后新增单位"
    finally:
        con.close()


def test_the_manifest_lists_counts_versions_and_every_file(drill):
    manifest = read_manifest(drill.backup_dir)
    assert manifest == drill.manifest
    assert manifest.schema_version == db.schema_version(drill.con)
    assert manifest.created_at.endswith("+08:00") and manifest.checkpointed
    paths = {f.path for f in manifest.files}
    assert {"database/schema.sql", "database/load.sql", "database/unit.parquet"} <= paths
    on_disk = {
        p.relative_to(drill.backup_dir).as_posix()
        for p in drill.backup_dir.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert on_disk == paths
    for entry in manifest.files:
        data = (drill.backup_dir / entry.path).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry.size, entry.sha256)
    uploads = [p for p in paths if p.startswith("uploads/")]
    # the FileStore layout: uploads/<first 2 chars>/<name>
    for path in uploads:
        _, folder, name = PurePosixPath(path).parts
        assert folder == name[:2]
    assert uploads
    tables = drill.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()[0][0]
    assert f"数据表 {tables} 张" in manifest.summary() and "附件文件" in manifest.summary()
    assert verify_backup(drill.backup_dir) == []


def test_backup_checkpoints_and_the_app_keeps_working(tmp_path):
    """After the app's writes (an UPDATE among them) the backup folds the WAL into the
    file with a CHECKPOINT; the app's connection keeps working afterwards."""
    path = tmp_path / "app" / "x.duckdb"
    con = db.connect(path)
    try:
        repo = Repository(db.cursor(con))
        repo.set_meta("demo", "0")
        repo.set_meta("demo", "1")  # an UPDATE
        manifest = backup(con, path, tmp_path / "bk")
        assert manifest.checkpointed and manifest.tables["meta"] == 1
        assert not path.with_name("x.duckdb.wal").exists()
        repo.set_meta("after", "backup")  # the app's connection still works
        assert repo.get_meta("after") == "backup"
    finally:
        con.close()


def test_new_rows_after_restore_continue_the_sequences(drill, tmp_path):
    path = tmp_path / "c" / "x.duckdb"
    restore(drill.backup_dir, path)
    con = db.connect(path)
    try:
        repo = Repository(db.cursor(con))
        office = office_of(repo)
        before = con.execute("SELECT max(id) FROM unit").fetchone()[0]
        audit_before = con.execute("SELECT max(id) FROM audit_log").fetchone()[0]
        assert before == drill.added_unit
        unit_id = repo.catalogue.create_unit(office, "恢复后新增单位", UnitKind.SUBDISTRICT.value)
        assert unit_id == before + 1
        assert con.execute("SELECT max(id) FROM audit_log").fetchone()[0] == audit_before + 1
        campaign = repo.catalogue.current_campaign(office)
        repo.compliance.add_adjustment(office, campaign.id, unit_id, -0.5, "恢复后扣分")
        assert con.execute("SELECT count(*) FROM score_adjustment").fetchone()[0] == 2
        # every sequence behind an id column is past the ids restored
        defaults = con.execute(
            "SELECT table_name, column_default FROM duckdb_columns()"
            " WHERE column_default LIKE 'nextval(%'"
        ).fetchall()
        assert len(defaults) >= 10
        for table, default in defaults:
            largest = con.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()[0]
            assert con.execute(f"SELECT {default}").fetchone()[0] > largest, table
    finally:
        con.close()


def test_align_sequences_moves_a_sequence_that_is_behind(tmp_path):
    con = duckdb.connect(str(tmp_path / "s.duckdb"))
    con.execute("CREATE SEQUENCE seq_t")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY DEFAULT nextval('seq_t'), v VARCHAR)")
    con.execute("INSERT INTO t VALUES (1, 'a'), (7, 'b')")  # explicit ids, sequence untouched
    assert align_sequences(con) == {"seq_t": 8}
    assert con.execute("INSERT INTO t (v) VALUES ('c') RETURNING id").fetchone()[0] == 8
    assert align_sequences(con) == {}
    con.close()


def test_restore_moves_sequences_an_export_left_behind(drill, tmp_path):
    """DuckDB exports each sequence at its next value; were one behind (START 1),
    the restore still moves it past the restored ids."""
    copy = tmp_path / "behind"
    shutil.copytree(drill.backup_dir, copy)
    schema = copy / "database" / "schema.sql"
    text = schema.read_text(encoding="utf-8")
    start = f"START {drill.added_unit + 1} "  # what DuckDB wrote: the next value
    assert any(x.startswith("CREATE SEQUENCE seq_unit ") and start in x for x in text.splitlines())
    lines = [
        line.replace(start, "START 1 ") if line.startswith("CREATE SEQUENCE seq_unit ") else line
        for line in text.splitlines(keepends=True)
    ]
    schema.write_text("".join(lines), encoding="utf-8")
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    data = schema.read_bytes()
    for entry in manifest["files"]:
        if entry["path"] == "database/schema.sql":
            entry.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    path = tmp_path / "r" / "x.duckdb"
    restore(copy, path)
    con = db.connect(path)
    try:
        repo = Repository(db.cursor(con))
        unit_id = repo.catalogue.create_unit(
            office_of(repo), "序列测试单位", UnitKind.DEPARTMENT.value
        )
        assert unit_id == drill.added_unit + 1
    finally:
        con.close()


def test_restore_into_a_non_empty_directory_is_refused_and_changes_nothing(drill, tmp_path):
    # the drill's restored copy is a live data directory now
    folder = drill.restored.parent
    before = tree_state(folder)
    with pytest.raises(BackupError, match=REFUSED) as refused:
        restore(drill.backup_dir, drill.restored)
    assert "x.duckdb" in str(refused.value)
    assert tree_state(folder) == before
    assert sorted(p.name for p in folder.iterdir()) == ["uploads", "x.duckdb"]  # no scratch left

    # uploads alone (no database file) also count
    other = tmp_path / "d"
    (other / "uploads" / "ab").mkdir(parents=True)
    (other / "uploads" / "ab" / "ab12.jpg").write_bytes(b"photo")
    with pytest.raises(BackupError, match=REFUSED):
        restore(drill.backup_dir, other / "x.duckdb")
    assert not (other / "x.duckdb").exists()
    assert file_hashes(other) == {"uploads/ab/ab12.jpg": hashlib.sha256(b"photo").hexdigest()}

    # and a leftover WAL
    wal = tmp_path / "e"
    wal.mkdir()
    (wal / "x.duckdb.wal").write_bytes(b"wal")
    with pytest.raises(BackupError, match=REFUSED):
        restore(drill.backup_dir, wal / "x.duckdb")
    assert [p.name for p in wal.iterdir()] == ["x.duckdb.wal"]


def test_a_tampered_backup_is_named_and_not_restored(drill, tmp_path):
    copy = tmp_path / "tampered"
    shutil.copytree(drill.backup_dir, copy)
    photo = next(f.path for f in drill.manifest.files if f.path.startswith("uploads/"))
    data = bytearray((copy / photo).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / photo).write_bytes(bytes(data))
    (copy / "database" / "unit.parquet").unlink()

    problems = verify_backup(copy)
    assert any(photo in p and "校验值不符" in p for p in problems)
    assert any("database/unit.parquet" in p and "缺少文件" in p for p in problems)
    assert len(problems) == 2

    target = tmp_path / "restored" / "x.duckdb"
    with pytest.raises(BackupError, match="备份校验未通过") as refused:
        restore(copy, target)
    assert photo in str(refused.value)
    assert not target.parent.exists()  # refused before anything was made


def test_an_extra_file_and_a_missing_manifest_are_reported(drill, tmp_path):
    copy = tmp_path / "extra"
    shutil.copytree(drill.backup_dir, copy)
    (copy / "uploads" / "zz").mkdir()
    (copy / "uploads" / "zz" / "zz00.jpg").write_bytes(b"not ours")
    assert verify_backup(copy) == ["清单中没有的多余文件：uploads/zz/zz00.jpg"]
    (copy / "manifest.json").unlink()
    (problem,) = verify_backup(copy)
    assert "manifest.json" in problem
    with pytest.raises(BackupError, match="manifest.json"):
        restore(copy, tmp_path / "r" / "x.duckdb")


def test_a_manifest_whose_counts_differ_stops_the_restore_naming_the_table(drill, tmp_path):
    copy = tmp_path / "counts"
    shutil.copytree(drill.backup_dir, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["tables"]["declaration"] += 1
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert verify_backup(copy) == []  # the files themselves are intact
    target = tmp_path / "r" / "x.duckdb"
    with pytest.raises(BackupError, match="数据表 declaration"):
        restore(copy, target)
    assert not target.exists() and not (target.parent / "uploads").exists()
    assert list(target.parent.iterdir()) == []  # the scratch folder is gone too


def test_a_manifest_path_outside_the_backup_is_refused(drill, tmp_path):
    copy = tmp_path / "escape"
    shutil.copytree(drill.backup_dir, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"].append({"path": "uploads/../../secret", "size": 1, "sha256": "0" * 64})
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert verify_backup(copy) == ["清单中的路径“uploads/../../secret”不合法。"]


def test_backup_into_a_non_empty_directory_is_refused(drill, tmp_path):
    target = tmp_path / "used"
    target.mkdir()
    (target / "old.txt").write_text("上次的备份", encoding="utf-8")
    with pytest.raises(BackupError, match="不为空"):
        backup(drill.con, drill.original, target)
    assert [p.name for p in target.iterdir()] == ["old.txt"]
    inside = drill.original.parent / "uploads" / "backup"
    with pytest.raises(BackupError, match="uploads"):
        backup(drill.con, drill.original, inside)
    assert not inside.exists()


# ------------------------------------------------------------------------------- CLI
def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "themeday", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def test_cli_backup_and_restore(drill, tmp_path):
    live = tmp_path / "live" / "x.duckdb"
    restore(drill.backup_dir, live)  # a stopped app's data directory

    result = run_cli("backup", str(tmp_path / "bk"), "--db", str(live))
    assert result.returncode == 0, result.stderr
    assert "备份完成" in result.stdout and "数据表 " in result.stdout
    assert f"共 {drill.manifest.rows} 行" in result.stdout
    assert f"附件文件 {drill.manifest.upload_files} 个" in result.stdout
    assert verify_backup(tmp_path / "bk") == []

    result = run_cli("restore", str(tmp_path / "bk"), "--db", str(tmp_path / "new" / "x.duckdb"))
    assert result.returncode == 0, result.stderr
    assert "恢复完成" in result.stdout and "数据表 " in result.stdout
    restored = duckdb.connect(str(tmp_path / "new" / "x.duckdb"), read_only=True)
    try:
        assert table_counts(restored) == drill.manifest.tables
    finally:
        restored.close()

    # a second restore over it is refused, with the message and no traceback
    result = run_cli("restore", str(tmp_path / "bk"), "--db", str(tmp_path / "new" / "x.duckdb"))
    assert result.returncode == 1
    assert REFUSED in result.stderr and "Traceback" not in result.stderr


def test_cli_backup_while_another_process_holds_the_database(drill, tmp_path):
    live = tmp_path / "held" / "x.duckdb"
    restore(drill.backup_dir, live)
    holder = duckdb.connect(str(live))  # this process plays the running app
    try:
        result = run_cli("backup", str(tmp_path / "bk"), "--db", str(live))
    finally:
        holder.close()
    assert result.returncode == 2
    assert IN_USE_MESSAGE in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "bk").exists()


def test_cli_messages_in_process(tmp_path, capsys):
    missing = tmp_path / "none.duckdb"
    assert main(["backup", str(tmp_path / "bk"), "--db", str(missing)]) == 1
    assert "数据库文件不存在" in capsys.readouterr().err
    assert not missing.exists()  # never creates an empty database to back up
    assert main(["restore", str(tmp_path / "nothing"), "--db", str(tmp_path / "r.duckdb")]) == 1
    assert "manifest.json" in capsys.readouterr().err


def test_a_production_database_without_uploads(tmp_path, capsys):
    path = tmp_path / "prod" / "x.duckdb"
    assert main(["init", "--empty", "--password", "Prod#2026x", "--db", str(path)]) == 0
    assert not (path.parent / "uploads").exists()
    assert main(["backup", str(tmp_path / "bk"), "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "附件文件 0 个" in out and "数据表 " in out
    restored = tmp_path / "new" / "x.duckdb"
    assert main(["restore", str(tmp_path / "bk"), "--db", str(restored)]) == 0
    assert (restored.parent / "uploads").is_dir()
    con = db.connect(restored)
    try:
        repo = Repository(db.cursor(con))
        auditor, office = repo.accounts.list_users(office_of(repo))  # by role
        assert (office.username, auditor.username) == ("office", "auditor")
        assert not repo.is_demo()
    finally:
        con.close()


def test_the_office_backs_up_from_the_running_app(app_db):
    """管理首页 · 立即备份: done in the app's process, on its connection, and audited."""
    from tests.helpers import host, texts
    from themeday.core.config import db_path
    from themeday.storage.backup import list_backups, verify_backup

    at = host(app_db, "office_home", "office")
    next(b for b in at.button if b.label == "立即备份").click().run()
    assert not at.exception
    assert "备份完成" in texts(at, "success")
    [(name, manifest)] = list_backups(db_path())
    assert manifest is not None and manifest.tables["unit"] == 12
    assert verify_backup(db_path().parent / "backups" / name) == []
    backups = [e for e in app_db.oversight.list_audit(SYSTEM_AUDITOR) if e.action == "backup"]
    assert any(e.object_id == name and "数据表" in e.detail for e in backups)
    assert len(at.dataframe) == 1  # the list of backups (no audit rows: the auditor's)


def test_only_the_office_can_back_up(app_db):
    from themeday.core.domain import PermissionDenied

    leader = app_db.accounts.login_record("leader").user.as_actor()
    with pytest.raises(PermissionDenied):
        app_db.oversight.record_backup(leader, "x", "")
