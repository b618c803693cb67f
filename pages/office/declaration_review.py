"""申报审核: the office's queue, the 未申报 list, and review of one 申报表."""

from datetime import date

import pandas as pd
import streamlit as st

from themeday.core.dates import deadline_date, minute_time, prose_date
from themeday.core.domain import DECLARATION_STATUS_LABELS, DeclarationStatus, Role, UnitKind
from themeday.core.records import Campaign, Declaration
from themeday.formats import exports
from themeday.formats.imports import XLSX_FILE
from themeday.formats.uploads import SCAN_FILE
from themeday.services import declarations
from themeday.services.file_audit import DownloadAudit
from themeday.ui.declaration_widgets import declaration_download
from themeday.ui.gate import Identity
from themeday.ui.inputs import file_picker
from themeday.ui.screen import open_screen
from themeday.ui.widgets import (
    XLSX_MIME,
    attachment_download,
    confirmed,
    declaration_status_label,
    deferred_download,
    download_name,
    edit_version,
    escape_markdown,
    forget_edit_version,
    history_table,
    month_options,
    run_action,
    stale_notice,
    themes_frame,
    units_frame,
)

_QUEUE_STATUSES = [s for s in DeclarationStatus if s != DeclarationStatus.DRAFT]


def render() -> None:
    screen = open_screen(
        "申报审核", Role.OFFICE, empty="尚未创建主题日活动，请先在“活动管理”中创建。"
    )
    if screen is None:
        return
    repo, actor, campaign = screen.repo, screen.actor, screen.campaign
    submitted = [
        d for d in repo.declarations.list_declarations(actor, campaign.id) if d.status != "draft"
    ]
    missing = repo.declarations.units_not_submitted(actor, campaign.id)

    counts = st.columns(len(_QUEUE_STATUSES) + 1)
    for column, status in zip(counts, _QUEUE_STATUSES, strict=False):
        column.metric(status.label, sum(d.status == status for d in submitted))
    counts[-1].metric("未申报", len(missing))

    # Keyed: the tab a clerk acted in stays open after the action's rerun.
    queue_tab, missing_tab, import_tab = st.tabs(
        ["审核队列", "未申报单位", "导入单位申报表"],
        key="declaration_review.tab",
        on_change="rerun",
    )
    with queue_tab:
        _queue(screen.identity, campaign, submitted)
    with missing_tab:
        _missing(screen.identity, campaign, missing, as_of=repo.today())
    with import_tab:
        _import(screen.identity, campaign)


def _queue(identity: Identity, campaign: Campaign, submitted: list[Declaration]) -> None:
    shown = _queue_filters(submitted)
    if not shown:
        st.info("没有符合条件的申报表。")
        return
    _queue_table(shown)
    by_id = {d.id: d for d in shown}
    chosen = st.selectbox(
        "打开申报表",
        list(by_id),
        format_func=lambda i: by_id[i].unit_name,
        placeholder="请选择",
    )
    _detail(identity, campaign, identity.repo.declarations.get_declaration(identity.actor, chosen))


def _queue_filters(submitted: list[Declaration]) -> list[Declaration]:
    """申报状态, 单位类别 and 只看逾期提交: the declarations they keep."""
    left, middle, right = st.columns(3)
    statuses = left.multiselect(
        "申报状态",
        [s.value for s in _QUEUE_STATUSES],
        default=[DeclarationStatus.SUBMITTED.value],
        format_func=lambda s: DECLARATION_STATUS_LABELS[DeclarationStatus(s)],
        placeholder="全部",
    )
    kinds = middle.multiselect("单位类别", [k.value for k in UnitKind], placeholder="全部")
    late_only = right.checkbox("只看逾期提交")
    return [
        d
        for d in submitted
        if (not statuses or d.status in statuses)
        and (not kinds or d.unit_kind in kinds)
        and (not late_only or d.late_workdays)
    ]


