"""Small Streamlit pieces used by several pages."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from themeday.core.audit_text import person
from themeday.core.dates import deadline_date, minute_time, table_date
from themeday.core.domain import (
    ActivityStatus,
    Actor,
    DeclarationStatus,
    NotFound,
    PermissionDenied,
    StaleRecord,
    ValidationError,
)
from themeday.core.records import Activity, Campaign, DeclarationEvent
from themeday.formats.uploads import mime_for
from themeday.repository import Repository
from themeday.services.auth import AuthService
from themeday.services.file_audit import Built, DownloadAudit, deliver, record_upload_refused

_log = logging.getLogger(__name__)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_FLASH = "themeday.flash"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()!#<>~|:$+\-.{}])")
_EDIT_VERSIONS = "themeday.edit_versions"


def escape_markdown(text: object) -> str:
    """Text as it was typed, for the Streamlit calls that render Markdown (st.markdown,
    st.write, st.caption, headers, alerts, labels): no link, image, colour or emoji
    directive in a user's text takes effect."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def show_flash() -> None:
    """Show the success message of the action that caused this rerun."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(escape_markdown(message))


def edit_version(kind: str, record_id: int, current: int) -> int:
    """The version of a record the user's open form was filled from.

    Reruns read the record afresh, so the version is remembered for the session: a
    save sends it as ``expected_version`` and, when someone else saved in between, is
    refused as stale while the form keeps what the user typed (DESIGN: two people
    saving the same record). Call :func:`forget_edit_version` after the user's own save.
    """
    seen = st.session_state.setdefault(_EDIT_VERSIONS, {})
    return seen.setdefault((kind, record_id), current)


def forget_edit_version(kind: str, record_id: int) -> None:
    """Let the next run fill the form from the saved record (after a successful save)."""
    st.session_state.get(_EDIT_VERSIONS, {}).pop((kind, record_id), None)


def stale_notice(kind: str, record_id: int, current: int, what: str) -> None:
    """Warn when the record changed since the form was filled, and offer to reload."""
    if edit_version(kind, record_id, current) == current:
        return
    st.warning(
        f"{what}已被他人修改。下方表单仍是您打开时的内容，提交将被拒绝；请载入最新内容后重新填写。"
    )
    if st.button("载入最新内容", key=f"reload_{kind}_{record_id}"):
        forget_edit_version(kind, record_id)
        st.rerun()


def run_action(action: Callable[[], Any], success: str) -> bool:
    """Run a write; show its Chinese error (input kept) or keep ``success`` for
    :func:`show_flash` after the rerun. True if it worked."""
    try:
        action()
    except ValidationError as exc:
        for message in exc.messages:
            st.error(escape_markdown(message))
        return False
    except (PermissionDenied, NotFound, StaleRecord) as exc:
        st.error(escape_markdown(exc))
        return False
    except (duckdb.Error, OSError):
        _log.exception("write failed")
        st.error("系统繁忙，保存未成功，请稍后重试（已输入的内容仍在页面上）。")
        return False
    st.session_state[_FLASH] = success
    return True


def confirmed(
    label: str,
    key: str,
    question: str,
    *,
    needed: bool = True,
    primary: bool = False,
    disabled: bool = False,
) -> bool:
    """A button for a bulk or irreversible action: the first click asks ``question``
    with 确认/取消 beside it, and only 确认 returns True (on that one run).

    With ``needed`` False (e.g. marking one or two items) it is a plain button.
    Widgets of the same run keep their values across the two clicks, so the action
    reads what the clerk entered before asking.
    """
    kind = "primary" if primary else "secondary"
    clicked = st.button(label, key=key, type=kind, disabled=disabled)
    if not needed:
        return clicked
    pending = f"themeday.confirm.{key}"
    if clicked:
        st.session_state[pending] = True
    if not st.session_state.get(pending):
        return False
    st.warning(escape_markdown(question))
    yes, no, _ = st.columns([1, 1, 4])
    if yes.button(f"确认{label}", key=f"{key}.yes", type="primary"):
        st.session_state.pop(pending, None)
        return True
    if no.button("取消", key=f"{key}.no"):
        st.session_state.pop(pending, None)
        st.rerun()
    return False


def ask_to_confirm(key: str, payload: Any) -> None:
    """Hold ``payload`` (what a form submitted) until :func:`confirmation` is answered."""
    st.session_state[f"themeday.confirm.{key}"] = payload


def confirmation(key: str, question: str | Callable[[Any], str], label: str) -> Any | None:
    """The payload held by :func:`ask_to_confirm` once 确认``label`` is clicked, else
    None; 取消 drops it. For a form whose submit must be confirmed (e.g. 催办 of many
    items), where :func:`confirmed`'s own button cannot sit. ``question`` may be a
    function of the payload."""
    pending = f"themeday.confirm.{key}"
    if pending not in st.session_state:
        return None
    if callable(question):
        question = question(st.session_state[pending])
    st.warning(escape_markdown(question))
    yes, no, _ = st.columns([1, 1, 4])
    if yes.button(f"确认{label}", key=f"{key}.yes", type="primary"):
        return st.session_state.pop(pending)
    if no.button("取消", key=f"{key}.no"):
        st.session_state.pop(pending, None)
        st.rerun()
    return None


def campaign_caption(campaign: Campaign) -> None:
    """The campaign line under a page title, with its declaration deadline."""
    deadline = campaign.rules.declaration_deadline
    st.caption(f"{escape_markdown(campaign.title)} · 申报截止：{deadline_date(deadline)}")


def rules_summary(campaign: Campaign) -> list[str]:
    """The campaign's rules as short Chinese sentences (活动要求)."""
    rules = campaign.rules
    count = f"{'须申报' if rules.themes_exact else '至少申报'}{rules.themes_count}个主题"
    lines = [count, f"计划月份：{rules.first_month}月至{rules.last_month}月"]
    if rules.required_forms:
        lines.append(f"至少一个主题的活动形式须为{'或'.join(rules.required_forms)}")
    if rules.plan_days_before:
        lines.append(f"活动前{rules.plan_days_before}个工作日报送活动方案")
    if rules.report_days_after:
        lines.append(f"活动后{rules.report_days_after}个工作日内报送情况报告或新闻报道")
    if rules.scan_required:
        lines.append("申报表须上传加盖公章的电子扫描件")
    return lines


