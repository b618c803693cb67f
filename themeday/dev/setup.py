"""The demo seed (演示数据): development data that fills a new database on first run.

Never imported by the runtime: :func:`themeday.services.first_run.demo_seed` loads it only when
it fills a new database. :data:`DEMO_PASSWORD` is :mod:`themeday.core.config`'s, re-exported
for the tests that log in as the demo's accounts.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

from themeday.core.config import DEMO_PASSWORD, TZ
from themeday.core.config import now as clock_now
from themeday.core.declaration_rules import late_workdays
from themeday.core.domain import (
    DAXIANG_2023,
    SYSTEM_ACTOR,
    Actor,
    DeclarationStatus,
    Role,
    UnitKind,
)
from themeday.core.records import Activity, Campaign
from themeday.core.workdays import WorkdayCalendar
from themeday.repository import Repository
from themeday.services.auth import hash_password

if TYPE_CHECKING:
    from themeday.formats.uploads import FileStore


DEMO_UNITS: tuple[tuple[str, UnitKind, str, str], ...] = (
    ("城北街道办事处", UnitKind.SUBDISTRICT, "刘晓燕", "0739-5321101"),
    ("区教育局", UnitKind.DEPARTMENT, "陈志刚", "13807390102"),
    ("罗市镇人民政府", UnitKind.TOWNSHIP, "王建华", "0739-5321103"),
    ("城南街道办事处", UnitKind.SUBDISTRICT, "李明", "0739-5321104"),
    ("中心路街道办事处", UnitKind.SUBDISTRICT, "赵丽", "13907390105"),
    ("板桥乡人民政府", UnitKind.TOWNSHIP, "周强", "0739-5321106"),
    ("蔡锷乡人民政府", UnitKind.TOWNSHIP, "孙文斌", "0739-5321107"),
    ("区发展和改革局", UnitKind.DEPARTMENT, "吴芳", "13607390108"),
    ("区人力资源和社会保障局", UnitKind.DEPARTMENT, "郑伟", "0739-5321109"),
    ("区卫生健康局", UnitKind.DEPARTMENT, "黄敏", "13707390110"),
    ("区市场监督管理局", UnitKind.DISTRICT_BODY, "何军", "0739-5321111"),
    ("区城市管理和综合执法局", UnitKind.DISTRICT_BODY, "林静", "0739-5321112"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    unit_index: int | None = None


DEMO_ACCOUNTS = (
    DemoAccount("office", "政务公开办管理员", Role.OFFICE),
    DemoAccount("leader", "分管领导", Role.LEADER),
    DemoAccount("auditor", "审计管理员", Role.AUDITOR),
    DemoAccount("unit1", "城北街道填报员", Role.UNIT, 0),
    DemoAccount("unit2", "区教育局填报员", Role.UNIT, 1),
    DemoAccount("unit3", "罗市镇填报员", Role.UNIT, 2),
)

DEMO_PORTAL = "https://www.dxq.gov.cn/zwgk/ztr"
"""Where the demo's published activity has its article on the (fictitious) portal."""


# ------------------------------------------------------------------ the demo's days
@dataclass(frozen=True)
class DemoDays:
    """The dates of the demo's activities, all relative to the day it is created.

    ``None`` is a day that would fall before the campaign year: that activity then
    stays undated (计划中). Past days are working days; future ones may be weekends.
    """

    today: date
    year: int
    held: date | None  # held three weeks ago, report overdue
    soon: date  # plan due soon
    later: date  # weeks ahead, plan not due yet
    published: tuple[date | None, date | None, date | None]  # oldest first
    reported: date | None  # report filed, not yet published
    plan_late: date  # plan filed after its due date
    plan_overdue: date  # plan due date passed, not filed
    cancelled: date  # was scheduled for this day, then cancelled
    moved: date  # rescheduled to this day, outside its planned month
    moved_month: int  # the planned month of the moved activity
    moved_from: date  # the first date it had, inside its planned month

    @classmethod
    def around(cls, today: date, year: int, cal: WorkdayCalendar) -> DemoDays:
        def past(days: int) -> date | None:
            day = today - timedelta(days=days)
            while not cal.is_workday(day):
                day -= timedelta(days=1)
            return day if day.year == year else None

        def future(days: int) -> date:
            day = today + timedelta(days=days)
            if day.year < year:  # the last days of December: next year's campaign
                day = date(year, 1, 1) + timedelta(days=days)
            return min(day, date(year, 12, 31))

        moved = future(18)
        moved_month = moved.month - 1 if moved.month > 1 else moved.month + 1
        return cls(
            today=today,
            year=year,
            held=past(21),
            soon=future(8),
            # its report falls due before the year ends (next year's holidays are unknown)
            later=min(future(30), date(year, 12, 18)),
            published=(past(48), past(34), past(27)),
            reported=past(12),
            plan_late=future(2),
            plan_overdue=future(3),
            cancelled=future(15),
            moved=moved,
            moved_month=moved_month,
            moved_from=date(year, moved_month, min(moved.day, 28)),
        )

    def month_of(self, day: date | None) -> int:
        """The 计划月份 of a theme held on ``day`` (this month when it stays undated)."""
        if day is not None:
            return day.month
        return self.today.month if self.year == self.today.year else 1


