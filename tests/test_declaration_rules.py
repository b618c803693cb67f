"""Both notices' declaration rules, each accepted and rejected (no database)."""

from datetime import date, datetime

import pytest

from themeday.core.config import TZ
from themeday.core.declaration_rules import (
    ThemeRow,
    check_declaration,
    draft_problems,
    late_workdays,
    rows_from_records,
    with_row_contacts,
)
from themeday.core.domain import DAXIANG_2023, XIANGJIANG_2023
from themeday.core.workdays import WorkdayCalendar

XJ = XIANGJIANG_2023.rules
DX = DAXIANG_2023.rules


def xj_row(title="园区项目实地调研", month=5, form="实地调研", summary="邀请代表实地察看"):
    return ThemeRow(title, month, form, summary)


def dx_row(title="政策宣讲", month=5, form="座谈交流", contact="雷景 18673943200"):
    return ThemeRow(title, month, form, "", contact)


def check(rules, rows, person="张三", phone="0731-88999337", scan=True):
    return check_declaration(rules, person, phone, rows, has_scan=scan)


def test_xiangjiang_valid_declaration_passes():
    assert check(XJ, [xj_row(), xj_row("政策发布会", 6, "政策发布")], scan=False) == []


def test_xiangjiang_needs_exactly_two_themes():
    assert "需申报2个主题（当前1个）。" in check(XJ, [xj_row()])
    three = [xj_row(), xj_row("b", 6, "座谈交流"), xj_row("c", 7, "问卷调查")]
    assert "需申报2个主题（当前3个）。" in check(XJ, three)


def test_xiangjiang_one_theme_must_be_field_research_or_site_visit():
    rows = [xj_row(form="座谈交流"), xj_row("政策发布会", 6, "政策发布")]
    assert check(XJ, rows) == ["至少一个主题的活动形式须为实地调研或现场观摩。"]
    rows[0] = xj_row(form="现场观摩")
    assert check(XJ, rows) == []


def test_xiangjiang_requires_a_summary_and_starts_in_april():
    rows = [xj_row(summary=""), xj_row("政策发布会", 3, "政策发布")]
    problems = check(XJ, rows)
    assert "第1行：请填写活动简介。" in problems
    assert "第2行：计划月份不得早于4月。" in problems


def test_daxiang_valid_single_theme_passes():
    assert check(DX, [dx_row()]) == []


def test_daxiang_needs_at_least_one_theme():
    assert "至少申报1个主题（当前0个）。" in check(DX, [])


def test_daxiang_month_not_later_than_october():
    assert check(DX, [dx_row(month=11)]) == ["第1行：计划月份不得晚于10月。"]
    assert check(DX, [dx_row(month=10)]) == []


def test_daxiang_row_contact_and_scan():
    problems = check(DX, [dx_row(contact="")], scan=False)
    assert "第1行：请填写联系人及电话。" in problems
    assert "请上传加盖公章的申报表电子扫描件。" in problems
    assert check(DX, [dx_row(contact="雷景 12345")])[0].startswith("第1行：联系人及电话中没有有效")


@pytest.mark.parametrize("rules", [XJ, DX])
def test_common_row_rules(rules):
    rows = [ThemeRow("", None, "", "", ""), ThemeRow("x" * 61, 5, "宣讲", "", "")]
    problems = check(rules, rows, person="", phone="123")
    for expected in ("请填写联系人。", "第2行：活动主题不能超过60个字（现为61个字），请精简。"):
        assert expected in problems
    first_row = next(p for p in problems if p.startswith("第1行："))
    assert first_row.startswith("第1行：请填写活动主题")  # one message names every empty cell
    assert first_row.endswith("请选择计划月份、活动形式。")
    assert any(p.startswith("第2行：活动形式“宣讲”不在本次活动允许的形式中") for p in problems)
    assert any("联系电话格式不正确" in p for p in problems)


