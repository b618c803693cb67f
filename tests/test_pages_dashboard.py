"""AppTest of 领导看板: KPIs from the compliance engine, charts, strictly read-only."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import DEMO_DAY, dashboard, host
from themeday.core.compliance import ComplianceResult
from themeday.core.config import TZ, now
from themeday.services.assessment import assess

LEADER_DOWNLOADS = (
    "看板数据（Excel）",
    "汇报材料（Word，一页）",
    "活动计划安排表（Excel）",
    "活动计划安排表（Word）",
)
CHARTS = 6  # by month, by form, units by kind, activities by kind, ranking, heatmap


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected(result: ComplianceResult) -> dict[str, str]:
    """The KPIs worked out here, straight from the engine's unit frame."""
    u = result.units

    def rate(kind: str) -> str:
        on_time = u[f"{kind}_on_time"].sum()
        due = on_time + u[f"{kind}_late"].sum() + u[f"{kind}_missing"].sum()
        return f"{on_time / due:.1%}" if due else "—"

    declared = (u["declared_at"].notna()).sum()
    return {
        "已申报单位": f"{declared}/{len(u)}",
        "活动总数": str(u["n_activities"].sum() - u["n_cancelled"].sum()),
        "已开展": str(u["n_held"].sum()),
        "已报送总结": str(u["n_reported"].sum()),
        "已展示": str(u["n_published"].sum()),
        "方案按时率": rate("plans"),
        "总结按时率": rate("reports"),
        "红灯事项": str(u["red_items"].sum()),
        "黄灯事项": str(u["yellow_items"].sum()),
    }


def engine(app_db, username: str, as_of: date) -> ComplianceResult:
    actor = app_db.accounts.login_record(username).user.as_actor()
    return assess(app_db, actor, app_db.catalogue.current_campaign(actor), as_of)


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(chart.proto.spec).get("title", "") for chart in charts(at)]


@pytest.mark.parametrize("username", ["leader", "office"])
def test_dashboard_shows_the_engines_kpis_and_every_chart(app_db, username):
    at = dashboard(app_db, username)
    assert not at.exception
    assert [t.value for t in at.title] == ["领导看板"]
    shown = metrics(at)
    assert shown == expected(engine(app_db, username, DEMO_DAY))
    # the demo day has a mix: some units not declared, red and yellow items
    assert shown["已申报单位"] == "10/12"
    assert int(shown["红灯事项"]) > 0 and int(shown["黄灯事项"]) > 0
    assert len(charts(at)) == CHARTS
    assert {"各月活动进展", "各活动形式进展", "各类单位申报情况", "各类单位活动进展"} <= set(
        chart_titles(at)
    )
    assert any(t.startswith("单位考核得分排名") for t in chart_titles(at))
    assert any(t.startswith("单位检查情况") for t in chart_titles(at))
    assert re.search(r"数据更新时间 \d{2}:\d{2}:\d{2}", " ".join(c.value for c in at.caption))
    assert not at.warning  # the demo year's holidays are known


def test_the_date_defaults_to_today_in_china(app_db):
    at = dashboard(app_db, "leader", as_of=None)
    assert not at.exception
    (picker,) = at.date_input
    assert picker.label == "统计截至"
    assert picker.value == now().astimezone(TZ).date()


def test_a_year_without_holidays_is_flagged(app_db, monkeypatch):
    notice = "2027年节假日安排未录入，日期仅按周末计算"
    monkeypatch.setattr(ComplianceResult, "warning", property(lambda self: notice))
    at = dashboard(app_db, "leader")
    assert not at.exception
    assert [w.value for w in at.warning] == [notice]


def test_a_leader_has_no_control_that_writes(app_db):
    at = dashboard(app_db, "leader")
    assert not at.exception
    for kind in (
        "button",
        "form",
        "form_submit_button",
        "data_editor",
        "text_input",
        "text_area",
        "number_input",
        "checkbox",
        "toggle",
        "radio",
        "multiselect",
        "file_uploader",
        "chat_input",
        "color_picker",
        "slider",
        "select_slider",
        "time_input",
    ):
        assert len(at.get(kind)) == 0, kind
    assert [d.label for d in at.date_input] == ["统计截至"]
    assert {s.label for s in at.selectbox} <= {"显示单位", "查看单位"}
    # reading out is allowed: the audited downloads of the figures and the plan
    assert [b.proto.label for b in at.get("download_button")] == list(LEADER_DOWNLOADS)


@pytest.mark.parametrize("username", ["unit1", "unit3"])
def test_units_are_refused(app_db, username):
    at = dashboard(app_db, username)
    assert not at.exception
    assert [t.value for t in at.title] == []
    assert "您的账号无权访问此页面。" in [e.value for e in at.error]
    assert not at.metric and not charts(at)


