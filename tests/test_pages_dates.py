"""AppTest: screens write dates in the one style (deadlines with the weekday, prose
dates without zero padding, times to the minute)."""

from __future__ import annotations

import re

from tests.helpers import host, texts
from themeday.core.dates import deadline_date
from themeday.core.domain import SYSTEM_ACTOR

DEADLINE = r"(\d{4}年)?\d{1,2}月\d{1,2}日（周[一二三四五六日]）"


def test_the_unit_home_gives_the_deadline_with_its_weekday(app_db):
    at = host(app_db, "unit_home", "unit3")
    assert not at.exception
    shown = texts(at, "info") + texts(at, "warning")
    assert re.search(rf"请于{DEADLINE}前填报", shown) or re.search(f"截止日期为{DEADLINE}", shown)
    assert not re.search(r"年0\d月|月0\d日", shown)  # no zero-padded prose dates


def test_the_review_queue_shows_the_deadline_and_minute_times(app_db):
    at = host(app_db, "declaration_review", "office")
    assert not at.exception
    deadline = app_db.catalogue.current_campaign(SYSTEM_ACTOR).rules.declaration_deadline
    assert f"申报截止：{deadline_date(deadline)}。" in texts(at, "caption")
    frames = [d.value for d in at.dataframe if "提交时间" in d.value.columns]
    times = [t for frame in frames for t in frame["提交时间"] if t]
    assert times and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", t) for t in times)
