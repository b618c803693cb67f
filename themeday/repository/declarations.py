"""Declarations, their themes and history (申报与活动)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from themeday.db import in_transaction
from themeday.domain import (
    Actor,
    DeclarationStatus,
    NotFound,
    Role,
    ValidationError,
)
from themeday.records import (
    Activity,
    Declaration,
)
from themeday.repository.base import RepositoryBase

_DECLARATION_COLUMNS = (
    "d.id, d.campaign_id, d.unit_id, un.name, d.status, d.contact_person,"
    " d.contact_phone, d.submitted_at, d.version, d.late_workdays, d.return_reason,"
    " d.scan_attachment_id, un.kind"
)
_ACTIVITY_COLUMNS = (
    "a.id, a.declaration_id, a.campaign_id, a.unit_id, un.name, a.seq, a.title,"
    " a.planned_month, a.form, a.summary, a.contact, a.activity_date, a.place, a.status,"
    " un.kind"
)


class DeclarationsMixin(RepositoryBase):
    """Declarations, their themes and history (申报与活动)."""

    def list_declarations(self, actor: Actor, campaign_id: int) -> list[Declaration]:
        """申报表 of a campaign; a unit user gets only its own."""
        sql = (
            f"SELECT {_DECLARATION_COLUMNS} FROM declaration d JOIN unit un ON un.id = d.unit_id"
            " WHERE d.campaign_id = ?"
        )
        params: list[Any] = [campaign_id]
        if actor.role == Role.UNIT:
            sql += " AND d.unit_id = ?"
            params.append(actor.unit_id)
        return [Declaration(*r) for r in self._all(sql + " ORDER BY un.kind, un.id", params)]

    def get_declaration(self, actor: Actor, declaration_id: int) -> Declaration:
        row = self._one(
            f"SELECT {_DECLARATION_COLUMNS} FROM declaration d JOIN unit un ON un.id = d.unit_id"
            " WHERE d.id = ?",
            [declaration_id],
        )
        if row is None:
            raise NotFound("申报表不存在。")
        declaration = Declaration(*row)
        self._require_own_unit(actor, declaration.unit_id)
        return declaration

    def list_activities(
        self, actor: Actor, campaign_id: int, unit_id: int | None = None
    ) -> list[Activity]:
        """Declared themes and activities of a campaign; a unit user gets only its own."""
        sql = (
            f"SELECT {_ACTIVITY_COLUMNS} FROM activity a JOIN unit un ON un.id = a.unit_id"
            " WHERE a.campaign_id = ?"
        )
        params: list[Any] = [campaign_id]
        if actor.role == Role.UNIT:
            unit_id = actor.unit_id
        if unit_id is not None:
            sql += " AND a.unit_id = ?"
            params.append(unit_id)
        rows = self._all(sql + " ORDER BY a.planned_month, un.id, a.seq", params)
        return [Activity(*r) for r in rows]

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
    ) -> int:
        """Create a unit's 申报表 with its themes (one ``activity`` row each)."""
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
                " contact_phone, submitted_at, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    campaign_id,
                    unit_id,
                    status.value,
                    contact_person,
                    contact_phone,
                    submitted_at,
                    now,
                    now,
                ],
            )[0]
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
            self._audit(actor, "create", "declaration", declaration_id, detail=status.value)
            return declaration_id

        return in_transaction(self.cur, work)

    def update_declaration_contact(
        self,
        actor: Actor,
        declaration_id: int,
        expected_version: int | None,
        contact_person: str,
        contact_phone: str,
    ) -> None:
        """Change a declaration's contact (联系人及电话)."""
        self._require(actor, Role.OFFICE, Role.UNIT)

        def work() -> None:
            declaration = self.get_declaration(actor, declaration_id)
            if actor.role == Role.UNIT and declaration.status in (
                DeclarationStatus.SUBMITTED,
                DeclarationStatus.APPROVED,
            ):
                raise ValidationError("申报表已提交，不能修改；如需修改请联系政务公开办退回。")
            self._check_version("declaration", declaration_id, expected_version)
            self.cur.execute(
                "UPDATE declaration SET contact_person = ?, contact_phone = ?, updated_at = ?,"
                " version = version + 1 WHERE id = ?",
                [contact_person, contact_phone, self.clock(), declaration_id],
            )
            self._audit(actor, "update", "declaration", declaration_id, detail="contact")

        in_transaction(self.cur, work)
