"""Streamlit pieces of 看板视图: filters, the kanban, the month calendar, the photo wall.

Everything is read-only. The grouping, the month grid and the lights come from
:mod:`themeday.services.boards` (lights from the compliance engine); this module only lays them
out. User text (unit names, titles) is escaped before any Markdown call.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import streamlit as st

from themeday.core.dates import deadline_date, table_date
from themeday.core.domain import Actor, NotFound, PermissionDenied, ValidationError
from themeday.core.records import Activity, Attachment, Campaign
from themeday.core.workdays import unverified_year_warning
from themeday.formats.lights import light_badge, light_cells
from themeday.repository import Repository
from themeday.services import assessment
from themeday.services.activities import read_file
from themeday.services.assessment import assess
from themeday.services.boards import (
    WEEKDAY_HEADERS,
    BoardColumn,
    CalendarDay,
    CalendarMonth,
    Card,
    Filters,
    NextDue,
    cards_of,
    page_count,
)
from themeday.ui.activity_widgets import status_label
from themeday.ui.compliance_widgets import compliance_warning, light_column
from themeday.ui.widgets import escape_markdown

PHOTOS_PER_PAGE = 24
PHOTOS_PER_ROW = 6
CARDS_PER_DAY = 3
"""Activities written in one calendar cell; the month's list below has them all."""

PHOTO_KIND_LABELS = {"photo": "活动照片", "marking": "现场标识"}


# ------------------------------------------------------------------ filters and lights
def board_filters(activities: Sequence[Activity], *, with_unit: bool, key: str) -> Filters:
    """单位 (office and leadership only), 活动形式 and 月份 filters; empty means all."""
    columns = st.columns(3 if with_unit else 2)
    unit_ids: list[int] = []
    if with_unit:
        names = {a.unit_id: a.unit_name for a in activities}
        unit_ids = columns[0].multiselect(
            "单位",
            sorted(names, key=lambda i: names[i]),
            format_func=names.get,
            placeholder="全部",
            key=f"{key}_units",
        )
    forms = columns[-2].multiselect(
        "活动形式", sorted({a.form for a in activities}), placeholder="全部", key=f"{key}_forms"
    )
    months = columns[-1].multiselect(
        "活动月份",
        sorted({a.month for a in activities}),
        format_func=lambda m: f"{m}月",
        placeholder="全部",
        key=f"{key}_months",
    )
    return Filters(tuple(unit_ids), tuple(forms), tuple(months))


def board_cards(
    repo: Repository,
    actor: Actor,
    campaign: Campaign,
    activities: Sequence[Activity],
    today: date,
) -> list[Card]:
    """The cards of ``activities``, each with its next open item's light."""
    compliance_warning(assess(repo, actor, campaign, today))
    every = assessment.board_cards(repo, actor, campaign, today)
    missing = [a for a in activities if a.id not in every]  # changed since: build afresh
    if missing:
        every = {**every, **{c.activity_id: c for c in cards_of(missing, {})}}
    return [every[a.id] for a in activities]


def next_item_text(due: NextDue) -> str:
    """“活动总结 11月9日（周一）截止”: the next open item (empty when there is none)."""
    if not due.item:
        return ""
    return due.item_label + (f" {deadline_date(due.due)}截止" if due.due else "")


def due_markdown(due: NextDue) -> str:
    """The light as a coloured badge, then the next item: ``:red-badge[已逾期] 活动总结
    11月9日（周一）截止`` (empty when nothing is open)."""
    if not due.light:
        return ""
    return " ".join(x for x in (light_badge(due.light), next_item_text(due)) if x)


LIGHTS_LEGEND = "　".join(light_badge(x) for x in ("red", "yellow", "green", "grey"))
"""The four lights as badges, for a legend."""


# ------------------------------------------------------------------ kanban
def kanban(columns: Sequence[BoardColumn]) -> None:
    """One column per status with its count; each card: unit, title, date, light."""
    for column, board_column in zip(st.columns(len(columns)), columns, strict=True):
        with column:
            st.markdown(f"**{board_column.label}**（{board_column.total}）")
            if not board_column.total:
                st.caption("暂无")
            for card in board_column.cards:
                activity_card(card)
            if board_column.hidden:
                st.caption(f"还有 {board_column.hidden} 项")


def activity_card(card: Card) -> None:
    """A bordered card: unit (bold), title, date and form, the next item's light."""
    # Two elements a card, not four: a province's board draws 140 cards on every rerun,
    # and each element costs Streamlit about a third of a millisecond.
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(card.unit_name)}**  \n{escape_markdown(card.title)}")
        lines = [escape_markdown(f"{card.date_text} · {card.form}"), due_markdown(card.due)]
        st.caption("  \n".join(line for line in lines if line))


# ------------------------------------------------------------------ calendar
def month_picker(year: int, counts: dict[int, int], default: int, key: str) -> int:
    """A month of the campaign year, labelled with its number of activities."""
    return st.selectbox(
        "月份",
        list(counts),
        index=list(counts).index(default),
        format_func=lambda m: f"{year}年{m}月（{counts[m]}项活动）",
        key=key,
        placeholder="请选择",
    )


