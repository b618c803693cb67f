"""The write doors of campaigns and holidays: rights and rules are checked inside."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import pytest

from tests.conftest import actor_for
from themeday.core.domain import (
    ActivityStatus,
    PermissionDenied,
    StaleRecord,
    UnitKind,
    ValidationError,
)
from themeday.core.grid import Changeset, RowEdit, ViewSpec
from themeday.core.workdays import WorkdayOverride
from themeday.services import assessment, campaigns, holidays, workspace


def test_a_second_campaign_of_the_same_year_and_region_is_refused(demo):
    office = actor_for(demo, "office")
    current = demo.catalogue.current_campaign(office)
    fields = campaigns.fields_for_next_year(current)
    new_id = campaigns.create(demo, office, fields, make_current=False)
    with pytest.raises(ValidationError, match=f"{current.year + 1}年已有"):
        campaigns.create(demo, office, fields, make_current=False)
    copy = demo.catalogue.get_campaign(office, new_id)
    with pytest.raises(ValidationError, match="请勿重复创建"):
        campaigns.update(demo, office, copy, {**fields, "year": current.year})
    with pytest.raises(PermissionDenied):
        campaigns.make_current(demo, actor_for(demo, "unit1"), new_id)
    campaigns.make_current(demo, office, new_id)
    assert demo.catalogue.current_campaign(office).id == new_id


def test_holiday_entries_are_checked_before_they_are_written(demo):
    office = actor_for(demo, "office")
    day = date(2027, 1, 1)
    clash = [WorkdayOverride(day, False, "元旦"), WorkdayOverride(day, True, "调休")]
    with pytest.raises(ValidationError) as refused:
        holidays.save_overrides(demo, office, clash)
    assert "2027-01-01：同一天既录为“休”又录为“班”" in str(refused.value)
    with pytest.raises(ValidationError, match="说明不能超过60个字"):
        holidays.save_overrides(demo, office, [WorkdayOverride(day, False, "长" * 61)])
    assert all(o.day != day for o in demo.catalogue.list_workday_overrides(office))
    twice = [WorkdayOverride(day, False, " 元旦 "), WorkdayOverride(day, False, "元旦")]
    assert holidays.save_overrides(demo, office, twice) == 1
    assert [o.note for o in demo.catalogue.list_workday_overrides(office) if o.day == day] == [
        "元旦"
    ]
    with pytest.raises(PermissionDenied):
        holidays.delete_override(demo, actor_for(demo, "unit1"), day)
    holidays.delete_override(demo, office, day)
    assert all(o.day != day for o in demo.catalogue.list_workday_overrides(office))


def test_a_grid_import_with_one_wrong_row_writes_nothing(demo):
    office = actor_for(demo, "office")
    before = len(demo.catalogue.list_units(office))
    good = {"name": "新建测试单位", "kind": UnitKind.DEPARTMENT.value}
    bad = {"name": "", "kind": UnitKind.DEPARTMENT.value}
    changes = Changeset(inserts=(good, bad))
    problems = workspace.import_problems(demo, office, "units", changes)
    assert problems
    with pytest.raises(ValidationError) as refused:
        workspace.import_rows(demo, office, "units", changes)
    assert refused.value.messages == problems
    assert len(demo.catalogue.list_units(office)) == before
    assert workspace.import_rows(demo, office, "units", Changeset(inserts=(good,))) == 1
    assert len(demo.catalogue.list_units(office)) == before + 1
    with pytest.raises(PermissionDenied):
        workspace.save_edits(demo, actor_for(demo, "leader"), "units", Changeset(inserts=(good,)))
    with pytest.raises(PermissionDenied):
        workspace.save_view(demo, actor_for(demo, "leader"), "units", "我的视图", ViewSpec())


def test_chases_adjustments_and_weights_are_office_writes(demo):
    office, unit = actor_for(demo, "office"), actor_for(demo, "unit1")
    campaign = demo.catalogue.current_campaign(office)
    with pytest.raises(ValidationError, match="请先选择"):
        assessment.record_chases(demo, office, campaign, [], "电话催办")
    with pytest.raises(PermissionDenied):
        assessment.record_chases(demo, unit, campaign, [(unit.unit_id, "declaration")], "")
    ids = assessment.record_chases(demo, office, campaign, [(unit.unit_id, "declaration")], "电话")
    assert [c.id for c in demo.compliance.list_chases(office, campaign.id)] == ids
    with pytest.raises(PermissionDenied):
        assessment.add_adjustment(demo, unit, campaign, unit.unit_id, 2.0, "自评")
    with pytest.raises(ValidationError, match="须填写原因"):
        assessment.add_adjustment(demo, office, campaign, unit.unit_id, 2.0, " ")
    current = demo.compliance.get_weights(office, campaign.id)
    with pytest.raises(PermissionDenied):
        assessment.set_weights(demo, unit, campaign, asdict(current), current)
    changed = {**asdict(current), "declared_on_time": current.declared_on_time + 1}
    saved = assessment.set_weights(demo, office, campaign, changed, current)
    assert demo.compliance.get_weights(office, campaign.id) == saved != current
    with pytest.raises(StaleRecord):
        assessment.set_weights(demo, office, campaign, asdict(current), current)


def test_a_grid_date_outside_the_declared_month_is_sent_to_reschedule(demo):
    unit = actor_for(demo, "unit1")
    campaign = demo.catalogue.current_campaign(unit)
    activity = next(
        a
        for a in demo.declarations.list_activities(unit, campaign.id)
        if a.status in (ActivityStatus.SCHEDULED, ActivityStatus.PLAN_FILED)
    )
    other_month = date(campaign.year, activity.planned_month % 12 + 1, 15)
    moved = Changeset(
        edits=(RowEdit(activity.id, activity.version, {"activity_date": other_month}),)
    )
    with pytest.raises(ValidationError, match="请在“本单位活动”中改期并填写调整原因"):
        workspace.save_edits(demo, unit, "activities", moved)
    assert demo.activities.get_activity(unit, activity.id).activity_date == activity.activity_date
    assert workspace.import_problems(demo, unit, "activities", moved)[0].startswith(
        f"活动「{activity.title}」"
    )
    same_month = date(campaign.year, activity.planned_month, 28)
    within = Changeset(
        edits=(RowEdit(activity.id, activity.version, {"activity_date": same_month}),)
    )
    assert workspace.save_edits(demo, unit, "activities", within) == 1
    saved = demo.activities.get_activity(unit, activity.id)
    assert saved.activity_date == same_month
    assert saved.date_changes[-1] == (demo.today(), same_month)
