"""Progress counts and the audit trail (进度统计与审计日志)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from themeday.core.audit import (
    FILE_ACTIONS,
    RETENTION_ACTION,
    RETENTION_OBJECT,
    AuditFilter,
    AuditRow,
    VerifyResult,
    escape_text,
    find_anchor,
    retention_detail,
    retention_refusal,
    verify_chain,
)
from themeday.core.config import TZ
from themeday.core.dates import minute_time
from themeday.core.domain import Actor, PermissionDenied, Role, ValidationError
from themeday.core.records import AuditEntry
from themeday.repository.base import Family
from themeday.storage.db import in_transaction

_AUDIT_COLUMNS = (
    "id, occurred_at, username, role, unit_id, action, object_type, object_id, success,"
    " detail, prev_hash, row_hash, client_address"
)
_VERIFY_BATCH = 5000

# The names a person reads beside one page of audit rows (the ``page`` CTE): who acted,
# their unit, the object by its name, and for a weights row the set before it. The
# names are read now, not hashed: a renamed unit shows its new name.
_AUDIT_NAMES = (
    "SELECT p.*, coalesce(u.display_name, ''), coalesce(au.name, ''),"
    " coalesce(CASE p.object_type"
    "  WHEN 'unit' THEN un.name"
    "  WHEN 'campaign' THEN c.title"
    "  WHEN 'declaration' THEN du.name || '（' || CAST(dc.year AS VARCHAR) || '年）'"
    "  WHEN 'activity' THEN ac.title"
    "  WHEN 'app_user' THEN CASE WHEN ou.display_name = ou.username THEN ou.username"
    "   ELSE ou.display_name || '（' || ou.username || '）' END"
    "  WHEN 'attachment' THEN f.original_name"
    "  WHEN 'saved_view' THEN v.name"
    "  WHEN 'score_adjustment' THEN su.name"
    "  WHEN 'chase' THEN cu.name END, ''),"
    " coalesce(CASE WHEN p.action = 'set_weights' THEN (SELECT w.detail FROM audit_log w"
    "  WHERE w.action = 'set_weights' AND w.object_id = p.object_id AND w.id < p.id"
    "  ORDER BY w.id DESC LIMIT 1) END, '')"
    " FROM page p"
    " LEFT JOIN app_user u ON u.username = p.username"
    " LEFT JOIN unit au ON au.id = p.unit_id"
    " LEFT JOIN unit un ON p.object_type = 'unit' AND un.id = TRY_CAST(p.object_id AS INTEGER)"
    " LEFT JOIN campaign c ON p.object_type = 'campaign'"
    "  AND c.id = TRY_CAST(p.object_id AS INTEGER)"
    " LEFT JOIN declaration d ON p.object_type = 'declaration'"
    "  AND d.id = TRY_CAST(p.object_id AS INTEGER)"
    " LEFT JOIN unit du ON du.id = d.unit_id"
    " LEFT JOIN campaign dc ON dc.id = d.campaign_id"
    " LEFT JOIN activity ac ON p.object_type = 'activity'"
    "  AND ac.id = TRY_CAST(p.object_id AS INTEGER)"
    " LEFT JOIN app_user ou ON p.object_type = 'app_user'"
    "  AND ou.id = TRY_CAST(p.object_id AS INTEGER)"
    " LEFT JOIN attachment f ON p.object_type = 'attachment'"
    "  AND f.id = TRY_CAST(p.object_id AS INTEGER)"
    " LEFT JOIN saved_view v ON p.object_type = 'saved_view'"
    "  AND v.id = TRY_CAST(p.object_id AS INTEGER)"
    " LEFT JOIN score_adjustment s ON p.object_type = 'score_adjustment'"
    "  AND s.id = TRY_CAST(p.object_id AS INTEGER)"
    " LEFT JOIN unit su ON su.id = s.unit_id"
    " LEFT JOIN chase ch ON p.object_type = 'chase' AND ch.id = TRY_CAST(p.object_id AS INTEGER)"
    " LEFT JOIN unit cu ON cu.id = ch.unit_id"
)


@dataclass(frozen=True)
class RetentionResult:
    """What one retention run (保留期清理) deleted."""

    days: int
    cutoff: datetime
    deleted: int
    first_id: int | None
    up_to_id: int | None
    anchor: str | None
    """The last deleted row's hash: where the first remaining row now points."""

    def message(self) -> str:
        if not self.deleted:
            return f"没有早于{minute_time(self.cutoff)}且可删除的审计记录，未删除任何记录。"
        return (
            f"已删除早于{minute_time(self.cutoff)}的审计记录 {self.deleted} 条"
            f"（#{self.first_id}至#{self.up_to_id}），本次清理已记入审计日志。"
        )


