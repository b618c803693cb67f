"""Working-day arithmetic (工作日) against the State Council's published arrangements.

Every expected due date below was worked out by hand from the 国务院办公厅 notices on
holiday arrangements (关于20XX年部分节假日安排的通知) and checked against
``chinese_calendar.is_workday`` day by day. Each case also lists the off days (休) and
make-up workdays (班) it crosses; ``test_case_notes_match_the_package`` checks those lists
against the package, so a wrong comment fails too.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

import chinese_calendar
import pytest

from themeday.core import workdays
from themeday.core.workdays import DatedResult, WorkdayCalendar, WorkdayOverride


def d(text: str) -> date:
    return date.fromisoformat(text)


def days(first: str, last: str) -> list[date]:
    start, end = d(first), d(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


class Case(NamedTuple):
    kind: str  # "plan" (活动方案, n-th working day back) or "report" (情况报告, forward)
    activity: date
    due: date
    off: list[date]  # official 休 days the count skips (weekdays among them are holidays)
    makeup: list[date]  # 调休上班 Saturdays/Sundays the count includes


CASES = [
    # --- DESIGN.md worked examples -------------------------------------------------------
    # 2023 中秋·国庆: 休 09-29 (Fri) … 10-06 (Fri); 班 10-07 (Sat), 10-08 (Sun).
    # Back from 10-08: 10-08 Sun 班 (1), 10-07 Sat 班 (2), 09-29…10-06 休,
    # 09-28 Thu (3), 09-27 (4), 09-26 Tue (5).
    Case(
        "plan",
        d("2023-10-09"),
        d("2023-09-26"),
        days("2023-09-29", "2023-10-06"),
        [d("2023-10-07"), d("2023-10-08")],
    ),
    # Forward from 09-29: 09-29…10-06 休, 10-07 Sat 班 (1), 10-08 Sun 班 (2),
    # 10-09 Mon (3), 10-10 (4), 10-11 Wed (5).
    Case(
        "report",
        d("2023-09-28"),
        d("2023-10-11"),
        days("2023-09-29", "2023-10-06"),
        [d("2023-10-07"), d("2023-10-08")],
    ),
    # Back from 10-15: 10-14/15 weekend 休, 10-13 Fri (1) … 10-10 (4), 10-09 Mon (5).
    Case("plan", d("2023-10-16"), d("2023-10-09"), [d("2023-10-14"), d("2023-10-15")], []),
    # 2024 劳动节: 休 05-01 (Wed) … 05-05 (Sun); 班 04-28 (Sun), 05-11 (Sat).
    # Forward: 05-01…05-05 休, 05-06 Mon (1) … 05-10 Fri (5).
    Case("report", d("2024-04-30"), d("2024-05-10"), days("2024-05-01", "2024-05-05"), []),
    # --- 春节 Spring Festival -------------------------------------------------------------
    # 2023 春节: 休 01-21 (Sat) … 01-27 (Fri); 班 01-28 (Sat), 01-29 (Sun).
    # Back: 01-31 Tue (1), 01-30 Mon (2), 01-29 Sun 班 (3), 01-28 Sat 班 (4),
    # 01-27…01-21 休, 01-20 Fri (5).
    Case(
        "plan",
        d("2023-02-01"),
        d("2023-01-20"),
        days("2023-01-21", "2023-01-27"),
        [d("2023-01-28"), d("2023-01-29")],
    ),
    # Forward: 01-20 Fri (1), 01-21…01-27 休, 01-28 Sat 班 (2), 01-29 Sun 班 (3),
    # 01-30 (4), 01-31 Tue (5).
    Case(
        "report",
        d("2023-01-19"),
        d("2023-01-31"),
        days("2023-01-21", "2023-01-27"),
        [d("2023-01-28"), d("2023-01-29")],
    ),
    # 2024 春节: 休 02-10 (Sat) … 02-17 (Sat); 班 02-04 (Sun), 02-18 (Sun). 02-09 (除夕, Fri)
    # was a working day.
    # Forward: 02-09 Fri (1), 02-10…02-17 休, 02-18 Sun 班 (2), 02-19 (3), 02-20 (4),
    # 02-21 Wed (5).
    Case(
        "report",
        d("2024-02-08"),
        d("2024-02-21"),
        days("2024-02-10", "2024-02-17"),
        [d("2024-02-18")],
    ),
    # Back: 02-06 Tue (1), 02-05 Mon (2), 02-04 Sun 班 (3), 02-03 Sat 休, 02-02 Fri (4),
    # 02-01 Thu (5).
    Case("plan", d("2024-02-07"), d("2024-02-01"), [d("2024-02-03")], [d("2024-02-04")]),
    # Back: 02-21 (1), 02-20 (2), 02-19 (3), 02-18 Sun 班 (4), 02-17…02-10 休, 02-09 Fri (5).
    Case(
        "plan",
        d("2024-02-22"),
        d("2024-02-09"),
        days("2024-02-10", "2024-02-17"),
        [d("2024-02-18")],
    ),
    # 2025 春节: 休 01-28 (Tue) … 02-04 (Tue); 班 01-26 (Sun), 02-08 (Sat).
    # Forward: 01-28…02-04 休, 02-05 Wed (1), 02-06 (2), 02-07 (3), 02-08 Sat 班 (4),
    # 02-09 Sun 休, 02-10 Mon (5).
    Case(
        "report",
        d("2025-01-27"),
        d("2025-02-10"),
        [*days("2025-01-28", "2025-02-04"), d("2025-02-09")],
        [d("2025-02-08")],
    ),
    # Back: 02-06 (1), 02-05 (2), 02-04…01-28 休, 01-27 Mon (3), 01-26 Sun 班 (4),
    # 01-25 Sat 休, 01-24 Fri (5).
    Case(
        "plan",
        d("2025-02-07"),
        d("2025-01-24"),
        [d("2025-01-25"), *days("2025-01-28", "2025-02-04")],
        [d("2025-01-26")],
    ),
    # 2026 春节: 休 02-15 (Sun) … 02-23 (Mon); 班 02-14 (Sat), 02-28 (Sat).
    # Back: 02-23…02-15 休, 02-14 Sat 班 (1), 02-13 Fri (2) … 02-10 Tue (5).
    Case(
        "plan",
        d("2026-02-24"),
        d("2026-02-10"),
        days("2026-02-15", "2026-02-23"),
        [d("2026-02-14")],
    ),
    # Forward: 02-14 Sat 班 (1), 02-15…02-23 休, 02-24 Tue (2) … 02-27 Fri (5).
    Case(
        "report",
        d("2026-02-13"),
        d("2026-02-27"),
        days("2026-02-15", "2026-02-23"),
        [d("2026-02-14")],
    ),
    # --- 劳动节 May Day ---------------------------------------------------------------------
    # 2023 劳动节: 休 04-29 (Sat) … 05-03 (Wed); 班 04-23 (Sun), 05-06 (Sat).
    # Back: 05-03…04-29 休, 04-28 Fri (1) … 04-24 Mon (5).
    Case("plan", d("2023-05-04"), d("2023-04-24"), days("2023-04-29", "2023-05-03"), []),
    # Forward: 05-05 Fri (1), 05-06 Sat 班 (2), 05-07 Sun 休, 05-08 (3), 05-09 (4), 05-10 (5).
    Case("report", d("2023-05-04"), d("2023-05-10"), [d("2023-05-07")], [d("2023-05-06")]),
    # Back: 04-25 (1), 04-24 (2), 04-23 Sun 班 (3), 04-22 Sat 休, 04-21 Fri (4), 04-20 (5).
    Case("plan", d("2023-04-26"), d("2023-04-20"), [d("2023-04-22")], [d("2023-04-23")]),
    # 2024 劳动节 (see above). Back: 05-05…05-01 休, 04-30 Tue (1), 04-29 (2),
    # 04-28 Sun 班 (3), 04-27 Sat 休, 04-26 Fri (4), 04-25 Thu (5).
    Case(
        "plan",
        d("2024-05-06"),
        d("2024-04-25"),
        [d("2024-04-27"), *days("2024-05-01", "2024-05-05")],
        [d("2024-04-28")],
    ),
    # Forward: 05-08 (1), 05-09 (2), 05-10 (3), 05-11 Sat 班 (4), 05-12 Sun 休, 05-13 Mon (5).
    Case("report", d("2024-05-07"), d("2024-05-13"), [d("2024-05-12")], [d("2024-05-11")]),
    # 2025 劳动节: 休 05-01 (Thu) … 05-05 (Mon); 班 04-27 (Sun).
    # Back: 05-05…05-01 休, 04-30 (1), 04-29 (2), 04-28 (3), 04-27 Sun 班 (4),
    # 04-26 Sat 休, 04-25 Fri (5).
    Case(
        "plan",
        d("2025-05-06"),
        d("2025-04-25"),
        [d("2025-04-26"), *days("2025-05-01", "2025-05-05")],
        [d("2025-04-27")],
    ),
    # Forward: 04-29 (1), 04-30 (2), 05-01…05-05 休, 05-06 (3), 05-07 (4), 05-08 Thu (5).
    Case("report", d("2025-04-28"), d("2025-05-08"), days("2025-05-01", "2025-05-05"), []),
    # 2026 劳动节: 休 05-01 (Fri) … 05-05 (Tue); 班 05-09 (Sat).
    # Forward: 05-07 (1), 05-08 (2), 05-09 Sat 班 (3), 05-10 Sun 休, 05-11 (4), 05-12 Tue (5).
    Case("report", d("2026-05-06"), d("2026-05-12"), [d("2026-05-10")], [d("2026-05-09")]),
    # Back: 05-05…05-01 休, 04-30 Thu (1) … 04-27 Mon (4), 04-26/25 weekend 休, 04-24 Fri (5).
    Case(
        "plan",
        d("2026-05-06"),
        d("2026-04-24"),
        [d("2026-04-25"), d("2026-04-26"), *days("2026-05-01", "2026-05-05")],
        [],
    ),
    # --- 中秋·国庆 Mid-Autumn and National Day ---------------------------------------------
    # 2024 中秋: 休 09-15 (Sun) … 09-17 (Tue); 班 09-14 (Sat).
    # Forward: 09-14 Sat 班 (1), 09-15…09-17 休, 09-18 (2), 09-19 (3), 09-20 (4),
    # 09-21/22 weekend 休, 09-23 Mon (5).
    Case(
        "report",
        d("2024-09-13"),
        d("2024-09-23"),
        [*days("2024-09-15", "2024-09-17"), d("2024-09-21"), d("2024-09-22")],
        [d("2024-09-14")],
    ),
    # 2024 国庆: 休 10-01 (Tue) … 10-07 (Mon); 班 09-29 (Sun), 10-12 (Sat).
    # Forward: 09-28 Sat 休, 09-29 Sun 班 (1), 09-30 Mon (2), 10-01…10-07 休, 10-08 (3),
    # 10-09 (4), 10-10 Thu (5).
    Case(
        "report",
        d("2024-09-27"),
        d("2024-10-10"),
        [d("2024-09-28"), *days("2024-10-01", "2024-10-07")],
        [d("2024-09-29")],
    ),
    # Back: 10-07…10-01 休, 09-30 Mon (1), 09-29 Sun 班 (2), 09-28 Sat 休, 09-27 (3),
    # 09-26 (4), 09-25 Wed (5).
    Case(
        "plan",
        d("2024-10-08"),
        d("2024-09-25"),
        [d("2024-09-28"), *days("2024-10-01", "2024-10-07")],
        [d("2024-09-29")],
    ),
    # Forward: 10-10 (1), 10-11 (2), 10-12 Sat 班 (3), 10-13 Sun 休, 10-14 (4), 10-15 Tue (5).
    Case("report", d("2024-10-09"), d("2024-10-15"), [d("2024-10-13")], [d("2024-10-12")]),
    # 2025 国庆·中秋: 休 10-01 (Wed) … 10-08 (Wed); 班 09-28 (Sun), 10-11 (Sat).
    # Back: 10-08…10-01 休, 09-30 (1), 09-29 (2), 09-28 Sun 班 (3), 09-27 Sat 休,
    # 09-26 Fri (4), 09-25 Thu (5).
    Case(
        "plan",
        d("2025-10-09"),
        d("2025-09-25"),
        [d("2025-09-27"), *days("2025-10-01", "2025-10-08")],
        [d("2025-09-28")],
    ),
    # Forward: 10-10 Fri (1), 10-11 Sat 班 (2), 10-12 Sun 休, 10-13 (3), 10-14 (4), 10-15 (5).
    Case("report", d("2025-10-09"), d("2025-10-15"), [d("2025-10-12")], [d("2025-10-11")]),
    # Forward: 09-27 Sat 休, 09-28 Sun 班 (1), 09-29 (2), 09-30 (3), 10-01…10-08 休,
    # 10-09 Thu (4), 10-10 Fri (5).
    Case(
        "report",
        d("2025-09-26"),
        d("2025-10-10"),
        [d("2025-09-27"), *days("2025-10-01", "2025-10-08")],
        [d("2025-09-28")],
    ),
    # 2026 中秋: 休 09-25 (Fri) … 09-27 (Sun); 国庆: 休 10-01 (Thu) … 10-07 (Wed);
    # 班 09-20 (Sun), 10-10 (Sat).
    # Back: 10-07…10-01 休, 09-30 (1), 09-29 (2), 09-28 Mon (3), 09-27…09-25 休,
    # 09-24 Thu (4), 09-23 Wed (5).
    Case(
        "plan",
        d("2026-10-08"),
        d("2026-09-23"),
        [*days("2026-09-25", "2026-09-27"), *days("2026-10-01", "2026-10-07")],
        [],
    ),
    # Forward: 10-09 Fri (1), 10-10 Sat 班 (2), 10-11 Sun 休, 10-12 (3), 10-13 (4), 10-14 (5).
    Case("report", d("2026-10-08"), d("2026-10-14"), [d("2026-10-11")], [d("2026-10-10")]),
    # Back: 09-23 (1), 09-22 (2), 09-21 Mon (3), 09-20 Sun 班 (4), 09-19 Sat 休, 09-18 Fri (5).
    Case("plan", d("2026-09-24"), d("2026-09-18"), [d("2026-09-19")], [d("2026-09-20")]),
]

CASE_IDS = [f"{c.kind}-{c.activity.isoformat()}" for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_due_dates_follow_the_official_arrangement(case: Case):
    due = workdays.plan_due if case.kind == "plan" else workdays.report_due
    assert due(case.activity) == DatedResult(day=case.due, verified=True, unverified_years=())
    assert due(case.activity).warning == ""


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_case_notes_match_the_package(case: Case):
    """The off / make-up days named in each comment are what chinesecalendar says."""
    calendar = WorkdayCalendar()
    for day in case.off:
        assert not chinese_calendar.is_workday(day), day
        assert not calendar.is_workday(day), day
    for day in case.makeup:
        assert day.weekday() >= 5 and chinese_calendar.is_workday(day), day
        assert calendar.is_makeup_workday(day), day


@pytest.mark.parametrize(
    "makeup",
    [
        "2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06", "2023-06-25",
        "2023-10-07", "2023-10-08",
        "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11",
        "2024-09-14", "2024-09-29", "2024-10-12",
        "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
        "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
    ],
)  # fmt: skip
def test_makeup_weekends_are_workdays(makeup: str):
    day = d(makeup)
    assert day.weekday() >= 5
    assert workdays.is_workday(day)
    assert WorkdayCalendar().is_makeup_workday(day)


def test_ordinary_weekends_and_weekdays():
    assert not workdays.is_workday(d("2025-06-07"))  # Saturday
    assert workdays.is_workday(d("2025-06-04"))  # Wednesday
    assert not WorkdayCalendar().is_makeup_workday(d("2025-06-04"))
    assert not workdays.is_workday(d("2025-06-02"))  # 端午 Monday


def test_agrees_with_package_find_workday_every_day_2023_to_2026():
    """Cross-check on every activity day against the package's own ``find_workday``.

    ``find_workday(-n, day)`` is the n-th workday strictly before ``day`` (= plan due);
    ``find_workday(k, day)`` counts ``day`` itself when it is a workday, so report due is
    ``find_workday(n - 1, day + 1)``.
    """
    calendar = WorkdayCalendar()
    day = d("2023-01-01")
    while day <= d("2026-12-15"):
        assert calendar.plan_due(day).day == chinese_calendar.find_workday(-5, day), day
        report = calendar.report_due(day).day
        assert report == chinese_calendar.find_workday(4, day + timedelta(days=1)), day
        assert calendar.workdays_between(day, report) == 5, day
        day += timedelta(days=1)


def test_add_workdays_general_counting():
    calendar = WorkdayCalendar()
    # start never counts: from Friday 2025-06-06, +1 is Monday 06-09, -1 is Thursday 06-05.
    assert calendar.add_workdays(d("2025-06-06"), 1).day == d("2025-06-09")
    assert calendar.add_workdays(d("2025-06-06"), -1).day == d("2025-06-05")
    # from a holiday: 2025-10-03 (国庆 休) +1 → 10-09, the first day back after 10-01…10-08.
    assert calendar.add_workdays(d("2025-10-03"), 1).day == d("2025-10-09")
    assert calendar.add_workdays(d("2025-10-03"), -1).day == d("2025-09-30")
    assert calendar.add_workdays(d("2025-10-03"), 0).day == d("2025-10-03")
    # n is a parameter: 提前3个工作日 for 2023-10-09 → 10-08 Sun 班, 10-07 Sat 班, 09-28 Thu.
    assert calendar.plan_due(d("2023-10-09"), 3).day == d("2023-09-28")
    assert calendar.report_due(d("2023-09-28"), 1).day == d("2023-10-07")


def test_n_must_be_positive_for_due_dates():
    with pytest.raises(ValueError):
        workdays.plan_due(d("2025-06-06"), 0)
    with pytest.raises(ValueError):
        workdays.report_due(d("2025-06-06"), -5)


def test_datetimes_are_reduced_to_dates():
    assert workdays.is_workday(datetime(2024, 2, 18, 9, 30))  # 班 Sunday
    assert workdays.plan_due(datetime(2023, 10, 9, 14, 0)).day == d("2023-09-26")


# --- workdays_between: start < d <= end --------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-06-06", "2025-06-06", 0),
        ("2025-06-06", "2025-06-09", 1),  # Fri → Mon over a weekend
        ("2025-06-09", "2025-06-06", -1),  # mirrored
        ("2025-06-07", "2025-06-08", 0),  # a plain weekend
        # across 2023 中秋·国庆: 09-29…10-06 休, 10-07/08 班 → 10-07, 10-08, 10-09, 10-10, 10-11
        ("2023-09-28", "2023-10-11", 5),
        ("2023-10-11", "2023-09-28", -5),
        # across 2024 春节: 02-09 Fri, then 02-10…02-17 休, 02-18 Sun 班, 02-19 … 02-21
        ("2024-02-08", "2024-02-21", 5),
        # across 2025 劳动节 (05-01…05-05 休): 04-30, 05-06 → 2; the reverse is -2
        ("2025-04-29", "2025-05-06", 2),
        ("2025-05-06", "2025-04-29", -2),
        # inside a holiday block: nothing
        ("2025-10-01", "2025-10-08", 0),
        # all of 2024: 366 days − 104 weekend days − 19 weekday holidays (01-01; 02-12…16;
        # 04-04, 05; 05-01…03; 06-10; 09-16, 17; 10-01…04, 07) + 8 班 weekend days = 251
        ("2023-12-31", "2024-12-31", 251),
    ],
)  # fmt: skip
def test_workdays_between(start: str, end: str, expected: int):
    assert workdays.workdays_between(d(start), d(end)) == expected
    assert WorkdayCalendar().workdays_between(d(end), d(start)) == -expected


def test_workdays_between_late_and_left():
    calendar = WorkdayCalendar()
    due = calendar.report_due(d("2025-09-26")).day  # 2025-10-10
    # 逾期: filed on 10-13 (Mon) → 10-11 Sat 班 and 10-13 count → 2 working days late
    assert calendar.workdays_between(due, d("2025-10-13")) == 2
    # 剩余: on 09-30 → 10-09 and 10-10 remain (10-01…10-08 休)
    assert calendar.workdays_between(d("2025-09-30"), due) == 2


def test_unverified_years_between():
    calendar = WorkdayCalendar()
    assert calendar.unverified_years_between(d("2026-12-01"), d("2026-12-31")) == ()
    assert calendar.unverified_years_between(d("2026-12-01"), d("2027-01-05")) == (2027,)
    assert calendar.unverified_years_between(d("2027-01-05"), d("2026-12-01")) == (2027,)
    assert calendar.unverified_years_between(d("2026-12-31"), d("2026-12-31")) == ()
    # start itself never counts
    assert calendar.unverified_years_between(d("2003-12-31"), d("2004-01-05")) == ()
    with_2027 = WorkdayCalendar([WorkdayOverride(d("2027-01-01"), False, "元旦")])
    assert with_2027.unverified_years_between(d("2026-12-01"), d("2027-01-05")) == ()


# --- overrides (workday_override) --------------------------------------------------------


def test_unknown_2027_is_unverified_with_a_chinese_warning():
    # 2026-12-30 Wed → forward: 12-31 Thu (1), 2027-01-01 Fri (2, weekday guess),
    # 01-04 Mon (3), 01-05 (4), 01-06 (5).
    result = workdays.report_due(d("2026-12-30"))
    assert result.day == d("2027-01-06")
    assert result.verified is False
    assert result.unverified_years == (2027,)
    assert result.warning == "2027年节假日安排未录入，日期仅按周末计算"
    assert not WorkdayCalendar().is_verified(d("2027-03-01"))


def test_2027_holiday_override_moves_the_due_date_and_verifies_the_year():
    calendar = WorkdayCalendar([WorkdayOverride(d("2027-01-04"), False, "测试：周一放假")])
    # 12-31 (1), 01-01 (2), 01-04 休, 01-05 (3), 01-06 (4), 01-07 (5): one working day later.
    result = calendar.report_due(d("2026-12-30"))
    assert result == DatedResult(d("2027-01-07"), verified=True, unverified_years=())
    assert result.warning == ""
    assert calendar.is_verified(d("2027-11-30"))
    assert not calendar.is_workday(d("2027-01-04"))


def test_2027_new_year_arrangement():
    calendar = WorkdayCalendar(
        [
            WorkdayOverride(d("2027-01-01"), False, "元旦"),
            WorkdayOverride(d("2027-01-04"), False, "测试"),
        ]
    )
    # 12-31 (1), 01-01 休, 01-02/03 weekend, 01-04 休, 01-05 (2) … 01-08 Fri (5).
    assert calendar.report_due(d("2026-12-30")).day == d("2027-01-08")
    assert calendar.workdays_between(d("2026-12-30"), d("2027-01-08")) == 5


def test_2027_makeup_saturday_override_counts():
    # 2027-01-07 is a Thursday; 01-09 a Saturday.
    plain = WorkdayCalendar()
    assert plain.report_due(d("2027-01-07")).day == d("2027-01-14")  # 08, 11, 12, 13, 14
    calendar = WorkdayCalendar([WorkdayOverride(d("2027-01-09"), True, "调休上班")])
    assert calendar.is_workday(d("2027-01-09"))
    assert calendar.is_makeup_workday(d("2027-01-09"))
    # 01-08 Fri (1), 01-09 Sat 班 (2), 01-11 (3), 01-12 (4), 01-13 Wed (5)
    result = calendar.report_due(d("2027-01-07"))
    assert result == DatedResult(d("2027-01-13"), verified=True, unverified_years=())
    assert calendar.plan_due(d("2027-01-11")).day == d("2027-01-05")  # 09 班, 08, 07, 06, 05


def test_override_wins_inside_a_known_year():
    # 2025 端午: 05-31 … 06-02 休. From Friday 05-30: 06-03 Tue (1) … 06-06 Fri (4), 06-09 (5).
    assert workdays.report_due(d("2025-05-30")).day == d("2025-06-09")
    calendar = WorkdayCalendar([WorkdayOverride(d("2025-06-03"), False, "测试：休")])
    assert chinese_calendar.is_workday(d("2025-06-03"))
    assert not calendar.is_workday(d("2025-06-03"))
    assert calendar.report_due(d("2025-05-30")) == DatedResult(d("2025-06-10"), True, ())
    # and the other way: a package holiday marked 班 counts
    worked = WorkdayCalendar([WorkdayOverride(d("2025-06-02"), True, "测试：班")])
    assert worked.report_due(d("2025-05-30")).day == d("2025-06-06")
    assert worked.workdays_between(d("2025-05-30"), d("2025-06-02")) == 1


def test_conflicting_overrides_are_rejected():
    with pytest.raises(ValueError):
        WorkdayCalendar(
            [WorkdayOverride(d("2027-01-04"), False), WorkdayOverride(d("2027-01-04"), True)]
        )
    same = WorkdayCalendar(
        [WorkdayOverride(d("2027-01-04"), False), WorkdayOverride(d("2027-01-04"), False, "x")]
    )
    assert len(same.overrides) == 1


def test_overrides_listed_in_date_order():
    calendar = WorkdayCalendar(
        [WorkdayOverride(d("2027-02-06"), True), WorkdayOverride(d("2027-01-01"), False)]
    )
    assert [o.day for o in calendar.overrides] == [d("2027-01-01"), d("2027-02-06")]


# --- years the package does not know ------------------------------------------------------


@pytest.mark.parametrize("year", [2003, 2027, 2030, 1999, 2100])
def test_unknown_years_do_not_raise_and_are_unverified(year: int):
    calendar = WorkdayCalendar()
    assert calendar.is_verified(date(year, 6, 1)) is False
    monday = date(year, 6, 1) - timedelta(days=date(year, 6, 1).weekday())
    assert calendar.is_workday(monday)
    assert not calendar.is_workday(monday + timedelta(days=5))  # Saturday
    for result in (calendar.plan_due(date(year, 6, 15)), calendar.report_due(date(year, 6, 15))):
        assert result.verified is False
        assert result.unverified_years == (year,)
        assert result.warning == f"{year}年节假日安排未录入，日期仅按周末计算"
    assert calendar.workdays_between(monday, monday + timedelta(days=7)) == 5


def test_walking_into_an_unknown_year_is_unverified():
    # 2004-01-05 Mon: back over 01-02 Fri, 01-01 休 (元旦), then 2003-12-31 … 12-29 guessed.
    result = workdays.plan_due(d("2004-01-05"))
    assert result.day == d("2003-12-26")
    assert result.unverified_years == (2003,)
    assert result.warning == "2003年节假日安排未录入，日期仅按周末计算"
    # the activity day alone being in a known year does not verify the walk
    assert workdays.plan_due(d("2027-01-11")).unverified_years == (2027,)
    # starting in 2027 but walking only through 2026 is verified
    assert workdays.plan_due(d("2027-01-01")).verified


def test_warning_lists_each_unverified_year():
    result = WorkdayCalendar().add_workdays(d("2029-12-28"), 5)
    assert result.unverified_years == (2029, 2030)
    assert result.warning == (
        "2029年节假日安排未录入，日期仅按周末计算；2030年节假日安排未录入，日期仅按周末计算"
    )


def test_known_range_is_2004_to_2026():
    calendar = WorkdayCalendar()
    assert calendar.is_verified(d("2004-01-01")) and calendar.is_verified(d("2026-12-31"))
    assert not calendar.is_verified(d("2003-12-31")) and not calendar.is_verified(d("2027-01-01"))


# --- the index against a plain walk -------------------------------------------------------


class _Walk:
    """The reference: official calendar + overrides, asked one day at a time."""

    def __init__(self, overrides: list[WorkdayOverride]) -> None:
        self.overrides = {o.day: o.is_workday for o in overrides}
        self.override_years = {o.day.year for o in overrides}

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5

    def verified(self, year: int) -> bool:
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return year in self.override_years
        return True

    def add_workdays(self, start: date, n: int) -> tuple[date, tuple[int, ...]]:
        step, day, years = timedelta(days=1 if n > 0 else -1), start, set()
        remaining = abs(n)
        while remaining:
            day += step
            years.add(day.year)
            remaining -= self.is_workday(day)
        return day, tuple(sorted(y for y in years if not self.verified(y)))

    def between(self, start: date, end: date) -> int:
        low, high = sorted((start, end))
        span = range(1, (high - low).days + 1)
        count = sum(self.is_workday(low + timedelta(days=i)) for i in span)
        return count if end >= start else -count


_2027 = [  # an entered arrangement for a year the package does not know
    WorkdayOverride(d("2027-01-01"), False, "元旦"),
    *(WorkdayOverride(day, False, "春节") for day in days("2027-02-06", "2027-02-12")),
    WorkdayOverride(d("2027-02-14"), True, "春节调休"),  # a Sunday worked
    WorkdayOverride(d("2026-10-10"), True, "调休"),  # a Saturday in a known year
    WorkdayOverride(d("2026-10-09"), False, "放假"),
]


@pytest.mark.parametrize("overrides", [[], _2027], ids=["package", "with 2027 entered"])
def test_index_agrees_with_a_day_by_day_walk(overrides: list[WorkdayOverride]):
    import random

    rng = random.Random(20231008)
    walk = _Walk(overrides)
    calendar = WorkdayCalendar(overrides)
    # make-up Sundays and Saturdays, holidays, the years' edges, and random days 2002–2029
    special = [d("2023-01-28"), d("2023-01-29"), d("2023-10-07"), d("2023-10-08")]
    special += [d("2024-02-04"), d("2024-02-18"), d("2026-12-31"), d("2027-01-01")]
    special += [d("2027-02-14"), d("2026-10-10"), d("2003-12-31"), d("2004-01-01")]
    first = d("2002-06-01")
    starts = special + [first + timedelta(days=rng.randrange(10_000)) for _ in range(300)]
    for start in starts:
        assert calendar.is_workday(start) == walk.is_workday(start), start
        for n in (rng.choice([1, 2, 5, 10, 40]), -rng.choice([1, 2, 5, 10, 40])):
            result = calendar.add_workdays(start, n)
            expected, unverified = walk.add_workdays(start, n)
            assert (result.day, result.unverified_years) == (expected, unverified), (start, n)
            assert result.verified == (not unverified)
        end = start + timedelta(days=rng.randrange(-400, 400))
        assert calendar.workdays_between(start, end) == walk.between(start, end), (start, end)


def test_every_day_of_the_package_matches_it():
    calendar = WorkdayCalendar()
    day = d("2004-01-01")
    while day <= d("2026-12-31"):
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_calendars_with_the_same_overrides_share_one_table():
    first, second = WorkdayCalendar(_2027), WorkdayCalendar(list(reversed(_2027)))
    first.is_workday(d("2023-06-01")), second.is_workday(d("2023-06-01"))
    assert first._table is second._table
    assert WorkdayCalendar()._covering(d("2023-01-01"), d("2023-01-01")) is not first._table


def test_counting_far_past_the_table_widens_it():
    calendar = WorkdayCalendar()
    result = calendar.add_workdays(d("2023-06-01"), 5000)
    assert result.unverified_years == tuple(range(2027, result.day.year + 1))
    assert result.day.year >= 2040  # about 250 working days a year
    back = calendar.add_workdays(result.day, -5000)
    assert back.day == d("2023-06-01")  # itself a working day: the 5000th counting back
    assert calendar.workdays_between(d("2023-06-01"), result.day) == 5000
