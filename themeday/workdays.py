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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

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

    @property
    def overrides(self) -> tuple[WorkdayOverride, ...]:
        """The overrides in force, one per day, in date order."""
        return tuple(self._overrides[day] for day in sorted(self._overrides))

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
        override = self._overrides.get(day)
        if override is not None:
            return override.is_workday
        if _package_knows(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def is_makeup_workday(self, day: date) -> bool:
        """A Saturday or Sunday that is worked (调休上班, ``makeup_workday``)."""
        day = _as_date(day)
        return day.weekday() >= 5 and self.is_workday(day)

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
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        day = start
        years: set[int] = set()
        while remaining:
            day += step
            years.add(day.year)
            if self.is_workday(day):
                remaining -= 1
        return self._result(day, years)

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
        if end < start:
            return -self.workdays_between(end, start)
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            if self.is_workday(day):
                count += 1
            day += _ONE_DAY
        return count

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

    Built once from a ``WorkdayCalendar`` (so overrides and unverified years behave the
    same), it answers ``plan_due``, ``report_due``, ``workdays_between`` and
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
        count = (end - start).days + 1
        self._days = np.arange(
            np.datetime64(start, "D"), np.datetime64(end, "D") + np.timedelta64(1, "D")
        )
        self._work = np.fromiter(
            (calendar.is_workday(start + timedelta(days=i)) for i in range(count)),
            dtype=bool,
            count=count,
        )
        self._cum = np.cumsum(self._work, dtype=np.int64)
        years = self._days.astype("datetime64[Y]").astype(np.int64) + 1970
        known = {y: calendar.is_verified(date(int(y), 1, 1)) for y in np.unique(years)}
        self._unverified = np.array([not known[y] for y in years], dtype=bool)
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
