"""Official Chinese working-day arithmetic (工作日) with the office's overrides.

“提前5个工作日” and “5个工作日内” count China's official working days: weekends and
public holidays (法定节假日) are off, and make-up workdays (调休上班, a Saturday or Sunday
that is worked) count. See DESIGN.md §1 "Working days".

Sources, strongest first:

1. overrides the office enters (``workday_override``): 休 (``is_workday=False``) or
   班 (``is_workday=True``), e.g. the State Council's arrangement for next year, published
   each November, before the ``chinesecalendar`` package knows it;
2. the ``chinesecalendar`` package (import name ``chinese_calendar``), which knows a fixed
   range of years (2004–2026 in 1.11.0) and raises ``NotImplementedError`` outside it;
3. for a year neither knows: Monday–Friday on, weekends off, and every result that
   relied on such a year says so (``verified=False`` and a Chinese ``warning``).

A year counts as verified (已核实) when the package knows it or the office has entered at
least one override for it. A leaf module: no Streamlit, no SQL, no I/O.

One engine answers every question: a table of whole years (working day or not, year
verified or not, and the cumulative count of working days), built once per set of
overrides and span of years and shared by every ``WorkdayCalendar`` with the same
overrides. ``add_workdays`` is a binary search on the cumulative count,
``workdays_between`` a difference of two counts, and ``WorkdayIndex`` (whole columns at
once, for the compliance engine) is a slice of the same table.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache

import chinese_calendar
import numpy as np
import pandas as pd

__all__ = [
    "DatedResult",
    "WorkdayCalendar",
    "WorkdayIndex",
    "WorkdayOverride",
    "is_workday",
    "plan_due",
    "report_due",
    "unverified_year_warning",
    "workdays_between",
]

_ONE_DAY = timedelta(days=1)


def _as_date(day: date) -> date:
    """Accept a ``date`` (or a ``datetime``, reduced to its date); reject anything else."""
    if isinstance(day, datetime):
        return day.date()
    if not isinstance(day, date):
        raise TypeError(f"expected a datetime.date, got {type(day).__name__}")
    return day


@cache
def _package_knows(year: int) -> bool:
    """True when ``chinesecalendar`` has the official arrangement for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


_PACKAGE_FIRST_YEAR = min(chinese_calendar.holidays).year
_PACKAGE_LAST_YEAR = max(chinese_calendar.holidays).year


def unverified_year_warning(years: Iterable[int]) -> str:
    """Chinese warning for years whose 节假日安排 is unknown; "" when there are none.

    >>> unverified_year_warning([2027])
    '2027年节假日安排未录入，日期仅按周末计算'
    """
    return "；".join(f"{year}年节假日安排未录入，日期仅按周末计算" for year in sorted(set(years)))


@dataclass(frozen=True)
class WorkdayOverride:
    """One day the office sets by hand; it wins over the ``chinesecalendar`` package.

    ``is_workday=False`` is 休 (a holiday, 放假); ``is_workday=True`` is 班 (a make-up
    workday, 调休上班, usually a Saturday or Sunday). ``note`` is free text such as
    "春节" or "国办发明电〔2026〕X号".
    """

    day: date
    is_workday: bool
    note: str = ""


@dataclass(frozen=True)
class DatedResult:
    """A due date (截止日期) and whether every day counted to reach it is known.

    ``verified`` is False when the counting walked over a day in a year whose official
    arrangement (节假日安排) is neither in the package nor entered as overrides; those
    years are listed in ``unverified_years`` (ascending) and the date was found by
    weekends alone.
    """

    day: date
    verified: bool
    unverified_years: tuple[int, ...] = ()

    @property
    def warning(self) -> str:
        """Chinese message for the UI, one sentence per unverified year; "" if verified.

        e.g. "2027年节假日安排未录入，日期仅按周末计算".
        """
        return unverified_year_warning(self.unverified_years)


@dataclass(frozen=True, eq=False)
class _YearTable:
    """Every day of the years ``first_year``..``last_year``, as arrays and lists.

    ``cum[i]`` counts the working days among the first ``i + 1`` days; the lists mirror
    the arrays for fast look-ups of single days.
    """

    first_year: int
    last_year: int
    start: date
    work: np.ndarray
    cum: np.ndarray
    unverified: np.ndarray
    work_list: list[bool]
    cum_list: list[int]

    def position(self, day: date) -> int:
        """Offset of ``day`` from the table's first day (may lie outside the table)."""
        return (day - self.start).days

    def covers(self, day: date) -> bool:
        return self.first_year <= day.year <= self.last_year


