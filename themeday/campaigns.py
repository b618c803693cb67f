"""New campaigns from a notice's preset or from an earlier year (新建活动)."""

from __future__ import annotations

from datetime import date
from typing import Any

from themeday.domain import PRESETS
from themeday.records import Campaign


def fields_from_preset(key: str) -> dict[str, Any]:
    """The settings of a campaign exactly as one notice describes it."""
    preset = PRESETS[key]
    return {
        "year": preset.year,
        "region": preset.region,
        "title": preset.title,
        "office_name": preset.office_name,
        "rules": preset.rules,
    }


def fields_for_next_year(base: Campaign) -> dict[str, Any]:
    """An earlier campaign carried into the following year: same rules, dates moved on."""
    year = base.year + 1
    return {
        "year": year,
        "region": base.region,
        "title": base.title.replace(str(base.year), str(year)),
        "office_name": base.office_name,
        "rules": base.rules.with_changes(
            declaration_deadline=_a_year_later(base.rules.declaration_deadline)
        ),
    }


def _a_year_later(day: date) -> date:
    """The same day a year later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)
