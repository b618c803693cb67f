"""Altair chart builders: plain data in, chart out (no Streamlit)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from themeday.core.domain import ACTIVITY_STATUS_LABELS, DECLARATION_STATUS_LABELS


def _bar(
    frame: pd.DataFrame, x: str, y: str, title: str, sort: list[str] | None = None
) -> alt.Chart:
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:N", sort=sort, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{y}:Q", title="数量", axis=alt.Axis(tickMinStep=1)),
            tooltip=[alt.Tooltip(f"{x}:N"), alt.Tooltip(f"{y}:Q")],
        )
        .properties(height=260)
    )


def declaration_progress_chart(counts: dict[str, int], not_declared: int) -> alt.Chart:
    """申报进度: declarations per status, plus units that have not declared."""
    labels = ["未申报"] + list(DECLARATION_STATUS_LABELS.values())
    values = [not_declared] + [counts.get(s.value, 0) for s in DECLARATION_STATUS_LABELS]
    frame = pd.DataFrame({"申报状态": labels, "单位数": values})
    return _bar(frame, "申报状态", "单位数", "申报进度", sort=labels)


def activities_by_month_chart(by_month: list[tuple[int, int]], months: range) -> alt.Chart:
    """各月活动数: declared themes per planned month, every month of the window shown."""
    counts = dict(by_month)
    labels = [f"{m}月" for m in months]
    frame = pd.DataFrame({"计划月份": labels, "活动数": [counts.get(m, 0) for m in months]})
    return _bar(frame, "计划月份", "活动数", "各月活动安排", sort=labels)


def activity_status_chart(counts: dict[str, int]) -> alt.Chart:
    """活动进展: activities per stage."""
    labels = list(ACTIVITY_STATUS_LABELS.values())
    values = [counts.get(s.value, 0) for s in ACTIVITY_STATUS_LABELS]
    frame = pd.DataFrame({"活动状态": labels, "活动数": values})
    return _bar(frame, "活动状态", "活动数", "活动进展", sort=labels)


def activities_by_form_chart(forms: list[str]) -> alt.Chart:
    """各活动形式数量: one bar per form, from a list of each theme's form."""
    counts = pd.Series(forms, dtype="str").value_counts()
    frame = pd.DataFrame({"活动形式": counts.index, "活动数": counts.values})
    return _bar(frame, "活动形式", "活动数", "各活动形式数量")


# ------------------------------------------------------------------ 领导看板 (compliance)
# One palette for every compliance chart: the traffic lights of the engine.
RED = "#B22222"
AMBER = "#E6A23C"
GREEN = "#3C8D40"
GREY = "#BFBFBF"

LIGHT_COLOURS: dict[str, str] = {"red": RED, "yellow": AMBER, "green": GREEN, "grey": GREY}
"""Colour of each traffic light (红灯 overdue, 黄灯 due soon, 绿灯 on time, 灰 not relevant)."""

STATUS_COLOURS: dict[str, str] = {
    "planned": "#C6DBEF",
    "scheduled": "#9ECAE1",
    "plan_filed": "#6BAED6",
    "held": "#3182BD",
    "reported": "#08519C",
    "published": "#08306B",
    "cancelled": GREY,
}
"""Colour of each activity stage: deeper blue the further along, grey when cancelled."""

CHECKS: tuple[str, ...] = ("申报", "活动方案", "活动总结", "现场标识", "按月开展", "成果展示")
"""The columns of the unit × check heatmap, in order."""

CHECK_STATES: dict[str, str] = {
    "正常": GREEN,
    "需关注": AMBER,
    "逾期/缺失": RED,
    "暂不涉及": GREY,
}
"""A heatmap cell's state and its colour: on time (or not yet due), late or due soon,
overdue or missing, nothing to check yet."""

_STATUS_ORDER = list(STATUS_COLOURS)
# Width follows the page; height stays one row per unit (titles and legends extra).
_FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
_UNIT_LIGHTS = {"有逾期事项": RED, "有即将到期事项": AMBER, "无逾期事项": GREEN}
_DECLARATION_STATES = {
    "on_time": ("按时申报", GREEN),
    "late": ("逾期申报", AMBER),
    "missing": ("逾期未申报", RED),
    "open": ("尚未申报（未到截止日）", GREY),
}


