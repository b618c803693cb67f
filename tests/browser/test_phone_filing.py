"""A unit files from a phone (issue 16): 390×844, touch, in Chromium's mobile emulation.

Clerks take the photos at the event and file them there. The server's database is the
first-run demo plus a 大祥区 2023 campaign (made current) in which unit1 (城北街道) has an
approved October theme with its date set and its 活动方案 filed, and the office has left
a comment. The plan, the place and the comment carry long unbroken text (an address, a
file name): what breaks a narrow layout first.

unit1 logs in on the phone, sees 本单位首页 and 本单位活动 without sideways scrolling,
records 开展情况 with a photo picked through the file chooser, and files 活动总结 with an
iPhone's HEIC photo (stored as JPG); each page still fits afterwards, with the photos.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import UI_TIMEOUT_MS, AppServer, _launch, _stop
from tests.browser.helpers import log_in, open_activity, settle, shown, submit
from tests.conftest import actor_for
from tests.helpers import approved_campaign_2023, plan_activity
from tests.sample_files import heic_bytes
from themeday.formats.uploads import FileStore
from themeday.repository import Repository
from themeday.services import activities
from themeday.services.first_run import open_database
from themeday.storage import db

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
"""An iPhone-sized screen with touch (Playwright's mobile emulation)."""

TITLE = "城区防汛应急政策发布会"
LONG_ADDRESS = "https://www.daxiang.gov.cn/zwgk/ztzl/zwgkztr/2023/" + "fangxunyingji" * 8 + ".html"
"""No break opportunity in 150 characters: it must wrap, not widen the page."""
LONG_PLACE = "城北街道便民服务中心三楼第一会议室（" + "A" * 40 + "）"

FITS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const closed = sidebar && sidebar.getBoundingClientRect().right <= 1;
  for (const el of document.querySelectorAll('body *')) {
    // a table scrolls inside its own frame; the closed sidebar waits off screen
    if (el.closest('[data-testid="stDataFrame"]')) continue;
    if (closed && sidebar.contains(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 1 || box.left < -1) {
      const id = el.getAttribute('data-testid') || el.tagName.toLowerCase();
      wide.push(`${id} ${Math.round(box.left)}..${Math.round(box.right)}: `
                + (el.innerText || '').slice(0, 30));
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 10)};
}"""


def _photo(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), colour).save(out, "JPEG")
    return out.getvalue()


def _seed(workdir: Path) -> int:
    """The demo, then the 2023 campaign with unit1's theme dated and planned; its id."""
    workdir.mkdir(parents=True, exist_ok=True)
    con = open_database(workdir / "x.duckdb")
    try:
        repo = Repository(db.cursor(con))
        office = actor_for(repo, "office")
        campaign_id, ids = approved_campaign_2023(repo, {"unit1": TITLE})
        activity_id = ids["unit1"]
        plan_activity(
            repo,
            "unit1",
            campaign_id,
            activity_id,
            day=date(2023, 10, 9),
            place=LONG_PLACE,
            invitees=["人大代表", "市民群众"],
            plan_text=f"一、活动目的\n二、宣传报道：{LONG_ADDRESS}",
            store=FileStore(workdir / "uploads"),
        )
        activities.add_comment(repo, office, activity_id, f"请参照往年报道：{LONG_ADDRESS}")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return activity_id


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, int]]:
    workdir = tmp_path_factory.mktemp("phone-app")
    activity_id = _seed(workdir)
    server = _launch(workdir)
    yield server, activity_id
    _stop(server.process)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A phone instead of the desktop window of the other browser tests."""
    ctx = browser.new_context(**PHONE)
    ctx.set_default_timeout(UI_TIMEOUT_MS)
    yield ctx
    ctx.close()


# --- helpers -------------------------------------------------------------------------


def assert_fits(page: Page, where: str) -> None:
    """No sideways scrolling, and nothing wider than the screen outside a table."""
    settle(page, quiet=1.0)
    found = page.evaluate(FITS)
    assert found["scroll"] <= found["width"], f"{where}: page scrolls sideways: {found}"
    assert not found["wide"], f"{where}: wider than the screen: {found['wide']}"


def assert_check_sees_overflow(page: Page) -> None:
    """The check itself: a block wider than the screen in the page is reported."""
    page.evaluate(
        """() => {
          const wide = document.createElement('div');
          wide.id = 'too-wide';
          wide.style.width = '600px';
          wide.style.height = '10px';
          document.querySelector('[data-testid="stMainBlockContainer"]').append(wide);
        }"""
    )
    found = page.evaluate(FITS)
    page.evaluate("() => document.getElementById('too-wide').remove()")
    assert any(line.startswith("div ") for line in found["wide"]), found


def uploader(page: Page, label: str):
    return page.get_by_test_id("stFileUploader").filter(has_text=label)


def pick_photo_by_tap(page: Page, label: str, photo: Path) -> None:
    """Tap the uploader's button, as on a phone, and pick the photo in the file chooser."""
    widget = uploader(page, label)
    button = widget.get_by_test_id("stFileUploaderDropzone").locator("button")
    button.scroll_into_view_if_needed()
    with page.expect_file_chooser() as chooser_info:
        button.tap()
    chooser = chooser_info.value
    accept = chooser.element.get_attribute("accept") or ""
    for extension in (".jpg", ".jpeg", ".png", ".heic"):
        assert extension in accept.split(","), f"{label}: the chooser accepts {accept!r}"
    assert chooser.is_multiple(), f"{label}: several photos at once"
    chooser.set_files(photo)
    shown(widget.get_by_test_id("stFileChip"))  # its long name is shortened