def declaration_status_label(status: str) -> str:
    return DeclarationStatus(status).label


def activities_frame(activities: list[Activity], with_unit: bool = False) -> pd.DataFrame:
    """A table of activities with Chinese headers."""
    rows = [
        {
            **({"单位": a.unit_name} if with_unit else {}),
            "活动主题": a.title,
            "计划月份": f"{a.planned_month}月",
            "活动形式": a.form,
            "活动日期": table_date(a.activity_date) if a.activity_date else "未定",
            "地点": a.place or "—",
            "状态": ActivityStatus(a.status).label,
        }
        for a in activities
    ]
    return pd.DataFrame(rows)


def progress_charts(campaign: Campaign, counts: dict[str, Any]) -> None:
    """申报进度 and 各月活动安排 side by side (管理首页 and 领导看板)."""
    # Imported here: altair is not needed by the login page, the first page drawn.
    from themeday.formats.charts import activities_by_month_chart, declaration_progress_chart

    left, right = st.columns(2)
    left.altair_chart(
        declaration_progress_chart(counts["declarations_by_status"], counts["not_declared"]),
        width="stretch",
    )
    months = range(campaign.rules.first_month, campaign.rules.last_month + 1)
    right.altair_chart(
        activities_by_month_chart(counts["activities_by_month"], months), width="stretch"
    )


_CAMPAIGN = "themeday.campaign_id"
"""The session's chosen campaign: a plain session key that no widget owns, so no
widget reset (a page switch, a component's rerun) can change it (DESIGN.md §3)."""
_CAMPAIGN_REQUEST = "themeday.campaign_request"
_PICKER = "themeday.campaign_picker"


def _picked(widget_key: str) -> None:
    """The selector's callback: the person picked another year."""
    st.session_state[_CAMPAIGN] = st.session_state[widget_key]


def chosen_campaign_id(campaigns: list[Campaign]) -> int | None:
    """The id of the session's campaign among ``campaigns``; settles it on first use.

    It changes only when the person picks another year, or right after the office
    creates or promotes one (:func:`choose_campaign`); a campaign that no longer
    exists falls back to the current one.
    """
    by_id = {c.id: c for c in campaigns}
    requested = st.session_state.pop(_CAMPAIGN_REQUEST, None)
    if requested in by_id:
        st.session_state[_CAMPAIGN] = requested
    elif st.session_state.get(_CAMPAIGN) not in by_id:
        current = next((c.id for c in campaigns if c.is_current), None)
        st.session_state[_CAMPAIGN] = current if current is not None else campaigns[0].id
    return st.session_state[_CAMPAIGN] if by_id else None


