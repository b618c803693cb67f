"""考核 service: the compliance of a campaign as the screens and exports need it.

One entry point per use, each reading the facts through the repository (scoped to the
actor) and handing them to the plain compliance engine in :mod:`themeday.compliance`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd

from themeday.compliance import ComplianceResult, ComplianceWeights, compute, open_items
from themeday.declarations import calendar
from themeday.domain import Actor, Role, ValidationError, require_role
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


CONFIRM_CHASES_OVER = 3
"""标记已催办 of more items than this asks for a confirmation first."""


def record_chases(
    repo: Repository, actor: Actor, campaign: Campaign, items: Sequence[tuple[int, str]], note: str
) -> list[int]:
    """标记已催办 (office): the ``(unit_id, item)`` pairs, all or none, with one note."""
    require_role(actor, Role.OFFICE)
    if not items:
        raise ValidationError("请先选择要标记为已催办的事项。")
    return repo.record_chases(actor, campaign.id, list(items), note)


def add_adjustment(
    repo: Repository, actor: Actor, campaign: Campaign, unit_id: int, delta: float, reason: str
) -> int:
    """加减分 (office): a score change with its required reason, audited."""
    require_role(actor, Role.OFFICE)
    return repo.add_adjustment(actor, campaign.id, unit_id, delta, reason)


def set_weights(
    repo: Repository,
    actor: Actor,
    campaign: Campaign,
    values: Mapping[str, object],
    expected: ComplianceWeights | None,
) -> ComplianceWeights:
    """得分权重 (office): in force from now; refused as stale when someone else saved
    other weights since the form was filled from ``expected``."""
    require_role(actor, Role.OFFICE)
    return repo.set_weights(actor, campaign.id, dict(values), expected=expected)