# The package's own tables, read once: ``chinese_calendar.is_workday`` checks the date
# against the range of its whole holiday table on every call (tens of microseconds).
_PACKAGE_HOLIDAYS = np.array(sorted(chinese_calendar.holidays), dtype="datetime64[D]")
_PACKAGE_WORKDAYS = np.array(sorted(chinese_calendar.workdays), dtype="datetime64[D]")


@lru_cache(maxsize=32)
def _year_table(
    overrides: tuple[tuple[date, bool], ...], first_year: int, last_year: int
) -> _YearTable:
    """The table of ``first_year``..``last_year`` under ``overrides`` (built once, cached)."""
    start, end = date(first_year, 1, 1), date(last_year, 12, 31)
    days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + np.timedelta64(1, "D"))
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday (3)
    work = weekday < 5
    known = np.array([_package_knows(int(y)) for y in range(first_year, last_year + 1)])
    in_package = known[years - first_year]
    work[np.isin(days, _PACKAGE_HOLIDAYS) & in_package] = False
    work[np.isin(days, _PACKAGE_WORKDAYS) & in_package] = True
    override_years = {day.year for day, _ in overrides}
    for day, is_work in overrides:
        if first_year <= day.year <= last_year:
            work[(day - start).days] = is_work
    verified_years = known | np.isin(np.arange(first_year, last_year + 1), list(override_years))
    unverified = ~verified_years[years - first_year]
    cum = np.cumsum(work, dtype=np.int64)
    for array in (work, cum, unverified):
        array.setflags(write=False)
    return _YearTable(
        first_year, last_year, start, work, cum, unverified, work.tolist(), cum.tolist()
    )