def _activities():
    """The activity doors, imported when the demo is seeded: opening the database
    (every server start, the login page) does not load them and their libraries."""
    from themeday.services import activities

    return activities


def seed_demo(repo: Repository, today: date | None = None, store: FileStore | None = None) -> None:
    """Fill an empty database with the demo campaign, units, accounts, declarations and
    activities at every stage.

    Dates sit relative to ``today`` so that on any day some work is past, some is due
    soon and some is upcoming: the declaration deadline passed ten days ago (so one
    unit was late and two are still to be chased); activities were published, reported
    and held weeks ago (one report is overdue), one plan was filed late, one is overdue,
    one plan is due soon, one activity was cancelled and one moved out of its month.

    The activities go through the same service calls as the pages, on a clock set back
    to when each step happened, so their versions, audit rows and files are real.
    ``store`` receives the generated photos (the app's uploads folder, beside the
    database). Without a store no file is written: the activities then stop before the
    first step that needs a photo (开展情况).
    """
    today = today or clock_now().date()
    # In the last days of a year the demo is next year's campaign, so that some of its
    # activities are still ahead; the submitted declarations are then the past work.
    year = today.year + (1 if (today.month, today.day) > (12, 20) else 0)
    cal = WorkdayCalendar()
    days = DemoDays.around(today, year, cal)
    planned = _planned_months(days)
    first_month = 1
    if year == today.year:
        first_month = max(1, min(*planned.values(), today.month - 4))
    last_month = max(planned.values())
    deadline = today - timedelta(days=10)
    rules = DAXIANG_2023.rules.with_changes(
        declaration_deadline=deadline, first_month=first_month, last_month=last_month
    )
    actor = SYSTEM_ACTOR
    campaign_id = repo.catalogue.create_campaign(
        actor,
        year=year,
        region=DAXIANG_2023.region,
        title=f"大祥区{year}年“政务公开主题日”活动（演示）",
        office_name=DAXIANG_2023.office_name,
        rules=rules,
    )
    unit_ids = [repo.catalogue.create_unit(actor, *spec) for spec in DEMO_UNITS]
    password_hash = hash_password(DEMO_PASSWORD)
    for account in DEMO_ACCOUNTS:
        repo.accounts.create_user(
            actor,
            username=account.username,
            display_name=account.display_name,
            role=account.role,
            unit_id=None if account.unit_index is None else unit_ids[account.unit_index],
            password_hash=password_hash,
            must_change_password=False,
        )
    on_time = datetime.combine(deadline - timedelta(days=3), time(10, 30), tzinfo=TZ)
    late_at = datetime.combine(deadline + timedelta(days=4), time(16, 5), tzinfo=TZ)
    late_days = late_workdays(deadline, late_at, cal)
    months = list(range(first_month, last_month + 1))

    def month(i: int) -> int:
        return months[i % len(months)]

    for index, status, themes, extra in _demo_declarations(planned, month):
        person, phone = DEMO_UNITS[index][2], DEMO_UNITS[index][3]
        submitted_at = None if status == DeclarationStatus.DRAFT else on_time
        late = 0
        if extra.get("late"):
            submitted_at, late = late_at, late_days
        with _clock(repo, submitted_at or on_time):
            repo.declarations.create_declaration(
                actor,
                campaign_id,
                unit_ids[index],
                contact_person=person,
                contact_phone=phone,
                status=status,
                submitted_at=submitted_at,
                late_workdays=late if submitted_at else None,
                return_reason=extra.get("reason"),
                themes=[{"contact": f"{person} {phone}", **theme} for theme in themes],
            )
    campaign = repo.catalogue.get_campaign(actor, campaign_id)
    _Lifecycle(repo, campaign, days, cal, store).run()
    repo.set_meta("demo", "1")
    repo.set_meta("initialised", today.isoformat())


