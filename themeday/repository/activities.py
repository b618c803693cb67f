"""The activity lifecycle (活动开展): schedule, plan, held, report, publish, comments.

Each approved theme is an activity: planned → scheduled → plan_filed → held → reported
→ published, or cancelled. A unit moves its own activities along; the office may act
for any unit and alone publishes, unpublishes and marks 典型经验. The public reads only
published activities, through the ``showcase`` methods, which carry no contact details.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from themeday.core.config import TZ
from themeday.core.domain import (
    OPEN_ACTIVITY_STATUSES,
    ActivityStatus,
    Actor,
    NotFound,
    Role,
    ValidationError,
)
from themeday.core.records import Activity, Attachment, Comment, NewFile, ShowcaseItem
from themeday.repository.base import Family, fast_moments, local_moments
from themeday.repository.declarations import ACTIVITY_COLUMNS, ATTACHMENT_COLUMNS
from themeday.storage.db import in_transaction

LIFECYCLE_COLUMNS = ACTIVITY_COLUMNS + ", a.date_history"
"""The activity columns plus its 活动日期 history (``Activity.date_history_json``)."""

_FAST_LIFECYCLE_COLUMNS, _MOMENT_AT = fast_moments(
    LIFECYCLE_COLUMNS, ("a.plan_filed_at", "a.report_filed_at", "a.published_at")
)
"""``LIFECYCLE_COLUMNS`` with the filing and publishing moments read fast (see
:func:`fast_moments`); :func:`_activity` makes them Asia/Shanghai datetimes."""


def _activity(row: tuple) -> Activity:
    """An :class:`Activity` of a row read with ``_FAST_LIFECYCLE_COLUMNS``."""
    return Activity(*local_moments(row, _MOMENT_AT))


_BY_DATE = (
    " ORDER BY coalesce(a.held_date, a.activity_date, make_date(2999, a.planned_month, 1)),"
    " un.kind, un.id, a.seq"
)

LIVE_FILE = "removed_at IS NULL"
"""Attachments not removed by the unit (a removed row stays for the audit trail)."""

PUBLIC_FILE_KINDS = ("marking", "photo", "video")
"""Attachment kinds the 成果展示 may show (never plans, reports or scans)."""

_S = ActivityStatus

REMOVABLE_WHILE: dict[str, tuple[ActivityStatus, ...]] = {
    "plan": (_S.SCHEDULED, _S.PLAN_FILED),
    "marking": (_S.HELD,),
    "photo": (_S.REPORTED,),
    "video": (_S.REPORTED,),
    "report": (_S.REPORTED,),
}
"""Files are stored when their step is saved; a file may be removed while its step is
the latest one (the next step not yet filed): 方案附件 until 开展情况 is recorded,
现场标识照片 until the 活动总结 is filed, 总结材料 until the office publishes."""


class Activities(Family):
    """The activity lifecycle (活动开展), comments and the public showcase."""

    # ------------------------------------------------------------ reading
    def get_activity(self, actor: Actor, activity_id: int) -> Activity:
        """One activity; a unit user reaches only its own unit's."""
        return self._own_unit_record(
            actor,
            Activity,
            f"SELECT {LIFECYCLE_COLUMNS} FROM activity a JOIN unit un ON un.id = a.unit_id"
            " WHERE a.id = ?",
            [activity_id],
            "活动不存在。",
        )

    def list_lifecycle(
        self,
        actor: Actor,
        campaign_id: int,
        unit_id: int | None = None,
        *,
        ids: Sequence[int] | None = None,
    ) -> list[Activity]:
        """Activities of approved 申报表 (the ones that are carried out), by date;
        only those with one of ``ids`` when given (the rows a page shows)."""
        if ids is not None and not ids:
            return []
        sql, params = self._lifecycle_from(actor, campaign_id, unit_id)
        if ids is not None:
            sql += f" AND a.id IN ({', '.join('?' * len(ids))})"
            params += [int(i) for i in ids]
        rows = self._all(f"SELECT {_FAST_LIFECYCLE_COLUMNS}{sql}{_BY_DATE}", params)
        return [_activity(r) for r in rows]

    def lifecycle_rows(
        self, actor: Actor, campaign_id: int, unit_id: int | None = None
    ) -> pd.DataFrame:
        """The same activities as ``list_lifecycle``, in the same order, as one frame of
        the few columns a list, its filters and the deadlines need.

        Columns: id, unit_id, unit_name, seq, title, form, planned_month,
        activity_date, held_date (dates), status, plan_filed_at, report_filed_at (naive
        Asia/Shanghai wall-clock times, converted in SQL: a province has tens of
        thousands), single_date (the date history holds at most the activity's current
        date, so no earlier due date can be in force), date_history (JSON, only when not
        single_date) and typical_case.
        """
        sql, params = self._lifecycle_from(actor, campaign_id, unit_id)
        day = "coalesce(a.held_date, a.activity_date)"
        single = (
            "(json_array_length(a.date_history) = 0 OR (json_array_length(a.date_history) = 1"
            f" AND TRY_CAST(a.date_history->>'$[0][1]' AS DATE) = {day}))"
        )
        columns = (
            "a.id, a.unit_id, un.name AS unit_name, a.seq, a.title, a.form,"
            " a.planned_month, a.activity_date, a.held_date, a.status,"
            f" timezone('{TZ.key}', a.plan_filed_at) AS plan_filed_at,"
            f" timezone('{TZ.key}', a.report_filed_at) AS report_filed_at,"
            f" CASE WHEN {single} THEN NULL ELSE a.date_history END AS date_history,"
            f" {single} AS single_date, a.typical_case"
        )
        return self._frame(f"SELECT {columns}{sql}{_BY_DATE}", params)

    def _lifecycle_from(
        self, actor: Actor, campaign_id: int, unit_id: int | None
    ) -> tuple[str, list[Any]]:
        sql = (
            " FROM activity a JOIN unit un ON un.id = a.unit_id"
            " JOIN declaration d ON d.id = a.declaration_id"
            " WHERE a.campaign_id = ? AND d.status = 'approved'"
        )
        scope, scope_params = self._unit_scope(actor, "a.unit_id", unit_id)
        return sql + scope, [campaign_id, *scope_params]

    def list_activity_files(self, actor: Actor, activity_id: int) -> list[Attachment]:
        """佐证材料 of an activity, in upload order (removed ones left out)."""
        self.get_activity(actor, activity_id)  # scope check
        rows = self._all(
            f"SELECT {ATTACHMENT_COLUMNS} FROM attachment"
            f" WHERE owner_type = 'activity' AND owner_id = ? AND {LIVE_FILE} ORDER BY id",
            [activity_id],
        )
        return [Attachment(*r) for r in rows]

    def list_campaign_photos(
        self,
        actor: Actor,
        campaign_id: int,
        *,
        unit_ids: Sequence[int] = (),
        forms: Sequence[str] = (),
        months: Sequence[int] = (),
        limit: int = 24,
        offset: int = 0,
    ) -> tuple[list[Attachment], int]:
        """照片墙: one page of the campaign's activity photos (活动照片 and 现场标识照片),
        newest activity first, and how many there are in all.

        A unit user gets only its own unit's. ``unit_ids``, ``forms`` and ``months``
        narrow the activities (empty = all); the month is that of the held date, else
        the scheduled date, else the declared 计划月份.
        """
        where = (
            " FROM attachment f JOIN activity a ON a.id = f.owner_id"
            " WHERE f.owner_type = 'activity' AND f.campaign_id = ?"
            " AND f.kind IN ('photo', 'marking') AND f.fmt IN ('jpeg', 'png')"
            " AND f.removed_at IS NULL"
        )
        scope, scope_params = self._unit_scope(actor, "a.unit_id")
        where += scope
        params: list[Any] = [campaign_id, *scope_params]
        for values, column in (
            (unit_ids, "a.unit_id"),
            (forms, "a.form"),
            (months, "coalesce(month(coalesce(a.held_date, a.activity_date)), a.planned_month)"),
        ):
            if values:
                where += f" AND {column} IN ({', '.join('?' for _ in values)})"
                params.extend(values)
        total = self._one(f"SELECT count(*){where}", params)[0]
        columns = ", ".join("f." + c.strip() for c in ATTACHMENT_COLUMNS.split(","))
        rows = self._all(
            f"SELECT {columns}{where}"
            " ORDER BY coalesce(a.held_date, a.activity_date) DESC NULLS LAST, a.id DESC,"
            " CASE f.kind WHEN 'photo' THEN 0 ELSE 1 END, f.id LIMIT ? OFFSET ?",
            [*params, max(int(limit), 0), max(int(offset), 0)],
        )
        return [Attachment(*r) for r in rows], total

    # ------------------------------------------------------------ the unit's steps
    def schedule_activity(
        self,
        actor: Actor,
        activity_id: int,
        expected_version: int | None,
        *,
        activity_date: date,
        place: str,
        invitees: Sequence[str],
        expected_participants: int | None,
        off_month_reason: str,
    ) -> None:
        """定日期: set (or move) the date, place and invitees of an approved activity."""

        def change(activity: Activity) -> tuple[str, list[Any], str]:
            if activity.status not in OPEN_ACTIVITY_STATUSES:
                raise ValidationError("活动已开展或已取消，不能再修改日期。")
            status = _S.SCHEDULED if activity.status == _S.PLANNED else _S(activity.status)
            return (
                "activity_date = ?, place = ?, invitees = ?, expected_participants = ?,"
                " off_month_reason = ?, status = ?, scheduled_at = coalesce(scheduled_at, ?),"
                " date_history = ?",
                [
                    activity_date,
                    place,
                    json.dumps(list(invitees), ensure_ascii=False),
                    expected_participants,
                    off_month_reason,
                    status.value,
                    self.clock(),
                    activity.date_history_with(activity_date, self.today()),
                ],
                f"{activity.activity_date or '未定'} → {activity_date}",
            )

        self._step(actor, activity_id, expected_version, "schedule", change)

    def file_activity_plan(
        self,
        actor: Actor,
        activity_id: int,
        expected_version: int | None,
        *,
        plan_text: str,
        files: Sequence[NewFile] = (),
    ) -> None:
        """报送活动方案: the plan text (and documents); the first filing's time is kept."""

        def change(activity: Activity) -> tuple[str, list[Any], str]:
            if activity.status not in (_S.SCHEDULED, _S.PLAN_FILED):
                raise ValidationError(_not_now(activity, "请先确定活动日期，再报送活动方案。"))
            return (
                "plan_text = ?, plan_filed_at = coalesce(plan_filed_at, ?), status = ?",
                [plan_text, self.clock(), _S.PLAN_FILED.value],
                "修改方案" if activity.plan_filed_at else "",
            )

        self._step(actor, activity_id, expected_version, "file_plan", change, files)

    def record_activity_held(
        self,
        actor: Actor,
        activity_id: int,
        expected_version: int | None,
        *,
        held_date: date,
        attendance: dict[str, int],
        media_outlets: str,
        files: Sequence[NewFile] = (),
        plan_required: bool = False,
        marking_required: bool = False,
        off_month_reason: str | None = None,
    ) -> None:
        """开展情况: held date, attendance, media; LOGO/横幅 photos when the campaign asks.

        The held date becomes the activity's date (it joins the date history);
        ``off_month_reason`` is the 调整原因 when it lies outside the 计划月份 ("" when
        inside; None keeps the stored one).
        """

        def change(activity: Activity) -> tuple[str, list[Any], str]:
            allowed = {_S.SCHEDULED, _S.PLAN_FILED, _S.HELD}
            if activity.status not in allowed:
                raise ValidationError(_not_now(activity, "请先确定活动日期。"))
            if plan_required and activity.plan_filed_at is None:
                raise ValidationError("请先报送活动方案，再填报开展情况。")
            if marking_required and not self._has_file(activity_id, "marking", files):
                raise ValidationError(
                    "请上传至少一张现场展示“政务公开主题日”标识（LOGO、横幅或电子屏）的照片。"
                )
            reason = activity.off_month_reason if off_month_reason is None else off_month_reason
            return (
                "held_date = ?, attendance = ?, media_outlets = ?, status = ?,"
                " held_recorded_at = coalesce(held_recorded_at, ?), off_month_reason = ?,"
                " date_history = ?",
                [
                    held_date,
                    json.dumps(attendance, ensure_ascii=False),
                    media_outlets,
                    _S.HELD.value,
                    self.clock(),
                    reason,
                    activity.date_history_with(held_date, self.today()),
                ],
                str(held_date),
            )

        self._step(actor, activity_id, expected_version, "record_held", change, files)

    def file_activity_report(
        self,
        actor: Actor,
        activity_id: int,
        expected_version: int | None,
        *,
        report_text: str,
        files: Sequence[NewFile] = (),
    ) -> None:
        """报送活动总结: report text with at least one photo; the first filing's time is kept."""

        def change(activity: Activity) -> tuple[str, list[Any], str]:
            if activity.status not in (_S.HELD, _S.REPORTED):
                raise ValidationError(
                    _not_now(activity, "请先填报开展情况，再报送活动总结。")
                    if activity.status != _S.PUBLISHED
                    else "活动已发布到成果展示，如需修改总结请联系政务公开办撤回发布。"
                )
            if not self._has_file(activity_id, "photo", files):
                raise ValidationError("活动总结须附至少一张活动照片（JPG/PNG）。")
            return (
                "report_text = ?, report_filed_at = coalesce(report_filed_at, ?), status = ?",
                [report_text, self.clock(), _S.REPORTED.value],
                "修改总结" if activity.report_filed_at else "",
            )

        self._step(actor, activity_id, expected_version, "file_report", change, files)

    def cancel_activity(
        self, actor: Actor, activity_id: int, expected_version: int | None, reason: str
    ) -> None:
        """取消活动 with a reason; only before it is held."""
        reason = reason.strip()
        if not reason:
            raise ValidationError("取消活动须填写取消原因。")

        def change(activity: Activity) -> tuple[str, list[Any], str]:
            if activity.status not in OPEN_ACTIVITY_STATUSES:
                raise ValidationError(
                    "活动已取消。" if activity.cancelled else "活动已开展，不能取消。"
                )
            return (
                "cancel_reason = ?, status = ?, cancelled_at = ?",
                [reason, _S.CANCELLED.value, self.clock()],
                reason,
            )

        self._step(actor, activity_id, expected_version, "cancel", change)

    def remove_activity_file(
        self, actor: Actor, attachment_id: int, *, marking_required: bool = False
    ) -> None:
        """Remove a wrongly uploaded file of the step still open (see ``REMOVABLE_WHILE``).

        The row is marked removed (who, when), never deleted, and an audit row names the
        file. A unit reaches only its own unit's files; the file of a step the next one
        has followed (方案 once held, 标识照片 once reported, 总结材料 once published) stays,
        and so does the last photo a step requires.
        """
        self._require(actor, Role.OFFICE, Role.UNIT)

        def work() -> None:
            row = self._one(
                f"SELECT {ATTACHMENT_COLUMNS} FROM attachment WHERE id = ?"
                f" AND owner_type = 'activity' AND {LIVE_FILE}",
                [attachment_id],
            )
            if row is None:
                raise NotFound("文件不存在或已删除。")
            attachment = Attachment(*row)
            activity = self.get_activity(actor, attachment.owner_id)
            if activity.status not in REMOVABLE_WHILE.get(attachment.kind, ()):
                raise ValidationError(_kept_message(attachment.kind))
            required = photo_required(attachment.kind, marking_required)
            if required and self._live_files(activity.id, attachment.kind) <= 1:
                raise ValidationError(
                    "这是该环节唯一的一张照片，请先上传正确的照片，再删除这一张。"
                )
            self.cur.execute(
                "UPDATE attachment SET removed_at = ?, removed_by = ? WHERE id = ?",
                [self.clock(), actor.username, attachment_id],
            )
            self._audit(
                actor,
                "remove_file",
                "attachment",
                attachment_id,
                detail=f"活动{activity.id}：{attachment.original_name}",
            )

        in_transaction(self.cur, work)

    # ------------------------------------------------------------ the office
    def publish_activity(
        self, actor: Actor, activity_id: int, expected_version: int | None, portal_url: str = ""
    ) -> None:
        """发布到成果展示 (office), optionally with the portal article's address."""
        self._require(actor, Role.OFFICE)

        def change(activity: Activity) -> tuple[str, list[Any], str]:
            if activity.status not in (_S.REPORTED, _S.PUBLISHED):
                raise ValidationError("只能发布已报送活动总结的活动。")
            return (
                "portal_url = ?, published_at = coalesce(published_at, ?), status = ?",
                [portal_url, self.clock(), _S.PUBLISHED.value],
                portal_url,
            )

        self._step(actor, activity_id, expected_version, "publish", change)

    def unpublish_activity(self, actor: Actor, activity_id: int, expected_version: int | None):
        """撤回发布 (office): the activity leaves the 成果展示 and is a filed report again."""
        self._require(actor, Role.OFFICE)

        def change(activity: Activity) -> tuple[str, list[Any], str]:
            if activity.status != _S.PUBLISHED:
                raise ValidationError("该活动未发布。")
            return ("published_at = NULL, status = ?", [_S.REPORTED.value], "")

        self._step(actor, activity_id, expected_version, "unpublish", change)

    def set_typical_case(
        self, actor: Actor, activity_id: int, expected_version: int | None, typical: bool
    ) -> None:
        """标记/取消典型经验 (office)."""
        self._require(actor, Role.OFFICE)

        def change(activity: Activity) -> tuple[str, list[Any], str]:
            if typical and activity.status not in (_S.HELD, _S.REPORTED, _S.PUBLISHED):
                raise ValidationError("活动开展后才能标记为典型经验。")
            return ("typical_case = ?", [typical], "标记" if typical else "取消标记")

        self._step(actor, activity_id, expected_version, "typical_case", change)

    # ------------------------------------------------------------ comments
    def add_comment(self, actor: Actor, activity_id: int, body: str) -> int:
        """意见: the office comments on an activity; the unit may reply on its own."""
        self._require(actor, Role.OFFICE, Role.UNIT)
        body = body.strip()
        if not body:
            raise ValidationError("请填写意见内容。")

        def work() -> int:
            activity = self.get_activity(actor, activity_id)
            comment_id = self._one(
                "INSERT INTO comment (object_type, object_id, unit_id, body, username, role,"
                " created_at) VALUES ('activity', ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    activity_id,
                    activity.unit_id,
                    body,
                    actor.username,
                    actor.role.value,
                    self.clock(),
                ],
            )[0]
            self._audit(actor, "comment", "activity", activity_id, detail=body[:200])
            return comment_id

        return in_transaction(self.cur, work)

    def list_comments(self, actor: Actor, activity_id: int) -> list[Comment]:
        """The comment thread of an activity, oldest first."""
        self.get_activity(actor, activity_id)  # scope check
        rows = self._all(
            "SELECT id, object_type, object_id, unit_id, body, username, role, created_at"
            " FROM comment WHERE object_type = 'activity' AND object_id = ? ORDER BY id",
            [activity_id],
        )
        return [Comment(*r) for r in rows]

    # ------------------------------------------------------------ the public
    def showcase_campaigns(self) -> dict[int, int]:
        """The campaigns that have published activities: campaign id → year."""
        rows = self._all(
            "SELECT DISTINCT c.id, c.year FROM campaign c JOIN activity a ON a.campaign_id = c.id"
            " WHERE a.status = 'published'"
        )
        return {int(c): int(y) for c, y in rows}

    @staticmethod
    def _showcase_where(
        campaign_id: int | None,
        month: int | None,
        unit_name: str | None,
        form: str | None,
        activity_id: int | None = None,
    ) -> tuple[str, list[Any]]:
        """The condition on ``activity a`` / ``unit un`` of a 成果展示 list: published
        activities, narrowed by the filters given."""
        sql = " WHERE a.status = 'published'"
        params: list[Any] = []
        for value, condition in (
            (campaign_id, " AND a.campaign_id = ?"),
            (month, " AND month(coalesce(a.held_date, a.activity_date)) = ?"),
            (unit_name or None, " AND un.name = ?"),
            (form or None, " AND a.form = ?"),
            (activity_id, " AND a.id = ?"),
        ):
            if value is not None:
                sql += condition
                params.append(value)
        return sql, params

    def count_showcase(
        self,
        campaign_id: int | None = None,
        *,
        month: int | None = None,
        unit_name: str | None = None,
        form: str | None = None,
    ) -> int:
        """How many activities ``list_showcase`` would list with the same filters."""
        where, params = self._showcase_where(campaign_id, month, unit_name, form)
        row = self._one(
            "SELECT count(*) FROM activity a JOIN unit un ON un.id = a.unit_id" + where, params
        )
        return int(row[0])

    def list_showcase(
        self,
        campaign_id: int | None = None,
        *,
        month: int | None = None,
        unit_name: str | None = None,
        form: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        activity_id: int | None = None,
    ) -> list[ShowcaseItem]:
        """成果展示: published activities, newest first; no login, no contact details.

        ``limit``/``offset`` read one page of the list (a province publishes thousands).
        """
        where, params = self._showcase_where(campaign_id, month, unit_name, form, activity_id)
        sql = (
            "SELECT a.id, a.campaign_id, c.year, un.name, a.title, a.form, a.planned_month,"
            " a.held_date, a.place, a.report_text, a.published_at, a.portal_url,"
            " a.typical_case FROM activity a JOIN unit un ON un.id = a.unit_id"
            " JOIN campaign c ON c.id = a.campaign_id"
            + where
            + " ORDER BY a.published_at DESC, a.id DESC"
        )
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        rows = self._all(sql, params)
        files = self._public_files([r[0] for r in rows])
        return [
            ShowcaseItem(
                *row,
                photo_ids=tuple(i for i, k in files.get(row[0], []) if k != "video"),
                video_ids=tuple(i for i, k in files.get(row[0], []) if k == "video"),
            )
            for row in rows
        ]

    def get_showcase_item(self, activity_id: int) -> ShowcaseItem | None:
        """One published activity for the public, or None (unpublished or unknown)."""
        items = self.list_showcase(activity_id=activity_id)
        return items[0] if items else None

    def public_attachment(self, attachment_id: int) -> Attachment:
        """A photo or video of a published activity; anything else is ``NotFound``."""
        row = self._one(
            f"SELECT {', '.join('f.' + c.strip() for c in ATTACHMENT_COLUMNS.split(','))}"
            " FROM attachment f JOIN activity a ON a.id = f.owner_id"
            " WHERE f.id = ? AND f.owner_type = 'activity' AND a.status = 'published'"
            " AND f.kind IN ('marking', 'photo', 'video') AND f.removed_at IS NULL",
            [attachment_id],
        )
        if row is None:
            raise NotFound("文件不存在或未公开。")
        return Attachment(*row)

    def showcase_filters(self, campaign_id: int | None = None) -> dict[str, list]:
        """The months, units and forms that published activities have (for the filters)."""
        sql = (
            "SELECT DISTINCT month(coalesce(a.held_date, a.activity_date)), un.name, a.form"
            " FROM activity a JOIN unit un ON un.id = a.unit_id WHERE a.status = 'published'"
        )
        params: list[Any] = []
        if campaign_id is not None:
            sql += " AND a.campaign_id = ?"
            params.append(campaign_id)
        rows = self._all(sql, params)
        return {
            "months": sorted({r[0] for r in rows if r[0] is not None}),
            "units": sorted({r[1] for r in rows}),
            "forms": sorted({r[2] for r in rows}),
        }

    # ------------------------------------------------------------ plumbing
    def _public_files(self, activity_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
        if not activity_ids:
            return {}
        marks = ", ".join("?" for _ in activity_ids)
        rows = self._all(
            f"SELECT owner_id, id, kind FROM attachment WHERE owner_type = 'activity'"
            f" AND owner_id IN ({marks}) AND kind IN ('marking', 'photo', 'video') AND {LIVE_FILE}"
            " ORDER BY CASE kind WHEN 'photo' THEN 0 WHEN 'marking' THEN 1 ELSE 2 END, id",
            activity_ids,
        )
        files: dict[int, list[tuple[int, str]]] = {}
        for owner_id, file_id, kind in rows:
            files.setdefault(owner_id, []).append((file_id, kind))
        return files

    def _has_file(self, activity_id: int, kind: str, new: Sequence[NewFile]) -> bool:
        return any(f.kind == kind for f in new) or self._live_files(activity_id, kind) > 0

    def _live_files(self, activity_id: int, kind: str) -> int:
        row = self._one(
            "SELECT count(*) FROM attachment WHERE owner_type = 'activity' AND owner_id = ?"
            f" AND kind = ? AND {LIVE_FILE}",
            [activity_id, kind],
        )
        return row[0]

    def _step(
        self,
        actor: Actor,
        activity_id: int,
        expected_version: int | None,
        action: str,
        change,
        files: Sequence[NewFile] = (),
    ) -> None:
        """One lifecycle write: scope, approval and version checks, the change, the files
        and the audit row, all in one transaction (nothing is half-applied)."""
        self._require(actor, Role.OFFICE, Role.UNIT)

        def work() -> None:
            activity = self.get_activity(actor, activity_id)
            self._check_version("activity", activity_id, expected_version)
            approved = self._one(
                "SELECT status FROM declaration WHERE id = ?", [activity.declaration_id]
            )
            if approved is None or approved[0] != "approved":
                raise ValidationError("申报表审核通过后才能安排活动。")
            assignments, params, detail = change(activity)
            self.cur.execute(
                f"UPDATE activity SET {assignments}, updated_at = ?, version = version + 1"
                " WHERE id = ?",
                [*params, self.clock(), activity_id],
            )
            if files:
                self.check_upload_quota(actor, activity.unit_id, sum(f.size for f in files))
            for new in files:
                self._insert_file(actor, activity, new)
            self._audit(actor, action, "activity", activity_id, detail=detail)

        in_transaction(self.cur, work)

    def _insert_file(self, actor: Actor, activity: Activity, new: NewFile) -> None:
        attachment_id = self._one(
            "INSERT INTO attachment (campaign_id, unit_id, owner_type, owner_id, kind,"
            " original_name, stored_name, fmt, size, sha256, uploaded_by, uploaded_at,"
            " thumbnail_name, thumbnail_sha256)"
            " VALUES (?, ?, 'activity', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                activity.campaign_id,
                activity.unit_id,
                activity.id,
                new.kind,
                new.original_name,
                new.stored_name,
                new.fmt,
                new.size,
                new.sha256,
                actor.username,
                self.clock(),
                new.thumbnail_name,
                new.thumbnail_sha256,
            ],
        )[0]
        self._audit(actor, "upload", "attachment", attachment_id, detail=new.original_name)


def photo_required(kind: str, marking_required: bool) -> bool:
    """A step needs at least one file of this kind: the report's 活动照片 always, the
    现场标识照片 when the campaign asks for on-site marking."""
    return kind == "photo" or (kind == "marking" and marking_required)


def _kept_message(kind: str) -> str:
    step = {"plan": "开展情况已填报", "marking": "活动总结已报送"}.get(kind, "活动已发布")
    return f"{step}，该环节的材料已存档，不能删除。如有错误请联系政务公开办。"


def _not_now(activity: Activity, otherwise: str) -> str:
    if activity.cancelled:
        return "活动已取消。"
    return otherwise
