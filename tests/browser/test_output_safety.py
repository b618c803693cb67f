"""Output safety in Chromium (issue 7): user text renders as text, and no script runs.

The server's database is the first-run demo plus a 大祥区 2023 campaign (made
current) whose free-text fields hold two payloads, written through the same service
and repository calls the pages use, by the users who would type them:

* :data:`IMG`, an HTML image whose ``onerror`` would call ``alert``;
* :data:`LINK`, a Markdown link to a ``javascript:`` address.

They sit in the unit's name and contact person, the account's display name, the
campaign title, the 申报表's contact person and its themes (title, 简介, 联系人及电话),
the stamped scan's file name, the office's return reason, an activity's place, plan,
media outlets, report, photo file names, cancel reason and off-month reason, comments
(on an activity and on grid records), a score adjustment, chase notes, saved views and
a workday override note. Phone fields are validated and keep real numbers.

Every page that shows them is opened as the office, unit1 (whose records they are),
unit2 (whose 申报表 was returned with the payload as the reason) and a visitor (the
published activity on 成果展示). On each, in every frame: no JS dialog opened, no
``<img src="x">``, no element with an ``onerror`` attribute, no ``javascript:`` link,
and no link whose text is the payload's ``x`` (a Markdown link made from user text;
Streamlit blanks the ``javascript:`` address but still draws the link). Where the page
shows the text in the DOM (not in a canvas grid), the payload is visible as typed.

For the waits (:func:`settle`, :func:`idle`) see ``helpers``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.browser.conftest import AppServer, _launch, _stop
from tests.browser.helpers import (
    idle,
    log_in,
    new_page,
    select_option,
    settle,
    shown,
    wait_for_cookie,
)
from tests.conftest import actor_for
from tests.sample_files import PDF
from themeday.core.compliance import item_key
from themeday.core.domain import DAXIANG_2023
from themeday.core.grid import ViewSpec
from themeday.core.workdays import WorkdayOverride
from themeday.formats.uploads import FileStore
from themeday.repository import Repository
from themeday.services import activities, declarations
from themeday.services.activities import Upload
from themeday.services.first_run import open_database
from themeday.storage import db

pytestmark = pytest.mark.browser

IMG = "<img src=x onerror=alert(1)>"
LINK = "[x](javascript:alert(1))"
BOTH = f"{IMG}{LINK}"
"""Both payloads in one field (52 characters: fits a 60-character theme title)."""
PHONE = "0739-5321101"
UNIT1_NAME = f"城北街道{BOTH}"
CAMPAIGN_YEAR = "2023年"

PROBE = """() => {
  const links = [...document.querySelectorAll('a')];
  return {
    img_x: [...document.querySelectorAll('img')]
      .filter(i => (i.getAttribute('src') || '').trim() === 'x').map(i => i.outerHTML),
    onerror: [...document.querySelectorAll('[onerror]')].map(e => e.outerHTML),
    javascript: links
      .filter(a => (a.getAttribute('href') || '').trim().toLowerCase().startsWith('javascript:'))
      .map(a => a.outerHTML),
    markdown_links: links.filter(a => a.textContent.trim() === 'x').map(a => a.outerHTML),
  };
}"""
"""What a rendered payload leaves in a frame's DOM."""


