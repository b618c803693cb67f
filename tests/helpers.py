"""Helpers shared by the test modules (fixtures live in ``conftest.py``).

* AppTest: the app and one page in the test host, reading what it shows.
* Records: Campaign, Unit, Declaration and Activity built without a database.
* Activities: the steps of one activity in the ``world`` fixture's campaign.
* Deployment: the README's nginx sample and a throwaway certificate.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.sample_files import jpeg
from themeday.core.config import TZ
from themeday.core.domain import (
    DAXIANG_2023,
    SYSTEM_ACTOR,
    XIANGJIANG_2023,
    Actor,
    CampaignPreset,
    DeclarationStatus,
    Role,
)
from themeday.core.records import Activity, Campaign, Declaration, Unit
from themeday.dev.setup import DEMO_PASSWORD
from themeday.formats.uploads import FileStore
from themeday.repository import Repository
from themeday.services import activities
from themeday.services.activities import Upload
from themeday.services.auth import hash_password

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60
"""Seconds an AppTest run may take."""
README = (ROOT / "README.md").read_text(encoding="utf-8")


def actor_for(repo: Repository, username: str) -> Actor:
    """The Actor of a demo account."""
    record = repo.accounts.login_record(username)
    assert record is not None, username
    return record.user.as_actor()


# ------------------------------------------------------------------------- AppTest


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def login(at: AppTest, username: str, password: str = DEMO_PASSWORD) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def texts(at: AppTest, kind: str) -> str:
    """The text of every element of a kind, as the reader sees it (Markdown escapes of
    user text removed: ``\\:`` shows as ``:``)."""
    return " ".join(re.sub(r"\\(.)", r"\1", str(e.value)) for e in getattr(at, kind))


# The default (home) page of each role is served at the root, so its url_path is "".
EXPECTED_NAV = {
    "unit1": [
        "",
        "declaration",
        "plan",
        "activities",
        "boards",
        "grid",
        "showcase",
        "password",
        "logout",
    ],
    "office": [
        "",
        "campaigns",
        "review",
        "plan",
        "activities",
        "boards",
        "grid",
        "chase",
        "assessment",
        "dashboard",
        "units",
        "holidays",
        "showcase",
        "password",
        "logout",
    ],
    "leader": ["", "plan", "activities", "boards", "grid", "showcase", "password", "logout"],
    # 权限分离: the auditor's home is the 审计日志, and it is the auditor's only work page
    "auditor": ["", "password", "logout"],
}


def new_office_clerk(app_db: Repository, username: str = "clerk") -> str:
    """Add a 政务公开办 account ``username`` with an initial password; return it (the
    account must change it at its first login)."""
    password = "Start@2026"
    app_db.accounts.create_user(
        actor_for(app_db, "office"),
        username=username,
        display_name="新办事员",
        role=Role.OFFICE,
        unit_id=None,
        password_hash=hash_password(password),
    )
    return password


def page_at(page: str, app_db: Repository | None = None, username: str | None = None) -> AppTest:
    """The page module ``page`` alone in the test host, not run yet; logged in as
    ``username`` when one is given (``app_db`` then knows the account)."""
    at = AppTest.from_file(str(ROOT / "tests/apps/page_host.py"), default_timeout=TIMEOUT)
    at.session_state["page"] = page
    if username:
        assert app_db is not None, "a login needs the database that holds the account"
        at.session_state["themeday.user_id"] = app_db.accounts.login_record(username).user.id
    return at


def host(app_db: Repository, page: str, username: str) -> AppTest:
    """The page ``page`` as ``username`` sees it after one run."""
    return page_at(page, app_db, username).run()


def goto(at: AppTest, url_path: str) -> AppTest:
    """Open a page registered by ``st.navigation`` by its address, as a link click does."""
    hashes = [
        page_hash
        for page_hash, info in at._registered_pages.items()
        if info.get("url_pathname") == url_path
    ]
    assert hashes, f"no page at /{url_path}"
    at._page_hash = hashes[0]
    return at.run()


DEMO_DAY = date(2026, 11, 23)
"""The day the demo template is seeded for (``conftest.py``)."""


def dashboard(app_db: Repository, username: str, as_of: date | None = DEMO_DAY) -> AppTest:
    """领导看板 as ``username`` sees it, its 截至日期 set to ``as_of`` unless None."""
    at = page_at("leader_dashboard", app_db, username)
    if as_of is not None:  # the picker's key names the campaign
        campaign = app_db.catalogue.current_campaign(SYSTEM_ACTOR)
        at.session_state[f"dashboard.as_of_{campaign.id}"] = as_of
    return at.run()


# ------------------------------------------------------------------------- records

DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "@SUM(A1)", "-2+3", "\t=1+1", "\r=1+1", " =1+1"]
"""Cell text a spreadsheet would run as a formula unless it is neutralised."""


def make_campaign(preset: CampaignPreset = XIANGJIANG_2023, **changes: object) -> Campaign:
    """A Campaign record from a preset."""
    fields: dict[str, object] = {
        "id": 1,
        "year": preset.year,
        "region": preset.region,
        "title": preset.title,
        "office_name": preset.office_name,
        "rules": preset.rules,
        "is_current": True,
        "version": 1,
    }
    fields.update(changes)
    return Campaign(**fields)  # type: ignore[arg-type]


def make_unit(unit_id: int = 7, name: str = "区财政局", **changes: object) -> Unit:
    fields: dict[str, object] = {
        "id": unit_id,
        "name": name,
        "kind": "部门",
        "contact_person": "单位联系人",
        "contact_phone": "13900000000",
        "enabled": True,
        "version": 1,
    }
    fields.update(changes)
    return Unit(**fields)  # type: ignore[arg-type]


def make_declaration(unit: Unit, person: str = "张三", phone: str = "0739-5321101") -> Declaration:
    return Declaration(
        id=3,
        campaign_id=1,
        unit_id=unit.id,
        unit_name=unit.name,
        status="draft",
        contact_person=person,
        contact_phone=phone,
        submitted_at=None,
        version=1,
    )


def make_activity(
    seq: int,
    title: str,
    month: int,
    form: str = "座谈交流",
    *,
    unit: Unit | None = None,
    summary: str = "",
    contact: str = "",
    activity_id: int | None = None,
) -> Activity:
    unit = unit or make_unit()
    return Activity(
        id=activity_id if activity_id is not None else unit.id * 100 + seq,
        declaration_id=3,
        campaign_id=1,
        unit_id=unit.id,
        unit_name=unit.name,
        seq=seq,
        title=title,
        planned_month=month,
        form=form,
        summary=summary or f"{title}的简介",
        contact=contact,
        activity_date=None,
        place="",
        status="planned",
    )


def sample_activities(unit: Unit | None = None) -> list[Activity]:
    """Two themes given out of seq order."""
    return [
        make_activity(
            2, "优化营商环境座谈会", 6, "座谈交流", unit=unit, contact="李四 13812345678"
        ),
        make_activity(
            1, "重点项目建设现场调研", 4, "实地调研", unit=unit, contact="王五 0739-1234567"
        ),
    ]


# ---------------------------------------------------------------------- activities


def at(*args: int) -> datetime:
    """A moment in the app's time zone."""
    return datetime(*args, tzinfo=TZ)