def campaign_selector(repo: Repository, actor: Actor) -> Campaign | None:
    """The year/campaign picker in the sidebar (活动年度); the current one by default.

    The widget only shows and changes the choice kept under ``_CAMPAIGN``: its state is
    set to the choice before it is drawn, so whatever the widget's own state did (a
    reset on a page switch), it can only ever show the choice, and a pick goes through
    :func:`_picked`. The key stays the same, so the browser redraws the one selector in
    place (a key that changed with the pick left the old selector beside the new one
    while a rerun was cut short). Returns the chosen campaign.
    """
    campaigns = repo.catalogue.list_campaigns(actor)
    if not campaigns:
        return None
    chosen = chosen_campaign_id(campaigns)
    by_id = {c.id: c for c in campaigns}
    st.session_state[_PICKER] = chosen
    st.sidebar.selectbox(
        "活动年度",
        list(by_id),
        key=_PICKER,
        on_change=_picked,
        args=(_PICKER,),
        format_func=lambda i: f"{by_id[i].year}年 · {by_id[i].region}",
        placeholder="请选择",
    )
    return by_id[chosen]


def campaign_banner(campaign: Campaign | None) -> None:
    """The chosen campaign's year and region at the top of the main area of a page."""
    if campaign is not None:
        st.caption(
            f"当前年度：{campaign.year}年 · {escape_markdown(campaign.region)}"
            "（在左侧“活动年度”中切换）"
        )


def choose_campaign(campaign_id: int) -> None:
    """Switch the session's campaign on the next run (after creating or promoting one)."""
    st.session_state[_CAMPAIGN_REQUEST] = campaign_id


def selected_campaign(repo: Repository, actor: Actor) -> Campaign | None:
    """The session's chosen campaign (see :func:`chosen_campaign_id`), or None."""
    campaigns = repo.catalogue.list_campaigns(actor)
    if not campaigns:
        return None
    chosen = chosen_campaign_id(campaigns)
    return next(c for c in campaigns if c.id == chosen)


def month_options(campaign: Campaign) -> list[int]:
    """The months a theme may be planned in (计划月份)."""
    return list(range(campaign.rules.first_month, campaign.rules.last_month + 1))


def download_name(*parts: str) -> str:
    """A file name for a download built from domain words, e.g. 2026年_申报表.xlsx."""
    return "_".join(p.replace("/", "_").replace(" ", "") for p in parts if p)


_HISTORY_ACTIONS = {
    "submit": "提交",
    "import": "导入提交",
    "return": "退回修改",
    "approve": "审核通过",
    "amend": "政务公开办调整",
    "submitted": "提交",
    "approved": "审核通过",
    "returned": "退回修改",
}


def history_table(events: list[DeclarationEvent]) -> pd.DataFrame:
    """申报记录: each version with who acted, when, and the reason given."""
    rows = []
    for event in events:
        themes = json.loads(event.snapshot).get("themes", [])
        rows.append(
            {
                "时间": minute_time(event.occurred_at),
                "操作": _HISTORY_ACTIONS.get(event.action, event.action),
                "操作人": person(event.display_name, event.username),
                "版本": event.version,
                "意见/原因": event.reason or "",
                "当时的主题": "；".join(
                    f"{t['title']}（{t['planned_month']}月·{t['form']}）" for t in themes
                ),
            }
        )
    return pd.DataFrame(rows)


def themes_frame(themes: list[Activity]) -> pd.DataFrame:
    """The rows of one 申报表 as a read-only table."""
    return pd.DataFrame(
        [
            {
                "序号": t.seq,
                "活动主题": t.title,
                "计划月份": f"{t.planned_month}月",
                "活动形式": t.form,
                "活动简介": t.summary,
                "联系人及电话": t.contact,
            }
            for t in themes
        ]
    )


