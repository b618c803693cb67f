"""看板视图: activities as kanban cards, a month calendar and a photo wall (pure logic).

The page lays these out; nothing here reads the database or imports Streamlit. The
deadline light of a card is the compliance engine's (:mod:`themeday.core.compliance`): a
card shows the light of the activity's next open item (活动方案, then 活动总结), so the
board and the 督办催办 list never disagree. Working days come from
:class:`themeday.core.workdays.WorkdayCalendar` (the office's overrides included).
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from operator import attrgetter
from typing import Any

import numpy as np
import pandas as pd

from themeday.core.domain import ActivityStatus
from themeday.core.records import Activity
from themeday.core.workdays import WorkdayCalendar

BOARD_STATUSES: tuple[ActivityStatus, ...] = (
    ActivityStatus.PLANNED,
    ActivityStatus.SCHEDULED,
    ActivityStatus.PLAN_FILED,
    ActivityStatus.HELD,
    ActivityStatus.REPORTED,
    ActivityStatus.PUBLISHED,
    ActivityStatus.CANCELLED,
)
"""The kanban's columns: the lifecycle in order, cancelled last."""

WEEKDAY_HEADERS: tuple[str, ...] = ("一", "二", "三", "四", "五", "六", "日")
"""Column headers of the month calendar (Monday first)."""

CARDS_PER_COLUMN = 20
"""Cards shown per kanban column; the rest are counted (“还有 N 项”)."""

ITEM_LABELS = {"plan": "活动方案", "report": "活动总结"}
_OPEN = ("open", "missing")
_DONE = ("on_time", "late")
_HOLIDAY_REACH = 12
"""Days looked at beyond a month's grid to see whether a weekend belongs to a holiday."""


# ------------------------------------------------------------------ next due item
@dataclass(frozen=True)
class NextDue:
    """The activity's next open item and its traffic light.

    ``item`` is ``plan`` (活动方案), ``report`` (活动总结) or ``""`` (nothing open);
    ``light`` is ``red``/``yellow``/``green``/``grey`` or ``""`` (nothing to show: all
    filed, or the activity is cancelled); ``due`` is the item's due date when known.
    """

    item: str = ""
    light: str = ""
    due: date | None = None

    @property
    def item_label(self) -> str:
        """“活动方案”, “活动总结” or “”."""
        return ITEM_LABELS.get(self.item, "")


def next_due(row: Mapping[str, Any]) -> NextDue:
    """The next open item of one row of ``ComplianceResult.activities``.

    The 活动方案 comes first while it is open (未到期 or 逾期未报), then the 活动总结.
    When neither is open: no light if the activity is cancelled or something was
    filed, otherwise grey (暂不涉及: the campaign sets no such rule).
    """
    if row.get("cancelled") or row.get("status") == ActivityStatus.CANCELLED:
        return NextDue()
    for item in ("plan", "report"):
        if row.get(f"{item}_status") in _OPEN:
            return NextDue(item, str(row.get(f"{item}_light") or ""), _day(row.get(f"{item}_due")))
    if any(row.get(f"{item}_status") in _DONE for item in ("plan", "report")):
        return NextDue()
    return NextDue(light="grey")


def next_due_by_activity(compliance_activities: pd.DataFrame) -> dict[int, NextDue]:
    """:func:`next_due` of every row of ``ComplianceResult.activities``, by activity id."""
    # Column by column, with the answers of next_due row by row: turning a province's
    # 36,000 rows into dicts and NextDue objects took seconds after every write.
    frame = compliance_activities
    size = len(frame)

    def column(name: str) -> pd.Series:
        if name in frame.columns:
            return frame[name]
        return pd.Series([None] * size, index=frame.index, dtype=object)

    def flag(values: pd.Series) -> np.ndarray:
        return values.astype(object).where(values.notna(), False).astype(bool).to_numpy()

    cancelled = (
        flag(column("cancelled"))
        | (column("status").astype(object) == ActivityStatus.CANCELLED.value).to_numpy()
    )
    states = {item: column(f"{item}_status").astype(object) for item in ITEM_LABELS}
    is_open = {item: states[item].isin(_OPEN).to_numpy() for item in ITEM_LABELS}
    done = np.logical_or.reduce([states[item].isin(_DONE).to_numpy() for item in ITEM_LABELS])
    plan_open = is_open["plan"] & ~cancelled
    report_open = is_open["report"] & ~cancelled & ~plan_open

    def texts(item: str) -> np.ndarray:
        values = column(f"{item}_light").astype(object)
        return values.where(values.notna(), "").astype(str).to_numpy(dtype=object)

    def days(item: str) -> np.ndarray:
        return pd.to_datetime(column(f"{item}_due")).to_numpy(dtype="datetime64[D]")

    grey = ~cancelled & ~plan_open & ~report_open & ~done
    item = np.select([plan_open, report_open], ["plan", "report"], "")
    light = np.select([plan_open, report_open, grey], [texts("plan"), texts("report"), "grey"], "")
    no_day = np.datetime64("NaT")
    due = np.where(plan_open, days("plan"), np.where(report_open, days("report"), no_day))
    # one NextDue per distinct (item, light, due): a province has a few thousand of them
    made: dict[tuple, NextDue] = {}
    out = {}
    ids = column("activity_id").astype("int64").tolist()
    keys = zip(item.tolist(), light.tolist(), due.tolist(), strict=True)
    for activity_id, key in zip(ids, keys, strict=True):
        found = made.get(key)
        if found is None:
            found = made[key] = NextDue(key[0], key[1], key[2])
        out[activity_id] = found
    return out


