"""主题申报: the unit fills, saves, checks and submits its 申报表."""

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from themeday.core.dates import deadline_date
from themeday.core.declaration_rules import ThemeRow, row_contact_default
from themeday.core.domain import Role, ValidationError
from themeday.core.records import Campaign, Declaration
from themeday.formats.imports import XLSX_FILE
from themeday.formats.uploads import SCAN_FILE
from themeday.services import declarations
from themeday.ui.declaration_widgets import (
    FormRows,
    declaration_download,
    editor_config,
    forget_rows,
    form_rows,
    keep_rows,
    theme_columns,
    themes_table,
    typed_rows,
)
from themeday.ui.gate import Identity
from themeday.ui.inputs import file_picker
from themeday.ui.screen import open_screen
from themeday.ui.widgets import (
    attachment_download,
    declaration_status_label,
    edit_version,
    escape_markdown,
    forget_edit_version,
    history_table,
    month_options,
    rules_summary,
    run_action,
    stale_notice,
)

_PROBLEMS = "themeday.declaration_problems"


def render() -> None:
    screen = open_screen("主题申报", Role.UNIT, empty="政务公开办尚未发布活动，暂不能申报。")
    if screen is None:
        return
    repo, actor, campaign = screen.repo, screen.actor, screen.campaign
    with st.expander("本次活动申报要求", expanded=False):
        st.markdown("\n".join(f"- {line}" for line in rules_summary(campaign)))

    declaration = repo.declarations.declaration_for(actor, campaign.id, actor.unit_id)
    _status(declaration)
    if declaration is None or declaration.editable_by_unit:
        _deadline_notice(screen.identity, campaign)
        _editor(screen.identity, campaign, declaration)
        if declaration is not None:
            _scan(screen.identity, campaign, declaration)
    else:
        _read_only(screen.identity, campaign, declaration)
    if declaration is not None:
        _downloads(screen.identity, campaign, declaration)
        history = repo.declarations.declaration_history(actor, declaration.id)
        if history:
            with st.expander("申报记录（各版本与审核意见）"):
                st.dataframe(history_table(history), hide_index=True, width="stretch")
    _import(screen.identity, campaign, declaration)


def _status(declaration: Declaration | None) -> None:
    if declaration is None:
        st.info("本单位尚未填写申报表。请在下方填写活动主题，可随时保存草稿，检查无误后提交。")
        return
    text = f"申报状态：{declaration_status_label(declaration.status)}"
    if declaration.late_workdays:
        text += f"（逾期{declaration.late_workdays}个工作日提交）"
    if declaration.status == "returned":
        st.warning(
            escape_markdown(f"{text}　退回原因：{declaration.return_reason}　请修改后重新提交。")
        )
    elif declaration.status == "approved":
        st.success(text)
    else:
        st.info(text)


def _deadline_notice(identity: Identity, campaign: Campaign) -> None:
    deadline = campaign.rules.declaration_deadline
    if identity.repo.today() > deadline:
        late = declarations.late_if_submitted_now(identity.repo, identity.actor, campaign)
        st.warning(
            f"申报截止日期{deadline_date(deadline)}已过。仍可逾期提交，"
            f"现在提交将记为逾期{late}个工作日（按法定工作日计）。"
        )


def _stored_rows(identity: Identity, declaration: Declaration | None) -> list[ThemeRow]:
    if declaration is None:
        return []
    return declarations.rows_of(
        identity.repo.declarations.list_themes(identity.actor, declaration.id)
    )


def _problem_list(heading: str, problems: list[str]) -> str:
    return heading + "\n" + "\n".join(f"- {escape_markdown(p)}" for p in problems)


