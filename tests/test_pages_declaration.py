"""AppTest: the declaration, review, campaign and plan pages doing their work."""

from __future__ import annotations

import io
from dataclasses import replace

import openpyxl

from tests.conftest import campaign_with, change_rules
from tests.helpers import host, texts, titles
from tests.sample_files import PDF
from themeday.core.domain import SYSTEM_ACTOR, DeclarationStatus
from themeday.formats import exports


def office(app_db):
    return app_db.accounts.login_record("office").user.as_actor()


def test_unit_without_declaration_gets_an_empty_editor(app_db):
    campaign_with(app_db, {})
    at = host(app_db, "declaration_form", "unit1")
    assert titles(at) == ["主题申报"]
    assert "尚未填写申报表" in texts(at, "info")
    assert [b.label for b in at.button if "提交" in b.label or "草稿" in b.label] == [
        "保存草稿",
        "检查并提交",
    ]
    labels = [t.label for t in at.text_input]
    assert "联系人" in labels and "联系电话" in labels
    # an empty 申报表 cannot be submitted: each broken rule is named
    next(b for b in at.button if b.label == "检查并提交").click().run()
    errors = texts(at, "error")
    assert "至少申报1个主题" in errors
    assert "请上传加盖公章的申报表电子扫描件" in errors


def test_returned_declaration_shows_the_reason(app_db):
    campaign_with(app_db, {"unit1": DeclarationStatus.RETURNED}, return_reason="活动主题过于笼统")
    at = host(app_db, "declaration_form", "unit1")
    assert "退回原因：活动主题过于笼统" in texts(at, "warning")
    assert any(b.label == "检查并提交" for b in at.button)


def test_submitted_declaration_is_read_only_for_the_unit(app_db):
    campaign_with(app_db, {"unit1": DeclarationStatus.SUBMITTED})
    at = host(app_db, "declaration_form", "unit1")
    assert "已提交待审核" in texts(at, "info")
    assert not any(b.label in ("保存草稿", "检查并提交") for b in at.button)
    assert "审核前不能修改" in " ".join(c.value for c in at.caption)


def test_office_returns_without_reason_is_refused_then_with_reason(app_db):
    submitted = {"unit1": DeclarationStatus.SUBMITTED, "unit2": DeclarationStatus.SUBMITTED}
    campaign_with(app_db, {**submitted, "unit3": DeclarationStatus.APPROVED})
    units = app_db.catalogue.list_units(office(app_db), include_disabled=False)
    at = host(app_db, "declaration_review", "office")
    assert titles(at) == ["申报审核"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["未申报"] == str(len(units) - 3) and metrics["已提交待审核"] == "2"
    next(b for b in at.button if b.label == "退回修改").click().run()
    assert "退回修改时须填写退回原因" in texts(at, "error")
    at.text_area[0].input("请补充活动地点")
    next(b for b in at.button if b.label == "退回修改").click().run()
    assert "已退回" in texts(at, "success")
    campaign = app_db.catalogue.current_campaign(SYSTEM_ACTOR)
    returned = [
        d.return_reason
        for d in app_db.declarations.list_declarations(SYSTEM_ACTOR, campaign.id)
        if d.status == "returned"
    ]
    assert "请补充活动地点" in returned


def approved_units(app_db) -> set[str]:
    return {
        d.unit_name
        for d in app_db.declarations.list_declarations(SYSTEM_ACTOR, 1)
        if d.status == "approved"
    }


def test_office_approves_from_the_queue_when_the_rules_are_met(app_db):
    change_rules(app_db, SYSTEM_ACTOR, scan_required=False)
    at = host(app_db, "declaration_review", "office")
    assert "规则检查通过" in texts(at, "success")
    assert not any(b.label == "仍要通过" for b in at.button)
    before = approved_units(app_db)
    next(b for b in at.button if b.label == "审核通过").click().run()
    assert len(approved_units(app_db) - before) == 1
    assert "审核通过" in texts(at, "success")


def test_approving_against_the_rules_takes_a_reason_and_a_confirmation(app_db):
    """区教育局 has no stamped scan: a plain 审核通过 is refused with the rule named;
    仍要通过 asks first and needs a reason, which the history then shows."""
    at = host(app_db, "declaration_review", "office")
    shown = next(s for s in at.selectbox if s.label == "打开申报表")
    declaration = app_db.declarations.get_declaration(SYSTEM_ACTOR, shown.value)
    assert declaration.unit_name == "区教育局"
    before = approved_units(app_db)
    next(b for b in at.button if b.label == "审核通过").click().run()
    errors = texts(at, "error")
    assert "不能直接审核通过" in errors and "请上传加盖公章的申报表电子扫描件" in errors
    assert approved_units(app_db) == before

    # 仍要通过 without a reason: asked first, then refused
    next(b for b in at.button if b.label == "仍要通过").click().run()
    assert "确认仍要审核通过吗" in texts(at, "warning")
    assert approved_units(app_db) == before
    next(b for b in at.button if b.label == "确认仍要通过").click().run()
    assert "须填写理由" in texts(at, "error")
    assert approved_units(app_db) == before

    reason = next(t for t in at.text_area if t.label.startswith("仍要通过的理由"))
    reason.input("扫描件已通过公文交换报送")
    next(b for b in at.button if b.label == "仍要通过").click().run()
    assert approved_units(app_db) == before  # still only asked
    next(b for b in at.button if b.label == "确认仍要通过").click().run()
    assert not at.exception
    assert approved_units(app_db) - before == {"区教育局"}
    assert "仍要通过" in texts(at, "success")
    last = app_db.declarations.declaration_history(SYSTEM_ACTOR, declaration.id)[-1]
    assert last.action == "approve" and "扫描件已通过公文交换报送" in last.reason


def test_chase_list_and_plan_exports_are_offered(app_db):
    at = host(app_db, "declaration_review", "office")
    tables = [df.value for df in at.dataframe]
    assert any("单位名称" in t and "罗市镇人民政府" in t["单位名称"].tolist() for t in tables)
    at = host(app_db, "annual_plan", "unit1")
    assert titles(at) == ["全年活动计划"]
    text = " ".join(t.value for t in at.text)
    assert "城北街道办事处" in text and "区卫生健康局" in text
    assert "区教育局" not in text  # not approved: not on the plan


def test_the_chase_list_is_dated_by_the_repository_clock(app_db, monkeypatch, downloads):
    """催报名单's title says which day the list is true for: the same 今天 the rest of
    the app counts from (the repository's clock), not the server's wall clock."""
    dated = []
    build = exports.chase_list_xlsx

    def spy(campaign, units, as_of=None, calendar=None):
        assert calendar is not None  # the office's 节假日维护 entries count
        dated.append((as_of, [u.name for u in units]))
        return build(campaign, units, as_of, calendar)

    monkeypatch.setattr(exports, "chase_list_xlsx", spy)
    at = host(app_db, "declaration_review", "office")
    assert "导出催报名单（Excel）" in downloads.labels(at)
    assert dated == []  # built on the click, not on every run
    data = downloads.click(at, "导出催报名单（Excel）")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[2]][3:5] == ["申报截止日期", "逾期工作日"]
    campaign = app_db.catalogue.current_campaign(SYSTEM_ACTOR)
    missing = [u.name for u in app_db.declarations.units_not_submitted(SYSTEM_ACTOR, campaign.id)]
    assert dated == [(app_db.today(), missing)]


