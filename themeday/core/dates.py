"""One date style for every screen, export and message (plain functions, no Streamlit).

- Tables: :func:`table_date` ``2026-12-03`` (sorts as text, reads the same everywhere).
- A deadline shown to someone who must act: :func:`deadline_date` ``12月3日（周四）``; the
  year is written (``2027年1月5日（周二）``) only when it is not the current year, since a
  clerk reads a deadline as this year's unless told otherwise.
- Prose (sentences, notices, captions): :func:`prose_date` ``2026年12月3日``.
- Times: :func:`minute_time` ``2026-12-02 13:05``, Beijing time, to the minute (seconds,
  microseconds and the zone offset say nothing a clerk needs).

Every function returns ``""`` for a missing value, so an empty cell stays empty.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from themeday.core.config import TZ

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
"""Chinese weekday names, Monday first (``date.weekday()`` order)."""


def _day(value: date | datetime | pd.Timestamp | str | None) -> date | None:
    """``value`` as a calendar day (a time becomes its Beijing day); None when missing."""
    if value is None or value is pd.NaT or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return None
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(TZ)
        return value.date()
    if isinstance(value, date):
        return value
    return None  # NaN, NaT and other missing markers


def table_date(value: date | datetime | pd.Timestamp | str | None) -> str:
    """``2026-12-03``: a date in a table cell (empty when missing)."""
    day = _day(value)
    return day.isoformat() if day else ""


def weekday(value: date | datetime | pd.Timestamp | str | None) -> str:
    """``周四`` (empty when missing)."""
    day = _day(value)
    return WEEKDAYS[day.weekday()] if day else ""


def deadline_date(
    value: date | datetime | pd.Timestamp | str | None, today: date | None = None
) -> str:
    """``12月3日（周四）``: a deadline, with its weekday.

    The year is left out when the day falls in ``today``'s year (the current year in
    Beijing when ``today`` is None) and written otherwise: ``2027年1月5日（周二）``.
    """
    day = _day(value)
    if day is None:
        return ""
    if today is None:
        today = datetime.now(TZ).date()
    year = "" if day.year == today.year else f"{day.year}年"
    return f"{year}{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def prose_date(value: date | datetime | pd.Timestamp | str | None) -> str:
    """``2026年12月3日``: a date inside a sentence (empty when missing)."""
    day = _day(value)
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def minute_time(value: datetime | pd.Timestamp | str | None) -> str:
    """``2026-12-02 13:05``: a moment in Beijing time, to the minute (empty when missing).

    A naive time is taken to be Beijing time already (what the database hands back for
    local columns).
    """
    if value is None or value is pd.NaT or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return ""
        value = value.to_pydatetime()
    if not isinstance(value, datetime):
        return table_date(value)  # a bare day (or a missing marker) has no time to show
    if value.tzinfo is not None:
        value = value.astimezone(TZ)
    return f"{value:%Y-%m-%d %H:%M}"


def deadline_dates(days: pd.Series, today: date | None = None) -> pd.Series:
    """:func:`deadline_date` for a whole column at once (empty strings for missing days)."""
    if today is None:
        today = datetime.now(TZ).date()
    days = pd.to_datetime(days)
    present = days.notna()
    if not present.any():
        return pd.Series("", index=days.index, dtype=object)
    year = days.dt.year
    text = (year.astype("Int64").astype(str) + "年").where(year != today.year, "")
    weekdays = days.dt.day_of_week.map(lambda n: WEEKDAYS[int(n)] if n == n else "")
    text = (
        text
        + days.dt.month.astype("Int64").astype(str)
        + "月"
        + days.dt.day.astype("Int64").astype(str)
        + "日（"
        + weekdays
        + "）"
    )
    return text.where(present, "").astype(object)


def table_deadline(value: date | datetime | pd.Timestamp | str | None) -> str:
    """``2026-12-03（周四）``: a deadline in a table cell (sorts as text like the date)."""
    day = _day(value)
    return f"{day.isoformat()}（{WEEKDAYS[day.weekday()]}）" if day else ""


def table_deadlines(days: pd.Series) -> pd.Series:
    """:func:`table_deadline` for a whole column at once (empty strings for missing days;
    a moment with a time zone becomes its Beijing day)."""
    days = pd.to_datetime(days)
    if days.dt.tz is not None:
        days = days.dt.tz_convert(TZ)
    weekdays = days.dt.day_of_week.map(lambda n: WEEKDAYS[int(n)] if n == n else "")
    text = days.dt.strftime("%Y-%m-%d") + "（" + weekdays + "）"
    return text.where(days.notna(), "").astype(object)