def _editor(identity: Identity, campaign: Campaign, declaration: Declaration | None) -> None:
    repo, actor = identity.repo, identity.actor
    unit = repo.catalogue.get_unit(actor, actor.unit_id)
    current = declaration.version if declaration else 0
    # The version the form was filled from: a save after someone else's is refused.
    version = edit_version("declaration", campaign.id, current)
    stale_notice("declaration", campaign.id, current, "本单位申报表")
    opened = (
        (declaration.contact_person, declaration.contact_phone)
        if declaration
        else (unit.contact_person, unit.contact_phone)
    )
    # What is typed lives in a working copy until it is saved (see declaration_widgets).
    draft = form_rows(
        campaign.id,
        version,
        lambda: _stored_rows(identity, declaration),
        row_contact_default(*opened),
    )
    typed_in = _editor_form(campaign, version, opened, draft)
    person, phone, edited = typed_in.person, typed_in.phone, typed_in.edited
    # A row's 联系人及电话 that only repeats the fields above follows them.
    typed = row_contact_default(person, phone)
    contacts = (draft.contact, row_contact_default(*opened), typed)
    if typed_in.added or typed_in.deleted:
        chosen = typed_in.chosen if typed_in.deleted else None
        _change_rows(campaign, version, edited, contacts, chosen)
        return
    refused = st.session_state.pop(_PROBLEMS, None)
    if refused:
        st.error(_problem_list(*refused))
    if typed_in.saved or typed_in.submitted:
        rows = typed_rows(edited, contacts)
        keep_rows(campaign.id, version, rows, typed)  # a refused save keeps every typed row
        _save(identity, campaign, version, person, phone, rows, submit_too=typed_in.submitted)
    elif declaration is not None and not refused:
        problems = declarations.problems_of(repo, actor, campaign, declaration)
        if problems:
            st.warning(_problem_list("提交前还需处理：", problems))


_ROWS_HINT = (
    "每行一个活动主题：按“添加一行”增加主题，选出行号后按“删除所选行”删除；"
    "修改“序号”可调整顺序，保存时按序号排列。"
)
_ROW_CONTACT_HINT = "“联系人及电话”留空的行，保存时填入上方的联系人和联系电话。"


@dataclass(frozen=True)
class _Typed:
    """What the declaration form holds after this run, and which button was pressed."""

    person: str
    phone: str
    edited: pd.DataFrame
    chosen: list[int]
    added: bool
    deleted: bool
    saved: bool
    submitted: bool


def _editor_form(
    campaign: Campaign, version: int, opened: tuple[str, str], draft: FormRows
) -> _Typed:
    """The contact fields, the themes' table and the form's buttons."""
    rules = campaign.rules
    generation = f"{campaign.id}_{version}_{draft.generation}"
    # The remembered version in the key keeps unsaved edits until the user reloads.
    with st.form(f"declaration_{campaign.id}_{version}"):
        left, right = st.columns(2)
        person = left.text_input("联系人", opened[0], key=f"person_{campaign.id}_{version}")
        phone = right.text_input("联系电话", opened[1], key=f"phone_{campaign.id}_{version}")
        st.caption(_ROWS_HINT + (_ROW_CONTACT_HINT if rules.row_has_contact else ""))
        edited = st.data_editor(
            draft.frame(theme_columns(rules)),
            column_config=editor_config(campaign, month_options(campaign), draft.contact),
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            key=f"themes_{generation}",
        )
        add, pick, delete = st.columns([1, 3, 1], vertical_alignment="bottom")
        added = add.form_submit_button("添加一行")
        chosen = pick.multiselect(
            "选择要删除的行",
            list(range(len(draft.records))),
            format_func=draft.label,
            placeholder="选择行号",
            key=f"delete_rows_{generation}",
        )
        deleted = delete.form_submit_button("删除所选行")
        save, submit = st.columns(2)
        saved = save.form_submit_button("保存草稿")
        submitted = submit.form_submit_button("检查并提交", type="primary")
    return _Typed(person, phone, edited, chosen, added, deleted, saved, submitted)


def _change_rows(
    campaign: Campaign,
    version: int,
    edited: pd.DataFrame,
    contacts: tuple[str, str, str],
    delete: list[int] | None,
) -> None:
    """添加一行 (``delete`` None) or 删除所选行: the working copy takes what was typed."""
    if delete is not None and not delete:
        st.warning("请先在“选择要删除的行”中选出要删除的行。")
        return
    typed = contacts[-1]
    rows = typed_rows(edited, contacts, drop=delete or (), keep_blank=True)
    if delete is None:
        rows.append(ThemeRow("", None, "", "", typed if campaign.rules.row_has_contact else ""))
    keep_rows(campaign.id, version, rows, typed)
    st.rerun()