def upload(page: Page, label: str, photo: Path) -> None:
    widget = uploader(page, label)
    widget.locator('input[type="file"]').set_input_files(photo)
    shown(widget.get_by_test_id("stFileChip"))


# --- the test ------------------------------------------------------------------------


def test_unit_files_from_a_phone(
    page: Page, seeded_server: tuple[AppServer, int], tmp_path: Path
) -> None:
    server, activity_id = seeded_server
    logo = tmp_path / "IMG_20231009_094512_主题日横幅_城北街道便民服务中心.jpg"
    logo.write_bytes(_photo("firebrick"))
    scene = tmp_path / "IMG_20231009_101530_活动现场.HEIC"  # as an iPhone sends it
    scene.write_bytes(heic_bytes(Image.new("RGB", (1200, 900), "seagreen")))

    log_in(page, server, "unit1")
    shown(page.get_by_role("heading", name=re.compile("本单位首页")))
    shown(page.get_by_test_id("stDataFrame").first)  # 本单位活动, a table
    assert_fits(page, "本单位首页")
    assert_check_sees_overflow(page)

    # the page list and the year selector are one tap away, and fit the screen too
    page.get_by_test_id("stExpandSidebarButton").tap()
    sidebar = page.get_by_test_id("stSidebar")
    shown(sidebar.get_by_role("combobox", name="活动年度"))
    shown(sidebar.get_by_role("link", name="本单位活动", exact=True))
    assert_fits(page, "the sidebar opened")
    sidebar.get_by_test_id("stSidebarCollapseButton").locator("button").tap()
    expect(sidebar.get_by_role("combobox", name="活动年度")).not_to_be_in_viewport()

    open_activity(page, server, activity_id, "本单位活动")
    shown(page.get_by_text("请参照往年报道").first)  # the comment is drawn
    assert_fits(page, "本单位活动")

    page.get_by_role("spinbutton", name="市民群众").fill("35")
    page.get_by_label("参与报道的媒体", exact=True).fill("区融媒体中心")
    pick_photo_by_tap(page, "现场标识照片", logo)
    assert_fits(page, "开展情况 with a photo chosen")
    submit(page, "保存开展情况", "开展情况已保存")
    shown(page.get_by_test_id("stImage").first)
    assert_fits(page, "本单位活动 after 开展情况")

    page.get_by_label("情况报告或新闻稿", exact=True).fill(
        "10月9日，城北街道举办防汛应急政策发布会。"
    )
    upload(page, "活动照片", scene)
    submit(page, "报送活动总结", "活动总结已报送")
    expect(page.get_by_test_id("stImage")).to_have_count(2)
    shown(page.get_by_text("IMG_20231009_101530_活动现场.jpg"))  # converted to JPG
    assert_fits(page, "本单位活动 after 活动总结")

    page.set_viewport_size({"width": 360, "height": 740})  # a small Android phone
    assert_fits(page, "本单位活动 at 360 px")
