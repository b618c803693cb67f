"""The write doors of campaigns and holidays: rights and rules are checked inside."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import actor_for
from themeday import campaigns, holidays
from themeday.domain import PermissionDenied, ValidationError
from themeday.workdays import WorkdayOverride


def test_a_second_campaign_of_the_same_year_and_region_is_refused(demo):
    office = actor_for(demo, "office")
    current = demo.current_campaign(office)
    fields = campaigns.fields_for_next_year(current)
    new_id = campaigns.create(demo, office, fields, make_current=False)
    with pytest.raises(ValidationError, match=f"{current.year + 1}年已有"):
        campaigns.create(demo, office, fields, make_current=False)
    copy = demo.get_campaign(office, new_id)
    with pytest.raises(ValidationError, match="请勿重复创建"):
        campaigns.update(demo, office, copy, {**fields, "year": current.year})
    with pytest.raises(PermissionDenied):
        campaigns.make_current(demo, actor_for(demo, "unit1"), new_id)
    campaigns.make_current(demo, office, new_id)
    assert demo.current_campaign(office).id == new_id


def test_holiday_entries_are_checked_before_they_are_written(demo):
    office = actor_for(demo, "office")
    day = date(2027, 1, 1)
    clash = [WorkdayOverride(day, False, "元旦"), WorkdayOverride(day, True, "调休")]
    with pytest.raises(ValidationError) as refused:
        holidays.save_overrides(demo, office, clash)
    assert "2027-01-01：同一天既录为“休”又录为“班”" in str(refused.value)
    with pytest.raises(ValidationError, match="说明不能超过60个字"):
        holidays.save_overrides(demo, office, [WorkdayOverride(day, False, "长" * 61)])
    assert all(o.day != day for o in demo.list_workday_overrides(office))
    twice = [WorkdayOverride(day, False, " 元旦 "), WorkdayOverride(day, False, "元旦")]
    assert holidays.save_overrides(demo, office, twice) == 1
    assert [o.note for o in demo.list_workday_overrides(office) if o.day == day] == ["元旦"]
    with pytest.raises(PermissionDenied):
        holidays.delete_override(demo, actor_for(demo, "unit1"), day)
    holidays.delete_override(demo, office, day)
    assert all(o.day != day for o in demo.list_workday_overrides(office))
