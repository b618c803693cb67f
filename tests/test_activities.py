"""Activity lifecycle (活动开展): deadlines, status flow, scoping, uploads, showcase."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from PIL import Image

from tests.conftest import (
    actor_for,
    take_upload_space,
    upload_bytes_of,
)
from tests.helpers import at, carry_out, fresh, schedule
from tests.sample_files import (
    PDF,
    jpeg,
)
from themeday.core.domain import (
    SYSTEM_ACTOR,
    SYSTEM_AUDITOR,
    XIANGJIANG_2023,
    NotFound,
    PermissionDenied,
    StaleRecord,
    ValidationError,
)
from themeday.core.workdays import WorkdayCalendar, WorkdayOverride
from themeday.formats.uploads import FileNotSaved
from themeday.services import activities
from themeday.services.activities import Upload
from themeday.services.declarations import calendar


def hold(world, day: date, reason: str = "", photos: tuple[str, ...] = ("logo.jpg",)) -> None:
    """unit1 records its activity as held on ``day``."""
    repo, _, unit1, _, campaign, mine, _, store = world
    activities.record_held(
        repo,
        unit1,
        campaign,
        mine.id,
        fresh(repo, unit1, mine).version,
        held_date=day,
        attendance={"市民群众": 30},
        marking_photos=[Upload(jpeg(), name) for name in photos],
        off_month_reason=reason,
        store=store,
    )


# ------------------------------------------------------------------ deadlines
def _activity(world, **changes):
    return replace(world[5], **changes)


@pytest.mark.parametrize(
    ("activity_day", "plan_due"),
    [(date(2023, 10, 9), date(2023, 9, 26)), (date(2023, 10, 16), date(2023, 10, 9))],
)
def test_plan_due_follows_the_official_calendar(world, activity_day, plan_due):
    rules = world[4].rules
    activity = _activity(world, activity_date=activity_day)
    deadline = activities.plan_deadline(activity, rules, WorkdayCalendar(), at(2023, 9, 1, 9))
    assert deadline.due == plan_due and deadline.verified


@pytest.mark.parametrize(
    ("held", "report_due"),
    [(date(2023, 9, 28), date(2023, 10, 11)), (date(2024, 4, 30), date(2024, 5, 10))],
)
def test_report_due_counts_from_the_held_day(world, held, report_due):
    activity = _activity(world, activity_date=date(2023, 1, 2), held_date=held)
    deadline = activities.report_deadline(
        activity, world[4].rules, WorkdayCalendar(), at(2023, 9, 1)
    )
    assert deadline.due == report_due


def test_deadline_text_counts_working_days_left_and_late(world):
    rules, cal = world[4].rules, WorkdayCalendar()
    activity = _activity(world, activity_date=date(2023, 10, 9))
    # Friday 22 Sep: Mon 25 and Tue 26 are left
    left = activities.plan_deadline(activity, rules, cal, at(2023, 9, 22, 15))
    assert left.workdays_left == 2 and not left.overdue
    assert left.text == "截止 2023年9月26日（周二），还剩2个工作日"
    today = activities.plan_deadline(activity, rules, cal, at(2023, 9, 26, 23))
    assert today.text == "截止 2023年9月26日（周二），今天是最后期限"
    # still open on 8 Oct (a make-up Sunday): 27, 28 Sep and 7, 8 Oct are working days
    late = activities.plan_deadline(activity, rules, cal, at(2023, 10, 8, 9))
    assert late.overdue and late.late_workdays == 4
    filed = _activity(world, activity_date=date(2023, 10, 9), plan_filed_at=at(2023, 9, 27, 9))
    done = activities.plan_deadline(filed, rules, cal, at(2023, 10, 8, 9))
    assert done.filed and not done.overdue and done.late_workdays == 1
    assert "逾期1个工作日" in done.text


def test_no_rule_no_date_no_deadline(world):
    activity = _activity(world, activity_date=None)
    assert (
        activities.plan_deadline(activity, world[4].rules, WorkdayCalendar(), at(2023, 9, 1))
        is None
    )
    dated = _activity(world, activity_date=date(2023, 10, 9))
    no_rule = XIANGJIANG_2023.rules
    assert no_rule.plan_days_before is None
    assert activities.plan_deadline(dated, no_rule, WorkdayCalendar(), at(2023, 9, 1)) is None
    assert activities.report_deadline(dated, no_rule, WorkdayCalendar(), at(2023, 9, 1)) is None


def test_unknown_year_is_flagged_and_an_override_changes_the_due_date(world):
    activity = _activity(world, activity_date=date(2027, 10, 11))
    rules = world[4].rules
    guess = activities.plan_deadline(activity, rules, WorkdayCalendar(), at(2027, 9, 1))
    assert not guess.verified and "2027年节假日安排未录入" in guess.warning
    assert guess.due == date(2027, 10, 4)
    holidays = [WorkdayOverride(date(2027, 10, d), False, "国庆节") for d in range(1, 8)]
    entered = activities.plan_deadline(activity, rules, WorkdayCalendar(holidays), at(2027, 9, 1))
    # 8 Oct, then 30, 29, 28 and 27 Sep
    assert entered.verified and entered.due == date(2027, 9, 27)


# ------------------------------------------------------------------ status flow
def test_whole_flow_to_the_showcase(world):
    repo, office, unit1, unit2, campaign, mine, _, store = world
    carry_out(world)
    held = fresh(repo, unit1, mine)
    assert held.status == "held" and held.attendance == {"人大代表": 3, "市民群众": 35}
    assert held.plan_filed_at == at(2023, 9, 25, 10)
    repo.clock.current = at(2023, 10, 12, 9)
    activities.file_report(
        repo,
        unit1,
        mine.id,
        held.version,
        report_text="10月9日，城北街道举办防汛应急政策发布会。",
        photos=[Upload(jpeg("blue", gps=True), "现场.jpg")],
        store=store,
    )
    reported = fresh(repo, unit1, mine)
    assert reported.status == "reported"
    report = activities.report_deadline(
        reported, campaign.rules, calendar(repo, unit1), repo.clock()
    )
    assert report.due == date(2023, 10, 16) and report.filed and report.late_workdays == 0
    assert (
        repo.activities.list_showcase(campaign.id) == []
        and repo.activities.count_showcase(campaign.id) == 0
    )

    with pytest.raises(PermissionDenied):
        activities.publish(repo, unit1, mine.id, reported.version)
    with pytest.raises(ValidationError, match="http"):
        activities.publish(repo, office, mine.id, reported.version, "javascript:alert(1)")
    activities.publish(repo, office, mine.id, reported.version, "https://www.dxzf.gov.cn/a.html")
    [item] = repo.activities.list_showcase(campaign.id)
    assert repo.activities.count_showcase(campaign.id) == 1
    assert (item.activity_id, item.title, item.portal_url) == (
        mine.id,
        "城区防汛应急政策发布",
        "https://www.dxzf.gov.cn/a.html",
    )
    assert len(item.photo_ids) == 2  # the report photo first, then the LOGO photo
    photo, fmt = activities.read_public_file(repo, item.photo_ids[0], store=store)
    assert fmt == "jpeg" and not Image.open(io.BytesIO(photo)).getexif()
    thumb, _ = activities.read_public_file(repo, item.photo_ids[0], thumb=True, store=store)
    assert max(Image.open(io.BytesIO(thumb)).size) <= 320
    assert repo.activities.get_showcase_item(mine.id) == item
    assert repo.activities.list_showcase(campaign.id, month=10, form="政策发布") == [item]
    assert repo.activities.list_showcase(campaign.id, month=11) == []

    published = fresh(repo, office, mine)
    # the list reads its moments another way (as microseconds): the same record
    (listed,) = repo.activities.list_lifecycle(office, campaign.id, ids=[mine.id])
    assert listed == published == repo.activities.get_activity(office, mine.id)
    assert listed.published_at is not None and listed.plan_filed_at == at(2023, 9, 25, 10)
    assert listed.report_filed_at.utcoffset() == published.report_filed_at.utcoffset()
    repo.activities.set_typical_case(office, mine.id, published.version, True)
    assert repo.activities.list_showcase(campaign.id)[0].typical_case
    repo.activities.unpublish_activity(office, mine.id, fresh(repo, office, mine).version)
    assert (
        repo.activities.list_showcase(campaign.id) == []
        and repo.activities.get_showcase_item(mine.id) is None
    )
    with pytest.raises(NotFound):
        repo.activities.public_attachment(item.photo_ids[0])
    actions = [
        e.action for e in repo.oversight.list_audit(SYSTEM_AUDITOR) if e.object_type == "activity"
    ]
    for action in ("schedule", "file_plan", "record_held", "file_report", "publish", "unpublish"):
        assert action in actions


def test_date_outside_the_planned_month_needs_a_reason_and_is_flagged(world):
    repo, _, unit1, _, _, mine, *_ = world
    with pytest.raises(ValidationError) as error:
        schedule(world, day=date(2023, 11, 6))
    assert error.value.messages == ["活动日期不在申报的计划月份（10月）内，请填写调整原因。"]
    assert fresh(repo, unit1, mine).status == "planned"
    schedule(world, day=date(2023, 11, 6), reason="与区人大视察活动时间冲突")
    moved = fresh(repo, unit1, mine)
    assert moved.off_month and moved.off_month_reason == "与区人大视察活动时间冲突"
    assert moved.status == "scheduled" and moved.invitees == ("人大代表", "市民群众")
    schedule(world, day=date(2023, 10, 20), reason="不再需要")
    back = fresh(repo, unit1, mine)
    assert not back.off_month and back.off_month_reason == ""


def test_schedule_form_problems_are_all_named(world):
    repo, _, unit1, _, campaign, mine, *_ = world
    with pytest.raises(ValidationError) as error:
        activities.schedule(
            repo,
            unit1,
            campaign,
            mine.id,
            mine.version,
            activity_date=date(2024, 10, 9),
            place=" ",
            invitees=["领导"],
            expected_participants=-1,
        )
    assert error.value.messages == [
        "活动日期须在2023年内。",
        "请填写活动地点。",
        "邀请对象只能从人大代表、政协委员、专家学者、新闻媒体、市民群众、企业代表中选择。",
        "预计参加人数不能为负数。",
    ]


def test_steps_keep_their_order(world):
    repo, _, unit1, _, campaign, mine, _, store = world
    with pytest.raises(ValidationError, match="请先确定活动日期"):
        activities.file_plan(repo, unit1, mine.id, None, plan_text="方案", store=store)
    schedule(world)
    with pytest.raises(ValidationError, match="请先报送活动方案"):
        hold(world, date(2023, 9, 20), reason="提前开展")  # 9月 lies outside the planned 10月
    with pytest.raises(ValidationError, match="请先填报开展情况"):
        activities.file_report(
            repo,
            unit1,
            mine.id,
            None,
            report_text="总结",
            photos=[Upload(jpeg(), "a.jpg")],
            store=store,
        )
    assert fresh(repo, unit1, mine).status == "scheduled"
    assert not list((store.root).rglob("*.jpg"))  # refused steps leave no files behind


def test_marking_photo_and_report_photo_are_required(world):
    repo, _, unit1, _, campaign, mine, _, store = world
    schedule(world)
    activities.file_plan(repo, unit1, mine.id, None, plan_text="方案", store=store)
    repo.clock.current = at(2023, 10, 10, 9)
    with pytest.raises(ValidationError, match="LOGO"):
        hold(world, date(2023, 10, 9), photos=())
    with pytest.raises(ValidationError, match="不能晚于今天"):
        hold(world, date(2023, 10, 11))
    hold(world, date(2023, 10, 9))
    with pytest.raises(ValidationError, match="至少一张活动照片"):
        activities.file_report(repo, unit1, mine.id, None, report_text="总结", store=store)


def test_a_bad_file_stores_nothing_and_changes_nothing(world):
    repo, _, unit1, _, campaign, mine, _, store = world
    carry_out(world)
    before = fresh(repo, unit1, mine)
    files_before = sorted(p.name for p in store.root.rglob("*") if p.is_file())
    exe = b"MZ\x90\x00" + b"\x00" * 200
    for bad in (
        {"photos": [Upload(jpeg(), "ok.jpg")], "video": Upload(exe, "活动视频.mp4")},
        {"photos": [Upload(b"<svg onload=alert(1)></svg>", "photo.png")]},
        {"photos": [Upload(jpeg(), "ok.jpg")], "document": Upload(b"not a pdf", "总结.pdf")},
    ):
        with pytest.raises(ValidationError):
            activities.file_report(
                repo, unit1, mine.id, before.version, report_text="总结", store=store, **bad
            )
    assert fresh(repo, unit1, mine) == before
    assert sorted(p.name for p in store.root.rglob("*") if p.is_file()) == files_before
    with pytest.raises(ValidationError):
        activities.file_plan(
            repo,
            unit1,
            mine.id,
            before.version,
            plan_text="方案",
            documents=[Upload(exe, "方案.docx")],
        )


def test_a_failed_write_removes_the_files_it_stored(world):
    repo, _, unit1, _, _, mine, _, store = world
    carry_out(world)
    files_before = sorted(p.name for p in store.root.rglob("*") if p.is_file())
    with pytest.raises(StaleRecord):
        activities.file_report(
            repo,
            unit1,
            mine.id,
            1,
            report_text="总结",
            photos=[Upload(jpeg(), "a.jpg")],
            store=store,
        )
    assert sorted(p.name for p in store.root.rglob("*") if p.is_file()) == files_before


def test_stale_edit_is_refused_and_changes_nothing(world):
    repo, _, unit1, _, _, mine, *_ = world
    schedule(world)
    stale = mine.version
    with pytest.raises(StaleRecord):
        activities.file_plan(repo, unit1, mine.id, stale, plan_text="旧页面上的方案")
    assert fresh(repo, unit1, mine).plan_text == ""


def test_cancel_needs_a_reason_and_ends_the_activity(world):
    repo, office, unit1, _, campaign, mine, *_ = world
    schedule(world)
    with pytest.raises(ValidationError, match="取消原因"):
        activities.cancel(repo, unit1, mine.id, None, "  ")
    activities.cancel(repo, unit1, mine.id, None, "因防汛工作需要取消")
    cancelled = fresh(repo, office, mine)
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "因防汛工作需要取消"
    with pytest.raises(ValidationError, match="已取消"):
        schedule(world)
    assert mine.id not in [a.id for a in repo.declarations.list_plan(office, campaign.id)]


def test_held_activity_cannot_be_cancelled(world):
    repo, _, unit1, _, _, mine, *_ = world
    carry_out(world)
    with pytest.raises(ValidationError, match="已开展"):
        activities.cancel(repo, unit1, mine.id, None, "取消")


def test_only_approved_declarations_are_carried_out(world):
    repo, office, unit1, _, campaign, mine, *_ = world
    declaration = repo.declarations.get_declaration(office, mine.declaration_id)
    repo.cur.execute("UPDATE declaration SET status = 'submitted' WHERE id = ?", [declaration.id])
    assert repo.activities.list_lifecycle(unit1, campaign.id) == []
    with pytest.raises(ValidationError, match="审核通过后"):
        schedule(world)


# ------------------------------------------------------------------ scoping
def _schedule_as(repo, actor, campaign, activity_id) -> None:
    """``actor`` tries to date an activity (for the scoping checks)."""
    activities.schedule(
        repo,
        actor,
        campaign,
        activity_id,
        None,
        activity_date=date(2023, 10, 9),
        place="x",
        invitees=["市民群众"],
    )


def test_a_unit_never_reaches_another_units_activity(world):
    repo, office, unit1, unit2, campaign, mine, theirs, store = world
    assert [a.unit_id for a in repo.activities.list_lifecycle(unit1, campaign.id)] == [
        unit1.unit_id
    ]
    assert [
        a.id for a in repo.activities.list_lifecycle(unit1, campaign.id, unit_id=unit2.unit_id)
    ] == [mine.id]
    with pytest.raises(PermissionDenied):
        repo.activities.get_activity(unit1, theirs.id)
    with pytest.raises(PermissionDenied):
        _schedule_as(repo, unit1, campaign, theirs.id)
    with pytest.raises(PermissionDenied):
        activities.file_plan(repo, unit1, theirs.id, None, plan_text="x", store=store)
    with pytest.raises(PermissionDenied):
        repo.activities.add_comment(unit1, theirs.id, "x")
    with pytest.raises(PermissionDenied):
        repo.activities.list_comments(unit1, theirs.id)
    with pytest.raises(PermissionDenied):
        repo.activities.list_activity_files(unit1, theirs.id)
    assert not store.root.exists() or not any(p.is_file() for p in store.root.rglob("*"))
    assert repo.activities.get_activity(unit2, theirs.id).status == "planned"


def test_leader_reads_everything_and_changes_nothing(world):
    repo, office, unit1, _, campaign, mine, *_ = world
    leader = actor_for(repo, "leader")
    assert len(repo.activities.list_lifecycle(leader, campaign.id)) == 2
    with pytest.raises(PermissionDenied):
        _schedule_as(repo, leader, campaign, mine.id)
    with pytest.raises(PermissionDenied):
        repo.activities.add_comment(leader, mine.id, "x")
    with pytest.raises(PermissionDenied):
        repo.activities.set_typical_case(leader, mine.id, None, True)


def test_office_comments_and_the_unit_replies(world):
    repo, office, unit1, unit2, _, mine, *_ = world
    repo.activities.add_comment(office, mine.id, "请在方案中补充邀请人大代表的名单。")
    repo.activities.add_comment(unit1, mine.id, "已补充。")
    thread = repo.activities.list_comments(unit1, mine.id)
    assert [(c.username, c.body) for c in thread] == [
        ("office", "请在方案中补充邀请人大代表的名单。"),
        ("unit1", "已补充。"),
    ]
    with pytest.raises(ValidationError):
        repo.activities.add_comment(office, mine.id, "   ")


def test_plan_documents_are_never_public(world):
    repo, office, unit1, _, _, mine, _, store = world
    schedule(world)
    activities.file_plan(
        repo,
        unit1,
        mine.id,
        None,
        plan_text="方案",
        documents=[Upload(PDF, "方案.pdf")],
        store=store,
    )
    [plan_file] = repo.activities.list_activity_files(unit1, mine.id)
    assert plan_file.kind == "plan" and plan_file.original_name == "方案.pdf"
    content, fmt = activities.read_file(repo, unit1, plan_file.id, store=store)
    assert (content, fmt) == (PDF, "pdf")
    with pytest.raises(NotFound):
        repo.activities.public_attachment(plan_file.id)


def test_lifecycle_frame_shows_lateness(world):
    repo, office, unit1, _, campaign, mine, *_ = world
    schedule(world)
    frame = activities.lifecycle_frame(
        repo.activities.list_lifecycle(office, campaign.id),
        campaign.rules,
        WorkdayCalendar(),
        at(2023, 10, 8, 9),
    )
    row = frame.set_index("id").loc[mine.id]
    assert row["状态"] == "已定日期" and row["活动方案"] == "逾期4个工作日未报"


def test_the_annual_plan_carries_no_lifecycle_details_of_other_units(world):
    """全年计划 is read by every unit: it must not carry another unit's plan or report."""
    repo, office, unit1, unit2, campaign, mine, theirs, store = world
    carry_out(world)
    activities.file_report(
        repo,
        unit1,
        mine.id,
        fresh(repo, unit1, mine).version,
        report_text="内部情况报告",
        photos=[Upload(jpeg(), "a.jpg")],
        store=store,
    )
    seen_by_unit2 = {a.id: a for a in repo.declarations.list_plan(unit2, campaign.id)}
    row = seen_by_unit2[mine.id]
    assert (row.title, row.activity_date) == (mine.title, date(2023, 10, 9))
    assert row.contact == "" and row.plan_text == "" and row.report_text == ""
    assert row.attendance == {} and row.invitees == ()


