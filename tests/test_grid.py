"""数据表 (grid) core: who may read, create, edit, delete and export which table; conflict
safety of batched saves; saved views; filters, sort, groups and paging against pandas;
per-field history; editor validation; comments on any record.

The permission expectations below are written from the rules of the issue, not read
back from the catalogue, so a catalogue that grants too much (or too little) fails here.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import FakeClock, actor_for, copy_demo
from themeday.core.audit import action_label
from themeday.core.dates import minute_time
from themeday.core.domain import (
    SYSTEM_ACTOR,
    Actor,
    NotFound,
    PermissionDenied,
    Role,
    UnitKind,
    ValidationError,
)
from themeday.core.grid import (
    TABLES,
    Changeset,
    Condition,
    FieldType,
    GridConflict,
    RowDelete,
    RowEdit,
    SortKey,
    ViewSpec,
    changeset_from_editor,
    check_view,
    for_display,
    grid_table,
    history_rows,
    read_value,
    tables_for,
)
from themeday.core.workdays import WorkdayOverride
from themeday.dev import bench
from themeday.repository import Repository
from themeday.storage import db

ALL = 10**6
"""A limit larger than any table here: reading a whole view (export)."""

# ============================================================ the rules of the issue
TABLE_KEYS = (
    "units",
    "accounts",
    "declarations",
    "activities",
    "attachments",
    "comments",
    "workday_overrides",
    "audit_log",
)
UNIT_READS = {"units", "declarations", "activities", "attachments", "comments", "workday_overrides"}
"""Units never see accounts or the audit log."""
LEADER_READS = UNIT_READS
"""Leaders neither (权限分离: accounts are the office's, the audit log the auditor's)."""
OFFICE_READS = UNIT_READS | {"accounts"}
"""The office never reads the audit log."""
AUDITOR_READS = {"audit_log"}
"""The auditor reads the audit log and nothing else."""
OFFICE_EDITS = {
    "units": {"name", "kind", "contact_person", "contact_phone"},
    "accounts": {"display_name"},
    "declarations": {"contact_person", "contact_phone"},
    "activities": {"activity_date", "place", "contact", "expected_participants", "portal_url"},
    "workday_overrides": {"is_workday", "note"},
}
UNIT_EDITS = {
    "units": {"contact_person", "contact_phone"},
    "declarations": {"contact_person", "contact_phone"},
    "activities": {"activity_date", "place", "contact", "expected_participants"},
}
OFFICE_CREATES = {"units", "workday_overrides"}
OFFICE_DELETES = {"units", "comments", "workday_overrides"}

ROLES = ("office", "leader", "unit_own", "unit_other", "auditor")
OPERATIONS = ("read", "create", "update", "delete", "export")

STORED = {
    # grid table: (stored table, key column, column naming the unit a row belongs to)
    "units": ("unit", "id", "id"),
    "accounts": ("app_user", "id", "unit_id"),
    "declarations": ("declaration", "id", "unit_id"),
    "activities": ("activity", "id", "unit_id"),
    "attachments": ("attachment", "id", "unit_id"),
    "comments": ("comment", "id", "unit_id"),
    "workday_overrides": ("workday_override", "day", None),
    "audit_log": ("audit_log", "id", None),
}

NEW_VALUES: dict[str, dict[str, Any]] = {
    "units": {
        "name": "区测试改名局",
        "kind": UnitKind.STATIONED.value,
        "contact_person": "李四",
        "contact_phone": "0739-5320000",
    },
    "accounts": {"display_name": "新的姓名"},
    "declarations": {"contact_person": "王五", "contact_phone": "13800000000"},
    "activities": {
        "place": "区政务服务中心",
        "contact": "赵六 13900000000",
        "expected_participants": 42,
        "portal_url": "https://www.example.gov.cn/a/1.html",
    },
    "workday_overrides": {"note": "改过的说明"},
}

NEW_ROWS: dict[str, dict[str, Any]] = {
    "units": {"name": "新建测试单位", "kind": UnitKind.DEPARTMENT.value},
    "workday_overrides": {"day": date(2027, 1, 2), "is_workday": True, "note": "调休上班"},
    "accounts": {"username": "newbie", "display_name": "新人"},
    "declarations": {"contact_person": "某人"},
    "activities": {"title": "新主题"},
    "attachments": {"original_name": "a.pdf"},
    "comments": {"body": "意见"},
    "audit_log": {"action": "edit"},
}


def test_the_catalogue_has_exactly_the_tables_the_matrix_covers():
    assert tuple(TABLES) == TABLE_KEYS  # a new table must be added to the matrix above
    assert [t.key for t in tables_for(Role.UNIT)] == [k for k in TABLE_KEYS if k in UNIT_READS]
    assert [t.key for t in tables_for(Role.LEADER)] == [k for k in TABLE_KEYS if k in LEADER_READS]
    assert [t.key for t in tables_for(Role.OFFICE)] == [k for k in TABLE_KEYS if k in OFFICE_READS]
    assert [t.key for t in tables_for(Role.AUDITOR)] == ["audit_log"]


# ============================================================ demo world
OVERRIDE_DAY = date(2026, 12, 26)


@dataclass
class World:
    repo: Repository
    office: Actor
    leader: Actor
    unit1: Actor
    unit6: Actor
    """A unit account of 板桥乡 (unit 6), whose 申报表 is 退回修改: it may edit contacts."""
    auditor: Actor
    own: dict[str, Any] = field(default_factory=dict)
    """Per table, a row of the acting unit (unit1, or unit6 for declarations)."""
    other: dict[str, Any] = field(default_factory=dict)
    """Per table, a row of another unit (or a shared row)."""
    unused_unit: int = 0

    def actor(self, role: str, key: str = "") -> Actor:
        if role in ("unit_own", "unit_other"):
            return self.unit6 if key == "declarations" else self.unit1
        return getattr(self, role)

    def target(self, role: str, key: str) -> Any:
        return self.own[key] if role == "unit_own" else self.other[key]

    def count(self, key: str) -> int:
        stored = STORED[key][0]
        return self.repo.cur.execute(f"SELECT count(*) FROM {stored}").fetchall()[0][0]

    def stored_row(self, key: str, record_key: Any) -> dict[str, Any] | None:
        stored, key_column, _ = STORED[key]
        cur = self.repo.cur.execute(f"SELECT * FROM {stored} WHERE {key_column} = ?", [record_key])
        rows = cur.fetchall()
        if not rows:
            return None
        return dict(zip([d[0] for d in cur.description], rows[0], strict=True))

    def keys_of(self, key: str, unit_id: int | None = None) -> set[Any]:
        stored, key_column, unit_column = STORED[key]
        if unit_id is None:
            rows = self.repo.cur.execute(f"SELECT {key_column} FROM {stored}").fetchall()
        else:
            rows = self.repo.cur.execute(
                f"SELECT {key_column} FROM {stored} WHERE {unit_column} = ?", [unit_id]
            ).fetchall()
        return {r[0] for r in rows}


@pytest.fixture
def world(demo: Repository) -> World:
    office = actor_for(demo, "office")
    unit1 = actor_for(demo, "unit1")
    unit6 = Actor(user_id=9006, username="unit6", role=Role.UNIT, unit_id=6)
    w = World(demo, office, actor_for(demo, "leader"), unit1, unit6, actor_for(demo, "auditor"))
    own_comment = demo.grid.add_record_comment(unit1, "activity", 2, "本单位的意见")
    other_comment = demo.grid.add_record_comment(office, "activity", 5, "办公室对城南街道的意见")
    demo.catalogue.save_workday_overrides(office, [WorkdayOverride(OVERRIDE_DAY, True, "调休上班")])
    w.unused_unit = demo.catalogue.create_unit(office, "区无人使用局", UnitKind.DEPARTMENT.value)
    files = dict(demo.cur.execute("SELECT unit_id, min(id) FROM attachment GROUP BY 1").fetchall())
    audit_id = demo.cur.execute("SELECT max(id) FROM audit_log").fetchall()[0][0]
    w.own = {
        "units": 1,
        "accounts": 3,
        "declarations": 5,  # unit 6, 退回修改
        "activities": 2,  # unit 1, 已定日期, 12月, approved 申报表
        "attachments": files[1],
        "comments": own_comment,
        "workday_overrides": OVERRIDE_DAY,
        "audit_log": audit_id,
    }
    w.other = {
        "units": 4,
        "accounts": 4,
        "declarations": 3,  # unit 4
        "activities": 13,  # unit 10, 已定日期 2026-11-26, approved 申报表
        "attachments": files[4],
        "comments": other_comment,
        "workday_overrides": OVERRIDE_DAY,
        "audit_log": audit_id,
    }
    return w


def _unit_of(w: World, role: str, key: str) -> int | None:
    return w.actor(role, key).unit_id if role.startswith("unit") else None


def _version(w: World, key: str, record_key: Any) -> int | None:
    row = w.stored_row(key, record_key)
    return None if row is None else row.get("version")


def _new_values(w: World, role: str, key: str, names: set[str]) -> dict[str, Any]:
    values = {n: v for n, v in NEW_VALUES.get(key, {}).items() if n in names}
    row = w.stored_row(key, w.target(role, key))
    if "activity_date" in names:
        values["activity_date"] = row["activity_date"].replace(day=3)
    if "is_workday" in names:
        values["is_workday"] = not row["is_workday"]
    return values


def _comparable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    return value


def _readable(role: str, key: str) -> bool:
    reads = {"office": OFFICE_READS, "leader": LEADER_READS, "auditor": AUDITOR_READS}
    return key in reads.get(role, UNIT_READS)


def _editable(role: str, key: str) -> set[str]:
    if role == "office":
        return OFFICE_EDITS.get(key, set())
    if role == "unit_own":
        return UNIT_EDITS.get(key, set())
    return set()


def _field_for_denied_edit(key: str) -> str:
    table = grid_table(key)
    return next(n for n in table.names if n not in (table.key_field, "version"))


@pytest.mark.parametrize("op", OPERATIONS)
@pytest.mark.parametrize("key", TABLE_KEYS)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world: World, role: str, key: str, op: str):
    w, repo = world, world.repo
    actor = w.actor(role, key)
    target = w.target(role, key)
    unit_id = _unit_of(w, role, key)
    scoped = unit_id is not None and STORED[key][2] is not None

    if op in ("read", "export"):
        if not _readable(role, key):
            with pytest.raises(PermissionDenied):
                repo.grid.grid_rows(actor, key, ViewSpec(), limit=ALL if op == "export" else 5)
            with pytest.raises(PermissionDenied):
                repo.grid.grid_record(actor, key, target)
            return
        expected = w.keys_of(key, unit_id if scoped else None)
        if op == "read":
            page = repo.grid.grid_rows(actor, key, ViewSpec(), offset=0, limit=3)
            assert page.total == len(expected)
            assert len(page.rows) == min(3, len(expected))
            assert set(page.rows[grid_table(key).key_field].map(_comparable)) <= expected
        else:
            page = repo.grid.grid_rows(actor, key, ViewSpec(), limit=ALL)
            assert page.total == len(page.rows) == len(expected)
            assert set(page.rows[grid_table(key).key_field].map(_comparable)) == expected
        if role == "unit_other" and scoped:
            assert target not in expected
            with pytest.raises(NotFound):
                repo.grid.grid_record(actor, key, target)
            with pytest.raises(NotFound):
                repo.grid.change_history(actor, key, target)
        else:
            assert target in expected
            record = repo.grid.grid_record(actor, key, target)
            assert _comparable(record[grid_table(key).key_field]) == target
        if scoped:
            shown = repo.grid.grid_rows(actor, key, ViewSpec(fields=("id",)), limit=ALL).rows
            assert len(shown) == len(w.keys_of(key, unit_id))
        return

    before_count = w.count(key)
    if op == "create":
        change = Changeset(inserts=(dict(NEW_ROWS[key]),))
        if role == "office" and key in OFFICE_CREATES:
            assert repo.grid.save_grid(actor, key, change) == 1
            assert w.count(key) == before_count + 1
        else:
            with pytest.raises(PermissionDenied):
                repo.grid.save_grid(actor, key, change)
            assert w.count(key) == before_count
        return

    if op == "update":
        allowed = _editable(role, key)
        before = w.stored_row(key, target)
        version = _version(w, key, target)
        if allowed:
            values = _new_values(w, role, key, allowed)
            assert set(values) == allowed
            edit = RowEdit(target, version, values, {n: before[n] for n in values})
            assert repo.grid.save_grid(actor, key, Changeset(edits=(edit,))) == 1
            after = w.stored_row(key, target)
            for name, value in values.items():
                assert _comparable(after[name]) == value, name
            assert after["version"] == version + 1
            # every other field of the table stays closed to this role
            for name in grid_table(key).names:
                if name in allowed or name == grid_table(key).key_field:
                    continue
                with pytest.raises(PermissionDenied):
                    repo.grid.save_grid(
                        actor, key, Changeset(edits=(RowEdit(target, after["version"], {name: 1}),))
                    )
            assert w.stored_row(key, target) == after
            return
        # nothing editable: the fields a unit may edit in its own rows are refused in
        # another unit's rows, and any field is refused where the role edits nothing
        names = UNIT_EDITS.get(key) if role == "unit_other" and key in UNIT_EDITS else None
        values = (
            _new_values(w, role, key, names) if names else {_field_for_denied_edit(key): "改不了"}
        )
        with pytest.raises(PermissionDenied):
            repo.grid.save_grid(actor, key, Changeset(edits=(RowEdit(target, version, values),)))
        assert w.stored_row(key, target) == before
        assert w.count(key) == before_count
        return

    assert op == "delete"
    if role == "office" and key == "units":
        target = w.unused_unit
    version = _version(w, key, target)
    change = Changeset(deletes=(RowDelete(target, version),))
    if role == "office" and key in OFFICE_DELETES:
        assert repo.grid.save_grid(actor, key, change) == 1
        assert w.stored_row(key, target) is None
        assert w.count(key) == before_count - 1
    else:
        with pytest.raises(PermissionDenied):
            repo.grid.save_grid(actor, key, change)
        assert w.stored_row(key, target) is not None
        assert w.count(key) == before_count


# ============================================================ conflicts
def _second_session(repo: Repository) -> Repository:
    """Another script run on the same database file: its own cursor."""
    return Repository(db.cursor(repo.cur), repo.clock)


def _audit_count(repo: Repository) -> int:
    return repo.cur.execute("SELECT count(*) FROM audit_log").fetchall()[0][0]


def _activity(repo: Repository, activity_id: int) -> dict[str, Any]:
    cur = repo.cur.execute("SELECT * FROM activity WHERE id = ?", [activity_id])
    return dict(zip([d[0] for d in cur.description], cur.fetchall()[0], strict=True))


def test_two_sessions_edit_one_row_first_wins_second_gets_the_fields(world: World):
    a, b = world.repo, _second_session(world.repo)
    office = world.office
    loaded_a = a.grid.grid_record(office, "activities", 13)
    loaded_b = b.grid.grid_record(office, "activities", 13)
    version = loaded_a["version"]
    assert loaded_b["version"] == version

    a.grid.save_grid(
        office,
        "activities",
        Changeset(
            edits=(RowEdit(13, version, {"place": "甲的地点"}, {"place": loaded_a["place"]}),)
        ),
    )
    before = _audit_count(a)
    mine = {"place": "乙的地点", "expected_participants": 80}
    with pytest.raises(GridConflict) as caught:
        b.grid.save_grid(
            office,
            "activities",
            Changeset(edits=(RowEdit(13, version, mine, {n: loaded_b[n] for n in mine}),)),
        )
    conflicts = {c.field: c for c in caught.value.conflicts}
    assert set(conflicts) == {"place", "expected_participants"}
    place = conflicts["place"]
    assert (place.key, place.label) == (13, "活动地点")
    assert (place.loaded, place.mine, place.theirs) == (loaded_b["place"], "乙的地点", "甲的地点")
    assert caught.value.missing == []
    assert "13" in str(caught.value) and "未写入" in str(caught.value)
    row = _activity(a, 13)
    assert row["place"] == "甲的地点"
    assert row["expected_participants"] == loaded_a["expected_participants"]
    assert row["version"] == version + 1
    assert _audit_count(a) == before


def test_one_stale_row_refuses_the_whole_batch(world: World):
    a, b = world.repo, _second_session(world.repo)
    office = world.office
    v13 = a.grid.grid_record(office, "activities", 13)["version"]
    v2 = a.grid.grid_record(office, "activities", 2)["version"]
    unit_count = world.count("units")
    b.grid.save_grid(
        office, "activities", Changeset(edits=(RowEdit(13, v13, {"contact": "别人改的"}),))
    )
    fresh_before = _activity(a, 2)
    audit_before = _audit_count(a)

    batch = Changeset(
        edits=(
            RowEdit(2, v2, {"place": "新地点"}),  # fresh
            RowEdit(13, v13, {"place": "过期的修改"}),  # stale
        )
    )
    with pytest.raises(GridConflict) as caught:
        a.grid.save_grid(office, "activities", batch)
    assert [c.key for c in caught.value.conflicts] == [13]
    assert _activity(a, 2) == fresh_before
    assert _activity(a, 13)["place"] != "过期的修改"
    assert _audit_count(a) == audit_before

    # inserts and deletes of a batch with a stale row are not written either
    v4 = a.grid.grid_record(office, "units", 4)["version"]
    b.grid.save_grid(office, "units", Changeset(edits=(RowEdit(4, v4, {"contact_person": "乙"}),)))
    unused_version = a.grid.grid_record(office, "units", world.unused_unit)["version"]
    with pytest.raises(GridConflict):
        a.grid.save_grid(
            office,
            "units",
            Changeset(
                edits=(RowEdit(4, v4, {"contact_person": "甲"}),),
                inserts=({"name": "批次里新建的单位", "kind": UnitKind.DEPARTMENT.value},),
                deletes=(RowDelete(world.unused_unit, unused_version),),
            ),
        )
    assert world.count("units") == unit_count
    assert world.stored_row("units", world.unused_unit) is not None
    assert world.stored_row("units", 4)["contact_person"] == "乙"


def test_sequential_saves_with_the_same_loaded_version_conflict(world: World):
    repo, unit1 = world.repo, world.unit1
    version = repo.grid.grid_record(unit1, "units", 1)["version"]
    repo.grid.save_grid(
        unit1, "units", Changeset(edits=(RowEdit(1, version, {"contact_person": "一"}),))
    )
    with pytest.raises(GridConflict) as caught:
        repo.grid.save_grid(
            unit1, "units", Changeset(edits=(RowEdit(1, version, {"contact_person": "二"}),))
        )
    assert [(c.field, c.mine, c.theirs) for c in caught.value.conflicts] == [
        ("contact_person", "二", "一")
    ]
    assert world.stored_row("units", 1)["contact_person"] == "一"


def test_a_change_made_outside_the_grid_also_makes_the_grid_row_stale(world: World):
    repo, office = world.repo, world.office
    version = repo.grid.grid_record(office, "units", 4)["version"]
    repo.catalogue.update_unit(office, 4, version, contact_person="别处改的")
    with pytest.raises(GridConflict):
        repo.grid.save_grid(
            office, "units", Changeset(edits=(RowEdit(4, version, {"contact_person": "表格"}),))
        )
    assert world.stored_row("units", 4)["contact_person"] == "别处改的"


def test_delete_of_a_row_changed_meanwhile_is_a_conflict(world: World):
    a, b = world.repo, _second_session(world.repo)
    office = world.office
    version = a.grid.grid_record(office, "workday_overrides", OVERRIDE_DAY)["version"]
    b.grid.save_grid(
        office,
        "workday_overrides",
        Changeset(edits=(RowEdit(OVERRIDE_DAY, version, {"note": "改了说明"}),)),
    )
    with pytest.raises(GridConflict) as caught:
        a.grid.save_grid(
            office, "workday_overrides", Changeset(deletes=(RowDelete(OVERRIDE_DAY, version),))
        )
    assert [c.key for c in caught.value.conflicts] == [OVERRIDE_DAY]
    assert world.stored_row("workday_overrides", OVERRIDE_DAY)["note"] == "改了说明"

    unused = a.grid.grid_record(office, "units", world.unused_unit)["version"]
    b.grid.save_grid(
        office, "units", Changeset(edits=(RowEdit(world.unused_unit, unused, {"name": "改名"}),))
    )
    with pytest.raises(GridConflict):
        a.grid.save_grid(
            office, "units", Changeset(deletes=(RowDelete(world.unused_unit, unused),))
        )
    assert world.stored_row("units", world.unused_unit)["name"] == "改名"


def test_edit_of_a_row_deleted_meanwhile_reports_it_missing(world: World):
    a, b = world.repo, _second_session(world.repo)
    office = world.office
    version = a.grid.grid_record(office, "workday_overrides", OVERRIDE_DAY)["version"]
    b.grid.save_grid(
        office, "workday_overrides", Changeset(deletes=(RowDelete(OVERRIDE_DAY, version),))
    )
    audit_before = _audit_count(a)
    with pytest.raises(GridConflict) as caught:
        a.grid.save_grid(
            office,
            "workday_overrides",
            Changeset(
                edits=(RowEdit(OVERRIDE_DAY, version, {"note": "来晚了"}),),
                inserts=({"day": date(2027, 2, 7), "is_workday": True},),
            ),
        )
    assert caught.value.missing == [OVERRIDE_DAY]
    assert caught.value.conflicts == []
    assert world.stored_row("workday_overrides", OVERRIDE_DAY) is None
    assert world.stored_row("workday_overrides", date(2027, 2, 7)) is None
    assert _audit_count(a) == audit_before

    comment = world.other["comments"]
    b.grid.save_grid(office, "comments", Changeset(deletes=(RowDelete(comment, None),)))
    with pytest.raises(GridConflict) as caught:
        a.grid.save_grid(office, "comments", Changeset(deletes=(RowDelete(comment, None),)))
    assert caught.value.missing == [comment]


# ============================================================ saved views
def test_saved_views_save_list_replace_default_and_scope(world: World):
    repo, office, leader, unit1 = world.repo, world.office, world.leader, world.unit1
    unit2 = actor_for(repo, "unit2")
    other_office = Actor(user_id=9001, username="office2", role=Role.OFFICE)
    spec = ViewSpec(
        search="街道",
        conditions=(
            Condition("status", "in", ("scheduled", "planned")),
            Condition("activity_date", "after", "2026-10-01"),
        ),
        match_all=False,
        sort=(SortKey("activity_date", descending=True), SortKey("unit_name")),
        group_by="status",
        fields=("id", "title", "status", "activity_date"),
    )
    first = repo.grid.save_view(office, "activities", "待开展", spec)
    listed = repo.grid.list_saved_views(office, "activities")
    assert [(v.id, v.name, v.unit_id, v.is_default) for v in listed] == [
        (first, "待开展", None, False)
    ]
    table = grid_table("activities")
    assert check_view(table, listed[0].spec) == check_view(table, spec)
    assert repo.grid.default_view(office, "activities") is None

    # replace by name: same row, new spec
    narrower = ViewSpec(conditions=(Condition("status", "eq", "scheduled"),))
    assert repo.grid.save_view(office, "activities", " 待开展 ", narrower) == first
    listed = repo.grid.list_saved_views(office, "activities")
    assert len(listed) == 1 and listed[0].spec.conditions == narrower.conditions

    # one default per table: a new default clears the old one
    a = repo.grid.save_view(office, "activities", "甲", ViewSpec(search="甲"), is_default=True)
    assert repo.grid.default_view(office, "activities").id == a
    b = repo.grid.save_view(office, "activities", "乙", ViewSpec(search="乙"), is_default=True)
    defaults = [v.id for v in repo.grid.list_saved_views(office, "activities") if v.is_default]
    assert defaults == [b]
    assert repo.grid.list_saved_views(office, "activities")[0].id == b
    assert repo.grid.default_view(office, "activities").id == b
    assert repo.grid.default_view(office, "units") is None  # defaults are per table

    # the office's views are shared among office users and visible to the leader
    assert {v.id for v in repo.grid.list_saved_views(other_office, "activities")} == {first, a, b}
    assert {v.id for v in repo.grid.list_saved_views(leader, "activities")} == {first, a, b}
    assert repo.grid.default_view(leader, "activities").id == b
    with pytest.raises(PermissionDenied):
        repo.grid.save_view(leader, "activities", "领导的", ViewSpec())

    # a unit's views are its own
    mine = repo.grid.save_view(
        unit1, "activities", "本单位", ViewSpec(search="城北"), is_default=True
    )
    assert [v.id for v in repo.grid.list_saved_views(unit1, "activities")] == [mine]
    assert repo.grid.default_view(unit1, "activities").id == mine
    assert repo.grid.list_saved_views(unit2, "activities") == []
    assert repo.grid.default_view(unit2, "activities") is None
    assert mine not in {v.id for v in repo.grid.list_saved_views(office, "activities")}
    assert repo.grid.default_view(office, "activities").id == b  # the unit's default is apart
    theirs = repo.grid.save_view(unit2, "activities", "本单位", ViewSpec(search="教育"))
    assert theirs != mine
    assert [v.id for v in repo.grid.list_saved_views(unit1, "activities")] == [mine]
    with pytest.raises(PermissionDenied):
        repo.grid.save_view(unit1, "accounts", "账号", ViewSpec())
    with pytest.raises(ValidationError):
        repo.grid.save_view(unit1, "activities", "  ", ViewSpec())
    with pytest.raises(ValidationError):
        repo.grid.save_view(unit1, "activities", "坏的", ViewSpec(sort=(SortKey("no_such_field"),)))

    # delete only one's own
    with pytest.raises(NotFound):
        repo.grid.delete_view(unit2, mine)
    with pytest.raises(NotFound):
        repo.grid.delete_view(office, mine)
    with pytest.raises(NotFound):
        repo.grid.delete_view(unit1, first)
    with pytest.raises(PermissionDenied):
        repo.grid.delete_view(leader, first)
    repo.grid.delete_view(unit1, mine)
    assert repo.grid.list_saved_views(unit1, "activities") == []
    repo.grid.delete_view(other_office, first)  # shared among the office
    assert {v.id for v in repo.grid.list_saved_views(office, "activities")} == {a, b}


def test_saved_views_persist_across_a_reopened_database(demo_template: Path, tmp_path: Path):
    path = tmp_path / "views" / "demo.duckdb"
    copy_demo(demo_template, path)
    con = db.connect(path)
    repo = Repository(db.cursor(con), FakeClock())
    office, unit1 = actor_for(repo, "office"), actor_for(repo, "unit1")
    spec = ViewSpec(
        conditions=(Condition("activity_date", "before", date(2026, 12, 1)),),
        sort=(SortKey("activity_date"),),
    )
    shared = repo.grid.save_view(office, "activities", "十二月前", spec, is_default=True)
    own = repo.grid.save_view(unit1, "units", "本单位", ViewSpec(search="城北"))
    con.close()

    con = db.connect(path)
    try:
        repo = Repository(db.cursor(con), FakeClock())
        view = repo.grid.default_view(office, "activities")
        assert view is not None and view.id == shared and view.name == "十二月前"
        table = grid_table("activities")
        assert check_view(table, view.spec) == check_view(table, spec)
        assert [v.id for v in repo.grid.list_saved_views(unit1, "units")] == [own]
        assert repo.grid.list_saved_views(office, "units") == []
        # the stored view still runs
        rows = repo.grid.grid_rows(office, "activities", view.spec, limit=ALL).rows
        assert len(rows) > 0
        assert all(d < date(2026, 12, 1) for d in rows["activity_date"].dt.date)
    finally:
        con.close()


# ============================================================ views against pandas
@pytest.fixture
def generated(con, repo: Repository) -> Repository:
    """An empty database filled with one generated campaign (60 units, 400 themes),
    then given NULLs (where the schema allows them), blanks and mixed values."""
    bench.generate(con, 60, 400, seed=5)
    rng = random.Random(5)
    places = ["", "  ", "区政务服务中心", "城北街道便民服务大厅", "广场", "Hall A", "hall b"]
    contacts = ["", "张三 13800000000", "李四", "王五 0739-5321101"]
    urls = ["", "https://www.example.gov.cn/1.html", "http://portal/2"]
    numbers = [None, 0, 5, 30, 30, 120, 500]
    for activity_id in range(1, 401):
        repo.cur.execute(
            "UPDATE activity SET place = ?, contact = ?, portal_url = ?,"
            " expected_participants = ?, title = ? WHERE id = ?",
            [
                rng.choice(places),
                rng.choice(contacts),
                rng.choice(urls),
                rng.choice(numbers),
                rng.choice(["主题日活动", "政策发布会", "开放日", "Open Day"]) + str(activity_id),
                activity_id,
            ],
        )
    for unit_id in range(1, 61):
        repo.cur.execute(
            "UPDATE unit SET contact_person = ?, enabled = ? WHERE id = ?",
            [rng.choice(["", "张三", "李四", "赵六"]), rng.random() < 0.8, unit_id],
        )
    for declaration_id in range(1, 61):  # text NULLs live in the nullable columns
        repo.cur.execute(
            "UPDATE declaration SET return_reason = ?, late_workdays = ? WHERE id = ?",
            [
                rng.choice([None, "", "主题过于笼统", "请补充联系人"]),
                rng.choice([None, 0, 1, 3]),
                declaration_id,
            ],
        )
    return repo


def _local_dates(column: pd.Series) -> pd.Series:
    values = pd.to_datetime(column)
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_convert("Asia/Shanghai")
    return values.dt.date.where(values.notna(), None)


def _holds(frame: pd.DataFrame, table, condition: Condition) -> pd.Series:
    """One condition evaluated in pandas with SQL's NULL rules (NULL never matches)."""
    f = table.field(condition.field)
    column = frame[f.name]
    value = condition.value
    present = column.notna()
    if f.type == FieldType.TEXT:
        text = column.astype(object).where(present, None)
        if condition.op == "contains":
            return text.map(lambda x: x is not None and value.lower() in x.lower())
        if condition.op == "not_contains":
            return text.map(lambda x: x is None or value.lower() not in x.lower())
        if condition.op == "eq":
            return text.map(lambda x: x is not None and x == value)
        if condition.op == "ne":
            return text.map(lambda x: x != value)
        blank = text.map(lambda x: x is None or not x.strip())
        return blank if condition.op == "empty" else ~blank
    if condition.op == "empty":
        return ~present
    if condition.op == "not_empty":
        return present
    if f.type in (FieldType.DATE, FieldType.DATETIME):
        days = _local_dates(column)
        day = value.date() if isinstance(value, datetime) else value
        compare = {"eq": lambda x: x == day, "before": lambda x: x < day}.get(
            condition.op, lambda x: x > day
        )
        return days.map(lambda x: x is not None and compare(x))
    if condition.op == "in":
        return column.isin(list(value)) & present
    if condition.op == "ne":
        return column.astype(object).map(lambda x: pd.isna(x) or x != value)
    compare = {
        "eq": lambda x: x == value,
        "lt": lambda x: x < value,
        "le": lambda x: x <= value,
        "gt": lambda x: x > value,
        "ge": lambda x: x >= value,
    }[condition.op]
    return column.astype(object).map(lambda x: not pd.isna(x) and bool(compare(x)))


