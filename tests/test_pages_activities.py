"""AppTest: 本单位活动 (a unit carries out its activities) and 活动进展 (office, leadership).

Each test makes its own 2023 campaign (the current one) with approved 申报表 for
城北街道 (unit1) and 区教育局 (unit2), so it does not depend on the demo's activities.
2023 lies wholly in the past: any date in it may be recorded as held.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.helpers import page_at, texts, titles
from tests.sample_files import PDF
from themeday.core.domain import DAXIANG_2023, DeclarationStatus
from themeday.core.records import Activity, Campaign
from themeday.repository import Repository
from themeday.services import activities
from themeday.services.activities import Upload
from themeday.ui.activity_widgets import showcase_site

YEAR = 2023
MARKING_LABEL = (
    "现场标识照片（宣传横幅、电子屏标注“政务公开主题日”字样，"
    "JPG、PNG 或 HEIC，可多选，每个不超过 15 MB）"
)
"""The 大祥区 preset's marking photo picker: its rule, then the formats and the photo cap."""


def png(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), colour).save(out, "PNG")
    return out.getvalue()


@dataclass
class World:
    repo: Repository
    campaign: Campaign
    mine: Activity
    second: Activity
    theirs: Activity

    def actor(self, username: str):
        return self.repo.accounts.login_record(username).user.as_actor()

    def fresh(self, activity: Activity) -> Activity:
        return self.repo.activities.get_activity(self.actor("office"), activity.id)


@pytest.fixture
def world(app_db) -> World:
    office = app_db.accounts.login_record("office").user.as_actor()
    campaign_id = app_db.catalogue.create_campaign(
        office,
        year=YEAR,
        region=DAXIANG_2023.region,
        title=f"大祥区{YEAR}年“政务公开主题日”活动",
        office_name=DAXIANG_2023.office_name,
        rules=DAXIANG_2023.rules,
        make_current=True,
    )
    themes = {
        "unit1": [
            {"title": "城区防汛应急政策发布", "planned_month": 6, "form": "政策发布"},
            {"title": "背街小巷改造现场观摩", "planned_month": 9, "form": "现场观摩"},
        ],
        "unit2": [{"title": "义务教育招生政策解读", "planned_month": 6, "form": "政策发布"}],
    }
    for username, rows in themes.items():
        app_db.declarations.create_declaration(
            office,
            campaign_id,
            app_db.accounts.login_record(username).user.unit_id,
            contact_person="刘晓燕",
            contact_phone="0739-5321101",
            status=DeclarationStatus.APPROVED,
            themes=[{"summary": "", "contact": "刘晓燕 0739-5321101", **r} for r in rows],
        )
    mine, second = app_db.activities.list_lifecycle(
        office, campaign_id, app_db.accounts.login_record("unit1").user.unit_id
    )
    (theirs,) = app_db.activities.list_lifecycle(
        office, campaign_id, app_db.accounts.login_record("unit2").user.unit_id
    )
    return World(app_db, app_db.catalogue.get_campaign(office, campaign_id), mine, second, theirs)


def open_page(world: World, page: str, username: str, activity: Activity | None = None) -> AppTest:
    at = page_at(page, world.repo, username)
    if activity is not None:
        at.query_params["activity"] = str(activity.id)
    return at.run()


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def widget(elements, label: str):
    return next(e for e in elements if e.label == label)


def messages(at: AppTest) -> str:
    return " ".join(texts(at, kind) for kind in ("error", "warning", "info", "success"))


def schedule(
    world: World, activity: Activity, day: date = date(YEAR, 6, 19), reason: str = ""
) -> None:
    unit = world.actor("unit1")
    activities.schedule(
        world.repo,
        unit,
        world.campaign,
        activity.id,
        world.fresh(activity).version,
        activity_date=day,
        place="城北街道便民服务中心",
        invitees=["人大代表", "市民群众"],
        expected_participants=40,
        off_month_reason=reason,
    )


def file_plan(world: World, activity: Activity) -> None:
    """unit1 files the activity's 活动方案 through the service."""
    activities.file_plan(
        world.repo,
        world.actor("unit1"),
        activity.id,
        world.fresh(activity).version,
        plan_text="活动方案正文",
    )


