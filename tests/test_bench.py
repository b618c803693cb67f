"""The compliance benchmark runs end to end at a tiny size (no timing assertions)."""

from __future__ import annotations

from themeday import bench


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