def _search_holds(frame: pd.DataFrame, table, text: str) -> pd.Series:
    """Search matches what people see: text fields and enum labels."""
    hit = pd.Series(False, index=frame.index)
    for f in table.fields:
        if f.type == FieldType.TEXT:
            shown = frame[f.name]
        elif f.type == FieldType.ENUM:
            shown = frame[f.name].map(f.label_of)
        else:
            continue
        hit |= shown.astype(object).map(lambda x: isinstance(x, str) and text.lower() in x.lower())
    return hit


def _expected(frame: pd.DataFrame, table, spec: ViewSpec) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    if spec.search:
        keep &= _search_holds(frame, table, spec.search)
    if spec.conditions:
        held = [_holds(frame, table, c).astype(bool) for c in spec.conditions]
        combined = held[0]
        for h in held[1:]:
            combined = (combined & h) if spec.match_all else (combined | h)
        keep &= combined
    out = frame[keep]
    keys = ([SortKey(spec.group_by)] if spec.group_by else []) + list(spec.sort)
    keys.append(SortKey(table.key_field))
    for key in reversed(keys):  # stable sorts, least significant key first
        out = out.sort_values(
            key.field, ascending=not key.descending, na_position="last", kind="stable"
        )
    return out


def _pages(repo: Repository, actor: Actor, key: str, spec: ViewSpec, size: int):
    first = repo.grid.grid_rows(actor, key, spec, offset=0, limit=size)
    frames, offset = [first.rows], size
    while offset < first.total:
        page = repo.grid.grid_rows(actor, key, spec, offset=offset, limit=size)
        assert page.total == first.total
        assert len(page.rows) == min(size, first.total - offset)
        frames.append(page.rows)
        offset += size
    return pd.concat(frames, ignore_index=True), first.total