def test_office_creates_a_campaign_from_the_xiangjiang_preset(app_db):
    at = host(app_db, "campaign_settings", "office")
    assert titles(at) == ["活动管理"]
    at.radio[0].set_value("preset:xiangjiang-2023")
    next(b for b in at.button if b.label == "新建").click().run()
    current = app_db.catalogue.current_campaign(SYSTEM_ACTOR)
    assert current.region == "湖南湘江新区" and current.rules.themes_exact
    assert "已新建活动" in texts(at, "success")


def test_a_save_after_someone_elses_is_refused_and_keeps_the_input(app_db):
    """Two people on one 申报表: the later save is told, nothing is overwritten or lost."""
    at = host(app_db, "declaration_form", "unit3")
    next(t for t in at.text_input if t.label == "联系人").input("王建华")
    next(b for b in at.button if b.label == "保存草稿").click().run()
    assert "草稿已保存" in texts(at, "success")
    unit3 = app_db.accounts.login_record("unit3").user.as_actor()
    campaign = app_db.catalogue.current_campaign(unit3)
    mine = app_db.declarations.declaration_for(unit3, campaign.id, unit3.unit_id)

    # a colleague in another browser saves the same draft meanwhile
    app_db.declarations.save_declaration(
        unit3,
        campaign.id,
        unit3.unit_id,
        mine.version,
        contact_person="李四",
        contact_phone="0739-5321103",
        themes=[],
    )
    next(t for t in at.text_input if t.label == "联系人").input("王建华（改）")
    next(b for b in at.button if b.label == "保存草稿").click().run()
    assert "该记录已被他人修改" in texts(at, "error")
    assert "已被他人修改" in texts(at, "warning")
    assert next(t for t in at.text_input if t.label == "联系人").value == "王建华（改）"
    assert (
        app_db.declarations.declaration_for(unit3, campaign.id, unit3.unit_id).contact_person
        == "李四"
    )

    next(b for b in at.button if b.label == "载入最新内容").click().run()
    assert next(t for t in at.text_input if t.label == "联系人").value == "李四"
    assert "已被他人修改" not in texts(at, "warning")


