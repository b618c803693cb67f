"""领导看板: live, read-only compliance of the chosen campaign (leadership and the office).

Everything shown is derived by the compliance engine from the stored records up to the
end of the “统计截至” day, so a past date reproduces a past picture. The live part
refreshes itself every minute (``st.fragment``) so it stays current during a meeting.
There is no control that writes: only the date, the number of units shown and the unit
to look at can be chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from themeday.core.compliance import ComplianceResult, labelled
from themeday.core.config import TZ
from themeday.core.dates import minute_time, prose_date, table_date
from themeday.core.domain import NotFound, Role
from themeday.formats.dashboard_papers import KPI_HELP, kpi_values
from themeday.formats.lights import styled_lights
from themeday.services import dashboard
from themeday.services.assessment import assess
from themeday.ui import gate
from themeday.ui.compliance_widgets import as_of_picker
from themeday.ui.dashboard_widgets import dashboard_downloads
from themeday.ui.screen import open_screen
from themeday.ui.widgets import escape_markdown

REFRESH_SECONDS = 60
"""How often the live part of the dashboard reloads itself."""

_ROLES = (Role.LEADER, Role.OFFICE)
_AS_OF = "dashboard.as_of"
_TOP = "dashboard.top"
_UNIT = "dashboard.unit"
_TOP_CHOICES = (10, 20, 50, 100, 200)
_ALL_UP_TO = 200  # more bars than this are too tall for a browser to draw
_SCROLL_HEIGHT = 560


def render() -> None:
    screen = open_screen("领导看板", *_ROLES, empty="尚未创建主题日活动。")
    if screen is None:
        return
    repo, actor, campaign = screen.repo, screen.actor, screen.campaign
    with st.columns([1, 3])[0]:
        as_of = as_of_picker(repo, campaign, key=_AS_OF)
    dashboard_downloads(repo, actor, campaign, as_of)

    @st.fragment(run_every=REFRESH_SECONDS)
    def live() -> None:
        if not gate.session_alive():  # logged out, revoked or timed out meanwhile
            st.rerun(scope="app")
        _live(campaign.id, as_of)

    live()


def _live(campaign_id: int, as_of: date) -> None:
    """The part that reloads itself: KPIs, charts and the unit drill-down."""
    identity = gate.require(*_ROLES)  # re-checked on every reload
    repo, actor = identity.repo, identity.actor
    try:
        campaign = repo.catalogue.get_campaign(actor, campaign_id)
    except NotFound:
        st.info("该活动已不存在，请在左侧重新选择活动年度。")
        return
    result = assess(repo, actor, campaign, as_of)
    updated = repo.clock().astimezone(TZ)
    st.caption(
        f"数据更新时间 {updated:%H:%M:%S} · 统计截至{prose_date(as_of)}24时"
        f" · 每{REFRESH_SECONDS}秒自动刷新"
    )
    if result.warning:
        st.warning(result.warning)
    if result.units.empty:
        st.info("尚无参与单位。政务公开办添加单位后，这里会显示各单位的进展。")
        return
    _kpis(result)
    _progress(dashboard.progress_charts(repo, actor, campaign, as_of))
    _units(result, lambda top: dashboard.unit_charts(repo, actor, campaign, as_of, top))
    st.fragment(_unit_part)(campaign_id, as_of)


def _unit_part(campaign_id: int, as_of: date) -> None:
    """单位详情 on its own: picking another unit redraws only this part. It reads the
    result again, from the shared cache, so it is never older than the last write."""
    identity = gate.require(*_ROLES)
    repo, actor = identity.repo, identity.actor
    try:
        campaign = repo.catalogue.get_campaign(actor, campaign_id)
    except NotFound:
        return
    _drill_down(assess(repo, actor, campaign, as_of))


# ------------------------------------------------------------------ KPIs
def _kpis(result: ComplianceResult) -> None:
    values = kpi_values(result)
    labels = list(values)
    for row in (labels[:5], labels[5:]):
        for column, label in zip(st.columns(5), row, strict=False):
            column.metric(label, values[label], help=KPI_HELP[label], border=True)


# ------------------------------------------------------------------ charts
def _progress(charts: dashboard.ProgressCharts) -> None:
    st.subheader("活动进展")
    if charts.by_month is None:
        st.info("截至所选日期暂无审核通过的活动。申报表审核通过后，这里会显示各月活动进展。")
    else:
        left, right = st.columns(2)
        left.altair_chart(charts.by_month, width="stretch")
        right.altair_chart(charts.by_form, width="stretch")
    left, right = st.columns(2)
    left.altair_chart(charts.units_by_kind, width="stretch")
    if charts.by_kind is not None:
        right.altair_chart(charts.by_kind, width="stretch")


def _units(
    result: ComplianceResult, charts_of: Callable[[int | None], dashboard.UnitCharts]
) -> None:
    st.subheader("单位排名与检查情况")
    units = result.units
    top = 0  # every unit
    if len(units) > _TOP_CHOICES[0]:
        choices = [n for n in _TOP_CHOICES if n < len(units)]
        choices += [0] if len(units) <= _ALL_UP_TO else [_ALL_UP_TO]
        top = st.selectbox(
            "显示单位",
            choices,
            index=choices.index(20) if 20 in choices else 0,
            format_func=lambda n: f"前{n}名" if n else f"全部（{len(units)}个）",
            key=_TOP,
            help=None if len(units) <= _ALL_UP_TO else f"单位较多，图表最多显示前{_ALL_UP_TO}名。",
            placeholder="请选择",
        )
    shown = min(top or len(units), len(units))
    charts = charts_of(top or None)
    left, right = st.columns(2)
    with left, _scroll(shown):
        st.altair_chart(charts.ranking, width="stretch")
    with right, _scroll(shown):
        st.altair_chart(charts.heatmap, width="stretch")
    st.caption(
        "得分按考核权重计算（含政务公开办加减分），并列得分名次相同。"
        "检查情况：绿色正常或未到期，黄色逾期报送、即将到期或需关注，红色逾期未报或缺少佐证，"
        "灰色暂不涉及；将鼠标移到格子上可查看明细。"
    )


def _scroll(rows: int):
    """A scrolling box when the unit charts are taller than a screen."""
    return st.container(height=_SCROLL_HEIGHT if rows > 18 else "content", border=False)


# ------------------------------------------------------------------ one unit
_UNIT_GROUPS = {
    "基本情况与申报": ("unit_name", "rule_checks_failed"),
    "活动与报送": ("n_activities", "reports_open"),
    "佐证与得分": ("marking_present", "rank"),
}
_ACTIVITY_SHOWN = (
    "seq",
    "title",
    "form",
    "planned_month",
    "status",
    "activity_date",
    "plan_due",
    "plan_status",
    "plan_light",
    "report_due",
    "report_status",
    "report_light",
    "marking_evidence",
    "published",
    "typical_case",
)


_ROW_PX = 35


def _drill_down(result: ComplianceResult) -> None:
    st.subheader("单位详情")
    units = result.units
    ids = units["unit_id"].astype("int64")
    names = dict(zip(ids, units["unit_name"], strict=True))
    ranks = dict(zip(ids, units["rank"], strict=True))
    unit_id = st.selectbox(
        "查看单位",
        list(names),
        format_func=lambda i: f"第{ranks[i]}名 · {names[i]}",
        key=_UNIT,
        placeholder="请选择",
    )
    if unit_id is None:
        return
    row = units[ids == unit_id]
    acts = result.activities[result.activities["unit_id"] == unit_id]
    st.markdown(f"**{escape_markdown(names[unit_id])}** 的活动")
    if acts.empty:
        st.info("该单位截至所选日期暂无审核通过的活动。")
    else:
        st.dataframe(_activity_table(acts), hide_index=True, width="stretch")
    st.markdown(f"**{escape_markdown(names[unit_id])}** 各项指标")
    columns = list(units.columns)
    for column, (heading, (first, last)) in zip(
        st.columns(len(_UNIT_GROUPS)), _UNIT_GROUPS.items(), strict=True
    ):
        part = row[columns[columns.index(first) : columns.index(last) + 1]]
        table = _record(part)
        column.dataframe(
            table.rename(columns={"项目": heading}),
            hide_index=True,
            width="stretch",
            height=_ROW_PX * (len(table) + 1) + 3,
        )


def _text(value) -> str:
    """A cell for people: dates without a time of day, empty for missing values."""
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, pd.Timestamp):
        return table_date(value) if value == value.normalize() else minute_time(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value) or "—"


def _record(row: pd.DataFrame) -> pd.DataFrame:
    """One unit's row as a two-column table (项目, 内容)."""
    shown = labelled(row).iloc[0]
    return pd.DataFrame({"项目": list(shown.index), "内容": [_text(v) for v in shown]})


def _activity_table(acts: pd.DataFrame):
    frame = acts[list(_ACTIVITY_SHOWN)].copy()
    frame["planned_month"] = frame["planned_month"].astype("int64").astype("str") + "月"
    for kind in ("plan", "report"):
        late = acts[f"{kind}_late_workdays"]
        left = acts[f"{kind}_workdays_left"]
        note = pd.Series("", index=acts.index, dtype="str")
        note = note.mask(late.notna() & (late > 0), "（逾期" + late.astype("str") + "个工作日）")
        note = note.mask(left.notna() & (left > 0), "（剩" + left.astype("str") + "个工作日）")
        note = note.mask(left.notna() & (left == 0), "（今日截止）")
        frame[f"{kind}_status_note"] = note
    table = labelled(frame)
    for kind, column in (("plan", "活动方案"), ("report", "活动总结")):
        table[column] = table[column] + table.pop(f"{kind}_status_note")
    for column in ("活动日期", "方案截止日期", "总结截止日期"):
        table[column] = table[column].map(_text)
    return styled_lights(table, ["方案提醒", "总结提醒"])