def hold(
    world: World, activity: Activity, held: date = date(YEAR, 6, 19), reason: str = ""
) -> None:
    """unit1 records the activity as held on ``held``, with a marking photo (and the
    调整原因 a held date outside the 计划月份 needs)."""
    activities.record_held(
        world.repo,
        world.actor("unit1"),
        world.campaign,
        activity.id,
        world.fresh(activity).version,
        held_date=held,
        attendance={"人大代表": 3, "市民群众": 30},
        marking_photos=[Upload(png("red"), "横幅.png")],
        off_month_reason=reason,
    )


def report(world: World, activity: Activity) -> None:
    """Take unit1's activity to 总结已报送 through the service (files in the app's store)."""
    schedule(world, activity)
    file_plan(world, activity)
    hold(world, activity)
    activities.file_report(
        world.repo,
        world.actor("unit1"),
        activity.id,
        world.fresh(activity).version,
        report_text="6月19日，城北街道举办防汛应急政策发布会。",
        photos=[Upload(png("blue"), "现场.png")],
    )


# ------------------------------------------------------------------ 本单位活动


def test_unit_without_approved_declaration_is_told_what_to_do(world):
    at = open_page(world, "unit_activities", "unit3")
    assert titles(at) == ["本单位活动"]
    assert "申报表审核通过后即可安排活动" in texts(at, "info")
    assert not at.selectbox


def test_unit_sees_only_its_own_activities_in_the_overview(world):
    at = open_page(world, "unit_activities", "unit1")
    assert not at.exception
    assert titles(at) == ["本单位活动"]
    options = at.selectbox[0].options
    assert len(options) == 2 and all("义务教育" not in o for o in options)
    assert "义务教育招生政策解读" not in str(at.main)


def test_lists_are_capped_and_searched(world, monkeypatch):
    monkeypatch.setattr("themeday.ui.activity_widgets.LIST_CAP", 2)
    at = open_page(world, "activity_oversight", "office")
    assert "共3项，仅显示前2项，请用筛选或搜索缩小范围。" in [c.value for c in at.caption]
    assert len(at.dataframe[0].value) == 2 and len(at.selectbox[0].options) == 2
    widget(at.text_input, "搜索活动").input("义务教育").run()
    assert not any("仅显示前" in c.value for c in at.caption)
    assert list(at.dataframe[0].value["活动主题"]) == ["义务教育招生政策解读"]
    assert at.selectbox[0].options == ["区教育局 义务教育招生政策解读 · 已申报"]
    widget(at.text_input, "搜索活动").input("城北街道 现场观摩").run()  # every word
    assert list(at.dataframe[0].value["活动主题"]) == ["背街小巷改造现场观摩"]
    widget(at.text_input, "搜索活动").input("没有这个活动").run()
    assert "没有符合条件的活动。" in texts(at, "info") and not at.dataframe

    monkeypatch.setattr("themeday.ui.activity_widgets.LIST_CAP", 1)
    at = open_page(world, "unit_activities", "unit1")
    assert "共2项，仅显示前1项，请用筛选或搜索缩小范围。" in [c.value for c in at.caption]
    widget(at.text_input, "搜索活动").input("防汛").run()
    assert list(at.dataframe[0].value["活动主题"]) == ["城区防汛应急政策发布"]
    assert at.selectbox[0].value == world.mine.id


