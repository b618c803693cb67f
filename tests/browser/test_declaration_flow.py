"""The 申报 round trip in Chromium: fill, check, save, upload, submit, return, approve.

The demo's current campaign follows the 大祥区 rules and unit1's demo declaration in it
is already approved, so the office first creates the 湘江新区 2023 campaign from its
preset (it becomes the current one). Its rules: exactly 2 themes, at least one of them
实地调研 or 现场观摩, each row with 活动主题, 计划月份, 活动形式 and 活动简介.

The themes are typed into ``st.data_editor``, a canvas grid (glide-data-grid): cells
are selected by a click on the canvas plus arrow keys, edited with Enter, text and
Enter. Its hidden accessibility table (``td#glide-cell-<column>-<row>``) gives the
column order and the cell values to check.

For the waits (:func:`settle`, :func:`shown`) see ``helpers``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import AppServer
from tests.browser.helpers import (
    HEADER_HEIGHT,
    ROW_HEIGHT,
    alert,
    click_grid,
    idle,
    log_in,
    new_page,
    open_page,
    select_option,
    settle,
    shown,
)
from tests.sample_files import PDF

pytestmark = pytest.mark.browser

PRESET = "按通知预设：湖南湘江新区2023年“政务公开主题日”活动"
CAMPAIGN_TITLE = "湖南湘江新区2023年“政务公开主题日”活动"
CAMPAIGN_OPTION = "2023年 · 湖南湘江新区"
"""The campaign in the sidebar's 活动年度 selector."""
UNIT_NAME = "城北街道办事处"
FORM_RULE = "至少一个主题的活动形式须为实地调研或现场观摩"
RETURN_REASON = "请补充活动地点"


@dataclass(frozen=True)
class Theme:
    title: str
    month: int
    form: str
    summary: str


THEMES = [
    Theme("政务公开进社区", 5, "座谈交流", "在社区服务中心与居民座谈，解读惠民政策"),
    Theme("政策解读面对面", 6, "座谈交流", "邀请企业代表座谈，听取意见建议"),
]
FIELD_TRIP = "实地调研"
"""The form the second theme gets, so that the declaration meets the rule."""


# --- page helpers ----------------------------------------------------------------------


def download(page: Page, name: str) -> Locator:
    """The ``st.download_button`` whose label contains ``name``."""
    return page.get_by_test_id("stDownloadButton").filter(has_text=name)


def choose_campaign(page: Page) -> None:
    """Show the 湘江新区 campaign: a session that existed before may keep the old one."""
    select_option(page.get_by_test_id("stSidebar"), "活动年度", CAMPAIGN_OPTION)


def pick_rows(page: Page, *rows: str) -> None:
    """Choose rows in the form's 选择要删除的行 (an ``st.multiselect``)."""
    box = page.get_by_role("combobox", name="选择要删除的行", exact=True)
    picker = page.get_by_test_id("stMultiSelect").filter(has=box)
    for row in rows:
        box.scroll_into_view_if_needed()
        box.click()
        page.get_by_role("option", name=row).click()
        page.keyboard.press("Escape")
        expect(picker).to_contain_text(row)


def log_in_as(page: Page, server: AppServer, username: str, home: str) -> None:
    log_in(page, server, username)
    shown(page.get_by_role("heading", name=home))
    settle(page)
    choose_campaign(page)


# --- data editor helpers ---------------------------------------------------------------


def editor(page: Page) -> Locator:
    return page.get_by_test_id("stDataFrame").first


def column(grid: Locator, name: str) -> int:
    """The 1-based column of the accessibility table (0 is the row marker)."""
    names = [n.strip() for n in grid.locator('th[role="columnheader"]').all_text_contents()]
    assert name in names, f"no column {name!r} in the editor: {names}"
    return names.index(name) + 1


def cell(grid: Locator, row: int, name: str) -> Locator:
    return grid.locator(f"td#glide-cell-{column(grid, name)}-{row}")