def _colour_scale(colours: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=list(colours), range=list(colours.values()))


def _activity_month(activities: pd.DataFrame) -> pd.Series:
    """The month an activity falls in: when held, else its date, else its planned month."""
    month = pd.Series(activities["planned_month"], dtype="Int64")
    for column in ("activity_date", "held_date"):
        if column in activities.columns:
            days = pd.to_datetime(activities[column])
            month = days.dt.month.astype("Int64").where(days.notna(), month)
    return month


def _status_counts(activities: pd.DataFrame, key: pd.Series, key_title: str) -> pd.DataFrame:
    """Activities counted per ``key`` and stage, stages in lifecycle order."""
    status = activities["status"].astype("str")
    frame = pd.DataFrame({key_title: key.to_numpy(), "status": status.to_numpy()})
    counts = frame.groupby([key_title, "status"], sort=False).size().reset_index(name="活动数")
    order = {s: i for i, s in enumerate(_STATUS_ORDER)}
    counts["状态顺序"] = counts["status"].map(order).fillna(len(order)).astype("int64")
    counts["活动状态"] = counts["status"].map(
        {str(k): v for k, v in ACTIVITY_STATUS_LABELS.items()}
    )
    counts["活动状态"] = counts["活动状态"].fillna(counts["status"])
    return counts.drop(columns="status")