def test_held_date_must_lie_in_the_campaign_year(world):
    repo, _, unit1, _, campaign, mine, _, store = world
    schedule(world)
    activities.file_plan(repo, unit1, mine.id, None, plan_text="方案", store=store)
    with pytest.raises(ValidationError, match="须在2023年内"):
        hold(world, date(2022, 10, 9))


def test_a_file_that_cannot_be_stored_takes_the_stored_ones_with_it(world, monkeypatch):
    """Disk full on the second photo: the first is removed again, nothing is recorded but
    the failure: 文件保存失败 with the reason (not 系统繁忙), and its audit row."""
    repo, _, unit1, _, _, mine, _, store = world
    carry_out(world)
    before = sorted(p.name for p in store.root.rglob("*") if p.is_file())
    real_save, saves = store.save, []

    def failing_save(data, fmt):
        saves.append(fmt)
        if len(saves) == 3:  # photo 1, its thumbnail, then photo 2
            raise OSError(28, "No space left on device")
        return real_save(data, fmt)

    monkeypatch.setattr(store, "save", failing_save)
    with pytest.raises(FileNotSaved) as refused:
        activities.file_report(
            repo,
            unit1,
            mine.id,
            None,
            report_text="总结",
            photos=[Upload(jpeg("red"), "1.jpg"), Upload(jpeg("blue"), "2.jpg")],
            store=store,
        )
    assert sorted(p.name for p in store.root.rglob("*") if p.is_file()) == before
    assert fresh(repo, unit1, mine).status == "held"
    assert refused.value.messages == [
        "文件保存失败：“2.jpg”未能写入存储（存储空间已满）。未保存任何内容，请稍后重试或联系管理员。"
    ]
    rows = repo.cur.execute(
        "SELECT username, success, detail FROM audit_log WHERE action = 'upload_failed'"
    ).fetchall()
    assert rows == [(unit1.username, False, "文件：2.jpg；类型：活动照片；原因：存储空间已满")]


