"""成果展示: published activities for everyone, without logging in.

Only the public repository methods are used (``showcase_campaigns``, ``count_showcase``,
``list_showcase``, ``get_showcase_item``, ``showcase_filters``, and the files through
``read_public_file``): they return published activities alone and carry no contact
names or phone numbers. User text
(titles, places, reports) is shown with ``st.text``, never as Markdown or HTML.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from themeday.core.domain import NotFound, ValidationError, cn_date
from themeday.core.records import ShowcaseItem
from themeday.formats.showcase import PUBLIC_URL_SETTING, activity_url, qr_png
from themeday.repository import Repository
from themeday.services.activities import portal_url_problem, read_public_file
from themeday.ui import gate
from themeday.ui.activity_widgets import qr_address_notice
from themeday.ui.resources import repository

TITLE = "“政务公开主题日”活动成果展示"
PUBLIC_URL_ENV = PUBLIC_URL_SETTING
"""The address the public reaches the app at (for the QR codes), e.g. behind a proxy."""

_PARAM = "activity"
_PAGE_PATH = "showcase"
_PER_ROW = 3
_PER_PAGE = 12
_ALL = "全部"


def render() -> None:
    repo = repository()
    st.title(TITLE)
    requested = st.query_params.get(_PARAM)
    if requested is None:
        _listing(repo)
    else:
        _detail(repo, requested)
    if not gate.logged_in():
        st.divider()
        st.markdown("[工作人员登录](./)")


# ------------------------------------------------------------------ the list
def _listing(repo: Repository) -> None:
    st.caption("各单位“政务公开主题日”活动的开展情况和成果，欢迎社会各界查阅、监督。")
    years = _campaigns(repo.activities.showcase_campaigns())
    if not years:
        st.info("暂无已发布的活动成果。")
        return
    campaign_id, filters = _listing_filters(repo, years)
    total = repo.activities.count_showcase(campaign_id, **filters)
    if not total:
        st.info("没有符合筛选条件的活动成果。")
        return
    chosen = ".".join(str(value) for value in filters.values())
    page = _page_number(total, f"showcase.page.{campaign_id}.{chosen}")
    st.caption(f"共 {total} 项活动成果，按发布时间从新到旧排列")
    current = repo.activities.list_showcase(
        campaign_id, **filters, limit=_PER_PAGE, offset=(page - 1) * _PER_PAGE
    )
    for start in range(0, len(current), _PER_ROW):
        columns = st.columns(_PER_ROW)
        for column, item in zip(columns, current[start : start + _PER_ROW], strict=False):
            with column:
                _card(repo, item)


def _listing_filters(repo: Repository, years: dict[int, str]) -> tuple[int, dict[str, Any]]:
    """活动年度, 举办月份, 单位 and 活动形式: the chosen campaign and the filters."""
    year_col, month_col, unit_col, form_col = st.columns(4)
    campaign_id = year_col.selectbox(
        "活动年度",
        list(years),
        format_func=years.get,
        key="showcase.campaign",
        placeholder="请选择",
    )
    options = repo.activities.showcase_filters(campaign_id)
    month = month_col.selectbox(
        "举办月份",
        [None, *options["months"]],
        format_func=lambda m: _ALL if m is None else f"{m}月",
        key=f"showcase.month.{campaign_id}",
        placeholder="请选择",
    )
    unit = unit_col.selectbox(
        "单位",
        [None, *options["units"]],
        format_func=lambda u: _ALL if u is None else u,
        key=f"showcase.unit.{campaign_id}",
        placeholder="请选择",
    )
    form = form_col.selectbox(
        "活动形式",
        [None, *options["forms"]],
        format_func=lambda f: _ALL if f is None else f,
        key=f"showcase.form.{campaign_id}",
        placeholder="请选择",
    )
    return campaign_id, {"month": month, "unit_name": unit, "form": form}


def _page_number(total: int, key: str) -> int:
    """The page of the list to show (a picker only when there is more than one)."""
    pages = (total + _PER_PAGE - 1) // _PER_PAGE
    if pages <= 1:
        return 1
    return st.selectbox(
        "页码",
        range(1, pages + 1),
        format_func=lambda p: f"第{p}页（共{pages}页）",
        key=key,
        placeholder="请选择",
    )


def _campaigns(years: dict[int, int]) -> dict[int, str]:
    """The campaigns that have published activities (id → year), newest first, labelled
    by their year."""
    ordered = sorted(years, key=lambda c: (years[c], c), reverse=True)
    counts = {y: list(years.values()).count(y) for y in years.values()}
    return {
        c: f"{years[c]}年" if counts[years[c]] == 1 else f"{years[c]}年（活动{c}）" for c in ordered
    }


def _card(repo: Repository, item: ShowcaseItem) -> None:
    with st.container(border=True):
        thumbnail = _file(repo, item.photo_ids[0], thumb=True) if item.photo_ids else None
        if thumbnail is not None:
            st.image(thumbnail, width="stretch", alt=item.title)
        if item.typical_case:
            st.badge("典型经验", icon=":material/star:", color="red")
        st.text(item.title)
        st.text(f"{item.unit_name} · {item.form}")
        st.caption(f"举办日期：{cn_date(item.held_date)}")
        st.button(
            "查看详情",
            key=f"showcase.open.{item.activity_id}",
            on_click=_open,
            args=(item.activity_id,),
        )


def _open(activity_id: int) -> None:
    st.query_params[_PARAM] = str(activity_id)


def _back() -> None:
    st.query_params.pop(_PARAM, None)


# ------------------------------------------------------------------ one activity
def _detail(repo: Repository, requested: str) -> None:
    item = _published(repo, requested)
    if item is None:
        st.warning("该活动不存在或尚未公开。")
        st.button("返回成果列表", icon=":material/arrow_back:", on_click=_back)
        return
    st.button("返回成果列表", icon=":material/arrow_back:", on_click=_back)
    _facts(item)
    if item.report_text.strip():
        st.subheader("活动情况")
        with st.container(border=True):
            st.text(item.report_text.strip())
    if item.photo_ids:
        _photos(repo, item)
    if item.video_ids:
        _videos(repo, item)
    url = item.portal_url.strip()
    if url and portal_url_problem(url) is None:
        st.link_button("在政府门户网站查看原文", url, icon=":material/open_in_new:")
    _address(item)


def _facts(item: ShowcaseItem) -> None:
    """The activity's theme, unit, form, date and place."""
    with st.container(border=True):
        if item.typical_case:
            st.badge("典型经验", icon=":material/star:", color="red")
        st.caption("活动主题")
        st.text(item.title)
        facts = (
            ("单位", item.unit_name),
            ("活动形式", item.form),
            ("举办日期", cn_date(item.held_date)),
            ("活动地点", item.place or "—"),
        )
        for column, (label, value) in zip(st.columns(len(facts)), facts, strict=True):
            column.caption(label)
            column.text(value)