def test_a_half_filled_row_names_its_missing_cells():
    row = ThemeRow("乡村振兴政策宣讲", None, "", "", "雷景 18673943200")
    problems = check(DX, [row])
    assert "第1行：请选择计划月份、活动形式。" in problems
    assert not any("当前0个" in p for p in problems)  # the row counts as a theme
    assert check(XJ, [row, xj_row()])[0] == "第1行：请填写活动简介，请选择计划月份、活动形式。"


def test_a_draft_keeps_rows_that_have_their_key_cells():
    """A draft may break the campaign's rules, but a row is stored only with its
    活动主题, 计划月份 and 活动形式, and nothing over its length limit."""
    assert draft_problems("", "", [dx_row(contact=""), xj_row(summary="")]) == []
    assert draft_problems("", "", [ThemeRow("政策宣讲", None, "", "", "")]) == [
        "第1行：请选择计划月份、活动形式。"
    ]
    assert draft_problems("", "", [dx_row(), ThemeRow("", 5, "座谈交流")]) == [
        "第2行：请填写活动主题。"
    ]
    long = draft_problems("", "", [dx_row(title="长" * 61)])
    assert long == ["第1行：活动主题不能超过60个字（现为61个字），请精简。"]
    assert draft_problems("", "", [dx_row(title="长" * 60)]) == []
    assert draft_problems("张" * 101, "", []) == ["联系人不能超过100个字。"]


def test_row_contacts_come_from_the_form_unless_typed():
    rows = [dx_row(contact=""), dx_row(title="其他", contact="李四 13800000000")]
    filled = with_row_contacts(DX, rows, " 王建华 ", "0739-5321103")
    assert [r.contact for r in filled] == ["王建华 0739-5321103", "李四 13800000000"]
    assert with_row_contacts(XJ, rows, "王建华", "0739-5321103") == rows  # no such column
    assert with_row_contacts(DX, rows, "", "") == rows


def test_duplicate_titles_are_named():
    rows = [dx_row(), dx_row(month=6)]
    assert check(DX, rows) == ["第2行：活动主题与第1行重复。"]


def test_custom_form_added_by_the_office_is_allowed():
    rules = DX.with_changes(allowed_forms=(*DX.allowed_forms, "现场宣传"))
    assert check(rules, [dx_row(form="现场宣传")]) == []
    assert check(DX, [dx_row(form="现场宣传")]) != []


CAL = WorkdayCalendar()


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@pytest.mark.parametrize(
    ("submitted", "late"),
    [
        (at(date(2023, 4, 14), 23), 0),  # the deadline day itself, late evening
        (at(date(2023, 4, 17)), 1),  # next Monday
        (at(date(2023, 4, 15)), 1),  # Saturday: counts as the next working day
        (at(date(2023, 4, 23)), 6),  # 2023-04-23 Sunday was a make-up workday
        # 04-17…21 (5), 04-23 make-up (6), 04-24…28 (11), holiday 04-29…05-03, 05-04 (12)
        (at(date(2023, 5, 4)), 12),
    ],
)
def test_late_in_official_working_days(submitted, late):
    assert late_workdays(date(2023, 4, 14), submitted, CAL) == late


def test_rows_from_an_edited_table_follow_the_seq_column():
    nan = float("nan")
    records = [
        {"seq": 2, "title": "乙", "planned_month": 5, "form": "座谈交流", "summary": nan},
        {"seq": 1, "title": "甲", "planned_month": 6.0, "form": "实地调研", "summary": "简介"},
        {"seq": nan, "title": nan, "planned_month": nan, "form": None, "summary": ""},
        {"seq": nan, "title": "丙", "planned_month": nan, "form": "问卷调查", "summary": ""},
    ]
    rows = rows_from_records(records)
    assert [r.title for r in rows] == ["甲", "乙", "丙"]  # blank row dropped, new row last
    assert rows[0].planned_month == 6 and rows[1].summary == ""
    assert rows[2].planned_month is None
