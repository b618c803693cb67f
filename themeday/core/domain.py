"""The campaign's vocabulary: roles, statuses, forms, rules and their presets.

A leaf module: no Streamlit, no SQL. Words follow DESIGN.md §1.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from enum import StrEnum


class Role(StrEnum):
    """Who a user is: 单位 (unit), 政务公开办 (office), 领导 (leader) or 审计管理员 (auditor).

    Duties are separated (三权分立): the office manages campaigns, units and accounts
    but cannot read the audit log; the auditor reads and exports the audit log and
    nothing else. One person who needs both gets two accounts.
    """

    UNIT = "unit"
    OFFICE = "office"
    LEADER = "leader"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.UNIT: "单位用户",
    Role.OFFICE: "政务公开办",
    Role.LEADER: "领导",
    Role.AUDITOR: "审计管理员",
}

BUSINESS_ROLES = frozenset({Role.UNIT, Role.OFFICE, Role.LEADER})
"""The roles that work with the campaign's data (everyone but the auditor)."""


class UnitKind(StrEnum):
    """单位类别."""

    DEPARTMENT = "部门"
    SUBDISTRICT = "街道"
    TOWNSHIP = "乡镇"
    DISTRICT_BODY = "区直单位"
    STATIONED = "驻区单位"


class DeclarationStatus(StrEnum):
    """申报状态: draft → submitted → returned ↺ → approved."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return DECLARATION_STATUS_LABELS[self]


DECLARATION_STATUS_LABELS = {
    DeclarationStatus.DRAFT: "草稿",
    DeclarationStatus.SUBMITTED: "已提交待审核",
    DeclarationStatus.RETURNED: "退回修改",
    DeclarationStatus.APPROVED: "审核通过",
}


class ActivityStatus(StrEnum):
    """活动状态: planned → scheduled → plan_filed → held → reported → published."""

    PLANNED = "planned"
    SCHEDULED = "scheduled"
    PLAN_FILED = "plan_filed"
    HELD = "held"
    REPORTED = "reported"
    PUBLISHED = "published"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return ACTIVITY_STATUS_LABELS[self]


ACTIVITY_STATUS_LABELS = {
    ActivityStatus.PLANNED: "已申报",
    ActivityStatus.SCHEDULED: "已定日期",
    ActivityStatus.PLAN_FILED: "方案已报送",
    ActivityStatus.HELD: "已开展",
    ActivityStatus.REPORTED: "总结已报送",
    ActivityStatus.PUBLISHED: "已展示",
    ActivityStatus.CANCELLED: "已取消",
}

INVITEE_KINDS: tuple[str, ...] = (
    "人大代表",
    "政协委员",
    "专家学者",
    "新闻媒体",
    "市民群众",
    "企业代表",
)
"""邀请对象: who an activity invites (the notices name 人大代表, 政协委员, 专家学者,
新闻媒体 and 市民)."""

OPEN_ACTIVITY_STATUSES = frozenset(
    {ActivityStatus.PLANNED, ActivityStatus.SCHEDULED, ActivityStatus.PLAN_FILED}
)
"""Statuses in which the date may still change and the activity may be cancelled."""

STANDARD_FORMS: tuple[str, ...] = (
    "实地调研",
    "现场观摩",
    "座谈交流",
    "政策发布",
    "问卷调查",
)
"""活动形式 named by both notices."""


class PermissionDenied(Exception):
    """The acting user may not read or change this record (无权操作)."""


class NotFound(Exception):
    """The record does not exist (记录不存在)."""


class StaleRecord(Exception):
    """Someone else saved the record first (记录已被他人修改)."""


class ValidationError(Exception):
    """Input breaks a rule; ``messages`` are Chinese, one per broken rule."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("；".join(self.messages))


@dataclass(frozen=True)
class Actor:
    """The user on whose behalf a repository call runs."""

    user_id: int
    username: str
    role: Role
    unit_id: int | None = None
    display_name: str = ""

    @property
    def is_office(self) -> bool:
        return self.role == Role.OFFICE


def require_role(actor: Actor, *roles: Role) -> None:
    """Refuse ``actor`` unless it has one of ``roles``: the rights check of a write."""
    if actor.role not in roles:
        raise PermissionDenied("您的账号无权进行此操作。")


