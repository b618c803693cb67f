"""AppTest: an import file the page refuses is audited once, however often the page reruns.

The file stays in the uploader, and the page reads it again on every rerun until it is
removed; the refusal is one event (issue 15).
"""

from __future__ import annotations

from tests.helpers import host, texts


def refusals(repo) -> list[tuple]:
    return repo.cur.execute(
        "SELECT username, success, detail FROM audit_log WHERE action = 'upload_refused'"
    ).fetchall()


def test_a_refused_unit_roster_is_audited_once(app_db):
    at = host(app_db, "units_accounts", "office")
    uploader = next(u for u in at.file_uploader if u.label.startswith("选择文件"))
    uploader.set_value(
        ("名录.csv", "单位名称,单位类别\n区司法局,不存在的类别\n".encode(), "text/csv")
    )
    at.run()
    assert not at.exception
    assert "未导入任何内容" in texts(at, "error")
    at.run()  # a rerun reads the same file again
    [(username, success, detail)] = refusals(app_db)
    assert (username, success) == ("office", False)
    assert detail.startswith("文件：名录.csv；类型：单位名录导入文件；原因：")
    assert "不存在的类别" in detail or "单位类别" in detail
