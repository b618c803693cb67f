"""数据表: the grid over every table a role may read (filter, sort, group, page, edit).

Each grid table is a SELECT of its fields plus ``_unit_id`` (the unit a row belongs
to). A view becomes ``SELECT … FROM (that) WHERE scope AND filters ORDER BY … LIMIT``:
filtering, sorting, grouping and paging all happen in DuckDB, so 40,000 rows stay
quick. Field names reach SQL only after :func:`themeday.core.grid.check_view` has matched
them against the catalogue; values are always parameters.

A unit user reads only its own unit's rows of a unit-scoped table and never accounts
or the audit log; a leader reads everything but accounts and the audit log and writes
nothing; the office writes what :data:`themeday.core.grid.TABLES` allows and reads no audit
log, which only the auditor reads (权限分离). A save is one transaction: every row's version is
checked first, and one stale row refuses the whole batch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from themeday.core.domain import (
    OPEN_ACTIVITY_STATUSES,
    ActivityStatus,
    Actor,
    NotFound,
    PermissionDenied,
    Role,
    ValidationError,
    phone_problem,
    unit_problems,
)
from themeday.core.grid import (
    VALUELESS,
    Changeset,
    Condition,
    Conflict,
    FieldType,
    GridConflict,
    GridField,
    GridTable,
    ViewSpec,
    check_view,
    field_change_detail,
    grid_table,
    same_value,
)
from themeday.repository.base import Family
from themeday.storage.db import in_transaction

_SOURCES: dict[str, tuple[str, str]] = {
    "units": (
        "unit",
        "SELECT u.id, u.name, u.kind, u.contact_person, u.contact_phone, u.enabled,"
        " u.created_at, u.updated_at, u.version, u.id AS _unit_id FROM unit u",
    ),
    "accounts": (
        "app_user",
        "SELECT a.id, a.username, a.display_name, a.role, a.unit_id, un.name AS unit_name,"
        " a.enabled, a.must_change_password, a.locked_until, a.password_changed_at,"
        " a.created_at, a.version, a.unit_id AS _unit_id"
        " FROM app_user a LEFT JOIN unit un ON un.id = a.unit_id",
    ),
    "declarations": (
        "declaration",
        "SELECT d.id, c.year, d.unit_id, u.name AS unit_name, d.status, d.contact_person,"
        " d.contact_phone, d.submitted_at, d.late_workdays, d.return_reason, d.updated_at,"
        " d.version, d.unit_id AS _unit_id FROM declaration d"
        " JOIN unit u ON u.id = d.unit_id JOIN campaign c ON c.id = d.campaign_id",
    ),
    "activities": (
        "activity",
        "SELECT a.id, c.year, a.unit_id, a.declaration_id, u.name AS unit_name, a.title,"
        " a.planned_month, a.form, a.status, a.activity_date, a.place, a.contact,"
        " a.expected_participants, a.plan_filed_at, a.held_date, a.report_filed_at,"
        " a.published_at, a.typical_case, a.portal_url, a.summary, a.updated_at, a.version,"
        " a.unit_id AS _unit_id FROM activity a"
        " JOIN unit u ON u.id = a.unit_id JOIN campaign c ON c.id = a.campaign_id",
    ),
    "attachments": (
        "attachment",
        "SELECT f.id, f.unit_id, u.name AS unit_name, f.owner_type, f.owner_id, f.kind,"
        " f.original_name, f.fmt, f.size, f.sha256, f.uploaded_by, f.uploaded_at,"
        " f.unit_id AS _unit_id FROM attachment f LEFT JOIN unit u ON u.id = f.unit_id",
    ),
    "comments": (
        "comment",
        "SELECT m.id, m.object_type, m.object_id, m.unit_id, u.name AS unit_name, m.body,"
        " m.username, m.role, m.created_at, m.unit_id AS _unit_id"
        " FROM comment m LEFT JOIN unit u ON u.id = m.unit_id",
    ),
    "workday_overrides": (
        "workday_override",
        "SELECT w.day, w.is_workday, w.note, w.created_by, w.created_at, w.version,"
        " CAST(NULL AS INTEGER) AS _unit_id FROM workday_override w",
    ),
    "audit_log": (
        "audit_log",
        "SELECT l.id, l.occurred_at, l.username, l.role, l.unit_id, l.action,"
        " l.object_type, l.object_id, l.success, l.detail,"
        " CAST(NULL AS INTEGER) AS _unit_id FROM audit_log l",
    ),
}
"""Per grid table: the stored table it writes, and the SELECT of its fields."""

_HAS_UPDATED_AT = frozenset({"unit", "app_user", "declaration", "activity"})
_COMMENTABLE = {"unit": "units", "declaration": "declarations", "activity": "activities"}
"""Record types a comment may belong to, and the grid table that scopes them."""

MAX_COMMENT = 1000
MAX_UNIT_NAME = 60
MAX_PORTAL_URL = 500


@dataclass(frozen=True)
class GridPage:
    """One page of a view: its rows (stored values) and how many rows match in all."""

    rows: pd.DataFrame
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class SavedView:
    """A named view of a table (视图); ``unit_id`` None is shared among the office."""

    id: int
    table_name: str
    name: str
    unit_id: int | None
    spec: ViewSpec
    is_default: bool
    created_by: str
    version: int


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Grid(Family):
    """The 数据表 grid: scoped queries, saved views and batched inline edits."""

    # ------------------------------------------------------------ reading
    def _readable(self, actor: Actor, key: str) -> GridTable:
        table = grid_table(key)
        if not table.can_read(actor.role):
            raise PermissionDenied("您的账号无权查看此数据表。")
        return table

    def _where(self, actor: Actor, table: GridTable, spec: ViewSpec) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if actor.role == Role.UNIT and table.unit_scoped:
            clauses.append("_unit_id = ?")
            params.append(actor.unit_id)
        if spec.search:
            searched = [_search_sql(f) for f in table.fields]
            searched = [s for s in searched if s is not None]
            if searched:
                clauses.append("(" + " OR ".join(sql for sql, _ in searched) + ")")
                for _, values in searched:
                    params += [*values, spec.search]
        filters = []
        for condition in spec.conditions:
            sql, values = _condition_sql(table, condition)
            filters.append(sql)
            params += values
        if filters:
            joiner = " AND " if spec.match_all else " OR "
            clauses.append("(" + joiner.join(filters) + ")")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def grid_rows(
        self,
        actor: Actor,
        key: str,
        spec: ViewSpec | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> GridPage:
        """One page of a table's rows under ``spec``, scoped to the actor (数据表)."""
        table = self._readable(actor, key)
        spec = check_view(table, spec or ViewSpec())
        where, params = self._where(actor, table, spec)
        source = _SOURCES[key][1]
        total = self._one(f"SELECT count(*) FROM ({source}) t{where}", params)[0]
        order = []
        if spec.group_by:
            order.append(f"{_quote(spec.group_by)} ASC NULLS LAST")
        order += [
            f"{_quote(s.field)} {'DESC' if s.descending else 'ASC'} NULLS LAST" for s in spec.sort
        ]
        order.append(_quote(table.key_field))
        columns = ", ".join(_quote(n) for n in table.names)
        frame = self._frame(
            f"SELECT {columns} FROM ({source}) t{where} ORDER BY {', '.join(order)}"
            " LIMIT ? OFFSET ?",
            [*params, max(1, int(limit)), max(0, int(offset))],
        )
        return GridPage(frame, int(total), max(0, int(offset)), int(limit))

    def grid_groups(self, actor: Actor, key: str, spec: ViewSpec) -> pd.DataFrame:
        """Row counts per value of the view's group field (分组计数): value, count."""
        table = self._readable(actor, key)
        spec = check_view(table, spec)
        if not spec.group_by:
            return pd.DataFrame(columns=["value", "count"])
        where, params = self._where(actor, table, spec)
        column = _quote(spec.group_by)
        return self._frame(
            f"SELECT {column} AS value, count(*) AS count FROM ({_SOURCES[key][1]}) t{where}"
            " GROUP BY 1 ORDER BY 1 NULLS LAST",
            params,
        )

    def grid_record(self, actor: Actor, key: str, record_key: Any) -> dict[str, Any]:
        """All fields of one row (记录详情); NotFound for a row the actor may not read."""
        table = self._readable(actor, key)
        row = self._grid_row(actor, table, record_key)
        if row is None:
            raise NotFound("记录不存在，或不属于本单位。")
        return {n: row[n] for n in table.names}

    def _grid_row(self, actor: Actor, table: GridTable, record_key: Any) -> dict[str, Any] | None:
        """The row with ``record_key`` as a dict (with ``_unit_id``), scoped to the actor."""
        names = [*table.names, "_unit_id"]
        row = self._one(
            f"SELECT {', '.join(_quote(n) for n in names)} FROM ({_SOURCES[table.key][1]}) t"
            f" WHERE {_quote(table.key_field)} = ?",
            [record_key],
        )
        if row is None:
            return None
        record = dict(zip(names, row, strict=True))
        if actor.role == Role.UNIT and table.unit_scoped and record["_unit_id"] != actor.unit_id:
            return None
        return record

    def change_history(self, actor: Actor, key: str, record_key: Any) -> list[dict[str, Any]]:
        """The audit rows about one record, oldest first (变更历史); scoped like the record."""
        table = self._readable(actor, key)
        if self._grid_row(actor, table, record_key) is None:
            raise NotFound("记录不存在，或不属于本单位。")
        rows = self._all(
            "SELECT a.occurred_at, a.username, a.action, a.detail,"
            " coalesce(u.display_name, '') FROM audit_log a"
            " LEFT JOIN app_user u ON u.username = a.username"
            " WHERE a.object_type = ? AND a.object_id = ? AND a.success ORDER BY a.id",
            [table.object_type, str(record_key)],
        )
        names = ("occurred_at", "username", "action", "detail", "display_name")
        return [
            {**dict(zip(names, r, strict=True)), "object_type": table.object_type} for r in rows
        ]

    # ------------------------------------------------------------ comments on any record
    def add_record_comment(self, actor: Actor, object_type: str, object_id: int, body: str) -> int:
        """意见 on a unit, 申报表 or activity; a unit only on its own records."""
        self._require(actor, Role.OFFICE, Role.UNIT)
        body = body.strip()
        if not body:
            raise ValidationError("请填写意见内容。")
        if len(body) > MAX_COMMENT:
            raise ValidationError(f"意见不超过{MAX_COMMENT}个字。")
        if object_type not in _COMMENTABLE:
            raise ValidationError("该类记录不能发表意见。")
        table = grid_table(_COMMENTABLE[object_type])

        def work() -> int:
            record = self._grid_row(actor, table, object_id)
            if record is None:
                raise NotFound("记录不存在，或不属于本单位。")
            comment_id = self._one(
                "INSERT INTO comment (object_type, object_id, unit_id, body, username, role,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    object_type,
                    object_id,
                    record["_unit_id"],
                    body,
                    actor.username,
                    actor.role.value,
                    self.clock(),
                ],
            )[0]
            self._audit(actor, "comment", object_type, object_id, detail=body[:200])
            return comment_id

        return in_transaction(self.cur, work)

    # ------------------------------------------------------------ saving
    def save_grid(self, actor: Actor, key: str, changes: Changeset) -> int:
        """Write a grid's edits, new rows and deletions in one transaction (保存).

        Every edited or deleted row's version is checked first: if someone else changed
        one since it was loaded, :class:`GridConflict` lists each such field (loaded,
        mine, theirs) and nothing is written. Each field edit gets its own audit row.
        Returns the number of rows written.
        """
        table = self._readable(actor, key)
        self._check_rights(actor, table, changes)
        if changes.empty:
            return 0

        def work() -> int:
            current = self._validated(actor, table, changes)
            for edit in changes.edits:
                self._apply_edit(actor, table, current[edit.key], edit.changes)
            for values in changes.inserts:
                self._apply_insert(actor, table, values)
            for delete in changes.deletes:
                self._apply_delete(actor, table, current[delete.key])
            return changes.size

        try:
            return in_transaction(self.cur, work)
        except duckdb.ConstraintException as exc:
            raise ValidationError(_constraint_message(table, exc)) from exc

    def grid_problems(self, actor: Actor, key: str, changes: Changeset) -> list[str]:
        """What :meth:`save_grid` would refuse, without writing (导入预览): Chinese messages."""
        table = self._readable(actor, key)
        try:
            self._check_rights(actor, table, changes)
            self._validated(actor, table, changes)
        except ValidationError as exc:
            return list(exc.messages)
        except (PermissionDenied, GridConflict) as exc:
            return [str(exc)]
        return []

    def _check_rights(self, actor: Actor, table: GridTable, changes: Changeset) -> None:
        if actor.role == Role.LEADER:
            raise PermissionDenied("领导账号只能查看，不能修改数据。")
        allowed = table.editable_by(actor.role)
        for edit in changes.edits:
            for name in edit.changes:
                if name not in allowed:
                    raise PermissionDenied(f"您的账号不能修改「{table.field(name).label}」。")
        if changes.inserts and actor.role not in table.creators:
            raise PermissionDenied(f"您的账号不能在「{table.label}」中新增记录。")
        insertable = set(table.required) | allowed
        for values in changes.inserts:
            for name in values:
                f = table.field(name)  # ValidationError for an unknown field
                if name not in insertable:
                    raise PermissionDenied(f"新增记录时不能填写「{f.label}」。")
        if changes.deletes and actor.role not in table.deleters:
            raise PermissionDenied(f"您的账号不能删除「{table.label}」中的记录。")

    def _validated(
        self, actor: Actor, table: GridTable, changes: Changeset
    ) -> dict[Any, dict[str, Any]]:
        """The touched rows as they are now, after every check (nothing written)."""
        current = self._check_rows(actor, table, changes)
        problems: list[str] = []
        for edit in changes.edits:
            problems += self._edit_problems(actor, table, current[edit.key], edit.changes)
        for number, values in enumerate(changes.inserts, start=1):
            problems += self._insert_problems(table, values, number)
        for delete in changes.deletes:
            problems += self._delete_problems(table, current[delete.key])
        if problems:
            raise ValidationError(problems)
        return current

    def _check_rows(
        self, actor: Actor, table: GridTable, changes: Changeset
    ) -> dict[Any, dict[str, Any]]:
        """Each touched row as it is now; GridConflict when any is stale or gone."""
        current: dict[Any, dict[str, Any]] = {}
        conflicts: list[Conflict] = []
        missing: list[Any] = []
        for key, version, fields, edit in [
            *((e.key, e.version, e.changes, e) for e in changes.edits),
            *((d.key, d.version, {}, None) for d in changes.deletes),
        ]:
            row = self._grid_row(actor, table, key)
            if row is None:
                unscoped = self._grid_row(Actor(0, "", Role.OFFICE), table, key)
                if unscoped is not None:
                    raise PermissionDenied("只能查看和修改本单位的数据。")
                missing.append(key)
                continue
            current[key] = row
            if table.versioned and version is not None and row["version"] != version:
                if not fields:
                    conflicts.append(Conflict(key, "", "整条记录", version, "删除", row["version"]))
                for name, mine in fields.items():
                    loaded = edit.loaded.get(name) if edit else None
                    conflicts.append(
                        Conflict(key, name, table.field(name).label, loaded, mine, row[name])
                    )
                for name, loaded in (edit.loaded if edit else {}).items():
                    f = table.field(name)
                    if name in fields or same_value(f, loaded, row[name]):
                        continue
                    conflicts.append(
                        Conflict(key, name, f.label, loaded, loaded, row[name], mine_changed=False)
                    )
        if conflicts or missing:
            raise GridConflict(conflicts, missing)
        return current

    def _edit_problems(
        self, actor: Actor, table: GridTable, row: dict[str, Any], changes: dict[str, Any]
    ) -> list[str]:
        where = f"第 {row[table.key_field]} 号记录"
        problems = []
        if table.key == "units" and "name" in changes and not changes["name"]:
            problems.append(f"{where}：单位名称不能为空。")
        elif table.key == "units" and "name" in changes and len(changes["name"]) > MAX_UNIT_NAME:
            problems.append(f"{where}：单位名称不能超过{MAX_UNIT_NAME}个字。")
        problems += _value_problems(changes, where)
        if table.key == "declarations" and actor.role == Role.UNIT:
            if row["status"] not in ("draft", "returned"):
                problems.append(f"{where}：申报表已提交，联系人须在退回修改后再改。")
        if table.key == "activities":
            problems += self._activity_problems(row, changes, where)
        for name in ("expected_participants",):
            if name in changes and changes[name] is not None and changes[name] < 0:
                problems.append(f"{where}：预计人数不能为负数。")
        return problems

    def _activity_problems(
        self, row: dict[str, Any], changes: dict[str, Any], where: str
    ) -> list[str]:
        if "activity_date" not in changes:
            return []
        approved = self._one("SELECT status FROM declaration WHERE id = ?", [row["declaration_id"]])
        if approved is None or approved[0] != "approved":
            return [f"{where}：申报表审核通过后才能确定活动日期。"]
        if row["status"] not in OPEN_ACTIVITY_STATUSES:
            return [f"{where}：活动已开展或已取消，不能再修改日期。"]
        new: date | None = changes["activity_date"]
        if new is None:
            return [f"{where}：活动日期不能清空。"]
        if new.year != row["year"]:
            return [f"{where}：活动日期须在{row['year']}年内。"]
        reason = self._one("SELECT off_month_reason FROM activity WHERE id = ?", [row["id"]])[0]
        if new.month != row["planned_month"] and not reason:
            return [
                f"{where}：活动日期不在计划月份（{row['planned_month']}月），"
                "请到「本单位活动」填写调整原因后再改。"
            ]
        return []

    def _insert_problems(self, table: GridTable, values: dict[str, Any], number: int) -> list[str]:
        where = f"新增第 {number} 行"
        missing = [table.field(n).label for n in table.required if values.get(n) in (None, "")]
        if missing:
            return [f"{where}：请填写{'、'.join(f'「{m}」' for m in missing)}。"]
        if table.key == "units":
            problems = unit_problems(
                str(values["name"]), str(values["kind"]), str(values.get("contact_phone") or "")
            )
            if problems:
                return [f"{where}：{p}" for p in problems]
        if table.key == "workday_overrides" and self._one(
            "SELECT 1 FROM workday_override WHERE day = ?", [values.get("day")]
        ):
            return [f"{where}：{values.get('day')} 已有调整记录，请直接修改该行。"]
        if table.key == "units" and self._one(
            "SELECT 1 FROM unit WHERE name = ?", [values.get("name")]
        ):
            return [f"{where}：单位「{values.get('name')}」已存在。"]
        return []

    def _delete_problems(self, table: GridTable, row: dict[str, Any]) -> list[str]:
        if table.key != "units":
            return []
        used = self._one(
            "SELECT (SELECT count(*) FROM app_user WHERE unit_id = ?)"
            " + (SELECT count(*) FROM declaration WHERE unit_id = ?)"
            " + (SELECT count(*) FROM activity WHERE unit_id = ?)",
            [row["id"]] * 3,
        )[0]
        if used:
            return [
                f"单位「{row['name']}」已有账号或申报记录，不能删除（可在「单位与账号」中停用）。"
            ]
        return []

    def _apply_edit(
        self, actor: Actor, table: GridTable, row: dict[str, Any], changes: dict[str, Any]
    ) -> None:
        stored = _SOURCES[table.key][0]
        changes = {
            n: "" if v is None and table.field(n).type == FieldType.TEXT else v
            for n, v in changes.items()
        }
        assignments = [f"{_quote(n)} = ?" for n in changes]
        params = list(changes.values())
        if table.key == "activities" and "activity_date" in changes:
            if row["status"] == ActivityStatus.PLANNED:
                assignments.append("status = ?")
                params.append(ActivityStatus.SCHEDULED.value)
            assignments.append("scheduled_at = coalesce(scheduled_at, ?)")
            params.append(self.clock())
            # The same 活动日期 history as 本单位活动's 改期: deadlines in force are
            # judged from it on every screen.
            activity = self.repo.activities.get_activity(actor, row[table.key_field])
            assignments.append("date_history = ?")
            params.append(activity.date_history_with(changes["activity_date"], self.today()))
        if table.versioned:
            assignments.append("version = version + 1")
        if stored in _HAS_UPDATED_AT:
            assignments.append("updated_at = ?")
            params.append(self.clock())
        self.cur.execute(
            f"UPDATE {stored} SET {', '.join(assignments)} WHERE {_quote(table.key_field)} = ?",
            [*params, row[table.key_field]],
        )
        record_key = row[table.key_field]
        for name, value in changes.items():
            detail = field_change_detail(table.field(name), row[name], value)
            self._audit(actor, "edit", table.object_type, record_key, detail=detail)
        if table.key == "activities" and "activity_date" in changes:
            # The compliance engine replays date changes from 'schedule' rows.
            before = row["activity_date"] or "未定"
            self._audit(
                actor,
                "schedule",
                "activity",
                record_key,
                detail=f"{before} → {changes['activity_date']}",
            )

    def _apply_insert(self, actor: Actor, table: GridTable, values: dict[str, Any]) -> None:
        stored = _SOURCES[table.key][0]
        columns = dict(values)
        now = self.clock()
        if table.key == "workday_overrides":
            columns.setdefault("note", "")
            columns.update(created_by=actor.username, created_at=now)
        elif table.key == "units":
            columns.setdefault("contact_person", "")
            columns.setdefault("contact_phone", "")
            columns.update(created_at=now, updated_at=now)
        names = list(columns)
        record_key = self._one(
            f"INSERT INTO {stored} ({', '.join(_quote(n) for n in names)})"
            f" VALUES ({', '.join('?' for _ in names)}) RETURNING {_quote(table.key_field)}",
            list(columns.values()),
        )[0]
        detail = json.dumps(
            {n: str(v) for n, v in values.items()}, ensure_ascii=False, sort_keys=True
        )
        self._audit(actor, "create", table.object_type, record_key, detail=detail)

    def _apply_delete(self, actor: Actor, table: GridTable, row: dict[str, Any]) -> None:
        stored = _SOURCES[table.key][0]
        record_key = row[table.key_field]
        self.cur.execute(f"DELETE FROM {stored} WHERE {_quote(table.key_field)} = ?", [record_key])
        snapshot = {n: str(row[n]) for n in table.names if row[n] is not None}
        self._audit(
            actor,
            "delete",
            table.object_type,
            record_key,
            detail=json.dumps(snapshot, ensure_ascii=False, sort_keys=True),
        )

    # ------------------------------------------------------------ saved views
    def list_saved_views(self, actor: Actor, key: str) -> list[SavedView]:
        """Views of a table the actor may use: the office's shared ones (office, leader)
        or the unit's own (unit), the default first."""
        self._readable(actor, key)
        scope, params = self._view_scope(actor)
        rows = self._all(
            "SELECT id, table_name, name, unit_id, spec, is_default, created_by, version"
            f" FROM saved_view WHERE table_name = ? AND {scope}"
            " ORDER BY is_default DESC, name",
            [key, *params],
        )
        return [SavedView(r[0], r[1], r[2], r[3], ViewSpec.from_json(r[4]), *r[5:]) for r in rows]

    def default_view(self, actor: Actor, key: str) -> SavedView | None:
        """The actor's default view of a table, if one is set (默认视图)."""
        views = self.list_saved_views(actor, key)
        return views[0] if views and views[0].is_default else None

    def save_view(
        self,
        actor: Actor,
        key: str,
        name: str,
        spec: ViewSpec,
        *,
        is_default: bool = False,
    ) -> int:
        """Save (or replace, by name) a view; the office's are shared, a unit's are its own."""
        self._require(actor, Role.OFFICE, Role.UNIT)
        table = self._readable(actor, key)
        spec = check_view(table, spec)
        name = name.strip()
        if not name:
            raise ValidationError("请填写视图名称。")
        if len(name) > 40:
            raise ValidationError("视图名称不超过40个字。")
        unit_id = actor.unit_id if actor.role == Role.UNIT else None
        scope, params = self._view_scope(actor)

        def work() -> int:
            now = self.clock()
            if is_default:
                self.cur.execute(
                    f"UPDATE saved_view SET is_default = false, version = version + 1"
                    f" WHERE table_name = ? AND is_default AND {scope}",
                    [key, *params],
                )
            existing = self._one(
                f"SELECT id FROM saved_view WHERE table_name = ? AND name = ? AND {scope}",
                [key, name, *params],
            )
            if existing:
                view_id = existing[0]
                self.cur.execute(
                    "UPDATE saved_view SET spec = ?, is_default = ?, updated_at = ?,"
                    " version = version + 1 WHERE id = ?",
                    [spec.to_json(), is_default, now, view_id],
                )
            else:
                view_id = self._one(
                    "INSERT INTO saved_view (table_name, name, unit_id, spec, is_default,"
                    " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " RETURNING id",
                    [key, name, unit_id, spec.to_json(), is_default, actor.username, now, now],
                )[0]
            self._audit(actor, "save_view", "saved_view", view_id, detail=f"{key}:{name}")
            return view_id

        return in_transaction(self.cur, work)

    def delete_view(self, actor: Actor, view_id: int) -> None:
        """Delete a saved view of the actor's scope."""
        self._require(actor, Role.OFFICE, Role.UNIT)
        scope, params = self._view_scope(actor)

        def work() -> None:
            if not self._one(
                f"SELECT 1 FROM saved_view WHERE id = ? AND {scope}", [view_id, *params]
            ):
                raise NotFound("视图不存在，或不属于您。")
            self.cur.execute("DELETE FROM saved_view WHERE id = ?", [view_id])
            self._audit(actor, "delete_view", "saved_view", view_id)

        in_transaction(self.cur, work)

    @staticmethod
    def _view_scope(actor: Actor) -> tuple[str, list[Any]]:
        if actor.role == Role.UNIT:
            return "unit_id = ?", [actor.unit_id]
        return "unit_id IS NULL", []