def _save(
    identity: Identity,
    campaign: Campaign,
    version: int,
    person: str,
    phone: str,
    rows: list[ThemeRow],
    submit_too: bool,
) -> None:
    """保存草稿, and with ``submit_too`` 检查并提交, each through its service door."""
    repo, actor = identity.repo, identity.actor
    try:
        declaration_id = declarations.save_draft(
            repo, actor, campaign, version, contact_person=person, contact_phone=phone, rows=rows
        )
    except ValidationError as exc:
        heading = "未能提交（草稿也未保存），请先处理：" if submit_too else "草稿未保存，请先处理："
        st.session_state[_PROBLEMS] = (heading, exc.messages)
        st.rerun()
    except Exception as exc:  # StaleRecord, PermissionDenied: show and keep the input
        st.error(str(exc))
        return
    forget_edit_version("declaration", campaign.id)  # the next run edits the saved draft
    forget_rows(campaign.id)
    if not submit_too:
        stored = repo.declarations.get_declaration(actor, declaration_id)
        problems = declarations.problems_of(repo, actor, campaign, stored)
        note = "草稿已保存。" + ("检查通过，可以提交。" if not problems else "")
        st.session_state["themeday.flash"] = note
        st.rerun()
    try:
        declarations.submit(repo, actor, campaign, declaration_id)
    except ValidationError as exc:
        # The draft is saved with a new version: rerun so the editor holds it (edits
        # made on the old version would be refused as stale), and show why not.
        st.session_state[_PROBLEMS] = ("草稿已保存，但还不能提交：", exc.messages)
    else:
        st.session_state["themeday.flash"] = "申报表已提交，等待政务公开办审核。"
    st.rerun()


def _scan(identity: Identity, campaign: Campaign, declaration: Declaration) -> None:
    repo, actor = identity.repo, identity.actor
    st.subheader("盖章扫描件")
    required = "（本次活动要求上传）" if campaign.rules.scan_required else "（可选）"
    st.caption(f"请上传加盖公章的申报表扫描件{required}：{SCAN_FILE.hint()}。")
    if declaration.scan_attachment_id:
        attachment_download(
            identity.repo,
            identity.actor,
            declaration.scan_attachment_id,
            "已上传的扫描件",
            campaign,
        )
    upload = file_picker("选择扫描件", SCAN_FILE, key=f"scan_{declaration.id}")
    if upload is not None and st.button("上传扫描件", key=f"scan_go_{declaration.id}"):
        if run_action(
            lambda: declarations.upload_scan(
                repo, actor, declaration.id, upload.getvalue(), upload.name
            ),
            f"扫描件“{upload.name}”已上传。",
        ):
            forget_edit_version("declaration", campaign.id)
            st.rerun()


def _read_only(identity: Identity, campaign: Campaign, declaration: Declaration) -> None:
    st.text(f"联系人：{declaration.contact_person}　联系电话：{declaration.contact_phone}")
    themes = identity.repo.declarations.list_themes(identity.actor, declaration.id)
    st.dataframe(themes_table(themes, campaign.rules), hide_index=True, width="stretch")
    if declaration.status == "submitted":
        st.caption("申报表已提交，审核前不能修改；如需修改请联系政务公开办退回。")
    if declaration.scan_attachment_id:
        attachment_download(
            identity.repo, identity.actor, declaration.scan_attachment_id, "盖章扫描件", campaign
        )


def _downloads(identity: Identity, campaign: Campaign, declaration: Declaration) -> None:
    repo, actor = identity.repo, identity.actor
    unit = repo.catalogue.get_unit(actor, declaration.unit_id)
    declaration_download(
        repo, actor, campaign, unit, declaration, "下载申报表（Excel，可打印盖章）"
    )


def _import(identity: Identity, campaign: Campaign, declaration: Declaration | None) -> None:
    if declaration is not None and not declaration.editable_by_unit:
        return
    with st.expander("从 Excel 导入已填好的申报表"):
        st.caption("使用本页下载的申报表格式填写后上传，导入后即视为提交。")
        upload = file_picker("选择申报表文件", XLSX_FILE, key="declaration_import")
        scan = None
        if declaration is None or declaration.scan_attachment_id is None:
            required = "本次活动要求上传" if campaign.rules.scan_required else "可选"
            scan = file_picker(
                "盖章扫描件",
                SCAN_FILE,
                key="declaration_import_scan",
                note=required,
                help="导入即提交，须同时附上加盖公章的申报表扫描件。",
            )
        if upload is not None and st.button("导入并提交", key="declaration_import_go"):
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
                "申报表已导入并提交。",
            ):
                forget_edit_version("declaration", campaign.id)
                st.rerun()