def _queue_table(shown: list[Declaration]) -> None:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "单位": d.unit_name,
                    "类别": d.unit_kind,
                    "状态": declaration_status_label(d.status),
                    "提交时间": minute_time(d.submitted_at),
                    "逾期": f"{d.late_workdays}个工作日" if d.late_workdays else "",
                    "联系人": d.contact_person,
                    "联系电话": d.contact_phone,
                }
                for d in shown
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def _detail(identity: Identity, campaign: Campaign, declaration: Declaration) -> None:
    repo, actor = identity.repo, identity.actor
    st.subheader(
        escape_markdown(f"{declaration.unit_name} · {declaration_status_label(declaration.status)}")
    )
    st.text(f"联系人：{declaration.contact_person}　联系电话：{declaration.contact_phone}")
    if declaration.late_workdays:
        st.warning(f"逾期{declaration.late_workdays}个工作日提交。")
    themes = repo.declarations.list_themes(actor, declaration.id)
    st.dataframe(themes_frame(themes), hide_index=True, width="stretch")
    problems = declarations.problems_of(repo, actor, campaign, declaration)
    if problems:
        st.error("规则检查未通过：\n" + "\n".join(f"- {p}" for p in problems))
    else:
        st.success("规则检查通过。")
    if declaration.scan_attachment_id:
        attachment_download(repo, actor, declaration.scan_attachment_id, "查看盖章扫描件", campaign)
    elif campaign.rules.scan_required:
        st.warning("未上传盖章扫描件。")

    unit = repo.catalogue.get_unit(actor, declaration.unit_id)
    declaration_download(repo, actor, campaign, unit, declaration, "下载该单位申报表（Excel）")
    if declaration.status == DeclarationStatus.SUBMITTED:
        _review_actions(identity, campaign, declaration, problems)
    elif declaration.status == DeclarationStatus.APPROVED:
        _amend(identity, campaign, themes)
    history = repo.declarations.declaration_history(actor, declaration.id)
    if history:
        st.markdown("**申报记录**")
        st.dataframe(history_table(history), hide_index=True, width="stretch")


def _review_actions(
    identity: Identity, campaign: Campaign, declaration: Declaration, problems: list[str]
) -> None:
    repo, actor = identity.repo, identity.actor
    approve_col, return_col = st.columns(2)
    if approve_col.button("审核通过", type="primary", key=f"approve_{declaration.id}"):
        if run_action(
            lambda: declarations.review(
                repo, actor, campaign, declaration.id, declaration.version, approve=True
            ),
            f"{declaration.unit_name}的申报表已审核通过。",
        ):
            st.rerun()
    with return_col.form(f"return_{declaration.id}_{declaration.version}"):
        reason = st.text_area("退回原因（必填，单位可见）", max_chars=500)
        if st.form_submit_button("退回修改"):
            if run_action(
                lambda: declarations.review(
                    repo,
                    actor,
                    campaign,
                    declaration.id,
                    declaration.version,
                    approve=False,
                    reason=reason,
                ),
                f"已退回{declaration.unit_name}的申报表。",
            ):
                st.rerun()
    if problems:
        _approve_anyway(identity, campaign, declaration, problems)


def _approve_anyway(
    identity: Identity, campaign: Campaign, declaration: Declaration, problems: list[str]
) -> None:
    """仍要通过: approving a 申报表 that breaks the rules, with a reason, after asking."""
    st.markdown("**仍要通过**")
    st.caption(
        f"规则检查有{len(problems)}项未通过，“审核通过”不可直接使用。"
        "确需通过的（如扫描件已通过其他渠道报送），请填写理由后使用“仍要通过”，"
        "理由将记入申报记录和审计日志。"
    )
    override = st.text_area(
        "仍要通过的理由（必填，记入申报记录和审计日志）",
        max_chars=declarations.OVERRIDE_MAX,
        key=f"override_reason_{declaration.id}",
    )
    if confirmed(
        "仍要通过",
        f"override_{declaration.id}",
        f"{declaration.unit_name}的申报表有{len(problems)}项规则检查未通过，确认仍要审核通过吗？",
    ):
        if run_action(
            lambda: declarations.review(
                identity.repo,
                identity.actor,
                campaign,
                declaration.id,
                declaration.version,
                approve=True,
                override_reason=override,
            ),
            f"{declaration.unit_name}的申报表已审核通过（仍要通过，理由已记录）。",
        ):
            st.rerun()