# ------------------------------------------------------------------ the held date (issue 13)
def test_held_earlier_than_scheduled_moves_the_date_and_the_plan_is_late(world):
    """Seen: scheduled 10-20, held 10-09 with the plan filed that day: the date stayed,
    the plan said 按时报送. Now the held date is the date, the plan due 5 working days
    before it."""
    repo, _, unit1, _, campaign, mine, _, store = world
    schedule(world, day=date(2023, 10, 20))  # plan due 10-13
    repo.clock.current = at(2023, 10, 9, 9)
    activities.file_plan(repo, unit1, mine.id, None, plan_text="方案", store=store)
    filed = fresh(repo, unit1, mine)
    ahead = activities.plan_deadline(filed, campaign.rules, WorkdayCalendar(), repo.clock())
    assert ahead.due == date(2023, 10, 13) and ahead.late_workdays == 0
    repo.clock.current = at(2023, 10, 9, 18)
    hold(world, date(2023, 10, 9))
    held = fresh(repo, unit1, mine)
    assert held.day == date(2023, 10, 9) and not held.off_month
    assert [d for _, d in held.date_changes] == [date(2023, 10, 20), date(2023, 10, 9)]
    plan = activities.plan_deadline(held, campaign.rules, WorkdayCalendar(), repo.clock())
    assert plan.due == date(2023, 9, 26) and plan.late_workdays == 5
    assert "逾期5个工作日" in plan.text
    frame = activities.lifecycle_frame([held], campaign.rules, WorkdayCalendar(), repo.clock())
    assert frame.loc[0, "活动日期"] == date(2023, 10, 9)
    assert frame.loc[0, "活动方案"] == "逾期5个工作日报送"


