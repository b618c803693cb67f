"""Compliance engine (合规考核): working-day columns, deadlines and lights on crafted
timelines across holidays and make-up workdays for both presets, reproducible as-of
reports, scores, ranks, adjustments, weights, 催办 and scoping."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from PIL import Image

from tests.conftest import FakeClock, actor_for
from themeday.core import compliance
from themeday.core.config import TZ
from themeday.core.declaration_rules import late_workdays
from themeday.core.domain import (
    DAXIANG_2023,
    SYSTEM_ACTOR,
    SYSTEM_AUDITOR,
    XIANGJIANG_2023,
    Actor,
    ComplianceWeights,
    DeclarationStatus,
    NotFound,
    PermissionDenied,
    Role,
    ValidationError,
)
from themeday.core.workdays import WorkdayCalendar, WorkdayIndex, WorkdayOverride
from themeday.dev import bench
from themeday.formats.uploads import FileStore
from themeday.repository import Repository
from themeday.services import activities
from themeday.services.activities import Upload
from themeday.storage import db

OFFICE = SYSTEM_ACTOR
LEADER = Actor(user_id=900, username="leader-test", role=Role.LEADER)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def d(text: str) -> date:
    return date.fromisoformat(text)


def jpeg(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), colour).save(out, "JPEG")
    return out.getvalue()


# ===================================================================== WorkdayIndex
CAL = WorkdayCalendar()
OVERRIDES_2027 = [WorkdayOverride(date(2027, 10, n), False, "国庆节") for n in range(1, 8)] + [
    WorkdayOverride(date(2027, 9, 26), True, "调休上班")
]


def span(first: str, last: str) -> pd.Series:
    start, end = d(first), d(last)
    return pd.Series([start + timedelta(days=i) for i in range((end - start).days + 1)])


@pytest.mark.parametrize("n", [1, 2, 5, 10])
def test_index_due_dates_agree_with_the_calendar_day_by_day(n):
    # 2023 春节, 劳动节 (班 04-23 Sun, 05-06 Sat), 中秋国庆 (班 10-07, 10-08), 2024 春节
    index = WorkdayIndex(CAL, date(2022, 10, 1), date(2024, 6, 30))
    days = span("2022-12-01", "2024-03-31")
    plan, report = index.plan_due(days, n), index.report_due(days, n)
    for i, day in enumerate(days):
        expected_plan, expected_report = CAL.plan_due(day, n), CAL.report_due(day, n)
        assert plan["day"][i].date() == expected_plan.day, (day, n)
        assert report["day"][i].date() == expected_report.day, (day, n)
        assert plan["verified"][i] and report["verified"][i]


def test_index_worked_examples_from_the_design():
    index = WorkdayIndex(CAL, date(2023, 1, 1), date(2024, 12, 31))
    plan = index.plan_due(pd.Series([d("2023-10-09"), d("2023-10-16")]), 5)
    report = index.report_due(pd.Series([d("2023-09-28"), d("2024-04-30")]), 5)
    assert list(plan["day"].dt.date) == [d("2023-09-26"), d("2023-10-09")]
    assert list(report["day"].dt.date) == [d("2023-10-11"), d("2024-05-10")]
    assert list(index.is_workday(pd.Series([d("2023-10-07"), d("2023-10-02")]))) == [True, False]


def test_index_counts_and_lateness_agree_with_the_calendar():
    rng = random.Random(5)
    index = WorkdayIndex(CAL, date(2022, 12, 1), date(2024, 12, 31))
    base = date(2023, 1, 1)
    starts = pd.Series([base + timedelta(days=rng.randrange(640)) for _ in range(1500)])
    ends = starts.map(lambda day: day + timedelta(days=rng.randrange(-40, 40)))
    counted = index.workdays_between(starts, ends)
    times = starts.map(
        lambda day: (
            datetime.combine(day, datetime.min.time(), tzinfo=TZ)
            + timedelta(minutes=rng.randrange(-5 * 1440, 40 * 1440))
        )
    )
    late = index.late_workdays(starts, times)
    for i in range(1500):
        assert counted[i] == CAL.workdays_between(starts[i], ends[i])
        assert late[i] == late_workdays(starts[i], times[i], CAL)
    # the last minute of the due day is on time, the first of the next day is late
    edge = pd.Series([at(2023, 9, 26, 23, 59), at(2023, 9, 27, 0, 0), at(2023, 10, 7, 9)])
    assert list(index.late_workdays(pd.Series([d("2023-09-26")] * 3), edge)) == [0, 1, 3]


def test_index_with_an_override_year_and_an_unknown_year():
    entered = WorkdayCalendar(OVERRIDES_2027)
    index = WorkdayIndex(entered, date(2027, 1, 1), date(2028, 3, 31))
    days = span("2027-01-15", "2028-02-15")
    plan, report = index.plan_due(days, 5), index.report_due(days, 5)
    for i, day in enumerate(days):
        for got, want in ((plan, entered.plan_due(day, 5)), (report, entered.report_due(day, 5))):
            assert got["day"][i].date() == want.day
            assert bool(got["verified"][i]) == want.verified, day
    assert index.plan_due(pd.Series([d("2027-10-11")]), 5)["day"][0].date() == d("2027-09-27")
    # 2028 is neither in the package nor entered: weekends only, and said so
    late_dec = index.report_due(pd.Series([d("2027-12-28")]), 5)
    assert not late_dec["verified"][0]
    assert index.unverified_years_between(pd.Series([d("2027-12-28")]), late_dec["day"]) == (2028,)
    assert index.unverified_years_between(pd.Series([d("2027-03-01")]), d("2027-04-01")) == ()


def test_index_missing_values_and_range():
    index = WorkdayIndex(CAL, date(2023, 1, 1), date(2023, 12, 31))
    due = index.plan_due(pd.Series([None, d("2023-10-09")], index=[7, 9]), 5)
    assert list(due.index) == [7, 9] and pd.isna(due["day"][7]) and due["verified"][7]
    between = index.workdays_between(pd.Series([None, d("2023-10-09")]), d("2023-10-13"))
    assert pd.isna(between[0]) and between[1] == 4
    with pytest.raises(ValueError):
        index.report_due(pd.Series([d("2023-12-29")]), 5)
    with pytest.raises(ValueError):
        index.is_workday(pd.Series([d("2024-01-02")]))


# ===================================================================== crafted timelines
@dataclass
class World:
    """A campaign with units and a dated list of steps, run in order up to a moment."""

    repo: Repository
    campaign_id: int
    units: dict[str, int]
    store: FileStore
    steps: list[tuple[datetime, Callable[[], None]]] = field(default_factory=list)
    done: int = 0
    acts: dict[str, int] = field(default_factory=dict)

    @property
    def campaign(self):
        return self.repo.catalogue.get_campaign(OFFICE, self.campaign_id)

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        self.steps.append((when, action))

    def run_until(self, moment: datetime | None = None) -> None:
        while self.done < len(self.steps) and (
            moment is None or self.steps[self.done][0] <= moment
        ):
            when, action = self.steps[self.done]
            self.repo.clock.current = when
            action()
            self.done += 1

    def result(self, as_of: date, **kw) -> compliance.ComplianceResult:
        facts = self.repo.compliance.compliance_facts(OFFICE, self.campaign_id)
        calendar = WorkdayCalendar(self.repo.catalogue.list_workday_overrides(OFFICE))
        return compliance.compute(facts, self.campaign.rules, calendar, as_of, **kw)

    def activity(self, result, key: str) -> pd.Series:
        rows = result.activities[result.activities["activity_id"] == self.acts[key]]
        assert len(rows) == 1, key
        return rows.iloc[0]

    def unit(self, result, key: str) -> pd.Series:
        rows = result.units[result.units["unit_id"] == self.units[key]]
        assert len(rows) == 1, key
        return rows.iloc[0]

    # ---- steps through the same calls the pages make
    def declare(self, unit: str, themes: list[tuple[str, int, str]]) -> None:
        self.repo.declarations.create_declaration(
            OFFICE,
            self.campaign_id,
            self.units[unit],
            contact_person="刘晓燕",
            contact_phone="0739-5321101",
            status=DeclarationStatus.SUBMITTED,
            submitted_at=self.repo.clock(),
            late_workdays=0,
            themes=[
                {"title": t, "planned_month": m, "form": f, "contact": "刘晓燕 0739-5321101"}
                for t, m, f in themes
            ],
        )
        for activity in self.repo.declarations.list_activities(
            OFFICE, self.campaign_id, self.units[unit]
        ):
            self.acts[activity.title] = activity.id

    def approve(self, unit: str) -> None:
        declaration = self.repo.declarations.declaration_for(
            OFFICE, self.campaign_id, self.units[unit]
        )
        self.repo.declarations.review_declaration(OFFICE, declaration.id, None, approve=True)

    def schedule(self, key: str, day: date, reason: str = "") -> None:
        activities.schedule(
            self.repo,
            OFFICE,
            self.campaign,
            self.acts[key],
            None,
            activity_date=day,
            place="便民服务中心",
            invitees=["人大代表", "市民群众"],
            off_month_reason=reason,
        )

    def plan(self, key: str) -> None:
        activities.file_plan(
            self.repo, OFFICE, self.acts[key], None, plan_text="方案", store=self.store
        )

    def held(self, key: str, day: date, marking: bool = True) -> None:
        activities.record_held(
            self.repo,
            OFFICE,
            self.campaign,
            self.acts[key],
            None,
            held_date=day,
            attendance={"市民群众": 30},
            marking_photos=[Upload(jpeg(), "logo.jpg")] if marking else [],
            store=self.store,
        )

    def report(self, key: str) -> None:
        activities.file_report(
            self.repo,
            OFFICE,
            self.acts[key],
            None,
            report_text="情况报告",
            photos=[Upload(jpeg("blue"), "p.jpg")],
            store=self.store,
        )


def _world(repo: Repository, tmp_path, preset) -> World:
    repo.clock.current = at(preset.year, 3, 1, 9)
    campaign_id = repo.catalogue.create_campaign(
        OFFICE,
        year=preset.year,
        region=preset.region,
        title=preset.title,
        office_name=preset.office_name,
        rules=preset.rules,
    )
    names = {"A": "城北街道办事处", "B": "城南街道办事处", "C": "区教育局", "D": "罗市镇人民政府"}
    units = {
        k: repo.catalogue.create_unit(OFFICE, v, "街道" if "街道" in v else "部门")
        for k, v in names.items()
    }
    return World(repo, campaign_id, units, FileStore(tmp_path / "uploads"))


A1, A2, A3, A4 = "防汛应急政策发布", "养老服务实地调研", "老旧小区改造座谈", "营商环境政策发布"


@pytest.fixture
def daxiang(repo, tmp_path) -> World:
    return _daxiang(repo, tmp_path)


@pytest.fixture(scope="module")
def daxiang_done(tmp_path_factory) -> World:
    """The 大祥区 world with every step done, shared by the tests that only read it."""
    path = tmp_path_factory.mktemp("daxiang")
    con = db.connect(path / "daxiang.duckdb")
    world = _daxiang(Repository(db.cursor(con), FakeClock()), path)
    world.run_until()
    yield world
    con.close()


def _daxiang(repo: Repository, tmp_path) -> World:
    """大祥区 2023: deadline Fri 14 April; plans 5 working days before, reports 5 after.

    A declares on time with four themes; B on Monday 17 April (1 working day late) with a
    November theme (outside 4–10月); C on Sunday 23 April, a make-up workday (6 late);
    D never. A's activities cross the 2023 中秋·国庆 holiday (休 09-29…10-06, 班 10-07/08).
    """
    w = _world(repo, tmp_path, DAXIANG_2023)
    w.at(
        at(2023, 4, 14, 16),
        lambda: w.declare(
            "A",
            [(A1, 10, "政策发布"), (A2, 9, "实地调研"), (A3, 10, "座谈交流"), (A4, 10, "政策发布")],
        ),
    )
    w.at(at(2023, 4, 17, 9), lambda: w.declare("B", [("就业政策解读", 11, "政策发布")]))
    w.at(at(2023, 4, 20, 10), lambda: w.approve("A"))
    w.at(at(2023, 4, 21, 10), lambda: w.approve("B"))
    w.at(at(2023, 4, 23, 10), lambda: w.declare("C", [("招生政策解读", 6, "政策发布")]))
    w.at(at(2023, 4, 25, 10), lambda: w.approve("C"))
    w.at(at(2023, 9, 1, 9), lambda: w.schedule(A1, d("2023-10-09")))  # plan due 09-26
    w.at(at(2023, 9, 1, 9, 5), lambda: w.schedule(A2, d("2023-09-28")))  # plan due 09-21
    w.at(at(2023, 9, 1, 9, 10), lambda: w.schedule(A3, d("2023-10-16")))  # plan due 10-09
    w.at(at(2023, 9, 1, 9, 15), lambda: w.schedule(A4, d("2023-10-20")))  # plan due 10-13
    w.at(at(2023, 9, 25, 10), lambda: w.plan(A2))  # 2 working days late (09-22, 09-25)
    w.at(at(2023, 9, 26, 23, 30), lambda: w.plan(A1))  # the last half hour: on time
    w.at(at(2023, 9, 28, 17), lambda: w.held(A2, d("2023-09-28")))  # report due 10-11
    w.at(at(2023, 10, 9, 18), lambda: w.held(A1, d("2023-10-09")))  # report due 10-16
    w.at(
        at(2023, 10, 10, 12),
        lambda: activities.cancel(w.repo, OFFICE, w.acts[A4], None, "场地改造"),
    )
    # 改期 after the plan fell due (10-09) unfiled: 10-09 stays its due date (issue 13)
    w.at(at(2023, 10, 11, 9), lambda: w.schedule(A3, d("2023-10-23")))
    w.at(at(2023, 10, 11, 15), lambda: w.report(A2))  # on the due day
    w.at(at(2023, 10, 12, 10), lambda: w.plan(A3))  # 3 working days late (10-10…10-12)
    w.at(
        at(2023, 10, 13, 10),
        lambda: activities.publish(w.repo, OFFICE, w.acts[A2], None, "https://example.gov.cn/a"),
    )
    w.at(
        at(2023, 10, 13, 11),
        lambda: w.repo.activities.set_typical_case(OFFICE, w.acts[A2], None, True),
    )
    w.at(at(2023, 10, 17, 9), lambda: w.report(A1))  # 1 working day late
    return w


def test_declaration_on_time_late_and_missing_across_a_makeup_sunday(daxiang_done):
    result = daxiang_done.result(d("2023-10-31"))
    a, b, c, dd = (daxiang_done.unit(result, k) for k in "ABCD")
    assert (a["declaration_status"], a["declaration_late_workdays"]) == ("on_time", 0)
    assert (b["declaration_status"], b["declaration_late_workdays"]) == ("late", 1)
    assert (c["declaration_status"], c["declaration_late_workdays"]) == ("late", 6)
    assert dd["declaration_status"] == "missing" and dd["declaration_light"] == "red"
    assert dd["declaration_state"] == "none" and pd.isna(dd["n_themes"])
    assert a["declaration_state"] == "approved" and a["declaration_light"] == ""
    # rule checks of 大祥区: at least 1 theme, 4–10月, no required form
    assert (a["n_themes"], a["themes_count_ok"], a["months_ok"]) == (4, True, True)
    assert not pd.isna(b["months_ok"]) and not b["months_ok"]
    assert b["rule_checks_failed"] == 1 and a["rule_checks_failed"] == 0
    assert pd.isna(a["required_form_ok"])


@pytest.mark.parametrize(
    ("as_of", "light", "left", "late"),
    [
        ("2023-04-11", "green", 3, None),
        ("2023-04-12", "yellow", 2, None),
        ("2023-04-14", "yellow", 0, None),
        ("2023-04-15", "red", None, 1),  # Saturday: counts as Monday
        ("2023-04-24", "red", None, 7),  # 17–21, Sun 23 (班), 24
    ],
)
def test_declaration_light_of_a_unit_that_has_not_declared(daxiang_done, as_of, light, left, late):
    unit = daxiang_done.unit(daxiang_done.result(d(as_of)), "D")
    assert unit["declaration_light"] == light
    assert (
        None if pd.isna(unit["declaration_workdays_left"]) else unit["declaration_workdays_left"]
    ) == left
    assert (
        None if pd.isna(unit["declaration_late_workdays"]) else unit["declaration_late_workdays"]
    ) == late


def test_design_examples_and_statuses_at_the_end(daxiang_done):
    result = daxiang_done.result(d("2023-10-31"))
    a1, a2 = daxiang_done.activity(result, A1), daxiang_done.activity(result, A2)
    assert a1["plan_due"].date() == d("2023-09-26") and a1["plan_status"] == "on_time"
    assert a1["report_due"].date() == d("2023-10-16")
    assert (a1["report_status"], a1["report_late_workdays"]) == ("late", 1)
    assert a2["plan_due"].date() == d("2023-09-21")
    assert (a2["plan_status"], a2["plan_late_workdays"]) == ("late", 2)
    assert a2["report_due"].date() == d("2023-10-11") and a2["report_status"] == "on_time"
    assert a2["published"] and a2["typical_case"] and a2["status"] == "published"
    assert a1["marking_photos"] == 1 and a1["marking_evidence"]
    assert a1["held_in_planned_month"] and a2["held_in_planned_month"]
    a3, a4 = daxiang_done.activity(result, A3), daxiang_done.activity(result, A4)
    # moved on 10-11 to 10-23 after its plan was due (10-09) and not filed: still late
    assert a3["activity_date"].date() == d("2023-10-23") and a3["plan_due"].date() == d(
        "2023-10-09"
    )
    assert (a3["plan_status"], a3["plan_late_workdays"]) == ("late", 3)
    # 10-23 + 5 working days = 10-30; not held, nothing filed on 31 October
    assert (a3["report_status"], a3["report_light"], a3["report_late_workdays"]) == (
        "missing",
        "red",
        1,
    )
    assert a4["cancelled"] and a4["status"] == "cancelled"
    assert (a4["plan_status"], a4["plan_light"]) == ("not_applicable", "grey")
    assert result.warning == ""


@pytest.mark.parametrize(
    ("as_of", "key", "kind", "status", "light", "left", "late"),
    [
        # 28 Sep: 10-07, 10-08 (班) and 10-09 are left before A3's plan is due
        ("2023-09-28", A3, "plan", "open", "green", 3, None),
        # Sunday 8 Oct is a make-up workday: one working day left
        ("2023-10-08", A3, "plan", "open", "yellow", 1, None),
        ("2023-10-09", A3, "plan", "open", "yellow", 0, None),
        ("2023-10-10", A3, "plan", "missing", "red", None, 1),
        # A4's plan (due 10-13) is open until the activity is cancelled on 10 Oct
        ("2023-10-09", A4, "plan", "open", "green", 4, None),
        ("2023-10-10", A4, "plan", "not_applicable", "grey", None, None),
        # A1's report is not relevant before the activity, then counts down to 10-16
        ("2023-10-08", A1, "report", "open", "grey", 6, None),
        ("2023-10-10", A1, "report", "open", "green", 4, None),
        ("2023-10-12", A1, "report", "open", "yellow", 2, None),
        ("2023-10-16", A1, "report", "open", "yellow", 0, None),
        ("2023-10-17", A1, "report", "late", "", None, 1),
        # A2 held 28 Sep, across the holiday: due 10-11
        ("2023-09-28", A2, "report", "open", "green", 5, None),
        ("2023-10-10", A2, "report", "open", "yellow", 1, None),
        ("2023-10-11", A2, "report", "on_time", "", None, 0),
        ("2023-09-01", A1, "plan", "open", "green", 17, None),
    ],
)
def test_traffic_lights_on_given_days(daxiang_done, as_of, key, kind, status, light, left, late):
    row = daxiang_done.activity(daxiang_done.result(d(as_of)), key)
    assert row[f"{kind}_status"] == status
    assert row[f"{kind}_light"] == light
    got_left, got_late = row[f"{kind}_workdays_left"], row[f"{kind}_late_workdays"]
    assert (None if pd.isna(got_left) else got_left) == left
    assert (None if pd.isna(got_late) else got_late) == late


def test_yellow_window_is_configurable(daxiang_done):
    wide = daxiang_done.result(d("2023-09-28"), yellow_workdays=3)
    assert daxiang_done.activity(wide, A3)["plan_light"] == "yellow"
    none = daxiang_done.result(d("2023-10-09"), yellow_workdays=0)
    assert daxiang_done.activity(none, A3)["plan_light"] == "yellow"  # due today
    assert (
        daxiang_done.activity(daxiang_done.result(d("2023-10-08"), yellow_workdays=0), A3)[
            "plan_light"
        ]
        == "green"
    )


def test_score_and_dense_rank(daxiang):
    daxiang.run_until()
    result = daxiang.result(d("2023-10-31"))
    scores = dict(zip(result.units["unit_name"], result.units["score"], strict=True))
    # A: 10 申报 + A1 (方案 2, 总结逾期 1, 标识 1, 按月 1) + A2 (方案逾期 1, 总结 2, 标识 1,
    #    按月 1, 展示 2, 典型 5) + A3 (方案逾期 1: moved after it was due, 总结未报 −2);
    #    B: 10 − 1 − 2 (11月); C: 10 − 5
    assert scores == {
        "城北街道办事处": 26.0,
        "城南街道办事处": 7.0,
        "区教育局": 5.0,
        "罗市镇人民政府": 0.0,
    }
    assert list(result.units["rank"]) == [1, 2, 3, 4]
    # +2 for 区教育局 ties it with 城南街道办事处: both 2nd, the next is 3rd
    daxiang.repo.clock.current = at(2023, 10, 31, 9)
    daxiang.repo.compliance.add_adjustment(
        OFFICE, daxiang.campaign_id, daxiang.units["C"], 2, "专项工作突出"
    )
    tied = daxiang.result(d("2023-10-31"))
    assert tied.units["unit_name"].tolist() == [
        "城北街道办事处",
        "区教育局",
        "城南街道办事处",
        "罗市镇人民政府",
    ]
    assert list(tied.units["rank"]) == [1, 2, 2, 3]
    c = daxiang.unit(tied, "C")
    assert (c["score_base"], c["adjustment_total"], c["score"]) == (5.0, 2.0, 7.0)
    assert tied.adjustments["reason"].tolist() == ["专项工作突出"]


def test_counts_per_unit(daxiang_done):
    a = daxiang_done.unit(daxiang_done.result(d("2023-10-13")), "A")
    assert (a["n_activities"], a["n_cancelled"], a["n_scheduled"], a["n_held"]) == (4, 1, 3, 2)
    assert (a["plans_on_time"], a["plans_late"], a["plans_missing"], a["plans_open"]) == (
        1,
        2,
        0,
        0,
    )
    assert (a["reports_on_time"], a["reports_open"], a["n_published"]) == (1, 2, 1)
    assert (a["marking_present"], a["held_in_month"], a["typical_cases"]) == (2, 2, 1)
    assert (a["red_items"], a["yellow_items"]) == (0, 1)  # A1's report is due 10-16


def test_a_past_date_reproduces_a_past_report(daxiang):
    as_of = d("2023-10-09")
    daxiang.run_until(at(2023, 10, 9, 23, 59))
    before = daxiang.result(as_of)
    facts_before = daxiang.repo.compliance.compliance_facts(OFFICE, daxiang.campaign_id)

    daxiang.run_until()  # cancel, 改期, plans, reports, publish, 典型经验 after the date
    repo, c = daxiang.repo, daxiang.campaign_id
    repo.clock.current = at(2023, 10, 20, 9)
    repo.compliance.add_adjustment(OFFICE, c, daxiang.units["A"], -3, "材料不全")
    repo.compliance.set_weights(OFFICE, c, {"plan_on_time": 9.0, "yellow_workdays": 5})
    repo.declarations.amend_theme(
        OFFICE, daxiang.acts["招生政策解读"], planned_month=7, form="座谈交流", reason="调整"
    )
    repo.compliance.record_chase(
        OFFICE, c, daxiang.units["A"], f"report:{daxiang.acts[A1]}", "电话催报"
    )
    repo.clock.current = at(2023, 10, 21, 9)
    repo.activities.unpublish_activity(OFFICE, daxiang.acts[A2], None)

    after = daxiang.result(as_of)
    pd.testing.assert_frame_equal(before.units, after.units)
    pd.testing.assert_frame_equal(before.activities, after.activities)
    pd.testing.assert_frame_equal(before.adjustments, after.adjustments)
    assert before.weights == after.weights == ComplianceWeights()
    # and the later date does see the changes
    now = daxiang.result(d("2023-10-31"))
    assert now.weights.plan_on_time == 9.0 and now.weights.yellow_workdays == 5
    assert not daxiang.activity(now, A2)["published"]
    assert daxiang.activity(now, A4)["cancelled"]
    assert daxiang.unit(now, "A")["adjustment_total"] == -3.0
    assert daxiang.activity(now, A3)["activity_date"].date() == d("2023-10-23")
    assert daxiang.activity(before, A3)["activity_date"].date() == d("2023-10-16")
    # the facts themselves hold the later rows; only the as-of date hides them
    assert len(repo.compliance.compliance_facts(OFFICE, c).activity_events) > len(
        facts_before.activity_events
    )


def test_agrees_with_the_per_activity_deadlines(daxiang_done):
    as_of, now = d("2023-10-31"), at(2023, 10, 31, 12)
    result = daxiang_done.result(as_of)
    rules, cal = daxiang_done.campaign.rules, WorkdayCalendar()
    _assert_agreement(
        result,
        daxiang_done.repo.activities.list_lifecycle(OFFICE, daxiang_done.campaign_id),
        rules,
        cal,
        now,
    )


def _assert_agreement(result, lifecycle, rules, cal, now) -> int:
    rows = result.activities.set_index("activity_id")
    checked = 0
    for activity in lifecycle:
        if activity.cancelled:
            continue
        row = rows.loc[activity.id]
        for kind, deadline in (
            ("plan", activities.plan_deadline(activity, rules, cal, now)),
            ("report", activities.report_deadline(activity, rules, cal, now)),
        ):
            if deadline is None:
                assert pd.isna(row[f"{kind}_due"]) or rules.report_days_after is None
                continue
            checked += 1
            assert row[f"{kind}_due"].date() == deadline.due, (activity.id, kind)
            assert bool(row[f"{kind}_due_verified"]) == deadline.verified
            status = row[f"{kind}_status"]
            if deadline.filed:
                assert status in ("on_time", "late")
                assert row[f"{kind}_late_workdays"] == deadline.late_workdays
            elif deadline.overdue:
                assert status == "missing"
                assert row[f"{kind}_late_workdays"] == deadline.late_workdays
            else:
                assert status == "open"
                assert row[f"{kind}_workdays_left"] == deadline.workdays_left
    return checked


def test_agrees_with_the_per_activity_deadlines_on_generated_data(tmp_path):
    con = db.connect(tmp_path / "gen.duckdb")
    try:
        campaign_id, _ = bench.generate(con, 60, 300, seed=11)
        repo = Repository(db.cursor(con))
        campaign = repo.catalogue.get_campaign(OFFICE, campaign_id)
        lifecycle = repo.activities.list_lifecycle(OFFICE, campaign_id)
        facts = repo.compliance.compliance_facts(OFFICE, campaign_id)
        for as_of in (d("2024-01-31"), d("2024-03-01")):
            result = compliance.compute(facts, campaign.rules, CAL, as_of)
            now = datetime.combine(as_of, datetime.min.time(), tzinfo=TZ) + timedelta(hours=12)
            assert _assert_agreement(result, lifecycle, campaign.rules, CAL, now) > 300
    finally:
        con.close()


def _assert_table_agrees(repo, campaign_id, rules, cal, now) -> int:
    """``activities.deadline_table`` on ``lifecycle_rows`` says what the per-activity
    deadlines say, for every activity; returns how many deadlines were compared."""
    lifecycle = repo.activities.list_lifecycle(OFFICE, campaign_id)
    rows = repo.activities.lifecycle_rows(OFFICE, campaign_id)
    assert list(rows["id"]) == [a.id for a in lifecycle]
    table = activities.deadline_table(rows, rules, cal, now)
    pd.testing.assert_frame_equal(
        table, activities.deadline_table(activities.rows_of(lifecycle), rules, cal, now)
    )
    compared = 0
    for activity in lifecycle:
        expected = (
            activities.plan_deadline(activity, rules, cal, now),
            activities.report_deadline(activity, rules, cal, now),
        )
        assert activities.deadlines_at(table, activity.id, rules, cal) == expected, activity.id
        overdue = not activity.cancelled and any(x is not None and x.overdue for x in expected)
        assert bool(table.loc[activity.id, "overdue"]) == overdue
        compared += sum(x is not None for x in expected)
    return compared


def test_the_deadline_table_agrees_with_the_per_activity_deadlines(tmp_path):
    con = db.connect(tmp_path / "gen.duckdb")
    try:
        campaign_id, _ = bench.generate(con, 60, 300, seed=5)
        repo = Repository(db.cursor(con))
        rules = repo.catalogue.get_campaign(OFFICE, campaign_id).rules
        overrides = [
            WorkdayOverride(d("2024-01-02"), False),
            WorkdayOverride(d("2023-10-14"), True),
        ]
        for cal in (CAL, WorkdayCalendar(overrides)):
            for now in (at(2023, 6, 1, 9), at(2023, 10, 9, 23, 59), at(2026, 12, 3, 8)):
                assert _assert_table_agrees(repo, campaign_id, rules, cal, now) > 300
    finally:
        con.close()


def test_the_deadline_table_keeps_a_due_date_that_passed_before_a_move(december):
    december.run_until()
    rules = december.campaign.rules
    for now in (at(2025, 12, 4, 12), at(2025, 12, 31, 12), at(2027, 3, 1, 12)):
        assert _assert_table_agrees(december.repo, december.campaign_id, rules, CAL, now) == 4


# ===================================================================== 湘江新区 (rules off)
@pytest.fixture
def xiangjiang(repo, tmp_path) -> World:
    """湘江新区 2023: deadline Fri 31 March, exactly 2 themes, one 实地调研 or 现场观摩,
    from April; no plan or report deadlines."""
    w = _world(repo, tmp_path, XIANGJIANG_2023)
    w.at(
        at(2023, 3, 31, 10),
        lambda: w.declare("A", [("园区实地调研", 5, "实地调研"), ("企业座谈", 6, "座谈交流")]),
    )
    w.at(at(2023, 4, 3, 9), lambda: w.declare("B", [("政策座谈", 3, "座谈交流")]))
    w.at(at(2023, 4, 4, 10), lambda: w.approve("A"))
    w.at(at(2023, 4, 4, 11), lambda: w.approve("B"))
    w.at(at(2023, 5, 2, 9), lambda: w.schedule("园区实地调研", d("2023-05-10")))
    w.at(at(2023, 5, 10, 18), lambda: w.held("园区实地调研", d("2023-05-10")))
    w.at(at(2023, 5, 30, 10), lambda: w.report("园区实地调研"))
    w.at(at(2023, 5, 31, 10), lambda: w.schedule("企业座谈", d("2023-07-05"), "与防汛工作冲突"))
    return w


def test_xiangjiang_rules_off_are_not_applicable_and_grey(xiangjiang):
    xiangjiang.run_until()
    result = xiangjiang.result(d("2023-06-01"))
    field_trip = xiangjiang.activity(result, "园区实地调研")
    talk = xiangjiang.activity(result, "企业座谈")
    for row in (field_trip, talk):
        assert (row["plan_status"], row["plan_light"]) == ("not_applicable", "grey")
        assert (row["report_status"], row["report_light"]) == ("not_applicable", "grey")
        assert pd.isna(row["plan_due"]) and pd.isna(row["report_due"])
    assert field_trip["status"] == "reported" and field_trip["marking_evidence"]
    assert talk["off_month"] and talk["status"] == "scheduled"
    a, b = xiangjiang.unit(result, "A"), xiangjiang.unit(result, "B")
    assert (a["declaration_status"], a["rule_checks_failed"]) == ("on_time", 0)
    assert bool(a["required_form_ok"]) and bool(a["themes_count_ok"])
    # B: Monday 3 April is 1 working day late; 1 theme of 2, no 实地调研/现场观摩, March
    assert (b["declaration_status"], b["declaration_late_workdays"]) == ("late", 1)
    assert [bool(b[c]) for c in ("themes_count_ok", "required_form_ok", "months_ok")] == [
        False,
        False,
        False,
    ]
    assert b["rule_checks_failed"] == 3
    assert (a["n_reported"], a["plans_on_time"], a["reports_on_time"]) == (1, 0, 0)
    assert a["score"] == 12.0  # 10 申报 + 标识 1 + 按月 1
    assert b["score"] == 3.0  # 10 − 1 − 3 × 2
    assert set(compliance.open_items(result)["item_kind"]) == {"declaration"}


def test_xiangjiang_declaration_lights_before_the_deadline(xiangjiang):
    xiangjiang.run_until()
    result = xiangjiang.result(d("2023-03-29"))
    a, dd = xiangjiang.unit(result, "A"), xiangjiang.unit(result, "D")
    assert a["declaration_status"] == "open" and a["declaration_light"] == "yellow"
    assert dd["declaration_workdays_left"] == 2
    assert result.activities.empty  # nothing approved yet
    assert a["score"] == 0.0 and list(result.units["rank"]) == [1, 1, 1, 1]


# ===================================================================== unknown years
def test_a_year_without_a_holiday_calendar_is_flagged(repo, tmp_path):
    rules = DAXIANG_2023.rules.with_changes(declaration_deadline=date(2028, 4, 14))
    preset = replace(DAXIANG_2023, year=2028, rules=rules)
    w = _world(repo, tmp_path, preset)
    w.at(at(2028, 4, 10, 10), lambda: w.declare("A", [("国庆前政策发布", 10, "政策发布")]))
    w.at(at(2028, 4, 11, 10), lambda: w.approve("A"))
    w.at(at(2028, 9, 1, 10), lambda: w.schedule("国庆前政策发布", d("2028-10-09")))
    w.run_until()
    result = w.result(d("2028-09-15"))
    row = w.activity(result, "国庆前政策发布")
    assert not row["plan_due_verified"] and row["plan_due"].date() == d("2028-10-02")
    assert "2028年节假日安排未录入" in result.warning
    holidays = [WorkdayOverride(date(2028, 10, n), False, "国庆节") for n in range(1, 7)]
    repo.catalogue.save_workday_overrides(OFFICE, holidays)
    entered = w.result(d("2028-09-15"))
    row = w.activity(entered, "国庆前政策发布")
    assert row["plan_due_verified"] and entered.warning == ""
    assert row["plan_due"].date() == WorkdayCalendar(holidays).plan_due(d("2028-10-09"), 5).day


# ===================================================================== adjustments and scope
def test_adjustments_need_a_reason_are_audited_and_office_only(daxiang):
    daxiang.run_until()
    repo, c, unit_b = daxiang.repo, daxiang.campaign_id, daxiang.units["B"]
    with pytest.raises(ValidationError):
        repo.compliance.add_adjustment(OFFICE, c, unit_b, 2, "  ")
    with pytest.raises(ValidationError):
        repo.compliance.add_adjustment(OFFICE, c, unit_b, 0, "零分")
    with pytest.raises(NotFound):
        repo.compliance.add_adjustment(OFFICE, c, 9999, 1, "不存在的单位")
    unit_actor = Actor(user_id=901, username="unit-b", role=Role.UNIT, unit_id=unit_b)
    for actor in (unit_actor, LEADER):
        with pytest.raises(PermissionDenied):
            repo.compliance.add_adjustment(actor, c, unit_b, 5, "自己加分")
    assert repo.compliance.list_adjustments(OFFICE, c) == []

    repo.clock.current = at(2023, 11, 1, 9)
    adjustment_id = repo.compliance.add_adjustment(OFFICE, c, unit_b, 4.5, "获评优秀案例")
    entry = repo.oversight.list_audit(SYSTEM_AUDITOR, limit=1)[0]
    assert (entry.action, entry.object_type, entry.object_id) == (
        "adjust_score",
        "score_adjustment",
        str(adjustment_id),
    )
    assert "获评优秀案例" in entry.detail and entry.occurred_at == at(2023, 11, 1, 9)
    [listed] = repo.compliance.list_adjustments(OFFICE, c)
    assert (listed.unit_name, listed.delta, listed.created_by) == ("城南街道办事处", 4.5, "system")
    assert repo.compliance.list_adjustments(unit_actor, c) == [listed]
    other = Actor(user_id=902, username="unit-a", role=Role.UNIT, unit_id=daxiang.units["A"])
    assert repo.compliance.list_adjustments(other, c) == []

    before = daxiang.result(d("2023-10-31"))
    after = daxiang.result(d("2023-11-01"))
    assert daxiang.unit(before, "B")["score"] == 7.0
    assert daxiang.unit(after, "B")["score"] == 11.5
    assert daxiang.unit(after, "B")["rank"] == 2 and len(after.adjustments) == 1


def test_a_unit_gets_only_its_own_facts(daxiang):
    daxiang.run_until()
    repo, c, unit_a = daxiang.repo, daxiang.campaign_id, daxiang.units["A"]
    repo.clock.current = at(2023, 11, 1, 9)
    repo.compliance.add_adjustment(OFFICE, c, daxiang.units["B"], 1, "加分")
    mine = Actor(user_id=903, username="unit-a", role=Role.UNIT, unit_id=unit_a)
    facts = repo.compliance.compliance_facts(mine, c)
    assert facts.units["unit_id"].tolist() == [unit_a]
    for frame in (facts.declarations, facts.activities, facts.adjustments):
        assert set(frame["unit_id"]) <= {unit_a}
    own_ids = set(facts.activities["activity_id"])
    assert own_ids and set(facts.activity_events["activity_id"]) <= own_ids
    assert set(facts.markings["activity_id"]) <= own_ids
    assert facts.adjustments.empty
    everyone = repo.compliance.compliance_facts(LEADER, c)
    assert len(everyone.units) == 4 and len(everyone.adjustments) == 1
    result = compliance.compute(facts, daxiang.campaign.rules, CAL, d("2023-10-31"))
    assert result.units["unit_id"].tolist() == [unit_a]
    assert set(result.activities["unit_id"]) == {unit_a}


def test_demo_units_see_only_themselves_and_the_office_sees_every_unit(demo):
    office, unit1 = actor_for(demo, "office"), actor_for(demo, "unit1")
    campaign = demo.catalogue.current_campaign(office)
    calendar = WorkdayCalendar(demo.catalogue.list_workday_overrides(office))
    today = demo.clock().date()
    everyone = compliance.compute(
        demo.compliance.compliance_facts(office, campaign.id), campaign.rules, calendar, today
    )
    enabled = [u.id for u in demo.catalogue.list_units(office, include_disabled=False)]
    assert sorted(everyone.units["unit_id"]) == sorted(enabled)
    assert set(everyone.units.columns) == set(compliance.UNIT_COLUMNS)
    assert list(everyone.activities.columns) == list(compliance.ACTIVITY_COLUMNS)
    own = compliance.compute(
        demo.compliance.compliance_facts(unit1, campaign.id), campaign.rules, calendar, today
    )
    assert own.units["unit_id"].tolist() == [unit1.unit_id]
    mine = everyone.units.set_index("unit_id").loc[unit1.unit_id]
    assert own.units.iloc[0]["score_base"] == mine["score_base"]
    with pytest.raises(PermissionDenied):
        demo.compliance.add_adjustment(unit1, campaign.id, unit1.unit_id, 10, "自评")
    with pytest.raises(PermissionDenied):
        demo.compliance.set_weights(unit1, campaign.id, {"typical_case": 100})
    with pytest.raises(PermissionDenied):
        demo.compliance.record_chase(unit1, campaign.id, unit1.unit_id, "declaration")
    with pytest.raises(PermissionDenied):
        demo.compliance.list_chases(unit1, campaign.id)


# ===================================================================== weights and 催办
def test_weights_are_checked_audited_and_apply_from_when_they_were_set(daxiang):
    daxiang.run_until()
    repo, c = daxiang.repo, daxiang.campaign_id
    assert repo.compliance.get_weights(OFFICE, c) == ComplianceWeights()
    with pytest.raises(ValidationError) as bad:
        repo.compliance.set_weights(
            OFFICE, c, {"typical_case": "很多", "bonus": 1, "yellow_workdays": 2.5}
        )
    assert len(bad.value.messages) == 3
    with pytest.raises(PermissionDenied):
        repo.compliance.set_weights(LEADER, c, {"typical_case": 1})
    repo.clock.current = at(2023, 11, 1, 9)
    saved = repo.compliance.set_weights(OFFICE, c, {"typical_case": 10, "published": 0})
    assert saved == repo.compliance.get_weights(LEADER, c)
    assert (saved.typical_case, saved.published, saved.plan_on_time) == (10.0, 0.0, 2.0)
    entry = repo.oversight.list_audit(SYSTEM_AUDITOR, limit=1)[0]
    assert (entry.action, entry.object_id) == ("set_weights", str(c))
    old = daxiang.unit(daxiang.result(d("2023-10-31")), "A")["score"]
    new = daxiang.unit(daxiang.result(d("2023-11-01")), "A")["score"]
    assert (old, new) == (26.0, 26.0 + 5 - 2)
    given = daxiang.result(d("2023-10-31"), weights=ComplianceWeights(declared_on_time=0))
    assert daxiang.unit(given, "A")["score"] == 16.0


def test_chases_are_recorded_audited_and_shown_on_open_items(daxiang):
    daxiang.run_until(at(2023, 10, 10, 23))
    repo, c = daxiang.repo, daxiang.campaign_id
    result = daxiang.result(d("2023-10-10"))
    items = compliance.open_items(result)
    assert list(items.columns) == list(compliance.ITEM_COLUMNS)
    assert items.iloc[0]["light"] == "red"
    keyed = items.set_index("item")
    plan_a3 = compliance.item_key("plan", daxiang.acts[A3])
    assert keyed.loc[plan_a3, "light"] == "red" and keyed.loc[plan_a3, "late_workdays"] == 1
    assert keyed.loc["declaration", "unit_name"] == "罗市镇人民政府"
    assert set(items["light"]) <= {"red", "yellow", "green"}

    with pytest.raises(ValidationError):
        repo.compliance.record_chase(OFFICE, c, daxiang.units["A"], "plan:abc")
    with pytest.raises(NotFound):  # an activity of another unit
        repo.compliance.record_chase(OFFICE, c, daxiang.units["B"], plan_a3)
    repo.clock.current = at(2023, 10, 11, 9)
    chase_id = repo.compliance.record_chase(OFFICE, c, daxiang.units["A"], plan_a3, "电话催报")
    entry = repo.oversight.list_audit(SYSTEM_AUDITOR, limit=1)[0]
    assert (entry.action, entry.object_id) == ("chase", str(chase_id))
    [chase] = repo.compliance.list_chases(OFFICE, c)
    assert (chase.item, chase.note, chase.unit_name) == (plan_a3, "电话催报", "城北街道办事处")
    again = compliance.open_items(
        daxiang.result(d("2023-10-11")), repo.compliance.list_chases(OFFICE, c)
    )
    row = again.set_index("item").loc[plan_a3]
    assert row["chase_count"] == 1 and row["last_chased_at"] == pd.Timestamp(2023, 10, 11, 9)
    earlier = compliance.open_items(result, repo.compliance.list_chases(OFFICE, c))
    assert earlier.set_index("item").loc[plan_a3, "chase_count"] == 0

    # several items at once: all recorded, or none when one of them is wrong
    with pytest.raises(NotFound):
        repo.compliance.record_chases(
            OFFICE, c, [(daxiang.units["A"], "declaration"), (daxiang.units["B"], plan_a3)]
        )
    assert len(repo.compliance.list_chases(OFFICE, c)) == 1
    both = [(daxiang.units["A"], "declaration"), (daxiang.units["A"], plan_a3)]
    assert len(repo.compliance.record_chases(OFFICE, c, both, "发函催办")) == 2
    assert len(repo.compliance.list_chases(OFFICE, c)) == 3


# ===================================================================== edges and labels
def test_empty_campaign_and_labels(repo):
    repo.clock.current = at(2023, 3, 1, 9)
    campaign_id = repo.catalogue.create_campaign(
        OFFICE,
        year=2023,
        region="测试区",
        title="测试活动",
        office_name="测试办",
        rules=DAXIANG_2023.rules,
    )
    facts = repo.compliance.compliance_facts(OFFICE, campaign_id)
    empty = compliance.compute(facts, DAXIANG_2023.rules, CAL, d("2023-05-01"))
    assert empty.units.empty and empty.activities.empty
    assert list(empty.units.columns) == list(compliance.UNIT_COLUMNS)
    repo.catalogue.create_unit(OFFICE, "城北街道办事处", "街道")
    lone = compliance.compute(
        repo.compliance.compliance_facts(OFFICE, campaign_id),
        DAXIANG_2023.rules,
        CAL,
        d("2023-05-01"),
    )
    row = lone.units.iloc[0]
    assert (row["declaration_status"], row["declaration_light"], row["rank"]) == (
        "missing",
        "red",
        1,
    )
    shown = compliance.labelled(lone.units)
    assert shown.loc[0, "按时申报"] == "逾期未报" and shown.loc[0, "申报提醒"] == "已逾期"
    assert shown.loc[0, "申报状态"] == "未填报"
    assert set(compliance.COLUMN_LABELS) >= set(compliance.UNIT_COLUMNS) | set(
        compliance.ACTIVITY_COLUMNS
    ) | set(compliance.ITEM_COLUMNS)
    assert len(set(compliance.COLUMN_LABELS.values())) >= 60


def test_weights_json_round_trip_and_tolerance():
    weights = ComplianceWeights(typical_case=7.5, yellow_workdays=3)
    assert ComplianceWeights.from_json(weights.to_json()) == weights
    assert ComplianceWeights.from_json('{"typical_case": 1, "retired_weight": 3}').typical_case == 1
    assert ComplianceWeights.from_json(None) == ComplianceWeights()
    with pytest.raises(ValidationError):
        ComplianceWeights.from_mapping({"declared_late_cap": -1})


# ===================================================================== dates that moved
@pytest.mark.parametrize(
    ("periods", "filed_on", "kept"),
    [
        # moved before the due date: the new date's due date counts, earlier or later
        ([("2023-11-20", "2023-12-03"), ("2023-12-02", "2023-11-25")], None, "2023-11-25"),
        ([("2023-11-20", "2023-12-03"), ("2023-12-03", "2023-12-13")], None, "2023-12-13"),
        # moved after the due date passed unfiled: the due date in force then stays
        ([("2023-11-20", "2023-12-03"), ("2023-12-05", "2023-12-13")], None, "2023-12-03"),
        ([("2023-11-20", "2023-12-03"), ("2023-12-05", "2023-12-13")], "2023-12-06", "2023-12-03"),
        # filed on time before it was due: nothing to keep, the newest date counts
        ([("2023-11-20", "2023-12-03"), ("2023-12-05", "2023-12-13")], "2023-12-01", "2023-12-13"),
        # the first due date that passed unfiled wins over later ones
        (
            [
                ("2023-11-01", "2023-11-10"),
                ("2023-11-15", "2023-12-03"),
                ("2023-12-08", "2023-12-20"),
            ],
            None,
            "2023-11-10",
        ),
        ([("2023-11-20", "2023-12-03")], None, "2023-12-03"),
        ([], None, None),
    ],
)
def test_due_in_force_keeps_the_due_date_that_fell_due(periods, filed_on, kept):
    got = compliance.due_in_force(
        [(d(f), d(due)) for f, due in periods], d(filed_on) if filed_on else None
    )
    assert got == (d(kept) if kept else None)


@pytest.fixture
def december(repo, tmp_path) -> World:
    """大祥区 rules in a 2025 campaign: A's December theme is scheduled for 12-10 (plan due
    12-03) and B's too; A is held on 12-02 (plan filed that day), B moves to 12-20 on
    12-05 with nothing filed, then files its plan on 12-08."""
    w = _world(repo, tmp_path, replace(DAXIANG_2023, year=2025))
    w.at(at(2025, 4, 1, 9), lambda: w.declare("A", [("早办活动", 12, "政策发布")]))
    w.at(at(2025, 4, 1, 9, 5), lambda: w.declare("B", [("改期活动", 12, "政策发布")]))
    w.at(at(2025, 4, 2, 9), lambda: w.approve("A"))
    w.at(at(2025, 4, 2, 9, 5), lambda: w.approve("B"))
    w.at(at(2025, 11, 20, 9), lambda: w.schedule("早办活动", d("2025-12-10")))
    w.at(at(2025, 11, 20, 9, 5), lambda: w.schedule("改期活动", d("2025-12-10")))
    w.at(at(2025, 12, 2, 9), lambda: w.plan("早办活动"))
    w.at(at(2025, 12, 2, 18), lambda: w.held("早办活动", d("2025-12-02")))
    w.at(at(2025, 12, 5, 10), lambda: w.schedule("改期活动", d("2025-12-20")))
    w.at(at(2025, 12, 8, 10), lambda: w.plan("改期活动"))
    return w


def test_the_held_date_becomes_the_date_and_deadlines_follow_it(december):
    december.run_until()
    result = december.result(d("2025-12-31"))
    early = december.activity(result, "早办活动")
    # held 12-02: plan due 5 working days before (11-25), filed 12-02 → late
    assert early["activity_date"].date() == d("2025-12-02")
    assert early["plan_due"].date() == d("2025-11-25")
    assert (early["plan_status"], early["plan_late_workdays"]) == ("late", 5)
    assert early["report_due"].date() == d("2025-12-09")
    # as of 12-01 it was still the 12-10 activity with its plan open
    before = december.activity(december.result(d("2025-12-01")), "早办活动")
    assert before["activity_date"].date() == d("2025-12-10")
    assert before["plan_due"].date() == d("2025-12-03") and before["plan_status"] == "open"


def test_a_move_after_the_plan_was_due_keeps_it_late_in_every_report(december):
    december.run_until(at(2025, 12, 4, 23))
    as_of_4th = december.result(d("2025-12-04"))
    december.run_until()
    moved = december.activity(december.result(d("2025-12-31")), "改期活动")
    assert moved["activity_date"].date() == d("2025-12-20")
    assert moved["plan_due"].date() == d("2025-12-03")  # not 12-13
    assert (moved["plan_status"], moved["plan_late_workdays"]) == ("late", 3)
    # the day after the move it is still red, not green
    after_move = december.activity(december.result(d("2025-12-05")), "改期活动")
    assert (after_move["plan_status"], after_move["plan_light"]) == ("missing", "red")
    # a past report is reproduced as it was
    pd.testing.assert_frame_equal(as_of_4th.activities, december.result(d("2025-12-04")).activities)
    # the screens say the same as the engine
    rules, now = december.campaign.rules, at(2025, 12, 31, 12)
    lifecycle = december.repo.activities.list_lifecycle(OFFICE, december.campaign_id)
    assert _assert_agreement(december.result(d("2025-12-31")), lifecycle, rules, CAL, now) == 4
    frame = activities.lifecycle_frame(lifecycle, rules, CAL, now).set_index("活动主题")
    assert frame.loc["改期活动", "活动方案"] == "逾期3个工作日报送"
    assert frame.loc["早办活动", "活动方案"] == "逾期5个工作日报送"
    assert frame.loc["早办活动", "活动日期"] == d("2025-12-02")
