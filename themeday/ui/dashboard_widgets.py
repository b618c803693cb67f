"""领导看板 downloads: the dashboard's figures and the 活动计划, each audited on click."""

from __future__ import annotations

from datetime import date

import streamlit as st

from themeday.core.domain import Actor
from themeday.core.records import Campaign
from themeday.formats import exports
from themeday.formats.dashboard_papers import dashboard_docx, dashboard_xlsx
from themeday.repository import Repository
from themeday.services.assessment import assess
from themeday.services.file_audit import DownloadAudit
from themeday.ui.widgets import DOCX_MIME, XLSX_MIME, deferred_download, download_name


def dashboard_downloads(repo: Repository, actor: Actor, campaign: Campaign, as_of: date) -> None:
    """下载: 看板数据 (Excel), 一页汇报材料 (Word) and the 活动计划安排表 (Excel, Word).

    Nothing is built until a button is clicked; each build reads through the click's own
    repository (:func:`themeday.ui.widgets.deferred_download`) and is audited.
    """
    buttons = _buttons(actor, campaign, as_of)
    with st.expander("下载看板数据与活动计划", icon=":material/download:"):
        st.caption("看板数据和汇报材料按所选“统计截至”日期生成；活动计划为审核通过的全部主题。")
        for column, (label, build, name, mime, key, shown) in zip(
            st.columns(len(buttons)), buttons, strict=True
        ):
            with column:
                deferred_download(
                    label,
                    build,
                    file_name=name,
                    mime=mime,
                    key=f"{key}_{campaign.id}",
                    repo=repo,
                    actor=actor,
                    audit=DownloadAudit(_AUDITS[key], campaign, shown),
                )


_AUDITS = {
    "dashboard_xlsx": "领导看板数据（Excel）",
    "dashboard_docx": "领导看板汇报材料（Word）",
    "plan_xlsx": "全年活动计划安排表（Excel）",
    "plan_docx": "全年活动计划安排表（Word）",
}
"""Each download's name in its audit row."""


def _buttons(actor: Actor, campaign: Campaign, as_of: date) -> tuple[tuple, ...]:
    """(label, build, file name, type, key, filters) of each download, in button order."""
    filters = f"统计截至{as_of:%Y-%m-%d}"
    stamp = f"截至{as_of:%Y%m%d}"
    base = (f"{campaign.year}年", campaign.region)

    def figures_xlsx(reader: Repository) -> bytes:
        return dashboard_xlsx(assess(reader, actor, campaign, as_of), campaign)

    def summary_docx(reader: Repository) -> bytes:
        return dashboard_docx(assess(reader, actor, campaign, as_of), campaign)

    def plan_xlsx(reader: Repository) -> tuple[bytes, int]:
        plan = reader.declarations.list_plan(actor, campaign.id)
        return exports.annual_plan_xlsx(campaign, plan), len(plan)

    def plan_docx(reader: Repository) -> tuple[bytes, int]:
        plan = reader.declarations.list_plan(actor, campaign.id)
        return exports.annual_plan_docx(campaign, plan), len(plan)

    plan_name = download_name(*base, "政务公开主题日活动计划安排表")
    buttons = (
        (
            "看板数据（Excel）",
            figures_xlsx,
            download_name(*base, "看板数据", f"{stamp}.xlsx"),
            XLSX_MIME,
            "dashboard_xlsx",
            filters,
        ),
        (
            "汇报材料（Word，一页）",
            summary_docx,
            download_name(*base, "进展情况汇报", f"{stamp}.docx"),
            DOCX_MIME,
            "dashboard_docx",
            filters,
        ),
        ("活动计划安排表（Excel）", plan_xlsx, f"{plan_name}.xlsx", XLSX_MIME, "plan_xlsx", ""),
        ("活动计划安排表（Word）", plan_docx, f"{plan_name}.docx", DOCX_MIME, "plan_docx", ""),
    )
    return buttons
