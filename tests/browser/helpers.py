"""Helpers shared by the browser tests: logging in, waiting, widgets, grids, steps.

Streamlit renders asynchronously, and the login cookie is read and written by a JS
component whose answers make the script run again, two or three times after a page
load. Hence:

* Before typing or clicking, wait until the app has stayed idle (:func:`settle`): a
  click that lands in one of those follow-up runs can be dropped by the app (seen
  on a busy machine right after the first page load: the form is left filled in and
  nothing happens), like a user who clicks before the page has finished loading.
  After an action in a settled session :func:`idle` is enough.
* Positive checks wait for the expected element. While a run is in progress the
  previous run's elements stay until they are replaced, so an element can briefly be
  there twice: :func:`shown` waits for the first match; counts are checked after
  settling.
* Negative checks ("not logged in", "no office content") come after :func:`settle`
  and, where a cookie is involved, after a sign that the server has handled it.

Import this module after ``pytest.importorskip("playwright")``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.conftest import UI_TIMEOUT_MS, AppServer

COOKIE = "themeday_auth"
PASSWORD = "Demo@2023"
UNIT1_TITLE = "本单位首页 · 城北街道办事处"
OFFICE_CONTENT = ["单位与账号", "单位名录", "用户账号", "管理首页", "区教育局", "城北街道办事处"]
"""Text of the office pages and demo unit names: never shown to a visitor not logged in."""


# --- waits and login -----------------------------------------------------------------


def settle(page: Page, quiet: float = 2.0, timeout: float = 30.0) -> None:
    """Wait until the script has been idle ("notRunning") for ``quiet`` seconds.

    The cookie component can start another run a moment after one ends, so a single
    "notRunning" is not enough before acting or asserting that something is absent.
    """
    app = page.get_by_test_id("stApp")
    deadline = time.monotonic() + timeout
    idle_since: float | None = None
    state = None
    while time.monotonic() < deadline:
        state = app.get_attribute("data-test-script-state") if app.count() else None
        now = time.monotonic()
        if state == "notRunning":
            idle_since = idle_since or now
            if now - idle_since >= quiet:
                return
        else:
            idle_since = None
        page.wait_for_timeout(100)
    raise AssertionError(f"app not idle for {quiet} s within {timeout} s (state: {state})")


def wait_for_cookie(context: BrowserContext, present: bool, timeout: float = 15.0) -> dict | None:
    """Poll until the login cookie exists (``present``) or is gone; return it."""
    deadline = time.monotonic() + timeout
    while True:
        cookie = next((c for c in context.cookies() if c["name"] == COOKIE), None)
        if (cookie is not None) == present:
            return cookie
        if time.monotonic() > deadline:
            state = "set" if present else "deleted"
            raise AssertionError(f"cookie {COOKIE} was not {state} within {timeout} s")
        time.sleep(0.2)


def shown(locator: Locator) -> None:
    """Wait until the element is visible (its first match: see the module docstring)."""
    expect(locator.first).to_be_visible()


def login_form_parts(page: Page) -> list[Locator]:
    """The heading, inputs and button of the login form."""
    return [
        page.get_by_role("heading", name="政务公开主题日工作平台"),
        page.get_by_label("用户名", exact=True),
        page.get_by_label("密码", exact=True),
        page.get_by_role("button", name="登录"),
    ]


def login_form(page: Page) -> None:
    """Wait until the login form is shown."""
    for part in login_form_parts(page):
        shown(part)


def log_in(page: Page, server: AppServer, username: str, password: str = PASSWORD) -> None:
    """Open the app and send the login form (the caller waits for what follows)."""
    page.goto(server.url)
    login_form(page)
    settle(page)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()


def unit1_title(page: Page) -> Locator:
    """The heading of unit1's home page."""
    return page.get_by_role("heading", name=UNIT1_TITLE)


def nav_link(page: Page, title: str) -> Locator:
    """The sidebar navigation's link to the page ``title``."""
    return page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)


def assert_no_office_content(page: Page, where: str) -> None:
    """Nothing of the office pages is on ``page`` (``where`` names it in a failure)."""
    body = page.locator("body")
    for text in OFFICE_CONTENT:
        expect(body, f"{where}: {text!r} must not be shown").not_to_contain_text(text)
    expect(page.get_by_test_id("stDataFrame"), f"{where}: a table").to_have_count(0)
    expect(page.get_by_role("tab"), f"{where}: tabs").to_have_count(0)


def assert_logged_out(page: Page, where: str = "") -> None:
    """After :func:`settle`: the login form, and nothing of the unit or office pages."""
    where = where or page.url
    for part in login_form_parts(page):
        expect(part, f"{where}: login form").to_have_count(1)
        expect(part, f"{where}: login form").to_be_visible()
    expect(unit1_title(page), f"{where}: unit page").to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav"), f"{where}: navigation").to_have_count(0)
    assert_no_office_content(page, where)


def open_account(office: Page, server: AppServer, username: str) -> None:
    """The office logs in and opens 单位与账号 · 用户账号 with ``username`` chosen."""
    log_in(office, server, "office")
    shown(office.get_by_role("heading", name="管理首页"))
    wait_for_cookie(office.context, present=True)
    settle(office)
    office.goto(f"{server.url}/units")  # the sidebar folds it under "View more"
    shown(office.get_by_role("heading", name="单位与账号", exact=True))
    settle(office)
    office.get_by_role("tab", name="用户账号", exact=True).click()
    idle(office)
    select_option(office, "选择账号", f"{username}（")


# --- widgets ---------------------------------------------------------------------------