@pytest.mark.parametrize(
    ("page", "username"), [("activity_oversight", "office"), ("unit_activities", "unit1")]
)
def test_deadlines_are_computed_once_per_rerun(world, monkeypatch, page, username):
    schedule(world, world.mine)
    calls = {"table": 0, "one": 0}
    table = activities.deadline_table

    def counted_table(*args, **kwargs):
        calls["table"] += 1
        return table(*args, **kwargs)

    def one(real):
        def counted(*args, **kwargs):
            calls["one"] += 1
            return real(*args, **kwargs)

        return counted

    monkeypatch.setattr(activities, "deadline_table", counted_table)
    monkeypatch.setattr(activities, "plan_deadline", one(activities.plan_deadline))
    monkeypatch.setattr(activities, "report_deadline", one(activities.report_deadline))
    at = open_page(world, page, username, world.mine)
    assert not at.exception and calls["table"] == 1
    assert "截止" in messages(at)  # the chosen activity's deadline is shown, from the table
    widget(at.text_input, "搜索活动").input("防汛").run()
    # 活动进展's table is shared until the next write (activities.overview): no rerun.
    assert calls["table"] == (1 if page == "activity_oversight" else 2)
    if page == "activity_oversight":
        assert calls["one"] == 0  # nothing is counted activity by activity


def test_unit_schedules_outside_the_planned_month_only_with_a_reason(world):
    at = open_page(world, "unit_activities", "unit1", world.mine)
    assert at.selectbox[0].value == world.mine.id
    widget(at.date_input, "活动日期").set_value(date(YEAR, 7, 10))
    widget(at.text_input, "活动地点").input("城北街道便民服务中心")
    widget(at.multiselect, "邀请对象").select("人大代表").select("新闻媒体")
    widget(at.number_input, "预计参加人数").set_value(50)
    at = click(at, "保存活动日期")
    assert "不在申报的计划月份（6月）内，请填写调整原因" in texts(at, "error")
    stored = world.fresh(world.mine)
    assert stored.activity_date is None and stored.status == "planned"
    assert widget(at.text_input, "活动地点").value == "城北街道便民服务中心"  # input kept

    widget(at.text_area, "调整原因").input("6月汛期值守任务重，推迟至7月举行。")
    at = click(at, "保存活动日期")
    assert not at.exception
    assert "活动日期已确定为2023年7月10日" in texts(at, "success")
    stored = world.fresh(world.mine)
    assert stored.status == "scheduled" and stored.activity_date == date(YEAR, 7, 10)
    assert stored.off_month and stored.off_month_reason == "6月汛期值守任务重，推迟至7月举行。"
    assert stored.invitees == ("人大代表", "新闻媒体") and stored.expected_participants == 50
    assert "改期" in texts(at, "warning")


def test_unit_files_the_plan_with_a_document_and_sees_the_deadline(world):
    schedule(world, world.mine)
    at = open_page(world, "unit_activities", "unit1", world.mine)
    assert "活动方案：截止 2023年6月" in messages(at)
    widget(at.text_area, "活动方案内容").input("一、活动目的……二、时间地点……")
    uploader = next(u for u in at.file_uploader if u.label.startswith("方案附件"))
    uploader.set_value(("活动方案.pdf", PDF, "application/pdf"))
    at = click(at, "报送活动方案")
    assert not at.exception
    assert "活动方案已报送" in texts(at, "success")
    stored = world.fresh(world.mine)
    assert stored.status == "plan_filed" and stored.plan_text.startswith("一、活动目的")
    files = world.repo.activities.list_activity_files(world.actor("unit1"), world.mine.id)
    assert [(f.kind, f.original_name) for f in files] == [("plan", "活动方案.pdf")]
    assert "报送" in messages(at) and "截止" in messages(at)

    # filing again updates the text and keeps the first filing time
    assert "报送时间仍以首次报送为准" in " ".join(c.value for c in at.caption)
    widget(at.text_area, "活动方案内容").input("修改后的方案")
    at = click(at, "更新活动方案")
    again = world.fresh(world.mine)
    assert again.plan_text == "修改后的方案" and again.plan_filed_at == stored.plan_filed_at


def test_a_stale_edit_is_refused_and_the_input_is_kept(world):
    schedule(world, world.mine)
    at = open_page(world, "unit_activities", "unit1", world.mine)
    widget(at.text_area, "活动方案内容").input("我的方案")
    schedule(world, world.mine, day=date(YEAR, 6, 26))  # someone else saves first
    at = click(at, "报送活动方案")
    assert "已被他人修改" in texts(at, "error")
    assert world.fresh(world.mine).plan_text == ""
    assert widget(at.text_area, "活动方案内容").value == "我的方案"


