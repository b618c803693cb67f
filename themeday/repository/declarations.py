"""Declarations, their themes and history (申报与活动)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from themeday.core.domain import (
    Actor,
    CampaignRules,
    DeclarationStatus,
    NotFound,
    Role,
    StaleRecord,
    ValidationError,
)
from themeday.core.records import Activity, Attachment, Declaration, DeclarationEvent, Unit
from themeday.repository.base import STALE_MESSAGE, Family, fast_moments, local_moments
from themeday.storage.db import in_transaction

_DECLARATION_COLUMNS = (
    "d.id, d.campaign_id, d.unit_id, un.name, d.status, d.contact_person,"
    " d.contact_phone, d.submitted_at, d.version, d.late_workdays, d.return_reason,"
    " d.scan_attachment_id, un.kind"
)
_FAST_DECLARATION_COLUMNS, _SUBMITTED_AT = fast_moments(_DECLARATION_COLUMNS, ("d.submitted_at",))
"""For the lists of a whole campaign (thousands of 申报表 at a province)."""
_PLAN_COLUMNS = (
    "a.id, a.declaration_id, a.campaign_id, a.unit_id, un.name, a.seq, a.title,"
    " a.planned_month, a.form, a.summary,"
    " CASE WHEN ? IS NULL OR a.unit_id = ? THEN a.contact ELSE '' END,"
    " a.activity_date, a.place, a.status, un.kind"
)
"""What the 全年计划 holds of a theme: never plan, report or attendance details; the
contact only for the reader's own unit (or everyone's, for the office and leaders:
the two parameters are the reading unit's id, NULL for them)."""
ACTIVITY_COLUMNS = (
    "a.id, a.declaration_id, a.campaign_id, a.unit_id, un.name, a.seq, a.title,"
    " a.planned_month, a.form, a.summary, a.contact, a.activity_date, a.place, a.status,"
    " un.kind, a.invitees, a.expected_participants, a.off_month_reason, a.plan_text,"
    " a.plan_filed_at, a.held_date, a.attendance, a.media_outlets, a.report_text,"
    " a.report_filed_at, a.cancel_reason, a.published_at, a.portal_url, a.typical_case,"
    " a.version"
)


ATTACHMENT_COLUMNS = (
    "id, campaign_id, unit_id, owner_type, owner_id, kind, original_name, stored_name, fmt,"
    " size, sha256, uploaded_by, uploaded_at, thumbnail_name, thumbnail_sha256"
)


@dataclass(frozen=True)
class ScanFile:
    """A stamped scan (盖章扫描件) already checked and stored, to be recorded."""

    original_name: str
    stored_name: str
    fmt: str
    size: int
    sha256: str


