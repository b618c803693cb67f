"""Shared caches stay right: the data version, invalidation by writes, per unit."""

from __future__ import annotations

import gc
import threading
from dataclasses import asdict, replace
from datetime import date

import duckdb
import pytest

from tests.conftest import actor_for, open_declarations
from tests.sample_files import PDF
from themeday.core import caching
from themeday.core.domain import StaleRecord, UnitKind
from themeday.core.workdays import WorkdayOverride
from themeday.formats.uploads import FileStore
from themeday.repository import Repository
from themeday.services import activities, assessment, dashboard, declarations, holidays
from themeday.services.assessment import assess, chase_items
from themeday.services.auth import AuthService
from themeday.storage import db

AS_OF = date(2026, 11, 23)  # the demo's day (tests/conftest.py)


@pytest.fixture(autouse=True)
def empty_caches():
    caching.clear_all()
    yield
    caching.clear_all()


def version(repo: Repository) -> int:
    return repo.data_version()[1]


def same(a, b) -> bool:
    """Two compliance results hold the same figures."""
    return (
        a.units.equals(b.units)
        and a.activities.equals(b.activities)
        and a.adjustments.equals(b.adjustments)
        and a.weights == b.weights
    )


def figures(repo, actor, campaign):
    """(compliance result, 督办 items, activities, 看板 cards) as the pages read them."""
    return (
        assess(repo, actor, campaign, AS_OF),
        chase_items(repo, actor, campaign, AS_OF),
        activities.lifecycle(repo, actor, campaign.id),
        assessment.board_cards(repo, actor, campaign, AS_OF),
    )


def fresh(repo, actor, campaign):
    with caching.disabled():
        return figures(repo, actor, campaign)


# ------------------------------------------------------------------ the data version
def test_a_write_bumps_the_version_inside_its_transaction_and_a_rollback_does_not(demo):
    office = actor_for(demo, "office")
    before = version(demo)
    demo.catalogue.create_unit(office, "新增单位", UnitKind.TOWNSHIP.value)
    assert version(demo) == before + 1

    def fails():
        demo.cur.execute("UPDATE unit SET name = '改名' WHERE id = 1")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        db.in_transaction(demo.cur, fails)
    assert version(demo) == before + 1
    assert demo.catalogue.get_unit(office, 1).name != "改名"
    # a door refused inside its transaction leaves the version as well
    with pytest.raises(StaleRecord):
        demo.catalogue.update_unit(office, 1, 0, name="x")
    assert version(demo) == before + 1


def test_login_session_and_audit_only_writes_do_not_bump(demo):
    before = version(demo)
    office = actor_for(demo, "office")
    campaign = demo.catalogue.current_campaign(office)
    cached = assess(demo, office, campaign, AS_OF)
    auth = AuthService(demo)
    assert not auth.authenticate("office", "wrong-password").ok  # a failure and its count
    user = demo.accounts.login_record("office").user
    demo.accounts.start_session(user, "s" * 32)
    demo.accounts.touch_session("s" * 32)
    demo.accounts.end_session("s" * 32, "logout", user)
    demo.accounts.record_cookie_rejected("伪造的登录凭据")
    demo.oversight.record_file_event(office, "download", None, None, "文件：活动计划安排表")
    demo.oversight.record_file_event(office, "upload_refused", "upload", None, "文件：x.exe", False)
    demo.accounts.unlock_user(office, user.id)
    assert version(demo) == before
    misses = assessment.COMPLIANCE_CACHE.misses
    assert same(assess(demo, office, campaign, AS_OF), cached)
    assert assessment.COMPLIANCE_CACHE.misses == misses  # served from the cache


def test_bump_off_leaves_the_cache_and_bump_data_version_clears_it(demo):
    office = actor_for(demo, "office")
    campaign = demo.catalogue.current_campaign(office)
    unit_id = demo.catalogue.list_units(office)[0].id
    cached = assess(demo, office, campaign, AS_OF)

    def raw_adjustment():
        demo.cur.execute(
            "INSERT INTO score_adjustment (campaign_id, unit_id, delta, reason, created_by,"
            " created_at) VALUES (?, ?, 5, '直接写入', 'office', ?)",
            [campaign.id, unit_id, demo.clock()],
        )

    db.in_transaction(demo.cur, raw_adjustment, bump=False)
    assert same(assess(demo, office, campaign, AS_OF), cached)  # not told: still cached
    db.bump_data_version(demo.cur)
    after = assess(demo, office, campaign, AS_OF)
    assert not same(after, cached)
    assert same(after, fresh(demo, office, campaign)[0])


