"""AppTest: the 数据表 page for each role on the first-run demo."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import host, page_at, texts, titles
from themeday.core.grid import Condition, SortKey, ViewSpec, check_view, grid_table
from themeday.repository import Repository


def actor(app_db: Repository, username: str):
    return app_db.accounts.login_record(username).user.as_actor()


def grid(at: AppTest) -> pd.DataFrame:
    """The grid: the first table or editor on the page with an 编号/日期 key column."""
    for element in list(at.get("arrow_data_frame")) + list(at.dataframe):
        value = element.value
        if "id" in value.columns or "day" in value.columns:
            return value
    raise AssertionError("no grid on the page")


def pick_table(at: AppTest, key: str) -> AppTest:
    at.session_state["grid.table"] = key
    return at.run()


def test_office_sees_every_table_but_the_audit_log_and_all_units(app_db):
    at = host(app_db, "data_grid", "office")
    assert titles(at) == ["数据表"]
    assert not at.exception
    editors = [d for d in at.dataframe if d.proto.editing_mode != 0]
    assert len(editors) == 1 and editors[0].proto.editing_mode == 2  # dynamic: add/delete rows
    units = app_db.catalogue.list_units(actor(app_db, "office"))
    assert len(grid(at)) == len(units)
    labels = [o.content for o in at.get("button_group")[0].proto.options]
    assert "账号" in labels and "审计日志" not in labels  # the audit log is the auditor's
    # an address crafted to open the audit log shows the first allowed table instead
    at = pick_table(at, "audit_log")
    assert not at.exception and "action" not in grid(at).columns


def test_every_table_opens_for_the_office(app_db):
    at = host(app_db, "data_grid", "office")
    for key in (
        "units",
        "accounts",
        "declarations",
        "activities",
        "attachments",
        "comments",
        "workday_overrides",
    ):
        at = pick_table(at, key)
        assert not at.exception, key
        assert "数据表" in titles(at)
        # Streamlit draws a missing value as the word None unless given a placeholder
        assert all(
            d.proto.placeholder == "" and d.proto.HasField("placeholder") for d in at.dataframe
        )


def test_unit_sees_only_its_own_rows_and_never_accounts_or_audit(app_db):
    unit1 = actor(app_db, "unit1")
    at = host(app_db, "data_grid", "unit1")
    options = at.get("button_group")[0].proto.options
    labels = [o.content for o in options]
    assert "账号" not in labels and "审计日志" not in labels
    at = pick_table(at, "activities")
    rows = grid(at)
    assert len(rows) == app_db.grid.grid_rows(unit1, "activities", ViewSpec(), 0, 1000).total > 0
    assert set(rows["unit_name"]) == {app_db.catalogue.get_unit(unit1, unit1.unit_id).name}
    editors = [d for d in at.dataframe if d.proto.editing_mode != 0]
    assert len(editors) == 1 and editors[0].proto.editing_mode == 1  # fixed rows: no add/delete
    # an address crafted to open the audit log shows the first allowed table instead
    at = pick_table(at, "audit_log")
    assert not at.exception
    assert "action" not in grid(at).columns


def test_leader_reads_everything_and_has_no_write_control(app_db):
    at = host(app_db, "data_grid", "leader")
    labels = [o.content for o in at.get("button_group")[0].proto.options]
    assert "账号" not in labels and "审计日志" not in labels  # 权限分离
    at = pick_table(at, "activities")
    office = actor(app_db, "office")
    assert len(grid(at)) == app_db.grid.grid_rows(office, "activities", ViewSpec(), 0, 1000).total
    labels = {b.label for b in at.button}
    assert not labels & {"保存修改", "放弃修改并刷新", "保存当前筛选为视图", "发表"}
    assert all(d.proto.editing_mode == 0 for d in at.dataframe)  # 0: read-only


def test_a_filter_and_grouping_match_the_repository(app_db):
    office = actor(app_db, "office")
    at = host(app_db, "data_grid", "office")
    at = pick_table(at, "activities")
    next(b for b in at.button if b.label == "添加条件").click().run()
    at.selectbox(key="grid.activities.c0.field").set_value("planned_month").run()
    at.selectbox(key="grid.activities.c0.op").set_value("eq").run()
    at.text_input(key="grid.activities.c0.value").input("10").run()
    at.selectbox(key="grid.activities.group").set_value("unit_name").run()
    spec = ViewSpec(conditions=(Condition("planned_month", "eq", 10),), group_by="unit_name")
    expected = app_db.grid.grid_rows(office, "activities", spec, 0, 1000)
    assert expected.total > 0
    rows = grid(at)
    assert list(rows["id"]) == list(expected.rows["id"])
    assert set(rows["planned_month"]) == {10}
    counts = next(d.value for d in at.dataframe if "记录数" in d.value.columns)
    assert counts["记录数"].sum() == expected.total
    assert f"共 **{expected.total}** 条记录" in " ".join(m.value for m in at.markdown)


def test_a_bad_filter_value_is_explained(app_db):
    at = host(app_db, "data_grid", "office")
    at = pick_table(at, "activities")
    next(b for b in at.button if b.label == "添加条件").click().run()
    at.selectbox(key="grid.activities.c0.field").set_value("activity_date").run()
    at.selectbox(key="grid.activities.c0.op").set_value("before").run()
    at.text_input(key="grid.activities.c0.value").input("十月").run()
    assert not at.exception
    assert "应为日期" in texts(at, "warning")


def test_a_saved_view_is_shared_and_opens_as_default(app_db):
    office = actor(app_db, "office")
    at = host(app_db, "data_grid", "office")
    at = pick_table(at, "activities")
    at.text_input(key="grid.activities.search").input("政务").run()
    form_inputs = [t for t in at.text_input if t.label == "视图名称"]
    form_inputs[0].input("含政务的活动")
    next(c for c in at.checkbox if c.label == "设为本表默认视图").check()
    next(b for b in at.button if b.label == "保存当前筛选为视图").click().run()
    assert not at.exception
    views = app_db.grid.list_saved_views(office, "activities")
    assert [(v.name, v.is_default, v.spec.search) for v in views] == [
        ("含政务的活动", True, "政务")
    ]
    # another office session opens the table on that view
    other = host(app_db, "data_grid", "office")
    other = pick_table(other, "activities")
    assert other.text_input(key="grid.activities.search").value == "政务"
    expected = app_db.grid.grid_rows(office, "activities", views[0].spec, 0, 1000).total
    assert len(grid(other)) == expected
    # a unit does not see the office's views
    assert app_db.grid.list_saved_views(actor(app_db, "unit1"), "activities") == []


def test_record_detail_links_comments_and_history(app_db):
    unit1 = actor(app_db, "unit1")
    at = host(app_db, "data_grid", "unit1")
    at = pick_table(at, "activities")
    first = app_db.grid.grid_rows(unit1, "activities", ViewSpec(), 0, 1).rows.iloc[0]
    # nothing is read for the detail until a record of the page is picked
    assert at.selectbox(key="grid.activities.detail").value is None
    assert not at.tabs
    at.selectbox(key="grid.activities.detail").set_value(first["id"]).run()
    assert [t.label for t in at.tabs] == ["字段", "关联记录", "意见", "变更历史"]
    linked = " ".join(m.value for m in at.markdown)
    assert "**单位**（1）" in linked and "**申报表**（1）" in linked
    next(t for t in at.text_area if t.label == "发表意见").input("活动场地已落实，请审核。")
    next(b for b in at.button if b.label == "发表").click().run()
    assert not at.exception
    thread = app_db.grid.grid_rows(
        unit1,
        "comments",
        ViewSpec(
            conditions=(
                Condition("object_type", "eq", "activity"),
                Condition("object_id", "eq", int(first["id"])),
            )
        ),
        0,
        10,
    ).rows
    assert list(thread["body"]) == ["活动场地已落实，请审核。"]
    assert thread.iloc[0]["unit_id"] == unit1.unit_id
    assert "活动场地已落实，请审核。" in " ".join(t.value for t in at.text)
    history = next(d.value for d in at.dataframe if "修改前" in d.value.columns)
    assert "评论" in set(history["操作"])


# ------------------------------------------------------------------ addresses (issue 14)
def at_address(app_db, username: str, **params: str) -> AppTest:
    """The 数据表 page opened from an address such as ``/grid?table=activity&view=3``."""
    at = page_at("data_grid", app_db, username)
    at.query_params.update(params)
    return at.run()


def check_view_of(spec: ViewSpec) -> ViewSpec:
    return check_view(grid_table("activities"), spec)


def panel_label(at: AppTest, table: str) -> str:
    return next(e.label for e in at.expander if e.label.startswith("筛选、排序与分组"))


MONTH_VIEW = ViewSpec(
    conditions=(Condition("planned_month", "eq", 10),),
    sort=(SortKey("unit_name", True),),
    page_size=200,
)


def test_an_address_opens_a_saved_view_with_its_filters_and_page_size(app_db):
    office = actor(app_db, "office")
    view_id = app_db.grid.save_view(office, "activities", "十月活动", MONTH_VIEW)
    expected = app_db.grid.grid_rows(office, "activities", check_view_of(MONTH_VIEW), 0, 1000)
    everything = app_db.grid.grid_rows(office, "activities", ViewSpec(), 0, 1000).total
    assert 0 < expected.total < everything
    for view in (str(view_id), "十月活动"):  # by number or by name; table by key or type
        at = at_address(app_db, "office", table="activity", view=view)
        assert not at.exception and not at.warning
        assert at.session_state["grid.table"] == "activities"
        assert at.selectbox(key="grid.activities.view").value == view_id
        assert list(grid(at)["id"]) == list(expected.rows["id"])
        assert at.selectbox(key="grid.activities.size").value == 200
        label = panel_label(at, "activities")
        assert "计划月份等于“10”" in label and "排序：单位名称降序" in label
        # the address is written back in one form, the one a bookmark keeps
        assert at.query_params == {"table": "activities", "view": str(view_id)}


def test_picking_a_table_or_view_updates_the_address(app_db):
    office = actor(app_db, "office")
    view_id = app_db.grid.save_view(office, "declarations", "已通过", ViewSpec(search="x"))
    at = at_address(app_db, "office")
    assert at.query_params == {"table": "units"}
    at.segmented_control(key="grid.table").set_value("declarations").run()
    assert at.query_params == {"table": "declarations"}
    at.selectbox(key="grid.declarations.view").set_value(view_id).run()
    assert at.query_params == {"table": "declarations", "view": str(view_id)}
    assert at.text_input(key="grid.declarations.search").value == "x"
    at.selectbox(key="grid.declarations.view").set_value(0).run()
    assert at.query_params == {"table": "declarations"}


def test_an_unknown_table_or_view_in_the_address_opens_the_default_with_a_notice(app_db):
    at = at_address(app_db, "office", table="nonsense", view="1")
    assert not at.exception
    assert texts(at, "warning") == (
        "地址中的数据表「nonsense」不存在或您无权查看，已打开「单位」的默认视图。"
    )
    assert at.session_state["grid.table"] == "units"
    assert at.query_params == {"table": "units"}
    at = at_address(app_db, "office", table="activities", view="没有这个视图")
    assert texts(at, "warning") == (
        "地址中的视图「没有这个视图」不存在或您无权使用，已打开「活动」的默认视图。"
    )
    assert at.session_state["grid.table"] == "activities"
    assert at.selectbox(key="grid.activities.view").value == 0
    assert at.query_params == {"table": "activities"}
    # the notice stays through reruns until a table or view is picked by hand
    at = at.run()
    assert "没有这个视图" in texts(at, "warning")
    at.segmented_control(key="grid.table").set_value("units").run()
    assert "没有这个视图" not in texts(at, "warning")
    assert at.query_params == {"table": "units"}


def test_a_unit_cannot_reach_accounts_audit_or_the_office_views_by_address(app_db):
    office, unit1 = actor(app_db, "office"), actor(app_db, "unit1")
    office_view = app_db.grid.save_view(office, "activities", "全区十月", MONTH_VIEW)
    for table in ("accounts", "app_user", "audit_log"):
        at = at_address(app_db, "unit1", table=table)
        assert not at.exception
        assert f"地址中的数据表「{table}」不存在或您无权查看" in texts(at, "warning")
        assert at.session_state["grid.table"] == "units"
        assert "password_hash" not in grid(at).columns and "action" not in grid(at).columns
        assert set(grid(at)["id"]) == {unit1.unit_id}
    at = at_address(app_db, "unit1", table="activities", view=str(office_view))
    assert f"地址中的视图「{office_view}」不存在或您无权使用" in texts(at, "warning")
    mine = app_db.grid.grid_rows(unit1, "activities", ViewSpec(), 0, 1000)
    assert list(grid(at)["id"]) == list(mine.rows["id"])
    # its own view opens
    own = app_db.grid.save_view(unit1, "activities", "本单位十月", MONTH_VIEW)
    at = at_address(app_db, "unit1", table="activities", view="本单位十月")
    assert not at.warning
    assert at.selectbox(key="grid.activities.view").value == own


def test_a_saved_view_keeps_its_page_size(app_db):
    office = actor(app_db, "office")
    at = host(app_db, "data_grid", "office")
    at = pick_table(at, "activities")
    at.selectbox(key="grid.activities.size").set_value(50).run()
    next(t for t in at.text_input if t.label == "视图名称").input("每页五十")
    next(b for b in at.button if b.label == "保存当前筛选为视图").click().run()
    assert not at.exception
    (view,) = app_db.grid.list_saved_views(office, "activities")
    assert view.spec.page_size == 50
    # the view just saved (not the table's default) is the open one, in the address too
    assert at.selectbox(key="grid.activities.view").value == view.id
    assert at.query_params == {"table": "activities", "view": str(view.id)}
    assert at.selectbox(key="grid.activities.size").value == 50
    assert "视图「每页五十」已保存。" in texts(at, "success")
    other = at_address(app_db, "office", table="activities", view="每页五十")
    assert other.selectbox(key="grid.activities.size").value == 50
    assert panel_label(other, "activities") == "筛选、排序与分组 · 未设置筛选条件"


def test_an_address_without_a_known_view_opens_the_tables_default_view(app_db):
    office = actor(app_db, "office")
    default = app_db.grid.save_view(office, "activities", "默认十月", MONTH_VIEW, is_default=True)
    at = at_address(app_db, "office", table="activities")
    assert not at.warning
    assert at.selectbox(key="grid.activities.view").value == default
    assert at.selectbox(key="grid.activities.size").value == 200
    assert at.query_params == {"table": "activities", "view": str(default)}
    at = at_address(app_db, "office", table="activities", view="nope")
    assert "视图「nope」不存在或您无权使用，已打开「活动」的默认视图" in texts(at, "warning")
    assert at.selectbox(key="grid.activities.view").value == default
    assert "计划月份等于“10”" in panel_label(at, "activities")


# ------------------------------------------------------------------ fragments (issue 14)
class _Rerun(Exception):
    pass


def test_a_rerun_of_the_grid_alone_checks_the_login_again(monkeypatch):
    """AppTest runs whole pages only; the check a fragment's own rerun makes is here."""
    from themeday.ui import grid_widgets

    page_identity, fresh = object(), object()
    reruns: list[str] = []

    def rerun(scope: str = "app") -> None:
        reruns.append(scope)
        raise _Rerun

    alive = {"value": True}
    monkeypatch.setattr(grid_widgets.st, "rerun", rerun)
    monkeypatch.setattr(grid_widgets.gate, "session_alive", lambda: alive["value"])
    monkeypatch.setattr(grid_widgets.gate, "require", lambda *roles: fresh)
    # the whole page runs: app.py and the page checked the login, nothing is read again
    monkeypatch.setattr(grid_widgets, "_fragment_run", lambda: False)
    assert grid_widgets.grid_identity(page_identity) is page_identity
    # the grid alone: the user is read afresh, on this run's cursor
    monkeypatch.setattr(grid_widgets, "_fragment_run", lambda: True)
    assert grid_widgets.grid_identity(page_identity) is fresh
    # logged out elsewhere meanwhile: the whole app reruns, through the login gate
    alive["value"] = False
    with pytest.raises(_Rerun):
        grid_widgets.grid_identity(page_identity)
    assert reruns == ["app"]