SYSTEM_ACTOR = Actor(user_id=0, username="system", role=Role.OFFICE, display_name="系统")
"""Used by set-up code (first run, command line) that acts before anyone logs in."""

SYSTEM_AUDITOR = Actor(user_id=0, username="system", role=Role.AUDITOR, display_name="系统")
"""The command line's ``audit verify`` and ``audit retention``, run by the operator on
the server with the app stopped (the audit log's only reader besides the auditor)."""


@dataclass(frozen=True)
class CampaignRules:
    """One campaign's rules (活动规则): data, not code (DESIGN.md §1)."""

    declaration_deadline: date
    themes_count: int = 1
    themes_exact: bool = False
    required_forms: tuple[str, ...] = ()
    allowed_forms: tuple[str, ...] = STANDARD_FORMS
    first_month: int = 4
    last_month: int = 12
    plan_days_before: int | None = None
    report_days_after: int | None = None
    scan_required: bool = False
    row_has_contact: bool = False
    form_columns: tuple[str, ...] = field(default=())
    on_site_marking: str = ""

    def to_json(self) -> str:
        data = asdict(self)
        data["declaration_deadline"] = self.declaration_deadline.isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CampaignRules:
        data = json.loads(text)
        data["declaration_deadline"] = date.fromisoformat(data["declaration_deadline"])
        for key in ("required_forms", "allowed_forms", "form_columns"):
            data[key] = tuple(data.get(key) or ())
        return cls(**data)

    def with_changes(self, **changes: object) -> CampaignRules:
        return replace(self, **changes)


@dataclass(frozen=True)
class CampaignPreset:
    """A campaign as one notice describes it."""

    key: str
    region: str
    year: int
    title: str
    office_name: str
    rules: CampaignRules


XIANGJIANG_2023 = CampaignPreset(
    key="xiangjiang-2023",
    region="湖南湘江新区",
    year=2023,
    title="湖南湘江新区2023年“政务公开主题日”活动",
    office_name="湖南湘江新区政务公开政务服务工作领导小组办公室",
    rules=CampaignRules(
        declaration_deadline=date(2023, 3, 31),
        themes_count=2,
        themes_exact=True,
        required_forms=("实地调研", "现场观摩"),
        first_month=4,
        last_month=12,
        scan_required=False,
        row_has_contact=False,
        form_columns=("序号", "活动主题", "活动时间(月份)", "活动形式", "活动简介"),
        on_site_marking="“政务公开主题日”LOGO标识",
    ),
)
"""Seed 000: 湘江新区 — exactly 2 themes, one of them 实地调研 or 现场观摩."""

DAXIANG_2023 = CampaignPreset(
    key="daxiang-2023",
    region="邵阳市大祥区",
    year=2023,
    title="大祥区2023年“政务公开主题日”活动",
    office_name="大祥区行政审批服务局",
    rules=CampaignRules(
        declaration_deadline=date(2023, 4, 14),
        themes_count=1,
        themes_exact=False,
        first_month=4,
        last_month=10,
        plan_days_before=5,
        report_days_after=5,
        scan_required=True,
        row_has_contact=True,
        form_columns=("活动主题", "计划月份", "活动形式", "联系人及电话"),
        on_site_marking="宣传横幅、电子屏标注“政务公开主题日”字样",
    ),
)
"""Seed 002: 大祥区 — at least 1 theme, April–October, plans 5 working days before,
reports within 5 working days after, stamped scan required."""

PRESETS: dict[str, CampaignPreset] = {p.key: p for p in (XIANGJIANG_2023, DAXIANG_2023)}


_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")
_USERNAME = re.compile(r"[A-Za-z0-9_.-]{3,32}")


def phone_problem(phone: str) -> str | None:
    """A Chinese message when ``phone`` is neither a mobile nor a landline with area code."""
    phone = phone.strip()
    if not phone:
        return "请填写联系电话。"
    if _MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone):
        return None
    return "联系电话格式不正确：手机号为11位数字，座机须带区号（如 0739-5321101）。"