def _day(value: object) -> date | None:
    if value is None or value is pd.NaT or (not isinstance(value, date) and pd.isna(value)):
        return None
    if isinstance(value, datetime):  # pandas Timestamps too
        return value.date()
    return value if isinstance(value, date) else None


# ------------------------------------------------------------------ cards and filters
@dataclass(frozen=True)
class Filters:
    """The board's filters; an empty tuple means “all”."""

    unit_ids: tuple[int, ...] = ()
    forms: tuple[str, ...] = ()
    months: tuple[int, ...] = ()

    @property
    def active(self) -> bool:
        """True when any filter narrows the activities."""
        return bool(self.unit_ids or self.forms or self.months)


def filter_activities(activities: Iterable[Activity], filters: Filters) -> list[Activity]:
    """The activities that pass every filter, in their order."""
    return [
        a
        for a in activities
        if (not filters.unit_ids or a.unit_id in filters.unit_ids)
        and (not filters.forms or a.form in filters.forms)
        and (not filters.months or a.month in filters.months)
    ]


@dataclass(frozen=True)
class Card:
    """One activity on the board: who, what, when and its next due item's light."""

    activity_id: int
    unit_name: str
    title: str
    form: str
    status: str
    day: date | None
    planned_month: int
    due: NextDue

    @cached_property
    def order(self) -> tuple:
        """Where the card stands in its column (see :func:`board_columns`). Kept on the
        card: the cached cards of a province are sorted again on every rerun."""
        return (
            _LIGHT_ORDER.get(self.due.light, 4),
            self.day is None,
            self.day or date.max,
            self.planned_month,
            self.activity_id,
        )

    @property
    def date_text(self) -> str:
        """“2023-10-09”, or “未定日期 · 计划10月”."""
        if self.day is None:
            return f"未定日期 · 计划{self.planned_month}月"
        return f"{self.day:%Y-%m-%d}"


def cards_of(activities: Iterable[Activity], due: Mapping[int, NextDue]) -> list[Card]:
    """A card per activity; an activity without a compliance row has no light."""
    return [
        Card(
            activity_id=a.id,
            unit_name=a.unit_name,
            title=a.title,
            form=a.form,
            status=a.status,
            day=a.day,
            planned_month=a.planned_month,
            due=due.get(a.id, NextDue()),
        )
        for a in activities
    ]


@dataclass(frozen=True)
class BoardColumn:
    """One kanban column: a status, its cards (capped) and how many there are in all."""

    status: ActivityStatus
    total: int
    cards: tuple[Card, ...]

    @property
    def label(self) -> str:
        """The status in Chinese (e.g. 方案已报送)."""
        return self.status.label

    @property
    def hidden(self) -> int:
        """Cards not shown (“还有 N 项”)."""
        return self.total - len(self.cards)


_LIGHT_ORDER = {"red": 0, "yellow": 1, "green": 2, "grey": 3, "": 4}


_order = attrgetter("order")


def board_columns(cards: Iterable[Card], per_column: int = CARDS_PER_COLUMN) -> list[BoardColumn]:
    """A column per status in lifecycle order (cancelled last), even when empty.

    Within a column the most urgent come first (red, yellow, green, grey, none), then by
    date (undated last); at most ``per_column`` cards are kept, the rest only counted.
    """
    by_status: dict[str, list[Card]] = {s.value: [] for s in BOARD_STATUSES}
    for card in cards:
        by_status.setdefault(card.status, []).append(card)
    columns = []
    for status in BOARD_STATUSES:
        group = sorted(by_status[status.value], key=_order)
        columns.append(BoardColumn(status, len(group), tuple(group[: max(per_column, 0)])))
    return columns