@contextmanager
def _clock(repo: Repository, moment: datetime) -> Iterator[None]:
    """Let the repository record ``moment`` as the time of what is done meanwhile."""
    saved = repo.clock
    repo.clock = lambda: moment
    try:
        yield
    finally:
        repo.clock = saved


# ------------------------------------------------------------------ declarations
T_ONE_THING = "“一件事一次办”便民服务现场观摩"
T_OLD_HOUSING = "老旧小区改造政策座谈会"
T_ELDERLY = "社区养老服务满意度问卷调查"
T_ALLEYS = "背街小巷提质改造实地调研"
T_GRID = "社区网格化服务座谈会"
T_LIFE_CIRCLE = "“15分钟便民生活圈”建设现场观摩"
T_FARMLAND = "高标准农田建设项目实地调研"
T_PROJECTS = "重点项目建设进展实地调研"
T_BUSINESS = "优化营商环境政策发布会"
T_DOCTORS = "家庭医生签约服务问卷调查"
T_FOOD = "食品安全“你点我检”现场观摩"


def _planned_months(days: DemoDays) -> dict[str, int]:
    """The 计划月份 of each approved theme: the month it is (or was) held in."""
    first, second, third = days.published
    return {
        T_ONE_THING: days.month_of(days.held),
        T_OLD_HOUSING: days.soon.month,
        T_ELDERLY: days.later.month,
        T_ALLEYS: days.month_of(first),
        T_GRID: days.cancelled.month,
        T_LIFE_CIRCLE: days.month_of(second),
        T_FARMLAND: days.plan_late.month,
        T_PROJECTS: days.month_of(days.reported),
        T_BUSINESS: days.moved_month,
        T_DOCTORS: days.plan_overdue.month,
        T_FOOD: days.month_of(third),
    }


def _demo_declarations(planned: dict[str, int], month: Callable[[int], int]) -> list[tuple]:
    """(unit index, status, themes, extras) of the demo; units 2 and 11 have not declared."""
    approved, submitted = DeclarationStatus.APPROVED, DeclarationStatus.SUBMITTED

    def theme(title: str, form: str, summary: str, m: int | None = None) -> dict:
        m = planned[title] if m is None else m
        return {"title": title, "planned_month": m, "form": form, "summary": summary}

    return [
        (
            0,
            approved,
            [
                theme(
                    T_ONE_THING,
                    "现场观摩",
                    "邀请人大代表、市民代表体验街道便民服务中心办事流程。",
                ),
                theme(
                    T_OLD_HOUSING,
                    "座谈交流",
                    "向居民代表介绍老旧小区改造进展，听取意见建议。",
                ),
                theme(
                    T_ELDERLY,
                    "问卷调查",
                    "线上线下结合，了解居家养老服务政策落实情况。",
                ),
            ],
            {},
        ),
        (1, submitted, [theme("义务教育招生入学政策发布会", "政策发布", "", month(3))], {}),
        (
            3,
            approved,
            [
                theme(
                    T_ALLEYS, "实地调研", "实地查看背街小巷改造施工现场，征求沿街居民和商户意见。"
                ),
                theme(T_GRID, "座谈交流", "与网格员、居民代表座谈，介绍网格化服务事项清单。"),
            ],
            {},
        ),
        (
            4,
            approved,
            [
                theme(
                    T_LIFE_CIRCLE,
                    "现场观摩",
                    "组织市民代表走进便民生活圈示范点，现场了解建设成效。",
                )
            ],
            {},
        ),
        (
            5,
            DeclarationStatus.RETURNED,
            [theme("政务公开活动", "座谈交流", "", month(3))],
            {"reason": "活动主题过于笼统，请写明具体的政策或项目名称后重新提交。"},
        ),
        (
            6,
            approved,
            [theme(T_FARMLAND, "实地调研", "邀请人大代表、种粮大户实地查看高标准农田建设质量。")],
            {},
        ),
        (
            7,
            approved,
            [
                theme(T_PROJECTS, "实地调研", "组织代表委员实地察看全区重点项目建设进展。"),
                theme(T_BUSINESS, "政策发布", "集中发布优化营商环境惠企政策，现场解读答疑。"),
            ],
            {},
        ),
        (
            8,
            submitted,
            [theme("稳就业惠企政策宣讲座谈会", "座谈交流", "", month(4))],
            {"late": True},
        ),
        (
            9,
            approved,
            [theme(T_DOCTORS, "问卷调查", "入户和线上问卷相结合，了解家庭医生签约服务满意度。")],
            {},
        ),
        (
            10,
            approved,
            [theme(T_FOOD, "现场观摩", "市民点单、现场抽检，公开食品安全抽检流程和结果。")],
            {},
        ),
    ]