def test_a_second_connection_sees_a_bump_made_through_the_first(demo, clock):
    path = demo.cur.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()[0][0]
    other = Repository(db.cursor(duckdb.connect(path)), clock)
    office = actor_for(demo, "office")
    campaign = demo.catalogue.current_campaign(office)
    assert other.data_version() == demo.data_version()
    cached = assess(other, office, campaign, AS_OF)
    assessment.add_adjustment(
        demo, office, campaign, demo.catalogue.list_units(office)[0].id, 3, "表扬"
    )
    assert other.data_version() == demo.data_version()
    after = assess(other, office, campaign, AS_OF)
    assert not same(after, cached)
    assert same(after, fresh(other, office, campaign)[0])


def test_copies_of_one_database_file_never_share_results(demo, demo_template, tmp_path, clock):
    from tests.conftest import copy_demo

    path = tmp_path / "copy" / "demo.duckdb"
    path.parent.mkdir()
    copy_demo(demo_template, path)
    copy = Repository(db.cursor(db.connect(path)), clock)
    office = actor_for(demo, "office")
    campaign = demo.catalogue.current_campaign(office)
    assert copy.data_version()[1] == demo.data_version()[1]  # same counter, other file
    assert copy.data_version()[0] != demo.data_version()[0]
    assessment.add_adjustment(
        demo, office, campaign, demo.catalogue.list_units(office)[0].id, 3, "表扬"
    )
    copy_office = actor_for(copy, "office")
    db.bump_data_version(copy.cur)  # both files now at the same version
    assert copy.data_version()[1] == demo.data_version()[1]
    mine = assess(demo, office, campaign, AS_OF)
    theirs = assess(copy, copy_office, copy.catalogue.current_campaign(copy_office), AS_OF)
    assert not same(mine, theirs)  # the adjustment is in one file only


# ------------------------------------------------------------------ writes invalidate
def _submit(repo, campaign, tmp_path):
    """罗市镇 (unit3, not declared in the demo) submits its 申报表."""
    unit3 = actor_for(repo, "unit3")
    office = actor_for(repo, "office")
    campaign = open_declarations(repo, office)
    theme = {
        "title": "乡村振兴政策宣讲",
        "planned_month": 12,
        "form": "政策发布",
        "summary": "",
        "contact": "王建华 0739-5321103",
    }
    declaration_id = repo.declarations.save_declaration(
        unit3,
        campaign.id,
        unit3.unit_id,
        None,
        contact_person="王建华",
        contact_phone="0739-5321103",
        themes=[theme],
    )
    store = FileStore(tmp_path / "uploads")
    declarations.upload_scan(repo, unit3, declaration_id, PDF, "申报表.pdf", store)
    return lambda: declarations.submit(repo, unit3, campaign, declaration_id)


def _approve(repo, campaign, tmp_path):
    office = actor_for(repo, "office")
    unit2 = actor_for(repo, "unit2")
    declaration = repo.declarations.list_declarations(unit2, campaign.id)[0]
    return lambda: repo.declarations.review_declaration(
        office, declaration.id, declaration.version, approve=True
    )


def _schedule(repo, campaign, tmp_path):
    unit1 = actor_for(repo, "unit1")
    activity = next(
        a for a in repo.activities.list_lifecycle(unit1, campaign.id) if a.status == "scheduled"
    )
    return lambda: activities.schedule(
        repo,
        unit1,
        campaign,
        activity.id,
        activity.version,
        activity_date=date(2026, 12, 10),
        place="城北街道便民服务中心",
        invitees=["人大代表", "市民群众"],
        expected_participants=40,
        off_month_reason="",
    )


def _chase(repo, campaign, tmp_path):
    office = actor_for(repo, "office")
    items = chase_items(repo, office, campaign, AS_OF)
    first = items.iloc[0]
    pair = (int(first["unit_id"]), str(first["item"]))
    return lambda: assessment.record_chases(repo, office, campaign, [pair], "电话催办")


