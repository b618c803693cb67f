"""Campaigns and the unit roster (活动与单位名录)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from themeday.core.domain import (
    Actor,
    CampaignRules,
    NotFound,
    PermissionDenied,
    Role,
    ValidationError,
    campaign_problems,
    unit_problems,
)
from themeday.core.records import Campaign, Unit
from themeday.core.workdays import WorkdayOverride
from themeday.repository.base import Family
from themeday.storage.db import in_transaction

_UNIT_COLUMNS = "id, name, kind, contact_person, contact_phone, enabled, version"


class Catalogue(Family):
    """Campaigns and the unit roster (活动与单位名录)."""

    def _campaign(self, row: Sequence[Any]) -> Campaign:
        return Campaign(
            id=row[0],
            year=row[1],
            region=row[2],
            title=row[3],
            office_name=row[4],
            rules=CampaignRules.from_json(row[5]),
            is_current=row[6],
            version=row[7],
        )

    _CAMPAIGN_SELECT = (
        "SELECT id, year, region, title, office_name, rules, is_current, version FROM campaign"
    )

    def create_campaign(
        self,
        actor: Actor,
        *,
        year: int,
        region: str,
        title: str,
        office_name: str,
        rules: CampaignRules,
        make_current: bool = True,
    ) -> int:
        """Create a campaign (新建主题日活动); office only."""
        self._require(actor, Role.OFFICE)
        problems = campaign_problems(year, region, title, office_name, rules)
        if problems:
            raise ValidationError(problems)

        def work() -> int:
            now = self.clock()
            if make_current:
                self.cur.execute("UPDATE campaign SET is_current = FALSE WHERE is_current")
            campaign_id = self._one(
                "INSERT INTO campaign (year, region, title, office_name, rules, is_current,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    year,
                    region,
                    title,
                    office_name,
                    rules.to_json(),
                    make_current,
                    now,
                    now,
                ],
            )[0]
            self._audit(actor, "create", "campaign", campaign_id, detail=title)
            return campaign_id

        return in_transaction(self.cur, work)

    def current_campaign(self, actor: Actor) -> Campaign | None:
        """The campaign marked current (当前活动), or the newest one."""
        row = self._one(
            self._CAMPAIGN_SELECT + " ORDER BY is_current DESC, year DESC, id DESC LIMIT 1"
        )
        return self._campaign(row) if row else None

    def list_campaigns(self, actor: Actor) -> list[Campaign]:
        return [
            self._campaign(r) for r in self._all(self._CAMPAIGN_SELECT + " ORDER BY year DESC, id")
        ]

    def get_campaign(self, actor: Actor, campaign_id: int) -> Campaign:
        row = self._one(self._CAMPAIGN_SELECT + " WHERE id = ?", [campaign_id])
        if row is None:
            raise NotFound("活动不存在。")
        return self._campaign(row)

    def update_campaign(
        self,
        actor: Actor,
        campaign_id: int,
        expected_version: int | None,
        *,
        year: int,
        region: str,
        title: str,
        office_name: str,
        rules: CampaignRules,
    ) -> None:
        """Edit a campaign's title, region, office and rules; office only."""
        self._require(actor, Role.OFFICE)
        problems = campaign_problems(year, region, title, office_name, rules)
        if problems:
            raise ValidationError(problems)

        def work() -> None:
            self._check_version("campaign", campaign_id, expected_version)
            self.cur.execute(
                "UPDATE campaign SET year = ?, region = ?, title = ?, office_name = ?, rules = ?,"
                " updated_at = ?, version = version + 1 WHERE id = ?",
                [year, region, title, office_name, rules.to_json(), self.clock(), campaign_id],
            )
            self._audit(actor, "update", "campaign", campaign_id, detail=title)

        in_transaction(self.cur, work)

    def set_current_campaign(self, actor: Actor, campaign_id: int) -> None:
        """Make one campaign the current one (当前活动); office only."""
        self._require(actor, Role.OFFICE)

        def work() -> None:
            self._check_version("campaign", campaign_id, None)
            self.cur.execute("UPDATE campaign SET is_current = FALSE WHERE is_current")
            self.cur.execute("UPDATE campaign SET is_current = TRUE WHERE id = ?", [campaign_id])
            self._audit(actor, "set_current", "campaign", campaign_id)

        in_transaction(self.cur, work)

    # ------------------------------------------------------- working days
    def list_workday_overrides(self, actor: Actor) -> list[WorkdayOverride]:
        """The office's holiday and make-up workday entries (节假日调整); readable by all."""
        rows = self._all("SELECT day, is_workday, note FROM workday_override ORDER BY day")
        return [WorkdayOverride(day, is_workday, note) for day, is_workday, note in rows]

    def save_workday_overrides(self, actor: Actor, overrides: Sequence[WorkdayOverride]) -> int:
        """Enter or change holiday/make-up days (节假日维护); all of them, or none.

        A day already entered is replaced. Office only; each day is audited.
        """
        self._require(actor, Role.OFFICE)

        def work() -> int:
            now = self.clock()
            for override in overrides:
                self.cur.execute(
                    "INSERT INTO workday_override (day, is_workday, note, created_by, created_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (day) DO UPDATE SET"
                    " is_workday = excluded.is_workday, note = excluded.note,"
                    " created_by = excluded.created_by, created_at = excluded.created_at,"
                    " version = workday_override.version + 1",
                    [override.day, override.is_workday, override.note, actor.username, now],
                )
                kind = "班" if override.is_workday else "休"
                self._audit(actor, "set_workday", "workday_override", override.day, detail=kind)
            return len(overrides)

        return in_transaction(self.cur, work)

    def delete_workday_override(self, actor: Actor, day: date) -> None:
        """Remove one entered day; the official calendar applies to it again."""
        self._require(actor, Role.OFFICE)

        def work() -> None:
            if not self._one("SELECT 1 FROM workday_override WHERE day = ?", [day]):
                raise NotFound("该日期没有调整记录。")
            self.cur.execute("DELETE FROM workday_override WHERE day = ?", [day])
            self._audit(actor, "delete", "workday_override", day)

        in_transaction(self.cur, work)

    # units
    def list_units(self, actor: Actor, include_disabled: bool = True) -> list[Unit]:
        """Units the actor may see: a unit user sees only its own (单位名录)."""
        scope, params = self._unit_scope(actor, "id")
        sql = f"SELECT {_UNIT_COLUMNS} FROM unit WHERE 1 = 1" + scope
        if not include_disabled:
            sql += " AND enabled"
        return [Unit(*r) for r in self._all(sql + " ORDER BY kind, id", params)]

    def get_unit(self, actor: Actor, unit_id: int) -> Unit:
        self._require_own_unit(actor, unit_id)
        row = self._one(f"SELECT {_UNIT_COLUMNS} FROM unit WHERE id = ?", [unit_id])
        if row is None:
            raise NotFound("单位不存在。")
        return Unit(*row)

    def create_unit(
        self,
        actor: Actor,
        name: str,
        kind: str,
        contact_person: str = "",
        contact_phone: str = "",
    ) -> int:
        """Add a unit to the roster; office only."""
        self._require(actor, Role.OFFICE)
        problems = unit_problems(name, kind, contact_phone)
        if problems:
            raise ValidationError(problems)
        name = name.strip()

        def work() -> int:
            if self._one("SELECT 1 FROM unit WHERE name = ?", [name]):
                raise ValidationError(f"单位“{name}”已存在。")
            return self._insert_unit(actor, name, kind, contact_person, contact_phone)

        return in_transaction(self.cur, work)

    def _insert_unit(
        self, actor: Actor, name: str, kind: str, contact_person: str, contact_phone: str
    ) -> int:
        now = self.clock()
        unit_id = self._one(
            "INSERT INTO unit (name, kind, contact_person, contact_phone, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [name, kind, contact_person, contact_phone, now, now],
        )[0]
        self._audit(actor, "create", "unit", unit_id, detail=name)
        return unit_id

    def import_units(self, actor: Actor, rows: Sequence[Any]) -> int:
        """Add many units at once (导入单位名录): all of them, or none.

        ``rows`` carry ``name, kind, contact_person, contact_phone``; a name already
        on the roster fails the lot, with one message per clash.
        """
        self._require(actor, Role.OFFICE)
        problems = [
            f"“{row.name}”：{problem}"
            for row in rows
            for problem in unit_problems(row.name, row.kind, row.contact_phone)
        ]
        if problems:
            raise ValidationError(problems)

        def work() -> int:
            existing = {r[0] for r in self._all("SELECT name FROM unit")}
            clashes = [
                f"单位“{row.name.strip()}”已在单位名录中。"
                for row in rows
                if row.name.strip() in existing
            ]
            if clashes:
                raise ValidationError(clashes)
            for row in rows:
                self._insert_unit(
                    actor,
                    row.name.strip(),
                    row.kind,
                    row.contact_person.strip(),
                    row.contact_phone.strip(),
                )
            return len(rows)

        return in_transaction(self.cur, work)

    def update_unit(
        self,
        actor: Actor,
        unit_id: int,
        expected_version: int | None,
        *,
        name: str | None = None,
        kind: str | None = None,
        contact_person: str | None = None,
        contact_phone: str | None = None,
        enabled: bool | None = None,
    ) -> None:
        """Edit a unit. The office edits any field; a unit edits only its own contacts."""
        self._require(actor, Role.OFFICE, Role.UNIT)
        self._require_own_unit(actor, unit_id)
        if actor.role == Role.UNIT and (name, kind, enabled) != (None, None, None):
            raise PermissionDenied("单位用户只能修改本单位的联系人和电话。")
        changes = {
            "name": name,
            "kind": kind,
            "contact_person": contact_person,
            "contact_phone": contact_phone,
            "enabled": enabled,
        }
        changes = {k: v for k, v in changes.items() if v is not None}

        def work() -> None:
            current = self.get_unit(actor, unit_id)
            problems = unit_problems(
                changes.get("name", current.name),
                changes.get("kind", current.kind),
                changes.get("contact_phone", current.contact_phone),
            )
            if problems:
                raise ValidationError(problems)
            self._check_version("unit", unit_id, expected_version)
            if name is not None and self._one(
                "SELECT 1 FROM unit WHERE name = ? AND id <> ?", [name, unit_id]
            ):
                raise ValidationError(f"单位“{name}”已存在。")
            sets = ", ".join(f"{k} = ?" for k in changes)
            self.cur.execute(
                f"UPDATE unit SET {sets}, updated_at = ?, version = version + 1 WHERE id = ?",
                [*changes.values(), self.clock(), unit_id],
            )
            self._audit(actor, "update", "unit", unit_id, detail=", ".join(changes))

        in_transaction(self.cur, work)