def test_unit_records_the_activity_held_with_the_marking_photo(world):
    schedule(world, world.mine)
    file_plan(world, world.mine)
    at = open_page(world, "unit_activities", "unit1", world.mine)
    marking = MARKING_LABEL
    widget(at.number_input, "人大代表").set_value(3)
    widget(at.number_input, "市民群众").set_value(25)
    at = click(at, "保存开展情况")
    assert "现场展示“政务公开主题日”标识" in texts(at, "error")
    assert world.fresh(world.mine).status == "plan_filed"

    widget(at.file_uploader, marking).set_value(("横幅.png", png(), "image/png"))
    at = click(at, "保存开展情况")
    assert not at.exception
    assert "开展情况已保存" in texts(at, "success")
    stored = world.fresh(world.mine)
    assert stored.status == "held" and stored.attendance == {"人大代表": 3, "市民群众": 25}
    assert at.get("imgs") or at.get("image")  # the thumbnail of the uploaded photo


def _held_form(world):
    schedule(world, world.mine)
    file_plan(world, world.mine)
    at = open_page(world, "unit_activities", "unit1", world.mine)
    widget(at.number_input, "市民群众").set_value(25)
    return at, MARKING_LABEL


def audit_rows(world, action: str) -> list[tuple]:
    return world.repo.cur.execute(
        "SELECT username, success, object_type, detail FROM audit_log WHERE action = ?",
        [action],
    ).fetchall()


def test_a_refused_photo_is_audited_with_the_reason_shown(world):
    at, marking = _held_form(world)
    widget(at.file_uploader, marking).set_value(("横幅.png", b"<svg onload=x>", "image/png"))
    at = click(at, "保存开展情况")
    shown = texts(at, "error")
    assert "横幅.png" in shown and world.fresh(world.mine).status == "plan_filed"
    [(username, success, object_type, detail)] = audit_rows(world, "upload_refused")
    assert (username, success, object_type) == ("unit1", False, "upload")
    assert detail.startswith("文件：横幅.png；类型：照片；原因：")
    reason = detail.split("原因：", 1)[1]
    assert reason and reason in shown  # the reason the user was shown


def test_a_photo_that_cannot_be_stored_says_so_not_system_busy(world, monkeypatch):
    from themeday.formats.uploads import FileStore

    def disk_full(self, data, fmt):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileStore, "save", disk_full)
    at, marking = _held_form(world)
    widget(at.file_uploader, marking).set_value(("横幅.png", png(), "image/png"))
    at = click(at, "保存开展情况")
    assert not at.exception
    shown = texts(at, "error")
    assert "文件保存失败：“横幅.png”未能写入存储（存储空间已满）" in shown
    assert "系统繁忙" not in shown
    assert world.fresh(world.mine).status == "plan_filed"
    assert [r[:3] for r in audit_rows(world, "upload_failed")] == [("unit1", False, "upload")]


def test_unit_report_needs_a_photo(world):
    """The report's photo upload at service level; the page shows the rule and refuses."""
    schedule(world, world.mine)
    file_plan(world, world.mine)
    hold(world, world.mine)
    at = open_page(world, "unit_activities", "unit1", world.mine)
    assert "活动总结：截止 2023年6月" in messages(at)
    widget(at.text_area, "情况报告或新闻稿").input("活动情况……")
    at = click(at, "报送活动总结")
    assert "须附至少一张活动照片" in texts(at, "error")
    next(u for u in at.file_uploader if u.label.startswith("活动照片")).set_value(
        [("现场1.png", png("blue"), "image/png"), ("现场2.png", png("green"), "image/png")]
    )
    at = click(at, "报送活动总结")
    assert "活动总结已报送" in texts(at, "success")
    assert world.fresh(world.mine).status == "reported"
    kinds = [
        f.kind
        for f in world.repo.activities.list_activity_files(world.actor("unit1"), world.mine.id)
    ]
    assert kinds.count("photo") == 2