# ------------------------------------------------------------------ activities
@dataclass(frozen=True)
class _Story:
    """What one demo activity looks like when it is carried out."""

    place: str
    invitees: tuple[str, ...]
    attendance: dict[str, int]
    flow: str  # 活动流程 of the plan
    body: str  # the middle paragraph of the report
    follow_up: str  # the report's last sentence


_MEDIA = "邵阳日报、邵阳广播电视台、“大祥发布”微信公众号"

_STORIES: dict[str, _Story] = {
    T_ONE_THING: _Story(
        "城北街道便民服务中心",
        ("人大代表", "政协委员", "市民群众", "新闻媒体"),
        {"人大代表": 3, "政协委员": 2, "市民群众": 26, "新闻媒体": 3},
        "参观便民服务中心办事大厅；体验“一件事一次办”办理流程；座谈交流、现场答疑",
        "参加人员在工作人员引导下，现场体验了新生儿出生、退休、开办餐饮店等“一件事”的"
        "办理流程，了解了“一窗受理、一次告知、一表申请、一次办好”的服务模式。",
        "街道将对收集到的意见建议逐条梳理，进一步优化办事流程。",
    ),
    T_OLD_HOUSING: _Story(
        "城北街道办事处三楼会议室",
        ("人大代表", "市民群众", "专家学者"),
        {},
        "介绍老旧小区改造政策和年度计划；居民代表提问；部门现场答复",
        "",
        "",
    ),
    T_ALLEYS: _Story(
        "城南街道红旗路、敏州路背街小巷",
        ("人大代表", "政协委员", "市民群众", "新闻媒体"),
        {"人大代表": 2, "政协委员": 2, "市民群众": 24, "新闻媒体": 4},
        "实地查看改造路段；介绍改造规划、资金安排和施工进度；现场征求意见",
        "参加人员先后实地查看了红旗路、敏州路等背街小巷的改造现场。街道相关负责人介绍了"
        "改造的总体规划、资金安排和施工进度，并就群众关心的停车、排水、路灯等问题现场答疑，"
        "共收集意见建议18条。",
        "街道将把意见建议纳入后续施工方案，并通过政府门户网站公开改造进展。",
    ),
    T_ELDERLY: _Story(
        "城北街道居家养老服务中心",
        ("人大代表", "专家学者", "市民群众"),
        {},
        "发放养老服务满意度问卷；入户走访高龄老人；专家解读居家养老服务政策",
        "",
        "",
    ),
    T_GRID: _Story(
        "城南街道新时代文明实践站",
        ("人大代表", "市民群众"),
        {},
        "介绍网格化服务事项清单；网格员与居民代表座谈",
        "",
        "",
    ),
    T_LIFE_CIRCLE: _Story(
        "中心路街道“15分钟便民生活圈”示范点",
        ("人大代表", "政协委员", "市民群众", "企业代表", "新闻媒体"),
        {"人大代表": 3, "政协委员": 2, "市民群众": 30, "企业代表": 5, "新闻媒体": 3},
        "走访社区菜市场、社区食堂、便民维修点；介绍建设规划；座谈交流",
        "参加人员走进社区菜市场、长者食堂和便民维修点，现场了解“15分钟便民生活圈”的"
        "建设成效。街道负责人解读了生活圈建设的政策依据、建设标准和资金使用情况，"
        "商户代表和居民代表分享了切身感受。",
        "街道将以此次活动为契机，推动便民服务设施向老旧小区延伸，相关做法将在全区推广。",
    ),
    T_FARMLAND: _Story(
        "蔡锷乡高标准农田建设项目区",
        ("人大代表", "专家学者", "市民群众"),
        {},
        "查看项目区沟渠、机耕道建设质量；技术人员讲解建设标准；听取种粮大户意见",
        "",
        "",
    ),
    T_PROJECTS: _Story(
        "区重点项目建设现场",
        ("人大代表", "政协委员", "企业代表", "新闻媒体"),
        {"人大代表": 4, "政协委员": 3, "企业代表": 6, "新闻媒体": 2},
        "察看重点项目施工现场；通报全区重点项目建设进展；座谈交流",
        "参加人员先后察看了产业园标准厂房、城市道路提质等重点项目施工现场，听取了项目"
        "建设进展、投资完成情况的通报，并就加快项目建设、优化审批服务提出意见建议。",
        "区发展和改革局将持续在政府门户网站公开重点项目建设进展。",
    ),
    T_BUSINESS: _Story(
        "区政务服务中心一楼多功能厅",
        ("人大代表", "政协委员", "企业代表", "新闻媒体"),
        {},
        "发布优化营商环境惠企政策；政策解读；企业代表现场提问",
        "",
        "",
    ),
    T_DOCTORS: _Story(
        "各社区卫生服务中心",
        ("市民群众", "专家学者"),
        {},
        "发放调查问卷；入户走访签约居民；汇总分析调查结果",
        "",
        "",
    ),
    T_FOOD: _Story(
        "区农贸市场及快检室",
        ("人大代表", "政协委员", "市民群众", "新闻媒体"),
        {"人大代表": 2, "政协委员": 2, "市民群众": 20, "新闻媒体": 3},
        "市民点单选样；现场快检；公布检测结果；讲解食品安全知识",
        "市民代表在农贸市场现场“点单”，选取蔬菜、猪肉、水产品等样品，由执法人员当场"
        "送检。快检室工作人员演示了农药残留等项目的检测过程，检测结果当场公布，"
        "全部合格。",
        "区市场监督管理局将定期开展“你点我检”活动，抽检结果在政府门户网站公开。",
    ),
}