def test_an_amendment_saved_after_someone_elses_is_refused_and_keeps_the_input(app_db):
    office_actor = office(app_db)
    campaign = app_db.catalogue.current_campaign(office_actor)
    approved = next(
        d
        for d in app_db.declarations.list_declarations(office_actor, campaign.id)
        if d.status == "approved"
    )
    theme = app_db.declarations.list_themes(office_actor, approved.id)[0]
    at = host(app_db, "declaration_review", "office")
    status_filter = next(m for m in at.multiselect if m.label == "申报状态")
    status_filter.set_value(["approved"]).run()
    next(s for s in at.selectbox if s.label == "打开申报表").set_value(approved.id).run()
    at.selectbox(key="amend_theme").set_value(theme.id).run()
    reason = next(t for t in at.text_input if t.label == "调整原因（必填，记入审计日志）")
    reason.input("与区级重点工作错开")
    month = (
        campaign.rules.last_month
        if theme.planned_month != campaign.rules.last_month
        else (campaign.rules.first_month)
    )
    # another office user amends the same theme before this one saves
    app_db.declarations.amend_theme(
        office_actor,
        theme.id,
        planned_month=month,
        form=theme.form,
        reason="另一位同事先调整",
        expected_version=theme.version,
    )
    next(b for b in at.button if b.label == "保存调整").click().run()
    assert not at.exception
    assert "已被他人修改" in texts(at, "error")
    kept = next(t for t in at.text_input if t.label == "调整原因（必填，记入审计日志）")
    assert kept.value == "与区级重点工作错开"
    history = [e.reason for e in app_db.declarations.declaration_history(office_actor, approved.id)]
    assert not any("与区级重点工作错开" in r for r in history)
    assert "已被他人修改" in texts(at, "warning")


def filled_for_luoshi(app_db):
    """罗市镇 (not yet declared): a filled 申报表 xlsx with 城北街道's approved themes."""
    campaign = app_db.catalogue.current_campaign(SYSTEM_ACTOR)
    unit = next(u for u in app_db.catalogue.list_units(SYSTEM_ACTOR) if u.name == "罗市镇人民政府")
    (approved,) = [
        d
        for d in app_db.declarations.list_declarations(SYSTEM_ACTOR, campaign.id)
        if d.unit_name == "城北街道办事处"
    ]
    themes = [
        replace(t, unit_id=unit.id)
        for t in app_db.declarations.list_themes(SYSTEM_ACTOR, approved.id)
    ]
    return campaign, unit, exports.declaration_xlsx(campaign, unit, None, themes)


def test_office_imports_an_emailed_declaration_with_its_stamped_scan(app_db):
    """导入单位申报表: the stamped scan goes in the same place, and the rule check is met."""
    campaign, unit, xlsx = filled_for_luoshi(app_db)
    at = host(app_db, "declaration_review", "office")
    file_box = next(u for u in at.file_uploader if u.label.startswith("选择申报表文件"))
    file_box.set_value(("罗市镇申报表.xlsx", xlsx, "application/octet-stream")).run()
    next(b for b in at.button if b.label == "导入").click().run()
    assert "请上传加盖公章的申报表电子扫描件" in texts(at, "error")
    assert app_db.declarations.declaration_for(SYSTEM_ACTOR, campaign.id, unit.id) is None

    scan_box = next(u for u in at.file_uploader if u.label.startswith("该单位的盖章扫描件"))
    scan_box.set_value(("罗市镇盖章.pdf", PDF, "application/pdf")).run()
    next(b for b in at.button if b.label == "导入").click().run()
    assert not at.exception
    assert "并附盖章扫描件" in texts(at, "success")
    imported = app_db.declarations.declaration_for(SYSTEM_ACTOR, campaign.id, unit.id)
    assert imported.status == "submitted" and imported.scan_attachment_id is not None

    # the review no longer asks for the scan: a plain 审核通过 works
    status_filter = next(m for m in at.multiselect if m.label == "申报状态")
    status_filter.set_value(["submitted"]).run()
    next(s for s in at.selectbox if s.label == "打开申报表").set_value(imported.id).run()
    assert "规则检查通过" in texts(at, "success")
    assert "未上传盖章扫描件" not in texts(at, "warning")
    next(b for b in at.button if b.label == "审核通过").click().run()
    assert app_db.declarations.get_declaration(SYSTEM_ACTOR, imported.id).status == "approved"


def test_a_unit_imports_its_own_filled_declaration_with_the_stamped_scan(app_db):
    """从 Excel 导入 on 主题申报: import submits, so the scan is taken in the same place."""
    campaign, unit, xlsx = filled_for_luoshi(app_db)
    at = host(app_db, "declaration_form", "unit3")
    next(u for u in at.file_uploader if u.label.startswith("选择申报表文件")).set_value(
        ("申报表.xlsx", xlsx, "application/octet-stream")
    ).run()
    next(b for b in at.button if b.label == "导入并提交").click().run()
    assert "请上传加盖公章的申报表电子扫描件" in texts(at, "error")
    assert app_db.declarations.declaration_for(SYSTEM_ACTOR, campaign.id, unit.id) is None

    scan_box = next(u for u in at.file_uploader if u.label.startswith("盖章扫描件"))
    scan_box.set_value(("盖章.pdf", PDF, "application/pdf")).run()
    next(b for b in at.button if b.label == "导入并提交").click().run()
    assert not at.exception
    imported = app_db.declarations.declaration_for(SYSTEM_ACTOR, campaign.id, unit.id)
    assert imported.status == "submitted" and imported.scan_attachment_id is not None