RESERVED_USERNAMES = frozenset(
    {
        "admin",
        "administrator",
        "root",
        "superuser",
        "sysadmin",
        "system",
        "test",
        "tester",
        "guest",
        "anonymous",
        "null",
        "管理员",
        "超级管理员",
        "系统管理员",
        "系统",
        "测试",
        "访客",
    }
)
"""Names no account may take (compared by :func:`username_key`): they look like the
system's own or an administrator's account, or invite guessing."""


def username_key(username: str) -> str:
    """The form in which two usernames are the same account: NFKC, then case folded.

    ``Unit1``, ``UNIT1`` and the full-width ``ｕｎｉｔ１`` all give ``unit1``; accounts
    are unique by this key, and a login name is looked up by it. This is Unicode's
    NFKC_Casefold (NFKC again after folding, since folding can undo a normal form).
    """
    folded = unicodedata.normalize("NFKC", username or "").strip().casefold()
    return unicodedata.normalize("NFKC", folded)


def username_problem(username: str) -> str | None:
    """A Chinese message when ``username`` is reserved or not 3–32 letters, digits,
    ``_ . -``."""
    if username_key(username) in RESERVED_USERNAMES:
        return f"用户名“{username.strip()}”是系统保留名称，不能使用，请换一个。"
    if _USERNAME.fullmatch(username or ""):
        return None
    return "用户名须为3～32位字母、数字或 _ . - 。"


def lookalike_groups(usernames: Iterable[str]) -> list[tuple[str, ...]]:
    """The usernames that share a :func:`username_key` with another, grouped, in the
    order first met (empty when every account is distinct)."""
    groups: dict[str, list[str]] = {}
    for name in usernames:
        groups.setdefault(username_key(name), []).append(name)
    return [tuple(names) for names in groups.values() if len(names) > 1]


def unit_problems(name: str, kind: str, contact_phone: str) -> list[str]:
    """Chinese messages for a unit record that cannot be saved."""
    problems = []
    if not name.strip():
        problems.append("请填写单位名称。")
    elif len(name.strip()) > 60:
        problems.append("单位名称不能超过60个字。")
    if kind not in {k.value for k in UnitKind}:
        problems.append("请选择单位类别。")
    if contact_phone.strip():
        message = phone_problem(contact_phone)
        if message:
            problems.append(message)
    return problems


def campaign_problems(
    year: int, region: str, title: str, office_name: str, rules: CampaignRules
) -> list[str]:
    """Chinese messages for campaign settings that cannot be saved (活动设置校验)."""
    problems = []
    if not 2000 <= year <= 2100:
        problems.append("年度须为四位年份。")
    for value, label in ((region, "地区"), (title, "活动名称"), (office_name, "主办单位")):
        if not value.strip():
            problems.append(f"请填写{label}。")
    if not 1 <= rules.first_month <= rules.last_month <= 12:
        problems.append("起止月份须在1月至12月之间，且起始月份不晚于截止月份。")
    if rules.themes_count < 1:
        problems.append("每单位申报主题数至少为1个。")
    if not rules.allowed_forms:
        problems.append("请至少设置一种活动形式。")
    missing = [f for f in rules.required_forms if f not in rules.allowed_forms]
    if missing:
        problems.append(f"必选形式“{'、'.join(missing)}”不在允许的活动形式中。")
    for days, label in (
        (rules.plan_days_before, "活动方案"),
        (rules.report_days_after, "活动总结"),
    ):
        if days is not None and not 1 <= days <= 30:
            problems.append(f"{label}的工作日数须在1至30之间。")
    return problems


# ---------------------------------------------------------------- 考核 (assessment)
TRAFFIC_LIGHTS: tuple[str, ...] = ("green", "yellow", "red", "grey")
"""The light of an open deadline: green (未到期), yellow (即将到期: due within
``yellow_workdays`` working days, the due day included), red (已逾期), grey (暂不涉及: no
date yet, rule off, cancelled, or the activity is still ahead). A deadline that is met
(filed) has no light (``""``)."""

TRAFFIC_LIGHT_LABELS = {
    "green": "未到期",
    "yellow": "即将到期",
    "red": "已逾期",
    "grey": "暂不涉及",
    "": "",
}

DEADLINE_STATUSES: tuple[str, ...] = ("on_time", "late", "missing", "open", "not_applicable")
"""Where a deadline (申报, 活动方案, 活动总结) stands on the as-of date."""