def _sample_value(rng: random.Random, column: pd.Series) -> Any:
    values = [v for v in column.dropna().tolist() if not (isinstance(v, str) and not v.strip())]
    return rng.choice(values) if values else None


def _random_condition(rng: random.Random, frame: pd.DataFrame, table) -> Condition:
    candidates = [f for f in table.fields if f.name in frame.columns and f.name != "version"]
    f = rng.choice(candidates)
    column = frame[f.name]
    if f.type == FieldType.TEXT:
        op = rng.choice(["contains", "contains", "eq", "ne", "not_contains", "empty", "not_empty"])
        sample = _sample_value(rng, column) or "x"
        if op in ("contains", "not_contains"):
            start = rng.randrange(len(sample))
            sample = sample[start : start + rng.randint(1, 3)].strip() or sample
            sample = sample.upper() if rng.random() < 0.3 else sample
        return Condition(f.name, op, None if op in ("empty", "not_empty") else sample)
    if f.type == FieldType.NUMBER:
        op = rng.choice(["lt", "ge", "eq", "ne", "le", "gt", "empty", "not_empty"])
        sample = _sample_value(rng, column)
        return Condition(f.name, op, None if op in ("empty", "not_empty") else (sample or 1))
    if f.type in (FieldType.DATE, FieldType.DATETIME):
        op = rng.choice(["before", "after", "eq", "empty", "not_empty"])
        days = [d for d in _local_dates(column).tolist() if d is not None]
        day = rng.choice(days) if days else date(2023, 6, 1)
        value = day.isoformat() if rng.random() < 0.5 else day
        return Condition(f.name, op, None if op in ("empty", "not_empty") else value)
    if f.type == FieldType.BOOL:
        return Condition(f.name, "eq", rng.choice([True, False, "是", "否"]))
    codes = [code for code, _ in f.options]
    op = rng.choice(["in", "in", "eq", "ne", "empty"])
    if op == "in":
        return Condition(f.name, op, tuple(rng.sample(codes, rng.randint(1, min(3, len(codes))))))
    return Condition(f.name, op, None if op == "empty" else rng.choice(codes))


