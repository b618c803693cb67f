"""Declaration status flow, history, scan and plan on a temporary DuckDB file."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.conftest import actor_for, open_declarations, take_upload_space, upload_bytes_of
from tests.sample_files import PDF
from themeday.core.domain import SYSTEM_AUDITOR, PermissionDenied, StaleRecord, ValidationError
from themeday.formats import exports
from themeday.formats.imports import UnitRow
from themeday.formats.uploads import FileStore
from themeday.services import declarations

THEME = {
    "title": "乡村振兴政策宣讲",
    "planned_month": 12,
    "form": "政策发布",
    "summary": "",
    "contact": "王建华 0739-5321103",
}


@pytest.fixture
def flow(demo, tmp_path):
    office = actor_for(demo, "office")
    unit3 = actor_for(demo, "unit3")
    campaign = open_declarations(demo, office)  # these tests start before the deadline
    store = FileStore(tmp_path / "uploads")
    return demo, office, unit3, campaign, store


def draft(repo, unit, campaign, themes=(THEME,), version=0):
    return repo.declarations.save_declaration(
        unit,
        campaign.id,
        unit.unit_id,
        version,
        contact_person="王建华",
        contact_phone="0739-5321103",
        themes=list(themes),
    )


def test_submit_only_when_valid_then_read_only(flow):
    repo, office, unit3, campaign, store = flow
    declaration_id = draft(repo, unit3, campaign)
    with pytest.raises(ValidationError) as error:
        declarations.submit(repo, unit3, campaign, declaration_id)
    assert error.value.messages == ["请上传加盖公章的申报表电子扫描件。"]
    assert repo.declarations.get_declaration(unit3, declaration_id).status == "draft"

    declarations.upload_scan(repo, unit3, declaration_id, PDF, "申报表.pdf", store)
    assert declarations.submit(repo, unit3, campaign, declaration_id) == 0
    submitted = repo.declarations.get_declaration(unit3, declaration_id)
    assert submitted.status == "submitted" and submitted.late_workdays == 0
    with pytest.raises(ValidationError, match="已提交"):
        draft(repo, unit3, campaign, version=submitted.version)
    with pytest.raises(ValidationError):
        declarations.upload_scan(repo, unit3, declaration_id, PDF, "again.pdf", store)


def test_return_with_reason_resubmit_approve_keeps_history(flow):
    repo, office, unit3, campaign, store = flow
    declaration_id = draft(repo, unit3, campaign)
    declarations.upload_scan(repo, unit3, declaration_id, PDF, "scan.pdf", store)
    declarations.submit(repo, unit3, campaign, declaration_id)
    version = repo.declarations.get_declaration(office, declaration_id).version
    with pytest.raises(ValidationError, match="退回原因"):
        repo.declarations.review_declaration(
            office, declaration_id, version, approve=False, reason=" "
        )
    with pytest.raises(PermissionDenied):
        repo.declarations.review_declaration(unit3, declaration_id, version, approve=True)
    repo.declarations.review_declaration(
        office, declaration_id, version, approve=False, reason="主题过于笼统"
    )
    returned = repo.declarations.get_declaration(unit3, declaration_id)
    assert (returned.status, returned.return_reason) == ("returned", "主题过于笼统")

    better = {**THEME, "title": "高标准农田建设政策宣讲"}
    draft(repo, unit3, campaign, [better], version=returned.version)
    declarations.submit(repo, unit3, campaign, declaration_id)
    version = repo.declarations.get_declaration(office, declaration_id).version
    with pytest.raises(StaleRecord):
        repo.declarations.review_declaration(office, declaration_id, version - 1, approve=True)
    repo.declarations.review_declaration(office, declaration_id, version, approve=True)
    assert repo.declarations.get_declaration(unit3, declaration_id).status == "approved"

    history = repo.declarations.declaration_history(unit3, declaration_id)
    assert [h.action for h in history] == ["submit", "return", "submit", "approve"]
    assert history[1].reason == "主题过于笼统"
    first, last = (json.loads(h.snapshot)["themes"][0]["title"] for h in (history[0], history[3]))
    assert (first, last) == ("乡村振兴政策宣讲", "高标准农田建设政策宣讲")
    with pytest.raises(PermissionDenied):
        repo.declarations.declaration_history(actor_for(repo, "unit1"), declaration_id)


def test_late_submission_counts_working_days(flow, clock):
    repo, office, unit3, campaign, store = flow
    declaration_id = draft(repo, unit3, campaign)
    declarations.upload_scan(repo, unit3, declaration_id, PDF, "scan.pdf", store)
    clock.current = clock.current.replace(2026, 12, 2)  # deadline 11-30 (Mon): 12-01, 12-02
    assert declarations.submit(repo, unit3, campaign, declaration_id) == 2
    assert repo.declarations.get_declaration(office, declaration_id).late_workdays == 2


def test_office_amends_an_approved_theme_with_a_reason(flow):
    repo, office, unit3, campaign, store = flow
    unit1 = actor_for(repo, "unit1")
    (declaration,) = repo.declarations.list_declarations(unit1, campaign.id)
    theme = repo.declarations.list_themes(office, declaration.id)[2]
    with pytest.raises(ValidationError, match="修改原因"):
        repo.declarations.amend_theme(
            office, theme.id, planned_month=11, form="座谈交流", reason=""
        )
    with pytest.raises(ValidationError, match="计划月份"):
        repo.declarations.amend_theme(
            office, theme.id, planned_month=1, form="座谈交流", reason="调整"
        )
    with pytest.raises(PermissionDenied):
        repo.declarations.amend_theme(
            unit1, theme.id, planned_month=11, form="座谈交流", reason="调整"
        )
    repo.declarations.amend_theme(
        office, theme.id, planned_month=11, form="座谈交流", reason="与市级活动错开"
    )
    amended = repo.declarations.list_themes(unit1, declaration.id)[2]
    assert (amended.planned_month, amended.form) == (11, "座谈交流")
    event = repo.declarations.declaration_history(office, declaration.id)[-1]
    assert event.action == "amend" and "与市级活动错开" in event.reason
    assert repo.oversight.list_audit(SYSTEM_AUDITOR, 1)[0].action == "amend"


def test_scan_is_checked_by_content_and_scoped(flow):
    repo, office, unit3, campaign, store = flow
    declaration_id = draft(repo, unit3, campaign)
    with pytest.raises(ValidationError, match="PDF"):
        declarations.upload_scan(repo, unit3, declaration_id, b"not a pdf", "scan.pdf", store)
    with pytest.raises(ValidationError):
        declarations.upload_scan(repo, unit3, declaration_id, b"MZ\x90\x00" * 10, "scan.pdf", store)
    assert repo.declarations.get_declaration(unit3, declaration_id).scan_attachment_id is None
    attachment_id = declarations.upload_scan(repo, unit3, declaration_id, PDF, "盖章.pdf", store)
    data, name, fmt = declarations.read_attachment(repo, office, attachment_id, store)
    assert (data, name, fmt) == (PDF, "盖章.pdf", "pdf")
    with pytest.raises(PermissionDenied):
        declarations.read_attachment(repo, actor_for(repo, "unit1"), attachment_id, store)
    with pytest.raises(PermissionDenied):
        declarations.upload_scan(
            repo, actor_for(repo, "unit1"), declaration_id, PDF, "x.pdf", store
        )


def test_units_not_submitted_and_plan_visibility(flow):
    repo, office, unit3, campaign, store = flow
    missing = {u.name for u in repo.declarations.units_not_submitted(office, campaign.id)}
    assert "罗市镇人民政府" in missing and "城北街道办事处" not in missing
    draft(repo, unit3, campaign)  # a draft does not count as declared
    assert "罗市镇人民政府" in {
        u.name for u in repo.declarations.units_not_submitted(office, campaign.id)
    }
    with pytest.raises(PermissionDenied):
        repo.declarations.units_not_submitted(unit3, campaign.id)

    plan_for_unit3 = repo.declarations.list_plan(unit3, campaign.id)
    assert plan_for_unit3, "the approved demo themes are on everyone's plan"
    names = {a.unit_name for a in plan_for_unit3}
    assert "城北街道办事处" in names and "区教育局" not in names  # approved ones only
    assert all(a.contact == "" for a in plan_for_unit3)  # other units' contacts hidden
    unit1 = actor_for(repo, "unit1")
    for activity in repo.declarations.list_plan(unit1, campaign.id):
        assert bool(activity.contact) is (activity.unit_id == unit1.unit_id)
    everyone = repo.declarations.list_plan(office, campaign.id)  # the office sees every contact
    assert all(a.contact for a in everyone if a.unit_name == "城北街道办事处")


def test_stale_draft_save_is_refused(flow):
    repo, office, unit3, campaign, store = flow
    declaration_id = draft(repo, unit3, campaign)
    version = repo.declarations.get_declaration(unit3, declaration_id).version
    draft(repo, unit3, campaign, version=version)
    with pytest.raises(StaleRecord):
        draft(repo, unit3, campaign, [{**THEME, "title": "另一个"}], version=version)
    assert repo.declarations.list_themes(unit3, declaration_id)[0].title == THEME["title"]


def test_deadline_end_is_midnight_shanghai(flow, clock):
    repo, office, unit3, campaign, store = flow
    declaration_id = draft(repo, unit3, campaign)
    declarations.upload_scan(repo, unit3, declaration_id, PDF, "scan.pdf", store)
    deadline = campaign.rules.declaration_deadline
    clock.current = clock.current.replace(deadline.year, deadline.month, deadline.day, 23, 59)
    assert declarations.submit(repo, unit3, campaign, declaration_id) == 0


def test_import_round_trip_makes_a_submitted_declaration(flow):
    repo, office, unit3, campaign, store = flow
    unit1 = actor_for(repo, "unit1")
    (approved,) = repo.declarations.list_declarations(unit1, campaign.id)
    themes = repo.declarations.list_themes(unit1, approved.id)
    unit3_record = repo.catalogue.get_unit(unit3, unit3.unit_id)
    # a 申报表 filled in with unit1's themes but for unit3, as if sent by email
    data = exports.declaration_xlsx(
        campaign, unit3_record, None, [replace(t, unit_id=unit3.unit_id) for t in themes]
    )
    result = declarations.import_file(
        repo, office, campaign, data, scan=PDF, scan_name="盖章.pdf", store=store
    )
    assert (result.unit_name, result.themes, result.late_workdays) == ("罗市镇人民政府", 3, 0)
    imported = repo.declarations.get_declaration(office, result.declaration_id)
    assert imported.status == "submitted" and imported.unit_id == unit3.unit_id
    assert [t.title for t in repo.declarations.list_themes(office, imported.id)] == [
        t.title for t in themes
    ]
    assert repo.declarations.declaration_history(office, imported.id)[0].action == "import"
    # a submitted 申报表 is not overwritten by a second file
    with pytest.raises(ValidationError, match="不能用导入文件覆盖"):
        declarations.import_file(
            repo, office, campaign, data, scan=PDF, scan_name="盖章.pdf", store=store
        )


def test_a_bad_import_file_changes_nothing(flow):
    repo, office, unit3, campaign, store = flow
    before = len(repo.oversight.list_audit(SYSTEM_AUDITOR, 10_000))
    with pytest.raises(ValidationError):
        declarations.import_file(
            repo, office, campaign, b"PK\x03\x04 not really a workbook", file_name="坏.xlsx"
        )
    unit = repo.catalogue.get_unit(unit3, unit3.unit_id)
    bad = exports.declaration_xlsx(
        campaign,
        unit,
        None,
        [
            replace(
                repo.declarations.list_activities(office, campaign.id)[0],
                form="宣讲",
                unit_id=unit.id,
            )
        ],
    )
    with pytest.raises(ValidationError) as error:
        declarations.import_file(repo, office, campaign, bad)
    assert any("宣讲" in m for m in error.value.messages)
    # a unit may import only its own 申报表
    theme = replace(repo.declarations.list_activities(office, campaign.id)[0], unit_id=unit.id)
    theirs = exports.declaration_xlsx(campaign, unit, None, [theme])
    with pytest.raises(ValidationError, match="不是本单位"):
        declarations.import_file(repo, actor_for(repo, "unit1"), campaign, theirs)
    assert repo.declarations.declaration_for(unit3, campaign.id, unit3.unit_id) is None
    # nothing but the refusals of the files that could not be read is written
    trail = repo.oversight.list_audit(SYSTEM_AUDITOR, 10_000)
    added = trail[: len(trail) - before]
    assert added and {(e.action, e.success) for e in added} == {("upload_refused", False)}
    assert all("类型：申报表导入文件" in e.detail for e in added)
    assert any(e.detail.startswith("文件：坏.xlsx；") for e in added)


def test_unit_roster_import_is_all_or_nothing(flow):
    repo, office, unit3, campaign, store = flow
    good = UnitRow("区司法局", "部门", "张三", "13800000000")
    clash = UnitRow("区教育局", "部门", "", "")
    count = len(repo.catalogue.list_units(office))
    with pytest.raises(ValidationError, match="区教育局"):
        repo.catalogue.import_units(office, [good, clash])
    assert len(repo.catalogue.list_units(office)) == count
    assert repo.catalogue.import_units(office, [good]) == 1
    assert "区司法局" in {u.name for u in repo.catalogue.list_units(office)}
    with pytest.raises(PermissionDenied):
        repo.catalogue.import_units(unit3, [UnitRow("某单位", "部门", "", "")])


def test_two_amendments_of_one_theme_the_later_is_refused_as_stale(flow):
    repo, office, unit3, campaign, store = flow
    unit1 = actor_for(repo, "unit1")
    (declaration,) = repo.declarations.list_declarations(unit1, campaign.id)
    theme = repo.declarations.list_themes(office, declaration.id)[2]
    repo.declarations.amend_theme(
        office,
        theme.id,
        planned_month=11,
        form="座谈交流",
        reason="与市级活动错开",
        expected_version=theme.version,
    )
    with pytest.raises(StaleRecord):
        repo.declarations.amend_theme(
            office,
            theme.id,
            planned_month=9,
            form="政策发布",
            reason="另一位同事的调整",
            expected_version=theme.version,
        )
    kept = repo.declarations.list_themes(unit1, declaration.id)[2]
    assert (kept.planned_month, kept.form) == (11, "座谈交流")
    assert [e.action for e in repo.declarations.declaration_history(office, declaration.id)].count(
        "amend"
    ) == 1


# ------------------------------------------------------------------ upload quota
MB = 1024 * 1024


def test_a_scan_over_the_units_upload_quota_is_refused_and_not_stored(flow, monkeypatch):
    repo, office, unit3, campaign, store = flow
    monkeypatch.setenv("THEMEDAY_UNIT_UPLOAD_QUOTA_MB", "1")
    declaration_id = draft(repo, unit3, campaign)
    take_upload_space(repo, unit3.unit_id, MB - upload_bytes_of(repo, unit3.unit_id) - 10)
    used = upload_bytes_of(repo, unit3.unit_id)
    with pytest.raises(ValidationError, match="附件存储已达上限") as refused:
        declarations.upload_scan(repo, unit3, declaration_id, PDF, "申报表.pdf", store)
    assert "配额 1 MB" in str(refused.value) and "已用 1.0 MB" in str(refused.value)
    (row,) = [
        e for e in repo.oversight.list_audit(SYSTEM_AUDITOR, 5) if e.action == "upload_refused"
    ]
    assert not row.success and row.username == unit3.username
    assert row.detail.startswith("文件：申报表.pdf；") and "附件存储已达上限" in row.detail
    assert upload_bytes_of(repo, unit3.unit_id) == used
    assert repo.declarations.get_declaration(unit3, declaration_id).scan_attachment_id is None
    assert not [p for p in store.root.rglob("*") if p.is_file()]

    monkeypatch.setenv("THEMEDAY_UNIT_UPLOAD_QUOTA_MB", "2")
    declarations.upload_scan(repo, unit3, declaration_id, PDF, "申报表.pdf", store)
    assert repo.declarations.get_declaration(unit3, declaration_id).scan_attachment_id is not None


def test_the_repository_enforces_the_quota_itself(flow, monkeypatch):
    """A write that skipped the service's early check (two uploads at once) is still
    refused inside its transaction."""
    repo, office, unit3, campaign, store = flow
    monkeypatch.setenv("THEMEDAY_UNIT_UPLOAD_QUOTA_MB", "1")
    declaration_id = draft(repo, unit3, campaign)
    take_upload_space(repo, unit3.unit_id, MB - upload_bytes_of(repo, unit3.unit_id))
    with pytest.raises(ValidationError, match="配额 1 MB"):
        repo.declarations.attach_declaration_scan(
            office,
            declaration_id,
            original_name="scan.pdf",
            stored_name="0" * 32 + ".pdf",
            fmt="pdf",
            size=1,
            sha256="0" * 64,
        )
    assert repo.declarations.get_declaration(unit3, declaration_id).scan_attachment_id is None


def test_the_quota_setting(monkeypatch):
    from themeday.core.config import unit_upload_quota_bytes

    monkeypatch.delenv("THEMEDAY_UNIT_UPLOAD_QUOTA_MB", raising=False)
    assert unit_upload_quota_bytes() == 2048 * MB
    monkeypatch.setenv("THEMEDAY_UNIT_UPLOAD_QUOTA_MB", "500")
    assert unit_upload_quota_bytes() == 500 * MB
    for bad in ("0", "-1", "abc", "1.5"):
        monkeypatch.setenv("THEMEDAY_UNIT_UPLOAD_QUOTA_MB", bad)
        with pytest.raises(ValueError, match="正整数"):
            unit_upload_quota_bytes()