def test_unit_cancels_only_with_a_reason(world):
    at = open_page(world, "unit_activities", "unit1", world.second)
    at = click(at, "确认取消活动")
    assert "取消活动须填写取消原因" in texts(at, "error")
    assert world.fresh(world.second).status == "planned"
    widget(at.text_area, "取消原因").input("主办场地改建，本年度无法举办。")
    at = click(at, "确认取消活动")
    assert world.fresh(world.second).status == "cancelled"
    assert "取消原因" in texts(at, "error")


def test_unit_cannot_open_another_units_activity_by_address(world):
    at = open_page(world, "unit_activities", "unit1", world.theirs)
    assert not at.exception
    assert "不属于本单位" in texts(at, "warning")
    assert "义务教育招生政策解读" not in str(at.main)
    assert all("义务教育" not in o for o in at.selectbox[0].options)


def test_unit_replies_to_the_office_comment(world):
    world.repo.activities.add_comment(
        world.actor("office"), world.mine.id, "请补充邀请人大代表名单。"
    )
    at = open_page(world, "unit_activities", "unit1", world.mine)
    assert "请补充邀请人大代表名单。" in [t.value for t in at.text]
    widget(at.text_area, "回复政务公开办").input("已补充，见活动方案附件。")
    at = click(at, "发表意见")
    bodies = [
        c.body for c in world.repo.activities.list_comments(world.actor("unit1"), world.mine.id)
    ]
    assert bodies == ["请补充邀请人大代表名单。", "已补充，见活动方案附件。"]


# ------------------------------------------------------------------ 活动进展


def test_office_publishes_and_marks_a_typical_case(world):
    report(world, world.mine)
    at = open_page(world, "activity_oversight", "office", world.mine)
    assert titles(at) == ["活动进展"]
    assert at.selectbox[0].value == world.mine.id
    widget(at.text_input, "门户网站文章地址（可选）").input("www.dxq.gov.cn/a.html")
    at = click(at, "发布到成果展示")
    assert "须以 http:// 或 https:// 开头" in texts(at, "error")
    assert world.fresh(world.mine).status == "reported"

    widget(at.text_input, "门户网站文章地址（可选）").input("https://www.dxq.gov.cn/a.html")
    at = click(at, "发布到成果展示")
    assert "已发布到成果展示" in texts(at, "success")
    stored = world.fresh(world.mine)
    assert stored.status == "published" and stored.portal_url == "https://www.dxq.gov.cn/a.html"

    at = click(at, "标记为典型经验")
    assert world.fresh(world.mine).typical_case
    assert any(b.label == "取消典型经验标记" for b in at.button)
    at = click(at, "撤回发布")
    assert world.fresh(world.mine).status == "reported"


def test_office_filters_and_comments(world):
    schedule(world, world.mine, day=date(YEAR, 7, 3), reason="场地调整")
    at = open_page(world, "activity_oversight", "office")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["已定日期"] == "1" and metrics["已申报"] == "2"
    widget(at.checkbox, "只看改期").check()
    at.run()
    assert [o for o in at.selectbox[0].options] == [
        "城北街道办事处 城区防汛应急政策发布 · 已定日期"
    ]
    assert "改期" in texts(at, "warning")
    widget(at.text_area, "填写意见（单位可见并可回复）").input("改期原因请写具体。")
    at = click(at, "发表意见")
    assert "意见已发表" in texts(at, "success")
    assert [
        c.body for c in world.repo.activities.list_comments(world.actor("unit1"), world.mine.id)
    ] == ["改期原因请写具体。"]


def test_the_month_filter_goes_by_the_held_date(world):
    """活动月份 is the month the activity was held in once that is recorded (as on
    看板视图), not the month it was scheduled for."""
    schedule(world, world.mine, day=date(YEAR, 6, 30))
    file_plan(world, world.mine)
    hold(world, world.mine, held=date(YEAR, 7, 3), reason="雨天顺延")
    at = open_page(world, "activity_oversight", "office")
    months = widget(at.multiselect, "活动月份")
    assert months.options == ["6月", "7月", "9月"]  # held 7月; 6月 is unit2's theme
    months.set_value([7]).run()
    assert [o for o in at.selectbox[0].options] == ["城北街道办事处 城区防汛应急政策发布 · 已开展"]