def test_a_held_date_outside_the_month_needs_a_reason_and_is_flagged(world):
    repo, _, unit1, _, campaign, mine, _, store = world
    schedule(world)  # 2023-10-09, in the planned 10月
    activities.file_plan(repo, unit1, mine.id, None, plan_text="方案", store=store)
    repo.clock.current = at(2023, 11, 2, 18)
    before = fresh(repo, unit1, mine)
    with pytest.raises(ValidationError) as refused:
        hold(world, date(2023, 11, 1))
    assert refused.value.messages == ["实际开展日期不在申报的计划月份（10月）内，请填写调整原因。"]
    assert fresh(repo, unit1, mine) == before
    hold(world, date(2023, 11, 1), reason="因防汛推迟至11月")
    held = fresh(repo, unit1, mine)
    assert held.off_month and held.off_month_reason == "因防汛推迟至11月"
    row = activities.lifecycle_frame([held], campaign.rules, WorkdayCalendar(), repo.clock())
    assert row.loc[0, "改期"] == "是"
    # corrected back into the month: the flag and the reason go
    hold(world, date(2023, 10, 31), photos=())
    corrected = fresh(repo, unit1, mine)
    assert not corrected.off_month and corrected.off_month_reason == ""
    # the report due 10-16 for the scheduled 10-09 passed unfiled before the held date
    # was recorded on 11-02: that lateness stays (due date in force when it fell due)
    report = activities.report_deadline(corrected, campaign.rules, WorkdayCalendar(), repo.clock())
    assert report.due == date(2023, 10, 16) and report.overdue