def _random_spec(rng: random.Random, frame: pd.DataFrame, table) -> ViewSpec:
    names = [n for n in table.names if n in frame.columns]
    sortable = [n for n in names if n != table.key_field]
    search = ""
    if rng.random() < 0.3:
        search = rng.choice(
            ["街道", "hall", "HALL", "主题", "已定日期", "审核通过", "已", "张", "open", "sched"]
        )
    return ViewSpec(
        search=search,
        conditions=tuple(_random_condition(rng, frame, table) for _ in range(rng.randint(0, 3))),
        match_all=rng.random() < 0.5,
        sort=tuple(
            SortKey(n, descending=rng.random() < 0.5)
            for n in rng.sample(sortable, rng.randint(0, 3))
        ),
        group_by=rng.choice([None, None, *sortable]),
    )


def _as_list(values: pd.Series) -> list[Any]:
    return [None if pd.isna(v) else v for v in values.tolist()]


@pytest.mark.parametrize("key", ["activities", "declarations", "units"])
def test_views_filter_sort_group_and_page_like_pandas(generated: Repository, key: str):
    repo, office = generated, SYSTEM_ACTOR
    table = grid_table(key)
    everything = repo.grid.grid_rows(office, key, ViewSpec(), limit=ALL).rows
    assert len(everything) > 50
    rng = random.Random(f"grid-{key}")
    matched_some = 0
    for _ in range(30):
        raw = _random_spec(rng, everything, table)
        spec = check_view(table, raw)
        expected = _expected(everything, table, spec)
        rows, total = _pages(repo, office, key, raw, size=rng.choice([23, 97, 400]))
        assert total == len(expected), raw
        assert _as_list(rows[table.key_field]) == _as_list(expected[table.key_field]), raw
        matched_some += 0 < total < len(everything)
        groups = repo.grid.grid_groups(office, key, raw)
        if not spec.group_by:
            assert groups.empty
            continue
        counts = expected.groupby(spec.group_by, dropna=False, sort=False).size()
        ordered = sorted(
            ((None if pd.isna(v) else v, int(n)) for v, n in counts.items()),
            key=lambda vn: (vn[0] is None, vn[0] if vn[0] is not None else 0),
        )
        assert list(zip(_as_list(groups["value"]), groups["count"].astype(int), strict=True)) == (
            ordered
        ), raw
        assert int(groups["count"].sum()) == total
    assert matched_some >= 6  # the random views were not all trivial


