"""审核's service door: the campaign's rules are checked inside the write.

The demo's 区教育局 (unit2) has a submitted 申报表 without the stamped scan the
大祥区 rules require, as seen in the trial where it was approved at one click.
"""

from __future__ import annotations

import pytest

from tests.conftest import actor_for, change_rules
from themeday.core.domain import SYSTEM_AUDITOR, PermissionDenied, StaleRecord, ValidationError
from themeday.core.records import Declaration
from themeday.repository import Repository
from themeday.services import declarations

SCAN_RULE = "请上传加盖公章的申报表电子扫描件。"


def submitted_of(repo: Repository, username: str) -> Declaration:
    unit = actor_for(repo, username)
    campaign = repo.catalogue.current_campaign(unit)
    (declaration,) = repo.declarations.list_declarations(unit, campaign.id)
    assert declaration.status == "submitted"
    return declaration


def test_a_plain_approval_of_a_declaration_breaking_rules_is_refused(demo, office):
    campaign = demo.catalogue.current_campaign(office)
    declaration = submitted_of(demo, "unit2")
    audit_before = len(demo.oversight.list_audit(SYSTEM_AUDITOR, 10_000))
    with pytest.raises(declarations.RulesNotMet) as refused:
        declarations.review(
            demo, office, campaign, declaration.id, declaration.version, approve=True
        )
    assert SCAN_RULE in refused.value.problems
    assert SCAN_RULE in refused.value.messages  # listed to the clerk
    assert any("仍要通过" in m for m in refused.value.messages)
    assert demo.declarations.get_declaration(office, declaration.id).status == "submitted"
    assert [e.action for e in demo.declarations.declaration_history(office, declaration.id)] == [
        "submitted"
    ]
    assert len(demo.oversight.list_audit(SYSTEM_AUDITOR, 10_000)) == audit_before
    with pytest.raises(ValidationError, match="须填写理由"):  # a blank reason is no reason
        declarations.review(
            demo,
            office,
            campaign,
            declaration.id,
            declaration.version,
            approve=True,
            override_reason="   ",
        )


def test_approving_anyway_needs_a_reason_kept_in_history_and_audit(demo, office):
    campaign = demo.catalogue.current_campaign(office)
    declaration = submitted_of(demo, "unit2")
    reason = "扫描件已通过公文交换报送，系统外存档"
    declarations.review(
        demo,
        office,
        campaign,
        declaration.id,
        declaration.version,
        approve=True,
        override_reason=reason,
    )
    assert demo.declarations.get_declaration(office, declaration.id).status == "approved"
    last = demo.declarations.declaration_history(office, declaration.id)[-1]
    assert last.action == "approve"
    assert reason in last.reason and "仍要通过" in last.reason and SCAN_RULE in last.reason
    (entry,) = [
        e
        for e in demo.oversight.list_audit(SYSTEM_AUDITOR, 50)
        if e.action == "approve" and e.object_id == str(declaration.id)
    ]
    assert reason in entry.detail and SCAN_RULE in entry.detail


def test_a_declaration_meeting_the_rules_is_approved_at_one_click(demo, office):
    campaign = change_rules(demo, office, scan_required=False)
    declaration = submitted_of(demo, "unit2")
    assert declarations.problems_of(demo, office, campaign, declaration) == []
    declarations.review(demo, office, campaign, declaration.id, declaration.version, approve=True)
    assert demo.declarations.get_declaration(office, declaration.id).status == "approved"
    assert demo.declarations.declaration_history(office, declaration.id)[-1].reason == ""


def test_returning_needs_a_reason_and_ignores_the_rules(demo, office):
    campaign = demo.catalogue.current_campaign(office)
    declaration = submitted_of(demo, "unit2")
    with pytest.raises(ValidationError, match="退回原因"):
        declarations.review(
            demo, office, campaign, declaration.id, declaration.version, approve=False
        )
    declarations.review(
        demo,
        office,
        campaign,
        declaration.id,
        declaration.version,
        approve=False,
        reason="请上传盖章扫描件",
    )
    returned = demo.declarations.get_declaration(office, declaration.id)
    assert (returned.status, returned.return_reason) == ("returned", "请上传盖章扫描件")


def test_a_unit_cannot_review_even_its_own_declaration(demo):
    unit2 = actor_for(demo, "unit2")
    campaign = demo.catalogue.current_campaign(unit2)
    declaration = submitted_of(demo, "unit2")
    for approve, override in ((True, "自己通过"), (False, None)):
        with pytest.raises(PermissionDenied):
            declarations.review(
                demo,
                unit2,
                campaign,
                declaration.id,
                declaration.version,
                approve=approve,
                reason="理由",
                override_reason=override,
            )
    assert demo.declarations.get_declaration(unit2, declaration.id).status == "submitted"


def test_a_review_of_a_changed_declaration_is_refused_as_stale(demo, office):
    campaign = demo.catalogue.current_campaign(office)
    declaration = submitted_of(demo, "unit2")
    with pytest.raises(StaleRecord):
        declarations.review(
            demo,
            office,
            campaign,
            declaration.id,
            declaration.version - 1,
            approve=True,
            override_reason="理由",
        )
    assert demo.declarations.get_declaration(office, declaration.id).status == "submitted"


def test_amending_an_approved_theme_checks_the_campaigns_months_and_forms(demo, office):
    campaign = demo.catalogue.current_campaign(office)
    unit1 = actor_for(demo, "unit1")
    (approved,) = demo.declarations.list_declarations(unit1, campaign.id)
    theme = demo.declarations.list_themes(office, approved.id)[0]
    late = campaign.rules.last_month + 1
    with pytest.raises(ValidationError) as refused:
        declarations.amend_theme(
            demo, office, campaign, theme.id, planned_month=late, form="宣讲", reason=""
        )
    assert len(refused.value.messages) == 3
    with pytest.raises(PermissionDenied):
        declarations.amend_theme(
            demo,
            unit1,
            campaign,
            theme.id,
            planned_month=campaign.rules.first_month,
            form=theme.form,
            reason="调整",
        )
    declarations.amend_theme(
        demo,
        office,
        campaign,
        theme.id,
        planned_month=campaign.rules.first_month,
        form=theme.form,
        reason="与区级重点工作错开",
        expected_version=theme.version,
    )
    assert (
        demo.declarations.list_themes(office, approved.id)[0].planned_month
        == campaign.rules.first_month
    )
    assert (
        "与区级重点工作错开"
        in demo.declarations.declaration_history(office, approved.id)[-1].reason
    )


def test_a_callers_lenient_rules_do_not_count_for_approval_or_amendment(demo, office):
    from dataclasses import replace

    campaign = demo.catalogue.current_campaign(office)
    lenient = replace(campaign, rules=replace(campaign.rules, scan_required=False))
    declaration = submitted_of(demo, "unit2")
    with pytest.raises(declarations.RulesNotMet) as refused:
        declarations.review(
            demo, office, lenient, declaration.id, declaration.version, approve=True
        )
    assert SCAN_RULE in refused.value.problems
    (approved,) = demo.declarations.list_declarations(actor_for(demo, "unit1"), campaign.id)
    theme = demo.declarations.list_themes(office, approved.id)[0]
    outside = replace(campaign, rules=replace(campaign.rules, last_month=12))
    with pytest.raises(ValidationError, match="计划月份须在"):
        declarations.amend_theme(
            demo,
            office,
            outside,
            theme.id,
            planned_month=campaign.rules.last_month + 1,
            form=theme.form,
            reason="调整",
        )
