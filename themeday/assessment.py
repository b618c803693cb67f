"""考核 service: the compliance of a campaign as the screens and exports need it.

One entry point per use, each reading the facts through the repository (scoped to the
actor) and handing them to the plain compliance engine in :mod:`themeday.compliance`.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from themeday.compliance import ComplianceResult, compute, open_items
from themeday.declarations import calendar
from themeday.domain import Actor, Role
from themeday.records import Campaign
from themeday.repository import Repository


def assess(repo: Repository, actor: Actor, campaign: Campaign, as_of: date) -> ComplianceResult:
    """The compliance of every unit the actor may see, at the end of ``as_of``."""
    facts = repo.compliance_facts(actor, campaign.id)
    return compute(facts, campaign.rules, calendar(repo, actor), as_of)


def chase_items(
    repo: Repository,
    actor: Actor,
    campaign: Campaign,
    as_of: date,
    result: ComplianceResult | None = None,
) -> pd.DataFrame:
    """督办催办: every open deadline with its light, contacts and when it was last chased.

    Pass the ``result`` of :func:`assess` for the same date when the caller has it.
    """
    result = result or assess(repo, actor, campaign, as_of)
    chases = repo.list_chases(actor, campaign.id) if actor.role == Role.OFFICE else None
    return open_items(result, chases)


def unit_todo(repo: Repository, actor: Actor, campaign: Campaign, as_of: date) -> pd.DataFrame:
    """待办: the acting unit's own open deadlines (申报表, 活动方案, 活动总结) with lights."""
    items = open_items(assess(repo, actor, campaign, as_of))
    if actor.role == Role.UNIT:
        items = items[items["unit_id"] == actor.unit_id].reset_index(drop=True)
    return items
