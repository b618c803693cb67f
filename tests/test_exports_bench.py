"""The exports benchmark runs end to end at a tiny size (no timing assertions)."""

from __future__ import annotations

from themeday.dev import exports_bench


def test_every_export_is_built_and_measured(tmp_path):
    lines = exports_bench.run(20, 60, directory=tmp_path, profile=tmp_path)
    assert lines[0].startswith("20 units, 60 activities")
    names = ["合规汇总 xlsx", "通报 docx", "催办清单 xlsx", "活动计划 docx", "数据表 view xlsx"]
    for name in names:
        assert any(line.startswith(name) and " MB file" in line for line in lines[1:]), name
    assert len(lines) == 11
    assert len(list(tmp_path.glob("*.prof"))) == 10


def test_command_line_picks_a_scale_and_filters(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(exports_bench.tempfile, "tempdir", str(tmp_path))
    argv = ["--scale", "district", "--units", "12", "--activities", "30", "--only", "通报"]
    assert exports_bench.main([*argv, "--traced"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("12 units, 30 activities") and len(out) == 2
    assert out[1].startswith("通报 docx") and "traced" in out[1]
