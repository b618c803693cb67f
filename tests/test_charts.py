"""Altair builders: the data rows and encodings each chart carries."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import pytest

from themeday.formats import charts
from themeday.formats.charts import AMBER, GREEN, GREY, RED
from themeday.services.assessment import assess


def spec(chart: alt.TopLevelMixin) -> dict:
    return chart.to_dict()


def rows(chart: alt.TopLevelMixin) -> list[dict]:
    """The data rows of a chart (its one inline dataset)."""
    d = spec(chart)
    return d["datasets"][d["data"]["name"]]


def counts(chart: alt.TopLevelMixin, key: str, value: str, by: str) -> dict:
    return {(r[key], r[by]): r[value] for r in rows(chart)}


def scale(encoding: dict) -> dict[str, str]:
    s = encoding["scale"]
    return dict(zip(s["domain"], s["range"], strict=True))


def ts(day: str | None) -> pd.Timestamp:
    return pd.Timestamp(day) if day else pd.NaT


def activities_frame(rows_: list[tuple]) -> pd.DataFrame:
    columns = [
        "unit_id",
        "unit_kind",
        "form",
        "planned_month",
        "status",
        "activity_date",
        "held_date",
        "plan_status",
        "plan_light",
        "report_status",
        "report_light",
    ]
    frame = pd.DataFrame(rows_, columns=columns)
    for column in ("activity_date", "held_date"):
        frame[column] = pd.to_datetime(frame[column].map(ts)).astype("datetime64[us]")
    return frame


ACTS = activities_frame(
    [
        # unit, kind, form, month, status, date, held, plan, light, report, light
        (1, "街道", "实地调研", 7, "planned", None, None, "open", "grey", "open", "grey"),
        (
            1,
            "街道",
            "实地调研",
            7,
            "scheduled",
            "2023-08-15",
            None,
            "open",
            "yellow",
            "open",
            "grey",
        ),
        (
            2,
            "部门",
            "实地调研",
            8,
            "held",
            "2023-08-03",
            "2023-08-03",
            "on_time",
            "",
            "open",
            "green",
        ),
        (
            2,
            "部门",
            "座谈交流",
            8,
            "reported",
            "2023-09-01",
            "2023-08-30",
            "late",
            "",
            "on_time",
            "",
        ),
        (
            3,
            "乡镇",
            "问卷调查",
            9,
            "cancelled",
            None,
            None,
            "not_applicable",
            "grey",
            "not_applicable",
            "grey",
        ),
        (
            3,
            "乡镇",
            "实地调研",
            9,
            "held",
            "2023-09-05",
            "2023-09-05",
            "missing",
            "red",
            "missing",
            "red",
        ),
    ]
)


# ------------------------------------------------------------------ progress, stacked by stage


def test_month_chart_stacks_activities_by_the_month_they_fall_in():
    chart = charts.progress_by_month_chart(ACTS, range(7, 11))
    assert isinstance(chart, alt.Chart)
    # held date beats the set date, the set date beats the planned month
    assert counts(chart, "月份", "活动数", "活动状态") == {
        ("7月", "已申报"): 1,
        ("8月", "已定日期"): 1,
        ("8月", "已开展"): 1,
        ("8月", "总结已报送"): 1,
        ("9月", "已取消"): 1,
        ("9月", "已开展"): 1,
    }
    enc = spec(chart)["encoding"]
    assert enc["x"]["field"] == "月份"
    assert enc["x"]["scale"]["domain"] == ["7月", "8月", "9月", "10月"]  # empty October shown
    assert enc["y"] == {
        "aggregate": "sum",
        "field": "活动数",
        "type": "quantitative",
        "title": "活动数",
        "axis": {"tickMinStep": 1},
    }
    colours = scale(enc["color"])
    assert list(colours)[:6] == [
        "已申报",
        "已定日期",
        "方案已报送",
        "已开展",
        "总结已报送",
        "已展示",
    ]
    assert colours["已取消"] == GREY
    assert enc["order"]["field"] == "状态顺序"
    assert [t["field"] for t in enc["tooltip"]] == ["月份", "活动状态", "活动数"]
    assert spec(chart)["title"] == "各月活动进展"


def test_month_chart_keeps_months_outside_the_window():
    moved = activities_frame(
        [
            (
                1,
                "街道",
                "实地调研",
                10,
                "scheduled",
                "2023-11-20",
                None,
                "open",
                "green",
                "open",
                "grey",
            )
        ]
    )
    chart = charts.progress_by_month_chart(moved, range(4, 11))
    assert spec(chart)["encoding"]["x"]["scale"]["domain"][-2:] == ["10月", "11月"]
    assert counts(chart, "月份", "活动数", "活动状态") == {("11月", "已定日期"): 1}


def test_form_chart_orders_forms_by_how_many_and_stacks_by_stage():
    chart = charts.progress_by_form_chart(ACTS)
    assert counts(chart, "活动形式", "活动数", "活动状态") == {
        ("实地调研", "已申报"): 1,
        ("实地调研", "已定日期"): 1,
        ("实地调研", "已开展"): 2,
        ("座谈交流", "总结已报送"): 1,
        ("问卷调查", "已取消"): 1,
    }
    enc = spec(chart)["encoding"]
    assert enc["x"]["field"] == "活动形式" and enc["x"]["sort"][0] == "实地调研"
    assert spec(chart)["title"] == "各活动形式进展"


def test_kind_progress_chart_counts_activities_per_unit_kind():
    chart = charts.progress_by_kind_chart(ACTS)
    assert counts(chart, "单位类别", "活动数", "活动状态") == {
        ("街道", "已申报"): 1,
        ("街道", "已定日期"): 1,
        ("部门", "已开展"): 1,
        ("部门", "总结已报送"): 1,
        ("乡镇", "已取消"): 1,
        ("乡镇", "已开展"): 1,
    }
    assert spec(chart)["encoding"]["x"]["title"] == "单位类别"


def units_frame(rows_: list[tuple]) -> pd.DataFrame:
    columns = [
        "unit_id",
        "unit_name",
        "unit_kind",
        "declaration_status",
        "declaration_light",
        "declaration_late_workdays",
        "declaration_workdays_left",
        "marking_present",
        "marking_missing",
        "held_in_month",
        "held_off_month",
        "n_reported",
        "n_published",
        "red_items",
        "yellow_items",
        "score_base",
        "adjustment_total",
        "score",
        "rank",
    ]
    frame = pd.DataFrame(rows_, columns=columns)
    for column in ("declaration_late_workdays", "declaration_workdays_left"):
        frame[column] = frame[column].astype("Int64")
    return frame


UNITS = units_frame(
    [
        # id, name, kind, decl, light, late, left, mk+, mk-, in, off, rep, pub, red, yel,
        # base, adj, score, rank
        (2, "区发改局", "部门", "late", "", 3, None, 1, 0, 0, 1, 1, 0, 0, 0, 20.0, 2.5, 22.5, 1),
        (1, "城北街道", "街道", "on_time", "", 0, None, 0, 0, 0, 0, 0, 0, 0, 1, 12.0, 0.0, 12.0, 2),
        (3, "罗市镇", "乡镇", "on_time", "", 0, None, 0, 1, 1, 0, 0, 0, 2, 0, 12.0, 0.0, 12.0, 2),
        (
            4,
            "区教育局",
            "部门",
            "missing",
            "red",
            4,
            None,
            0,
            0,
            0,
            0,
            0,
            0,
            1,
            0,
            0.0,
            -1.0,
            -1.0,
            3,
        ),
        (5, "板桥乡", "乡镇", "open", "yellow", None, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0.0, 0.0, 0.0, 4),
    ]
)


def test_units_by_kind_counts_how_units_declared():
    chart = charts.units_by_kind_chart(UNITS)
    assert isinstance(chart, alt.Chart)
    assert counts(chart, "单位类别", "单位数", "申报情况") == {
        ("部门", "逾期申报"): 1,
        ("部门", "逾期未申报"): 1,
        ("街道", "按时申报"): 1,
        ("乡镇", "按时申报"): 1,
        ("乡镇", "尚未申报（未到截止日）"): 1,
    }
    enc = spec(chart)["encoding"]
    assert scale(enc["color"]) == {
        "按时申报": GREEN,
        "逾期申报": AMBER,
        "逾期未申报": RED,
        "尚未申报（未到截止日）": GREY,
    }
    assert enc["y"]["field"] == "单位数" and enc["y"]["aggregate"] == "sum"
    assert spec(chart)["title"] == "各类单位申报情况"


# ------------------------------------------------------------------ ranking


def test_ranking_lists_units_best_first_coloured_by_their_worst_item():
    chart = charts.unit_ranking_chart(UNITS)
    assert isinstance(chart, alt.LayerChart)
    d = spec(chart)
    data = rows(chart)
    assert [(r["排名"], r["单位"], r["总得分"]) for r in data] == [
        (1, "区发改局", 22.5),
        (2, "城北街道", 12.0),
        (2, "罗市镇", 12.0),
        (3, "区教育局", -1.0),
        (4, "板桥乡", 0.0),
    ]
    assert [r["提醒"] for r in data] == [
        "无逾期事项",
        "有即将到期事项",
        "有逾期事项",
        "有逾期事项",
        "有即将到期事项",
    ]
    assert data[0]["加减分"] == 2.5 and data[0]["考核得分"] == 20.0
    bars, labels = d["layer"]
    assert bars["mark"]["type"] == "bar" and labels["mark"]["type"] == "text"
    assert bars["encoding"]["y"]["sort"] == ["区发改局", "城北街道", "罗市镇", "区教育局", "板桥乡"]
    assert bars["encoding"]["x"]["field"] == "总得分"
    assert scale(bars["encoding"]["color"]) == {
        "有逾期事项": RED,
        "有即将到期事项": AMBER,
        "无逾期事项": GREEN,
    }
    assert labels["encoding"]["text"]["field"] == "总得分"
    assert {t["field"] for t in bars["encoding"]["tooltip"]} >= {"排名", "单位", "总得分", "加减分"}
    assert d["title"] == "单位考核得分排名"
    assert d["height"] == 24 * 5


def test_ranking_keeps_the_top_n():
    chart = charts.unit_ranking_chart(UNITS, top=2)
    assert [r["单位"] for r in rows(chart)] == ["区发改局", "城北街道"]
    assert spec(chart)["title"] == "单位考核得分排名（前2名）"
    assert spec(charts.unit_ranking_chart(UNITS, top=10))["title"] == "单位考核得分排名"


# ------------------------------------------------------------------ unit × check heatmap

CHECK_ACTS = pd.DataFrame(
    {
        "unit_id": [2, 2, 1, 1, 3],
        "plan_status": ["on_time", "late", "open", "open", "missing"],
        "plan_light": ["", "", "yellow", "grey", "red"],
        "report_status": ["on_time", "open", "open", "open", "missing"],
        "report_light": ["", "green", "grey", "grey", "red"],
    }
)


def test_unit_checks_give_each_unit_a_state_per_check():
    table = charts.unit_checks(UNITS, CHECK_ACTS)
    assert list(table.columns) == ["排名", "单位", "检查项", "情况", "简况", "说明"]
    assert len(table) == len(UNITS) * len(charts.CHECKS)
    cell = {(r.单位, r.检查项): (r.情况, r.简况) for r in table.itertuples()}
    # 申报: on time, late by N, missing, due soon
    assert cell["区发改局", "申报"] == ("需关注", "逾期3日")
    assert cell["城北街道", "申报"] == ("正常", "按时")
    assert cell["区教育局", "申报"] == ("逾期/缺失", "未申报")
    assert cell["板桥乡", "申报"] == ("需关注", "临近截止")
    # 活动方案 / 活动总结: missing beats late beats due soon beats on time
    assert cell["区发改局", "活动方案"] == ("需关注", "逾期1")
    assert cell["城北街道", "活动方案"] == ("需关注", "临期1")
    assert cell["罗市镇", "活动方案"] == ("逾期/缺失", "未报1")
    assert cell["区教育局", "活动方案"] == ("暂不涉及", "—")
    assert cell["区发改局", "活动总结"] == ("正常", "按时1")
    assert cell["城北街道", "活动总结"] == ("暂不涉及", "—")  # grey lights: not yet relevant
    # 现场标识, 按月开展, 成果展示
    assert cell["区发改局", "现场标识"] == ("正常", "1/1")
    assert cell["罗市镇", "现场标识"] == ("逾期/缺失", "缺1")
    assert cell["区发改局", "按月开展"] == ("需关注", "改期1")
    assert cell["罗市镇", "按月开展"] == ("正常", "1/1")
    assert cell["区发改局", "成果展示"] == ("需关注", "待展示1")
    assert cell["城北街道", "成果展示"] == ("暂不涉及", "—")
    detail = table.set_index(["单位", "检查项"])["说明"]
    assert detail["区发改局", "活动方案"] == (
        "活动方案：按时1，逾期报送1，逾期未报0，即将到期0，未到期0"
    )
    assert detail["区教育局", "申报"] == "逾期未申报（已逾期4个工作日）"
    # units keep their ranking order, checks their column order
    assert list(table["单位"].drop_duplicates()) == list(UNITS["unit_name"])
    assert list(table["检查项"][:6]) == list(charts.CHECKS)


def test_heatmap_colours_cells_by_state_and_labels_them():
    chart = charts.unit_check_heatmap(UNITS, CHECK_ACTS, top=3)
    assert isinstance(chart, alt.LayerChart)
    d = spec(chart)
    data = rows(chart)
    assert {r["单位"] for r in data} == {"区发改局", "城北街道", "罗市镇"}
    assert len(data) == 3 * 6
    assert {(r["单位"], r["检查项"]): r["情况"] for r in data}["罗市镇", "活动总结"] == "逾期/缺失"
    cells, text = d["layer"]
    assert cells["mark"]["type"] == "rect" and text["mark"]["type"] == "text"
    assert cells["encoding"]["x"]["sort"] == list(charts.CHECKS)
    assert cells["encoding"]["y"]["sort"] == ["区发改局", "城北街道", "罗市镇"]
    assert scale(cells["encoding"]["color"]) == {
        "正常": GREEN,
        "需关注": AMBER,
        "逾期/缺失": RED,
        "暂不涉及": GREY,
    }
    assert text["encoding"]["text"]["field"] == "简况"
    assert "说明" in {t["field"] for t in cells["encoding"]["tooltip"]}
    assert d["title"] == "单位检查情况（前3名）"


# ------------------------------------------------------------------ real engine frames


def test_builders_take_the_engines_frames_and_empty_ones(demo, office):
    campaign = demo.catalogue.current_campaign(office)
    result = assess(demo, office, campaign, date(2026, 11, 23))
    units, acts = result.units, result.activities
    month = charts.progress_by_month_chart(acts, range(7, 13))
    total = sum(r["活动数"] for r in rows(month))
    assert total == len(acts)
    by_kind = charts.units_by_kind_chart(units)
    assert sum(r["单位数"] for r in rows(by_kind)) == len(units)
    ranking = rows(charts.unit_ranking_chart(units))
    assert [r["单位"] for r in ranking] == list(units["unit_name"])
    assert sum(r["逾期事项"] for r in ranking) == units["red_items"].sum()
    checks = charts.unit_checks(units, acts)
    missing = checks[(checks["检查项"] == "申报") & (checks["情况"] == "逾期/缺失")]
    assert len(missing) == (units["declaration_status"] == "missing").sum()
    for chart in (
        month,
        charts.progress_by_form_chart(acts),
        charts.progress_by_kind_chart(acts),
        charts.unit_check_heatmap(units, acts),
    ):
        assert rows(chart)
    empty_units, empty_acts = units.iloc[:0], acts.iloc[:0]
    for chart in (
        charts.progress_by_month_chart(empty_acts, range(7, 13)),
        charts.progress_by_form_chart(empty_acts),
        charts.progress_by_kind_chart(empty_acts),
        charts.units_by_kind_chart(empty_units),
        charts.unit_ranking_chart(empty_units),
        charts.unit_check_heatmap(empty_units, empty_acts),
    ):
        assert rows(chart) == []


# ------------------------------------------------------------------ the older builders


def test_older_builders_still_count():
    progress = charts.declaration_progress_chart({"approved": 3, "submitted": 1}, not_declared=2)
    assert {r["申报状态"]: r["单位数"] for r in rows(progress)}["未申报"] == 2
    by_month = charts.activities_by_month_chart([(7, 2), (9, 1)], range(7, 10))
    assert [r["活动数"] for r in rows(by_month)] == [2, 0, 1]
    by_form = charts.activities_by_form_chart(["实地调研", "座谈交流", "实地调研"])
    assert {r["活动形式"]: r["活动数"] for r in rows(by_form)} == {"实地调研": 2, "座谈交流": 1}
    status = charts.activity_status_chart({"held": 2})
    assert {r["活动状态"]: r["活动数"] for r in rows(status)}["已开展"] == 2


@pytest.mark.parametrize(
    "light, colour", [("red", "#B22222"), ("yellow", AMBER), ("green", GREEN), ("grey", GREY)]
)
def test_one_palette_for_the_lights(light, colour):
    assert charts.LIGHT_COLOURS[light] == colour
