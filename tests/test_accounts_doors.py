"""单位与账号's service doors: rights and input are checked before anything is written."""

from __future__ import annotations

import pytest

from tests.conftest import actor_for
from themeday.core.config import SECURITY
from themeday.core.domain import SYSTEM_AUDITOR, PermissionDenied, Role, ValidationError
from themeday.formats.imports import UnitRow
from themeday.services import accounts
from themeday.services.auth import password_matches


def audit_count(repo, office) -> int:
    return len(repo.oversight.list_audit(SYSTEM_AUDITOR, 10_000))


@pytest.mark.parametrize("username", ["unit1", "leader"])
def test_every_door_refuses_anyone_but_the_office(demo, office, username):
    actor = actor_for(demo, username)
    unit = demo.catalogue.list_units(office)[0]
    user = demo.accounts.login_record("unit2").user
    before = audit_count(demo, office)
    writes = [
        lambda: accounts.create_unit(demo, actor, name="区司法局", kind="部门"),
        lambda: accounts.import_units(demo, actor, [UnitRow("区司法局", "部门", "", "")]),
        lambda: accounts.update_unit(
            demo,
            actor,
            unit.id,
            unit.version,
            name=unit.name,
            kind=unit.kind,
            contact_person="张三",
            contact_phone="",
            enabled=True,
        ),
        lambda: accounts.update_user(
            demo, actor, user.id, user.version, display_name="改名", role=Role.LEADER, unit_id=None
        ),
        lambda: accounts.set_user_enabled(demo, actor, user.id, False),
        lambda: accounts.unlock_user(demo, actor, user.id),
        lambda: accounts.reset_account_password(demo, actor, user.id),
        lambda: accounts.create_account(
            demo,
            actor,
            username="someone",
            display_name="某人",
            role=Role.OFFICE,
            unit_id=None,
        ),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied):
            write()
    assert audit_count(demo, office) == before
    assert demo.accounts.login_record("unit2").user.enabled
    assert "区司法局" not in {u.name for u in demo.catalogue.list_units(office)}


def test_unit_doors_check_the_input(demo, office):
    with pytest.raises(ValidationError, match="联系电话"):
        accounts.create_unit(demo, office, name="区司法局", kind="部门", contact_phone="12345")
    with pytest.raises(ValidationError, match="单位名称"):
        accounts.create_unit(demo, office, name="  ", kind="部门")
    with pytest.raises(ValidationError, match="联系人不能超过"):
        accounts.create_unit(demo, office, name="区司法局", kind="部门", contact_person="张" * 41)
    unit_id = accounts.create_unit(
        demo, office, name=" 区司法局 ", kind="部门", contact_person=" 张三 "
    )
    unit = demo.catalogue.get_unit(office, unit_id)
    assert (unit.name, unit.contact_person) == ("区司法局", "张三")

    with pytest.raises(ValidationError, match="不止一次"):
        accounts.import_units(
            demo, office, [UnitRow("区民政局", "部门", "", ""), UnitRow("区民政局", "部门", "", "")]
        )
    with pytest.raises(ValidationError, match="没有单位"):
        accounts.import_units(demo, office, [])
    assert accounts.import_units(demo, office, [UnitRow("区民政局", "部门", "", "")]) == 1

    with pytest.raises(ValidationError, match="单位类别"):
        accounts.update_unit(
            demo,
            office,
            unit.id,
            unit.version,
            name=unit.name,
            kind="科室",
            contact_person="",
            contact_phone="",
            enabled=True,
        )
    accounts.update_unit(
        demo,
        office,
        unit.id,
        unit.version,
        name="区司法局 ",
        kind="部门",
        contact_person="李四",
        contact_phone="0739-5321199",
        enabled=False,
    )
    changed = demo.catalogue.get_unit(office, unit.id)
    assert (changed.contact_person, changed.enabled) == ("李四", False)


def test_account_doors_check_the_input_and_write(demo, office):
    user = demo.accounts.login_record("unit2").user
    with pytest.raises(ValidationError, match="姓名或岗位"):
        accounts.update_user(
            demo, office, user.id, user.version, display_name=" ", role=Role.UNIT, unit_id=None
        )
    with pytest.raises(ValidationError, match="所属单位"):
        accounts.update_user(
            demo, office, user.id, user.version, display_name="填报员", role=Role.UNIT, unit_id=None
        )
    me = demo.accounts.login_record("office").user
    with pytest.raises(ValidationError, match="自己"):
        accounts.update_user(
            demo, office, me.id, me.version, display_name="办公室", role=Role.LEADER, unit_id=None
        )
    with pytest.raises(ValidationError, match="不能停用自己"):
        accounts.set_user_enabled(demo, office, me.id, False)
    accounts.update_user(
        demo,
        office,
        user.id,
        user.version,
        display_name=" 教育局填报员 ",
        role=Role.UNIT,
        unit_id=user.unit_id,
    )
    assert demo.accounts.login_record("unit2").user.display_name == "教育局填报员"

    accounts.set_user_enabled(demo, office, user.id, False)
    assert not demo.accounts.login_record("unit2").user.enabled
    accounts.set_user_enabled(demo, office, user.id, True)
    password = accounts.reset_account_password(demo, office, user.id)
    record = demo.accounts.login_record("unit2")
    assert password_matches(password, record.password_hash)
    assert record.user.must_change_password
    accounts.unlock_user(demo, office, user.id)
    actions = [e.action for e in demo.oversight.list_audit(SYSTEM_AUDITOR, 10)]
    assert {"update", "disable", "enable", "reset_password", "unlock"} <= set(actions)