class WorkdayCalendar:
    """Official working days (工作日): overrides, then ``chinesecalendar``, then weekends.

    Two overrides for the same day must agree, otherwise ``ValueError``: the calendar
    never picks one of two contradicting entries silently.
    """

    def __init__(self, overrides: Iterable[WorkdayOverride] = ()) -> None:
        by_day: dict[date, WorkdayOverride] = {}
        for override in overrides:
            day = _as_date(override.day)
            previous = by_day.get(day)
            if previous is not None and previous.is_workday != override.is_workday:
                raise ValueError(f"{day.isoformat()} 同时被设为上班和放假，请核对调休设置")
            by_day[day] = override
        self._overrides = by_day
        self._override_years = frozenset(day.year for day in by_day)
        self._key = tuple((day, by_day[day].is_workday) for day in sorted(by_day))
        self._table: _YearTable | None = None

    @property
    def overrides(self) -> tuple[WorkdayOverride, ...]:
        """The overrides in force, one per day, in date order."""
        return tuple(self._overrides[day] for day in sorted(self._overrides))

    # ---------------------------------------------------------------- the table
    def _covering(self, first: date, last: date) -> _YearTable:
        """The table, widened (and rebuilt once) when ``first``..``last`` lies outside."""
        table = self._table
        if table is not None and table.covers(first) and table.covers(last):
            return table
        years = [first.year, last.year, *self._override_years]
        if table is None:
            years += [_PACKAGE_FIRST_YEAR, _PACKAGE_LAST_YEAR + 2]
        else:
            years += [table.first_year, table.last_year]
        low, high = max(min(years), date.min.year), min(max(years), date.max.year)
        self._table = _year_table(self._key, low, high)
        return self._table

    def _widened(self, table: _YearTable, years_before: int, years_after: int) -> _YearTable:
        low = max(table.first_year - years_before, date.min.year)
        high = min(table.last_year + years_after, date.max.year)
        if (low, high) == (table.first_year, table.last_year):
            raise OverflowError("working-day count leaves the supported range of dates")
        self._table = _year_table(self._key, low, high)
        return self._table

    # ---------------------------------------------------------------- single days
    def is_verified(self, day: date) -> bool:
        """True when the year of ``day`` is known (已核实): the package has it, or the
        office entered at least one override (休 or 班) for that year."""
        return self._year_verified(_as_date(day).year)

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is an official working day (工作日).

        An override decides if there is one; else ``chinesecalendar``; for a year the
        package does not know, Monday–Friday are workdays and weekends are not (check
        ``is_verified`` before trusting that).
        """
        day = _as_date(day)
        table = self._table
        if table is None or not table.covers(day):
            table = self._covering(day, day)
        return table.work_list[(day - table.start).days]

    def is_makeup_workday(self, day: date) -> bool:
        """A Saturday or Sunday that is worked (调休上班, ``makeup_workday``)."""
        day = _as_date(day)
        return day.weekday() >= 5 and self.is_workday(day)

    # ---------------------------------------------------------------- counting
    def add_workdays(self, start: date, n: int) -> DatedResult:
        """The ``n``-th working day after ``start`` (``n > 0``) or before it (``n < 0``).

        Counting begins on the day after (or before) ``start``; ``start`` itself never
        counts. ``n == 0`` returns ``start`` unchanged (verified as its year is). The result
        is unverified when any day walked over, up to and including the result, lies in an
        unverified year.
        """
        start = _as_date(start)
        if n == 0:
            return self._result(start, {start.year})
        table = self._covering(start, start)
        spare = abs(n) // 200 + 1  # years to add when the count runs off the table
        while True:
            pos = (start - table.start).days
            cum = table.cum_list
            if n > 0:
                found = bisect_left(cum, cum[pos] + n, pos + 1)
                if found < len(cum):
                    break
                table = self._widened(table, 0, spare)
            else:
                target = cum[pos] - table.work_list[pos] + n + 1
                if target >= 1:
                    found = bisect_left(cum, target, 0, pos)
                    break
                table = self._widened(table, spare, 0)
        day = table.start + timedelta(days=found)
        low, high = (start + _ONE_DAY, day) if n > 0 else (day, start - _ONE_DAY)
        return self._result(day, range(low.year, high.year + 1))

    def plan_due(self, activity_day: date, n: int = 5) -> DatedResult:
        """Due date of the 活动方案: the ``n``-th working day counting back from the day
        before the activity (提前n个工作日). The activity day itself is not counted: the
        1st working day back is the last working day strictly before the activity."""
        _check_positive(n)
        return self.add_workdays(activity_day, -n)

    def report_due(self, activity_day: date, n: int = 5) -> DatedResult:
        """Due date of the 情况报告/新闻报道: the ``n``-th working day counting forward
        from the day after the activity (活动结束后n个工作日内)."""
        _check_positive(n)
        return self.add_workdays(activity_day, n)

    def workdays_between(self, start: date, end: date) -> int:
        """Number of working days ``d`` with ``start < d <= end``.

        For "逾期N个工作日" (start = due, end = today) and "剩余N个工作日" (start = today,
        end = due). When ``end < start`` the count is mirrored and negative:
        ``workdays_between(a, b) == -workdays_between(b, a)``. Whether the span is
        verified is told by ``unverified_years_between``.
        """
        start, end = _as_date(start), _as_date(end)
        table = self._table
        if table is None or not (table.covers(start) and table.covers(end)):
            table = self._covering(min(start, end), max(start, end))
        cum = table.cum_list
        return cum[(end - table.start).days] - cum[(start - table.start).days]

    def unverified_years_between(self, start: date, end: date) -> tuple[int, ...]:
        """Unverified years among the days ``workdays_between(start, end)`` looks at."""
        start, end = sorted((_as_date(start), _as_date(end)))
        if start == end:
            return ()
        first = (start + _ONE_DAY).year
        return tuple(year for year in range(first, end.year + 1) if not self._year_verified(year))

    def _result(self, day: date, years: Iterable[int]) -> DatedResult:
        unverified = tuple(sorted(year for year in set(years) if not self._year_verified(year)))
        return DatedResult(day=day, verified=not unverified, unverified_years=unverified)

    def _year_verified(self, year: int) -> bool:
        return year in self._override_years or _package_knows(year)

    def __repr__(self) -> str:
        return f"WorkdayCalendar(overrides={len(self._overrides)})"


def _check_positive(n: int) -> None:
    if n < 1:
        raise ValueError(f"工作日数须为正整数，收到 {n}")


_DEFAULT = WorkdayCalendar()


def is_workday(day: date) -> bool:
    """``WorkdayCalendar().is_workday(day)``: the package's calendar, no overrides."""
    return _DEFAULT.is_workday(day)


def plan_due(day: date, n: int = 5) -> DatedResult:
    """``WorkdayCalendar().plan_due(day, n)``: 活动方案 due date, no overrides."""
    return _DEFAULT.plan_due(day, n)


def report_due(day: date, n: int = 5) -> DatedResult:
    """``WorkdayCalendar().report_due(day, n)``: 情况报告 due date, no overrides."""
    return _DEFAULT.report_due(day, n)


def workdays_between(start: date, end: date) -> int:
    """``WorkdayCalendar().workdays_between(start, end)``, no overrides."""
    return _DEFAULT.workdays_between(start, end)


