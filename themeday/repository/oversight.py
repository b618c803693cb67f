"""Progress counts and the audit trail (进度统计与审计日志)."""

from __future__ import annotations

from typing import Any

from themeday.domain import (
    Actor,
    Role,
)
from themeday.records import (
    AuditEntry,
)
from themeday.repository.base import RepositoryBase


class OversightMixin(RepositoryBase):
    """Progress counts and the audit trail (进度统计与审计日志)."""

    def progress_counts(self, actor: Actor, campaign_id: int) -> dict[str, Any]:
        """Counts for the office home and the leadership dashboard (进度统计)."""
        self._require(actor, Role.OFFICE, Role.LEADER)
        units = self._one("SELECT count(*) FROM unit WHERE enabled")[0]
        by_status = dict(
            self._all(
                "SELECT status, count(*) FROM declaration WHERE campaign_id = ? GROUP BY status",
                [campaign_id],
            )
        )
        activities_by_status = dict(
            self._all(
                "SELECT status, count(*) FROM activity WHERE campaign_id = ? GROUP BY status",
                [campaign_id],
            )
        )
        by_month = self._all(
            "SELECT planned_month, count(*) FROM activity WHERE campaign_id = ?"
            " GROUP BY planned_month ORDER BY planned_month",
            [campaign_id],
        )
        not_declared = self._one(
            "SELECT count(*) FROM unit un WHERE un.enabled AND NOT EXISTS (SELECT 1 FROM"
            " declaration d WHERE d.unit_id = un.id AND d.campaign_id = ?"
            " AND d.status <> 'draft')",
            [campaign_id],
        )[0]
        return {
            "units": units,
            "declarations_by_status": by_status,
            "not_declared": not_declared,
            "activities_by_status": activities_by_status,
            "activities_by_month": by_month,
        }

    # audit
    def list_audit(self, actor: Actor, limit: int = 200) -> list[AuditEntry]:
        """The newest audit rows (审计日志); office only."""
        self._require(actor, Role.OFFICE)
        rows = self._all(
            "SELECT id, occurred_at, username, role, unit_id, action, object_type, object_id,"
            " success, detail FROM audit_log ORDER BY id DESC LIMIT ?",
            [limit],
        )
        return [AuditEntry(*r) for r in rows]

    def record_backup(self, actor: Actor, folder: str, summary: str) -> None:
        """审计: the office made a backup from the running app (数据备份)."""
        self._require(actor, Role.OFFICE)
        self._audit(actor, "backup", "database", folder, detail=summary)