def _adjust(repo, campaign, tmp_path):
    office = actor_for(repo, "office")
    unit_id = repo.catalogue.list_units(office)[0].id
    return lambda: assessment.add_adjustment(repo, office, campaign, unit_id, 2.5, "经验做法")


def _weights(repo, campaign, tmp_path):
    office = actor_for(repo, "office")
    current = repo.compliance.get_weights(office, campaign.id)
    changed = {**asdict(current), "declared_on_time": current.declared_on_time + 7}
    return lambda: assessment.set_weights(repo, office, campaign, changed, current)


def _override(repo, campaign, tmp_path):
    office = actor_for(repo, "office")
    holiday = WorkdayOverride(date(2026, 11, 25), False, "临时放假")
    return lambda: holidays.save_overrides(repo, office, [holiday])


WRITES = {
    "申报表提交": _submit,
    "申报表审核": _approve,
    "活动改期": _schedule,
    "标记已催办": _chase,
    "加减分": _adjust,
    "得分权重": _weights,
    "节假日调整": _override,
}


@pytest.mark.parametrize("prepare", WRITES.values(), ids=WRITES.keys())
@pytest.mark.parametrize("username", ["office", "unit1"])
def test_each_write_is_seen_by_the_next_read(demo, tmp_path, prepare, username):
    office = actor_for(demo, "office")
    campaign = demo.catalogue.current_campaign(office)
    write = prepare(demo, campaign, tmp_path)
    reader = actor_for(demo, username)
    campaign = demo.catalogue.current_campaign(office)  # the preparation may have changed its rules
    before = figures(demo, reader, campaign)
    assert same(figures(demo, reader, campaign)[0], before[0])  # now served from the cache
    write()
    campaign = demo.catalogue.current_campaign(office)
    after = figures(demo, reader, campaign)
    expected = fresh(demo, reader, campaign)
    assert same(after[0], expected[0])
    assert after[1].equals(expected[1])
    assert after[2:] == expected[2:]
    if username == "office":  # every one of these writes changes what the office sees
        assert not (same(after[0], before[0]) and after[1].equals(before[1]))
    if prepare in (_approve, _schedule, _override):  # these change the board too
        assert after[2:] != before[2:] or username != "office"


def test_a_units_cached_result_follows_a_write_about_that_unit(demo):
    office, unit1 = actor_for(demo, "office"), actor_for(demo, "unit1")
    campaign = demo.catalogue.current_campaign(office)
    score = assess(demo, unit1, campaign, AS_OF).units["score"].iloc[0]
    assessment.add_adjustment(demo, office, campaign, unit1.unit_id, 4, "专项工作")
    units = assess(demo, unit1, campaign, AS_OF).units
    assert list(units["unit_id"]) == [unit1.unit_id]
    assert units["score"].iloc[0] == pytest.approx(score + 4)


# ------------------------------------------------------------------ scope
def test_two_units_never_share_a_cached_result(demo):
    office = actor_for(demo, "office")
    unit1, unit2 = actor_for(demo, "unit1"), actor_for(demo, "unit2")
    campaign = demo.catalogue.current_campaign(office)
    everyone = assess(demo, office, campaign, AS_OF)  # the office's result first
    assert len(everyone.units) > 2
    for unit in (unit1, unit2, unit1):
        result = assess(demo, unit, campaign, AS_OF)
        assert set(result.units["unit_id"]) == {unit.unit_id}
        assert set(result.activities["unit_id"]) <= {unit.unit_id}
        items = chase_items(demo, unit, campaign, AS_OF)
        assert set(items["unit_id"]) <= {unit.unit_id}
        shown = activities.lifecycle(demo, unit, campaign.id)
        assert {a.unit_id for a in shown} <= {unit.unit_id}
        cards = assessment.board_cards(demo, unit, campaign, AS_OF)
        assert set(cards) == {a.id for a in shown}
        assert "last_chased_at" not in items or items["last_chased_at"].isna().all()
    assert len(assessment.COMPLIANCE_CACHE) == 3  # office, unit1, unit2
    leader = actor_for(demo, "leader")
    misses = assessment.COMPLIANCE_CACHE.misses
    assert same(assess(demo, leader, campaign, AS_OF), everyone)  # leaders share the office's
    assert assessment.COMPLIANCE_CACHE.misses == misses