def deferred_download(
    label: str,
    build: Callable[[Repository], Built],
    *,
    file_name: str,
    mime: str,
    key: str,
    repo: Repository,
    actor: Actor,
    audit: DownloadAudit,
    help: str = "",
    primary: bool = False,
) -> None:
    """A download button whose file is built only when it is clicked, and audited then.

    Nothing is built on a rerun of the page. On the click Streamlit calls ``build`` on
    another thread with a repository on a cursor of its own (never the page's cursor):
    read what the file needs through it, or close over what the page already read.
    ``build`` returns the bytes, or ``(bytes, row count)``; the audit row
    (:func:`themeday.services.file_audit.deliver`) records ``audit`` with who clicked.
    ``label`` is shown as Markdown: escape user text in it. The click is refused (and
    audited as a failed download) when the login has ended since the page was drawn.
    """
    from themeday.ui.gate import login_key  # the gate imports this module

    session = login_key()

    def checked(reader: Repository) -> Built:
        # The button outlives the run that drew it: a login ended since (退出, revoked,
        # disabled, timed out) must not take the file.
        if session is not None:
            check = AuthService(reader).check_session(session, touch=False)
            if check.user is None or check.user.id != actor.user_id:
                raise PermissionDenied(check.message or "登录已失效，请重新登录。")
        return build(reader)

    st.download_button(
        label,
        data=lambda: deliver(repo.fork(), actor, audit, checked, file_name),
        file_name=file_name,
        mime=mime,
        key=key,
        on_click="ignore",
        type="primary" if primary else "secondary",
        help=help or None,
    )


def attachment_download(
    repo: Repository,
    actor: Actor,
    attachment_id: int,
    label: str,
    campaign: Campaign | None = None,
) -> None:
    """A download button for an attachment the actor may see, read only when clicked; a
    file gone from the disk is reported instead."""
    # Imported here: the 申报 doors bring the spreadsheet and Word libraries, which the
    # login page, the first page drawn, does not need.
    from themeday.services.declarations import attachment_missing, read_attachment

    try:
        attachment, missing = attachment_missing(repo, actor, attachment_id)
    except (NotFound, PermissionDenied) as exc:
        st.error(str(exc))
        return
    if missing:
        st.error(escape_markdown(missing))
        return
    name = attachment.original_name
    deferred_download(
        escape_markdown(f"{label}：{name}"),
        lambda reader: read_attachment(reader, actor, attachment_id)[0],
        file_name=name,
        mime=mime_for(attachment.fmt),
        key=f"attachment_{attachment_id}_{label}",
        repo=repo,
        actor=actor,
        audit=DownloadAudit(
            f"{label}（{name}）", campaign, object_type="attachment", object_id=attachment_id
        ),
    )


def campaign_page(title: str, repo: Repository, actor: Actor, missing: str) -> Campaign | None:
    """A campaign page's head: title, the last action's message, the chosen campaign.

    Shows ``missing`` and returns None when there is no campaign yet.
    """
    st.title(title)
    show_flash()
    campaign = selected_campaign(repo, actor)
    if campaign is None:
        st.info(missing)
        return None
    campaign_caption(campaign)
    return campaign


def units_frame(units: list[Any], with_status: bool = False) -> pd.DataFrame:
    """Units (or rows of a unit list being imported) with their contacts (built column by
    column: a province lists 8,000 units on every rerun of 单位与账号)."""
    columns = {
        "单位名称": [u.name for u in units],
        "类别": [u.kind for u in units],
        "联系人": [u.contact_person for u in units],
        "联系电话": [u.contact_phone for u in units],
    }
    if with_status:
        columns["状态"] = ["启用" if u.enabled else "停用" for u in units]
    return pd.DataFrame(columns)


_REFUSED_UPLOADS = "themeday.refused_uploads"


def refused_upload(repo: Repository, actor: Actor, upload: Any, kind: str, reason: str) -> None:
    """Audit a refused upload (``upload`` as ``st.file_uploader`` returned it) once: the file
    stays in the uploader and is read again on every rerun until it is removed, but it
    was refused only once."""
    refused = st.session_state.setdefault(_REFUSED_UPLOADS, set())
    seen = (kind, getattr(upload, "file_id", None) or upload.name)
    if seen not in refused:
        record_upload_refused(repo, actor, upload.name, kind, reason)
        refused.add(seen)


def refused_import(
    repo: Repository, actor: Actor, upload: Any, kind: str, errors: list[str]
) -> None:
    """A refused import file: its problems (:func:`import_problems`), audited once."""
    refused_upload(repo, actor, upload, kind, "；".join(errors))
    import_problems(errors)


def import_problems(errors: list[str]) -> None:
    """A refused import file: how many problems, each with its row, and that nothing changed."""
    st.error(f"文件有{len(errors)}处问题，未导入任何内容：")
    st.dataframe(pd.DataFrame({"问题": errors}), hide_index=True, placeholder="", width="stretch")