def _like(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class Oversight(Family):
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
        """The newest audit rows (审计日志); the auditor only."""
        self._require(actor, Role.AUDITOR)
        rows = self._all(
            "SELECT id, occurred_at, username, role, unit_id, action, object_type, object_id,"
            " success, detail FROM audit_log ORDER BY id DESC LIMIT ?",
            [limit],
        )
        return [AuditEntry(*r) for r in rows]

    @staticmethod
    def _audit_where(filters: AuditFilter) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if filters.username:
            clauses.append("username ILIKE ? ESCAPE '\\'")
            params.append(_like(escape_text(filters.username)))  # stored escaped
        if filters.actions:
            clauses.append(f"action IN ({', '.join('?' for _ in filters.actions)})")
            params.extend(filters.actions)
        if filters.object_type:
            clauses.append("object_type = ?")
            params.append(filters.object_type)
        if filters.object_id:
            clauses.append("object_id = ?")
            params.append(escape_text(filters.object_id))
        if filters.date_from:
            clauses.append("occurred_at >= ?")
            params.append(datetime.combine(filters.date_from, time(), tzinfo=TZ))
        if filters.date_to:
            clauses.append("occurred_at < ?")
            params.append(datetime.combine(filters.date_to + timedelta(days=1), time(), tzinfo=TZ))
        if filters.success is not None:
            clauses.append("success = ?")
            params.append(filters.success)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def search_audit(
        self, actor: Actor, filters: AuditFilter, limit: int = 50, offset: int = 0
    ) -> list[AuditRow]:
        """One page of the audit rows matching ``filters``, newest first; the auditor only."""
        self._require(actor, Role.AUDITOR)
        where, params = self._audit_where(filters)
        rows = self._all(
            f"WITH page AS (SELECT {_AUDIT_COLUMNS} FROM audit_log{where}"
            f" ORDER BY id DESC LIMIT ? OFFSET ?) {_AUDIT_NAMES} ORDER BY p.id DESC",
            [*params, limit, offset],
        )
        return [AuditRow(*r) for r in rows]

    def count_audit(self, actor: Actor, filters: AuditFilter) -> int:
        """How many audit rows match ``filters``; the auditor only."""
        self._require(actor, Role.AUDITOR)
        where, params = self._audit_where(filters)
        return self._one(f"SELECT count(*) FROM audit_log{where}", params)[0]

    def audit_choices(self, actor: Actor) -> tuple[list[str], list[str]]:
        """The actions and object types the log holds (for the page's filters)."""
        self._require(actor, Role.AUDITOR)
        actions = [r[0] for r in self._all("SELECT DISTINCT action FROM audit_log ORDER BY 1")]
        types = [
            r[0]
            for r in self._all(
                "SELECT DISTINCT object_type FROM audit_log WHERE object_type IS NOT NULL"
                " ORDER BY 1"
            )
        ]
        return actions, types

    def _chain_rows(self) -> Iterator[AuditRow]:
        """Every audit row in id order, read in batches (the log may be long)."""
        after = -1
        while True:
            rows = self._all(
                f"SELECT {_AUDIT_COLUMNS} FROM audit_log WHERE id > ? ORDER BY id LIMIT ?",
                [after, _VERIFY_BATCH],
            )
            for row in rows:
                yield AuditRow(*row)
            if len(rows) < _VERIFY_BATCH:
                return
            after = rows[-1][0]

    def _verify_audit(self) -> VerifyResult:
        first = self._one("SELECT min(id) FROM audit_log")[0]
        if first is None:
            return verify_chain([])
        retentions = self._all(
            "SELECT TRY_CAST(object_id AS BIGINT), detail FROM audit_log"
            " WHERE action = ? AND object_type = ? AND success AND object_id IS NOT NULL",
            [RETENTION_ACTION, RETENTION_OBJECT],
        )
        return verify_chain(self._chain_rows(), find_anchor(retentions, first))

    def verify_audit_chain(self, actor: Actor) -> VerifyResult:
        """Check the audit log's hash chain from its first row (校验哈希链); the auditor
        only.

        Read in one transaction, so rows written meanwhile do not mix into the check.
        """
        self._require(actor, Role.AUDITOR)
        self.cur.begin()
        try:
            return self._verify_audit()
        finally:
            self.cur.rollback()  # read only

    def apply_audit_retention(self, actor: Actor, days: int) -> RetentionResult:
        """Delete the audit rows older than ``days`` days (保留期清理); the auditor only
        (in practice the command line, run by the operator as :data:`SYSTEM_AUDITOR`).

        At least :data:`~themeday.core.audit.MIN_RETENTION_DAYS` days are always kept. Only
        a prefix of the chain is deleted: rows up to the newest id before the first
        row that is not old enough, so an old row written after a newer one (a clock
        set back) waits for the next run. Refused while the chain does not verify, so
        a retention never removes the evidence of a break. The deletion writes its own
        audit row, in the same transaction, with the count, the last deleted id and
        that row's hash, the anchor the first remaining row is verified against.
        """
        self._require(actor, Role.AUDITOR)
        refusal = retention_refusal(days)
        if refusal:
            raise ValidationError(refusal)
        cutoff = self.clock() - timedelta(days=days)

        def work() -> RetentionResult:
            check = self._verify_audit()
            if not check.ok:
                raise ValidationError(
                    "审计日志哈希链校验未通过，为保留证据，未删除任何记录。" + check.message()
                )
            kept = self._one("SELECT min(id) FROM audit_log WHERE occurred_at >= ?", [cutoff])[0]
            bound = "" if kept is None else f" WHERE id < {int(kept)}"
            count, first_id, up_to_id = self._one(
                f"SELECT count(*), min(id), max(id) FROM audit_log{bound}"
            )
            anchor = None
            if count:
                anchor = self._one("SELECT row_hash FROM audit_log WHERE id = ?", [up_to_id])[0]
            detail = retention_detail(days, count, first_id, up_to_id, cutoff, anchor or "")
            # the record first: it chains to the newest row, which may be deleted next
            self._audit(actor, RETENTION_ACTION, RETENTION_OBJECT, up_to_id, detail=detail)
            if count:
                self.cur.execute("DELETE FROM audit_log WHERE id <= ?", [up_to_id])
            return RetentionResult(days, cutoff, count, first_id, up_to_id, anchor)

        return in_transaction(self.cur, work)

    def record_backup(self, actor: Actor, folder: str, summary: str) -> None:
        """审计: the office made a backup from the running app (数据备份)."""
        self._require(actor, Role.OFFICE)
        self._audit(actor, "backup", "database", folder, detail=summary)

    def record_file_event(
        self,
        actor: Actor,
        action: str,
        object_type: str | None,
        object_id: object,
        detail: str,
        success: bool = True,
    ) -> None:
        """审计 only: a file left the system (下载/导出) or failed to enter it (上传被拒,
        保存失败). It writes the audit row and nothing else: no record changes, so it is
        not a change of the data (caches keyed by a data version need not move for it).
        """
        if actor is None:
            raise PermissionDenied("请先登录。")
        if action not in FILE_ACTIONS:
            raise ValueError(f"not a file event: {action!r}")
        in_transaction(
            self.cur,
            lambda: self._audit(actor, action, object_type, object_id, success, detail),
            bump=False,
        )