def add_row(page: Page, grid: Locator) -> None:
    """Click the empty trailing row, which appends a row, and leave the cell."""
    rows = grid.locator("tbody tr").count()
    box = grid.bounding_box()
    assert box is not None
    click_grid(page, grid, box["width"] / 2, box["height"] - ROW_HEIGHT / 2)
    page.keyboard.press("Escape")
    expect(grid.locator("tbody tr")).to_have_count(rows + 1)


def edit_cell(page: Page, grid: Locator, row: int, name: str, text: str) -> None:
    """Type ``text`` into a cell; for a selectbox column it picks the option ``text``.

    The cell is reached from a click in the middle of its row with the arrow keys,
    which does not depend on the column widths.
    """
    page.keyboard.press("Escape")  # no selection: a click on a selected cell edits it
    box = grid.bounding_box()
    assert box is not None
    click_grid(page, grid, box["width"] / 2, HEADER_HEIGHT + ROW_HEIGHT * row + ROW_HEIGHT / 2)
    for _ in range(grid.locator('th[role="columnheader"]').count()):
        page.keyboard.press("ArrowLeft")  # to the first column
    for _ in range(column(grid, name) - 1):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # open the cell's editor
    page.wait_for_timeout(300)
    page.keyboard.type(text)
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")  # commit (a selectbox: choose the filtered option)
    page.wait_for_timeout(200)
    page.keyboard.press("Escape")
    expect(cell(grid, row, name)).to_have_text(_cell_value(name, text))


def _cell_value(name: str, text: str) -> str | re.Pattern[str]:
    if name == "计划月份":  # the accessibility table holds the number, the canvas 5月
        return re.compile(rf"^{int(text.removesuffix('月'))}(月)?$")
    return text


def fill_theme(page: Page, grid: Locator, row: int, theme: Theme) -> None:
    edit_cell(page, grid, row, "活动主题", theme.title)
    edit_cell(page, grid, row, "计划月份", f"{theme.month}月")
    edit_cell(page, grid, row, "活动形式", theme.form)
    edit_cell(page, grid, row, "活动简介", theme.summary)


def expect_rows(grid: Locator, themes: list[Theme]) -> None:
    """The editor holds exactly these themes."""
    expect(grid.locator("tbody tr")).to_have_count(len(themes))
    for row, theme in enumerate(themes):
        expect(cell(grid, row, "活动主题")).to_have_text(theme.title)
        expect(cell(grid, row, "计划月份")).to_have_text(_cell_value("计划月份", str(theme.month)))
        expect(cell(grid, row, "活动形式")).to_have_text(theme.form)
        expect(cell(grid, row, "活动简介")).to_have_text(theme.summary)


def submit_buttons(page: Page) -> list[Locator]:
    return [
        page.get_by_role("button", name="保存草稿"),
        page.get_by_role("button", name="检查并提交"),
    ]


# --- steps -----------------------------------------------------------------------------


def create_xiangjiang_campaign(page: Page, server: AppServer) -> None:
    log_in(page, server, "office")
    shown(page.get_by_role("heading", name="管理首页"))
    open_page(page, "活动管理", "活动管理")
    page.get_by_text("新建活动", exact=True).click()
    page.get_by_text(PRESET, exact=True).click()
    expect(page.get_by_role("checkbox", name="设为当前活动")).to_be_checked()
    idle(page)
    page.get_by_role("button", name="新建", exact=True).click()
    shown(alert(page, "Success", f"已新建活动：{CAMPAIGN_TITLE}"))
    idle(page)
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_contain_text(CAMPAIGN_TITLE)
    expect(table).to_contain_text("2023-03-31")


def upload_scan(page: Page, pdf: Path) -> None:
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="选择扫描件")
    uploader.locator('input[type="file"]').set_input_files(pdf)
    button = page.get_by_role("button", name="上传扫描件")
    shown(button)
    idle(page)
    button.click()
    shown(alert(page, "Success", f"扫描件“{pdf.name}”已上传"))
    idle(page)
    shown(download(page, pdf.name))