def _amend(identity: Identity, campaign: Campaign, themes: list) -> None:
    with st.expander("调整已通过主题的月份或形式"):
        by_id = {t.id: t for t in themes}
        theme_id = st.selectbox(
            "主题",
            list(by_id),
            format_func=lambda i: by_id[i].title,
            key="amend_theme",
            placeholder="请选择",
        )
        _amend_form(identity, campaign, by_id[theme_id])


def _amend_form(identity: Identity, campaign: Campaign, theme) -> None:
    """计划月份, 活动形式 and 调整原因 of one approved theme, saved with its version."""
    months = month_options(campaign)
    forms = list(campaign.rules.allowed_forms)
    filled_from = edit_version("amend", theme.id, theme.version)
    stale_notice("amend", theme.id, theme.version, "该主题")
    with st.form(f"amend_{theme.id}_{filled_from}"):
        month = st.selectbox(
            "计划月份",
            months,
            index=months.index(theme.planned_month) if theme.planned_month in months else 0,
            format_func=lambda m: f"{m}月",
            placeholder="请选择",
        )
        form = st.selectbox(
            "活动形式",
            forms,
            index=forms.index(theme.form) if theme.form in forms else 0,
            placeholder="请选择",
        )
        reason = st.text_input("调整原因（必填，记入审计日志）")
        if st.form_submit_button("保存调整"):
            if run_action(
                lambda: declarations.amend_theme(
                    identity.repo,
                    identity.actor,
                    campaign,
                    theme.id,
                    planned_month=month,
                    form=form,
                    reason=reason,
                    expected_version=filled_from,
                ),
                "主题已调整。",
            ):
                forget_edit_version("amend", theme.id)
                st.rerun()


def _missing(identity: Identity, campaign: Campaign, missing: list, as_of: date) -> None:
    if not missing:
        st.success("所有单位均已提交申报表。")
        return
    deadline = campaign.rules.declaration_deadline
    st.caption(f"申报截止：{deadline_date(deadline)}。以下单位尚未提交（含只保存了草稿的单位）。")
    st.dataframe(units_frame(missing), hide_index=True, width="stretch")
    deferred_download(
        "导出催报名单（Excel）",
        lambda reader: exports.chase_list_xlsx(
            campaign, missing, as_of, declarations.calendar(reader, identity.actor)
        ),
        file_name=download_name(f"{campaign.year}年", "未申报单位催报名单.xlsx"),
        mime=XLSX_MIME,
        key=f"chase_list_{campaign.id}",
        repo=identity.repo,
        actor=identity.actor,
        audit=DownloadAudit(
            "未申报单位催报名单（Excel）", campaign, f"截至{prose_date(as_of)}未提交", len(missing)
        ),
    )


def _import(identity: Identity, campaign: Campaign) -> None:
    st.caption(
        "单位通过邮件报送的 Excel 申报表（使用系统导出的格式）可在此导入，"
        "导入后即为该单位已提交的申报表；文件有误时不做任何修改。"
    )
    upload = file_picker("选择申报表文件", XLSX_FILE, key="office_declaration_import")
    required = "本次活动要求上传" if campaign.rules.scan_required else "可选"
    scan = file_picker(
        "该单位的盖章扫描件",
        SCAN_FILE,
        key="office_declaration_import_scan",
        note=required,
        help="邮件中随申报表发来的加盖公章的扫描件，与申报表一并导入。",
    )
    if upload is not None and st.button("导入", key="office_declaration_import_go"):
        attached = f"，并附盖章扫描件“{scan.name}”" if scan is not None else ""
        if run_action(
            lambda: declarations.import_file(
                identity.repo,
                identity.actor,
                campaign,
                upload.getvalue(),
                scan=None if scan is None else scan.getvalue(),
                scan_name="" if scan is None else scan.name,
                file_name=upload.name,
            ),
            f"已导入“{upload.name}”{attached}。",
        ):
            st.rerun()
