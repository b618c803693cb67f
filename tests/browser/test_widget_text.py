"""No English in the widgets Streamlit draws itself (issue 16), seen in Chromium.

The office opens 申报审核: its multiselect's list shows 全选 (not "Select all") and
an unmatched filter 无匹配项 (not "No results"); on the 导入单位申报表 tab each file
picker's button reads 选择文件, its hint line is Chinese, and its label carries its
own kind's cap (10 MB for a 申报表, 20 MB for a scan), not the server's 300 MB.

Replaced text is hidden with ``visibility: hidden``, which keeps it out of
``innerText``; the Chinese drawn with ``::after`` is read from the computed style.
For the waits see ``helpers``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import AppServer
from tests.browser.helpers import idle, log_in, open_page, shown

pytestmark = pytest.mark.browser

ENGLISH = ("Browse files", "Upload", "Drag and drop", "per file", "Select all", "No results")


def drawn(element: Locator) -> str:
    """The text an element's ``::after`` draws (empty when it draws none)."""
    content = element.evaluate("e => getComputedStyle(e, '::after').content")
    return "" if content in ("none", "normal") else content.strip('"')


def assert_no_english(where: Locator, what: str) -> None:
    text = where.inner_text()
    for word in ENGLISH:
        assert word not in text, f"{what} shows {word!r}: {text!r}"


def test_uploaders_and_multiselects_speak_chinese(page: Page, app_server: AppServer):
    log_in(page, app_server, "office")
    shown(page.get_by_role("heading", name="管理首页"))
    open_page(page, "申报审核", "申报审核")

    box = page.get_by_role("combobox", name="单位类别", exact=True)
    expect(box).to_have_attribute("placeholder", "全部")
    box.click()
    listing = page.get_by_test_id("stMultiSelectDropdown")
    shown(listing)
    assert_no_english(listing, "the multiselect's list")
    select_all = listing.locator('[data-key="__select_all__"] [data-item-hl]')
    assert drawn(select_all) == "全选"
    box.fill("没有这一类")
    empty = listing.locator('[role="option"] > span')
    expect(empty).to_have_count(1)  # its own text is hidden: only its ::after shows
    assert drawn(empty) == "无匹配项"
    assert_no_english(listing, "the empty list")
    box.fill("")
    for _ in range(3):  # the first Escape may only clear the typed filter
        if not listing.count():
            break
        page.keyboard.press("Escape")
    expect(listing).to_have_count(0)
    idle(page)

    page.get_by_role("tab", name="导入单位申报表").click()
    uploaders = page.get_by_test_id("stFileUploader")
    shown(uploaders.first)
    expect(uploaders).to_have_count(2)
    expect(uploaders.nth(0)).to_contain_text("不超过 10 MB")
    expect(uploaders.nth(1)).to_contain_text("不超过 20 MB")
    for index in range(2):
        uploader = uploaders.nth(index)
        assert_no_english(uploader, f"uploader {index}")
        button = uploader.locator('button [data-testid="stMarkdownContainer"] p')
        assert drawn(button) == "选择文件"
        hint = uploader.get_by_test_id("stFileUploaderDropzoneInstructions").locator("span")
        assert drawn(hint).startswith("或将文件拖放到此处")
        assert "300" not in uploader.inner_text()
    assert_no_english(page.get_by_test_id("stMain"), "the page")