def test_view_over_unit_scope_matches_pandas_on_the_units_rows(generated: Repository):
    repo = generated
    unit = Actor(user_id=9100, username="gen-unit", role=Role.UNIT, unit_id=7)
    everything = repo.grid.grid_rows(SYSTEM_ACTOR, "activities", ViewSpec(), limit=ALL).rows
    own = everything[everything["unit_id"] == 7]
    assert len(own) > 0
    spec = ViewSpec(sort=(SortKey("planned_month", descending=True),), group_by="status")
    rows, total = _pages(repo, unit, "activities", spec, size=3)
    expected = _expected(own, grid_table("activities"), spec)
    assert total == len(own)
    assert _as_list(rows["id"]) == _as_list(expected["id"])
    assert int(repo.grid.grid_groups(unit, "activities", spec)["count"].sum()) == len(own)


def test_search_finds_what_people_see_the_enum_labels(generated: Repository):
    repo = generated
    everything = repo.grid.grid_rows(SYSTEM_ACTOR, "activities", ViewSpec(), limit=ALL).rows
    scheduled = set(everything.loc[everything["status"] == "scheduled", "id"])
    assert scheduled
    found = repo.grid.grid_rows(SYSTEM_ACTOR, "activities", ViewSpec(search="已定日期"), limit=ALL)
    assert set(found.rows["id"]) == scheduled
    # the stored code is not what the grid shows, so it is not searched
    assert repo.grid.grid_rows(SYSTEM_ACTOR, "activities", ViewSpec(search="plan_filed")).total == 0
    approved = repo.grid.grid_rows(
        SYSTEM_ACTOR, "declarations", ViewSpec(search="审核通过"), limit=ALL
    )
    assert approved.total > 0 and set(approved.rows["status"]) == {"approved"}