_CANCEL_REASON = (
    "原定会议场地改造无法使用，且受邀居民代表时间难以协调，经街道研究决定取消本次座谈会，"
    "相关意见征集改为线上开展。"
)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def _day_text(day: date) -> str:
    return f"{day.month}月{day.day}日"


class _Lifecycle:
    """Moves the demo's approved activities along, each step at a moment in the past.

    Unit 0's steps are done by its account (unit1); the units without an account are
    helped by the office (代为填报). A step whose moment is not before ``today`` (or
    that needs a photo when there is no store) is not done, nor are the ones after it.
    """

    def __init__(
        self,
        repo: Repository,
        campaign: Campaign,
        days: DemoDays,
        cal: WorkdayCalendar,
        store: FileStore | None,
    ) -> None:
        self.repo = repo
        self.campaign = campaign
        self.days = days
        self.cal = cal
        self.store = store
        self.office = repo.accounts.login_record("office").user.as_actor()
        unit1 = repo.accounts.login_record("unit1").user.as_actor()
        self.unit_actors = {unit1.unit_id: unit1}
        self.by_title = {
            a.title: a for a in repo.activities.list_lifecycle(self.office, campaign.id)
        }

    # ---------------------------------------------------------------- the stories
    def run(self) -> None:
        d = self.days
        first, second, third = d.published
        self.publish_story(T_ALLEYS, first, portal=True)
        self.publish_story(T_LIFE_CIRCLE, second, typical=True)
        self.publish_story(T_FOOD, third)
        if d.reported and self.carry_out(T_PROJECTS, d.reported):
            self.report(T_PROJECTS, d.reported, 2)
        if d.held:
            self.carry_out(T_ONE_THING, d.held)
        self.schedule(T_OLD_HOUSING, d.soon, _at(self.workday_before(6), 14, 20))
        # weeks ahead: its plan is not due yet (a green item on the 督办 list)
        self.schedule(T_ELDERLY, d.later, _at(self.workday_before(4), 11, 0))
        self.schedule(T_DOCTORS, d.plan_overdue, _at(self.workday_before(15), 9, 40))
        self.late_plan(T_FARMLAND, d.plan_late)
        self.cancelled(T_GRID, d.cancelled)
        self.moved(T_BUSINESS)

    def publish_story(
        self, title: str, day: date | None, portal: bool = False, typical: bool = False
    ) -> None:
        if day is None or not self.carry_out(title, day):
            return
        filed = self.report_filed_at(day)
        if not self.report(title, day, 3):
            return
        published_at = _at(self.cal.add_workdays(filed.date(), 2).day, 10, 15)
        url = ""
        if portal:
            activity_id = self.by_title[title].id
            url = f"{DEMO_PORTAL}/{day:%Y%m}/t{day:%Y%m%d}_{activity_id}.html"

        def publish(target: tuple[int, int]) -> None:
            _activities().publish(self.repo, self.office, *target, url)

        if self.step(published_at, publish, title):
            if typical:
                self.step(
                    published_at + timedelta(hours=1),
                    lambda target: self.repo.activities.set_typical_case(
                        self.office, *target, True
                    ),
                    title,
                )

    def carry_out(self, title: str, day: date) -> bool:
        """Scheduled four weeks before, plan filed on time, held with a banner photo."""
        scheduled = _at(self.workday_before(28, day), 9, 30)
        due = self.cal.plan_due(day, self.campaign.rules.plan_days_before).day
        plan_at = max(_at(self.cal.add_workdays(due, -2).day, 10, 15), scheduled)
        return (
            self.schedule(title, day, scheduled)
            and self.file_plan(title, plan_at)
            and self.hold(title, day)
        )

    def late_plan(self, title: str, day: date) -> None:
        scheduled = _at(self.workday_before(25), 15, 10)
        due = self.cal.plan_due(day, self.campaign.rules.plan_days_before).day
        filed = _at(self.cal.add_workdays(due, 2).day, 10, 40)
        if self.schedule(title, day, scheduled):
            self.file_plan(title, filed)

    def cancelled(self, title: str, day: date) -> None:
        if self.schedule(title, day, _at(self.workday_before(20), 11, 0)):
            self.step(
                _at(self.workday_before(3), 16, 30),
                lambda target: _activities().cancel(
                    self.repo, self._actor(title), *target, _CANCEL_REASON
                ),
                title,
            )

    def moved(self, title: str) -> None:
        """Scheduled in its planned month, plan filed on time, then moved to another month."""
        d = self.days
        moved_at = _at(min(self.workday_before(2), self.workday_before(3, d.moved_from)), 15, 0)
        scheduled = _at(self.workday_before(16, moved_at.date()), 9, 40)
        planned_at = _at(self.cal.add_workdays(scheduled.date(), 2).day, 10, 0)
        reason = (
            f"原定{_day_text(d.moved_from)}举办，因与全区重点工作调度会时间冲突，经与受邀的"
            f"人大代表、政协委员和企业代表沟通，调整至{_day_text(d.moved)}举办。"
        )
        if self.schedule(title, d.moved_from, scheduled) and self.file_plan(title, planned_at):
            self.schedule(title, d.moved, moved_at, reason)

    # ---------------------------------------------------------------- the steps
    def schedule(self, title: str, day: date, moment: datetime, off_month_reason: str = "") -> bool:
        story = _STORIES[title]
        participants = sum(story.attendance.values()) or 30
        return self.step(
            moment,
            lambda target: _activities().schedule(
                self.repo,
                self._actor(title),
                self.campaign,
                *target,
                activity_date=day,
                place=story.place,
                invitees=list(story.invitees),
                expected_participants=participants,
                off_month_reason=off_month_reason,
            ),
            title,
        )

    def file_plan(self, title: str, moment: datetime) -> bool:
        return self.step(
            moment,
            lambda target: _activities().file_plan(
                self.repo, self._actor(title), *target, plan_text=self._plan_text(title)
            ),
            title,
        )

    def hold(self, title: str, day: date) -> bool:
        if self.store is None:
            return False
        story = _STORIES[title]
        photo = _activities().Upload(
            _demo_photo(title, self._unit(title), 0, marking=True), "现场横幅.jpg"
        )
        return self.step(
            _at(day, 17, 40),
            lambda target: _activities().record_held(
                self.repo,
                self._actor(title),
                self.campaign,
                *target,
                held_date=day,
                attendance=dict(story.attendance),
                media_outlets=_MEDIA if "新闻媒体" in story.invitees else "",
                marking_photos=[photo],
                store=self.store,
            ),
            title,
        )

    def report_filed_at(self, day: date) -> datetime:
        return _at(self.cal.add_workdays(day, 2).day, 15, 20)  # due by the 5th

    def report(self, title: str, day: date, photos: int) -> bool:
        if self.store is None:
            return False
        unit = self._unit(title)
        uploads = [
            _activities().Upload(_demo_photo(title, unit, n), f"IMG_{day:%Y%m%d}_{n:02d}.jpg")
            for n in range(1, photos + 1)
        ]
        return self.step(
            self.report_filed_at(day),
            lambda target: _activities().file_report(
                self.repo,
                self._actor(title),
                *target,
                report_text=self._report_text(title, day),
                photos=uploads,
                store=self.store,
            ),
            title,
        )

    def step(self, moment: datetime, action: Callable, title: str) -> bool:
        """Do ``action((activity_id, version))`` at ``moment`` if that is in the past.

        The repository's clock reads ``moment`` meanwhile, so the filing times, the
        versions and the audit rows are those of a step taken then.
        """
        if moment.date() >= self.days.today:
            return False
        activity = self.repo.activities.get_activity(self.office, self.by_title[title].id)
        with _clock(self.repo, moment):
            action((activity.id, activity.version))
        return True

    def workday_before(self, days: int, start: date | None = None) -> date:
        """The working day ``days`` days before ``start`` (today), or the one before it."""
        day = (start or self.days.today) - timedelta(days=days)
        while not self.cal.is_workday(day):
            day -= timedelta(days=1)
        return day

    # ---------------------------------------------------------------- texts
    def _actor(self, title: str) -> Actor:
        return self.unit_actors.get(self.by_title[title].unit_id, self.office)

    def _unit(self, title: str) -> str:
        return self.by_title[title].unit_name

    def _activity(self, title: str) -> Activity:
        return self.repo.activities.get_activity(self.office, self.by_title[title].id)

    def _plan_text(self, title: str) -> str:
        story, activity = _STORIES[title], self._activity(title)
        day = activity.activity_date
        people = "、".join(story.invitees)
        return "\n".join(
            [
                f"一、活动主题：{title}",
                f"二、时间地点：{day.year}年{_day_text(day)}，{story.place}",
                f"三、邀请对象：{people}，预计{activity.expected_participants or 30}人",
                f"四、活动流程：{story.flow}",
                "五、宣传报道：邀请新闻媒体现场报道，活动结束后5个工作日内报送情况报告。",
                "六、现场标识：活动现场悬挂“政务公开主题日”宣传横幅，电子屏同步显示活动主题。",
            ]
        )

    def _report_text(self, title: str, day: date) -> str:
        story = _STORIES[title]
        people = "、".join(f"{kind}{count}名" for kind, count in story.attendance.items())
        total = sum(story.attendance.values())
        return "\n\n".join(
            [
                f"{_day_text(day)}，{self._unit(title)}在{story.place}开展“政务公开主题日”"
                f"活动——{title}。{people}，共{total}人参加。",
                story.body,
                "活动现场悬挂“政务公开主题日”宣传横幅，电子屏滚动播放活动主题。" + story.follow_up,
            ]
        )