def test_as_of_date_and_campaign_rules_are_part_of_the_key(demo):
    office = actor_for(demo, "office")
    campaign = demo.catalogue.current_campaign(office)
    today = assess(demo, office, campaign, AS_OF)
    later = assess(demo, office, campaign, date(2026, 12, 31))
    assert later.as_of == date(2026, 12, 31) and today.as_of == AS_OF
    stricter = replace(campaign, rules=campaign.rules.with_changes(plan_days_before=20))
    assert assess(demo, office, stricter, AS_OF) is not None
    assert len(assessment.COMPLIANCE_CACHE) == 3


def test_changing_what_was_returned_leaves_the_cached_copy(demo):
    office = actor_for(demo, "office")
    campaign = demo.catalogue.current_campaign(office)
    first = assess(demo, office, campaign, AS_OF)
    first.units["score"] = -1.0
    del first.activities["title"]
    again = assess(demo, office, campaign, AS_OF)
    assert (again.units["score"] != -1.0).any() and "title" in again.activities


# ------------------------------------------------------------------ the cache itself
def test_the_cache_is_bounded_and_drops_older_versions():
    cache = caching.LruCache("test", maxsize=3)
    for n in range(5):
        assert cache.get("db", 1, (n,), lambda n=n: n * 10) == n * 10
    assert len(cache) == 3
    assert cache.get("db", 1, (4,), lambda: "again") == 40  # kept: the newest
    assert cache.get("db", 1, (0,), lambda: "again") == "again"  # evicted: the oldest
    cache.get("other", 9, (0,), lambda: "x")
    cache.get("db", 2, (0,), lambda: "new")
    assert {k[:2] for k in cache._entries} == {("db", 2), ("other", 9)}
    cache.get("db", 1, (7,), lambda: "late")  # computed before the write: not kept
    assert ("db", 1, 7) not in cache._entries


def test_dashboard_charts_follow_writes(demo, tmp_path):
    office = actor_for(demo, "office")
    campaign = demo.catalogue.current_campaign(office)

    def specs():
        units = dashboard.unit_charts(demo, office, campaign, AS_OF, None)
        progress = dashboard.progress_charts(demo, office, campaign, AS_OF)
        return units.ranking.to_dict(), progress.by_month.to_dict()

    before = specs()
    assert dashboard.unit_charts(demo, office, campaign, AS_OF, None) is (
        dashboard.unit_charts(demo, office, campaign, AS_OF, None)
    )  # built once
    unit_id = demo.catalogue.list_units(office)[-1].id
    assessment.add_adjustment(demo, office, campaign, unit_id, 50, "重大贡献")
    _approve(demo, campaign, tmp_path)()  # 区教育局's activities join the charts
    after = specs()
    with caching.disabled():
        expected = specs()
    assert after == expected
    assert after[0] != before[0] and after[1] != before[1]


def test_sessions_asking_for_one_key_at_once_compute_it_once():
    cache = caching.LruCache("test", maxsize=4)
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow():
        calls.append(1)
        started.set()
        release.wait(10)
        return "result"

    results = []
    first = threading.Thread(target=lambda: results.append(cache.get("db", 1, ("k",), slow)))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=lambda: results.append(cache.get("db", 1, ("k",), slow)))
    second.start()
    assert cache.get("db", 1, ("other",), lambda: "free") == "free"  # other keys do not wait
    release.set()
    first.join(10)
    second.join(10)
    assert results == ["result", "result"] and len(calls) == 1


def test_a_failed_computation_is_not_cached():
    cache = caching.LruCache("test", maxsize=4)

    def fails():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        cache.get("db", 1, ("k",), fails)
    assert len(cache) == 0
    assert cache.get("db", 1, ("k",), lambda: "ok") == "ok"