def submit(page: Page) -> None:
    """检查并提交, and check that the 申报表 has become read-only."""
    page.get_by_role("button", name="检查并提交").click()
    shown(alert(page, "Success", "申报表已提交"))
    idle(page)
    expect(alert(page, "Info", "申报状态：已提交待审核")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    for button in submit_buttons(page):
        expect(button).to_have_count(0)
    table = page.get_by_test_id("stDataFrame").first  # st.dataframe: read-only
    for theme in THEMES:
        expect(table).to_contain_text(theme.title)


def open_declaration_for_review(page: Page) -> None:
    open_page(page, "申报审核", "申报审核")
    choose_campaign(page)
    queue = page.get_by_test_id("stDataFrame").first
    expect(queue).to_contain_text(UNIT_NAME)
    select_option(page, "打开申报表", UNIT_NAME)
    shown(page.get_by_role("heading", name=f"{UNIT_NAME} · 已提交待审核"))
    idle(page)


# --- the test --------------------------------------------------------------------------


def test_declare_return_resubmit_approve(
    page: Page, browser: Browser, app_server: AppServer, tmp_path: Path
):
    """``page`` is the reviewing office's browser; the campaign is set up and unit1
    works in browser profiles of their own."""
    with new_page(browser, app_server.workdir / "setup-office.png") as setup:
        create_xiangjiang_campaign(setup, app_server)
    with new_page(browser, app_server.workdir / "unit1.png") as unit:
        _flow(page, unit, app_server, tmp_path)


def _flow(office: Page, unit: Page, server: AppServer, tmp_path: Path) -> None:
    # 1. unit1 fills two 座谈交流 themes: the rule check fails and the draft is saved.
    log_in_as(unit, server, "unit1", f"本单位首页 · {UNIT_NAME}")
    open_page(unit, "主题申报", "主题申报")
    expect(unit.get_by_text(CAMPAIGN_TITLE).first).to_be_visible()
    shown(alert(unit, "Info", "本单位尚未填写申报表"))
    expect(unit.get_by_label("联系人", exact=True)).not_to_have_value("")
    expect(unit.get_by_label("联系电话", exact=True)).not_to_have_value("")
    grid = editor(unit)
    for _ in THEMES:
        add_row(unit, grid)
    for row, theme in enumerate(THEMES):
        fill_theme(unit, grid, row, theme)
    expect_rows(grid, THEMES)
    unit.get_by_role("button", name="检查并提交").click()
    refused = alert(unit, "Error", FORM_RULE)
    shown(refused)
    expect(refused.first).to_contain_text("草稿已保存")
    shown(alert(unit, "Info", "申报状态：草稿"))
    idle(unit)

    # 2. Right there, one theme becomes 实地调研; save, upload the stamped scan, submit.
    grid = editor(unit)
    expect_rows(grid, THEMES)  # the draft the refused submission saved
    edit_cell(unit, grid, 1, "活动形式", FIELD_TRIP)
    unit.get_by_role("button", name="保存草稿").click()
    shown(alert(unit, "Success", "草稿已保存"))
    idle(unit)
    themes = [THEMES[0], replace(THEMES[1], form=FIELD_TRIP)]
    expect_rows(editor(unit), themes)
    expect(unit.get_by_test_id("stAlertContentWarning").filter(has_text=FORM_RULE)).to_have_count(0)
    pdf = tmp_path / "盖章申报表.pdf"
    pdf.write_bytes(PDF)
    upload_scan(unit, pdf)
    submit(unit)

    # 3. The office returns it with a reason.
    log_in_as(office, server, "office", "管理首页")
    open_declaration_for_review(office)
    expect(alert(office, "Success", "规则检查通过")).to_be_visible()
    expect(download(office, pdf.name)).to_be_visible()
    office.get_by_label("退回原因（必填，单位可见）").fill(RETURN_REASON)
    office.get_by_role("button", name="退回修改").click()
    shown(alert(office, "Success", f"已退回{UNIT_NAME}的申报表"))
    idle(office)

    # 4. unit1 sees the reason and submits the unchanged rows again.
    unit.reload()
    shown(unit.get_by_role("heading", name="主题申报"))
    settle(unit)
    choose_campaign(unit)
    returned = alert(unit, "Warning", f"退回原因：{RETURN_REASON}")
    shown(returned)
    expect(returned.first).to_contain_text("申报状态：退回修改")
    expect_rows(editor(unit), themes)
    submit(unit)

    # 5. The office approves it.
    open_declaration_for_review(office)
    office.get_by_role("button", name="审核通过").click()
    shown(alert(office, "Success", f"{UNIT_NAME}的申报表已审核通过"))
    idle(office)

    # 6. The annual plan shows both themes under their months.
    open_page(office, "活动计划", "全年活动计划")
    choose_campaign(office)
    for theme in themes:
        month = office.get_by_text(re.compile(rf"^{theme.month}月\s+1个主题$"))
        shown(month)
        box = month.first.locator("xpath=ancestor::div[@data-testid='stVerticalBlock'][1]")
        expect(box).to_contain_text(f"{theme.title}（{theme.form}）")
        expect(box).to_contain_text(UNIT_NAME)


def test_half_filled_rows_stay_and_the_row_buttons_work(page: Page, app_server: AppServer):
    """A row with only its 活动主题 typed is not dropped by the browser's editor: the
    check names its missing cells and the title stays. 添加一行 and 删除所选行 change
    the rows without losing what was typed. unit3 has no 申报表 in either campaign."""
    log_in(page, app_server, "unit3")
    shown(page.get_by_role("heading", name="本单位首页 · 罗市镇人民政府"))
    settle(page)
    open_page(page, "主题申报", "主题申报")
    grid = editor(page)
    expect(grid.locator("tbody tr")).to_have_count(0)
    page.get_by_role("button", name="添加一行").click()
    idle(page)
    grid = editor(page)
    expect(grid.locator("tbody tr")).to_have_count(1)
    edit_cell(page, grid, 0, "活动主题", "乡村振兴政策宣讲")
    add_row(page, grid)  # the editor's own trailing row adds one too
    edit_cell(page, grid, 1, "活动主题", "高标准农田政策宣讲")

    page.get_by_role("button", name="检查并提交").click()
    refused = alert(page, "Error", "请选择计划月份、活动形式")
    shown(refused)
    expect(refused.first).to_contain_text("第1行")
    expect(refused.first).to_contain_text("第2行")
    expect(refused.first).to_contain_text("草稿也未保存")
    idle(page)
    grid = editor(page)
    expect(grid.locator("tbody tr")).to_have_count(2)
    expect(cell(grid, 0, "活动主题")).to_have_text("乡村振兴政策宣讲")
    expect(cell(grid, 1, "活动主题")).to_have_text("高标准农田政策宣讲")

    pick_rows(page, "第2行：高标准农田政策宣讲")
    page.get_by_role("button", name="删除所选行").click()
    idle(page)
    grid = editor(page)
    expect(grid.locator("tbody tr")).to_have_count(1)
    expect(cell(grid, 0, "活动主题")).to_have_text("乡村振兴政策宣讲")

    edit_cell(page, grid, 0, "计划月份", "12月")
    edit_cell(page, grid, 0, "活动形式", "座谈交流")
    page.get_by_role("button", name="保存草稿").click()
    shown(alert(page, "Success", "草稿已保存"))
    idle(page)
    grid = editor(page)
    expect(grid.locator("tbody tr")).to_have_count(1)
    expect(cell(grid, 0, "活动主题")).to_have_text("乡村振兴政策宣讲")
    expect(cell(grid, 0, "活动形式")).to_have_text("座谈交流")
    headers = [n.strip() for n in grid.locator('th[role="columnheader"]').all_text_contents()]
    if "联系人及电话" in headers:  # this campaign's form has the column: filled from above
        expect(cell(grid, 0, "联系人及电话")).to_have_text(re.compile(r"\S+ \S*\d{7,}"))
