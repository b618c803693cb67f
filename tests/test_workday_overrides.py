"""节假日维护: entering the office's holiday arrangement, and deadlines that follow it."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import actor_for
from tests.helpers import host, texts, titles
from themeday.core.domain import SYSTEM_AUDITOR, NotFound, PermissionDenied
from themeday.core.workdays import WorkdayOverride
from themeday.formats.imports import parse_workday_overrides
from themeday.services.declarations import calendar

ARRANGEMENT = "日期,类型,说明\n2027-01-01,休,元旦\n2027/1/4,休,元旦补休\n2027年1月9日,班,调休上班\n"


def test_parse_a_year_arrangement_and_report_bad_rows():
    parsed = parse_workday_overrides(ARRANGEMENT.encode("utf-8-sig"), "2027.csv")
    assert parsed.ok
    assert parsed.rows == [
        WorkdayOverride(date(2027, 1, 1), False, "元旦"),
        WorkdayOverride(date(2027, 1, 4), False, "元旦补休"),
        WorkdayOverride(date(2027, 1, 9), True, "调休上班"),
    ]
    bad = "日期,类型\n2027-02-30,休\n2027-03-01,加班\n2027-03-02,休\n2027-03-02,班\n"
    parsed = parse_workday_overrides(bad.encode("gbk"), "bad.csv")
    assert parsed.errors == [
        "第2行：日期“2027-02-30”无法识别，请写成 2027-01-01。",
        "第3行：类型“加班”不正确，应为“休”或“班”。",
        "第5行：日期 2027-03-02 与第4行重复。",
    ]
    assert "未找到表头" in parse_workday_overrides(b"a,b\n1,2\n", "x.csv").errors[0]


def test_an_entered_2027_holiday_moves_the_due_date(demo):
    office = actor_for(demo, "office")
    before = calendar(demo, office).report_due(date(2026, 12, 31))
    assert before.day == date(2027, 1, 7) and not before.verified
    assert "2027年节假日安排未录入" in before.warning
    parsed = parse_workday_overrides(ARRANGEMENT.encode(), "2027.csv")
    assert demo.catalogue.save_workday_overrides(office, parsed.rows) == 3
    after = calendar(demo, office).report_due(date(2026, 12, 31))
    # 01-01 and 01-04 off, 01-09 (Saturday) worked: 01-05, 06, 07, 08, 09
    assert after.day == date(2027, 1, 9) and after.verified and after.warning == ""
    unit1 = actor_for(demo, "unit1")
    assert calendar(demo, unit1).report_due(date(2026, 12, 31)).day == date(2027, 1, 9)
    actions = [(e.action, e.object_id) for e in demo.oversight.list_audit(SYSTEM_AUDITOR, 3)]
    assert ("set_workday", "2027-01-09") in actions


def test_only_the_office_changes_the_calendar(demo):
    for username in ("unit1", "leader"):
        with pytest.raises(PermissionDenied):
            demo.catalogue.save_workday_overrides(
                actor_for(demo, username), [WorkdayOverride(date(2027, 1, 1), False)]
            )
    office = actor_for(demo, "office")
    demo.catalogue.save_workday_overrides(
        office, [WorkdayOverride(date(2027, 1, 1), False, "元旦")]
    )
    with pytest.raises(PermissionDenied):
        demo.catalogue.delete_workday_override(actor_for(demo, "unit1"), date(2027, 1, 1))
    demo.catalogue.save_workday_overrides(office, [WorkdayOverride(date(2027, 1, 1), True, "改")])
    assert demo.catalogue.list_workday_overrides(office) == [
        WorkdayOverride(date(2027, 1, 1), True, "改")
    ]
    demo.catalogue.delete_workday_override(office, date(2027, 1, 1))
    assert demo.catalogue.list_workday_overrides(office) == []
    with pytest.raises(NotFound):
        demo.catalogue.delete_workday_override(office, date(2027, 1, 1))


def test_office_enters_a_day_on_the_page(app_db):
    at = host(app_db, "workday_calendar", "office")
    assert titles(at) == ["节假日维护"]
    next_year = date.today().year + 1  # the package knows years up to 2026 only
    assert f"{next_year}年节假日安排未录入，日期仅按周末计算" in texts(at, "warning")
    next(b for b in at.button if b.label == "保存").click().run()
    assert "请选择日期" in texts(at, "error")
    at.date_input[0].set_value(date(2027, 1, 1))
    at.text_input[0].input("元旦")
    next(b for b in at.button if b.label == "保存").click().run()
    assert "已录入 2027-01-01" in texts(at, "success")
    office = app_db.accounts.login_record("office").user.as_actor()
    assert app_db.catalogue.list_workday_overrides(office) == [
        WorkdayOverride(date(2027, 1, 1), False, "元旦")
    ]