def test_a_fill_pauses_the_collector_and_always_turns_it_back_on():
    cache = caching.LruCache("test", maxsize=4)
    seen = []
    assert gc.isenabled()
    assert cache.get("db", 1, ("a",), lambda: seen.append(gc.isenabled()) or "a") == "a"

    def fails():
        seen.append(gc.isenabled())
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        cache.get("db", 1, ("b",), fails)
    assert seen == [False, False] and gc.isenabled()
    inside, leave = threading.Event(), threading.Event()

    def slow():  # a second fill on another thread, still running when the first ends
        inside.set()
        leave.wait(10)
        return "slow"

    other = threading.Thread(target=lambda: cache.get("db", 1, ("c",), slow))
    other.start()
    inside.wait(10)
    cache.get("db", 1, ("d",), lambda: "d")
    assert not gc.isenabled()  # the other fill is still inside
    leave.set()
    other.join(10)
    assert gc.isenabled()
    gc.disable()  # a process that runs without the collector keeps it off
    try:
        cache.get("db", 1, ("e",), lambda: "e")
        assert not gc.isenabled()
    finally:
        gc.enable()


# ------------------------------------------------------------------ 活动计划 and 活动进展
def plan_and_overview(repo, actor, campaign):
    """(全年计划, 活动进展's rows, its deadlines) as the pages read them."""
    rows, dues = activities.overview(repo, actor, campaign, declarations.calendar(repo, actor))
    return activities.plan(repo, actor, campaign.id), rows, dues


def same_overview(a, b) -> bool:
    return a[0] == b[0] and a[1].equals(b[1]) and a[2].equals(b[2])


@pytest.mark.parametrize("prepare", WRITES.values(), ids=WRITES.keys())
@pytest.mark.parametrize("username", ["office", "unit1"])
def test_plan_and_overview_follow_each_write(demo, tmp_path, prepare, username):
    office = actor_for(demo, "office")
    campaign = demo.catalogue.current_campaign(office)
    write = prepare(demo, campaign, tmp_path)
    reader = actor_for(demo, username)
    campaign = demo.catalogue.current_campaign(office)
    before = plan_and_overview(demo, reader, campaign)
    misses = activities.PLAN_CACHE.misses, activities.OVERVIEW_CACHE.misses
    assert same_overview(plan_and_overview(demo, reader, campaign), before)
    assert (activities.PLAN_CACHE.misses, activities.OVERVIEW_CACHE.misses) == misses
    write()
    campaign = demo.catalogue.current_campaign(office)
    after = plan_and_overview(demo, reader, campaign)
    with caching.disabled():
        expected = plan_and_overview(demo, reader, campaign)
    assert same_overview(after, expected)
    if prepare in (_approve, _schedule, _override) and username == "office":
        assert not same_overview(after, before)


def test_units_never_share_a_cached_plan_or_overview(demo):
    office, leader = actor_for(demo, "office"), actor_for(demo, "leader")
    unit1, unit2 = actor_for(demo, "unit1"), actor_for(demo, "unit2")
    campaign = demo.catalogue.current_campaign(office)
    everyone = plan_and_overview(demo, office, campaign)
    assert len({a.unit_id for a in everyone[0]}) > 1
    for unit in (unit1, unit2, unit1):
        plan, rows, dues = plan_and_overview(demo, unit, campaign)
        assert {a.id for a in plan} == {a.id for a in everyone[0]}  # the plan is public
        assert all(a.contact == "" for a in plan if a.unit_id != unit.unit_id)
        assert plan == demo.declarations.list_plan(unit, campaign.id)
        assert set(rows["unit_id"]) <= {unit.unit_id}
        assert set(dues.index) == set(rows["id"])
    assert len(activities.PLAN_CACHE) == 3  # office, unit1, unit2
    misses = activities.PLAN_CACHE.misses, activities.OVERVIEW_CACHE.misses
    assert same_overview(plan_and_overview(demo, leader, campaign), everyone)
    assert (activities.PLAN_CACHE.misses, activities.OVERVIEW_CACHE.misses) == misses


def test_the_overview_is_recomputed_on_the_next_day(demo, clock):
    office = actor_for(demo, "office")
    campaign = demo.catalogue.current_campaign(office)
    cal = declarations.calendar(demo, office)
    activities.overview(demo, office, campaign, cal)
    clock.advance(hours=2)  # the same day: the same entry
    misses = activities.OVERVIEW_CACHE.misses
    activities.overview(demo, office, campaign, cal)
    assert activities.OVERVIEW_CACHE.misses == misses
    clock.advance(days=40)
    later = activities.overview(demo, office, campaign, cal)
    assert activities.OVERVIEW_CACHE.misses == misses + 1
    with caching.disabled():
        expected = activities.overview(demo, office, campaign, cal)
    assert later.dues.equals(expected.dues)