DEADLINE_STATUS_LABELS = {
    "on_time": "按时报送",
    "late": "逾期报送",
    "missing": "逾期未报",
    "open": "未到期",
    "not_applicable": "不适用",
}


@dataclass(frozen=True)
class ComplianceWeights:
    """考核得分权重: points per item, stored per campaign; the office may change them.

    Each weight is the points one item adds (a negative weight takes points away). A late
    申报 earns ``declared_on_time`` plus ``declared_late_per_workday`` per working day
    late, but lateness takes away at most ``declared_late_cap`` points. Cancelled
    activities score nothing. ``yellow_workdays`` is not a weight: a deadline due within
    that many working days (the due day itself included) shows yellow.
    """

    declared_on_time: float = 10.0
    declared_late_per_workday: float = -1.0
    declared_late_cap: float = 5.0
    not_declared: float = 0.0
    rule_check_failed: float = -2.0
    plan_on_time: float = 2.0
    plan_late: float = 1.0
    plan_missing: float = -2.0
    report_on_time: float = 2.0
    report_late: float = 1.0
    report_missing: float = -2.0
    marking_evidence: float = 1.0
    held_in_planned_month: float = 1.0
    published: float = 2.0
    typical_case: float = 5.0
    yellow_workdays: int = 2

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> ComplianceWeights:
        """Stored weights; keys this version does not know are ignored, missing ones default."""
        if not text:
            return cls()
        known = asdict(cls())
        data = {k: v for k, v in json.loads(text).items() if k in known}
        if "yellow_workdays" in data:
            data["yellow_workdays"] = int(data["yellow_workdays"])
        return cls(**{k: float(v) if k != "yellow_workdays" else v for k, v in data.items()})

    @classmethod
    def from_mapping(cls, values: dict[str, object]) -> ComplianceWeights:
        """Weights the office entered, checked: unknown names and bad numbers are refused."""
        problems = compliance_weights_problems(values)
        if problems:
            raise ValidationError(problems)
        merged = {**asdict(cls()), **values}
        merged["yellow_workdays"] = int(merged["yellow_workdays"])
        return cls(**{k: float(v) if k != "yellow_workdays" else v for k, v in merged.items()})


COMPLIANCE_WEIGHT_LABELS = {
    "declared_on_time": "按时申报",
    "declared_late_per_workday": "逾期申报（每个工作日）",
    "declared_late_cap": "逾期申报扣分上限",
    "not_declared": "未申报",
    "rule_check_failed": "申报不符合规则（每项）",
    "plan_on_time": "活动方案按时报送（每个）",
    "plan_late": "活动方案逾期报送（每个）",
    "plan_missing": "活动方案逾期未报（每个）",
    "report_on_time": "活动总结按时报送（每个）",
    "report_late": "活动总结逾期报送（每个）",
    "report_missing": "活动总结逾期未报（每个）",
    "marking_evidence": "现场标识佐证（每个活动）",
    "held_in_planned_month": "按计划月份开展（每个活动）",
    "published": "成果展示发布（每个活动）",
    "typical_case": "典型经验（每个）",
    "yellow_workdays": "黄灯提醒（到期前工作日数）",
}
"""Chinese names of the weights, for the settings form and the exports."""


def compliance_weights_problems(values: dict[str, object]) -> list[str]:
    """Chinese messages for weights that cannot be saved (得分权重校验)."""
    known = asdict(ComplianceWeights())
    problems = []
    for key, value in values.items():
        label = COMPLIANCE_WEIGHT_LABELS.get(key)
        if key not in known:
            problems.append(f"未知的得分项“{key}”。")
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{label}须为数字。")
        elif key == "yellow_workdays":
            if value != int(value) or not 0 <= value <= 10:
                problems.append(f"{label}须为0至10之间的整数。")
        elif not abs(value) <= 1000:
            problems.append(f"{label}须在-1000至1000之间。")
        elif key == "declared_late_cap" and value < 0:
            problems.append(f"{label}不能为负数。")
    return problems


def cn_date(day: date | None) -> str:
    """A date as the notices write it: ``2023年10月9日`` (``—`` when there is none); see
    :func:`themeday.core.dates.prose_date`."""
    from themeday.core.dates import prose_date  # domain stays a leaf that loads no pandas

    return prose_date(day) if day else "—"
