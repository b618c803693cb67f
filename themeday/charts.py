"""Altair chart builders: plain data in, chart out (no Streamlit)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from themeday.domain import ACTIVITY_STATUS_LABELS, DECLARATION_STATUS_LABELS


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
