"""看板视图 logic: next due item, cards by status, filters, the month grid, photo reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from tests.conftest import actor_for
from themeday.core.domain import ActivityStatus
from themeday.core.records import Activity
from themeday.core.workdays import WorkdayCalendar, WorkdayOverride
from themeday.repository import Repository
from themeday.services.boards import (
    BOARD_STATUSES,
    WEEKDAY_HEADERS,
    Card,
    Filters,
    NextDue,
    board_columns,
    cards_of,
    default_month,
    filter_activities,
    holidays_between,
    month_counts,
    month_matrix,
    next_due,
    next_due_by_activity,
    page_count,
)


def activity(
    activity_id: int,
    *,
    unit_id: int = 1,
    unit_name: str = "城北街道办事处",
    title: str = "主题",
    month: int = 10,
    form: str = "政策发布",
    day: date | None = None,
    status: str = "planned",
    held: date | None = None,
) -> Activity:
    return Activity(
        activity_id,
        1,
        1,
        unit_id,
        unit_name,
        1,
        title,
        month,
        form,
        "",
        "",
        day,
        "",
        status,
        held_date=held,
    )


def card(
    activity_id: int, status: str = "scheduled", day: date | None = None, light: str = ""
) -> Card:
    return Card(
        activity_id, "单位", f"主题{activity_id}", "政策发布", status, day, 10, NextDue(light=light)
    )


# ------------------------------------------------------------------ next due item
def row(**values) -> dict:
    base = {
        "activity_id": 1,
        "status": "scheduled",
        "cancelled": False,
        "plan_status": "open",
        "plan_light": "green",
        "plan_due": pd.Timestamp("2023-09-26"),
        "report_status": "open",
        "report_light": "grey",
        "report_due": pd.Timestamp("2023-10-16"),
    }
    return {**base, **values}


def test_next_due_is_the_plan_while_it_is_open():
    assert next_due(row()) == NextDue("plan", "green", date(2023, 9, 26))
    overdue = next_due(row(plan_status="missing", plan_light="red"))
    assert (overdue.item, overdue.light, overdue.item_label) == ("plan", "red", "活动方案")


def test_next_due_is_the_report_once_the_plan_is_filed_or_off():
    filed = next_due(row(plan_status="on_time", plan_light="", report_light="yellow"))
    assert filed == NextDue("report", "yellow", date(2023, 10, 16))
    rule_off = next_due(
        row(plan_status="not_applicable", plan_light="grey", plan_due=pd.NaT, report_light="red")
    )
    assert (rule_off.item, rule_off.light) == ("report", "red")


def test_nothing_open_means_no_light_or_grey_when_no_rule_applies():
    done = row(plan_status="late", plan_light="", report_status="on_time", report_light="")
    assert next_due(done) == NextDue()
    cancelled = row(status="cancelled", cancelled=True, plan_status="not_applicable")
    assert next_due(cancelled) == NextDue()
    no_rules = row(
        plan_status="not_applicable",
        plan_due=pd.NaT,
        report_status="not_applicable",
        report_due=pd.NaT,
    )
    assert next_due(no_rules) == NextDue(light="grey")


def test_next_due_by_activity_answers_as_next_due_row_by_row():
    rows = [
        row(),
        row(plan_status="missing", plan_light="red"),
        row(plan_status="on_time", plan_light="", report_light="yellow"),
        row(plan_status="not_applicable", plan_light="grey", plan_due=pd.NaT, report_light="red"),
        row(plan_status="late", plan_light="", report_status="on_time", report_light=""),
        row(status="cancelled", cancelled=True, plan_status="not_applicable"),
        row(status="cancelled", cancelled=False),
        row(plan_status="not_applicable", report_status="not_applicable", report_due=pd.NaT),
        row(plan_status="on_time", report_status="open", report_light=None),
    ]
    rows = [{**r, "activity_id": n} for n, r in enumerate(rows, start=1)]
    due = next_due_by_activity(pd.DataFrame(rows))
    assert due == {r["activity_id"]: next_due(r) for r in rows}
    assert next_due_by_activity(pd.DataFrame(rows[:0])) == {}


def test_next_due_of_an_undated_activity_has_no_due_date():
    frame = pd.DataFrame(
        [
            row(activity_id=7, plan_light="grey", plan_due=pd.NaT),
            row(activity_id=8, plan_status="on_time", report_status="missing", report_light="red"),
        ]
    )
    due = next_due_by_activity(frame)
    assert due[7] == NextDue("plan", "grey", None)
    assert due[8] == NextDue("report", "red", date(2023, 10, 16))


# ------------------------------------------------------------------ cards and filters
def test_cards_carry_unit_title_date_and_light():
    acts = [
        activity(1, day=date(2023, 10, 9), status="scheduled"),
        activity(2, month=11, status="planned"),
        activity(3, day=date(2023, 10, 9), held=date(2023, 10, 10), status="held"),
    ]
    cards = cards_of(acts, {1: NextDue("plan", "red", date(2023, 9, 26))})
    assert [c.date_text for c in cards] == ["2023-10-09", "未定日期 · 计划11月", "2023-10-10"]
    assert cards[0].due.light == "red" and cards[1].due == NextDue()
    assert (cards[0].unit_name, cards[0].title) == ("城北街道办事处", "主题")


def test_columns_follow_the_lifecycle_with_cancelled_last_and_count_every_card():
    cards = [card(1, "held"), card(2, "cancelled"), card(3, "planned"), card(4, "held")]
    columns = board_columns(cards)
    assert [c.status for c in columns] == list(BOARD_STATUSES)
    assert columns[-1].status == ActivityStatus.CANCELLED
    assert [c.label for c in columns][:3] == ["已申报", "已定日期", "方案已报送"]
    totals = {c.status.value: c.total for c in columns}
    assert totals == {
        "planned": 1,
        "scheduled": 0,
        "plan_filed": 0,
        "held": 2,
        "reported": 0,
        "published": 0,
        "cancelled": 1,
    }


def test_a_long_column_is_capped_most_urgent_first_and_counts_the_rest():
    cards = [card(i, "scheduled", date(2023, 10, 1 + i % 28), "green") for i in range(500)]
    cards[250] = card(250, "scheduled", date(2023, 10, 20), "red")
    cards[251] = card(251, "scheduled", None, "yellow")
    (column,) = [c for c in board_columns(cards, per_column=20) if c.status == "scheduled"]
    assert column.total == 500 and len(column.cards) == 20 and column.hidden == 480
    assert [c.activity_id for c in column.cards[:2]] == [250, 251]
    greens = [c.day for c in column.cards[2:]]
    assert greens == sorted(greens)


def test_filters_by_unit_form_and_month():
    acts = [
        activity(1, unit_id=1, form="政策发布", day=date(2023, 10, 9)),
        activity(2, unit_id=2, form="现场观摩", month=6),
        activity(3, unit_id=2, form="政策发布", day=date(2023, 9, 28), held=date(2023, 10, 8)),
    ]
    assert [a.month for a in acts] == [10, 6, 10]
    ids = lambda f: [a.id for a in filter_activities(acts, f)]  # noqa: E731
    assert ids(Filters()) == [1, 2, 3] and not Filters().active
    assert ids(Filters(unit_ids=(2,))) == [2, 3]
    assert ids(Filters(forms=("政策发布",))) == [1, 3]
    assert ids(Filters(months=(10,))) == [1, 3]
    assert ids(Filters(unit_ids=(2,), months=(6,))) == [2]
    assert ids(Filters(unit_ids=(1,), forms=("现场观摩",))) == []


# ------------------------------------------------------------------ month calendar
def test_october_2023_grid_is_monday_first_with_guoqing_off_and_makeup_days_on():
    cards = [card(1, day=date(2023, 10, 9)), card(2, day=date(2023, 10, 8)), card(3, day=None)]
    cards.append(card(4, day=date(2023, 9, 28)))  # a neighbour's day in the grid
    month = month_matrix(2023, 10, WorkdayCalendar(), cards)
    assert WEEKDAY_HEADERS == ("一", "二", "三", "四", "五", "六", "日")
    assert all(len(week) == 7 for week in month.weeks)
    assert all(d.day.weekday() == i for week in month.weeks for i, d in enumerate(week))
    assert month.weeks[0][0].day == date(2023, 9, 25)
    assert month.weeks[-1][-1].day == date(2023, 11, 5)
    by_day = {d.day: d for week in month.weeks for d in week}
    for offset in range(29, 31):
        assert by_day[date(2023, 9, offset)].mark == "休"
    for day in range(1, 7):  # 国庆: 10-01 (Sunday) to 10-06 (Friday) off
        assert by_day[date(2023, 10, day)].holiday and not by_day[date(2023, 10, day)].workday
    sunday = by_day[date(2023, 10, 8)]  # make-up Sunday
    assert sunday.workday and sunday.makeup_workday and sunday.mark == "班"
    assert by_day[date(2023, 10, 7)].mark == "班"
    weekend = by_day[date(2023, 10, 14)]  # an ordinary Saturday: off, not a holiday
    assert not weekend.workday and weekend.mark == ""
    assert by_day[date(2023, 10, 9)].mark == "" and by_day[date(2023, 10, 9)].workday
    assert [c.activity_id for c in by_day[date(2023, 10, 9)].cards] == [1]
    assert [c.activity_id for c in by_day[date(2023, 10, 8)].cards] == [2]
    assert not by_day[date(2023, 9, 28)].in_month
    assert month.count == 2 and month.title == "2023年10月" and month.verified


def test_holidays_include_the_weekend_inside_a_holiday_but_not_plain_weekends():
    days = holidays_between(WorkdayCalendar(), date(2023, 9, 23), date(2023, 10, 15))
    expected = {date(2023, 9, 29), date(2023, 9, 30)} | {date(2023, 10, d) for d in range(1, 7)}
    assert days == expected


def test_office_overrides_mark_an_unknown_year_and_make_it_verified():
    plain = month_matrix(2027, 10, WorkdayCalendar())
    assert not plain.verified
    assert not any(d.holiday for week in plain.weeks for d in week)
    overrides = [WorkdayOverride(date(2027, 10, d), False, "国庆节") for d in range(1, 8)]
    overrides.append(WorkdayOverride(date(2027, 10, 9), True, "调休上班"))
    month = month_matrix(2027, 10, WorkdayCalendar(overrides))
    by_day = {d.day: d for week in month.weeks for d in week}
    assert month.verified
    assert by_day[date(2027, 10, 4)].mark == "休"
    assert by_day[date(2027, 10, 3)].mark == "休"  # a Sunday inside the holiday
    assert by_day[date(2027, 10, 9)].mark == "班"  # a Saturday worked
    assert by_day[date(2027, 10, 16)].mark == ""


def test_month_counts_and_default_month():
    cards = [card(1, day=date(2023, 10, 9)), card(2, day=date(2023, 6, 1)), card(3)]
    cards.append(card(4, day=date(2024, 1, 2)))
    counts = month_counts(cards, 2023)
    assert list(counts) == list(range(1, 13)) and counts[10] == 1 and counts[6] == 1
    assert sum(counts.values()) == 2
    days = [c.day for c in cards]
    assert default_month(days, 2023, date(2023, 10, 20)) == 10  # today's month has some
    assert default_month(days, 2023, date(2023, 7, 3)) == 10  # the next one that has
    assert default_month(days, 2023, date(2023, 11, 3)) == 6  # none later: the first
    assert default_month(days, 2023, date(2026, 11, 23)) == 6  # a past campaign
    assert default_month([None], 2026, date(2026, 11, 23)) == 11
    assert default_month([], 2027, date(2026, 11, 23)) == 1


def test_page_count():
    assert [page_count(n, 24) for n in (0, 1, 24, 25, 48, 49)] == [1, 1, 1, 2, 2, 3]


# ------------------------------------------------------------------ photo wall read
@pytest.fixture
def photos_campaign(demo: Repository) -> int:
    return demo.catalogue.current_campaign(actor_for(demo, "office")).id


def test_campaign_photos_are_paged_and_only_photos(demo: Repository, photos_campaign):
    office = actor_for(demo, "office")
    everything, total = demo.activities.list_campaign_photos(office, photos_campaign, limit=1000)
    assert total == len(everything) > 0
    assert {p.kind for p in everything} <= {"photo", "marking"}
    assert {p.fmt for p in everything} <= {"jpeg", "png"}
    assert all(p.thumbnail_name for p in everything)
    first, total1 = demo.activities.list_campaign_photos(office, photos_campaign, limit=5)
    second, total2 = demo.activities.list_campaign_photos(
        office, photos_campaign, limit=5, offset=5
    )
    assert total1 == total2 == total
    assert [p.id for p in first + second] == [p.id for p in everything[:10]]
    beyond, total3 = demo.activities.list_campaign_photos(office, photos_campaign, offset=total)
    assert beyond == [] and total3 == total
    leader = actor_for(demo, "leader")
    assert demo.activities.list_campaign_photos(leader, photos_campaign, limit=1000)[1] == total


def test_campaign_photos_of_a_unit_user_are_its_own(demo: Repository, photos_campaign):
    office, unit1 = actor_for(demo, "office"), actor_for(demo, "unit1")
    everything, _ = demo.activities.list_campaign_photos(office, photos_campaign, limit=1000)
    own, total = demo.activities.list_campaign_photos(unit1, photos_campaign, limit=1000)
    assert own and total == len(own)
    assert {p.unit_id for p in own} == {unit1.unit_id}
    assert len(own) < len(everything)
    # a unit cannot widen its scope with another unit's filter
    others = {p.unit_id for p in everything} - {unit1.unit_id}
    assert demo.activities.list_campaign_photos(
        unit1, photos_campaign, unit_ids=sorted(others)
    ) == ([], 0)


def test_campaign_photos_follow_the_board_filters(demo: Repository, photos_campaign):
    office = actor_for(demo, "office")
    acts = {a.id: a for a in demo.activities.list_lifecycle(office, photos_campaign)}
    everything, _ = demo.activities.list_campaign_photos(office, photos_campaign, limit=1000)
    for filters in (
        Filters(months=(10,)),
        Filters(forms=("现场观摩",)),
        Filters(unit_ids=(acts[everything[0].owner_id].unit_id,)),
        Filters(forms=("现场观摩",), months=(11,)),
    ):
        got, total = demo.activities.list_campaign_photos(
            office,
            photos_campaign,
            unit_ids=filters.unit_ids,
            forms=filters.forms,
            months=filters.months,
            limit=1000,
        )
        wanted = {a.id for a in filter_activities(acts.values(), filters)}
        assert {p.id for p in got} == {p.id for p in everything if p.owner_id in wanted}
        assert total == len(got)


def test_a_card_without_a_day_is_not_on_the_calendar():
    month = month_matrix(2023, 10, WorkdayCalendar(), [replace(card(1), day=None)])
    assert month.count == 0
