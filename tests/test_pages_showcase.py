"""AppTest: the public 成果展示 page, for visitors who are not logged in."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.conftest import FakeClock, actor_for
from tests.helpers import visit
from themeday.core.config import TZ
from themeday.core.domain import SYSTEM_ACTOR, DeclarationStatus
from themeday.dev.setup import DEMO_UNITS
from themeday.formats.uploads import FileStore
from themeday.repository import Repository
from themeday.services import activities
from themeday.services.activities import Upload
from themeday.services.declarations import uploads_root

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60
TITLE = "“政务公开主题日”活动成果展示"
NOT_PUBLIC = "该活动不存在或尚未公开。"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_LINK = "[点此领取补贴](javascript:alert(1)) **加粗** <script>alert(1)</script>"


def nodes(at: AppTest) -> list:
    return [*at.main, *at.sidebar]


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def everything(at: AppTest) -> bytes:
    """Every element the page sent, as the bytes the browser would get."""
    protos = [getattr(n, "proto", None) for n in nodes(at)]
    return b"".join(p.SerializeToString() for p in protos if p is not None)


def images(at: AppTest) -> list:
    return [n for n in nodes(at) if n.type == "image"]


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), colour).save(out, "JPEG")
    return out.getvalue()


def publish_new(
    app_db: Repository,
    title: str,
    *,
    unit_index: int = 2,
    report: str = "11月10日，活动在镇政府会议室举行。",
    portal_url: str = "",
    video: bytes | None = None,
) -> int:
    """A new approved theme of a demo unit, carried out and published through the
    service on a clock in the past; returns its activity id."""
    office = actor_for(app_db, "office")
    campaign = app_db.catalogue.current_campaign(office)
    name, _, person, phone = DEMO_UNITS[unit_index]
    unit_id = next(u.id for u in app_db.catalogue.list_units(office) if u.name == name)
    clock = FakeClock(datetime(2026, 10, 20, 9, tzinfo=TZ))
    repo = Repository(app_db.cur, clock)
    repo.declarations.create_declaration(
        office,
        campaign.id,
        unit_id,
        contact_person=person,
        contact_phone=phone,
        status=DeclarationStatus.APPROVED,
        submitted_at=clock(),
        late_workdays=0,
        themes=[
            {
                "title": title,
                "planned_month": 11,
                "form": "座谈交流",
                "summary": "",
                "contact": f"{person} {phone}",
            }
        ],
    )
    (activity,) = [
        a for a in repo.activities.list_lifecycle(office, campaign.id, unit_id) if a.title == title
    ]
    store = FileStore(uploads_root())  # where the app under test reads files from

    def version() -> int:
        return repo.activities.get_activity(office, activity.id).version

    activities.schedule(
        repo,
        office,
        campaign,
        activity.id,
        version(),
        activity_date=date(2026, 11, 10),
        place="镇政府二楼会议室",
        invitees=["人大代表", "市民群众"],
    )
    activities.file_plan(repo, office, activity.id, version(), plan_text="活动方案")
    clock.current = datetime(2026, 11, 10, 17, tzinfo=TZ)
    activities.record_held(
        repo,
        office,
        campaign,
        activity.id,
        version(),
        held_date=date(2026, 11, 10),
        attendance={"人大代表": 2, "市民群众": 20},
        marking_photos=[Upload(jpeg("red"), "横幅.jpg")],
        store=store,
    )
    clock.current = datetime(2026, 11, 12, 15, tzinfo=TZ)
    activities.file_report(
        repo,
        office,
        activity.id,
        version(),
        report_text=report,
        photos=[Upload(jpeg("blue"), "现场.jpg")],
        video=Upload(video, "活动视频.mp4") if video else None,
        store=store,
    )
    clock.current = datetime(2026, 11, 13, 10, tzinfo=TZ)
    activities.publish(repo, office, activity.id, version(), portal_url)
    return activity.id


def campaign_activities(app_db: Repository):
    """Every theme of the demo campaign: the approved ones at their stage, and the
    themes of 申报表 not approved yet (still ``planned``)."""
    campaign = app_db.catalogue.current_campaign(SYSTEM_ACTOR)
    return app_db.declarations.list_activities(SYSTEM_ACTOR, campaign.id)


# ------------------------------------------------------------------ the list


def test_a_logged_out_visitor_sees_only_published_activities(app_db):
    office = actor_for(app_db, "office")
    published = [a for a in campaign_activities(app_db) if a.status == "published"]
    # the office withdraws one and publishes a new one: the page follows the data
    withdrawn = published[0]
    app_db.activities.unpublish_activity(office, withdrawn.id, withdrawn.version)
    new_id = publish_new(app_db, "乡村振兴衔接资金使用情况座谈会")

    at = visit()
    assert not at.exception
    assert [t.value for t in at.title] == [TITLE]
    shown = texts(at)
    expected = {i.title for i in app_db.activities.list_showcase()}
    assert "乡村振兴衔接资金使用情况座谈会" in expected and withdrawn.title not in expected
    assert expected <= set(shown)
    for activity in campaign_activities(app_db):
        if activity.id != new_id and activity.status != "published":
            assert activity.title not in shown, activity.status
    assert [b.label for b in at.button].count("查看详情") == len(expected)
    assert len(images(at)) == len(expected)  # a thumbnail on each card
    assert "工作人员登录" in " ".join(m.value for m in at.markdown)
    # newest first: the one just published leads
    assert shown[0] == "乡村振兴衔接资金使用情况座谈会"


def test_a_logged_in_user_sees_the_page_without_the_login_link(app_db):
    at = visit(username="unit1", app_db=app_db)
    assert not at.exception
    assert [t.value for t in at.title] == [TITLE]
    assert "工作人员登录" not in " ".join(m.value for m in at.markdown)


def test_filters_narrow_the_list(app_db):
    at = visit()
    unit = next(s for s in at.selectbox if s.label == "单位")
    chosen = unit.options[1]
    unit.set_value(chosen).run()
    expected = {i.title for i in app_db.activities.list_showcase(unit_name=chosen)}
    others = {i.title for i in app_db.activities.list_showcase()} - expected
    assert expected and expected <= set(texts(at))
    assert not others & set(texts(at))


def test_no_published_activity_says_so(app_db):
    office = actor_for(app_db, "office")
    for activity in campaign_activities(app_db):
        if activity.status == "published":
            app_db.activities.unpublish_activity(office, activity.id, activity.version)
    at = visit()
    assert not at.exception
    assert "暂无已发布的活动成果。" in [i.value for i in at.info]
    assert not at.selectbox


# ------------------------------------------------------------------ one activity


def test_details_button_opens_the_activity(app_db):
    at = visit()
    first = app_db.activities.list_showcase()[0]
    next(b for b in at.button if b.label == "查看详情").click().run()
    assert at.query_params["activity"] in (str(first.activity_id), [str(first.activity_id)])
    assert first.report_text.strip() in texts(at)
    next(b for b in at.button if b.label == "返回成果列表").click().run()
    assert "activity" not in at.query_params
    assert [b.label for b in at.button].count("查看详情") == len(app_db.activities.list_showcase())


def test_detail_shows_report_photos_portal_link_and_qr(app_db, monkeypatch):
    monkeypatch.setenv("THEMEDAY_PUBLIC_URL", "https://zwgk.example.cn/ztr/")
    item = next(i for i in app_db.activities.list_showcase() if i.portal_url)
    at = visit(item.activity_id)
    assert not at.exception
    shown = texts(at)
    assert item.title in shown and item.unit_name in shown and item.place in shown
    assert item.report_text.strip() in shown
    assert len(item.photo_ids) >= 2
    assert len(images(at)) == len(item.photo_ids) + 1  # every photo and the QR code
    qr = images(at)[-1].proto.imgs[0]
    assert qr.caption == "扫一扫在手机打开"
    address = f"https://zwgk.example.cn/ztr/showcase?activity={item.activity_id}"
    assert address in [c.value for c in at.code]
    links = [n for n in nodes(at) if n.type == "link_button"]
    assert [(n.proto.label, n.proto.url) for n in links] == [
        ("在政府门户网站查看原文", item.portal_url)
    ]


def test_typical_case_carries_its_badge(app_db):
    item = next(i for i in app_db.activities.list_showcase() if i.typical_case)
    at = visit(item.activity_id)
    badges = [n for n in nodes(at) if n.type == "markdown" and "典型经验" in n.value]
    assert badges


@pytest.mark.parametrize("status", ["reported", "held", "scheduled", "cancelled", "planned"])
def test_an_unpublished_activity_is_not_shown(app_db, status):
    activity = next(a for a in campaign_activities(app_db) if a.status == status)
    at = visit(activity.id)
    assert not at.exception
    assert [w.value for w in at.warning] == [NOT_PUBLIC]
    assert activity.title not in everything(at).decode("utf-8", "ignore")
    assert not images(at)


@pytest.mark.parametrize("value", ["999999", "abc", "-1", "1 OR 1=1", "", "１"])
def test_an_unknown_activity_is_not_shown(app_db, value):
    at = visit(value)
    assert not at.exception
    assert [w.value for w in at.warning] == [NOT_PUBLIC]


def test_a_missing_photo_file_does_not_break_the_page(app_db):
    item = app_db.activities.list_showcase()[0]
    attachment = app_db.activities.public_attachment(item.photo_ids[0])
    FileStore(uploads_root()).delete(attachment.stored_name)
    at = visit(item.activity_id)
    assert not at.exception and not at.error
    assert "图片暂时无法显示。" in [c.value for c in at.caption]
    assert attachment.stored_name not in everything(at).decode("utf-8", "ignore")


# ------------------------------------------------------------------ what must never show


def test_no_contact_person_or_phone_of_any_unit_appears(app_db):
    publish_new(app_db, "镇村规划政策座谈会")  # its declaration carries contact details
    pages = [visit()] + [visit(i.activity_id) for i in app_db.activities.list_showcase()]
    for at in pages:
        sent = everything(at)
        assert sent, "the page sent nothing"
        for _, _, person, phone in DEMO_UNITS:
            assert person.encode() not in sent and phone.encode() not in sent, person


def test_user_text_is_shown_as_literal_text(app_db):
    activity_id = publish_new(app_db, XSS_IMG, report=XSS_LINK)
    at = visit()
    assert XSS_IMG in texts(at)
    at = visit(activity_id)
    assert not at.exception
    assert XSS_IMG in texts(at) and XSS_LINK in texts(at)
    for kind in ("markdown", "caption", "title", "subheader", "warning", "info"):
        for element in getattr(at, kind):
            assert "onerror" not in element.value and "javascript:" not in element.value


def test_a_video_is_read_only_for_a_visitor_who_plays_it(app_db):
    from tests.sample_files import MP4

    activity_id = publish_new(app_db, "政务服务“好差评”座谈会", video=MP4)
    at = visit(activity_id)
    assert not at.exception
    assert not [n for n in nodes(at) if n.type == "video"]
    play = next(b for b in at.button if b.label == "播放视频")
    play.click().run()
    assert len([n for n in nodes(at) if n.type == "video"]) == 1
