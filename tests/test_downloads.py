"""Downloads are built only when clicked, and each one writes its audit row (issues 14, 15).

A page offers its exports as deferred downloads: a rerun builds nothing, the click
builds the file (on a worker thread, with a cursor of its own) and writes one audit
row: who, which file, the campaign, the filters in force and the row count.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from tests.helpers import host, page_at
from tests.sample_files import PDF
from themeday.core.domain import PermissionDenied
from themeday.formats import exports
from themeday.repository import Repository
from themeday.services.file_audit import DownloadAudit, deliver
from themeday.ui import compliance_widgets


def counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    """Replace ``module.name`` by a wrapper that counts its calls."""
    calls: list[int] = []
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def downloads_in_audit(repo: Repository) -> list[tuple]:
    return repo.cur.execute(
        "SELECT username, role, object_type, object_id, success, detail FROM audit_log"
        " WHERE action = 'download' ORDER BY id"
    ).fetchall()


def office_campaign(repo: Repository):
    office = repo.accounts.login_record("office").user.as_actor()
    return office, repo.catalogue.current_campaign(office)


# ------------------------------------------------------------------ built on click
def test_annual_plan_builds_its_files_only_when_clicked(app_db, downloads, monkeypatch):
    xlsx = counting(monkeypatch, exports, "annual_plan_xlsx")
    docx = counting(monkeypatch, exports, "annual_plan_docx")
    office, campaign = office_campaign(app_db)
    assert app_db.declarations.list_plan(office, campaign.id)  # the demo has approved themes

    at = host(app_db, "annual_plan", "office")
    at.run()  # a rerun, as any click on the page causes
    assert not at.exception
    assert {"导出计划安排表（Excel）", "导出计划安排表（Word）"} <= set(downloads.labels(at))
    assert (xlsx, docx) == ([], [])
    assert downloads_in_audit(app_db) == []  # offering a file is not downloading it

    data = downloads.click(at, "导出计划安排表（Excel）")
    assert (len(xlsx), docx) == (1, [])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == exports.annual_plan_title(campaign)
    downloads.click(at, "导出计划安排表（Word）")
    assert len(docx) == 1


def test_chase_list_is_built_only_when_clicked(app_db, downloads, monkeypatch):
    built = counting(monkeypatch, compliance_widgets, "chase_items_xlsx")
    at = host(app_db, "chase_board", "office")
    at.run()
    assert not at.exception
    assert built == []
    data = downloads.click(at, "导出催办清单（Excel）")
    assert len(built) == 1
    assert load_workbook(io.BytesIO(data)).active.max_row > 1


# ------------------------------------------------------------------ audited
def test_a_download_writes_one_audit_row_with_campaign_filters_and_rows(app_db, downloads):
    office, campaign = office_campaign(app_db)
    plan = app_db.declarations.list_plan(office, campaign.id)
    form = plan[0].form
    expected_rows = sum(a.form == form for a in plan)

    at = host(app_db, "annual_plan", "office")
    next(m for m in at.multiselect if m.label == "活动形式").select(form).run()
    assert not at.exception
    downloads.click(at, "导出计划安排表（Excel）")
    at.run()  # a later rerun writes nothing more

    [(username, role, object_type, object_id, success, detail)] = downloads_in_audit(app_db)
    assert (username, role, success) == ("office", "office", True)
    assert (object_type, object_id) == ("campaign", str(campaign.id))
    assert "文件：全年活动计划安排表（Excel）" in detail
    assert f"活动：{campaign.year}年 · {campaign.region}" in detail
    assert f"筛选条件：活动形式：{form}" in detail
    assert f"行数：{expected_rows}" in detail


def test_a_failed_build_is_audited_as_a_failed_download(app_db):
    office, campaign = office_campaign(app_db)

    def broken(_: Repository) -> bytes:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        deliver(app_db, office, DownloadAudit("测试文件", campaign), broken, "x.xlsx")
    [row] = downloads_in_audit(app_db)
    assert row[4] is False and "生成失败：RuntimeError" in row[5]


def test_the_builder_count_comes_back_with_the_file(app_db):
    office, _ = office_campaign(app_db)
    data = deliver(app_db, office, DownloadAudit("测试"), lambda _: (b"abc", 7), "t.csv")
    assert data == b"abc"
    [row] = downloads_in_audit(app_db)
    assert (row[2], row[3]) == ("export", None)
    assert "筛选条件：无（全部）；行数：7；文件名：t.csv" in row[5]


def test_a_download_after_the_login_ended_is_refused_and_audited(app_db, downloads):
    """The button outlives its run: after 退出 (or a revocation) it must not give the file."""

    user = app_db.accounts.login_record("office").user
    app_db.accounts.start_session(user, "office-session")
    at = page_at("annual_plan")
    at.session_state["themeday.user_id"] = user.id
    at.session_state["themeday.session_key"] = "office-session"
    at.run()
    assert not at.exception
    downloads.click(at, "导出计划安排表（Excel）")  # while logged in
    app_db.accounts.end_session("office-session", "logout", user)  # 退出 in another tab
    with pytest.raises(PermissionDenied):
        downloads.click(at, "导出计划安排表（Excel）")
    first, second = downloads_in_audit(app_db)
    assert first[4] is True and second[4] is False
    assert "生成失败：" in second[5]


# ------------------------------------------------------------------ month grid cap
def _month_grid_page() -> None:
    from types import SimpleNamespace

    from pages.shared.annual_plan import _month_grid

    plan = [
        SimpleNamespace(planned_month=5, unit_name=f"单位{n}", title=f"主题{n}", form="座谈交流")
        for n in range(45)
    ] + [SimpleNamespace(planned_month=6, unit_name="单位", title="六月主题", form="政策发布")]
    _month_grid(plan, [5, 6])


def test_a_month_of_the_grid_shows_at_most_30_themes():
    at = AppTest.from_function(_month_grid_page).run()
    assert not at.exception
    cards = [t.value for t in at.text]
    assert sum("主题" in c and "六月" not in c for c in cards) == 30
    assert "单位0\n主题0（座谈交流）" in cards and "单位30\n主题30（座谈交流）" not in cards
    assert "六月主题" in " ".join(cards)
    assert [c.value for c in at.caption] == ["另有15项，请在计划表中查看"]
    assert "**5月**　45个主题" in [m.value for m in at.markdown]


def _plan_table_page() -> None:
    from types import SimpleNamespace

    from pages.shared.annual_plan import _plan_table

    plan = [
        SimpleNamespace(
            planned_month=5,
            unit_name=f"单位{n}",
            unit_kind="乡镇",
            title=f"主题{n}",
            form="座谈交流",
            summary="",
        )
        for n in range(12)
    ]
    _plan_table(plan, limit=10)


def test_the_plan_table_lists_at_most_its_cap_and_says_so():
    at = AppTest.from_function(_plan_table_page).run()
    assert not at.exception
    (table,) = at.dataframe
    assert list(table.value["活动主题"]) == [f"主题{n}" for n in range(10)]
    assert [c.value for c in at.caption] == [
        "共12项，仅显示前10项，请用筛选缩小范围；导出计划安排表可得全部。"
    ]


# ------------------------------------------------------------------ a stamped scan
def _scanned(repo: Repository):
    """unit3's draft 申报表 with its stamped scan uploaded (the demo has none)."""
    from themeday.services.declarations import upload_scan

    _, campaign = office_campaign(repo)
    unit3 = repo.accounts.login_record("unit3").user.as_actor()
    draft = repo.declarations.save_declaration(
        unit3,
        campaign.id,
        unit3.unit_id,
        0,
        contact_person="王建华",
        contact_phone="0739-5321103",
        themes=[],
    )
    return campaign, repo.declarations.get_attachment(
        unit3, upload_scan(repo, unit3, draft, PDF, "盖章.pdf")
    )


def test_the_stamped_scan_is_read_on_click_and_audited(app_db, downloads):
    campaign, scan = _scanned(app_db)
    at = host(app_db, "declaration_form", "unit3")
    assert not at.exception
    assert downloads.click(at, "已上传的扫描件：盖章.pdf") == PDF
    [row] = downloads_in_audit(app_db)
    assert row[:5] == ("unit3", "unit", "attachment", str(scan.id), True)
    assert row[5].startswith("文件：已上传的扫描件（盖章.pdf）；")
    assert f"活动：{campaign.year}年 · {campaign.region}" in row[5]


def test_a_scan_gone_from_the_disk_is_reported_not_offered(app_db, downloads):
    from themeday.services.declarations import uploads_root

    _, scan = _scanned(app_db)
    (uploads_root() / scan.stored_name[:2] / scan.stored_name).unlink()
    at = host(app_db, "declaration_form", "unit3")
    assert not at.exception
    assert not [x for x in downloads.labels(at) if "扫描件" in x]
    assert "不存在" in " ".join(e.value for e in at.error)