def test_schedule_consequences_are_said_before_saving(world):
    repo, _, unit1, _, campaign, mine, *_ = world
    cal, now = WorkdayCalendar(), at(2023, 9, 20, 9)
    assert activities.schedule_consequences(campaign, mine, date(2023, 10, 30), cal, now) == []
    # 10-09's plan is due 09-26: still 4 working days
    assert activities.schedule_consequences(campaign, mine, date(2023, 10, 9), cal, now) == []
    # 09-25's plan was due 09-18: two working days ago
    assert activities.schedule_consequences(campaign, mine, date(2023, 9, 25), cal, now) == [
        "活动方案将逾期2个工作日（截止2023年9月18日）。"
    ]
    past = activities.schedule_consequences(campaign, mine, date(2023, 9, 1), cal, now)
    assert past[0] == "2023年9月1日已是过去的日期（今天是2023年9月20日）。"
    assert past[1].startswith("活动方案将逾期") and past[2].startswith("活动总结将逾期")
    # a plan already late for the date in force stays late whatever the new date
    schedule(world)
    repo.clock.current = at(2023, 9, 28, 9)
    late = activities.schedule_consequences(
        campaign, fresh(repo, unit1, mine), date(2023, 10, 30), cal, repo.clock()
    )
    assert late == ["活动方案将逾期2个工作日（截止2023年9月26日）。"]


