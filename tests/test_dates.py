"""The one date style: tables, deadlines with their weekday, prose, times to the minute."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from themeday.core.config import TZ
from themeday.core.dates import (
    deadline_date,
    deadline_dates,
    minute_time,
    prose_date,
    table_date,
    table_deadline,
    table_deadlines,
    weekday,
)
from themeday.core.domain import cn_date


def test_a_table_date_is_iso_and_a_moment_becomes_its_beijing_day():
    assert table_date(date(2026, 12, 3)) == "2026-12-03"
    assert table_date(pd.Timestamp("2026-12-03")) == "2026-12-03"
    # 2026-12-02 20:30 UTC is already 12月3日 in Beijing
    assert table_date(datetime(2026, 12, 2, 20, 30, tzinfo=UTC)) == "2026-12-03"
    assert table_date("2026-12-03") == "2026-12-03"


@pytest.mark.parametrize("missing", [None, "", pd.NaT, float("nan")])
def test_missing_values_are_empty_not_none(missing):
    assert table_date(missing) == ""
    assert deadline_date(missing) == ""
    assert prose_date(missing) == ""
    assert minute_time(missing) == ""
    assert weekday(missing) == ""


def test_a_deadline_carries_its_weekday_and_its_year_only_when_not_this_year():
    today = date(2026, 11, 20)
    assert deadline_date(date(2026, 12, 3), today) == "12月3日（周四）"
    assert deadline_date(date(2027, 1, 5), today) == "2027年1月5日（周二）"
    assert deadline_date(date(2025, 12, 28), today) == "2025年12月28日（周日）"
    assert weekday(date(2026, 12, 7)) == "周一"


def test_prose_dates_have_no_leading_zeros():
    assert prose_date(date(2026, 4, 9)) == "2026年4月9日"
    assert cn_date(date(2023, 10, 9)) == "2023年10月9日"
    assert cn_date(None) == "—"


def test_times_are_beijing_to_the_minute_without_seconds_or_offset():
    moment = datetime(2026, 12, 2, 13, 5, 23, 949357, tzinfo=TZ)
    assert minute_time(moment) == "2026-12-02 13:05"
    assert minute_time(datetime(2026, 12, 2, 5, 5, 59, tzinfo=UTC)) == "2026-12-02 13:05"
    assert minute_time(datetime(2026, 12, 2, 13, 5, 1)) == "2026-12-02 13:05"  # naive: Beijing
    assert minute_time("2026-12-02 13:05:23.949357+08:00") == "2026-12-02 13:05"
    assert minute_time(pd.Timestamp(moment)) == "2026-12-02 13:05"
    assert minute_time(date(2026, 12, 2)) == "2026-12-02"


def test_a_column_of_deadlines_reads_like_one_deadline():
    today = date(2026, 11, 20)
    days = pd.Series([date(2026, 12, 3), None, date(2027, 1, 5)])
    assert deadline_dates(days, today).tolist() == ["12月3日（周四）", "", "2027年1月5日（周二）"]


def test_a_deadline_in_a_table_keeps_the_iso_date_first():
    assert table_deadline(date(2026, 12, 3)) == "2026-12-03（周四）"
    assert table_deadline(None) == ""


def test_a_column_of_deadlines_reads_like_each_deadline_alone():
    """``table_deadlines`` (督办催办's 13,000 rows at once) equals ``table_deadline``."""
    days = pd.Series([date(2026, 12, 3), None, date(2027, 1, 5), date(2023, 4, 14)])
    assert table_deadlines(days).tolist() == [table_deadline(d) for d in days]
    assert table_deadlines(days).tolist()[0] == "2026-12-03（周四）"
    moments = pd.Series([datetime(2026, 12, 3, 17, 0, tzinfo=UTC), None])  # 01:00 in Beijing
    assert table_deadlines(moments).tolist() == ["2026-12-04（周五）", ""]
    assert table_deadline(datetime(2026, 12, 3, 17, 0, tzinfo=UTC)) == "2026-12-04（周五）"