def _stacked_status_bar(
    counts: pd.DataFrame, key_title: str, title: str, domain: list[str]
) -> alt.Chart:
    labels = {str(k): v for k, v in ACTIVITY_STATUS_LABELS.items()}
    colours = {labels[s]: c for s, c in STATUS_COLOURS.items()}
    return (
        alt.Chart(counts, title=title)
        .mark_bar()
        .encode(
            x=alt.X(
                f"{key_title}:N",
                sort=domain,
                scale=alt.Scale(domain=domain) if domain else alt.Undefined,
                title=key_title,
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("sum(活动数):Q", title="活动数", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("活动状态:N", title="活动状态", scale=_colour_scale(colours)),
            order=alt.Order("状态顺序:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip(f"{key_title}:N", title=key_title),
                alt.Tooltip("活动状态:N", title="活动状态"),
                alt.Tooltip("活动数:Q", title="活动数"),
            ],
        )
        .properties(height=280)
    )


def progress_by_month_chart(
    activities: pd.DataFrame, months: range | list[int] | None = None
) -> alt.Chart:
    """各月活动进展: activities per month, stacked by stage.

    ``activities`` has ``planned_month``, ``status`` and, if known, ``activity_date`` and
    ``held_date`` (the compliance engine's activity frame). An activity counts in the
    month it was held, else the month it is set for, else its planned month. Every
    month of ``months`` is on the axis, with or without activities.
    """
    month = _activity_month(activities)
    counts = _status_counts(activities, month, "月份")
    shown = sorted(set(months or []) | {int(m) for m in month.dropna()})
    counts["月份"] = counts["月份"].map(lambda m: f"{int(m)}月")
    return _stacked_status_bar(counts, "月份", "各月活动进展", [f"{m}月" for m in shown])


def progress_by_form_chart(activities: pd.DataFrame) -> alt.Chart:
    """各活动形式进展: activities per 活动形式 (most first), stacked by stage."""
    forms = activities["form"].astype("str")
    counts = _status_counts(activities, forms, "活动形式")
    domain = list(forms.value_counts(sort=True).index) if len(forms) else []
    return _stacked_status_bar(counts, "活动形式", "各活动形式进展", domain)


def progress_by_kind_chart(activities: pd.DataFrame) -> alt.Chart:
    """各类单位活动进展: activities per 单位类别 (most first), stacked by stage."""
    kinds = activities["unit_kind"].astype("str")
    counts = _status_counts(activities, kinds, "单位类别")
    domain = list(kinds.value_counts(sort=True).index) if len(kinds) else []
    return _stacked_status_bar(counts, "单位类别", "各类单位活动进展", domain)


def units_by_kind_chart(units: pd.DataFrame) -> alt.Chart:
    """各类单位申报情况: units per 单位类别, stacked by how they declared.

    ``units`` has ``unit_kind`` and ``declaration_status`` (on_time, late, missing, open).
    """
    status = units["declaration_status"].astype("str")
    frame = pd.DataFrame(
        {
            "单位类别": units["unit_kind"].astype("str").to_numpy(),
            "申报情况": status.map({k: v[0] for k, v in _DECLARATION_STATES.items()}).to_numpy(),
            "顺序": status.map({k: i for i, k in enumerate(_DECLARATION_STATES)}).to_numpy(),
        }
    )
    counts = frame.groupby(["单位类别", "申报情况", "顺序"], sort=False).size()
    counts = counts.reset_index(name="单位数")
    kinds = list(frame["单位类别"].value_counts(sort=True).index)
    colours = dict(_DECLARATION_STATES.values())
    return (
        alt.Chart(counts, title="各类单位申报情况")
        .mark_bar()
        .encode(
            x=alt.X("单位类别:N", sort=kinds, title="单位类别", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(单位数):Q", title="单位数", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("申报情况:N", title="申报情况", scale=_colour_scale(colours)),
            order=alt.Order("顺序:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip("单位类别:N", title="单位类别"),
                alt.Tooltip("申报情况:N", title="申报情况"),
                alt.Tooltip("单位数:Q", title="单位数"),
            ],
        )
        .properties(height=280)
    )


def _ranked(units: pd.DataFrame, top: int | None) -> pd.DataFrame:
    ranked = units.sort_values(["rank", "score"], ascending=[True, False], kind="stable")
    return ranked.head(top) if top else ranked


def unit_ranking_chart(units: pd.DataFrame, top: int | None = None) -> alt.LayerChart:
    """单位考核得分排名: one bar per unit (best first), coloured by its worst open item.

    ``units`` has ``unit_name``, ``rank``, ``score``, ``score_base``,
    ``adjustment_total``, ``red_items`` and ``yellow_items``; ``top`` keeps the first N.
    """
    ranked = _ranked(units, top)
    red = ranked["red_items"].astype("int64")
    yellow = ranked["yellow_items"].astype("int64")
    frame = pd.DataFrame(
        {
            "排名": ranked["rank"].astype("int64").to_numpy(),
            "单位": ranked["unit_name"].astype("str").to_numpy(),
            "总得分": ranked["score"].astype("float64").to_numpy(),
            "考核得分": ranked["score_base"].astype("float64").to_numpy(),
            "加减分": ranked["adjustment_total"].astype("float64").to_numpy(),
            "逾期事项": red.to_numpy(),
            "即将到期事项": yellow.to_numpy(),
            "提醒": np.select([red > 0, yellow > 0], list(_UNIT_LIGHTS)[:2], list(_UNIT_LIGHTS)[2]),
        }
    )
    title = f"单位考核得分排名（前{top}名）" if top and len(units) > top else "单位考核得分排名"
    base = alt.Chart(frame).encode(
        y=alt.Y("单位:N", sort=list(frame["单位"]), title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("总得分:Q", title="总得分"),
        tooltip=[
            alt.Tooltip("排名:Q", title="排名"),
            alt.Tooltip("单位:N", title="单位"),
            alt.Tooltip("总得分:Q", title="总得分", format=".2f"),
            alt.Tooltip("考核得分:Q", title="考核得分", format=".2f"),
            alt.Tooltip("加减分:Q", title="加减分", format=".2f"),
            alt.Tooltip("逾期事项:Q", title="逾期事项"),
            alt.Tooltip("即将到期事项:Q", title="即将到期事项"),
        ],
    )
    bars = base.mark_bar().encode(
        color=alt.Color("提醒:N", title="提醒", scale=_colour_scale(_UNIT_LIGHTS))
    )
    labels = base.mark_text(align="left", dx=3, color="#333333").encode(
        text=alt.Text("总得分:Q", format=".4~f")
    )
    return alt.layer(bars, labels).properties(
        title=title, height=max(60, 24 * len(frame)), autosize=_FIT_WIDTH
    )


def unit_checks(units: pd.DataFrame, activities: pd.DataFrame) -> pd.DataFrame:
    """Each unit's state per check (``CHECKS``), one row per unit and check.

    Columns: 排名, 单位, 检查项, 情况 (a key of ``CHECK_STATES``), 简况 (a few characters
    for the cell), 说明 (the counts behind it). Units keep the order of ``units``.
    ``units`` is the engine's unit frame; ``activities`` its activity frame, whose
    lights tell which 活动方案 and 活动总结 are due soon.
    """
    ids = units["unit_id"].to_numpy()
    parts = [_declaration_check(units)]
    for kind, name in (("plan", "活动方案"), ("report", "活动总结")):
        parts.append(_deadline_check(units, activities, kind, name))
    parts += [_marking_check(units), _month_check(units), _published_check(units)]
    frame = pd.concat(parts, ignore_index=True)
    position = {unit_id: i for i, unit_id in enumerate(ids)}
    frame["_unit"] = frame["unit_id"].map(position)
    frame["_check"] = frame["检查项"].map({c: i for i, c in enumerate(CHECKS)})
    frame = frame.sort_values(["_unit", "_check"], kind="stable")
    names = dict(zip(ids, units["unit_name"].astype("str"), strict=True))
    ranks = dict(zip(ids, units["rank"].astype("int64"), strict=True))
    frame["单位"] = frame["unit_id"].map(names)
    frame["排名"] = frame["unit_id"].map(ranks).astype("int64")
    columns = ["排名", "单位", "检查项", "情况", "简况", "说明"]
    return frame[columns].astype({c: "str" for c in columns[1:]}).reset_index(drop=True)


def _check(unit_id, check: str, state, short, detail) -> pd.DataFrame:
    return pd.DataFrame(
        {"unit_id": unit_id, "检查项": check, "情况": state, "简况": short, "说明": detail}
    )


def _n(series: pd.Series) -> pd.Series:
    return series.fillna(0).astype("int64")


def _declaration_check(units: pd.DataFrame) -> pd.DataFrame:
    status = units["declaration_status"].astype("str")
    light = units["declaration_light"].astype("str")
    late = _n(units["declaration_late_workdays"]).astype("str")
    left = _n(units["declaration_workdays_left"]).astype("str")
    due_soon = (status == "open") & (light == "yellow")
    conditions = [status == "on_time", status == "late", status == "missing", due_soon]
    state = np.select(conditions, ["正常", "需关注", "逾期/缺失", "需关注"], "正常")
    short = np.select(conditions, ["按时", "逾期" + late + "日", "未申报", "临近截止"], "未到期")
    detail = np.select(
        conditions,
        [
            "按时申报",
            "逾期" + late + "个工作日申报",
            "逾期未申报（已逾期" + late + "个工作日）",
            "尚未申报，剩余" + left + "个工作日",
        ],
        "尚未申报，未到截止日期",
    )
    return _check(units["unit_id"].to_numpy(), "申报", state, short, detail)


def _deadline_check(
    units: pd.DataFrame, activities: pd.DataFrame, kind: str, name: str
) -> pd.DataFrame:
    status = activities[f"{kind}_status"].astype("str")
    light = activities[f"{kind}_light"].astype("str")
    flags = pd.DataFrame(
        {
            "unit_id": activities["unit_id"].to_numpy(),
            "on_time": (status == "on_time").to_numpy(),
            "late": (status == "late").to_numpy(),
            "missing": (status == "missing").to_numpy(),
            "due_soon": (light == "yellow").to_numpy(),
            "open": (light == "green").to_numpy(),
        }
    )
    sums = flags.groupby("unit_id").sum()
    c = sums.reindex(units["unit_id"].to_numpy(), fill_value=0).astype("int64")
    state = np.select(
        [c["missing"] > 0, (c["late"] > 0) | (c["due_soon"] > 0), (c["on_time"] + c["open"]) > 0],
        ["逾期/缺失", "需关注", "正常"],
        "暂不涉及",
    )
    short = np.select(
        [c["missing"] > 0, c["late"] > 0, c["due_soon"] > 0, c["on_time"] > 0, c["open"] > 0],
        [
            "未报" + c["missing"].astype("str"),
            "逾期" + c["late"].astype("str"),
            "临期" + c["due_soon"].astype("str"),
            "按时" + c["on_time"].astype("str"),
            "未到期",
        ],
        "—",
    )
    detail = (
        f"{name}：按时"
        + c["on_time"].astype("str")
        + "，逾期报送"
        + c["late"].astype("str")
        + "，逾期未报"
        + c["missing"].astype("str")
        + "，即将到期"
        + c["due_soon"].astype("str")
        + "，未到期"
        + c["open"].astype("str")
    )
    return _check(c.index.to_numpy(), name, state, short, detail.to_numpy())


def _marking_check(units: pd.DataFrame) -> pd.DataFrame:
    return _held_check(
        units, "marking_present", "marking_missing", "现场标识", "逾期/缺失", "缺", "有现场标识佐证"
    )


def _month_check(units: pd.DataFrame) -> pd.DataFrame:
    return _held_check(
        units, "held_in_month", "held_off_month", "按月开展", "需关注", "改期", "按计划月份开展"
    )


def _held_check(
    units: pd.DataFrame, good: str, bad: str, name: str, bad_state: str, bad_short: str, met: str
) -> pd.DataFrame:
    """A check over the activities held: the column ``good`` counts those that meet it,
    ``bad`` those that do not (shown as ``bad_short`` + count, in the state ``bad_state``);
    ``met`` says in the detail what the good ones have."""
    ok, failed = _n(units[good]), _n(units[bad])
    held = ok + failed
    state = np.select([held == 0, failed > 0], ["暂不涉及", bad_state], "正常")
    short = np.select(
        [held == 0, failed > 0],
        ["—", bad_short + failed.astype("str")],
        ok.astype("str") + "/" + held.astype("str"),
    )
    detail = "已开展" + held.astype("str") + "个活动，" + met + ok.astype("str") + "个"
    return _check(units["unit_id"].to_numpy(), name, state, short, detail.to_numpy())


def _published_check(units: pd.DataFrame) -> pd.DataFrame:
    reported, published = _n(units["n_reported"]), _n(units["n_published"])
    waiting = (reported - published).clip(lower=0)
    state = np.select([reported == 0, waiting > 0], ["暂不涉及", "需关注"], "正常")
    short = np.select(
        [reported == 0, waiting > 0],
        ["—", "待展示" + waiting.astype("str")],
        published.astype("str") + "/" + reported.astype("str"),
    )
    detail = "已报送总结" + reported.astype("str") + "个，已展示" + published.astype("str") + "个"
    return _check(units["unit_id"].to_numpy(), "成果展示", state, short, detail.to_numpy())


def unit_check_heatmap(
    units: pd.DataFrame, activities: pd.DataFrame, top: int | None = None
) -> alt.LayerChart:
    """单位检查情况: rows units (best ranked first), columns the checks (``CHECKS``),
    each cell coloured by its state (``CHECK_STATES``) and labelled with its counts."""
    ranked = _ranked(units, top)
    frame = unit_checks(ranked, activities[activities["unit_id"].isin(ranked["unit_id"])])
    names = list(ranked["unit_name"].astype("str"))
    title = f"单位检查情况（前{top}名）" if top and len(units) > top else "单位检查情况"
    base = alt.Chart(frame).encode(
        x=alt.X(
            "检查项:N",
            sort=list(CHECKS),
            title=None,
            axis=alt.Axis(orient="top", labelAngle=0),
        ),
        y=alt.Y("单位:N", sort=names, title=None, axis=alt.Axis(labelLimit=220)),
        tooltip=[
            alt.Tooltip("排名:Q", title="排名"),
            alt.Tooltip("单位:N", title="单位"),
            alt.Tooltip("检查项:N", title="检查项"),
            alt.Tooltip("情况:N", title="情况"),
            alt.Tooltip("说明:N", title="说明"),
        ],
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "情况:N",
            title="情况",
            scale=_colour_scale(CHECK_STATES),
            legend=alt.Legend(orient="bottom"),
        )
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("简况:N"),
        color=alt.condition(
            alt.FieldOneOfPredicate(field="情况", oneOf=["正常", "逾期/缺失"]),
            alt.value("white"),
            alt.value("#333333"),
        ),
    )
    return alt.layer(cells, text).properties(
        title=title, height=max(60, 26 * len(names)), autosize=_FIT_WIDTH
    )