IDLE_QUIET = 1.0
"""Seconds without a script run that count as idle after an action (see :func:`idle`)."""
# Geometry of the data editor's canvas (Streamlit's defaults), in pixels.
HEADER_HEIGHT = 36
ROW_HEIGHT = 35


def alert(page: Page, kind: str, text: str) -> Locator:
    """An ``st.error``/``st.success``/``st.warning``/``st.info`` box containing ``text``."""
    return page.get_by_test_id(f"stAlertContent{kind}").filter(has_text=text)


def idle(page: Page) -> None:
    """Wait until the app is idle after an action in a session that has settled since
    its page load: the runs an action causes follow each other within milliseconds
    (the cookie component's extra runs only follow page loads, see :func:`settle`)."""
    settle(page, quiet=IDLE_QUIET)


def open_page(page: Page, link: str, heading: str) -> None:
    """Open a page from the sidebar of an idle app; wait until it is drawn and idle."""
    nav_link(page, link).click()
    shown(page.get_by_role("heading", name=heading, exact=True))
    idle(page)


def select_option(where: Page | Locator, label: str, option: str) -> None:
    """Choose the option starting with ``option`` in the ``st.selectbox`` ``label``."""
    page = where if isinstance(where, Page) else where.page
    box = where.get_by_role("combobox", name=label, exact=True)
    shown(box)
    chosen = re.compile(rf"^{re.escape(option)}")
    if chosen.search(box.input_value()):
        return
    # Scrolled first: a scroll that comes with the click closes the list it opens
    # (the sidebar's selector sits below the fold at 1366x768).
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name=chosen).click()
    expect(box).to_have_value(chosen)
    idle(page)


def click_grid(page: Page, grid: Locator, x: float, y: float) -> None:
    """Click a point of the canvas. The pointer moves there first: a click without a
    preceding move was ignored by the grid after the form had been submitted."""
    box = grid.bounding_box()
    assert box is not None, "the data editor is not shown"
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.wait_for_timeout(200)
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_timeout(200)


@contextmanager
def new_page(browser: Browser, shot: Path) -> Iterator[Page]:
    """A page in a new browser profile, like the ``page`` fixture's.

    If the block fails, the page is saved to ``shot`` first (conftest does that only
    for the ``page`` fixture), and the path printed into the report.
    """
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    ctx.set_default_timeout(UI_TIMEOUT_MS)
    new = ctx.new_page()
    try:
        yield new
    except BaseException:
        try:
            new.screenshot(path=str(shot), full_page=True)
            print(f"screenshot of {new.url}: {shot}")
        except Exception as exc:  # a report helper must not hide the failure
            print(f"no screenshot of {new.url}: {exc}")
        raise
    finally:
        ctx.close()


# --- the activities grid (数据表) ---------------------------------------------------------


def editor_grid(page: Page) -> Locator:
    """The grid itself (with grouping, a table of counts stands above it)."""
    return page.get_by_test_id("stDataFrame").filter(has_text="活动日期").first


def column(grid: Locator, name: str) -> int:
    """The 0-based column of the accessibility table: the activities grid has no row
    markers (no rows can be added or deleted there), so cell ids count from 0."""
    names = [n.strip() for n in grid.locator('th[role="columnheader"]').all_text_contents()]
    assert name in names, f"no column {name!r} in the grid: {names}"
    return names.index(name)


def cell(grid: Locator, row: int, name: str) -> Locator:
    """The accessibility table's cell of ``row`` in the column ``name``."""
    return grid.locator(f"td#glide-cell-{column(grid, name)}-{row}")


# --- activity steps --------------------------------------------------------------------


def open_activity(page: Page, server: AppServer, activity_id: int, heading: str) -> None:
    """Open an activity by its address (the login cookie restores the session)."""
    settle(page)
    wait_for_cookie(page.context, present=True)
    page.goto(f"{server.url}/activities?activity={activity_id}")
    shown(page.get_by_role("heading", name=heading, exact=True))
    settle(page)


def fill_date(page: Page, label: str, day: date) -> None:
    """Type a date into ``st.date_input``: a field of year, month and day segments."""
    widget = page.get_by_test_id("stDateInput").filter(has_text=label)
    for part, value in (("year", day.year), ("month", day.month), ("day", day.day)):
        segment = widget.get_by_role("spinbutton", name=f"{part}, {label}")
        segment.click()
        segment.press_sequentially(f"{value:02d}")
        expect(segment).to_have_attribute("aria-valuenow", str(value))
    page.keyboard.press("Tab")


def upload(page: Page, label: str, file: Path) -> None:
    """Choose ``file`` in the ``st.file_uploader`` ``label`` and wait until it is listed."""
    uploader = page.get_by_test_id("stFileUploader").filter(has_text=label)
    uploader.locator('input[type="file"]').set_input_files(file)
    shown(uploader.get_by_text(file.name))


def submit(page: Page, button: str, success: str) -> None:
    """Click a step's ``button`` and wait for its ``success`` box, with no error but a
    deadline's."""
    page.get_by_role("button", name=button, exact=True).click()
    shown(alert(page, "Success", success))
    idle(page)
    # the only red boxes allowed are deadlines (this 2023 activity is long overdue)
    errors = page.get_by_test_id("stAlertContentError").filter(has_not_text="截止")
    expect(errors).to_have_count(0)


def choose(page: Page, label: str, option: str) -> None:
    """Add ``option`` to the ``st.multiselect`` ``label`` by typing it and pressing Enter."""
    widget = page.get_by_test_id("stMultiSelect").filter(has_text=label)
    box = widget.get_by_role("combobox", name=label)
    box.click()
    box.press_sequentially(option)
    box.press("Enter")
    shown(widget.get_by_test_id("stMultiSelectTagsContainer").get_by_text(option))
    page.keyboard.press("Escape")