def test_leader_sees_progress_without_any_write_control(world):
    report(world, world.mine)
    world.repo.activities.add_comment(world.actor("office"), world.mine.id, "材料齐全。")
    at = open_page(world, "activity_oversight", "leader", world.mine)
    assert not at.exception
    assert titles(at) == ["活动进展"]
    assert at.selectbox[0].value == world.mine.id
    assert "材料齐全。" in [t.value for t in at.text]
    assert not at.button  # no form submit buttons, no 发布 / 典型经验 / 撤回
    assert not at.text_area
    assert [t.label for t in at.text_input] == ["搜索活动"]  # a filter, writes nothing
    downloads = [d.label for d in at.get("download_button")]
    assert downloads and all(label.startswith("下载") for label in downloads)
    assert "导出成果展示网页（ZIP）" not in downloads


def test_a_photo_is_read_on_click_and_its_download_audited(world, downloads):
    report(world, world.mine)
    at = open_page(world, "activity_oversight", "leader", world.mine)
    assert world.repo.cur.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'download'"
    ).fetchone() == (0,)
    data = downloads.click(at, "下载原图")
    assert Image.open(io.BytesIO(data)).size == (120, 80)
    [(username, object_type, object_id, detail)] = world.repo.cur.execute(
        "SELECT username, object_type, object_id, detail FROM audit_log WHERE action = 'download'"
    ).fetchall()
    files = world.repo.activities.list_activity_files(world.actor("office"), world.mine.id)
    first = files[0]  # 现场标识照片 come first, then 活动照片
    assert (first.kind, username, object_type) == ("marking", "leader", "attachment")
    assert object_id == str(first.id)
    assert detail.startswith(f"文件：现场标识照片（{first.original_name}）")


def test_office_exports_the_showcase_site(world, downloads):
    report(world, world.mine)
    activities.publish(
        world.repo, world.actor("office"), world.mine.id, world.fresh(world.mine).version
    )
    at = open_page(world, "activity_oversight", "office")
    assert "导出成果展示网页（ZIP）" in [d.label for d in at.get("download_button")]
    assert "已发布 1 个活动" in " ".join(c.value for c in at.caption)
    # what the button builds when clicked, and its audit row
    data = downloads.click(at, "导出成果展示网页（ZIP）")
    assert data == showcase_site(world.repo, world.campaign)
    [detail] = world.repo.cur.execute(
        "SELECT detail FROM audit_log WHERE action = 'download' AND username = 'office'"
    ).fetchone()
    assert detail.startswith("文件：成果展示网页（ZIP）；活动：2023年 · ") and "行数：1；" in detail
    with zipfile.ZipFile(io.BytesIO(data)) as site:
        names = site.namelist()
        index = site.read("index.html").decode("utf-8")
    assert f"activity-{world.mine.id}.html" in names
    assert any(n.startswith("media/") for n in names)
    assert f"大祥区{YEAR}年“政务公开主题日”活动成果展示" in index


@pytest.mark.parametrize("username", ["unit1", "leader"])
def test_oversight_is_closed_to_units_and_unit_page_to_others(world, username):
    page = "activity_oversight" if username == "unit1" else "unit_activities"
    at = open_page(world, page, username)
    assert titles(at) == []
    assert "无权访问" in texts(at, "error")


# ------------------------------------------------------------------ dates that follow (issue 13)
def test_picking_a_date_says_its_consequence_before_saving(world):
    """2023 lies in the past: the date picked is said to be past, with the plan's
    lateness, while nothing is saved yet."""
    at = open_page(world, "unit_activities", "unit1", world.mine)
    widget(at.date_input, "活动日期").set_value(date(YEAR, 6, 19)).run()
    warnings = texts(at, "warning")
    assert "按此日期保存：2023年6月19日已是过去的日期" in warnings
    assert "活动方案将逾期" in warnings and "截止2023年6月12日" in warnings
    assert world.fresh(world.mine).activity_date is None  # nothing saved
    widget(at.text_input, "活动地点").input("城北街道便民服务中心")
    widget(at.multiselect, "邀请对象").select("市民群众")
    at = click(at, "保存活动日期")
    assert "活动日期已确定为2023年6月19日" in texts(at, "success")
    assert world.fresh(world.mine).activity_date == date(YEAR, 6, 19)


