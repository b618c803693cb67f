"""AppTest: 督办催办, 考核汇总 and the unit's 待办事项 on the first-run demo.

The demo's dates are relative to the day it was seeded and AppTest runs on the real
clock, so every expectation is computed with the compliance service on the same
database and date, never written down as a count.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from tests.helpers import host, texts, titles
from themeday.formats.compliance_exports import CSV_SHEETS
from themeday.repository import Repository
from themeday.services.assessment import assess, chase_items, unit_todo
from themeday.ui.compliance_widgets import deadline_text, deadline_texts, light_text, row_keys


def office_of(app_db: Repository):
    return app_db.accounts.login_record("office").user.as_actor()


def campaign_of(app_db: Repository):
    return app_db.catalogue.current_campaign(office_of(app_db))


def table(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def downloads(at: AppTest) -> list[str]:
    return [e.proto.label for e in at.get("download_button")]


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def scalar(app_db: Repository, sql: str, params: list) -> int:
    return app_db.cur.execute(sql, params).fetchone()[0]


# ------------------------------------------------------------------ helpers
def test_deadline_and_light_texts():
    assert light_text("red") == "已逾期"
    assert light_text("yellow") == "即将到期"
    assert light_text("green") == "未到期"
    assert light_text("") == ""
    assert deadline_text("red", pd.NA, 3) == "已逾期3个工作日"
    assert deadline_text("red", pd.NA, 0) == "已逾期"
    assert deadline_text("yellow", 0, pd.NA) == "今日截止"
    assert deadline_text("green", 7, pd.NA) == "剩余7个工作日"


# ------------------------------------------------------------------ 督办催办
def test_office_sees_every_open_item_red_first(app_db):
    office, campaign = office_of(app_db), campaign_of(app_db)
    expected = chase_items(app_db, office, campaign, app_db.today())
    assert (expected["light"] == "red").any()  # the demo always has overdue items

    at = host(app_db, "chase_board", "office")
    assert not at.exception
    assert titles(at) == ["督办催办"]
    shown = table(at, "逾期/剩余工作日")
    assert len(shown) == len(expected)
    assert list(shown["单位"]) == list(expected["unit_name"])
    assert [list(x) for x in shown["提醒"]] == [[light_text(x)] for x in expected["light"]]
    reds = [list(x) == ["已逾期"] for x in shown["提醒"]]
    assert reds == sorted(reds, reverse=True)  # every red row before the others
    for column in ("事项", "活动主题", "截止日期", "联系人", "联系电话", "最近催办", "催办次数"):
        assert column in shown.columns
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[":red-badge[红灯]（已逾期）"] == str(int((expected["light"] == "red").sum()))
    assert metrics["涉及单位"] == str(expected["unit_id"].nunique())
    assert "导出催办清单（Excel）" in downloads(at)


def test_filters_narrow_the_items(app_db):
    office, campaign = office_of(app_db), campaign_of(app_db)
    expected = chase_items(app_db, office, campaign, app_db.today())
    at = host(app_db, "chase_board", "office")
    next(m for m in at.multiselect if m.label == "提醒").set_value(["red"]).run()
    shown = table(at, "逾期/剩余工作日")
    assert len(shown) == int((expected["light"] == "red").sum())
    assert {tuple(x) for x in shown["提醒"]} == {("已逾期",)}

    name = expected["unit_name"].iloc[0]
    next(m for m in at.multiselect if m.label == "单位").set_value([name]).run()
    shown = table(at, "逾期/剩余工作日")
    assert set(shown["单位"]) == {name}


def test_marking_items_chased_records_them_and_the_table_shows_it(app_db):
    office, campaign = office_of(app_db), campaign_of(app_db)
    expected = chase_items(app_db, office, campaign, app_db.today())
    first = expected.iloc[0]
    key = row_keys(expected)[0]

    at = host(app_db, "chase_board", "office")
    button(at, "标记已催办").click().run()
    assert "请先选择" in texts(at, "error")
    assert app_db.compliance.list_chases(office, campaign.id) == []

    next(m for m in at.multiselect if m.label == "要标记为已催办的事项").set_value([key])
    next(s for s in at.selectbox if s.label == "催办方式").set_value("电话催办")
    next(t for t in at.text_input if t.label == "催办说明（可选）").input("承诺明日报送")
    button(at, "标记已催办").click().run()
    assert not at.exception
    assert "已记录1项催办" in texts(at, "success")

    chases = app_db.compliance.list_chases(office, campaign.id)
    assert [(c.unit_id, c.item, c.note) for c in chases] == [
        (int(first["unit_id"]), first["item"], "电话催办：承诺明日报送")
    ]
    audited = scalar(
        app_db,
        "SELECT count(*) FROM audit_log WHERE action = 'chase' AND object_id = ?",
        [str(chases[0].id)],
    )
    assert audited == 1

    shown = table(at, "逾期/剩余工作日")
    assert shown["催办次数"].iloc[0] == 1
    assert pd.notna(shown["最近催办"].iloc[0])
    assert (shown["催办次数"].iloc[1:] == 0).all()
    # the form starts afresh: nothing is picked any more
    picker = next(m for m in at.multiselect if m.label == "要标记为已催办的事项")
    assert picker.value == []


def test_marking_many_items_asks_first_and_cancel_writes_nothing(app_db):
    office, campaign = office_of(app_db), campaign_of(app_db)
    keys = row_keys(chase_items(app_db, office, campaign, app_db.today()))[:5]
    assert len(keys) == 5

    at = host(app_db, "chase_board", "office")
    next(m for m in at.multiselect if m.label == "要标记为已催办的事项").set_value(keys)
    button(at, "标记已催办").click().run()
    assert "将一次标记5项为已催办" in texts(at, "warning")
    assert app_db.compliance.list_chases(office, campaign.id) == []

    button(at, "取消").click().run()
    assert "将一次标记5项为已催办" not in texts(at, "warning")
    assert app_db.compliance.list_chases(office, campaign.id) == []

    button(at, "标记已催办").click().run()
    button(at, "确认标记已催办").click().run()
    assert not at.exception
    assert "已记录5项催办" in texts(at, "success")
    chased = {f"{c.unit_id}|{c.item}" for c in app_db.compliance.list_chases(office, campaign.id)}
    assert chased == set(keys)


def test_a_past_date_reproduces_the_list_and_offers_no_marking(app_db):
    office, campaign = office_of(app_db), campaign_of(app_db)
    past = app_db.today() - timedelta(days=14)
    expected = chase_items(app_db, office, campaign, past)
    at = host(app_db, "chase_board", "office")
    at.date_input[0].set_value(past).run()
    assert not at.exception
    if expected.empty:
        assert "没有需要催办的事项" in texts(at, "success")
    else:
        assert len(table(at, "逾期/剩余工作日")) == len(expected)
        assert "请将“统计截至”设为今天" in texts(at, "info")
    assert not [b for b in at.button if b.label == "标记已催办"]


# ------------------------------------------------------------------ 本单位待办
@pytest.mark.parametrize("username", ["unit1", "unit2", "unit3"])
def test_unit_home_lists_only_its_own_items(app_db, username):
    office, campaign = office_of(app_db), campaign_of(app_db)
    actor = app_db.accounts.login_record(username).user.as_actor()
    own = app_db.catalogue.get_unit(actor, actor.unit_id).name
    expected = unit_todo(app_db, actor, campaign, app_db.today())

    at = host(app_db, "unit_home", username)
    assert not at.exception
    assert titles(at) == [f"本单位首页 · {own}"]
    assert "待办事项" in [s.value for s in at.subheader]
    if expected.empty:
        assert "暂无待办事项。" in texts(at, "info")
    else:
        todo = table(at, "逾期/剩余工作日")
        assert len(todo) == len(expected)
        assert "单位" not in todo.columns
        for text, light, left, late in zip(
            todo["逾期/剩余工作日"],
            expected["light"],
            expected["workdays_left"],
            expected["late_workdays"],
            strict=True,
        ):
            assert text == deadline_text(light, left, late)
            assert text.startswith(("剩余", "已逾期", "今日截止"))
    shown = " ".join(
        [str(at.main), texts(at, "markdown"), texts(at, "info"), texts(at, "error")]
        + [texts(at, "warning"), texts(at, "caption")]
        + [d.value.to_string() for d in at.dataframe]
    )
    others = {u.name for u in app_db.catalogue.list_units(office)} - {own}
    assert not [name for name in others if name in shown]


def test_unit1_has_red_items_on_its_home(app_db):
    actor = app_db.accounts.login_record("unit1").user.as_actor()
    expected = unit_todo(app_db, actor, campaign_of(app_db), app_db.today())
    assert set(expected["unit_id"]) == {actor.unit_id}
    at = host(app_db, "unit_home", "unit1")
    if (expected["light"] == "red").any():
        assert "已逾期" in texts(at, "error")


# ------------------------------------------------------------------ 考核汇总
def test_assessment_table_is_ordered_by_rank(app_db):
    office, campaign = office_of(app_db), campaign_of(app_db)
    result = assess(app_db, office, campaign, app_db.today())
    at = host(app_db, "assessment_summary", "office")
    assert not at.exception
    assert titles(at) == ["考核汇总"]
    units = table(at, "总得分")
    assert list(units.columns[:4]) == ["排名", "单位", "单位类别", "申报"]
    assert list(units["单位"]) == list(result.units["unit_name"])
    assert list(units["排名"]) == sorted(units["排名"])
    assert list(units["总得分"]) == list(result.units["score"])


def test_an_adjustment_needs_a_reason(app_db):
    office, campaign = office_of(app_db), campaign_of(app_db)
    at = host(app_db, "assessment_summary", "office")
    next(n for n in at.number_input if n.label.startswith("分值")).set_value(3.0)
    button(at, "保存加减分").click().run()
    assert not at.exception
    assert "加减分须填写原因" in texts(at, "error")
    assert app_db.compliance.list_adjustments(office, campaign.id) == []
    assert scalar(app_db, "SELECT count(*) FROM audit_log WHERE action = 'adjust_score'", []) == 0


def test_an_adjustment_with_a_reason_changes_the_score(app_db):
    office, campaign = office_of(app_db), campaign_of(app_db)
    before = assess(app_db, office, campaign, app_db.today()).units
    unit = before.iloc[-1]  # the lowest score
    at = host(app_db, "assessment_summary", "office")
    next(s for s in at.selectbox if s.label == "单位").set_value(int(unit["unit_id"]))
    next(n for n in at.number_input if n.label.startswith("分值")).set_value(2.5)
    next(t for t in at.text_area if t.label.startswith("原因")).input("活动被市级媒体专题报道")
    button(at, "保存加减分").click().run()
    assert not at.exception
    assert f"已为{unit['unit_name']}加2.5分" in texts(at, "success")

    adjustments = app_db.compliance.list_adjustments(office, campaign.id)
    assert [(a.unit_id, a.delta, a.reason) for a in adjustments] == [
        (int(unit["unit_id"]), 2.5, "活动被市级媒体专题报道")
    ]
    units = table(at, "总得分").set_index("单位")
    assert units.loc[unit["unit_name"], "总得分"] == pytest.approx(unit["score"] + 2.5)
    assert units.loc[unit["unit_name"], "加减分"] == pytest.approx(2.5)
    log = table(at, "原因")
    assert list(log["原因"]) == ["活动被市级媒体专题报道"]
    # the form starts afresh after a saved adjustment
    assert next(t for t in at.text_area if t.label.startswith("原因")).value == ""


def test_weights_form_saves_new_weights(app_db):
    office, campaign = office_of(app_db), campaign_of(app_db)
    before = assess(app_db, office, campaign, app_db.today()).units.set_index("unit_name")
    at = host(app_db, "assessment_summary", "office")
    next(n for n in at.number_input if n.label == "按时申报").set_value(12.0)
    button(at, "保存得分权重").click().run()
    assert not at.exception
    assert "此前日期的统计仍按当时的权重" in texts(at, "success")
    assert app_db.compliance.get_weights(office, campaign.id).declared_on_time == 12.0
    assert scalar(app_db, "SELECT count(*) FROM audit_log WHERE action = 'set_weights'", []) == 1
    after = table(at, "总得分").set_index("单位")
    on_time = before[before["declaration_status"] == "on_time"].index
    for name in on_time:
        assert after.loc[name, "总得分"] == pytest.approx(before.loc[name, "score"] + 2)
    assert next(n for n in at.number_input if n.label == "按时申报").value == 12.0


def test_exports_are_offered_and_the_workbook_is_built_with_progress(app_db):
    office, campaign = office_of(app_db), campaign_of(app_db)
    result = assess(app_db, office, campaign, app_db.today())
    at = host(app_db, "assessment_summary", "office")
    offered = downloads(at)
    for name in CSV_SHEETS.values():
        assert f"{name}（CSV）" in offered
    assert "通报（Word 草稿）" in offered
    assert "合规汇总（Excel）" not in offered  # only once generated

    button(at, "生成合规汇总").click().run()
    assert not at.exception
    assert "合规汇总（Excel）" in downloads(at)
    _, _, data = at.session_state["themeday.compliance_xlsx"]
    book = load_workbook(io.BytesIO(data))
    assert len(book.worksheets) == 3
    cells = [v for row in book.worksheets[0].iter_rows(values_only=True) for v in row]
    for name in result.units["unit_name"]:
        assert cells.count(name) == 1  # one row per unit
    # a figure changed since: the workbook is no longer offered as current
    app_db.compliance.add_adjustment(
        office, campaign.id, int(result.units["unit_id"].iloc[0]), 1, "复核"
    )
    at.run()
    assert "合规汇总（Excel）" not in downloads(at)


@pytest.mark.parametrize("page", ["chase_board", "assessment_summary"])
@pytest.mark.parametrize("username", ["unit1", "leader"])
def test_only_the_office_opens_the_compliance_pages(app_db, page, username):
    at = host(app_db, page, username)
    assert not at.exception
    assert titles(at) == []
    assert "无权访问" in texts(at, "error")
    assert not at.dataframe


def test_weights_saved_after_someone_elses_are_refused_and_kept_on_screen(app_db):
    office, campaign = office_of(app_db), campaign_of(app_db)
    at = host(app_db, "assessment_summary", "office")
    next(n for n in at.number_input if n.label == "按时申报").set_value(15.0)
    # another office user saves other weights first
    theirs = app_db.compliance.get_weights(office, campaign.id)
    app_db.compliance.set_weights(office, campaign.id, {"published": 4.0}, expected=theirs)
    button(at, "保存得分权重").click().run()
    assert not at.exception
    assert "已被他人修改" in texts(at, "error")
    assert "得分权重已被他人修改" in texts(at, "warning")
    stored = app_db.compliance.get_weights(office, campaign.id)
    assert stored.published == 4.0 and stored.declared_on_time != 15.0
    assert next(n for n in at.number_input if n.label == "按时申报").value == 15.0
    button(at, "载入最新权重").click().run()
    assert "得分权重已被他人修改" not in texts(at, "warning")
    assert next(n for n in at.number_input if n.label.startswith("成果展示发布")).value == 4.0


def test_the_items_deadline_texts_at_once_read_like_each_alone():
    """督办催办 words every open item's working days in one pass: the same words."""
    items = pd.DataFrame(
        {
            "light": ["red", "red", "red", "yellow", "green", "yellow", "green"],
            "late_workdays": [3, 0, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA],
            "workdays_left": [pd.NA, pd.NA, pd.NA, 0, 5, pd.NA, 2],
        }
    )
    expected = [
        deadline_text(light, left, late)
        for light, left, late in zip(
            items["light"], items["workdays_left"], items["late_workdays"], strict=True
        )
    ]
    assert deadline_texts(items).tolist() == expected
    assert expected[:4] == ["已逾期3个工作日", "已逾期", "已逾期", "今日截止"]
