"""An activity from date to 成果展示 in Chromium (issue 4's browser test).

The server's database is the first-run demo plus a 大祥区 2023 campaign (made current)
in which the office has approved one October theme of unit1 (城北街道) and one of
unit2 (区教育局). unit2's activity is carried out and reported, but never published.

unit1 sets the date to 2023-10-09 and sees the plan due on 2023-09-26 (10-07 and
10-08 are make-up workdays, 09-29…10-06 are off), files the plan, records it as
held with a LOGO photo and files the report; the office publishes it; a logged-out
visitor sees it on 成果展示 and does not see unit2's unpublished one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import AppServer, _launch, _stop
from tests.browser.helpers import (
    choose,
    fill_date,
    log_in,
    new_page,
    open_activity,
    select_option,
    settle,
    shown,
    submit,
    upload,
)
from tests.conftest import actor_for
from tests.helpers import approved_campaign_2023, plan_activity
from themeday.formats.uploads import FileStore
from themeday.repository import Repository
from themeday.services import activities
from themeday.services.activities import Upload
from themeday.services.first_run import open_database
from themeday.storage import db

pytestmark = pytest.mark.browser

MINE = "城区防汛应急政策发布会"
THEIRS = "义务教育阶段招生入学政策解读会"
CAMPAIGN_YEAR = "2023年"


def _photo(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 400), colour).save(out, "JPEG")
    return out.getvalue()


def _seed(workdir: Path) -> dict[str, int]:
    """The demo, then the 2023 campaign with both approved themes; returns their ids."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "x.duckdb"
    con = open_database(path)
    try:
        repo = Repository(db.cursor(con))
        campaign_id, ids = approved_campaign_2023(repo, {"unit1": MINE, "unit2": THEIRS})
        _report_unpublished(repo, campaign_id, ids["unit2"], FileStore(workdir / "uploads"))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return ids


def _report_unpublished(repo: Repository, campaign_id: int, activity_id: int, store) -> None:
    unit2 = actor_for(repo, "unit2")
    campaign = repo.catalogue.get_campaign(unit2, campaign_id)

    def version() -> int:
        return repo.activities.get_activity(unit2, activity_id).version

    plan_activity(
        repo,
        "unit2",
        campaign_id,
        activity_id,
        day=date(2023, 10, 16),
        place="区教育局报告厅",
        invitees=["新闻媒体", "市民群众"],
        plan_text="方案",
        store=store,
    )
    activities.record_held(
        repo,
        unit2,
        campaign,
        activity_id,
        version(),
        held_date=date(2023, 10, 16),
        attendance={"市民群众": 60},
        marking_photos=[Upload(_photo("navy"), "横幅.jpg")],
        store=store,
    )
    activities.file_report(
        repo,
        unit2,
        activity_id,
        version(),
        report_text="招生政策解读会顺利举行。",
        photos=[Upload(_photo("teal"), "现场.jpg")],
        store=store,
    )


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, dict]]:
    workdir = tmp_path_factory.mktemp("activity-app")
    ids = _seed(workdir)
    server = _launch(workdir)
    yield server, ids
    _stop(server.process)


# --- page helpers ----------------------------------------------------------------------


# --- the test --------------------------------------------------------------------------


def test_activity_from_date_to_showcase(
    page: Page, browser: Browser, seeded_server: tuple[AppServer, dict], tmp_path: Path
):
    server, ids = seeded_server
    logo = tmp_path / "主题日LOGO.jpg"
    logo.write_bytes(_photo("firebrick"))
    scene = tmp_path / "活动现场.jpg"
    scene.write_bytes(_photo("seagreen"))

    # unit1 ------------------------------------------------------------------------------
    log_in(page, server, "unit1")
    shown(page.get_by_role("heading", name=re.compile("本单位首页")))
    open_activity(page, server, ids["unit1"], "本单位活动")
    fill_date(page, "活动日期", date(2023, 10, 9))
    page.get_by_label("活动地点", exact=True).fill("城北街道便民服务中心")
    choose(page, "邀请对象", "人大代表")
    choose(page, "邀请对象", "市民群众")
    submit(page, "保存活动日期", "活动日期已确定为2023年10月9日")
    shown(page.get_by_text(re.compile("截止 2023年9月26日")))

    page.get_by_label("活动方案内容", exact=True).fill("一、活动目的……二、时间地点：10月9日……")
    submit(page, "报送活动方案", "活动方案已报送")

    page.get_by_role("spinbutton", name="市民群众").fill("35")
    page.get_by_label("参与报道的媒体", exact=True).fill("区融媒体中心")
    upload(page, "现场标识照片", logo)
    submit(page, "保存开展情况", "开展情况已保存")

    page.get_by_label("情况报告或新闻稿", exact=True).fill(
        "10月9日，城北街道举办防汛应急政策发布会。"
    )
    upload(page, "活动照片", scene)
    submit(page, "报送活动总结", "活动总结已报送")
    shown(page.get_by_text("总结已报送").first)

    # the office publishes it ------------------------------------------------------------
    with new_page(browser, server.workdir / "office.png") as office:
        log_in(office, server, "office")
        shown(office.get_by_role("heading", name="管理首页"))
        settle(office)
        open_activity(office, server, ids["unit1"], "活动进展")
        submit(office, "发布到成果展示", "已发布到成果展示")

    # the public sees it, and not the unpublished one --------------------------------------
    with new_page(browser, server.workdir / "public.png") as visitor:
        visitor.goto(f"{server.url}/showcase")
        shown(visitor.get_by_role("heading", name="“政务公开主题日”活动成果展示"))
        settle(visitor)
        select_option(visitor, "活动年度", CAMPAIGN_YEAR)
        shown(visitor.get_by_text(MINE).first)
        expect(visitor.get_by_text(THEIRS)).to_have_count(0)
        expect(visitor.get_by_role("button", name="登录")).to_have_count(0)
        visitor.goto(f"{server.url}/showcase?activity={ids['unit2']}")
        shown(visitor.get_by_text("该活动不存在或尚未公开。"))
        expect(visitor.get_by_text(THEIRS)).to_have_count(0)
        visitor.goto(f"{server.url}/showcase?activity={ids['unit1']}")
        shown(visitor.get_by_text(MINE, exact=True))
        shown(visitor.get_by_text("扫一扫在手机打开"))
        expect(visitor.get_by_text("0739-5321101")).to_have_count(0)
