"""The held date becomes the activity's date, in Chromium (issue 13).

A campaign of the current year in which unit1 (城北街道) has an approved theme, scheduled
a few days ahead with its 活动方案 filed on time. unit1 records it as held on an earlier
day, outside the declared month: the page first asks for a 调整原因, then shows the held
date as 活动日期 (with the 原定日期), the plan as late against the held date and the
改期 flag.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import AppServer, _launch, _stop
from tests.browser.helpers import (
    alert,
    fill_date,
    idle,
    log_in,
    open_activity,
    shown,
    submit,
    upload,
)
from tests.conftest import actor_for
from themeday.core.config import TZ
from themeday.core.domain import DAXIANG_2023, DeclarationStatus, cn_date
from themeday.repository import Repository
from themeday.services import activities
from themeday.services.first_run import open_database
from themeday.storage import db

pytestmark = pytest.mark.browser

TITLE = "政务服务“好差评”现场观摩"


def _dates() -> tuple[date, date]:
    """(scheduled, held): scheduled 10 days ahead, held earlier in the month before the
    scheduled one (so outside the declared month), never after today."""
    today = datetime.now(TZ).date()
    scheduled = today + timedelta(days=10)
    held = min(scheduled.replace(day=1) - timedelta(days=1), today)
    if scheduled.year != today.year or held.year != today.year:
        pytest.skip("the dates of this test need the scheduled day within this year")
    return scheduled, held


def _seed(workdir: Path, scheduled: date) -> int:
    """The demo, then this year's campaign with unit1's theme scheduled, plan filed."""
    workdir.mkdir(parents=True, exist_ok=True)
    con = open_database(workdir / "x.duckdb")
    try:
        repo = Repository(db.cursor(con))
        office, unit1 = actor_for(repo, "office"), actor_for(repo, "unit1")
        campaign_id = repo.catalogue.create_campaign(
            office,
            year=scheduled.year,
            region=DAXIANG_2023.region,
            title=f"大祥区{scheduled.year}年“政务公开主题日”活动（测试）",
            office_name=DAXIANG_2023.office_name,
            rules=DAXIANG_2023.rules,
        )
        repo.declarations.create_declaration(
            office,
            campaign_id,
            unit1.unit_id,
            contact_person="刘晓燕",
            contact_phone="0739-5321101",
            status=DeclarationStatus.APPROVED,
            themes=[
                {
                    "title": TITLE,
                    "planned_month": scheduled.month,
                    "form": "现场观摩",
                    "summary": "",
                }
            ],
        )
        campaign = repo.catalogue.get_campaign(office, campaign_id)
        activity = repo.activities.list_lifecycle(unit1, campaign_id)[0]
        activities.schedule(
            repo,
            unit1,
            campaign,
            activity.id,
            None,
            activity_date=scheduled,
            place="区政务服务中心",
            invitees=["市民群众"],
        )
        activities.file_plan(repo, unit1, activity.id, None, plan_text="活动方案正文")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return activity.id


@pytest.fixture(scope="module")
def held_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, int]]:
    scheduled, _ = _dates()
    workdir = tmp_path_factory.mktemp("held-date-app")
    activity_id = _seed(workdir, scheduled)
    server = _launch(workdir)
    yield server, activity_id
    _stop(server.process)


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 400), "firebrick").save(out, "JPEG")
    return out.getvalue()


def test_held_earlier_than_scheduled_moves_the_date(
    page: Page, held_server: tuple[AppServer, int], tmp_path: Path
):
    server, activity_id = held_server
    scheduled, held = _dates()
    banner = tmp_path / "横幅.jpg"
    banner.write_bytes(_photo())

    log_in(page, server, "unit1")
    shown(page.get_by_role("heading", name=re.compile("本单位首页")))
    open_activity(page, server, activity_id, "本单位活动")
    # the plan's notice (in the folded ② 活动方案): on time for the scheduled date
    expect(alert(page, "Success", "按时报送")).to_have_count(1)

    fill_date(page, "实际开展日期", held)
    page.get_by_role("spinbutton", name="市民群众").fill("30")
    upload(page, "现场标识照片", banner)
    page.get_by_role("button", name="保存开展情况", exact=True).click()
    shown(alert(page, "Error", f"实际开展日期不在申报的计划月份（{scheduled.month}月）内"))
    idle(page)

    page.get_by_label("开展日期调整原因", exact=True).fill("场地提前腾出，活动提前举行。")
    submit(page, "保存开展情况", "开展情况已保存")

    shown(page.get_by_text(re.compile(f"活动日期：{cn_date(held)}")))
    shown(page.get_by_text(re.compile(f"原定日期：{cn_date(scheduled)}")))
    shown(alert(page, "Warning", "改期"))
    # and now late: due 5 working days before the held date
    expect(alert(page, "Warning", "活动方案").filter(has_text="逾期")).to_have_count(1)
    expect(alert(page, "Success", "按时报送")).to_have_count(0)