def _photo(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(out, "JPEG")
    return out.getvalue()


# --- the database ------------------------------------------------------------------------


def _seed(workdir: Path) -> dict[str, int]:
    """The demo, then the payloads in every free-text field; returns record ids."""
    workdir.mkdir(parents=True, exist_ok=True)
    con = open_database(workdir / "x.duckdb")
    store = FileStore(workdir / "uploads")
    try:
        repo = Repository(db.cursor(con))
        office, unit1, unit2, unit3 = (
            actor_for(repo, name) for name in ("office", "unit1", "unit2", "unit3")
        )
        # 单位与账号: unit1's name and contact person, its account's display name.
        unit = repo.catalogue.get_unit(office, unit1.unit_id)
        repo.catalogue.update_unit(
            office, unit.id, unit.version, name=UNIT1_NAME, contact_person=IMG
        )
        user = next(u for u in repo.accounts.list_users(office) if u.username == "unit1")
        repo.accounts.update_user(
            office, user.id, user.version, display_name=BOTH, role=user.role, unit_id=user.unit_id
        )
        campaign_id = repo.catalogue.create_campaign(
            office,
            year=2023,
            region=DAXIANG_2023.region,
            title=f"大祥区2023年活动{BOTH}",
            office_name=DAXIANG_2023.office_name,
            rules=DAXIANG_2023.rules,
        )
        campaign = repo.catalogue.get_campaign(office, campaign_id)
        contact = f"{LINK} {PHONE}"

        def declare(actor, themes, person, scan_name) -> int:
            declaration_id = repo.declarations.save_declaration(
                actor,
                campaign_id,
                actor.unit_id,
                None,
                contact_person=person,
                contact_phone=PHONE,
                themes=themes,
            )
            declarations.upload_scan(repo, actor, declaration_id, PDF, scan_name, store=store)
            declarations.submit(repo, actor, campaign, declaration_id)
            return declaration_id

        def theme(title: str, month: int, form: str, summary: str) -> dict:
            return {
                "title": title,
                "planned_month": month,
                "form": form,
                "summary": summary,
                "contact": contact,
            }

        # 申报: unit1's is approved, unit2's returned with the payload as the reason,
        # unit3's waits in the office's review queue.
        mine = declare(
            unit1,
            [
                theme(f"发布会{BOTH}", 10, "政策发布", BOTH),
                theme(f"座谈会{IMG}", 9, "座谈交流", LINK),
                theme(f"调研{LINK}", 8, "实地调研", IMG),
            ],
            BOTH,
            f"{IMG}.pdf",
        )
        repo.declarations.review_declaration(
            office, mine, repo.declarations.get_declaration(office, mine).version, approve=True
        )
        returned = declare(unit2, [theme(f"教育{IMG}", 6, "政策发布", LINK)], LINK, f"{LINK}.pdf")
        repo.declarations.review_declaration(
            office,
            returned,
            repo.declarations.get_declaration(office, returned).version,
            approve=False,
            reason=BOTH,
        )
        declare(unit3, [theme(f"罗市{LINK}", 7, "政策发布", BOTH)], BOTH, f"{LINK}.pdf")

        # 活动: one published with everything filled in, one cancelled, one scheduled
        # outside its month.
        by_month = {
            a.planned_month: a.id for a in repo.activities.list_lifecycle(unit1, campaign_id)
        }
        published, cancelled, moved = by_month[10], by_month[9], by_month[8]

        def version(activity_id: int) -> int:
            return repo.activities.get_activity(unit1, activity_id).version

        activities.schedule(
            repo,
            unit1,
            campaign,
            published,
            version(published),
            activity_date=date(2023, 10, 9),
            place=BOTH,
            invitees=["新闻媒体", "市民群众"],
        )
        activities.file_plan(repo, unit1, published, version(published), plan_text=BOTH)
        activities.record_held(
            repo,
            unit1,
            campaign,
            published,
            version(published),
            held_date=date(2023, 10, 9),
            attendance={"市民群众": 30},
            media_outlets=BOTH,
            marking_photos=[Upload(_photo("navy"), f"{LINK}.jpg")],
            store=store,
        )
        activities.file_report(
            repo,
            unit1,
            published,
            version(published),
            report_text=BOTH,
            photos=[Upload(_photo("teal"), f"{IMG}.jpg")],
            store=store,
        )
        activities.publish(
            repo, office, published, repo.activities.get_activity(office, published).version
        )
        repo.activities.add_comment(office, published, BOTH)
        repo.activities.add_comment(unit1, published, IMG)
        activities.schedule(
            repo,
            unit1,
            campaign,
            moved,
            version(moved),
            activity_date=date(2023, 9, 12),
            place=IMG,
            invitees=["市民群众"],
            off_month_reason=BOTH,
        )
        activities.cancel(repo, unit1, cancelled, version(cancelled), BOTH)

        # 考核, 催办, saved views, 节假日, comments on grid records.
        repo.compliance.add_adjustment(office, campaign_id, unit1.unit_id, 2.0, BOTH)
        repo.compliance.record_chase(
            office, campaign_id, unit1.unit_id, item_key("report", moved), BOTH
        )
        repo.compliance.record_chase(office, campaign_id, unit2.unit_id, "declaration", note=IMG)
        repo.grid.save_view(office, "units", IMG, ViewSpec(), is_default=True)  # names ≤ 40
        repo.grid.save_view(office, "activities", LINK, ViewSpec())
        repo.grid.save_view(unit1, "activities", LINK, ViewSpec())
        repo.catalogue.save_workday_overrides(
            office, [WorkdayOverride(date(2023, 10, 7), True, BOTH)]
        )
        repo.grid.add_record_comment(office, "unit", unit1.unit_id, BOTH)
        repo.grid.add_record_comment(office, "declaration", mine, LINK)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {"published": published, "cancelled": cancelled, "moved": moved}


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, dict]]:
    workdir = tmp_path_factory.mktemp("output-safety-app")
    ids = _seed(workdir)
    server = _launch(workdir)
    yield server, ids
    _stop(server.process)