# ------------------------------------------------------------------ month calendar
@dataclass(frozen=True)
class CalendarDay:
    """One cell of the month grid."""

    day: date
    in_month: bool
    workday: bool
    makeup_workday: bool
    """调休上班: a Saturday or Sunday that is worked (班)."""
    holiday: bool
    """放假: a day off in a run of days off that includes a weekday (休); plain
    weekends are neither."""
    cards: tuple[Card, ...] = ()

    @property
    def mark(self) -> str:
        """“班”, “休” or “”."""
        if self.makeup_workday:
            return "班"
        if self.holiday:
            return "休"
        return ""


@dataclass(frozen=True)
class CalendarMonth:
    """A Monday-first month grid: whole weeks, days of the neighbouring months included."""

    year: int
    month: int
    weeks: tuple[tuple[CalendarDay, ...], ...]
    verified: bool
    """False when the year's 节假日安排 is neither in the package nor entered."""

    @property
    def title(self) -> str:
        """“2023年10月”."""
        return f"{self.year}年{self.month}月"

    @property
    def count(self) -> int:
        """Activities on days of this month (not the neighbours' days)."""
        return sum(len(d.cards) for week in self.weeks for d in week if d.in_month)


def holidays_between(cal: WorkdayCalendar, start: date, end: date) -> set[date]:
    """Days off in ``start..end`` that belong to a holiday (放假): each run of
    consecutive days off that contains at least one weekday (so 国庆 2023-09-29…10-06
    is a holiday from Friday to Friday, while an ordinary weekend is not)."""
    first = start - timedelta(days=_HOLIDAY_REACH)
    last = end + timedelta(days=_HOLIDAY_REACH)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    holidays: set[date] = set()
    run: list[date] = []
    for day in [*days, None]:
        if day is not None and not cal.is_workday(day):
            run.append(day)
            continue
        if any(d.weekday() < 5 for d in run):
            holidays.update(d for d in run if start <= d <= end)
        run = []
    return holidays


def month_matrix(
    year: int, month: int, cal: WorkdayCalendar, cards: Iterable[Card] = ()
) -> CalendarMonth:
    """The month as weeks of seven days (Monday first), each day with its working-day
    marks and the cards held on it (any day of the grid, neighbours' days included)."""
    weeks = _calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    start, end = weeks[0][0], weeks[-1][-1]
    holidays = holidays_between(cal, start, end)
    on_day: dict[date, list[Card]] = {}
    for card in cards:
        if card.day is not None and start <= card.day <= end:
            on_day.setdefault(card.day, []).append(card)
    grid = tuple(
        tuple(
            CalendarDay(
                day=day,
                in_month=day.month == month,
                workday=cal.is_workday(day),
                makeup_workday=cal.is_makeup_workday(day),
                holiday=day in holidays,
                cards=tuple(sorted(on_day.get(day, []), key=lambda c: c.activity_id)),
            )
            for day in week
        )
        for week in weeks
    )
    return CalendarMonth(year, month, grid, cal.is_verified(date(year, month, 1)))


def month_counts(cards: Iterable[Card], year: int) -> dict[int, int]:
    """Dated activities per month of ``year`` (1–12, 0 where none)."""
    counts = dict.fromkeys(range(1, 13), 0)
    for card in cards:
        if card.day is not None and card.day.year == year:
            counts[card.day.month] += 1
    return counts


def default_month(days: Iterable[date | None], year: int, today: date) -> int:
    """The month the calendar opens on: today's month when it is in ``year`` and has
    activities; else the next month of ``year`` with activities; else the first month
    with activities; with none at all, today's month (in ``year``) or January."""
    months = sorted({d.month for d in days if d is not None and d.year == year})
    if today.year == year and today.month in months:
        return today.month
    later = [m for m in months if (year, m) > (today.year, today.month)]
    if later:
        return later[0]
    if months:
        return months[0]
    return today.month if today.year == year else 1


# ------------------------------------------------------------------ photo wall
def page_count(total: int, per_page: int) -> int:
    """Pages needed for ``total`` items (at least one)."""
    return max(1, -(-max(total, 0) // max(per_page, 1)))
