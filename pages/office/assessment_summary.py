"""考核汇总: each unit's score and rank, 加减分, 得分权重 and the exports (office)."""

import pandas as pd
import streamlit as st

from themeday.core.dates import prose_date
from themeday.ui.compliance_widgets import (
    activities_table,
    adjustment_form,
    adjustments_table,
    compliance_exports,
    open_compliance_screen,
    units_table,
    weights_form,
)


def render() -> None:
    opened = open_compliance_screen("考核汇总", "assessment_as_of")
    if opened is None:
        return
    repo, actor, campaign = opened.screen.repo, opened.screen.actor, opened.screen.campaign
    as_of, result = opened.as_of, opened.result

    _metrics(result.units)
    with st.container(border=True):
        compliance_exports(repo, actor, result, campaign)

    # Tracked, so the tab in use stays open after a form in it is saved.
    ranking, adjustments, weights = st.tabs(
        ["得分排名", "加减分", "得分权重"], key="assessment_tab", on_change="rerun"
    )
    with ranking:
        st.caption(
            f"按{prose_date(as_of)}24时为止的记录计算，得分相同的单位名次相同；点击表头可排序。"
        )
        units_table(result)
        with st.expander("活动明细"):
            activities_table(result)
    with adjustments:
        st.caption(
            "加减分须注明原因，记入操作日志，自录入之时起计入得分。"
            "记录不可删除；如需更正，请再录入一条相反的加减分并注明原因。"
        )
        adjustment_form(repo, actor, campaign, result)
        st.markdown("**加减分记录**")
        adjustments_table(result)
    with weights:
        weights_form(repo, actor, campaign, result.weights)


def _metrics(units: pd.DataFrame) -> None:
    """参评单位, 已申报单位, 平均得分 and 逾期事项."""
    declared = int(units["declaration_status"].isin(["on_time", "late"]).sum())
    columns = st.columns(4)
    columns[0].metric("参评单位", len(units))
    columns[1].metric("已申报单位", declared)
    columns[2].metric("平均得分", f"{units['score'].mean():.2f}" if len(units) else "—")
    columns[3].metric("逾期事项", int(units["red_items"].sum()))
