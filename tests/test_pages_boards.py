"""AppTest: 看板视图 (kanban, calendar, photo wall) for the office, a unit and leadership.

The demo's current campaign (2026, 大祥区) has activities of several units; unit1 is
城北街道办事处, and 城南街道办事处's “背街小巷提质改造实地调研” is another unit's.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import actor_for, nodes, open_board, pick_month, texts, titles
from themeday.repository import Repository
from themeday.ui import board_widgets

OTHER_UNIT_TITLE = "背街小巷提质改造实地调研"  # 城南街道办事处
UNIT1 = "城北街道办事处"


def shown(at: AppTest) -> str:
    return " ".join(texts(at, kind) for kind in ("markdown", "caption", "info", "warning"))


def images(at: AppTest) -> list:
    return [n for n in nodes(at) if n.type == "image"]


def campaign_activities(app_db: Repository, username: str):
    who = actor_for(app_db, username)
    campaign = app_db.catalogue.current_campaign(who)
    return campaign, app_db.activities.list_lifecycle(who, campaign.id)


def test_office_sees_every_units_cards_by_status(app_db):
    at = open_board(app_db, "office")
    assert not at.exception
    assert titles(at) == ["看板视图"]
    _, everything = campaign_activities(app_db, "office")
    text = shown(at)
    for a in everything:
        assert a.title in text and a.unit_name in text
    assert len({a.unit_id for a in everything}) > 1
    markdown = texts(at, "markdown")
    published = sum(a.status == "published" for a in everything)
    assert f"已展示（{published}）" in markdown.replace("*", "")
    headers = [m.value.replace("*", "") for m in at.markdown if m.value.startswith("**已")]
    assert headers[-1].startswith("已取消")  # cancelled last
    assert "单位" in [m.label for m in at.multiselect]
    assert not at.button


def test_office_filters_to_one_unit(app_db):
    at = open_board(app_db, "office")
    _, everything = campaign_activities(app_db, "office")
    unit1_id = actor_for(app_db, "unit1").unit_id
    at.multiselect(key="themeday.services.boards.filter_units").set_value([unit1_id]).run()
    assert not at.exception
    text = shown(at)
    assert all(a.title in text for a in everything if a.unit_id == unit1_id)
    assert OTHER_UNIT_TITLE not in text


def test_office_calendar_marks_holidays_and_lists_the_months_activities(app_db):
    at = open_board(app_db, "office", "日历")
    assert not at.exception
    at = pick_month(at, app_db, 10)
    assert not at.exception
    markdown = [m.value for m in at.markdown]
    assert markdown[:7] == [f"**{d}**" for d in "一二三四五六日"]
    # 国庆 2026: 10-01…10-07 off; Saturday 10-10 is a make-up workday
    assert "**1** :red-badge[休]" in markdown and "**7** :red-badge[休]" in markdown
    assert "**10** :gray-badge[班]" in markdown and "**17**" in markdown
    _, everything = campaign_activities(app_db, "office")
    october = [a for a in everything if a.activity_date and a.activity_date.month == 10]
    assert october
    table = at.dataframe[0].value
    assert sorted(table["活动主题"]) == sorted(a.title for a in october)
    assert {a.unit_name for a in october} <= set(table["单位"])
    assert OTHER_UNIT_TITLE not in set(table["活动主题"])  # a September activity
    assert not at.button


def test_unit_sees_only_its_own_activities(app_db):
    at = open_board(app_db, "unit1")
    assert not at.exception
    assert titles(at) == ["看板视图"]
    _, mine = campaign_activities(app_db, "unit1")
    assert mine and {a.unit_name for a in mine} == {UNIT1}
    text = shown(at)
    assert all(a.title in text for a in mine)
    assert OTHER_UNIT_TITLE not in text and "城南街道办事处" not in text
    assert "单位" not in [m.label for m in at.multiselect]  # no unit filter for a unit
    at = open_board(app_db, "unit1", "日历")
    for month in range(9, 13):
        at = pick_month(at, app_db, month)
        assert not at.exception
        assert OTHER_UNIT_TITLE not in shown(at) and "城南街道办事处" not in str(at.main)


def test_unit_photo_wall_shows_only_its_own_photos(app_db):
    campaign, _ = campaign_activities(app_db, "unit1")
    own, total = app_db.activities.list_campaign_photos(actor_for(app_db, "unit1"), campaign.id)
    _, everything = app_db.activities.list_campaign_photos(actor_for(app_db, "office"), campaign.id)
    assert 0 < total < everything
    at = open_board(app_db, "unit1", "照片墙")
    assert not at.exception
    assert len(images(at)) == total
    captions = [c for img in images(at) for c in img.proto.imgs for c in [c.caption]]
    assert captions and all(UNIT1 in c for c in captions)


def test_photo_wall_pages(app_db, monkeypatch):
    monkeypatch.setattr(board_widgets, "PHOTOS_PER_PAGE", 5)
    campaign, _ = campaign_activities(app_db, "office")
    _, total = app_db.activities.list_campaign_photos(actor_for(app_db, "office"), campaign.id)
    at = open_board(app_db, "office", "照片墙")
    assert not at.exception
    assert len(images(at)) == 5
    pages = -(-total // 5)
    (pager,) = [s for s in at.selectbox if s.label == "页码"]
    assert pager.options == [f"第 {p} 页（共 {pages} 页）" for p in range(1, pages + 1)]
    pager.set_value(pages).run()
    assert not at.exception
    assert len(images(at)) == total - 5 * (pages - 1)
    assert f"共 {total} 张照片" in texts(at, "caption")


@pytest.mark.parametrize("tab", ["看板", "日历", "照片墙"])
def test_leader_reads_everything_and_can_change_nothing(app_db, tab):
    at = open_board(app_db, "leader", tab)
    assert not at.exception
    assert titles(at) == ["看板视图"]
    assert not at.button
    for kind in ("download_button", "text_input", "text_area", "file_uploader", "date_input"):
        assert not at.get(kind), kind
    if tab == "看板":
        assert OTHER_UNIT_TITLE in shown(at) and UNIT1 in shown(at)
    if tab == "照片墙":
        campaign, _ = campaign_activities(app_db, "leader")
        _, total = app_db.activities.list_campaign_photos(actor_for(app_db, "leader"), campaign.id)
        assert len(images(at)) == min(total, board_widgets.PHOTOS_PER_PAGE) > 0


def test_logged_out_is_refused(app_db):
    for tab in ("看板", "照片墙"):
        at = open_board(app_db, None, tab)
        assert not at.exception
        assert titles(at) == []
        assert "请先登录" in texts(at, "error") + texts(at, "warning")
        assert not images(at) and OTHER_UNIT_TITLE not in str(at.main)