def _value_problems(changes: dict[str, Any], where: str) -> list[str]:
    """Checks the forms make on the same values: phone numbers and portal addresses."""
    problems = []
    phone = changes.get("contact_phone")
    if phone:
        message = phone_problem(str(phone))
        if message:
            problems.append(f"{where}：{message}")
    url = changes.get("portal_url")
    if url:
        url = str(url).strip()
        if not url.lower().startswith(("http://", "https://")) or any(c.isspace() for c in url):
            problems.append(f"{where}：门户网站文章地址须以 http:// 或 https:// 开头，且不含空格。")
        elif len(url) > MAX_PORTAL_URL:
            problems.append(f"{where}：门户网站文章地址过长。")
    return problems


def _search_sql(f: GridField) -> tuple[str, list[Any]] | None:
    """The search test of one field, on what the grid shows: an enum's Chinese label
    (草稿, 已定日期…), not its stored code. None for fields search does not look at."""
    text = f"CAST({_quote(f.name)} AS VARCHAR)"
    if f.type == FieldType.TEXT:
        return f"strpos(lower({text}), lower(?)) > 0", []
    if f.type != FieldType.ENUM:
        return None
    params: list[Any] = []
    cases = ""
    for code, label in f.options:
        cases += " WHEN ? THEN ?"
        params += [code, label]
    shown = f"CASE {text}{cases} ELSE {text} END" if cases else text
    return f"strpos(lower({shown}), lower(?)) > 0", params