# ------------------------------------------------------------------ demo photos
_CJK_FONTS = (
    "NotoSansCJK-Bold.ttc",
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "SourceHanSansSC-Regular.otf",
    "wqy-zenhei.ttc",
    "wqy-microhei.ttc",
    "msyh.ttc",
    "simhei.ttf",
    "PingFang.ttc",
)
"""Font files looked up by name in the system's font folders (Pillow searches them)."""

_WALLS = ((232, 226, 212), (214, 226, 236), (226, 234, 220), (238, 228, 226), (224, 224, 232))
_CLOTHES = ((40, 48, 72), (30, 30, 30), (90, 96, 110), (120, 40, 40), (60, 80, 70), (200, 200, 205))
PHOTO_SIZE = (1200, 800)


@lru_cache(maxsize=8)
def _font(size: int) -> tuple[ImageFont.ImageFont | ImageFont.FreeTypeFont, bool]:
    """A CJK font of ``size`` pixels and True, or Pillow's own font and False."""
    for name in _CJK_FONTS:
        try:
            font = ImageFont.truetype(name, size)
        except OSError:
            continue
        if name.endswith(".ttc"):  # a collection: prefer its Simplified Chinese face
            font = _simplified_face(font.path, size) or font
        return font, True
    try:
        return ImageFont.load_default(size), False
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default(), False