def test_moving_earlier_says_a_filed_plan_would_count_late(world):
    repo, _, unit1, _, campaign, mine, _, store = world
    schedule(world)  # 10-09, plan due 09-26
    activities.file_plan(repo, unit1, mine.id, None, plan_text="方案", store=store)  # 09-20
    filed = fresh(repo, unit1, mine)
    said = activities.schedule_consequences(
        campaign, filed, date(2023, 9, 25), WorkdayCalendar(), repo.clock()
    )
    assert said == ["已报送的活动方案将记为逾期2个工作日报送（截止2023年9月18日）。"]


# ------------------------------------------------------------------ removing a file
def test_a_unit_removes_a_wrong_photo_of_the_open_step_and_it_stays_audited(world):
    repo, office, unit1, unit2, campaign, mine, _, store = world
    carry_out(world)  # held with logo.jpg
    hold(world, date(2023, 10, 9), photos=("错的.jpg",))
    wrong, right = (
        next(f for f in repo.activities.list_activity_files(unit1, mine.id) if f.original_name == n)
        for n in ("错的.jpg", "logo.jpg")
    )
    with pytest.raises(PermissionDenied):
        activities.remove_file(repo, unit2, campaign, wrong.id)
    activities.remove_file(repo, unit1, campaign, wrong.id)
    assert [f.original_name for f in repo.activities.list_activity_files(unit1, mine.id)] == [
        "logo.jpg"
    ]
    entry = next(e for e in repo.oversight.list_audit(SYSTEM_AUDITOR) if e.action == "remove_file")
    assert entry.object_id == str(wrong.id) and "错的.jpg" in entry.detail
    assert repo.cur.execute(
        "SELECT removed_by FROM attachment WHERE id = ?", [wrong.id]
    ).fetchone() == ("unit1",)
    with pytest.raises(NotFound):
        activities.remove_file(repo, unit1, campaign, wrong.id)
    with pytest.raises(ValidationError, match="唯一"):  # the campaign asks for one
        activities.remove_file(repo, unit1, campaign, right.id)
    # once the report is filed the held step's photos are kept
    activities.file_report(
        repo,
        unit1,
        mine.id,
        None,
        report_text="总结",
        photos=[Upload(jpeg(), "a.jpg"), Upload(jpeg("blue"), "b.jpg")],
        store=store,
    )
    hold_photo = next(
        f for f in repo.activities.list_activity_files(unit1, mine.id) if f.kind == "marking"
    )
    with pytest.raises(ValidationError, match="不能删除"):
        activities.remove_file(repo, unit1, campaign, hold_photo.id)
    plan_photo = next(
        f for f in repo.activities.list_activity_files(unit1, mine.id) if f.kind == "photo"
    )
    activities.remove_file(repo, unit1, campaign, plan_photo.id)  # report not yet published