def approved_campaign_2023(repo: Repository, themes: dict[str, str]) -> tuple[int, dict[str, int]]:
    """The 大祥区 2023 campaign, and for each ``username: title`` of ``themes`` that unit's
    approved 申报表 with the one theme ``title``, planned for October, as a 政策发布.

    Returns the campaign's id and each unit's activity id by username.
    """
    office = actor_for(repo, "office")
    campaign_id = repo.catalogue.create_campaign(
        office,
        year=2023,
        region=DAXIANG_2023.region,
        title="大祥区2023年“政务公开主题日”活动",
        office_name=DAXIANG_2023.office_name,
        rules=DAXIANG_2023.rules,
    )
    activity_ids = {}
    for username, title in themes.items():
        declare(
            repo,
            campaign_id,
            username,
            title,
            DeclarationStatus.APPROVED,
            submitted_at=at(2023, 4, 10, 9),
            late_workdays=0,
        )
        unit = actor_for(repo, username)
        activity_ids[username] = repo.activities.list_lifecycle(unit, campaign_id)[0].id
    return campaign_id, activity_ids


def declare(
    repo: Repository,
    campaign_id: int,
    username: str,
    title: str,
    status: DeclarationStatus,
    *,
    form: str = "政策发布",
    submitted_at: datetime | None = None,
    late_workdays: int | None = None,
    return_reason: str | None = None,
) -> int:
    """The office files ``username``'s 申报表 in ``status`` with the one theme ``title``,
    planned for October; the declaration's id."""
    return repo.declarations.create_declaration(
        actor_for(repo, "office"),
        campaign_id,
        actor_for(repo, username).unit_id,
        contact_person="刘晓燕",
        contact_phone="0739-5321101",
        status=status,
        submitted_at=submitted_at,
        late_workdays=late_workdays,
        return_reason=return_reason,
        themes=[{"title": title, "planned_month": 10, "form": form, "summary": ""}],
    )