# ============================================================ history per field
def test_each_field_edit_is_one_history_row(world: World):
    repo, office, unit1 = world.repo, world.office, world.unit1
    loaded = repo.grid.grid_record(office, "activities", 13)
    clock: FakeClock = repo.clock
    clock.advance(hours=1)
    before = _audit_count(repo)
    repo.grid.save_grid(
        office,
        "activities",
        Changeset(
            edits=(
                RowEdit(
                    13,
                    loaded["version"],
                    {"place": "新地点", "expected_participants": 60},
                    {
                        "place": loaded["place"],
                        "expected_participants": loaded["expected_participants"],
                    },
                ),
            )
        ),
    )
    edits = repo.cur.execute(
        "SELECT username, action, object_type, object_id, detail FROM audit_log"
        " WHERE id > (SELECT max(id) - 2 FROM audit_log) ORDER BY id"
    ).fetchall()
    assert _audit_count(repo) == before + 2
    details = sorted((json.loads(r[4]) for r in edits), key=lambda d: d["field"])
    assert [r[:4] for r in edits] == [("office", "edit", "activity", "13")] * 2
    assert details == [
        {
            "field": "expected_participants",
            "label": "预计人数",
            "before": ""
            if loaded["expected_participants"] is None
            else str(loaded["expected_participants"]),
            "after": "60",
        },
        {"field": "place", "label": "活动地点", "before": loaded["place"], "after": "新地点"},
    ]

    history = history_rows(repo.grid.change_history(office, "activities", 13))
    assert list(history.columns) == ["时间", "操作人", "操作", "字段", "修改前", "修改后"]
    edited = history[history["操作"] == "修改字段"]
    assert sorted(edited["字段"]) == ["活动地点", "预计人数"]
    row = edited[edited["字段"] == "活动地点"].iloc[0]
    assert (row["操作人"], row["修改前"], row["修改后"]) == (
        f"{office.display_name}（office）",
        loaded["place"],
        "新地点",
    )
    assert row["时间"] == minute_time(clock())
    assert list(history["时间"]) == sorted(history["时间"])  # oldest first

    # a unit reads its own record's history, not another unit's
    repo.grid.save_grid(
        unit1,
        "units",
        Changeset(
            edits=(
                RowEdit(
                    1,
                    repo.grid.grid_record(unit1, "units", 1)["version"],
                    {"contact_person": "新联系人"},
                ),
            )
        ),
    )
    own = history_rows(repo.grid.change_history(unit1, "units", 1))
    assert ("修改字段", "联系人", "新联系人") in set(
        zip(own["操作"], own["字段"], own["修改后"], strict=True)
    )
    with pytest.raises(NotFound):
        repo.grid.change_history(unit1, "activities", 13)
    with pytest.raises(NotFound):
        repo.grid.change_history(unit1, "units", 4)
    with pytest.raises(PermissionDenied):
        repo.grid.change_history(unit1, "audit_log", 1)


def test_a_date_edit_schedules_the_activity_and_writes_a_schedule_row(world: World):
    repo, office = world.repo, world.office
    unit2 = actor_for(repo, "unit2")
    version = repo.declarations.get_declaration(office, 2).version
    repo.declarations.review_declaration(office, 2, version, approve=True)
    loaded = repo.grid.grid_record(unit2, "activities", 4)
    assert loaded["status"] == "planned" and loaded["activity_date"] is None
    month = loaded["planned_month"]
    first, second = date(2026, month, 20), date(2026, month, 21)

    repo.grid.save_grid(
        unit2,
        "activities",
        Changeset(edits=(RowEdit(4, loaded["version"], {"activity_date": first}),)),
    )
    row = _activity(repo, 4)
    assert row["status"] == "scheduled" and row["activity_date"] == first
    assert row["scheduled_at"] is not None
    repo.grid.save_grid(
        unit2,
        "activities",
        Changeset(edits=(RowEdit(4, row["version"], {"activity_date": second}),)),
    )
    assert _activity(repo, 4)["status"] == "scheduled"
    schedules = repo.cur.execute(
        "SELECT detail, username FROM audit_log WHERE action = 'schedule' AND object_type ="
        " 'activity' AND object_id = '4' ORDER BY id"
    ).fetchall()
    assert schedules == [
        (f"未定 → {first.isoformat()}", "unit2"),
        (f"{first.isoformat()} → {second.isoformat()}", "unit2"),
    ]
    history = history_rows(repo.grid.change_history(unit2, "activities", 4))
    edit, schedule = action_label("edit"), action_label("schedule")
    assert (edit, schedule) == ("修改字段", "安排活动")
    assert list(history["操作"]) == [edit, schedule, edit, schedule]
    assert list(history["修改后"]) == [
        first.isoformat(),
        f"未定 → {first.isoformat()}",
        second.isoformat(),
        f"{first.isoformat()} → {second.isoformat()}",
    ]
    assert list(history["修改前"])[:3] == ["", "", first.isoformat()]


def test_date_edits_keep_the_scheduling_rules(world: World):
    repo, office, unit1 = world.repo, world.office, world.unit1
    unit2 = actor_for(repo, "unit2")
    cases = [
        (unit2, 4, date(2026, 10, 20), "审核通过后"),  # 申报表 not approved yet
        (unit1, 1, date(2026, 11, 3), "已开展"),  # held
        (unit1, 2, date(2027, 12, 1), "2026年内"),
        (unit1, 2, date(2026, 11, 30), "计划月份"),
        (unit1, 2, None, "不能清空"),
    ]
    for actor, activity_id, day, message in cases:
        before = _activity(repo, activity_id)
        with pytest.raises(ValidationError) as caught:
            repo.grid.save_grid(
                actor,
                "activities",
                Changeset(edits=(RowEdit(activity_id, before["version"], {"activity_date": day}),)),
            )
        assert message in str(caught.value)
        assert _activity(repo, activity_id) == before
    with pytest.raises(ValidationError, match="负数"):
        repo.grid.save_grid(
            office,
            "activities",
            Changeset(edits=(RowEdit(13, None, {"expected_participants": -1}),)),
        )


# ============================================================ validation
def test_changeset_from_editor_reads_typed_values(world: World):
    repo, office = world.repo, world.office
    table = grid_table("activities")
    spec = ViewSpec(
        conditions=tuple(Condition("id", "eq", n) for n in (2, 3, 13)),
        match_all=False,
        sort=(SortKey("id"),),
    )
    loaded = for_display(table, repo.grid.grid_rows(office, "activities", spec).rows)
    assert list(loaded["id"]) == [2, 3, 13]
    state = {
        "edited_rows": {
            "2": {"activity_date": "2026年11月27日", "expected_participants": "1,200"},
            0: {"place": "  区图书馆  ", "contact": loaded.iloc[0]["contact"]},
        },
        "added_rows": [{}],  # the editor's blank line
        "deleted_rows": [1],
    }
    changes = changeset_from_editor(table, Role.OFFICE, loaded, state)
    assert [e.key for e in changes.edits] == [2, 13]
    first, last = changes.edits
    assert dict(first.changes) == {"place": "区图书馆"}  # unchanged contact is no change
    assert first.version == int(loaded.iloc[0]["version"])
    assert dict(last.changes) == {
        "activity_date": date(2026, 11, 27),
        "expected_participants": 1200,
    }
    assert last.loaded["activity_date"] == date(2026, 11, 26)
    assert changes.inserts == ()
    assert changes.deletes == (RowDelete(3, int(loaded.iloc[1]["version"])),)
    with pytest.raises(PermissionDenied):  # nobody deletes activities
        repo.grid.save_grid(office, "activities", changes)
    assert repo.grid.save_grid(office, "activities", Changeset(edits=changes.edits)) == 2
    assert _activity(repo, 2)["place"] == "区图书馆"
    assert _activity(repo, 13)["activity_date"] == date(2026, 11, 27)
    assert _activity(repo, 13)["expected_participants"] == 1200


