"""The tamper-evident audit log (审计日志): hashing, verification, labels, tables.

Pure functions over plain rows: no Streamlit, no SQL (the repository reads and writes
``audit_log``; see ``RepositoryBase._audit`` and ``repository/oversight.py``).

Each row is chained to the one before it: ``row_hash`` is the sha256 of a canonical
serialisation of the row's fields together with ``prev_hash``, the ``row_hash`` of the
previous row by id (:data:`GENESIS` for the first row ever written). Changing, deleting,
inserting or reordering a row therefore breaks the chain at that row or the next one,
and :func:`verify_chain` names the first row where it breaks.

Rows are only ever appended. The one deletion is retention (保留期清理, at least
:data:`MIN_RETENTION_DAYS` days kept): it removes a prefix of the chain and records, in
an audit row of its own, the ``row_hash`` of the last row it removed (the anchor), so
the first remaining row still verifies against something the log itself holds.

The hash is plain sha256, not keyed: it shows edits made without recomputing the chain,
not edits by someone who can rewrite the whole file. Note the newest row's hash
somewhere else (the CLI prints it) to be able to show later that nothing was cut off
the end.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from themeday.core.config import TZ
from themeday.core.domain import Role
from themeday.core.records import AuditEntry

GENESIS = "0" * 64
"""The ``prev_hash`` of the first row of a chain that was never cut by retention."""

HASH_FORMAT = "themeday-audit/1"
"""Written first in every serialisation, so the format can change without ambiguity."""

HASH_FORMAT_WITH_ADDRESS = "themeday-audit/2"
"""The format of a row that carries a 来源地址 (hashed after ``detail``); a row without
one keeps :data:`HASH_FORMAT`, so rows written before addresses still verify."""

EARLIEST_FILTER_DAY = date(2000, 1, 1)
"""The earliest day the 审计日志 date filters offer (Streamlit's default is ten years back)."""

MIN_RETENTION_DAYS = 183
"""Audit rows are kept at least this long (half a year)."""

RETENTION_ACTION = "retention"
RETENTION_OBJECT = "audit_log"

_ANCHOR = re.compile(r"锚点哈希 ([0-9a-f]{64})")
_SIMPLE_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


# ------------------------------------------------------------------ rows and escaping
AuditRow = AuditEntry
"""One ``audit_log`` row with its place in the chain (the repository's record)."""


def escape_text(value: str | None) -> str | None:
    """``value`` on one line, so stored text cannot fake another log line.

    Backslash, CR, LF and tab become ``\\\\``, ``\\r``, ``\\n``, ``\\t``; every other
    control, format (e.g. bidirectional overrides) or line/paragraph separator
    character becomes ``\\uXXXX``. Escaping the backslash keeps it unambiguous: a user
    who types the two characters ``\\n`` is stored as ``\\\\n``.
    """
    if value is None:
        return None
    out: list[str] = []
    for ch in value:
        if ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def instant(moment: datetime) -> str:
    """``moment`` as ISO 8601 in UTC with its offset, to the microsecond (naive = Beijing)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TZ)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(row: AuditRow, prev_hash: str) -> bytes:
    """The bytes hashed for ``row``: its fields and ``prev_hash`` as one compact JSON array
    (the client address only when the row has one, see :data:`HASH_FORMAT_WITH_ADDRESS`)."""
    address = row.client_address or ""
    fields = [
        HASH_FORMAT_WITH_ADDRESS if address else HASH_FORMAT,
        int(row.id),
        instant(row.occurred_at),
        row.username,
        row.role,
        None if row.unit_id is None else int(row.unit_id),
        row.action,
        row.object_type,
        row.object_id,
        bool(row.success),
        row.detail,
        *([address] if address else []),
        prev_hash,
    ]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def compute_hash(row: AuditRow, prev_hash: str) -> str:
    """The sha256 (hex) that chains ``row`` to the row whose hash is ``prev_hash``."""
    return hashlib.sha256(canonical(row, prev_hash)).hexdigest()


def chain(rows: Iterable[AuditRow], prev_hash: str = GENESIS) -> list[AuditRow]:
    """``rows`` (in id order) with ``prev_hash`` and ``row_hash`` filled in, from ``prev_hash``."""
    chained = []
    for row in rows:
        row_hash = compute_hash(row, prev_hash)
        chained.append(_with_hashes(row, prev_hash, row_hash))
        prev_hash = row_hash
    return chained


def _with_hashes(row: AuditRow, prev_hash: str, row_hash: str) -> AuditRow:
    return AuditRow(**{**row.__dict__, "prev_hash": prev_hash, "row_hash": row_hash})


# ------------------------------------------------------------------ verification
@dataclass(frozen=True)
class VerifyResult:
    """The outcome of :func:`verify_chain`."""

    ok: bool
    count: int
    """Rows checked (all rows when ``ok``, up to and with the broken one otherwise)."""
    broken_id: int | None = None
    reason: str = ""
    last_id: int | None = None
    last_hash: str | None = None
    """The newest row's id and hash when ``ok`` (note it elsewhere to detect a cut tail)."""

    def message(self) -> str:
        """One Chinese sentence for the page and the command line."""
        if self.ok:
            return f"审计日志完整：共 {self.count} 条，哈希链校验通过。"
        return (
            f"审计日志校验未通过：第一条异常记录为 #{self.broken_id}"
            f"（已检查 {self.count} 条）。原因：{self.reason}"
        )


def verify_chain(rows: Iterable[AuditRow], anchor: str = GENESIS) -> VerifyResult:
    """Check ``rows`` (every row of the log, in id order) against each other.

    The first row must point at ``anchor`` (:data:`GENESIS`, or the anchor left by the
    last retention, see :func:`find_anchor`); each row's hash must match its content,
    and each row must point at the hash of the row before it. Stops at the first row
    that does not.
    """
    expected = anchor
    previous: AuditRow | None = None
    count = 0
    for row in rows:
        count += 1
        reason = _problem(row, expected, previous)
        if reason:
            return VerifyResult(False, count, row.id, reason)
        expected = row.row_hash
        previous = row
    if previous is None:
        return VerifyResult(True, 0)
    return VerifyResult(True, count, last_id=previous.id, last_hash=previous.row_hash)


def _problem(row: AuditRow, expected: str, previous: AuditRow | None) -> str:
    if not row.row_hash or not row.prev_hash:
        return "该条记录没有哈希值，不在哈希链中（哈希被清除，或是绕过系统写入的）。"
    if compute_hash(row, row.prev_hash) != row.row_hash:
        return "记录内容与其哈希值不符：该条记录写入后被修改过。"
    if row.prev_hash != expected:
        if previous is None:
            return "第一条记录没有接上链的起点：更早的记录可能被删除（保留期清理之外）。"
        return f"记录没有接上前一条记录 #{previous.id}：其间的记录可能被删除、插入或调换了顺序。"
    return ""


# ------------------------------------------------------------------ retention
def retention_refusal(days: int) -> str | None:
    """Why keeping only ``days`` days is refused, or None when it is allowed."""
    if days < MIN_RETENTION_DAYS:
        return f"审计日志须至少保留{MIN_RETENTION_DAYS}天，不能只保留{days}天；未删除任何记录。"
    return None


def retention_detail(
    days: int, count: int, first_id: int | None, up_to_id: int | None, cutoff: datetime, anchor: str
) -> str:
    """The ``detail`` of the audit row a retention writes (the anchor is read back by
    :func:`retention_anchor`)."""
    before = f"早于{cutoff.astimezone(TZ):%Y-%m-%d %H:%M}"
    if not count:
        return f"按保留期{days}天清理：没有{before}且可删除的记录，未删除任何记录。"
    return (
        f"按保留期{days}天清理：删除{count}条（#{first_id}至#{up_to_id}，均{before}）；"
        f"链起点锚点哈希 {anchor}"
    )


def retention_anchor(detail: str) -> str | None:
    """The anchor hash a retention row's ``detail`` records."""
    match = _ANCHOR.search(detail or "")
    return match.group(1) if match else None


def find_anchor(retentions: Iterable[tuple[int | None, str]], first_id: int) -> str:
    """Where the chain's first remaining row (``first_id``) must point.

    ``retentions`` are the ``(last deleted id, detail)`` of the retention rows still in
    the log; the one that deleted up to just before ``first_id`` holds the anchor.
    Without one the log was never cut and the chain starts at :data:`GENESIS`.
    """
    best: tuple[int, str] | None = None
    for up_to_id, detail in retentions:
        anchor = retention_anchor(detail)
        if up_to_id is None or anchor is None or up_to_id >= first_id:
            continue
        if best is None or up_to_id > best[0]:
            best = (up_to_id, anchor)
    return best[1] if best else GENESIS


# ------------------------------------------------------------------ filters and labels
@dataclass(frozen=True)
class AuditFilter:
    """What the 审计日志 page filters on; empty fields do not filter."""

    username: str = ""
    """Part of the user name (不区分大小写)."""
    actions: tuple[str, ...] = ()
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    """Inclusive: the whole day (Beijing time)."""
    success: bool | None = None


FILE_ACTIONS = frozenset({"download", "upload_refused", "upload_failed"})
"""Audit-only actions about files (written by ``record_file_event``): no data changes."""

ACTION_LABELS: Mapping[str, str] = {
    "login": "登录",
    "logout": "退出",
    "timeout": "超时退出",
    "lockout": "账号锁定",
    "cookie_rejected": "拒绝无效登录凭证",
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "enable": "启用",
    "disable": "停用",
    "reset_password": "重置密码",
    "change_password": "修改密码",
    "password_expired": "密码过期须修改",
    "unlock": "解除锁定",
    "backup": "数据备份",
    "retention": "审计日志保留期清理",
    "set_current": "设为当前活动",
    "set_workday": "设置节假日/调休",
    "save_draft": "保存草稿",
    "submit": "提交申报",
    "import": "导入申报",
    "approve": "审核通过",
    "return": "退回修改",
    "amend": "政务公开办调整",
    "upload": "上传附件",
    "comment": "评论",
    "schedule": "安排活动",
    "file_plan": "报送活动方案",
    "record_held": "登记开展情况",
    "file_report": "报送情况报告",
    "cancel": "取消活动",
    "publish": "发布成果",
    "unpublish": "撤回发布",
    "typical_case": "典型经验",
    "adjust_score": "加减分",
    "set_weights": "设置考核权重",
    "chase": "催办",
    "edit": "修改字段",
    "save_view": "保存视图",
    "delete_view": "删除视图",
    "download": "下载/导出",
    "upload_refused": "上传被拒",
    "upload_failed": "文件保存失败",
    "remove_file": "删除附件",
}
"""Chinese names of the actions the repository audits (unknown ones are shown as is)."""

OBJECT_LABELS: Mapping[str, str] = {
    "app_user": "账号",
    "session": "登录会话",
    "unit": "单位",
    "campaign": "主题日活动",
    "declaration": "申报表",
    "activity": "活动",
    "attachment": "附件",
    "workday_override": "节假日/调休",
    "score_adjustment": "加减分",
    "chase": "催办记录",
    "database": "数据库",
    "audit_log": "审计日志",
    "saved_view": "数据表视图",
    "export": "导出文件",
    "upload": "上传文件",
}


def action_label(action: str) -> str:
    """``approve`` → ``审核通过``; a code this version does not name reads 其他操作 (text
    that is already Chinese, e.g. a label handed back by a widget, is kept)."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    return "其他操作" if action.isascii() else action


def object_label(object_type: str | None) -> str:
    """``declaration`` → ``申报表``."""
    if not object_type:
        return ""
    if object_type in OBJECT_LABELS:
        return OBJECT_LABELS[object_type]
    return "其他" if object_type.isascii() else object_type


def role_label(role: str | None) -> str:
    """``office`` → ``政务公开办``; no role (a failed login) is empty."""
    try:
        return Role(role).label if role else ""
    except ValueError:
        return "系统" if role == "system" else ""


# ------------------------------------------------------------------ tables and exports
COLUMNS: tuple[str, ...] = (
    "编号",
    "时间",
    "操作人",
    "角色",
    "所属单位",
    "操作",
    "对象类型",
    "对象",
    "对象编号",
    "结果",
    "说明",
    "来源地址",
)
EXPORT_COLUMNS: tuple[str, ...] = (*COLUMNS, "本条哈希")


def local_time(moment: datetime) -> datetime:
    """``moment`` in Beijing time without its zone (what xlsx cells can hold)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(TZ)
    return moment.replace(tzinfo=None)


def table_rows(
    rows: Sequence[AuditRow], with_hash: bool = False, text_times: bool = False
) -> list[dict[str, object]]:
    """Rows with Chinese headers (:data:`COLUMNS`, plus 本条哈希 ``with_hash``) in plain
    Chinese (:mod:`themeday.core.audit_text`): 时间 is a Beijing time (``text_times``: as text
    to the minute, for the screen), 操作人 a display name with the login, the object by its
    name, and the detail as readable lines joined by ；."""
    from themeday.core.audit_text import detail_lines, object_text, person
    from themeday.core.dates import minute_time

    table = []
    for r in rows:
        lines = detail_lines(r.action, r.object_type, r.detail, r.previous_detail or None)
        if lines == [r.object_name] or (r.object_name and lines == [r.object_name.strip()]):
            lines = []  # a create row's detail is the name the object column already shows
        table.append(
            {
                "编号": r.id,
                "时间": minute_time(r.occurred_at) if text_times else local_time(r.occurred_at),
                "操作人": person(r.actor_name, r.username),
                "角色": role_label(r.role),
                "所属单位": r.unit_name or "",
                "操作": action_label(r.action),
                "对象类型": object_label(r.object_type),
                "对象": object_text(r.object_type, r.object_id, r.object_name),
                "对象编号": "" if r.object_type == "session" else (r.object_id or ""),
                "结果": "成功" if r.success else "失败",
                "说明": "；".join(lines),
                "来源地址": r.client_address or "",
                **({"本条哈希": r.row_hash or ""} if with_hash else {}),
            }
        )
    return table


def filter_summary(filters: AuditFilter) -> str:
    """The filters as one Chinese line for the top of an export (empty: 全部记录)."""
    from themeday.core.dates import table_date

    parts = []
    if filters.username:
        parts.append(f"用户含“{filters.username}”")
    if filters.actions:
        parts.append("操作：" + "、".join(action_label(a) for a in filters.actions))
    if filters.object_type:
        parts.append(f"对象类型：{object_label(filters.object_type)}")
    if filters.object_id:
        parts.append(f"对象编号：{filters.object_id}")
    if filters.date_from or filters.date_to:
        start = table_date(filters.date_from) if filters.date_from else "最早"
        end = table_date(filters.date_to) if filters.date_to else "最新"
        parts.append(f"日期：{start}至{end}")
    if filters.success is not None:
        parts.append("结果：" + ("成功" if filters.success else "失败"))
    return "筛选条件：" + ("；".join(parts) if parts else "全部记录")