def plan_activity(
    repo: Repository,
    username: str,
    campaign_id: int,
    activity_id: int,
    *,
    day: date,
    place: str,
    invitees: list[str],
    plan_text: str,
    store: FileStore,
) -> None:
    """As ``username``: date the activity for ``day`` at ``place`` and file its plan."""
    unit = actor_for(repo, username)
    campaign = repo.catalogue.get_campaign(unit, campaign_id)
    version = repo.activities.get_activity(unit, activity_id).version
    activities.schedule(
        repo,
        unit,
        campaign,
        activity_id,
        version,
        activity_date=day,
        place=place,
        invitees=invitees,
    )
    version = repo.activities.get_activity(unit, activity_id).version
    activities.file_plan(repo, unit, activity_id, version, plan_text=plan_text, store=store)


def fresh(repo: Repository, actor: Actor, activity: Activity) -> Activity:
    """The activity as the database holds it now."""
    return repo.activities.get_activity(actor, activity.id)


def schedule(world: tuple, day: date = date(2023, 10, 9), reason: str = "") -> None:
    """Schedule the ``world`` fixture's unit1 activity for ``day``."""
    repo, _, unit1, _, campaign, mine, *_ = world
    activities.schedule(
        repo,
        unit1,
        campaign,
        mine.id,
        fresh(repo, unit1, mine).version,
        activity_date=day,
        place="城北街道便民服务中心",
        invitees=["人大代表", "市民群众"],
        expected_participants=40,
        off_month_reason=reason,
    )


def carry_out(world: tuple) -> None:
    """Schedule on 2023-10-09, file the plan on time, hold it with a LOGO photo."""
    repo, _, unit1, _, campaign, mine, _, store = world
    schedule(world)
    repo.clock.current = at(2023, 9, 25, 10)
    activities.file_plan(
        repo,
        unit1,
        mine.id,
        fresh(repo, unit1, mine).version,
        plan_text="活动方案正文",
        store=store,
    )
    repo.clock.current = at(2023, 10, 9, 17)
    activities.record_held(
        repo,
        unit1,
        campaign,
        mine.id,
        fresh(repo, unit1, mine).version,
        held_date=date(2023, 10, 9),
        attendance={"人大代表": 3, "市民群众": 35},
        media_outlets="邵阳日报",
        marking_photos=[Upload(jpeg(), "logo.jpg")],
        store=store,
    )


# ---------------------------------------------------------------------- deployment


def nginx_sample() -> str:
    """The README's nginx configuration (安全与运维 → 部署), comments removed."""
    block = re.search(r"```nginx\n(.*?)```", README, re.S)
    assert block, "README has no nginx sample"
    return "\n".join(line.split("#", 1)[0].rstrip() for line in block.group(1).splitlines())


def self_signed_certificate(cert_path: Path, key_path: Path, name: str = "ztr.example.gov.cn"):
    """A throwaway certificate for nginx (``cryptography`` comes with the authenticator)."""
    from datetime import UTC, datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


# -------------------------------------------------------------------------- boards

TAB = "themeday.services.boards.tab"


def open_board(app_db: Repository, username: str | None, tab: str = "看板") -> AppTest:
    """看板视图 on the tab ``tab`` (logged out when ``username`` is None)."""
    at = page_at("activity_boards", app_db, username)
    at.session_state[TAB] = tab
    return at.run()


def nodes(at: AppTest) -> list:
    """Every element of the main area, containers and what they hold."""
    found, todo = [], [at.main]
    while todo:
        node = todo.pop()
        found.append(node)
        todo.extend(getattr(node, "children", {}).values())
    return found


def pick_month(at: AppTest, app_db: Repository, month: int) -> AppTest:
    """Choose ``month`` in the board's month picker."""
    campaign = app_db.catalogue.current_campaign(actor_for(app_db, "office"))
    at.selectbox(key=f"themeday.services.boards.month.{campaign.id}").set_value(month)
    return at.run()


def visit(activity: int | str | None = None, username: str | None = None, app_db=None) -> AppTest:
    """The page as a visitor sees it (logged out unless ``username`` is given)."""
    at = page_at("public_showcase", app_db, username)
    if activity is not None:
        at.query_params["activity"] = str(activity)
    return at.run()
