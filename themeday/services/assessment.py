"""考核 service: the compliance of a campaign as the screens and exports need it.

One entry point per use, each reading the facts through the repository (scoped to the
actor) and handing them to the plain compliance engine in :mod:`themeday.core.compliance`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

import pandas as pd

from themeday.core import caching
from themeday.core.compliance import ComplianceResult, ComplianceWeights, compute, open_items
from themeday.core.domain import Actor, Role, ValidationError, require_role
from themeday.core.records import Campaign
from themeday.repository import Repository
from themeday.services import activities
from themeday.services.boards import Card, cards_of, next_due_by_activity
from themeday.services.declarations import calendar


def _own_frames(result: ComplianceResult) -> ComplianceResult:
    """The cached result with frames of its own (cheap: pandas copies on write), so a
    caller that adds or replaces a column leaves the cached one as it was."""
    return replace(
        result,
        units=result.units.copy(deep=False),
        activities=result.activities.copy(deep=False),
        adjustments=result.adjustments.copy(deep=False),
    )


COMPLIANCE_CACHE: caching.LruCache[ComplianceResult] = caching.cache(
    "compliance", maxsize=16, copy=_own_frames
)
"""Compliance results by database, data version, campaign, as-of date and scope."""

CHASE_CACHE: caching.LruCache[pd.DataFrame] = caching.cache(
    "chase_items", maxsize=8, copy=lambda frame: frame.copy(deep=False)
)
"""督办 items (with 催办记录 for the office) keyed as :data:`COMPLIANCE_CACHE`."""


def assess(repo: Repository, actor: Actor, campaign: Campaign, as_of: date) -> ComplianceResult:
    """The compliance of every unit the actor may see, at the end of ``as_of``.

    Shared by every session of the process (:data:`COMPLIANCE_CACHE`) until the next
    write; a unit user's result is its own unit's and is cached for that unit only.
    """

    def computed() -> ComplianceResult:
        facts = repo.compliance.compliance_facts(actor, campaign.id)
        return compute(facts, campaign.rules, calendar(repo, actor), as_of)

    database, version = repo.data_version()
    scope = (campaign, as_of, *caching.scope_of(actor))
    return COMPLIANCE_CACHE.get(database, version, scope, computed)


def chase_items(
    repo: Repository,
    actor: Actor,
    campaign: Campaign,
    as_of: date,
    result: ComplianceResult | None = None,
) -> pd.DataFrame:
    """督办催办: every open deadline with its light, contacts and when it was last chased.

    Pass the ``result`` of :func:`assess` for the same date when the caller has it;
    it is used only while caching is off, since it may be from before a write that
    another session made meanwhile (the cached one is read at the current version).
    """
    with_chases = actor.role == Role.OFFICE

    def computed() -> pd.DataFrame:
        chases = repo.compliance.list_chases(actor, campaign.id) if with_chases else None
        fresh = result if result is not None and not caching.enabled() else None
        return open_items(fresh or assess(repo, actor, campaign, as_of), chases)

    database, version = repo.data_version()
    scope = (campaign, as_of, with_chases, *caching.scope_of(actor))
    return CHASE_CACHE.get(database, version, scope, computed)


BOARD_CACHE: caching.LruCache[dict[int, Card]] = caching.cache("board_cards", maxsize=16, copy=dict)
"""看板 cards of every activity, keyed as :data:`COMPLIANCE_CACHE`."""


def board_cards(repo: Repository, actor: Actor, campaign: Campaign, as_of: date) -> dict[int, Card]:
    """看板视图: the card of every activity the actor may see (:func:`activities.lifecycle`),
    with its next open item's light on ``as_of``, by activity id."""

    def computed() -> dict[int, Card]:
        result = assess(repo, actor, campaign, as_of)
        everything = activities.lifecycle(repo, actor, campaign.id)
        cards = cards_of(everything, next_due_by_activity(result.activities))
        return {card.activity_id: card for card in cards}

    database, version = repo.data_version()
    scope = (campaign, as_of, *caching.scope_of(actor))
    return BOARD_CACHE.get(database, version, scope, computed)


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
    return repo.compliance.record_chases(actor, campaign.id, list(items), note)


def add_adjustment(
    repo: Repository, actor: Actor, campaign: Campaign, unit_id: int, delta: float, reason: str
) -> int:
    """加减分 (office): a score change with its required reason, audited."""
    require_role(actor, Role.OFFICE)
    return repo.compliance.add_adjustment(actor, campaign.id, unit_id, delta, reason)


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
    return repo.compliance.set_weights(actor, campaign.id, dict(values), expected=expected)
