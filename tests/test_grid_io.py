"""数据表 export, import and linked records: a view exported as xlsx/csv reads back, an
uploaded table becomes a previewed changeset that is written whole or not at all, and
a record's links reach both ways."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook, load_workbook

from tests.conftest import actor_for
from themeday.core.grid import (
    LINKS,
    Condition,
    ViewSpec,
    export_rows,
    grid_table,
    import_preview,
    link_view,
    record_title,
)
from themeday.formats.exports import csv_bytes, view_xlsx
from themeday.formats.imports import read_table_rows
from themeday.repository import Repository

ALL = 100_000


def _export(repo: Repository, actor, key: str, spec: ViewSpec | None = None) -> bytes:
    table = grid_table(key)
    fields = list(table.visible)
    rows = export_rows(
        table, repo.grid.grid_rows(actor, key, spec or ViewSpec(), 0, ALL).rows, fields
    )
    return view_xlsx(f"{table.label}（导出）", [table.field(f).label for f in fields], rows)


def _preview(repo: Repository, actor, key: str, data: bytes, name: str = "x.xlsx"):
    table = grid_table(key)
    read = read_table_rows(data, name)
    assert read.error is None, read.error
    current = {
        r[table.key_field]: r
        for r in repo.grid.grid_rows(actor, key, ViewSpec(), 0, ALL).rows.to_dict("records")
    }
    return import_preview(table, actor.role, read.header, read.rows, current, read.formula_rows)


def _workbook(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ export
def test_an_exported_view_has_labels_enum_words_and_no_formula(demo: Repository):
    office = actor_for(demo, "office")
    unit1 = actor_for(demo, "unit1")
    demo.grid.save_grid(
        office,
        "units",
        _changes(demo, office, "units", unit1.unit_id, {"contact_person": "=HYPERLINK(1)"}),
    )
    wb = load_workbook(io.BytesIO(_export(demo, office, "units")))
    ws = wb.active
    header = [c.value for c in ws[2]]
    assert header[:3] == ["编号", "单位名称", "单位类别"]
    people = [r[header.index("联系人")] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert "'=HYPERLINK(1)" in people
    for row in ws.iter_rows(min_row=3):
        assert all(c.data_type != "f" for c in row)
    activities = load_workbook(io.BytesIO(_export(demo, office, "activities"))).active
    head = [c.value for c in activities[2]]
    statuses = {
        r[head.index("活动状态")] for r in activities.iter_rows(min_row=3, values_only=True)
    }
    assert statuses and not statuses & {"planned", "scheduled", "held"}  # labels, not codes


def test_a_units_export_holds_only_its_own_rows(demo: Repository):
    unit1 = actor_for(demo, "unit1")
    ws = load_workbook(io.BytesIO(_export(demo, unit1, "activities"))).active
    head = [c.value for c in ws[2]]
    names = {r[head.index("单位名称")] for r in ws.iter_rows(min_row=3, values_only=True)}
    assert names == {demo.catalogue.get_unit(unit1, unit1.unit_id).name}


def test_csv_of_a_view_is_formula_safe():
    data = csv_bytes([{"联系人": "@SUM(A1)", "人数": 3}], ["联系人", "人数"]).decode("utf-8-sig")
    assert "'@SUM(A1)" in data and ",3" in data


# ------------------------------------------------------------------ import
def test_an_export_imported_unchanged_changes_nothing(demo: Repository):
    office = actor_for(demo, "office")
    preview = _preview(demo, office, "units", _export(demo, office, "units"))
    assert preview.problems == []
    assert preview.changes.empty
    assert set(preview.rows["操作"]) == {"无变化"}


def test_import_edits_and_adds_units_in_one_batch(demo: Repository):
    office = actor_for(demo, "office")
    before = demo.grid.grid_rows(office, "units", ViewSpec(), 0, ALL).total
    first = demo.grid.grid_rows(office, "units", ViewSpec(), 0, 1).rows.iloc[0]
    data = _workbook(
        [
            ["编号", "单位名称", "单位类别", "联系人", "联系电话"],
            [int(first["id"]), first["name"], first["kind"], "王新", first["contact_phone"]],
            [None, "区司法局", "部门", "李四", "0739-5321199"],
        ]
    )
    preview = _preview(demo, office, "units", data)
    assert preview.problems == [], preview.problems
    assert list(preview.rows["操作"]) == ["修改", "新增"]
    assert demo.grid.grid_problems(office, "units", preview.changes) == []
    demo.grid.save_grid(office, "units", preview.changes)
    assert demo.grid.grid_rows(office, "units", ViewSpec(), 0, ALL).total == before + 1
    assert demo.grid.grid_record(office, "units", int(first["id"]))["contact_person"] == "王新"
    history = demo.grid.change_history(office, "units", int(first["id"]))
    assert history[-1]["action"] == "edit" and "王新" in history[-1]["detail"]


def test_one_bad_row_stops_the_whole_import(demo: Repository):
    office = actor_for(demo, "office")
    before = demo.grid.grid_rows(office, "workday_overrides", ViewSpec(), 0, ALL).total
    data = _workbook(
        [
            ["日期", "上班（调休）", "说明"],
            ["2027-01-01", "否", "元旦"],
            ["2027-02-30", "否", "不存在的日期"],
            ["2027-02-07", "也许", "调休"],
        ]
    )
    preview = _preview(demo, office, "workday_overrides", data)
    assert len(preview.problems) == 2
    assert any("第 3 行「日期」" in p for p in preview.problems)
    assert any("第 4 行「上班（调休）」" in p for p in preview.problems)
    assert not preview.ok
    assert demo.grid.grid_rows(office, "workday_overrides", ViewSpec(), 0, ALL).total == before


def test_a_duplicate_is_found_before_anything_is_written(demo: Repository):
    office = actor_for(demo, "office")
    existing = demo.grid.grid_rows(office, "units", ViewSpec(), 0, 1).rows.iloc[0]["name"]
    data = _workbook([["单位名称", "单位类别"], ["区审计局", "部门"], [existing, "部门"]])
    preview = _preview(demo, office, "units", data)
    assert preview.problems == []
    problems = demo.grid.grid_problems(office, "units", preview.changes)
    assert problems and existing in problems[0]
    names = set(demo.grid.grid_rows(office, "units", ViewSpec(), 0, ALL).rows["name"])
    assert "区审计局" not in names


def test_a_formula_cell_is_refused_and_unknown_columns_are_named(demo: Repository):
    office = actor_for(demo, "office")
    data = _workbook([["单位名称", "单位类别", "备注"], ["区统计局", "部门", "x"]])
    wb = load_workbook(io.BytesIO(data))
    wb.active["A3"] = "=A2"
    wb.active["B3"] = "部门"
    out = io.BytesIO()
    wb.save(out)
    preview = _preview(demo, office, "units", out.getvalue())
    assert preview.ignored_columns == ["备注"]
    assert any("第 3 行：含有公式" in p for p in preview.problems)


def test_a_unit_may_import_only_changes_to_its_own_editable_fields(demo: Repository):
    unit1 = actor_for(demo, "unit1")
    own = demo.grid.grid_rows(unit1, "units", ViewSpec(), 0, ALL).rows.iloc[0]
    data = _workbook(
        [
            ["编号", "单位名称", "联系人"],
            [int(own["id"]), own["name"] + "（改）", own["contact_person"]],
            [None, "新单位", ""],
        ]
    )
    preview = _preview(demo, unit1, "units", data)
    assert any("「单位名称」不可修改" in p for p in preview.problems)
    assert any("第 3 行：找不到要修改的记录" in p for p in preview.problems)


def test_a_csv_with_a_title_row_and_gbk_reads(demo: Repository):
    text = "节假日调整（导出）\n日期,上班（调休）,说明\n2027-02-06,是,春节调休\n"
    read = read_table_rows(text.encode("gbk"), "days.csv")
    assert read.error is None and read.header == ["日期", "上班（调休）", "说明"]
    preview = _preview(
        demo, actor_for(demo, "office"), "workday_overrides", text.encode("gbk"), "d.csv"
    )
    assert preview.problems == []
    assert preview.changes.inserts[0] == {
        "day": date(2027, 2, 6),
        "is_workday": True,
        "note": "春节调休",
    }


# ------------------------------------------------------------------ links
def test_links_reach_down_and_back_up(demo: Repository):
    office = actor_for(demo, "office")
    activity = demo.grid.grid_rows(office, "activities", ViewSpec(), 0, 1).rows.iloc[0].to_dict()
    links = {link.label: link for link in LINKS["activities"]}
    unit_view = link_view(links["单位"], activity)
    assert demo.grid.grid_rows(office, "units", unit_view, 0, 5).rows["id"].tolist() == [
        activity["unit_id"]
    ]
    declaration = demo.grid.grid_record(office, "declarations", int(activity["declaration_id"]))
    down = {link.label: link for link in LINKS["declarations"]}
    ids = demo.grid.grid_rows(office, "activities", link_view(down["活动"], declaration), 0, 50)
    assert activity["id"] in set(ids.rows["id"])
    files = demo.grid.grid_rows(
        office,
        "attachments",
        ViewSpec(conditions=(Condition("owner_type", "eq", "activity"),)),
        0,
        1,
    ).rows
    if not files.empty:
        attachment = files.iloc[0].to_dict()
        up = {link.label: link for link in LINKS["attachments"]}
        assert link_view(up["所属申报表"], attachment) is None  # owned by an activity
        owner = demo.grid.grid_rows(
            office, "activities", link_view(up["所属活动"], attachment), 0, 5
        )
        assert owner.rows["id"].tolist() == [attachment["owner_id"]]
    assert record_title(grid_table("activities"), activity).startswith(f"{activity['id']} · ")


def _changes(repo: Repository, actor, key: str, record_key, changes: dict):
    from themeday.core.grid import Changeset, RowEdit

    row = repo.grid.grid_record(actor, key, record_key)
    return Changeset(edits=(RowEdit(record_key, row.get("version"), changes),))


# ------------------------------------------------------------------ conflict report
def test_a_conflict_shows_what_the_other_person_changed_too(demo: Repository):
    """Two office sessions load the same activity; one changes the place, the other the
    contact: the second save is refused and names both fields with both values."""
    from themeday.core.grid import GridConflict, changeset_from_editor, for_display

    office = actor_for(demo, "office")
    table = grid_table("activities")
    loaded = for_display(table, demo.grid.grid_rows(office, "activities", ViewSpec(), 0, 1).rows)
    record = loaded.iloc[0]
    first = changeset_from_editor(
        table, office.role, loaded, {"edited_rows": {0: {"place": "区政务服务中心"}}}
    )
    second = changeset_from_editor(
        table, office.role, loaded, {"edited_rows": {0: {"contact": "张三 13800000000"}}}
    )
    demo.grid.save_grid(office, "activities", first)
    try:
        demo.grid.save_grid(office, "activities", second)
    except GridConflict as exc:
        found = {c.field: c for c in exc.conflicts}
    else:
        raise AssertionError("the stale save was written")
    assert found["contact"].mine == "张三 13800000000" and found["contact"].mine_changed
    assert found["place"].theirs == "区政务服务中心" and not found["place"].mine_changed
    assert found["place"].loaded == record["place"]
    now = demo.grid.grid_record(office, "activities", int(record["id"]))
    assert now["contact"] == record["contact"] and now["place"] == "区政务服务中心"


def test_the_grid_benchmark_runs_on_a_small_campaign():
    from themeday.dev.bench_grid import VIEWS, run

    lines = run(units=20, activities=60, repeat=1)
    assert lines[0] == "20 units, 60 activities"
    assert len([line for line in lines if line.startswith("office · ")]) == len(VIEWS) + 2
    assert lines[-1].startswith("office · export of all 60 rows as xlsx: ")