def _simplified_face(path: str, size: int) -> ImageFont.FreeTypeFont | None:
    for index in range(1, 8):
        try:
            face = ImageFont.truetype(path, size, index=index)
        except OSError:
            return None
        if face.getname()[0].endswith(" SC"):
            return face
    return None


def _centred(draw: ImageDraw.ImageDraw, y: int, text: str, size: int, fill) -> None:
    font, _ = _font(size)
    width = draw.textlength(text, font=font)
    draw.text(((PHOTO_SIZE[0] - width) / 2, y), text, font=font, fill=fill)


def _demo_photo(title: str, unit: str, number: int, marking: bool = False) -> bytes:
    """A made-up 1200×800 JPEG of an activity: a room or site, the red 横幅, people.

    Each activity and photo number gives a different picture; no metadata is written.
    """
    rng = random.Random(f"{title}/{number}")
    width, height = PHOTO_SIZE
    wall = _WALLS[rng.randrange(len(_WALLS))]
    image = Image.new("RGB", PHOTO_SIZE, wall)
    draw = ImageDraw.Draw(image)
    horizon = rng.randint(430, 500)
    for y in range(horizon):  # light falling off towards the ceiling
        shade = 0.82 + 0.18 * y / horizon
        draw.line([(0, y), (width, y)], fill=tuple(int(c * shade) for c in wall))
    floor = tuple(max(0, c - rng.randint(60, 90)) for c in wall)
    draw.rectangle([0, horizon, width, height], fill=floor)

    # the red banner with the campaign's name (宣传横幅)
    top = rng.randint(50, 90) if not marking else 70
    band = 150 if not marking else 210
    left, right = rng.randint(40, 120), width - rng.randint(40, 120)
    draw.rectangle([left, top, right, top + band], fill=(196, 18, 38))
    draw.rectangle([left, top, right, top + band], outline=(240, 200, 60), width=4)
    _, cjk = _font(40)
    if cjk:
        _centred(draw, top + 18, "政务公开主题日", 64 if marking else 56, (255, 230, 120))
        _centred(draw, top + (120 if marking else 96), title, 40 if marking else 34, "white")
    else:
        _centred(draw, top + 30, "Government Openness Day", 56, (255, 230, 120))

    # an e-screen or a table with a cloth, then rows of people
    if number % 2:
        x = rng.randint(260, 520)
        draw.rectangle([x, top + band + 30, x + 420, horizon - 20], fill=(24, 44, 92))
        if cjk:
            font, _ = _font(28)
            draw.text((x + 24, top + band + 60), unit, font=font, fill="white")
    table = rng.randint(150, 350)
    draw.rectangle([table, horizon - 30, table + 620, horizon + 40], fill=(150, 30, 35))
    rows = 3 if marking else rng.randint(3, 5)
    for row in range(rows):
        y = horizon + 80 + row * 70
        radius = 22 + row * 5
        for _ in range(rng.randint(6, 11)):
            cx = rng.randint(30, width - 30)
            body = _CLOTHES[rng.randrange(len(_CLOTHES))]
            draw.ellipse([cx - radius * 2, y, cx + radius * 2, y + radius * 4], fill=body)
            # seen from behind, facing the banner: the back of a head
            hair = (rng.randint(18, 40), rng.randint(16, 30), rng.randint(12, 24))
            draw.ellipse([cx - radius, y - radius * 2 + 4, cx + radius, y + 4], fill=hair)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
