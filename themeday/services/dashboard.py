"""领导看板 service: the dashboard's charts, built once per data version and shared.

Every open dashboard reloads itself each minute; the charts it draws are the same for
every leader and the office until the next write, so they are built once from the
cached compliance result (:func:`themeday.services.assessment.assess`) and kept in a bounded
cache keyed like it (database, data version, campaign, as-of date, scope) plus the
number of units shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import altair as alt

from themeday.core import caching
from themeday.core.domain import Actor
from themeday.core.records import Campaign
from themeday.formats.charts import (
    progress_by_form_chart,
    progress_by_kind_chart,
    progress_by_month_chart,
    unit_check_heatmap,
    unit_ranking_chart,
    units_by_kind_chart,
)
from themeday.repository import Repository
from themeday.services.assessment import assess


@dataclass(frozen=True)
class ProgressCharts:
    """活动进展: by month and by form (None without activities), units and activities
    by 单位类别 (activities None without activities)."""

    by_month: alt.Chart | None
    by_form: alt.Chart | None
    units_by_kind: alt.Chart
    by_kind: alt.Chart | None


@dataclass(frozen=True)
class UnitCharts:
    """单位排名与检查情况 of the first ``top`` units (every unit when ``top`` is None)."""

    ranking: alt.LayerChart
    heatmap: alt.LayerChart


CHARTS_CACHE: caching.LruCache[ProgressCharts | UnitCharts] = caching.cache(
    "dashboard_charts", maxsize=16
)
"""Chart objects; Streamlit only reads them (``to_dict``), so they are handed out as is."""


def progress_charts(
    repo: Repository, actor: Actor, campaign: Campaign, as_of: date
) -> ProgressCharts:
    """The 活动进展 charts of the dashboard."""

    def built() -> ProgressCharts:
        result = assess(repo, actor, campaign, as_of)
        activities = result.activities
        months = range(campaign.rules.first_month, campaign.rules.last_month + 1)
        some = not activities.empty
        return ProgressCharts(
            by_month=progress_by_month_chart(activities, months) if some else None,
            by_form=progress_by_form_chart(activities) if some else None,
            units_by_kind=units_by_kind_chart(result.units),
            by_kind=progress_by_kind_chart(activities) if some else None,
        )

    database, version = repo.data_version()
    scope = ("progress", campaign, as_of, *caching.scope_of(actor))
    return CHARTS_CACHE.get(database, version, scope, built)


def unit_charts(
    repo: Repository, actor: Actor, campaign: Campaign, as_of: date, top: int | None
) -> UnitCharts:
    """The ranking and the check heatmap of the first ``top`` units."""

    def built() -> UnitCharts:
        result = assess(repo, actor, campaign, as_of)
        return UnitCharts(
            ranking=unit_ranking_chart(result.units, top),
            heatmap=unit_check_heatmap(result.units, result.activities, top),
        )

    database, version = repo.data_version()
    scope = ("units", campaign, as_of, top, *caching.scope_of(actor))
    return CHARTS_CACHE.get(database, version, scope, built)
