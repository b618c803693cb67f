"""考核 facts, score adjustments, score weights and 催办记录 (compliance data).

``compliance_facts`` reads everything the compliance engine (``themeday.core.compliance``)
needs about one campaign in a fixed number of set-based queries (joins and aggregates,
never one query per unit or activity), as pandas DataFrames. The engine derives every
status from the timestamps in them for any as-of date, so the facts hold whole
histories: declaration history, the dated lifecycle events of the audit log, uploads
with their times, adjustments with theirs, and every version of the score weights.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from themeday.core.compliance import ComplianceFacts
from themeday.core.domain import (
    Actor,
    ComplianceWeights,
    NotFound,
    Role,
    StaleRecord,
    ValidationError,
)
from themeday.core.records import Chase, ScoreAdjustment
from themeday.repository.base import STALE_MESSAGE, Family
from themeday.storage.db import in_transaction

MAX_REASON = 500
MAX_DELTA = 1000.0
CHASE_ITEM = re.compile(r"(unit|declaration|(plan|report):(\d+))")
"""催办 items: ``unit`` (the unit as a whole), ``declaration`` (申报), ``plan:<activity id>``
(活动方案) or ``report:<activity id>`` (活动总结)."""

LIFECYCLE_ACTIONS = ("schedule", "record_held", "publish", "unpublish", "typical_case")
"""Audit actions on activities whose dated values the engine replays for an as-of date."""


class Compliance(Family):
    """考核 facts, adjustments (加减分), score weights and 催办记录."""

    # ------------------------------------------------------------ facts
    def compliance_facts(self, actor: Actor, campaign_id: int) -> ComplianceFacts:
        """The facts of one campaign for the compliance engine, scoped to the actor.

        The office and leaders get every unit; a unit user only its own unit's rows.
        Timestamps are ``datetime64[us, Asia/Shanghai]``, dates ``datetime64[us]``.

        - ``units``: unit_id, unit_name, unit_kind, contact_person, contact_phone,
          enabled — the roster (enabled units, and disabled ones that have a 申报表 in
          this campaign). The roster is not dated: it is the same for every as-of date.
        - ``declarations``: declaration_id, unit_id, status (now), created_at,
          declared_at (the first submission: the earliest of ``submitted_at`` and the
          history), approved_at (the first approval; a lifecycle step implies one).
        - ``declaration_events``: event_id, declaration_id, occurred_at, action, status
          (the status after the event).
        - ``declared_themes``: event_id, declaration_id, seq, planned_month, form — the
          themes of each history snapshot (the 申报表 as it stood at that event).
        - ``activities``: activity_id, declaration_id, unit_id, seq, title,
          planned_month, form, contact, status, created_at, activity_date, scheduled_at,
          plan_filed_at, held_date, held_recorded_at, report_filed_at, published_at,
          cancelled_at, typical_case, off_month_reason.
        - ``activity_events``: event_id, activity_id, occurred_at, action (schedule,
          record_held, publish, unpublish, typical_case), value_date (the date set by
          schedule/record_held), value_flag (published or typical after the event).
        - ``markings``: attachment_id, activity_id, uploaded_at, removed_at (现场标识
          photos; a removed one counted only before its removal).
        - ``adjustments``: adjustment_id, unit_id, delta, reason, created_by, created_at.
        - ``weights_history``: weights_id, weights (JSON), set_by, set_at.
        """
        self._require(actor, Role.OFFICE, Role.LEADER, Role.UNIT)
        own = actor.role == Role.UNIT
        if own and actor.unit_id is None:
            raise ValidationError("该账号未关联单位。")

        def scoped(column: str) -> tuple[str, list[Any]]:
            return (f" AND {column} = ?", [actor.unit_id]) if own else ("", [])

        c = campaign_id
        where, extra = scoped("un.id")
        units = self._frame(
            "SELECT un.id AS unit_id, un.name AS unit_name, un.kind AS unit_kind,"
            " un.contact_person, un.contact_phone, un.enabled FROM unit un"
            " WHERE (un.enabled OR un.id IN"
            " (SELECT unit_id FROM declaration WHERE campaign_id = ?))"
            f"{where} ORDER BY un.id",
            [c, *extra],
        )
        where, extra = scoped("d.unit_id")
        declarations = self._frame(
            "WITH h AS (SELECT declaration_id, min(occurred_at) AS first_event_at,"
            " min(occurred_at) FILTER (WHERE status = 'approved') AS first_approved_at"
            " FROM declaration_history WHERE declaration_id IN"
            " (SELECT id FROM declaration WHERE campaign_id = ?) GROUP BY declaration_id),"
            " s AS (SELECT declaration_id, least(min(scheduled_at), min(plan_filed_at),"
            " min(held_recorded_at), min(report_filed_at), min(published_at),"
            " min(cancelled_at)) AS first_step_at FROM activity WHERE campaign_id = ?"
            " GROUP BY declaration_id),"
            " x AS (SELECT d.id AS declaration_id, d.unit_id, d.status, d.created_at,"
            " d.submitted_at, h.first_event_at,"
            " least(h.first_approved_at, s.first_step_at, CASE WHEN d.status = 'approved'"
            " AND h.first_approved_at IS NULL THEN coalesce(d.submitted_at, d.created_at)"
            " END) AS approved_at"
            " FROM declaration d LEFT JOIN h ON h.declaration_id = d.id"
            f" LEFT JOIN s ON s.declaration_id = d.id WHERE d.campaign_id = ?{where})"
            " SELECT declaration_id, unit_id, status, created_at,"
            " least(submitted_at, first_event_at, approved_at, CASE WHEN status <> 'draft'"
            " AND submitted_at IS NULL AND first_event_at IS NULL THEN created_at END)"
            " AS declared_at, approved_at FROM x ORDER BY declaration_id",
            [c, c, c, *extra],
        )
        history = (
            " FROM declaration_history h JOIN declaration d ON d.id = h.declaration_id"
            f" WHERE d.campaign_id = ?{where}"
        )
        declaration_events = self._frame(
            "SELECT h.id AS event_id, h.declaration_id, h.occurred_at, h.action, h.status"
            f"{history} ORDER BY h.id",
            [c, *extra],
        )
        declared_themes = self._frame(
            "WITH t AS (SELECT h.id AS event_id, h.declaration_id,"
            " from_json(json_extract(h.snapshot, '$.themes'),"
            ' \'[{"planned_month": "INTEGER", "form": "VARCHAR"}]\') AS themes'
            f"{history})"
            " SELECT event_id, declaration_id, CAST(seq AS INTEGER) AS seq, planned_month,"
            " form FROM (SELECT event_id, declaration_id, generate_subscripts(themes, 1)"
            " AS seq, unnest(themes, recursive := true) FROM t) ORDER BY event_id, seq",
            [c, *extra],
        )
        where, extra = scoped("a.unit_id")
        activities = self._frame(
            "SELECT a.id AS activity_id, a.declaration_id, a.unit_id, a.seq, a.title,"
            " a.planned_month, a.form, a.contact, a.status, a.created_at, a.activity_date,"
            " a.scheduled_at, a.plan_filed_at, a.held_date, a.held_recorded_at,"
            " a.report_filed_at, a.published_at, a.cancelled_at, a.typical_case,"
            f" a.off_month_reason FROM activity a WHERE a.campaign_id = ?{where}"
            " ORDER BY a.id",
            [c, *extra],
        )
        actions = ", ".join(f"'{a}'" for a in LIFECYCLE_ACTIONS)
        activity_events = self._frame(
            # The audit rows written by each lifecycle step carry its value: schedule
            # "旧日期 → 新日期", record_held the held date, typical_case 标记/取消标记.
            "SELECT l.id AS event_id, a.id AS activity_id, l.occurred_at, l.action,"
            " CASE l.action WHEN 'schedule' THEN"
            " TRY_CAST(trim(split_part(l.detail, '→', 2)) AS DATE)"
            " WHEN 'record_held' THEN TRY_CAST(trim(l.detail) AS DATE) END AS value_date,"
            " CASE l.action WHEN 'publish' THEN TRUE WHEN 'unpublish' THEN FALSE"
            " WHEN 'typical_case' THEN l.detail = '标记' END AS value_flag"
            " FROM audit_log l JOIN activity a ON l.object_id = CAST(a.id AS VARCHAR)"
            f" WHERE l.object_type = 'activity' AND l.success AND l.action IN ({actions})"
            f" AND a.campaign_id = ?{where} ORDER BY l.id",
            [c, *extra],
        )
        where, extra = scoped("f.unit_id")
        markings = self._frame(
            "SELECT f.id AS attachment_id, f.owner_id AS activity_id, f.uploaded_at,"
            " f.removed_at FROM attachment f WHERE f.owner_type = 'activity' AND f.kind = 'marking'"
            f" AND f.campaign_id = ?{where} ORDER BY f.id",
            [c, *extra],
        )
        where, extra = scoped("s.unit_id")
        adjustments = self._frame(
            "SELECT s.id AS adjustment_id, s.unit_id, s.delta, s.reason, s.created_by,"
            f" s.created_at FROM score_adjustment s WHERE s.campaign_id = ?{where}"
            " ORDER BY s.id",
            [c, *extra],
        )
        weights_history = self._frame(
            "SELECT id AS weights_id, weights, set_by, set_at FROM compliance_weights"
            " WHERE campaign_id = ? ORDER BY set_at, id",
            [c],
        )
        return ComplianceFacts(
            campaign_id=campaign_id,
            units=units,
            declarations=declarations,
            declaration_events=declaration_events,
            declared_themes=declared_themes,
            activities=activities,
            activity_events=activity_events,
            markings=markings,
            adjustments=adjustments,
            weights_history=weights_history,
        )

    # ------------------------------------------------------------ adjustments
    def add_adjustment(
        self, actor: Actor, campaign_id: int, unit_id: int, delta: float, reason: str
    ) -> int:
        """加减分 (office): a score change with its required reason, audited."""
        self._require(actor, Role.OFFICE)
        reason = (reason or "").strip()
        problems = []
        if isinstance(delta, bool) or not isinstance(delta, (int, float)):
            problems.append("加减分须为数字。")
        elif not (0 < abs(delta) <= MAX_DELTA):
            problems.append(f"加减分须为非零数字，绝对值不超过{MAX_DELTA:g}分。")
        if not reason:
            problems.append("加减分须填写原因。")
        elif len(reason) > MAX_REASON:
            problems.append(f"加减分原因不超过{MAX_REASON}个字。")
        if problems:
            raise ValidationError(problems)

        def work() -> int:
            self._check_campaign_and_unit(campaign_id, unit_id)
            adjustment_id = self._one(
                "INSERT INTO score_adjustment (campaign_id, unit_id, delta, reason,"
                " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                [campaign_id, unit_id, float(delta), reason, actor.username, self.clock()],
            )[0]
            self._audit(
                actor,
                "adjust_score",
                "score_adjustment",
                adjustment_id,
                detail=f"单位{unit_id} {float(delta):+g}：{reason}"[:500],
            )
            return adjustment_id

        return in_transaction(self.cur, work)

    def list_adjustments(self, actor: Actor, campaign_id: int) -> list[ScoreAdjustment]:
        """加减分记录 of a campaign, oldest first; a unit user sees only its own."""
        self._require(actor, Role.OFFICE, Role.LEADER, Role.UNIT)
        sql = (
            "SELECT s.id, s.campaign_id, s.unit_id, un.name, s.delta, s.reason, s.created_by,"
            " s.created_at FROM score_adjustment s JOIN unit un ON un.id = s.unit_id"
            " WHERE s.campaign_id = ?"
        )
        scope, scope_params = self._unit_scope(actor, "s.unit_id")
        sql += scope
        params: list[Any] = [campaign_id, *scope_params]
        return [ScoreAdjustment(*r) for r in self._all(sql + " ORDER BY s.id", params)]

    # ------------------------------------------------------------ weights
    def get_weights(self, actor: Actor, campaign_id: int) -> ComplianceWeights:
        """The campaign's score weights now (the defaults until the office sets them)."""
        row = self._one(
            "SELECT weights FROM compliance_weights WHERE campaign_id = ?"
            " ORDER BY set_at DESC, id DESC LIMIT 1",
            [campaign_id],
        )
        return ComplianceWeights.from_json(row[0] if row else None)

    def set_weights(
        self,
        actor: Actor,
        campaign_id: int,
        weights: ComplianceWeights | dict[str, object],
        expected: ComplianceWeights | None = None,
    ) -> ComplianceWeights:
        """Set the campaign's score weights (office), audited. Earlier versions are kept,
        so a past as-of date still scores with the weights in force then.

        ``expected`` is what the form was filled from: when someone else saved other
        weights meanwhile, the save is refused as stale instead of overwriting theirs.
        """
        self._require(actor, Role.OFFICE)
        values = asdict(weights) if isinstance(weights, ComplianceWeights) else dict(weights)
        weights = ComplianceWeights.from_mapping(values)
        text = weights.to_json()

        def work() -> None:
            if not self._one("SELECT 1 FROM campaign WHERE id = ?", [campaign_id]):
                raise NotFound("活动不存在。")
            if expected is not None and self.get_weights(actor, campaign_id) != expected:
                raise StaleRecord(STALE_MESSAGE)
            self.cur.execute(
                "INSERT INTO compliance_weights (campaign_id, weights, set_by, set_at)"
                " VALUES (?, ?, ?, ?)",
                [campaign_id, text, actor.username, self.clock()],
            )
            self._audit(actor, "set_weights", "campaign", campaign_id, detail=text[:500])

        in_transaction(self.cur, work)
        return weights

    # ------------------------------------------------------------ 催办
    def record_chase(
        self, actor: Actor, campaign_id: int, unit_id: int, item: str, note: str = ""
    ) -> int:
        """Mark an item as chased (催办记录, office), audited.

        ``item`` is ``unit``, ``declaration``, ``plan:<activity id>`` or
        ``report:<activity id>`` (see ``themeday.core.compliance.item_key``); an activity must
        belong to the unit and campaign.
        """
        return self.record_chases(actor, campaign_id, [(unit_id, item)], note)[0]

    def record_chases(
        self,
        actor: Actor,
        campaign_id: int,
        items: Sequence[tuple[int, str]],
        note: str = "",
    ) -> list[int]:
        """Mark several ``(unit_id, item)`` as chased in one transaction: all or none."""
        self._require(actor, Role.OFFICE)
        note = (note or "").strip()
        if len(note) > MAX_REASON:
            raise ValidationError(f"催办说明不超过{MAX_REASON}个字。")
        checked = []
        for unit_id, item in items:
            item = (item or "").strip()
            match = CHASE_ITEM.fullmatch(item)
            if match is None:
                raise ValidationError("催办事项无效。")
            checked.append((int(unit_id), item, match.group(3)))

        def work() -> list[int]:
            ids = []
            for unit_id, item, activity_id in checked:
                self._check_campaign_and_unit(campaign_id, unit_id)
                if activity_id is not None:
                    found = self._one(
                        "SELECT 1 FROM activity WHERE id = ? AND campaign_id = ? AND unit_id = ?",
                        [int(activity_id), campaign_id, unit_id],
                    )
                    if not found:
                        raise NotFound("该单位在本次活动中没有这个活动。")
                chase_id = self._one(
                    "INSERT INTO chase (campaign_id, unit_id, item, note, created_by,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    [campaign_id, unit_id, item, note, actor.username, self.clock()],
                )[0]
                detail = f"单位{unit_id} {item} {note}"
                self._audit(actor, "chase", "chase", chase_id, detail=detail)
                ids.append(chase_id)
            return ids

        return in_transaction(self.cur, work)

    def list_chases(self, actor: Actor, campaign_id: int) -> list[Chase]:
        """催办记录 of a campaign, oldest first (office)."""
        self._require(actor, Role.OFFICE)
        rows = self._all(
            "SELECT c.id, c.campaign_id, c.unit_id, un.name, c.item, c.note, c.created_by,"
            " c.created_at FROM chase c JOIN unit un ON un.id = c.unit_id"
            " WHERE c.campaign_id = ? ORDER BY c.id",
            [campaign_id],
        )
        return [Chase(*r) for r in rows]

    def _check_campaign_and_unit(self, campaign_id: int, unit_id: int) -> None:
        if not self._one("SELECT 1 FROM campaign WHERE id = ?", [campaign_id]):
            raise NotFound("活动不存在。")
        if not self._one("SELECT 1 FROM unit WHERE id = ?", [unit_id]):
            raise NotFound("单位不存在。")
