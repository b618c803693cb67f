"""活动计划: the 全年“政务公开主题日”活动计划安排表, month by month, for every role."""

import pandas as pd
import streamlit as st

from themeday.core.domain import Role
from themeday.core.records import Activity
from themeday.formats import exports
from themeday.services import activities
from themeday.ui.activity_widgets import LIST_CAP
from themeday.ui.plan_widgets import plan_charts, plan_downloads, plan_filters
from themeday.ui.screen import open_screen
from themeday.ui.widgets import (
    escape_markdown,
    month_options,
)

_PER_ROW = 4
MONTH_CARDS = 30
"""At most this many themes are drawn in a month of 按月安排 (a province plans thousands)."""


def render() -> None:
    screen = open_screen(
        "全年活动计划", Role.UNIT, Role.OFFICE, Role.LEADER, empty="尚未创建主题日活动。"
    )
    if screen is None:
        return
    repo, actor, campaign = screen.repo, screen.actor, screen.campaign
    # The title holds the campaign's name as the office typed it.
    st.caption(f"{escape_markdown(exports.annual_plan_title(campaign))} · 审核通过的主题")
    plan = activities.plan(repo, actor, campaign.id)
    if not plan:
        st.info("暂无审核通过的活动主题。申报表审核通过后，主题会按计划月份列入全年计划。")
        return

    shown, filters = plan_filters(plan)
    st.caption(f"共 {len(shown)} 个主题")

    grid_tab, table_tab, chart_tab = st.tabs(["按月安排", "计划表", "统计"])
    months = month_options(campaign)
    with grid_tab:
        _month_grid(shown, months)
    with table_tab:
        _plan_table(shown)
    with chart_tab:
        plan_charts(shown, months)
    plan_downloads(repo, actor, campaign, shown, filters)


def _month_grid(plan: list[Activity], months: list[int]) -> None:
    grouped = activities.by_month(plan, months)
    for start in range(0, len(months), _PER_ROW):
        columns = st.columns(_PER_ROW)
        for column, month in zip(columns, months[start : start + _PER_ROW], strict=False):
            with column.container(border=True):
                themes = grouped[month]
                st.markdown(f"**{month}月**　{len(themes)}个主题")
                for theme in themes[:MONTH_CARDS]:
                    # st.text: user text is shown as plain text, never as markdown or HTML.
                    st.text(f"{theme.unit_name}\n{theme.title}（{theme.form}）")
                if len(themes) > MONTH_CARDS:
                    st.caption(f"另有{len(themes) - MONTH_CARDS}项，请在计划表中查看")


def _plan_table(plan: list[Activity], limit: int = LIST_CAP) -> None:
    """计划表: the first ``limit`` themes (a province plans tens of thousands; the
    exports hold all of them)."""
    if len(plan) > limit:
        st.caption(
            f"共{len(plan)}项，仅显示前{limit}项，请用筛选缩小范围；导出计划安排表可得全部。"
        )
    st.dataframe(_table(plan[:limit]), hide_index=True, width="stretch")


def _table(plan: list[Activity]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "序号": number,
                "计划月份": f"{a.planned_month}月",
                "单位": a.unit_name,
                "单位类别": a.unit_kind,
                "活动主题": a.title,
                "活动形式": a.form,
                "活动简介": a.summary,
            }
            for number, a in enumerate(plan, start=1)
        ]
    )