def month_calendar(month: CalendarMonth) -> None:
    """A Monday-first month grid: 休 on holidays, 班 on make-up workdays, the
    activities of each day; then the month's activities as a table."""
    if not month.verified:
        notice = "，日历中的放假和调休以政务公开办公布的安排为准。"
        st.warning(unverified_year_warning([month.year]) + notice)
    st.caption(f"休：法定节假日放假　班：调休上班　{LIGHTS_LEGEND}：活动下一项报送事项的提醒")
    for column, header in zip(st.columns(7), WEEKDAY_HEADERS, strict=True):
        column.markdown(f"**{header}**")
    for week in month.weeks:
        for column, day in zip(st.columns(7), week, strict=True):
            with column, st.container(border=True):
                _calendar_day(day)
    entries = [(d.day, c) for week in month.weeks for d in week if d.in_month for c in d.cards]
    if entries:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "日期": table_date(day),
                        "单位": c.unit_name,
                        "活动主题": c.title,
                        "活动形式": c.form,
                        "状态": status_label(c.status),
                        "提醒": light_cells([c.due.light])[0],
                        "下一报送事项": next_item_text(c.due) if c.due.light else "",
                    }
                    for day, c in entries
                ]
            ),
            hide_index=True,
            placeholder="",
            width="stretch",
            column_config={"提醒": light_column()},
        )
    else:
        st.info(f"{month.title}没有已定日期的活动。")


def _calendar_day(day: CalendarDay) -> None:
    mark = {"休": " :red-badge[休]", "班": " :gray-badge[班]"}.get(day.mark, "")
    if not day.in_month:
        st.caption(f"{day.day.month}月{day.day.day}日{mark}")
        return
    st.markdown(f"**{day.day.day}**{mark}")
    for card in day.cards[:CARDS_PER_DAY]:
        badge = light_badge(card.due.light)
        text = escape_markdown(f"{card.unit_name} · {card.title}")
        st.caption(f"{badge} {text}" if badge else text)
    if len(day.cards) > CARDS_PER_DAY:
        st.caption(f"另有 {len(day.cards) - CARDS_PER_DAY} 项")


# ------------------------------------------------------------------ photo wall
def photo_wall(
    repo: Repository,
    actor: Actor,
    campaign: Campaign,
    activities: Sequence[Activity],
    filters: Filters,
    key: str,
) -> None:
    """活动照片 and 现场标识照片 thumbnails, captioned with unit and title, a page at a time."""
    page_key = f"{key}_{campaign.id}_{filters.unit_ids}_{filters.forms}_{filters.months}"
    page = int(st.session_state.get(page_key, 1))
    photos, total = _photos(repo, actor, campaign, filters, page)
    pages = page_count(total, PHOTOS_PER_PAGE)
    if page > pages:
        page = pages
        st.session_state[page_key] = page
        photos, total = _photos(repo, actor, campaign, filters, page)
    if not total:
        st.info("暂无活动照片。活动开展并报送总结后，照片会显示在这里。")
        return
    first = (page - 1) * PHOTOS_PER_PAGE + 1
    st.caption(f"共 {total} 张照片，第 {first}–{first + len(photos) - 1} 张")
    by_id = {a.id: a for a in activities}
    for start in range(0, len(photos), PHOTOS_PER_ROW):
        row = photos[start : start + PHOTOS_PER_ROW]
        for column, photo in zip(st.columns(PHOTOS_PER_ROW), row, strict=False):
            with column:
                _thumbnail(repo, actor, photo, by_id.get(photo.owner_id))
    if pages > 1:
        st.selectbox(
            "页码",
            list(range(1, pages + 1)),
            format_func=lambda p: f"第 {p} 页（共 {pages} 页）",
            key=page_key,
            placeholder="请选择",
        )


def _photos(
    repo: Repository, actor: Actor, campaign: Campaign, filters: Filters, page: int
) -> tuple[list[Attachment], int]:
    return repo.activities.list_campaign_photos(
        actor,
        campaign.id,
        unit_ids=filters.unit_ids,
        forms=filters.forms,
        months=filters.months,
        limit=PHOTOS_PER_PAGE,
        offset=(max(page, 1) - 1) * PHOTOS_PER_PAGE,
    )


def _thumbnail(
    repo: Repository, actor: Actor, photo: Attachment, activity: Activity | None
) -> None:
    kind = PHOTO_KIND_LABELS.get(photo.kind, "")
    caption = f"{activity.unit_name} · {activity.title}" if activity else photo.original_name
    try:
        data, _ = read_file(repo, actor, photo.id, thumb=True)
    except ValidationError as exc:
        st.error(escape_markdown("；".join(exc.messages)))
        return
    except (NotFound, PermissionDenied) as exc:
        st.error(escape_markdown(exc))
        return
    st.image(data, caption=escape_markdown(f"{caption}（{kind}）"), width="stretch")