# --- checks ------------------------------------------------------------------------------


@dataclass
class Watch:
    """JS dialogs (alert, confirm, prompt) a page opened."""

    page: Page
    dialogs: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message} on {self.page.url}")
        dialog.dismiss()

    def check(self, where: str, texts: tuple[str, ...] = ()) -> None:
        """After :func:`settle`: nothing ran and nothing rendered as HTML; ``texts``
        are visible as typed."""
        for text in texts:
            expect(
                self.page.get_by_text(text).locator("visible=true").first,
                f"{where}: {text!r} shown as text",
            ).to_be_visible()
        found: dict[str, list[str]] = {}
        for frame in self.page.frames:
            for kind, elements in frame.evaluate(PROBE).items():
                found.setdefault(kind, []).extend(elements)
        assert not self.dialogs, f"{where}: a script ran: {self.dialogs}"
        problems = {kind: elements for kind, elements in found.items() if elements}
        assert not problems, f"{where}: user text rendered as HTML or Markdown: {problems}"


def visit(watch: Watch, server: AppServer, path: str, heading: str) -> None:
    """Open ``path`` (the login cookie restores the session) and wait until it is idle."""
    page = watch.page
    page.goto(f"{server.url}/{path}")
    shown(page.get_by_role("heading", name=re.compile(rf"^{re.escape(heading)}")))
    settle(page)
    choose_campaign(page)


def choose_campaign(page: Page) -> None:
    """Show the seeded 2023 campaign (it is the current one; a new session starts on it)."""
    select_option(page.get_by_test_id("stSidebar"), "活动年度", CAMPAIGN_YEAR)


def log_in_as(page: Page, server: AppServer, username: str, home: str) -> Watch:
    watch = Watch(page)
    log_in(page, server, username)
    shown(page.get_by_role("heading", name=re.compile(rf"^{re.escape(home)}")))
    wait_for_cookie(page.context, present=True)
    settle(page)
    choose_campaign(page)
    return watch


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    idle(page)


def grid_table(page: Page, label: str) -> None:
    """Pick a table of 数据表 (its segmented control) and wait until it is drawn."""
    page.locator("main button").filter(has_text=re.compile(rf"^{label}$")).click()
    idle(page)
    shown(page.get_by_role("heading", name="记录详情"))


def first_record(page: Page) -> None:
    """Pick the page's first record in 记录详情 (nothing is shown until one is picked)."""
    box = page.get_by_role("combobox", name="选择记录（本页）", exact=True)
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option").first.click()
    idle(page)
    shown(page.get_by_role("tab", name="关联记录", exact=True))


BOTH_TEXTS = (IMG, LINK)


# --- tests -------------------------------------------------------------------------------


def test_office_pages_show_user_text_as_text(page: Page, seeded_server):
    server, ids = seeded_server
    watch = log_in_as(page, server, "office", "管理首页")
    watch.check("管理首页", BOTH_TEXTS)

    visit(watch, server, "review", "申报审核")
    watch.check("申报审核 (unit3's submitted 申报表)", (IMG,))
    open_tab(page, "未申报单位")
    watch.check("申报审核 · 未申报单位")

    visit(watch, server, "plan", "全年活动计划")
    watch.check("活动计划", BOTH_TEXTS)
    visit(watch, server, "activities", "活动进展")
    watch.check("活动进展", BOTH_TEXTS)
    for name in ("published", "cancelled", "moved"):
        visit(watch, server, f"activities?activity={ids[name]}", "活动进展")
        watch.check(f"活动进展 · the {name} activity", BOTH_TEXTS)

    visit(watch, server, "boards", "看板视图")
    watch.check("看板视图", BOTH_TEXTS)
    for tab in ("日历", "照片墙"):
        open_tab(page, tab)
        watch.check(f"看板视图 · {tab}")

    visit(watch, server, "chase", "督办催办")
    watch.check("督办催办", BOTH_TEXTS)
    visit(watch, server, "assessment", "考核汇总")
    watch.check("考核汇总", (IMG,))
    open_tab(page, "加减分")
    watch.check("考核汇总 · 加减分")
    visit(watch, server, "dashboard", "领导看板")
    watch.check("领导看板", (IMG,))
    visit(watch, server, "units", "单位与账号")
    watch.check("单位与账号")
    open_tab(page, "用户账号")
    watch.check("单位与账号 · 用户账号")
    visit(watch, server, "holidays", "节假日维护")
    watch.check("节假日维护")

    visit(watch, server, "grid", "数据表")
    watch.check("数据表 · 单位 (the office's default view)")
    first_record(page)
    open_tab(page, "意见")
    watch.check("数据表 · 单位 · 意见 of unit1", BOTH_TEXTS)
    for table in ("账号", "申报表", "活动", "附件", "意见", "节假日调整"):
        grid_table(page, table)
        watch.check(f"数据表 · {table}")
        first_record(page)
        open_tab(page, "关联记录")
        watch.check(f"数据表 · {table} · 关联记录")
    assert watch.dialogs == []


