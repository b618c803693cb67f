"""The compliance benchmark runs end to end at a tiny size (no timing assertions)."""

from __future__ import annotations

from themeday.core.domain import SYSTEM_ACTOR
from themeday.dev import bench, bench_pages
from themeday.repository import Repository
from themeday.repository.catalogue import Catalogue
from themeday.services.auth import password_matches
from themeday.storage import db


def test_benchmark_generates_and_computes(tmp_path):
    timings = bench.run(50, 250, repeat=1, directory=tmp_path)
    assert (timings.units, timings.activities, timings.result_units) == (50, 250, 50)
    assert 0 < timings.result_activities <= 250
    assert timings.rows_generated > 250 and timings.total_seconds > 0
    assert len(timings.lines()) == 9
    assert list(tmp_path.iterdir()) == []  # the temporary database is gone


def test_benchmark_command_line(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(bench.tempfile, "tempdir", str(tmp_path))
    assert bench.main(["--units", "20", "--activities", "60", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "facts + compute" in out and "as of 2023-09-15" in out


# ------------------------------------------------------------------ pages (issue 14)
TINY = bench_pages.Scale("tiny", 8, 24, extra_audit=30)


def test_page_benchmark_reruns_every_page_of_every_role(tmp_path):
    shown: list[str] = []
    report = bench_pages.run(
        TINY, repeat=1, browser=False, exports=False, directory=tmp_path, progress=shown.append
    )
    assert shown == [r.line() for r in report.pages]  # each page as soon as it is measured
    by_role: dict[str, set[str]] = {}
    for result in report.pages:
        assert result.error == "" and result.seconds > 0, result
        assert result.empty_seconds > 0 and result.sql_seconds > 0, result
        by_role.setdefault(result.role, set()).add(result.path)
    assert set(by_role) == {"office", "leader", "unit", "auditor"}
    assert {"grid", "plan", "boards", "showcase"} <= by_role["unit"]
    assert {"dashboard", "activities", "chase", "assessment"} <= by_role["office"]
    assert "audit" not in by_role["office"] and by_role["auditor"] == {""}  # 审计日志 at home
    # the home page (领导看板 for a leader) sits at the root
    assert by_role["leader"] == {"", "plan", "activities", "boards", "grid", "showcase"}
    assert "declaration" in by_role["unit"] and "declaration" not in by_role["leader"]
    lines = report.lines()
    assert lines[0].startswith("scale tiny: 8 units, 24 activities, 30 extra audit rows")
    assert any(line.startswith("数据表 (unit)") for line in lines)
    assert list(tmp_path.iterdir()) == []  # the temporary database is gone


def test_page_benchmark_builds_its_data_file_once_and_reuses_it(tmp_path, monkeypatch):
    data = tmp_path / "kept" / "tiny.duckdb"
    data.parent.mkdir()
    builds = []
    real_build = bench_pages.build
    monkeypatch.setattr(bench_pages, "build", lambda *a, **k: builds.append(a) or real_build(*a))
    options = {"repeat": 1, "browser": False, "exports": False, "directory": tmp_path}
    first = bench_pages.run(TINY, data=data, **options)
    second = bench_pages.run(TINY, data=data, **options)
    assert len(builds) == 1 and data.exists()
    assert [r.path for r in first.pages] == [r.path for r in second.pages]
    assert all(r.error == "" for r in second.pages)
    assert "data: reused tiny.duckdb (built earlier)" in second.lines()


def test_page_benchmark_data_has_the_accounts_and_the_audit_rows(tmp_path):
    path = tmp_path / "b.duckdb"
    bench_pages.build(path, TINY)
    con = db.connect(path)
    try:
        repo = Repository(db.cursor(con))
        users = {
            u: repo.accounts.login_record(u).user for u in ("office", "leader", "unit", "auditor")
        }
        assert {u: r.role.value for u, r in users.items()} == {
            "office": "office",
            "leader": "leader",
            "unit": "unit",
            "auditor": "auditor",
        }
        assert users["unit"].unit_id == 1 and not users["office"].must_change_password
        assert password_matches(
            bench_pages.PASSWORD, repo.accounts.login_record("office").password_hash
        )
        logins = con.execute("SELECT count(*) FROM audit_log WHERE action = 'login'").fetchone()
        assert logins[0] == TINY.units + TINY.extra_audit
    finally:
        con.close()


def test_the_sql_floor_counts_nested_repository_calls_once(tmp_path):
    con = db.connect(tmp_path / "t.duckdb")
    try:
        repo = Repository(db.cursor(con))
        original, fork = Catalogue.list_units, Repository.fork
        with bench_pages.timed_repository() as timer:
            assert Catalogue.list_units is not original and Repository.fork is not fork
            repo.grid.default_view(SYSTEM_ACTOR, "units")  # calls list_saved_views inside
            assert timer.calls == 1
            assert timer.reset() > 0 and timer.reset() == 0 and timer.calls == 0
        assert Catalogue.list_units is original and Repository.fork is fork
        assert "fork" not in Repository.__dict__ and "today" not in Catalogue.__dict__
    finally:
        con.close()


def test_pages_sub_command_keeps_the_old_usage(monkeypatch, capsys):
    seen = {}

    def fake_run(scale, **options):
        seen.update(scale=scale, **options)
        return bench_pages.Report(scale, options["repeat"])

    monkeypatch.setattr(bench_pages, "run", fake_run)
    assert bench.main(["pages", "--scale", "city", "--repeat", "2", "--no-browser"]) == 0
    assert seen["scale"] == bench_pages.SCALES["city"] and seen["repeat"] == 2
    assert seen["browser"] is False and seen["exports"] is True
    assert "scale city: 400 units, 2,000 activities" in capsys.readouterr().out
    assert bench_pages.SCALES["province"].units == 8000