def _condition_sql(table: GridTable, condition: Condition) -> tuple[str, list[Any]]:
    f = table.field(condition.field)
    column = _quote(f.name)
    op, value = condition.op, condition.value
    if f.type == FieldType.DATETIME and op not in VALUELESS:
        column = f"CAST({column} AS DATE)"
        if isinstance(value, datetime):  # the column is compared by its day
            value = value.date()
    if op in VALUELESS:
        blank = f"{column} IS NULL" + (
            f" OR trim({column}) = ''" if f.type == FieldType.TEXT else ""
        )
        return (f"({blank})", []) if op == "empty" else (f"NOT ({blank})", [])
    if op == "contains":
        return f"strpos(lower({column}), lower(?)) > 0", [value]
    if op == "not_contains":
        return f"NOT coalesce(strpos(lower({column}), lower(?)) > 0, false)", [value]
    if op == "in":
        return f"{column} IN ({', '.join('?' for _ in value)})", list(value)
    if op == "ne":
        return f"{column} IS DISTINCT FROM ?", [value]
    sql_op = {"eq": "=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "before": "<", "after": ">"}[
        op
    ]
    return f"{column} {sql_op} ?", [value]


def _constraint_message(table: GridTable, exc: Exception) -> str:
    text = str(exc)
    if "Duplicate key" in text or "unique" in text.lower():
        return f"「{table.label}」中已有相同的记录（名称或日期重复），本次保存未写入。"
    return f"数据不符合「{table.label}」的约束，本次保存未写入。"