def test_the_audit_log_shows_user_text_as_text(page: Page, seeded_server):
    """The 审计日志 is the auditor's page (权限分离); the seeded names and reasons are
    in its rows."""
    server, _ = seeded_server
    watch = Watch(page)
    log_in(page, server, "auditor")
    shown(page.get_by_role("heading", name="审计日志"))
    settle(page)
    watch.check("审计日志")
    assert watch.dialogs == []


def test_unit_pages_show_user_text_as_text(page: Page, seeded_server):
    server, ids = seeded_server
    watch = log_in_as(page, server, "unit1", "本单位首页")
    expect(page.get_by_role("heading", name=f"本单位首页 · {UNIT1_NAME}")).to_be_visible()
    watch.check("本单位首页", BOTH_TEXTS)

    visit(watch, server, "declaration", "主题申报")
    watch.check("主题申报", BOTH_TEXTS)
    visit(watch, server, "plan", "全年活动计划")
    watch.check("活动计划", BOTH_TEXTS)
    for name in ("published", "cancelled", "moved"):
        visit(watch, server, f"activities?activity={ids[name]}", "本单位活动")
        watch.check(f"本单位活动 · the {name} activity", BOTH_TEXTS)
    visit(watch, server, "boards", "看板视图")
    watch.check("看板视图", BOTH_TEXTS)
    visit(watch, server, "grid", "数据表")
    watch.check("数据表")
    for table in ("活动", "附件"):
        grid_table(page, table)
        watch.check(f"数据表 · {table}")


def test_returned_declaration_shows_the_reason_as_text(page: Page, seeded_server):
    server, _ = seeded_server
    watch = log_in_as(page, server, "unit2", "本单位首页")
    visit(watch, server, "declaration", "主题申报")
    reason = page.get_by_test_id("stAlertContentWarning").filter(has_text="退回原因")
    expect(reason.first).to_contain_text(f"退回原因：{BOTH}")
    watch.check("主题申报 (returned)", BOTH_TEXTS)


def test_public_showcase_shows_user_text_as_text(page: Page, seeded_server):
    server, ids = seeded_server
    watch = Watch(page)
    page.goto(f"{server.url}/showcase")
    shown(page.get_by_role("heading", name="“政务公开主题日”活动成果展示"))
    settle(page)
    select_option(page, "活动年度", CAMPAIGN_YEAR)
    watch.check("成果展示", (IMG,))
    page.get_by_role("button", name="查看详情").first.click()
    idle(page)
    shown(page.get_by_text("活动情况"))
    watch.check("成果展示 · the activity", BOTH_TEXTS)
    page.goto(f"{server.url}/showcase?activity={ids['published']}")
    shown(page.get_by_text("活动情况"))
    settle(page)
    watch.check("成果展示 · the activity by its address", BOTH_TEXTS)


def test_sidebar_shows_the_display_name_as_text(browser: Browser, seeded_server):
    """unit1's display name is the payload: the sidebar must show it as typed."""
    server, _ = seeded_server
    with new_page(browser, server.workdir / "sidebar.png") as unit:
        watch = log_in_as(unit, server, "unit1", "本单位首页")
        watch.check("本单位首页")
        expect(unit.get_by_test_id("stSidebar")).to_contain_text(BOTH)