def test_nobody_grants_themselves_a_role(demo, office):
    """三权分立: the office cannot make its own account the auditor (nor anything else),
    at the door or in the repository; it may still rename itself."""
    me = demo.accounts.login_record("office").user
    with pytest.raises(ValidationError, match="自己"):
        accounts.update_user(
            demo, office, me.id, me.version, display_name="办公室", role=Role.AUDITOR, unit_id=None
        )
    with pytest.raises(PermissionDenied, match="自己"):
        demo.accounts.update_user(
            office, me.id, me.version, display_name="办公室", role=Role.AUDITOR, unit_id=None
        )
    assert demo.accounts.login_record("office").user.role == Role.OFFICE
    accounts.update_user(
        demo, office, me.id, me.version, display_name="办公室", role=Role.OFFICE, unit_id=None
    )
    assert demo.accounts.login_record("office").user.display_name == "办公室"


def test_the_office_creates_an_auditor_account_and_it_is_audited(demo, office):
    before = audit_count(demo, office)
    password = accounts.create_account(
        demo,
        office,
        username="auditor2",
        display_name="第二审计员",
        role=Role.AUDITOR,
        unit_id=None,
    )
    created = demo.accounts.login_record("auditor2")
    assert created.user.role == Role.AUDITOR and created.user.must_change_password
    assert password_matches(password, created.password_hash)
    assert audit_count(demo, office) == before + 1
    newest = demo.oversight.list_audit(actor_for(demo, "auditor"), 1)[0]
    assert (newest.action, newest.username, newest.detail) == ("create", "office", "auditor2")


@pytest.mark.parametrize("username", ["auditor", "leader", "unit1"])
def test_only_the_office_creates_accounts(demo, username):
    with pytest.raises(PermissionDenied):
        accounts.create_account(
            demo,
            actor_for(demo, username),
            username="someone",
            display_name="某人",
            role=Role.AUDITOR,
            unit_id=None,
        )
    assert demo.accounts.login_record("someone") is None


# ------------------------------------------------------------ stale accounts (长期未登录)
def test_accounts_not_logged_in_for_long_are_listed_for_the_office(demo, clock, office):
    """Counted from the newest login, or from the creation for an account never used."""
    days = SECURITY.stale_account_after.days
    assert accounts.stale_accounts(demo, office) == []  # the demo's accounts are new
    demo.accounts.start_session(
        demo.accounts.login_record("unit1").user, "s-unit1"
    )  # unit1 logs in today
    clock.advance(days=days - 1)
    demo.accounts.start_session(demo.accounts.login_record("office").user, "s-office")
    assert accounts.stale_accounts(demo, office) == []
    clock.advance(days=1)
    stale = {s.user.username: s for s in accounts.stale_accounts(demo, office)}
    assert set(stale) == {"leader", "auditor", "unit1", "unit2", "unit3"}  # not office
    assert stale["unit1"].last_login_at is not None and stale["unit2"].last_login_at is None
    demo.accounts.set_user_enabled(office, demo.accounts.login_record("unit3").user.id, False)
    assert "unit3" not in {s.user.username for s in accounts.stale_accounts(demo, office)}
    with pytest.raises(PermissionDenied):
        accounts.stale_accounts(demo, actor_for(demo, "leader"))
    with pytest.raises(PermissionDenied):
        demo.accounts.stale_users(actor_for(demo, "auditor"), clock())


def test_stale_accounts_are_disabled_through_the_door_and_audited(demo, clock, office):
    clock.advance(days=SECURITY.stale_account_after.days + 1)
    ids = [demo.accounts.login_record(u).user.id for u in ("unit2", "unit3")]
    me = demo.accounts.login_record("office").user.id
    with pytest.raises(ValidationError, match="不能停用自己"):
        accounts.disable_accounts(demo, office, [*ids, me])
    assert demo.accounts.login_record("unit2").user.enabled  # nothing of the batch disabled
    with pytest.raises(ValidationError, match="请先选择"):
        accounts.disable_accounts(demo, office, [])
    with pytest.raises(PermissionDenied):
        accounts.disable_accounts(demo, actor_for(demo, "leader"), ids)
    assert accounts.disable_accounts(demo, office, ids) == 2
    assert not demo.accounts.login_record("unit2").user.enabled
    assert not demo.accounts.login_record("unit3").user.enabled
    rows = demo.oversight.list_audit(SYSTEM_AUDITOR, 2)
    assert {(e.action, e.object_id, e.username) for e in rows} == {
        ("disable", str(i), "office") for i in ids
    }