# ------------------------------------------------------------------ whole columns at once
_SHANGHAI = "Asia/Shanghai"


def local_naive(values: pd.Series) -> pd.Series:
    """Timestamps as naive Asia/Shanghai wall-clock times (aware ones are converted)."""
    values = pd.to_datetime(values)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert(_SHANGHAI).dt.tz_localize(None)
    return values.astype("datetime64[us]")


class WorkdayIndex:
    """The working days of ``start``..``end`` as arrays, for whole columns at once.

    A slice of the ``WorkdayCalendar``'s own table (so overrides and unverified years
    behave the same), it answers ``plan_due``, ``report_due``, ``workdays_between`` and
    ``late_workdays`` for a pandas Series of dates with array arithmetic on the cumulative
    count of working days, and agrees exactly with ``WorkdayCalendar`` day by day.

    Inputs are Series of dates (``datetime64`` or ``datetime.date``); missing values
    (``NaT``/``None``) give missing results. A date whose counting would leave the range
    raises ``ValueError``: build the index with room around the dates you ask about.
    Results are Series on the input's index; due dates are ``datetime64[us]`` (midnight).
    """

    def __init__(self, calendar: WorkdayCalendar, start: date, end: date) -> None:
        start, end = _as_date(start), _as_date(end)
        if end < start:
            raise ValueError("end must not be before start")
        self.calendar = calendar
        self.start, self.end = start, end
        table = calendar._covering(start, end)
        first, last = table.position(start), table.position(end)
        self._days = np.arange(
            np.datetime64(start, "D"), np.datetime64(end, "D") + np.timedelta64(1, "D")
        )
        self._work = table.work[first : last + 1]
        self._cum = np.cumsum(self._work, dtype=np.int64)
        self._unverified = table.unverified[first : last + 1]
        self._unverified_cum = np.cumsum(self._unverified, dtype=np.int64)

    def __repr__(self) -> str:
        return f"WorkdayIndex({self.start.isoformat()}..{self.end.isoformat()})"

    # ---------------------------------------------------------------- plumbing
    def _positions(self, days: pd.Series | object) -> tuple[pd.Series, np.ndarray, np.ndarray]:
        """(series, positions, present mask); positions of missing days are 0."""
        series = days if isinstance(days, pd.Series) else pd.Series(days)
        values = local_naive(series).to_numpy().astype("datetime64[D]")
        present = ~np.isnat(values)
        offsets = np.zeros(len(values), dtype=np.int64)
        offsets[present] = (values[present] - self._days[0]).astype(np.int64)
        outside = present & ((offsets < 0) | (offsets >= len(self._days)))
        if outside.any():
            bad = pd.Timestamp(values[outside][0]).date()
            raise ValueError(f"{bad.isoformat()} lies outside the working-day index {self!r}")
        return series, offsets, present

    def _dates(self, series: pd.Series, positions: np.ndarray, present: np.ndarray) -> pd.Series:
        out = np.full(len(positions), np.datetime64("NaT"), dtype="datetime64[us]")
        out[present] = self._days[positions[present]].astype("datetime64[us]")
        return pd.Series(out, index=series.index)

    # ---------------------------------------------------------------- per day
    def is_workday(self, days: pd.Series) -> pd.Series:
        """Whether each day is a working day (missing days give False)."""
        series, pos, present = self._positions(days)
        return pd.Series(self._work[pos] & present, index=series.index)

    def is_verified(self, days: pd.Series) -> pd.Series:
        """Whether each day's year is known (已核实); missing days give True."""
        series, pos, present = self._positions(days)
        return pd.Series(~(self._unverified[pos] & present), index=series.index)

    # ---------------------------------------------------------------- counting
    def add_workdays(self, days: pd.Series, n: int) -> pd.DataFrame:
        """``WorkdayCalendar.add_workdays`` for a column: columns ``day`` and ``verified``.

        ``verified`` is False when a day walked over, up to and including the result, lies
        in an unverified year (for ``n == 0``: when the day's own year is unverified).
        """
        series, pos, present = self._positions(days)
        cum, work, unv = self._cum, self._work, self._unverified_cum
        if n == 0:
            result = pos
            walked = np.where(present, self._unverified[pos], False).astype(np.int64)
        elif n > 0:
            target = cum[pos] + n
            result = np.searchsorted(cum, target, side="left")
            self._check_inside(result < len(cum), present, series, pos)
            result = np.minimum(result, len(cum) - 1)
            walked = unv[result] - unv[pos]
        else:
            target = cum[pos] - work[pos] + n + 1
            self._check_inside(target >= 1, present, series, pos)
            result = np.searchsorted(cum, np.maximum(target, 1), side="left")
            unv_self = self._unverified.astype(np.int64)
            walked = (unv[pos] - unv_self[pos]) - (unv[result] - unv_self[result])
        return pd.DataFrame(
            {
                "day": self._dates(series, result, present),
                "verified": np.where(present, walked == 0, True),
            },
            index=series.index,
        )

    def _check_inside(self, ok: np.ndarray, present: np.ndarray, series, pos) -> None:
        if (present & ~ok).any():
            first = pd.Timestamp(self._days[pos[present & ~ok][0]]).date()
            raise ValueError(f"counting from {first.isoformat()} leaves {self!r}")

    def plan_due(self, days: pd.Series, n: int = 5) -> pd.DataFrame:
        """``WorkdayCalendar.plan_due`` for a column (活动方案: n-th working day back)."""
        _check_positive(n)
        return self.add_workdays(days, -n)

    def report_due(self, days: pd.Series, n: int = 5) -> pd.DataFrame:
        """``WorkdayCalendar.report_due`` for a column (情况报告: n-th working day forward)."""
        _check_positive(n)
        return self.add_workdays(days, n)

    def workdays_between(self, starts: pd.Series, ends: pd.Series) -> pd.Series:
        """``WorkdayCalendar.workdays_between`` row by row (nullable ``Int64``).

        ``starts`` or ``ends`` may be a single date, applied to every row.
        """
        starts, ends = _align(starts, ends)
        s_series, s_pos, s_present = self._positions(starts)
        _, e_pos, e_present = self._positions(ends)
        counts = self._cum[e_pos] - self._cum[s_pos]
        return pd.Series(
            pd.array(counts, dtype="Int64", copy=False),
            index=s_series.index,
        ).mask(~(s_present & e_present))

    def late_workdays(self, deadlines: pd.Series, times: pd.Series) -> pd.Series:
        """``declaration_rules.late_workdays`` row by row (nullable ``Int64``).

        ``times`` are moments (aware, or naive Asia/Shanghai wall-clock times); a time
        before the end of its deadline day is 0, else the working days from the deadline
        to the time's day, a non-working day counting as the next working day, at least 1.
        ``deadlines`` or ``times`` may be a single value, applied to every row.
        """
        deadlines, times = _align(deadlines, times)
        d_series, d_pos, d_present = self._positions(deadlines)
        moments = local_naive(times)
        t_series, t_pos, t_present = self._positions(moments.dt.normalize())
        ends = self._days[d_pos].astype("datetime64[us]") + np.timedelta64(1, "D")
        late = moments.to_numpy() >= ends
        count = self._cum[t_pos] - self._cum[d_pos] + ~self._work[t_pos]
        value = np.where(late, np.maximum(count, 1), 0)
        return pd.Series(pd.array(value, dtype="Int64"), index=d_series.index).mask(
            ~(d_present & t_present)
        )

    def unverified_years_between(self, starts: pd.Series, ends: pd.Series) -> tuple[int, ...]:
        """Unverified years among the days any row's span (``start``, ``end``] looks at."""
        starts, ends = _align(starts, ends)
        _, s_pos, s_present = self._positions(starts)
        _, e_pos, e_present = self._positions(ends)
        both = s_present & e_present
        low, high = np.minimum(s_pos, e_pos)[both], np.maximum(s_pos, e_pos)[both]
        looked = high > low  # the span looks at the days low + 1 .. high
        low, high = low[looked] + 1, high[looked]
        years: set[int] = set()
        day_years = self._days.astype("datetime64[Y]").astype(np.int64) + 1970
        for year in np.unique(day_years[self._unverified]):
            inside = np.flatnonzero(day_years == year)
            if ((low <= inside[-1]) & (high >= inside[0])).any():
                years.add(int(year))
        return tuple(sorted(years))


def _align(first: object, second: object) -> tuple[pd.Series, pd.Series]:
    """Two columns of equal length; a scalar is repeated along the other column."""
    if isinstance(first, pd.Series) and not isinstance(second, pd.Series):
        return first, pd.Series(pd.Timestamp(second), index=first.index)
    if isinstance(second, pd.Series) and not isinstance(first, pd.Series):
        return pd.Series(pd.Timestamp(first), index=second.index), second
    first = first if isinstance(first, pd.Series) else pd.Series(first)
    second = second if isinstance(second, pd.Series) else pd.Series(second)
    if len(first) != len(second):
        raise ValueError("columns of different length")
    return first, second.set_axis(first.index)