class Declarations(Family):
    """Declarations, their themes and history (申报与活动)."""

    def list_declarations(self, actor: Actor, campaign_id: int) -> list[Declaration]:
        """申报表 of a campaign; a unit user gets only its own."""
        sql = (
            f"SELECT {_FAST_DECLARATION_COLUMNS} FROM declaration d"
            " JOIN unit un ON un.id = d.unit_id WHERE d.campaign_id = ?"
        )
        scope, scope_params = self._unit_scope(actor, "d.unit_id")
        params: list[Any] = [campaign_id, *scope_params]
        rows = self._all(sql + scope + " ORDER BY un.kind, un.id", params)
        return [Declaration(*local_moments(r, _SUBMITTED_AT)) for r in rows]

    def get_declaration(self, actor: Actor, declaration_id: int) -> Declaration:
        return self._own_unit_record(
            actor,
            Declaration,
            f"SELECT {_DECLARATION_COLUMNS} FROM declaration d JOIN unit un ON un.id = d.unit_id"
            " WHERE d.id = ?",
            [declaration_id],
            "申报表不存在。",
        )

    def list_activities(
        self, actor: Actor, campaign_id: int, unit_id: int | None = None
    ) -> list[Activity]:
        """Declared themes and activities of a campaign; a unit user gets only its own."""
        sql = (
            f"SELECT {ACTIVITY_COLUMNS} FROM activity a JOIN unit un ON un.id = a.unit_id"
            " WHERE a.campaign_id = ?"
        )
        scope, scope_params = self._unit_scope(actor, "a.unit_id", unit_id)
        sql += scope
        params: list[Any] = [campaign_id, *scope_params]
        rows = self._all(sql + " ORDER BY a.planned_month, un.id, a.seq", params)
        return [Activity(*r) for r in rows]

    def declaration_for(self, actor: Actor, campaign_id: int, unit_id: int) -> Declaration | None:
        """A unit's 申报表 in a campaign, or None when it has not started one."""
        self._require_own_unit(actor, unit_id)
        row = self._one(
            f"SELECT {_DECLARATION_COLUMNS} FROM declaration d JOIN unit un ON un.id = d.unit_id"
            " WHERE d.campaign_id = ? AND d.unit_id = ?",
            [campaign_id, unit_id],
        )
        return Declaration(*row) if row else None

    def list_themes(self, actor: Actor, declaration_id: int) -> list[Activity]:
        """The rows of one 申报表 in their order (序号)."""
        self.get_declaration(actor, declaration_id)  # scope check
        rows = self._all(
            f"SELECT {ACTIVITY_COLUMNS} FROM activity a JOIN unit un ON un.id = a.unit_id"
            " WHERE a.declaration_id = ? ORDER BY a.seq",
            [declaration_id],
        )
        return [Activity(*r) for r in rows]

    # ------------------------------------------------------------ writing
    def _insert_themes(
        self, declaration_id: int, campaign_id: int, unit_id: int, themes: Sequence[dict]
    ) -> None:
        now = self.clock()
        for seq, theme in enumerate(themes, start=1):
            self.cur.execute(
                "INSERT INTO activity (declaration_id, campaign_id, unit_id, seq, title,"
                " planned_month, form, summary, contact, activity_date, place, status,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    declaration_id,
                    campaign_id,
                    unit_id,
                    seq,
                    theme["title"],
                    theme["planned_month"],
                    theme["form"],
                    theme.get("summary", ""),
                    theme.get("contact", ""),
                    theme.get("activity_date"),
                    theme.get("place", ""),
                    theme.get("status", "planned"),
                    now,
                    now,
                ],
            )

    def _snapshot(self, declaration_id: int) -> str:
        head = self._one(
            "SELECT contact_person, contact_phone FROM declaration WHERE id = ?", [declaration_id]
        )
        rows = self._all(
            "SELECT title, planned_month, form, summary, contact FROM activity"
            " WHERE declaration_id = ? ORDER BY seq",
            [declaration_id],
        )
        keys = ("title", "planned_month", "form", "summary", "contact")
        return json.dumps(
            {
                "contact_person": head[0],
                "contact_phone": head[1],
                "themes": [dict(zip(keys, r, strict=True)) for r in rows],
            },
            ensure_ascii=False,
        )

    def _record_history(
        self, actor: Actor, declaration_id: int, action: str, reason: str = ""
    ) -> None:
        status, version = self._one(
            "SELECT status, version FROM declaration WHERE id = ?", [declaration_id]
        )
        self.cur.execute(
            "INSERT INTO declaration_history (declaration_id, version, action, status, reason,"
            " snapshot, username, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                declaration_id,
                version,
                action,
                status,
                reason,
                self._snapshot(declaration_id),
                actor.username,
                self.clock(),
            ],
        )

    def create_declaration(
        self,
        actor: Actor,
        campaign_id: int,
        unit_id: int,
        *,
        contact_person: str,
        contact_phone: str,
        themes: Sequence[dict[str, Any]],
        status: DeclarationStatus = DeclarationStatus.DRAFT,
        submitted_at: datetime | None = None,
        late_workdays: int | None = None,
        return_reason: str | None = None,
    ) -> int:
        """Create a unit's 申报表 with its themes in one go (first run demo, tests)."""
        self._require(actor, Role.OFFICE, Role.UNIT)
        self._require_own_unit(actor, unit_id)

        def work() -> int:
            if self._one(
                "SELECT 1 FROM declaration WHERE campaign_id = ? AND unit_id = ?",
                [campaign_id, unit_id],
            ):
                raise ValidationError("本单位在该活动中已有申报表。")
            now = self.clock()
            declaration_id = self._one(
                "INSERT INTO declaration (campaign_id, unit_id, status, contact_person,"
                " contact_phone, submitted_at, late_workdays, return_reason, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    campaign_id,
                    unit_id,
                    status.value,
                    contact_person,
                    contact_phone,
                    submitted_at,
                    late_workdays,
                    return_reason,
                    now,
                    now,
                ],
            )[0]
            self._insert_themes(declaration_id, campaign_id, unit_id, themes)
            if status != DeclarationStatus.DRAFT:
                self._record_history(actor, declaration_id, status.value, return_reason or "")
            self._audit(actor, "create", "declaration", declaration_id, detail=status.value)
            return declaration_id

        return in_transaction(self.cur, work)

    def _save(
        self,
        actor: Actor,
        campaign_id: int,
        unit_id: int,
        expected_version: int | None,
        contact_person: str,
        contact_phone: str,
        themes: Sequence[dict[str, Any]],
    ) -> int:
        existing = self._one(
            "SELECT id, status FROM declaration WHERE campaign_id = ? AND unit_id = ?",
            [campaign_id, unit_id],
        )
        now = self.clock()
        if existing is None:
            if expected_version not in (None, 0):
                raise StaleRecord(STALE_MESSAGE)
            declaration_id = self._one(
                "INSERT INTO declaration (campaign_id, unit_id, status, contact_person,"
                " contact_phone, created_at, updated_at) VALUES (?, ?, 'draft', ?, ?, ?, ?)"
                " RETURNING id",
                [campaign_id, unit_id, contact_person, contact_phone, now, now],
            )[0]
        else:
            declaration_id, status = existing
            self._check_version("declaration", declaration_id, expected_version)
            if status not in (DeclarationStatus.DRAFT, DeclarationStatus.RETURNED):
                raise ValidationError(
                    "申报表已提交，不能修改；如需修改请联系政务公开办退回。"
                    if status == DeclarationStatus.SUBMITTED
                    else "申报表已审核通过，不能再修改。"
                )
            self.cur.execute(
                "UPDATE declaration SET contact_person = ?, contact_phone = ?, updated_at = ?,"
                " version = version + 1 WHERE id = ?",
                [contact_person, contact_phone, now, declaration_id],
            )
            self.cur.execute("DELETE FROM activity WHERE declaration_id = ?", [declaration_id])
        self._insert_themes(declaration_id, campaign_id, unit_id, themes)
        return declaration_id

    def save_declaration(
        self,
        actor: Actor,
        campaign_id: int,
        unit_id: int,
        expected_version: int | None,
        *,
        contact_person: str,
        contact_phone: str,
        themes: Sequence[dict[str, Any]],
    ) -> int:
        """Save a 申报表 as it is (保存草稿): creates it, or replaces a draft's rows.

        ``expected_version`` is the version the editor started from (0 for a new one);
        a newer save by someone else raises ``StaleRecord`` and changes nothing.
        """
        self._require(actor, Role.OFFICE, Role.UNIT)
        self._require_own_unit(actor, unit_id)

        def work() -> int:
            declaration_id = self._save(
                actor,
                campaign_id,
                unit_id,
                expected_version,
                contact_person,
                contact_phone,
                themes,
            )
            self._audit(actor, "save_draft", "declaration", declaration_id)
            return declaration_id

        return in_transaction(self.cur, work)

    def _submit(self, actor: Actor, declaration_id: int, late_workdays: int, action: str) -> None:
        self.cur.execute(
            "UPDATE declaration SET status = 'submitted', submitted_at = ?, late_workdays = ?,"
            " return_reason = NULL, updated_at = ?, version = version + 1 WHERE id = ?",
            [self.clock(), late_workdays, self.clock(), declaration_id],
        )
        self._record_history(actor, declaration_id, action)
        detail = f"逾期{late_workdays}个工作日" if late_workdays else ""
        self._audit(actor, action, "declaration", declaration_id, detail=detail)

    def submit_declaration(
        self, actor: Actor, declaration_id: int, expected_version: int | None, late_workdays: int
    ) -> None:
        """提交: a draft or returned 申报表 goes to the office; it is then read-only."""
        self._require(actor, Role.OFFICE, Role.UNIT)

        def work() -> None:
            declaration = self.get_declaration(actor, declaration_id)
            self._check_version("declaration", declaration_id, expected_version)
            if not declaration.editable_by_unit:
                raise ValidationError("申报表已提交，请勿重复提交。")
            self._submit(actor, declaration_id, late_workdays, "submit")

        in_transaction(self.cur, work)

    def import_declaration(
        self,
        actor: Actor,
        campaign_id: int,
        unit_id: int,
        *,
        contact_person: str,
        contact_phone: str,
        themes: Sequence[dict[str, Any]],
        late_workdays: int,
        scan: ScanFile | None = None,
    ) -> int:
        """Create or replace a unit's 申报表 from an imported file, as submitted.

        With ``scan`` (the stamped scan that came with the file, already stored) the
        scan is recorded in the same transaction, before the submission.
        """
        self._require(actor, Role.OFFICE, Role.UNIT)
        self._require_own_unit(actor, unit_id)

        def work() -> int:
            declaration_id = self._save(
                actor, campaign_id, unit_id, None, contact_person, contact_phone, themes
            )
            if scan is not None:
                self._insert_scan(actor, campaign_id, unit_id, declaration_id, scan)
            self._submit(actor, declaration_id, late_workdays, "import")
            return declaration_id

        return in_transaction(self.cur, work)

    def review_declaration(
        self,
        actor: Actor,
        declaration_id: int,
        expected_version: int | None,
        *,
        approve: bool,
        reason: str = "",
    ) -> None:
        """审核: approve (通过) or return with a reason (退回修改); office only."""
        self._require(actor, Role.OFFICE)
        reason = reason.strip()
        if not approve and not reason:
            raise ValidationError("退回修改时须填写退回原因。")

        def work() -> None:
            declaration = self.get_declaration(actor, declaration_id)
            self._check_version("declaration", declaration_id, expected_version)
            if declaration.status != DeclarationStatus.SUBMITTED:
                raise ValidationError("只能审核已提交待审核的申报表。")
            status = DeclarationStatus.APPROVED if approve else DeclarationStatus.RETURNED
            self.cur.execute(
                "UPDATE declaration SET status = ?, return_reason = ?, updated_at = ?,"
                " version = version + 1 WHERE id = ?",
                [status.value, None if approve else reason, self.clock(), declaration_id],
            )
            action = "approve" if approve else "return"
            self._record_history(actor, declaration_id, action, reason)
            self._audit(actor, action, "declaration", declaration_id, detail=reason)

        in_transaction(self.cur, work)

    def amend_theme(
        self,
        actor: Actor,
        activity_id: int,
        *,
        planned_month: int,
        form: str,
        reason: str,
        expected_version: int | None = None,
    ) -> None:
        """The office changes an approved theme's month or form, with a reason (audited).

        With ``expected_version`` (the version the form was filled from), a theme someone
        else changed meanwhile is refused as stale instead of overwritten.
        """
        self._require(actor, Role.OFFICE)
        reason = reason.strip()
        if not reason:
            raise ValidationError("修改已审核通过的主题须填写修改原因。")

        def work() -> None:
            row = self._one(
                "SELECT a.declaration_id, a.planned_month, a.form, d.status, c.rules"
                " FROM activity a JOIN declaration d ON d.id = a.declaration_id"
                " JOIN campaign c ON c.id = a.campaign_id WHERE a.id = ?",
                [activity_id],
            )
            if row is None:
                raise NotFound("活动主题不存在。")
            declaration_id, old_month, old_form, status, rules_json = row
            self._check_version("activity", activity_id, expected_version)
            if status != DeclarationStatus.APPROVED:
                raise ValidationError("只有审核通过的主题可由政务公开办直接修改。")
            rules = CampaignRules.from_json(rules_json)
            if not rules.first_month <= planned_month <= rules.last_month:
                raise ValidationError(
                    f"计划月份须在{rules.first_month}月至{rules.last_month}月之间。"
                )
            if form not in rules.allowed_forms:
                raise ValidationError(f"活动形式“{form}”不在本次活动允许的形式中。")
            self.cur.execute(
                "UPDATE activity SET planned_month = ?, form = ?, updated_at = ?,"
                " version = version + 1 WHERE id = ?",
                [planned_month, form, self.clock(), activity_id],
            )
            change = f"{old_month}月/{old_form} → {planned_month}月/{form}：{reason}"
            self._record_history(actor, declaration_id, "amend", change)
            self._audit(actor, "amend", "activity", activity_id, detail=change)

        in_transaction(self.cur, work)

    def declaration_history(self, actor: Actor, declaration_id: int) -> list[DeclarationEvent]:
        """Every submitted version and review of a 申报表, oldest first (申报记录)."""
        self.get_declaration(actor, declaration_id)  # scope check
        rows = self._all(
            "SELECT h.id, h.declaration_id, h.version, h.action, h.status, h.reason, h.snapshot,"
            " h.username, h.occurred_at, coalesce(u.display_name, '') FROM declaration_history h"
            " LEFT JOIN app_user u ON u.username = h.username"
            " WHERE h.declaration_id = ? ORDER BY h.id",
            [declaration_id],
        )
        return [DeclarationEvent(*r) for r in rows]

    # -------------------------------------------------------- attachments
    def attach_declaration_scan(
        self,
        actor: Actor,
        declaration_id: int,
        *,
        original_name: str,
        stored_name: str,
        fmt: str,
        size: int,
        sha256: str,
    ) -> int:
        """Record the stamped scan (盖章扫描件) of a draft or returned 申报表."""
        self._require(actor, Role.OFFICE, Role.UNIT)

        def work() -> int:
            declaration = self.get_declaration(actor, declaration_id)
            if not declaration.editable_by_unit:
                raise ValidationError("申报表已提交，不能更换扫描件。")
            return self._insert_scan(
                actor,
                declaration.campaign_id,
                declaration.unit_id,
                declaration_id,
                ScanFile(original_name, stored_name, fmt, size, sha256),
            )

        return in_transaction(self.cur, work)

    def _insert_scan(
        self, actor: Actor, campaign_id: int, unit_id: int, declaration_id: int, scan: ScanFile
    ) -> int:
        """Record ``scan`` as the 申报表's stamped scan (in the caller's transaction)."""
        self.check_upload_quota(actor, unit_id, scan.size)
        now = self.clock()
        attachment_id = self._one(
            "INSERT INTO attachment (campaign_id, unit_id, owner_type, owner_id, kind,"
            " original_name, stored_name, fmt, size, sha256, uploaded_by, uploaded_at)"
            " VALUES (?, ?, 'declaration', ?, 'scan', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                campaign_id,
                unit_id,
                declaration_id,
                scan.original_name,
                scan.stored_name,
                scan.fmt,
                scan.size,
                scan.sha256,
                actor.username,
                now,
            ],
        )[0]
        self.cur.execute(
            "UPDATE declaration SET scan_attachment_id = ?, updated_at = ?,"
            " version = version + 1 WHERE id = ?",
            [attachment_id, now, declaration_id],
        )
        self._audit(actor, "upload", "attachment", attachment_id, detail=scan.original_name)
        return attachment_id

    def get_attachment(self, actor: Actor, attachment_id: int) -> Attachment:
        """An attachment's record; a unit user reaches only its own unit's files."""
        row = self._one(
            f"SELECT {ATTACHMENT_COLUMNS} FROM attachment WHERE id = ?",
            [attachment_id],
        )
        if row is None:
            raise NotFound("附件不存在。")
        attachment = Attachment(*row)
        self._require_own_unit(actor, attachment.unit_id)
        return attachment

    # ------------------------------------------------------ office and plan
    def units_not_submitted(self, actor: Actor, campaign_id: int) -> list[Unit]:
        """未申报: enabled units with no submitted 申报表 (none, or only a draft)."""
        self._require(actor, Role.OFFICE, Role.LEADER)
        rows = self._all(
            "SELECT un.id, un.name, un.kind, un.contact_person, un.contact_phone, un.enabled,"
            " un.version FROM unit un WHERE un.enabled AND NOT EXISTS (SELECT 1 FROM"
            " declaration d WHERE d.unit_id = un.id AND d.campaign_id = ?"
            " AND d.status <> 'draft') ORDER BY un.kind, un.id",
            [campaign_id],
        )
        return [Unit(*r) for r in rows]

    def list_plan(self, actor: Actor, campaign_id: int) -> list[Activity]:
        """全年活动计划: the approved themes of every unit, as the notice publishes them.

        Every role may read the plan. It carries the declared theme and the date only
        (no plan, report or attendance details); units see other units' rows without
        their contact details.
        """
        own = actor.unit_id if actor.role == Role.UNIT else None
        rows = self._all(
            f"SELECT {_PLAN_COLUMNS} FROM activity a JOIN unit un ON un.id = a.unit_id"
            " JOIN declaration d ON d.id = a.declaration_id"
            " WHERE a.campaign_id = ? AND d.status = 'approved' AND a.status <> 'cancelled'"
            " ORDER BY a.planned_month, un.kind, un.id, a.seq",
            [own, own, campaign_id],
        )
        return [Activity(*r) for r in rows]