def test_changeset_from_editor_reads_booleans_enums_and_new_rows(world: World):
    repo, office = world.repo, world.office
    table = grid_table("workday_overrides")
    loaded = for_display(table, repo.grid.grid_rows(office, "workday_overrides").rows)
    state = {
        "edited_rows": {0: {"is_workday": "否", "note": "改为休息"}},
        "added_rows": [{"day": "2027/1/2", "is_workday": "是", "note": "调休"}],
    }
    changes = changeset_from_editor(table, Role.OFFICE, loaded, state)
    assert changes.edits[0].key == OVERRIDE_DAY
    assert dict(changes.edits[0].changes) == {"is_workday": False, "note": "改为休息"}
    assert changes.inserts == ({"day": date(2027, 1, 2), "is_workday": True, "note": "调休"},)
    assert repo.grid.save_grid(office, "workday_overrides", changes) == 2
    assert world.stored_row("workday_overrides", OVERRIDE_DAY)["is_workday"] is False
    assert world.stored_row("workday_overrides", date(2027, 1, 2))["is_workday"] is True

    units = grid_table("units")
    shown = for_display(
        units, repo.grid.grid_rows(office, "units", ViewSpec(sort=(SortKey("id"),))).rows
    )
    kind = units.field("kind")
    changes = changeset_from_editor(
        units, Role.OFFICE, shown, {"edited_rows": {0: {"kind": UnitKind.STATIONED.value}}}
    )
    assert dict(changes.edits[0].changes) == {"kind": UnitKind.STATIONED.value}
    status = grid_table("declarations").field("status")
    assert read_value(status, "退回修改") == "returned"
    assert read_value(status, "approved", stored=True) == "approved"
    assert read_value(kind, "街道") == "街道"
    assert read_value(grid_table("activities").field("typical_case"), "否") is False
    with pytest.raises(ValueError, match="只能填写"):
        read_value(status, "差不多")


def test_changeset_from_editor_reports_every_bad_cell_by_row(world: World):
    repo, office = world.repo, world.office
    table = grid_table("activities")
    spec = ViewSpec(sort=(SortKey("id"),))
    loaded = for_display(table, repo.grid.grid_rows(office, "activities", spec).rows)
    state = {
        "edited_rows": {
            1: {"expected_participants": "很多"},
            3: {"activity_date": "下周一"},
            4: {"title": "改主题", "place": "好的地点"},
        },
        "added_rows": [],
        "deleted_rows": [],
    }
    with pytest.raises(ValidationError) as caught:
        changeset_from_editor(table, Role.OFFICE, loaded, state)
    messages = caught.value.messages
    assert any(m.startswith("第 2 行") and "应为数字" in m for m in messages), messages
    assert any(m.startswith("第 4 行") and "应为日期" in m for m in messages), messages
    assert any(m.startswith("第 5 行") and "不可修改" in m for m in messages), messages
    assert len(messages) == 3

    # a unit may not change what the office may
    units = grid_table("units")
    shown = for_display(units, repo.grid.grid_rows(world.unit1, "units").rows)
    with pytest.raises(ValidationError, match="不可修改"):
        changeset_from_editor(units, Role.UNIT, shown, {"edited_rows": {0: {"name": "改名"}}})

    overrides = grid_table("workday_overrides")
    with pytest.raises(ValidationError) as caught:
        changeset_from_editor(
            overrides,
            Role.OFFICE,
            for_display(overrides, repo.grid.grid_rows(office, "workday_overrides").rows),
            {"added_rows": [{"note": "没有日期"}, {"day": "2027-13-01", "is_workday": "也许"}]},
        )
    assert caught.value.messages == [
        "新增第 1 行：请填写「日期」。",
        "新增第 1 行：请填写「上班（调休）」。",
        "新增第 2 行「日期」：应为日期，如 2026-10-09。",
        "新增第 2 行「上班（调休）」：只能填写 是 或 否。",
    ]


def test_a_save_with_any_bad_row_writes_nothing(world: World):
    repo, office = world.repo, world.office
    good = _activity(repo, 13)
    audit_before = _audit_count(repo)
    with pytest.raises(ValidationError):
        repo.grid.save_grid(
            office,
            "activities",
            Changeset(
                edits=(
                    RowEdit(13, good["version"], {"place": "好地点"}),
                    RowEdit(2, None, {"activity_date": date(2026, 7, 1)}),  # not its month
                )
            ),
        )
    assert _activity(repo, 13) == good
    units_before = world.count("units")
    unit4 = world.stored_row("units", 4)
    with pytest.raises(ValidationError):
        repo.grid.save_grid(
            office,
            "units",
            Changeset(
                edits=(RowEdit(4, unit4["version"], {"contact_person": "好人"}),),
                inserts=({"name": "城北街道办事处", "kind": UnitKind.SUBDISTRICT.value},),
            ),
        )
    with pytest.raises(ValidationError):
        repo.grid.save_grid(
            office,
            "units",
            Changeset(
                edits=(RowEdit(4, unit4["version"], {"contact_person": "好人"}),),
                deletes=(RowDelete(1, None),),  # in use
            ),
        )
    assert world.stored_row("units", 4) == unit4
    assert world.count("units") == units_before
    assert _audit_count(repo) == audit_before


@pytest.mark.parametrize(
    "spec",
    [
        ViewSpec(conditions=(Condition("no_such_field", "eq", 1),)),
        ViewSpec(conditions=(Condition("id; DROP TABLE unit", "eq", 1),)),
        ViewSpec(conditions=(Condition("name", "lt", "x"),)),  # not an operator for text
        ViewSpec(conditions=(Condition("name", "drop", "x"),)),
        ViewSpec(conditions=(Condition("id", "gt", "abc"),)),
        ViewSpec(conditions=(Condition("id", "gt", None),)),
        ViewSpec(conditions=(Condition("enabled", "eq", "也许"),)),
        ViewSpec(sort=(SortKey("id; DROP TABLE unit"),)),
        ViewSpec(group_by="name) FROM unit; DROP TABLE unit; --"),
        ViewSpec(fields=("id", 'name" FROM unit; DROP TABLE unit; --')),
    ],
)
def test_unknown_fields_and_operators_are_refused(world: World, spec: ViewSpec):
    repo, office = world.repo, world.office
    before = world.count("units")
    with pytest.raises(ValidationError):
        check_view(grid_table("units"), spec)
    with pytest.raises(ValidationError):
        repo.grid.grid_rows(office, "units", spec)
    with pytest.raises(ValidationError):
        repo.grid.grid_groups(office, "units", spec)
    with pytest.raises(ValidationError):
        repo.grid.save_view(office, "units", "坏视图", spec)
    assert world.count("units") == before  # the table is still there
    assert repo.grid.list_saved_views(office, "units") == []


def test_search_and_values_are_parameters_not_sql(world: World):
    repo, office = world.repo, world.office
    before = world.count("units")
    evil = "'; DROP TABLE unit; --"
    assert repo.grid.grid_rows(office, "units", ViewSpec(search=evil)).total == 0
    spec = ViewSpec(conditions=(Condition("name", "contains", evil),))
    assert repo.grid.grid_rows(office, "units", spec).total == 0
    assert world.count("units") == before
    with pytest.raises(ValidationError):
        repo.grid.save_grid(office, "nonexistent", Changeset())