def _photos(repo: Repository, item: ShowcaseItem) -> None:
    """活动照片, two to a row."""
    st.subheader("活动照片")
    for start in range(0, len(item.photo_ids), 2):
        columns = st.columns(2)
        for column, photo_id in zip(columns, item.photo_ids[start : start + 2], strict=False):
            content = _file(repo, photo_id)
            if content is not None:
                column.image(content, width="stretch", alt=item.title)
            else:
                column.caption("图片暂时无法显示。")


def _videos(repo: Repository, item: ShowcaseItem) -> None:
    """活动视频, each read only when the visitor asks to play it."""
    st.subheader("活动视频")
    for video_id in item.video_ids:
        # a video runs to 300 MB: read it only for a visitor who asks to play it
        chosen = f"showcase.play.{video_id}"
        if not st.session_state.get(chosen):
            st.button(
                "播放视频",
                key=f"{chosen}.button",
                icon=":material/play_circle:",
                on_click=st.session_state.__setitem__,
                args=(chosen, True),
            )
            continue
        content = _file(repo, video_id)
        if content is not None:
            st.video(content, format="video/mp4")
        else:
            st.caption("视频暂时无法播放。")


def _address(item: ShowcaseItem) -> None:
    """The page's address and its QR code, for opening it on a phone."""
    base = _base_url()
    if base:
        address = activity_url(base, item.activity_id)
        qr_address_notice(base, configured=bool(os.environ.get(PUBLIC_URL_ENV, "").strip()))
        qr, link = st.columns([1, 3], vertical_alignment="center")
        qr.image(qr_png(address), caption="扫一扫在手机打开", width=180)
        link.caption("本页地址")
        link.code(address, language=None)


def _published(repo: Repository, requested: str) -> ShowcaseItem | None:
    """The published activity the address asks for, or None for anything else."""
    text = requested.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return repo.activities.get_showcase_item(int(text))


def _file(repo: Repository, attachment_id: int, thumb: bool = False) -> bytes | None:
    """A public photo or video; None when it is gone or damaged (no details shown)."""
    try:
        content, _ = read_public_file(repo, attachment_id, thumb=thumb)
    except (NotFound, ValidationError):
        return None
    return content


def _base_url() -> str:
    """Where the app is reached: the configured public address, else the browser's,
    without this page's path and the query."""
    configured = os.environ.get(PUBLIC_URL_ENV, "").strip()
    if configured:
        return configured.rstrip("/")
    current = st.context.url
    if not current:
        return ""
    parts = urlsplit(current)
    path = parts.path.rstrip("/")
    if path.endswith("/" + _PAGE_PATH) or path == _PAGE_PATH:
        path = path[: -len(_PAGE_PATH)].rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