def test_a_removed_marking_photo_counts_only_before_its_removal(world):
    repo, office, unit1, _, campaign, mine, _, store = world
    carry_out(world)
    hold(world, date(2023, 10, 9), photos=("第二张.jpg",))
    from themeday.core import compliance

    repo.clock.current = at(2023, 10, 11, 9)
    second = next(
        f
        for f in repo.activities.list_activity_files(unit1, mine.id)
        if f.original_name == "第二张.jpg"
    )
    activities.remove_file(repo, unit1, campaign, second.id)

    def marking_photos(as_of):
        facts = repo.compliance.compliance_facts(office, campaign.id)
        result = compliance.compute(facts, campaign.rules, WorkdayCalendar(), as_of)
        return result.activities.set_index("activity_id").loc[mine.id, "marking_photos"]

    assert (marking_photos(date(2023, 10, 10)), marking_photos(date(2023, 10, 11))) == (2, 1)


def test_report_files_over_the_units_upload_quota_are_refused_and_not_stored(world, monkeypatch):
    repo, _, unit1, unit2, _, mine, _, store = world
    carry_out(world)
    monkeypatch.setenv("THEMEDAY_UNIT_UPLOAD_QUOTA_MB", "1")
    take_upload_space(repo, unit1.unit_id, 1024 * 1024 - upload_bytes_of(repo, unit1.unit_id))
    before = fresh(repo, unit1, mine)
    files_before = sorted(p.name for p in store.root.rglob("*") if p.is_file())
    with pytest.raises(ValidationError, match="附件存储已达上限.*配额 1 MB.*已用 1 MB"):
        activities.file_report(
            repo,
            unit1,
            mine.id,
            before.version,
            report_text="总结",
            photos=[Upload(jpeg(), "a.jpg")],
            store=store,
        )
    assert fresh(repo, unit1, mine) == before
    assert sorted(p.name for p in store.root.rglob("*") if p.is_file()) == files_before
    (row,) = [
        e for e in repo.oversight.list_audit(SYSTEM_AUDITOR, 5) if e.action == "upload_refused"
    ]
    assert not row.success and "文件：a.jpg；" in row.detail and "附件存储已达上限" in row.detail
    repo.check_upload_quota(unit2, unit2.unit_id, 1024)  # the quota is the unit's own


def test_the_showcase_is_read_a_page_at_a_time(demo):
    """成果展示 at a province's size: one page of published activities from SQL, the
    count and the years without reading every item and its photos."""
    everything = demo.activities.list_showcase()
    assert len(everything) >= 3  # the demo publishes three
    campaign_id = everything[0].campaign_id
    assert demo.activities.showcase_campaigns() == {campaign_id: everything[0].year}
    assert demo.activities.count_showcase(campaign_id) == len(
        demo.activities.list_showcase(campaign_id)
    )
    first, rest = (
        demo.activities.list_showcase(limit=2),
        demo.activities.list_showcase(limit=10, offset=2),
    )
    assert first + rest == everything
    one = everything[1]
    assert demo.activities.list_showcase(activity_id=one.activity_id) == [one]
    assert demo.activities.get_showcase_item(one.activity_id) == one
    assert demo.activities.count_showcase(campaign_id, form=one.form) == sum(
        i.form == one.form for i in everything
    )
    unpublished = next(
        a
        for a in demo.activities.list_lifecycle(SYSTEM_ACTOR, campaign_id)
        if a.status != "published"
    )
    assert demo.activities.get_showcase_item(unpublished.id) is None
