"""First run: create the database, with demo data or as a clean production file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import duckdb

from themeday import db
from themeday.auth import hash_password
from themeday.config import TZ
from themeday.config import now as clock_now
from themeday.declaration_rules import late_workdays
from themeday.domain import (
    DAXIANG_2023,
    SYSTEM_ACTOR,
    DeclarationStatus,
    Role,
    UnitKind,
)
from themeday.repository import Repository
from themeday.workdays import WorkdayCalendar

DEMO_PASSWORD = "Demo@2023"
"""Shown on the login page only while the database is a demo database."""

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
    DemoAccount("unit1", "城北街道填报员", Role.UNIT, 0),
    DemoAccount("unit2", "区教育局填报员", Role.UNIT, 1),
    DemoAccount("unit3", "罗市镇填报员", Role.UNIT, 2),
)


class AlreadyInitialised(Exception):
    """The database file already holds accounts."""


def open_database(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the app's database, filling it with the demo on the very first run."""
    con = db.connect(path)
    repo = Repository(db.cursor(con))
    if repo.user_count() == 0 and repo.get_meta("initialised") is None:
        seed_demo(repo)
    return con


def _clamp(day: date, year: int) -> date:
    return min(max(day, date(year, 1, 1)), date(year, 12, 31))


def seed_demo(repo: Repository, today: date | None = None) -> None:
    """Fill an empty database with the demo campaign, units, accounts and declarations.

    Dates sit relative to ``today`` so that on any day some work is past, some is due
    soon and some is upcoming: the declaration deadline passed ten days ago (so one
    unit was late and two are still to be chased), one activity was held three weeks
    ago, one is eight days away (its plan is due soon) and others are months out.
    """
    today = today or clock_now().date()
    # In the last days of a year the demo is next year's campaign, so that some of its
    # activities are still ahead; the submitted declarations are then the past work.
    year = today.year + (1 if (today.month, today.day) > (12, 20) else 0)
    held = _clamp(today - timedelta(days=21), year)
    soon = _clamp(today + timedelta(days=8), year)
    later = _clamp(today + timedelta(days=60), year)
    first_month = max(1, min(held.month, today.month - 4)) if year == today.year else 1
    last_month = max(later.month, soon.month)
    deadline = today - timedelta(days=10)
    rules = DAXIANG_2023.rules.with_changes(
        declaration_deadline=deadline, first_month=first_month, last_month=last_month
    )
    actor = SYSTEM_ACTOR
    campaign_id = repo.create_campaign(
        actor,
        year=year,
        region=DAXIANG_2023.region,
        title=f"大祥区{year}年“政务公开主题日”活动（演示）",
        office_name=DAXIANG_2023.office_name,
        rules=rules,
    )
    unit_ids = [repo.create_unit(actor, *spec) for spec in DEMO_UNITS]
    password_hash = hash_password(DEMO_PASSWORD)
    for account in DEMO_ACCOUNTS:
        repo.create_user(
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
    late_days = late_workdays(deadline, late_at, WorkdayCalendar())
    months = list(range(first_month, last_month + 1))

    def month(i: int) -> int:
        return months[i % len(months)]

    for index, status, themes, extra in _demo_declarations(today, held, soon, later, month):
        person, phone = DEMO_UNITS[index][2], DEMO_UNITS[index][3]
        submitted_at = None if status == DeclarationStatus.DRAFT else on_time
        late = 0
        if extra.get("late"):
            submitted_at, late = late_at, late_days
        repo.create_declaration(
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
    repo.set_meta("demo", "1")
    repo.set_meta("initialised", today.isoformat())


def _demo_declarations(
    today: date, held: date, soon: date, later: date, month: Callable[[int], int]
) -> list[tuple]:
    """(unit index, status, themes, extras) of the demo; units 2 and 11 have not declared."""
    approved, submitted = DeclarationStatus.APPROVED, DeclarationStatus.SUBMITTED

    def theme(title: str, m: int, form: str, summary: str, **more: object) -> dict:
        return {"title": title, "planned_month": m, "form": form, "summary": summary, **more}

    return [
        (
            0,
            approved,
            [
                theme(
                    "“一件事一次办”便民服务现场观摩",
                    held.month,
                    "现场观摩",
                    "邀请人大代表、市民代表体验街道便民服务中心办事流程。",
                    activity_date=held,
                    place="城北街道便民服务中心",
                    status="held" if held < today else "scheduled",
                ),
                theme(
                    "老旧小区改造政策座谈会",
                    soon.month,
                    "座谈交流",
                    "向居民代表介绍老旧小区改造进展，听取意见建议。",
                    activity_date=soon,
                    place="城北街道办事处三楼会议室",
                    status="scheduled",
                ),
                theme(
                    "社区养老服务满意度问卷调查",
                    later.month,
                    "问卷调查",
                    "线上线下结合，了解居家养老服务政策落实情况。",
                ),
            ],
            {},
        ),
        (1, submitted, [theme("义务教育招生入学政策发布会", month(3), "政策发布", "")], {}),
        (
            3,
            approved,
            [
                theme("背街小巷提质改造实地调研", month(1), "实地调研", ""),
                theme("社区网格化服务座谈会", month(4), "座谈交流", ""),
            ],
            {},
        ),
        (4, approved, [theme("“15分钟便民生活圈”建设现场观摩", month(2), "现场观摩", "")], {}),
        (
            5,
            DeclarationStatus.RETURNED,
            [theme("政务公开活动", month(3), "座谈交流", "")],
            {"reason": "活动主题过于笼统，请写明具体的政策或项目名称后重新提交。"},
        ),
        (6, approved, [theme("高标准农田建设项目实地调研", month(0), "实地调研", "")], {}),
        (
            7,
            approved,
            [
                theme("重点项目建设进展实地调研", month(2), "实地调研", ""),
                theme("优化营商环境政策发布会", month(5), "政策发布", ""),
            ],
            {},
        ),
        (
            8,
            submitted,
            [theme("稳就业惠企政策宣讲座谈会", month(4), "座谈交流", "")],
            {"late": True},
        ),
        (9, approved, [theme("家庭医生签约服务问卷调查", month(1), "问卷调查", "")], {}),
        (10, approved, [theme("食品安全“你点我检”现场观摩", month(3), "现场观摩", "")], {}),
    ]


def init_empty(path: Path, office_password: str, office_username: str = "office") -> None:
    """Create a clean production database with one office account.

    The password must be changed at first login. Refuses a file that already holds
    accounts, so a production database is never overwritten by accident.
    """
    con = db.connect(path)
    try:
        repo = Repository(db.cursor(con))
        if repo.user_count() > 0 or repo.get_meta("initialised") is not None:
            raise AlreadyInitialised(f"数据库 {path} 已初始化，未做任何修改。")
        password_hash = hash_password(office_password)
        repo.create_user(
            SYSTEM_ACTOR,
            username=office_username,
            display_name="政务公开办管理员",
            role=Role.OFFICE,
            unit_id=None,
            password_hash=password_hash,
            must_change_password=True,
        )
        repo.set_meta("demo", "0")
        repo.set_meta("initialised", clock_now().date().isoformat())
    finally:
        con.close()