def test_held_earlier_outside_the_month_moves_the_date_with_a_reason(world):
    schedule(world, world.mine, day=date(YEAR, 6, 26))
    file_plan(world, world.mine)
    at = open_page(world, "unit_activities", "unit1", world.mine)
    widget(at.date_input, "实际开展日期").set_value(date(YEAR, 5, 30))
    widget(at.number_input, "市民群众").set_value(25)
    marking = next(u for u in at.file_uploader if u.label.startswith("现场标识照片"))
    marking.set_value(("横幅.png", png(), "image/png"))
    at = click(at, "保存开展情况")
    assert "实际开展日期不在申报的计划月份（6月）内，请填写调整原因" in texts(at, "error")
    assert world.fresh(world.mine).status == "plan_filed"
    assert widget(at.number_input, "市民群众").value == 25  # input kept
    widget(at.text_area, "开展日期调整原因").input("场地提前腾出，5月底举行。")
    at = click(at, "保存开展情况")
    assert "开展情况已保存" in texts(at, "success")
    stored = world.fresh(world.mine)
    assert stored.day == date(YEAR, 5, 30) and stored.off_month
    shown = " ".join(t.value for t in at.text)
    assert "活动日期：2023年5月30日" in shown and "原定日期：2023年6月26日" in shown
    assert "改期" in texts(at, "warning")
    # filed in 2026 for 2023: late against 06-16, the due date in force when it fell due
    assert "逾期" in messages(at) and "截止 2023年6月16日" in messages(at)


def test_a_unit_removes_a_wrong_marking_photo_after_confirming(world):
    schedule(world, world.mine)
    file_plan(world, world.mine)
    hold(world, world.mine)
    hold(world, world.mine)  # a second 横幅.png: one of them is wrong
    at = open_page(world, "unit_activities", "unit1", world.mine)
    removes = [b for b in at.button if b.label == "删除"]
    assert len(removes) == 2
    removes[0].click()
    at = at.run()
    assert "确定删除“横幅.png”？" in texts(at, "warning")
    at = click(at, "确认删除")
    assert not at.exception
    assert "已删除“横幅.png”" in texts(at, "success")
    files = world.repo.activities.list_activity_files(world.actor("unit1"), world.mine.id)
    assert len(files) == 1
    assert not [b for b in at.button if b.label == "删除"]  # the last one stays


def test_each_picker_shows_the_cap_it_enforces_and_dates_stay_in_the_year(world):
    """Issue 16: a picker's label names its kind's own cap, the same one Streamlit
    enforces (not the server's 300 MB); date fields offer only the campaign's year."""
    schedule(world, world.mine)
    file_plan(world, world.mine)
    hold(world, world.mine)
    at = open_page(world, "unit_activities", "unit1", world.mine)
    caps = {u.label.split("（")[0]: u.proto.max_upload_size_mb for u in at.file_uploader}
    assert caps == {
        "现场标识照片": 15,
        "活动照片": 15,
        "活动视频": 300,
        "总结附件": 20,
    }
    for uploader in at.file_uploader:
        assert f"不超过 {uploader.proto.max_upload_size_mb} MB）" in uploader.label
    days = {d.label: (d.min, d.max, d.proto.format) for d in at.date_input}
    year = (date(YEAR, 1, 1), date(YEAR, 12, 31), "YYYY-MM-DD")
    assert days == {"实际开展日期": year}

    schedule(world, world.second, reason="与防汛工作错开")
    at = open_page(world, "unit_activities", "unit1", world.second)
    [plan] = [u for u in at.file_uploader if u.label.startswith("方案附件（")]
    assert plan.proto.max_upload_size_mb == 20
    assert plan.label == "方案附件（可选，PDF 或 DOCX，可多选，每个不超过 20 MB）"
    [day] = at.date_input
    assert (day.label, day.min, day.max, day.proto.format) == ("活动日期", *year)