def test_an_earlier_date_reproduces_an_earlier_picture(app_db):
    at = dashboard(app_db, "leader")
    today = metrics(at)
    earlier = date(2026, 11, 10)
    at.date_input[0].set_value(earlier).run()
    assert not at.exception
    before = metrics(at)
    assert before != today
    assert before == expected(engine(app_db, "leader", earlier))
    assert "统计截至2026年11月10日" in " ".join(c.value for c in at.caption)
    at.run()
    assert metrics(at) == before  # the same data and date give the same numbers
    at.date_input[0].set_value(DEMO_DAY).run()
    assert metrics(at) == today


def test_before_any_approval_the_progress_charts_say_so(app_db):
    at = dashboard(app_db, "leader", as_of=date(2026, 6, 1))
    assert not at.exception
    shown = metrics(at)
    assert shown["已申报单位"] == "0/12"
    assert shown["活动总数"] == "0"
    assert shown["方案按时率"] == "—" and shown["总结按时率"] == "—"
    assert any("暂无审核通过的活动" in i.value for i in at.info)
    titles = chart_titles(at)
    assert "各月活动进展" not in titles and "各类单位申报情况" in titles


def test_drill_down_shows_one_units_row_and_activities_with_lights(app_db):
    at = dashboard(app_db, "leader")
    result = engine(app_db, "leader", DEMO_DAY)
    units = result.units
    worst = units[units["red_items"] > 0].iloc[0]
    own = result.activities[result.activities["unit_id"] == worst["unit_id"]]
    assert not own.empty
    box = next(s for s in at.selectbox if s.label == "查看单位")
    box.set_value(int(worst["unit_id"])).run()
    assert not at.exception
    tables = [d.value for d in at.dataframe]
    acts = next(t for t in tables if "活动主题" in t.columns)
    assert sorted(acts["活动主题"]) == sorted(own["title"])
    assert "已逾期" in set(acts["方案提醒"]) | set(acts["总结提醒"])
    facts = {}
    for table in tables:
        if "内容" in table.columns:
            facts.update(dict(zip(table.iloc[:, 0], table["内容"], strict=True)))
    assert facts["单位"] == worst["unit_name"]
    assert facts["逾期事项"] == str(worst["red_items"])
    assert facts["排名"] == str(worst["rank"])
    # every other unit's activities stay out of the table
    others = set(result.activities["title"]) - set(own["title"])
    assert not others & set(acts["活动主题"])


def test_a_unit_without_approved_activities_says_so(app_db):
    at = dashboard(app_db, "office")
    units = engine(app_db, "office", DEMO_DAY).units
    missing = units[units["declaration_status"] == "missing"].iloc[0]
    next(s for s in at.selectbox if s.label == "查看单位").set_value(int(missing["unit_id"])).run()
    assert not at.exception
    assert any("该单位截至所选日期暂无审核通过的活动" in i.value for i in at.info)


def test_showing_every_unit_in_the_ranking(app_db):
    at = dashboard(app_db, "leader")
    top = next(s for s in at.selectbox if s.label == "显示单位")
    assert top.value == 10
    assert any(t.endswith("（前10名）") for t in chart_titles(at))
    top.set_value(0).run()
    assert not at.exception
    assert "单位考核得分排名" in chart_titles(at) and "单位检查情况" in chart_titles(at)


def test_nothing_runs_when_the_module_is_imported():
    import importlib

    module = importlib.import_module("pages.leader.leader_dashboard")
    assert callable(module.render)


LEADER_PAGES = ("leader_dashboard", "annual_plan", "activity_oversight", "public_showcase")
EDIT_CONTROLS = ("text_input", "text_area", "number_input", "file_uploader", "data_editor")
SEARCH_BOXES = {"搜索活动"}
"""Text inputs that only filter the list shown (they write nothing)."""


@pytest.mark.parametrize("page", LEADER_PAGES)
def test_a_leader_has_no_edit_control_anywhere(app_db, page):
    """Every page in the leader's navigation (helpers.EXPECTED_NAV): no input that
    writes, no write button."""
    at = host(app_db, page, "leader")
    assert not at.exception
    for kind in EDIT_CONTROLS:
        controls = [c for c in at.get(kind) if kind != "text_input" or c.label not in SEARCH_BOXES]
        assert not controls, f"{page}: {kind}"
    assert not list(at.get("form")), f"{page}: a form"
    # the only buttons: the showcase's 查看详情 (navigation)
    assert {b.label for b in at.button} <= {"查看详情"}, page
