"""Campaign service (活动管理): new campaigns from a notice's preset or an earlier
year, their settings, and which one is current."""

from __future__ import annotations

from datetime import date
from typing import Any

from themeday.core.domain import PRESETS, Actor, Role, ValidationError, require_role
from themeday.core.records import Campaign
from themeday.repository import Repository


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


def create(repo: Repository, actor: Actor, fields: dict[str, Any], make_current: bool) -> int:
    """新建活动 (office): a campaign from ``fields`` (see :func:`fields_from_preset` and
    :func:`fields_for_next_year`); its rules are checked before anything is written.

    A year that already has a campaign for the same region is refused: two campaigns
    of one year and region would split the units' declarations between them.
    """
    require_role(actor, Role.OFFICE)
    _refuse_duplicate(repo, actor, fields["year"], fields["region"], None)
    return repo.catalogue.create_campaign(actor, make_current=make_current, **fields)


def update(repo: Repository, actor: Actor, campaign: Campaign, fields: dict[str, Any]) -> None:
    """活动设置 (office): save a campaign's title, region, office and rules, refused as
    stale when someone else saved it since ``campaign`` was read."""
    require_role(actor, Role.OFFICE)
    _refuse_duplicate(repo, actor, fields["year"], fields["region"], campaign.id)
    repo.catalogue.update_campaign(actor, campaign.id, campaign.version, **fields)


def make_current(repo: Repository, actor: Actor, campaign_id: int) -> None:
    """设为当前活动 (office): the campaign a new session opens on."""
    require_role(actor, Role.OFFICE)
    repo.catalogue.set_current_campaign(actor, campaign_id)


def _refuse_duplicate(
    repo: Repository, actor: Actor, year: int, region: str, own_id: int | None
) -> None:
    for other in repo.catalogue.list_campaigns(actor):
        if other.id != own_id and other.year == year and other.region.strip() == region.strip():
            raise ValidationError(
                f"{year}年已有{region.strip()}的主题日活动（{other.title}），请勿重复创建。"
            )
