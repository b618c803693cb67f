"""The 数据表 browser benchmark's preparation (the timing itself needs Chromium and is
run by hand: ``python -m themeday.dev.bench_grid --browser``)."""

from __future__ import annotations

import pytest

from themeday.core.grid import ViewSpec
from themeday.dev import bench_grid, bench_grid_browser, bench_pages
from themeday.repository import Repository
from themeday.storage import db

SMALL = bench_pages.Scale("small", 20, 100)


def test_the_saved_view_and_the_rows_it_expects(tmp_path):
    path = tmp_path / "b.duckdb"
    bench_pages.build(path, SMALL)
    view_id, expected = bench_grid_browser.prepare(path)
    con = db.connect(path)
    try:
        repo = Repository(db.cursor(con))
        office = repo.accounts.login_record("office").user.as_actor()
        (saved,) = repo.grid.list_saved_views(office, "activities")
        assert saved.id == view_id and saved.name == bench_grid_browser.VIEW_NAME
        assert saved.spec.page_size == bench_grid_browser.PAGE_SIZE != ViewSpec().page_size
        assert set(expected) == set(bench_grid_browser.MONTHS)
        everything = repo.grid.grid_rows(office, "activities", ViewSpec(), 0, 1000).rows
        for month, want in expected.items():
            rows = everything[
                (everything["planned_month"] == month) & (everything["status"] != "cancelled")
            ].sort_values(["unit_name", "id"], ascending=[False, True])
            assert want.total == len(rows) > 0
            assert want.first_id == int(rows.iloc[0]["id"])
    finally:
        con.close()


def test_the_browser_run_is_a_switch_of_the_grid_benchmark(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(bench_grid_browser, "run", lambda *a: calls.append(a) or 0)
    data = tmp_path / "p.duckdb"
    assert bench_grid.main(["--browser", "--data", str(data), "--repeat", "3"]) == 0
    assert calls == [(data, "province", 3)]


def test_the_data_file_is_copied_not_opened(monkeypatch, tmp_path):
    data = tmp_path / "given.duckdb"
    bench_pages.build(data, SMALL)
    before = data.read_bytes()
    monkeypatch.setattr(bench_grid_browser, "browser_available", lambda: True)

    def no_server(path):
        assert path != data and path.exists()
        raise RuntimeError("stop before serving")

    monkeypatch.setattr(bench_grid_browser, "app_server", no_server)
    with pytest.raises(RuntimeError, match="stop before serving"):
        bench_grid_browser.run(data, "province", 1)
    assert data.read_bytes() == before
