"""The parts of 活动计划: its filters, its charts and the 计划安排表 downloads."""

from collections import Counter

import streamlit as st

from themeday.core.domain import Actor
from themeday.core.records import Activity, Campaign
from themeday.formats import exports
from themeday.formats.charts import activities_by_form_chart, activities_by_month_chart
from themeday.repository import Repository
from themeday.services.file_audit import DownloadAudit
from themeday.ui.widgets import DOCX_MIME, XLSX_MIME, deferred_download, download_name


def plan_filters(plan: list[Activity]) -> tuple[list[Activity], str]:
    """单位, 单位类别 and 活动形式 pickers: the themes they keep, and the filters in words
    (for the download's audit row; empty when nothing is picked)."""
    left, middle, right = st.columns(3)
    units = left.multiselect("单位", sorted({a.unit_name for a in plan}), placeholder="全部")
    kinds = middle.multiselect("单位类别", sorted({a.unit_kind for a in plan}), placeholder="全部")
    forms = right.multiselect("活动形式", sorted({a.form for a in plan}), placeholder="全部")
    shown = [
        a
        for a in plan
        if (not units or a.unit_name in units)
        and (not kinds or a.unit_kind in kinds)
        and (not forms or a.form in forms)
    ]
    filters = "；".join(
        f"{label}：{'、'.join(chosen)}"
        for label, chosen in (("单位", units), ("单位类别", kinds), ("活动形式", forms))
        if chosen
    )
    return shown, filters


def plan_charts(shown: list[Activity], months: list[int]) -> None:
    """统计: the themes per planned month and per activity form."""
    per_month = Counter(a.planned_month for a in shown)
    by_month = [(m, per_month[m]) for m in months]
    st.altair_chart(activities_by_month_chart(by_month, range(months[0], months[-1] + 1)))
    st.altair_chart(activities_by_form_chart([a.form for a in shown]))


def plan_downloads(
    repo: Repository, actor: Actor, campaign: Campaign, shown: list[Activity], filters: str
) -> None:
    """导出计划安排表 as Excel and as Word (the themes shown, every one of them)."""
    name = download_name(f"{campaign.year}年", campaign.region, "政务公开主题日活动计划安排表")
    papers = (
        ("Excel", "xlsx", XLSX_MIME, exports.annual_plan_xlsx),
        ("Word", "docx", DOCX_MIME, exports.annual_plan_docx),
    )
    for column, (kind, suffix, mime, build) in zip(st.columns(2), papers, strict=True):
        with column:
            deferred_download(
                f"导出计划安排表（{kind}）",
                lambda _, build=build: build(campaign, shown),
                file_name=f"{name}.{suffix}",
                mime=mime,
                key=f"annual_plan_{suffix}_{campaign.id}",
                repo=repo,
                actor=actor,
                audit=DownloadAudit(f"全年活动计划安排表（{kind}）", campaign, filters, len(shown)),
            )