# ============================================================ comments on any record
def test_record_comments_are_scoped_to_the_unit(world: World):
    repo, office, leader, unit1 = world.repo, world.office, world.leader, world.unit1
    unit2 = actor_for(repo, "unit2")
    on_activity = repo.grid.add_record_comment(unit1, "activity", 2, "  请办公室确认地点  ")
    on_declaration = repo.grid.add_record_comment(unit1, "declaration", 1, "联系人已更换")
    on_unit = repo.grid.add_record_comment(office, "unit", 4, "请更新联系电话")
    stored = dict(
        (r[0], r[1:])
        for r in repo.cur.execute(
            "SELECT id, object_type, object_id, unit_id, body, username, role FROM comment"
        ).fetchall()
    )
    assert stored[on_activity] == ("activity", 2, 1, "请办公室确认地点", "unit1", "unit")
    assert stored[on_declaration] == ("declaration", 1, 1, "联系人已更换", "unit1", "unit")
    assert stored[on_unit] == ("unit", 4, 4, "请更新联系电话", "office", "office")
    audit = repo.cur.execute(
        "SELECT username, object_type, object_id FROM audit_log WHERE action = 'comment'"
        " ORDER BY id DESC LIMIT 1"
    ).fetchall()
    assert audit == [("office", "unit", "4")]

    count = world.count("comments")
    with pytest.raises(NotFound):
        repo.grid.add_record_comment(unit1, "activity", 13, "别人的活动")
    with pytest.raises(NotFound):
        repo.grid.add_record_comment(unit1, "declaration", 3, "别人的申报表")
    with pytest.raises(NotFound):
        repo.grid.add_record_comment(unit1, "unit", 4, "别人的单位")
    with pytest.raises(NotFound):
        repo.grid.add_record_comment(office, "activity", 99999, "不存在")
    with pytest.raises(PermissionDenied):
        repo.grid.add_record_comment(leader, "activity", 2, "领导的意见")
    with pytest.raises(ValidationError):
        repo.grid.add_record_comment(unit1, "activity", 2, "   ")
    with pytest.raises(ValidationError):
        repo.grid.add_record_comment(unit1, "activity", 2, "长" * 1001)
    with pytest.raises(ValidationError):
        repo.grid.add_record_comment(office, "audit_log", 1, "不能评论")
    assert world.count("comments") == count

    # the comments grid shows each unit its own
    mine = set(repo.grid.grid_rows(unit1, "comments", limit=ALL).rows["id"])
    assert {on_activity, on_declaration} <= mine and on_unit not in mine
    assert on_activity not in set(repo.grid.grid_rows(unit2, "comments", limit=ALL).rows["id"])
    history = history_rows(repo.grid.change_history(unit1, "activities", 2))
    assert action_label("comment") in set(history["操作"])


# ============================================================ edge cases of saving
def test_clearing_a_text_cell_stores_an_empty_text(world: World):
    repo, office = world.repo, world.office
    table = grid_table("activities")
    spec = ViewSpec(conditions=(Condition("id", "eq", 13),))
    loaded = for_display(table, repo.grid.grid_rows(office, "activities", spec).rows)
    assert loaded.iloc[0]["place"]
    changes = changeset_from_editor(
        table, Role.OFFICE, loaded, {"edited_rows": {0: {"place": None, "portal_url": ""}}}
    )
    assert dict(changes.edits[0].changes) == {"place": None}  # portal_url was empty already
    assert repo.grid.save_grid(office, "activities", changes) == 1
    assert _activity(repo, 13)["place"] == ""
    detail = json.loads(
        repo.cur.execute("SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1").fetchall()[0][0]
    )
    assert detail["after"] == "" and detail["before"] == loaded.iloc[0]["place"]
    unit1 = world.unit1
    version = repo.grid.grid_record(unit1, "units", 1)["version"]
    repo.grid.save_grid(
        unit1, "units", Changeset(edits=(RowEdit(1, version, {"contact_phone": None}),))
    )
    assert world.stored_row("units", 1)["contact_phone"] == ""


def test_values_are_checked_like_the_forms_check_them(world: World):
    repo, office, unit1, unit6 = world.repo, world.office, world.unit1, world.unit6
    cases = [
        (unit1, "units", 1, {"contact_phone": "12345"}, "联系电话"),
        (office, "units", 4, {"name": "长" * 61}, "60"),
        (office, "units", 4, {"name": None}, "单位名称"),
        (unit6, "declarations", 5, {"contact_phone": "电话"}, "联系电话"),
        (unit1, "declarations", 1, {"contact_person": "新人"}, "退回修改"),  # approved
        (office, "activities", 13, {"portal_url": "javascript:alert(1)"}, "http"),
        (office, "activities", 13, {"expected_participants": -5}, "负数"),
    ]
    for actor, key, record_key, changes, message in cases:
        before = world.stored_row(key, record_key)
        with pytest.raises(ValidationError) as caught:
            repo.grid.save_grid(
                actor, key, Changeset(edits=(RowEdit(record_key, before["version"], changes),))
            )
        assert message in str(caught.value), (key, changes)
        assert world.stored_row(key, record_key) == before
    with pytest.raises(ValidationError, match="联系电话"):
        repo.grid.save_grid(
            office,
            "units",
            Changeset(inserts=({"name": "号码不对的局", "kind": "部门", "contact_phone": "1"},)),
        )
    # good values pass
    version = world.stored_row("activities", 13)["version"]
    repo.grid.save_grid(
        office,
        "activities",
        Changeset(edits=(RowEdit(13, version, {"portal_url": "https://gov.example.cn/x"}),)),
    )


def test_new_rows_may_set_only_their_own_fields(world: World):
    repo, office = world.repo, world.office
    before = world.count("units")
    for values, error in [
        ({"name": "甲局", "kind": "部门", "id": 500}, PermissionDenied),
        ({"name": "乙局", "kind": "部门", "version": 9}, PermissionDenied),
        ({"name": "丙局", "kind": "部门", "enabled": False}, PermissionDenied),
        ({"name": "丁局", "kind": "部门", "no_such_field": 1}, ValidationError),
        ({"name": "戊局"}, ValidationError),  # 单位类别 is required
        ({"name": "己局", "kind": "不是类别"}, ValidationError),
    ]:
        with pytest.raises(error):
            repo.grid.save_grid(office, "units", Changeset(inserts=(values,)))
    assert world.count("units") == before
    with pytest.raises(PermissionDenied):
        repo.grid.save_grid(
            office,
            "workday_overrides",
            Changeset(inserts=({"day": date(2027, 3, 1), "is_workday": True, "created_by": "x"},)),
        )
    repo.grid.save_grid(office, "units", Changeset(inserts=({"name": "庚局", "kind": "部门"},)))
    row = repo.grid.grid_rows(office, "units", ViewSpec(search="庚局")).rows.iloc[0]
    assert (row["name"], row["kind"], bool(row["enabled"]), row["version"]) == (
        "庚局",
        "部门",
        True,
        1,
    )


def test_datetime_conditions_compare_the_local_day(world: World):
    repo, office = world.repo, world.office
    clock: FakeClock = repo.clock
    version = world.stored_row("units", 4)["version"]
    clock.current = datetime(2026, 11, 24, 23, 30, tzinfo=clock.current.tzinfo)
    repo.grid.save_grid(
        office, "units", Changeset(edits=(RowEdit(4, version, {"contact_person": "夜班"}),))
    )
    for value in ("2026-11-24", date(2026, 11, 24), "2026-11-24 08:00", datetime(2026, 11, 24, 12)):
        spec = ViewSpec(conditions=(Condition("updated_at", "eq", value),))
        assert list(repo.grid.grid_rows(office, "units", spec).rows["id"]) == [4], value
    spec = ViewSpec(conditions=(Condition("updated_at", "after", "2026-11-24 08:00"),))
    assert repo.grid.grid_rows(office, "units", spec).total == 0


def test_a_view_keeps_its_page_size_and_old_views_read_the_same():
    table = grid_table("activities")
    spec = check_view(table, ViewSpec(search="政务", page_size=200))
    assert ViewSpec.from_json(spec.to_json()) == spec
    assert spec.page_size == 200
    old = (
        '{"conditions": [], "fields": [], "group_by": null, "match_all": true,'
        ' "search": "", "sort": []}'
    )
    assert ViewSpec.from_json(old).page_size is None
    assert ViewSpec().to_json() == old  # no page size: stored as before
    with pytest.raises(ValidationError) as raised:
        check_view(table, ViewSpec(page_size=30))
    assert raised.value.messages == ["每页行数应为 50、100、200、500 之一。"]
