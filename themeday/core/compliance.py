"""合规考核引擎 (compliance engine): deadlines, checks, traffic lights, scores and ranks.

Plain functions over pandas DataFrames: the facts the repository reads
(``repo.compliance.compliance_facts``), the campaign's rules, the working-day calendar and an
as-of date (截至日期) go in; one frame per unit and one per activity come out. No
Streamlit, no SQL, and no Python loop over rows: every step is a vectorised column
operation (but for the rule on moved dates, run once per activity whose date moved), so
8,000 units and 40,000 activities take well under a second or two.

截至日期 (as of): everything is derived from the stored timestamps up to the end of the
as-of day in Asia/Shanghai (before 24:00 that day). A plan filed, an activity cancelled or
published, a photo uploaded, an adjustment made or new weights set after that moment
count as not (yet) done, so the same data and date always give the same result and a past
date reproduces a past report. Dates changed later (改期, a corrected held date) are
replayed from the audit trail; amended themes (office 修改主题) from the 申报 history.

活动日期 is the held date once held, else the scheduled date, and both deadlines follow
it. Lateness is measured against the due date in force when it fell due
(``due_in_force``): when the date moved after a due date had passed with the step not
filed, that due date stays, so a move cannot turn a late step into an on-time one; a
move before the due date simply moves it (held earlier than scheduled: earlier).
Not dated, and so the same for every as-of date: the unit roster, the campaign rules and
the holiday calendar (节假日调整). A 申报表 counts as declared from its first submission
(a later 退回修改 does not make it late); its activities count once it is approved.

Per unit (``ComplianceResult.units``, columns ``UNIT_COLUMNS``):
  申报 on time / late by N working days (逾期N个工作日) / missing (逾期未申报) / open (未到
  截止日); the rule checks of the 申报表 as it stood (主题数量, 必选活动形式, 计划月份范围);
  counts of activities, 活动方案 and 活动总结 on time / late / missing / open, 现场标识佐证,
  按计划月份开展, 成果展示, 典型经验, red and yellow items; score (得分) and rank (排名).
Per activity (``ComplianceResult.activities``, columns ``ACTIVITY_COLUMNS``): the
activities of 申报表 approved by the as-of date, with their status then, both deadlines
(due date, whether the year's holidays are known, filing time, status, working days late
or left, traffic light), 现场标识 photos, held in the planned month, published, 典型经验.

Deadline status: ``on_time`` 按时报送, ``late`` 逾期报送 (``*_late_workdays`` = N),
``missing`` 逾期未报 (N working days overdue so far), ``open`` 未到期 (or no date yet),
``not_applicable`` 不适用 (the campaign sets no such rule, or the activity is cancelled).
Traffic light of an open deadline: ``green`` 未到期, ``yellow`` due within
``yellow_workdays`` working days (the due day included), ``red`` overdue, ``grey`` not yet
relevant (no date yet, rule off, cancelled, or the activity is still ahead for a report);
a deadline that is met has no light (``""``).

得分 (score) = the sum below with the campaign's weights in force at the as-of date
(``ComplianceWeights``; the defaults are the numbers shown), rounded to 2 decimals, plus
the office's 加减分 (adjustments) made by then:
  - 按时申报 +10; 逾期申报: 10 − 1 per working day late, lateness taking at most 5
    (declared_on_time, declared_late_per_workday, declared_late_cap); 未申报 0 (not_declared);
  - 申报不符合规则 −2 per failed check (主题数量, 必选形式, 计划月份) (rule_check_failed);
  - per activity (cancelled ones score nothing): 活动方案按时 +2 / 逾期报送 +1 / 逾期未报 −2
    (plan_on_time, plan_late, plan_missing); 活动总结 likewise +2 / +1 / −2 (report_*);
    现场标识佐证 +1 per held activity with a marking photo (marking_evidence); 按计划月份开展
    +1 (held_in_planned_month); 成果展示发布 +2 (published); 典型经验 +5 (typical_case).
排名 (rank): dense (equal scores share a rank, the next rank follows on), by score from
high to low; rows are ordered by score, then unit name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

import numpy as np
import pandas as pd

from themeday.core.domain import (
    ACTIVITY_STATUS_LABELS,
    DEADLINE_STATUS_LABELS,
    DECLARATION_STATUS_LABELS,
    TRAFFIC_LIGHT_LABELS,
    CampaignRules,
    ComplianceWeights,
)
from themeday.core.records import Chase
from themeday.core.workdays import (
    WorkdayCalendar,
    WorkdayIndex,
    local_naive,
    unverified_year_warning,
)


@dataclass(frozen=True)
class ComplianceFacts:
    """Everything the compliance engine reads about one campaign.

    The repository reads it (``repo.compliance.compliance_facts``, scoped to the actor);
    the engine only computes on it."""

    campaign_id: int
    units: pd.DataFrame
    declarations: pd.DataFrame
    declaration_events: pd.DataFrame
    declared_themes: pd.DataFrame
    activities: pd.DataFrame
    activity_events: pd.DataFrame
    markings: pd.DataFrame
    adjustments: pd.DataFrame
    weights_history: pd.DataFrame


__all__ = [
    "ACTIVITY_COLUMNS",
    "COLUMN_LABELS",
    "ITEM_COLUMNS",
    "UNIT_COLUMNS",
    "ComplianceResult",
    "compute",
    "due_in_force",
    "item_key",
    "labelled",
    "open_items",
    "weights_as_of",
]

UNIT_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "unit_name",
    "unit_kind",
    "contact_person",
    "contact_phone",
    "declaration_state",
    "declared_at",
    "declaration_due",
    "declaration_status",
    "declaration_late_workdays",
    "declaration_workdays_left",
    "declaration_light",
    "n_themes",
    "themes_count_ok",
    "required_form_ok",
    "months_ok",
    "rule_checks_failed",
    "n_activities",
    "n_cancelled",
    "n_scheduled",
    "n_held",
    "n_reported",
    "n_published",
    "plans_on_time",
    "plans_late",
    "plans_missing",
    "plans_open",
    "reports_on_time",
    "reports_late",
    "reports_missing",
    "reports_open",
    "marking_present",
    "marking_missing",
    "held_in_month",
    "held_off_month",
    "typical_cases",
    "red_items",
    "yellow_items",
    "score_base",
    "adjustment_total",
    "score",
    "rank",
)
"""Columns of ``ComplianceResult.units``, in order."""

ACTIVITY_COLUMNS: tuple[str, ...] = (
    "activity_id",
    "unit_id",
    "unit_name",
    "unit_kind",
    "seq",
    "title",
    "form",
    "planned_month",
    "contact",
    "status",
    "activity_date",
    "off_month",
    "cancelled",
    "plan_due",
    "plan_due_verified",
    "plan_filed_at",
    "plan_status",
    "plan_late_workdays",
    "plan_workdays_left",
    "plan_light",
    "held",
    "held_date",
    "held_in_planned_month",
    "marking_photos",
    "marking_evidence",
    "report_due",
    "report_due_verified",
    "report_filed_at",
    "report_status",
    "report_late_workdays",
    "report_workdays_left",
    "report_light",
    "published",
    "typical_case",
)
"""Columns of ``ComplianceResult.activities``, in order."""

ADJUSTMENT_COLUMNS: tuple[str, ...] = (
    "adjustment_id",
    "unit_id",
    "unit_name",
    "delta",
    "reason",
    "created_by",
    "created_at",
)
"""Columns of ``ComplianceResult.adjustments``, in order."""

ITEM_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "unit_name",
    "unit_kind",
    "contact_person",
    "contact_phone",
    "item",
    "item_kind",
    "activity_id",
    "title",
    "contact",
    "due",
    "light",
    "workdays_left",
    "late_workdays",
    "last_chased_at",
    "chase_count",
)
"""Columns of ``open_items``, in order."""

COLUMN_LABELS: dict[str, str] = {
    "unit_id": "单位编号",
    "unit_name": "单位",
    "unit_kind": "单位类别",
    "contact_person": "联系人",
    "contact_phone": "联系电话",
    "declaration_state": "申报状态",
    "declared_at": "申报时间",
    "declaration_due": "申报截止日期",
    "declaration_status": "按时申报",
    "declaration_late_workdays": "申报逾期工作日",
    "declaration_workdays_left": "申报剩余工作日",
    "declaration_light": "申报提醒",
    "n_themes": "申报主题数",
    "themes_count_ok": "主题数量符合",
    "required_form_ok": "必选形式符合",
    "months_ok": "计划月份符合",
    "rule_checks_failed": "不符合规则项数",
    "n_activities": "活动数",
    "n_cancelled": "已取消",
    "n_scheduled": "已定日期",
    "n_held": "已开展",
    "n_reported": "已报送总结",
    "n_published": "已展示",
    "plans_on_time": "方案按时报送",
    "plans_late": "方案逾期报送",
    "plans_missing": "方案逾期未报",
    "plans_open": "方案未到期",
    "reports_on_time": "总结按时报送",
    "reports_late": "总结逾期报送",
    "reports_missing": "总结逾期未报",
    "reports_open": "总结未到期",
    "marking_present": "有现场标识佐证",
    "marking_missing": "缺现场标识佐证",
    "held_in_month": "按计划月份开展",
    "held_off_month": "未按计划月份开展",
    "typical_cases": "典型经验",
    "red_items": "逾期事项",
    "yellow_items": "即将到期事项",
    "score_base": "考核得分",
    "adjustment_total": "加减分",
    "score": "总得分",
    "rank": "排名",
    "activity_id": "活动编号",
    "seq": "序号",
    "title": "活动主题",
    "form": "活动形式",
    "planned_month": "计划月份",
    "contact": "联系人及电话",
    "status": "活动状态",
    "activity_date": "活动日期",
    "off_month": "改期（不在计划月份）",
    "cancelled": "已取消",
    "plan_due": "方案截止日期",
    "plan_due_verified": "方案截止日期已核实",
    "plan_filed_at": "方案报送时间",
    "plan_status": "活动方案",
    "plan_late_workdays": "方案逾期工作日",
    "plan_workdays_left": "方案剩余工作日",
    "plan_light": "方案提醒",
    "held": "已开展",
    "held_date": "实际开展日期",
    "held_in_planned_month": "在计划月份开展",
    "marking_photos": "现场标识照片数",
    "marking_evidence": "现场标识佐证",
    "report_due": "总结截止日期",
    "report_due_verified": "总结截止日期已核实",
    "report_filed_at": "总结报送时间",
    "report_status": "活动总结",
    "report_late_workdays": "总结逾期工作日",
    "report_workdays_left": "总结剩余工作日",
    "report_light": "总结提醒",
    "published": "已发布展示",
    "typical_case": "典型经验",
    "adjustment_id": "编号",
    "delta": "加减分",
    "reason": "原因",
    "created_by": "操作人",
    "created_at": "时间",
    "item": "事项编号",
    "item_kind": "事项",
    "due": "截止日期",
    "light": "提醒",
    "workdays_left": "剩余工作日",
    "late_workdays": "逾期工作日",
    "last_chased_at": "最近催办时间",
    "chase_count": "催办次数",
}
"""Chinese column headers for the screens and exports (one label per column name)."""

DECLARATION_STATE_LABELS = {str(k): v for k, v in DECLARATION_STATUS_LABELS.items()}
DECLARATION_STATE_LABELS["none"] = "未填报"
ITEM_KIND_LABELS = {"declaration": "申报表", "plan": "活动方案", "report": "活动总结"}

_VALUE_LABELS: dict[str, dict[str, str]] = {
    "declaration_state": DECLARATION_STATE_LABELS,
    "declaration_status": DEADLINE_STATUS_LABELS,
    "plan_status": DEADLINE_STATUS_LABELS,
    "report_status": DEADLINE_STATUS_LABELS,
    "declaration_light": TRAFFIC_LIGHT_LABELS,
    "plan_light": TRAFFIC_LIGHT_LABELS,
    "report_light": TRAFFIC_LIGHT_LABELS,
    "light": TRAFFIC_LIGHT_LABELS,
    "status": {str(k): v for k, v in ACTIVITY_STATUS_LABELS.items()},
    "item_kind": ITEM_KIND_LABELS,
}

_LIGHT_ORDER = {"red": 0, "yellow": 1, "green": 2, "grey": 3, "": 4}
_MARGIN_DAYS = 60


# ------------------------------------------------------------------ results
@dataclass(frozen=True)
class ComplianceResult:
    """The compliance of one campaign on one as-of date (see the module docstring)."""

    as_of: date
    units: pd.DataFrame
    activities: pd.DataFrame
    adjustments: pd.DataFrame
    weights: ComplianceWeights
    unverified_years: tuple[int, ...] = ()

    @property
    def warning(self) -> str:
        """Chinese warning when a deadline was counted over a year whose holidays are
        not known (e.g. "2027年节假日安排未录入，日期仅按周末计算"); "" otherwise."""
        return unverified_year_warning(self.unverified_years)


def item_key(kind: str, activity_id: int | None = None) -> str:
    """The key of a 催办 item: ``declaration``, ``plan:<id>`` or ``report:<id>``."""
    if kind == "declaration":
        return "declaration"
    if kind not in ("plan", "report") or activity_id is None:
        raise ValueError(f"unknown item {kind!r}")
    return f"{kind}:{int(activity_id)}"


def weights_as_of(weights_history: pd.DataFrame, as_of: date) -> ComplianceWeights:
    """The weights in force at the end of ``as_of``: the newest set by then, else defaults."""
    if weights_history is None or weights_history.empty:
        return ComplianceWeights()
    history = weights_history.assign(set_at=local_naive(weights_history["set_at"]))
    history = history[history["set_at"] < _end_of(as_of)]
    if history.empty:
        return ComplianceWeights()
    newest = history.sort_values(["set_at", "weights_id"]).iloc[-1]
    return ComplianceWeights.from_json(newest["weights"])


# ------------------------------------------------------------------ the rule for moved dates
def due_in_force(periods: Sequence[tuple[date, date]], filed_on: date | None) -> date | None:
    """The due date a step (活动方案 or 活动总结) is judged against, after the
    activity's date moved (改期, or held on another day than scheduled).

    ``periods`` holds, oldest first, the day each 活动日期 came into force and the due
    date that 活动日期 gives; ``filed_on`` is the day the step was filed (None: not yet).
    Lateness is measured against the due date in force when it fell due: a due date that
    ended while its 活动日期 was in force, the step not filed by then, stays (a later move
    cannot turn a late step into an on-time one). Otherwise the newest date's due date
    counts, so a move before the due date simply moves it, earlier or later.
    """
    for (_, due), (next_from, _) in zip(periods, periods[1:], strict=False):
        if due < next_from and (filed_on is None or filed_on > due):
            return due
    return periods[-1][1] if periods else None


# ------------------------------------------------------------------ the engine
def compute(
    facts: ComplianceFacts,
    rules: CampaignRules,
    calendar: WorkdayCalendar,
    as_of: date,
    *,
    weights: ComplianceWeights | None = None,
    yellow_workdays: int | None = None,
) -> ComplianceResult:
    """Compliance of every unit and activity in ``facts`` at the end of ``as_of``.

    ``weights`` default to those in force at ``as_of`` (``weights_as_of``);
    ``yellow_workdays`` to the weights' own setting.
    """
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    weights = weights or weights_as_of(facts.weights_history, as_of)
    yellow = weights.yellow_workdays if yellow_workdays is None else int(yellow_workdays)
    end = _end_of(as_of)
    today = pd.Timestamp(as_of)

    declarations = _declarations_at(facts, end)
    themes = _themes_at(facts, declarations, end)
    activities = _activities_at(facts, declarations, themes, end)

    periods = _date_periods(facts, end)
    index = _index_for(calendar, rules, as_of, declarations, activities, periods)
    spans: list[tuple[pd.Series, pd.Series]] = []

    # ---- 活动方案 and 活动总结 deadlines, from the date in force (the held date once
    # held) or, where the date moved after a due date passed, the due date kept then
    days = activities["activity_date"]
    moves = _Moves(periods, activities["activity_id"])
    plan = _deadline(
        index,
        days=days,
        n=rules.plan_days_before,
        forward=False,
        filed_at=activities["plan_filed_at"],
        cancelled=activities["cancelled"],
        ahead=pd.Series(False, index=activities.index),
        today=today,
        yellow=yellow,
        spans=spans,
        moves=moves,
    )
    report = _deadline(
        index,
        days=days,
        n=rules.report_days_after,
        forward=True,
        filed_at=activities["report_filed_at"],
        cancelled=activities["cancelled"],
        ahead=days.notna() & (days > today),
        today=today,
        yellow=yellow,
        spans=spans,
        moves=moves,
    )
    for prefix, frame in (("plan", plan), ("report", report)):
        for column in frame.columns:
            activities[f"{prefix}_{column}"] = frame[column]

    # ---- 申报 deadline, rule checks and activity counts per unit
    units = _unit_frame(facts, declarations, themes, rules, index, today, yellow, spans)
    units = units.merge(_activity_counts(activities), on="unit_id", how="left")
    count_columns = UNIT_COLUMNS[UNIT_COLUMNS.index("n_activities") : -4]
    units[list(count_columns)] = units[list(count_columns)].fillna(0).astype("int64")
    units["red_items"] += (units["declaration_light"] == "red").astype("int64")
    units["yellow_items"] += (units["declaration_light"] == "yellow").astype("int64")

    adjustments = _adjustments_at(facts, units, end)
    units = _score(units, adjustments, weights)

    activities = activities.merge(
        units[["unit_id", "unit_name", "unit_kind"]], on="unit_id", how="inner"
    )
    activities = activities.sort_values(["unit_id", "seq", "activity_id"], kind="stable")
    activities = activities[list(ACTIVITY_COLUMNS)].reset_index(drop=True)

    starts = pd.concat([s for s, _ in spans], ignore_index=True) if spans else pd.Series()
    ends = pd.concat([e for _, e in spans], ignore_index=True) if spans else pd.Series()
    unverified = index.unverified_years_between(starts, ends) if len(starts) else ()
    return ComplianceResult(
        as_of=as_of,
        units=units,
        activities=activities,
        adjustments=adjustments,
        weights=weights,
        unverified_years=unverified,
    )


# ------------------------------------------------------------------ as of the date
def _end_of(as_of: date) -> pd.Timestamp:
    """The end of the as-of day (24:00 Asia/Shanghai) as a naive wall-clock time."""
    return pd.Timestamp(as_of) + pd.Timedelta(days=1)


def _by_then(values: pd.Series, end: pd.Timestamp) -> pd.Series:
    """The timestamps before ``end``; later ones become NaT (not yet happened)."""
    values = local_naive(values)
    return values.where(values < end)


def _last_before(events: pd.DataFrame, key: str, end: pd.Timestamp) -> pd.DataFrame:
    """The newest event per ``key`` that happened before ``end``."""
    happened = events[local_naive(events["occurred_at"]) < end]
    ordered = happened.sort_values(["occurred_at", "event_id"], kind="stable")
    return ordered.drop_duplicates(key, keep="last").set_index(key)


def _declarations_at(facts: ComplianceFacts, end: pd.Timestamp) -> pd.DataFrame:
    """One row per 申报表: when it was first submitted, approved, its status, as of then."""
    frame = facts.declarations.copy()
    frame["created_at"] = local_naive(frame["created_at"])
    frame["declared_at"] = _by_then(frame["declared_at"], end)
    frame["approved"] = _by_then(frame["approved_at"], end).notna()
    last = _last_before(facts.declaration_events, "declaration_id", end)
    frame["last_event_id"] = _lookup(frame["declaration_id"], last["event_id"])
    state = _lookup(frame["declaration_id"], last["status"]).astype("object")
    state = state.where(state.notna(), np.where(frame["declared_at"].notna(), "submitted", None))
    state = state.where(state.notna(), np.where(frame["created_at"] < end, "draft", None))
    frame["state"] = state.fillna("none").astype("str")
    return frame


def _themes_at(
    facts: ComplianceFacts, declarations: pd.DataFrame, end: pd.Timestamp
) -> pd.DataFrame:
    """The themes of each 申报表 as it stood then: the snapshot of its newest history
    event by then; a 申报表 submitted without history keeps its current rows."""
    with_event = declarations.dropna(subset=["last_event_id"])
    snap = facts.declared_themes.merge(
        with_event[["last_event_id"]].astype("int64"),
        left_on="event_id",
        right_on="last_event_id",
    )
    snap = snap[["declaration_id", "seq", "planned_month", "form"]]
    fallback_ids = declarations.loc[
        declarations["last_event_id"].isna() & declarations["declared_at"].notna(),
        "declaration_id",
    ]
    current = facts.activities[facts.activities["declaration_id"].isin(fallback_ids)]
    current = current[["declaration_id", "seq", "planned_month", "form"]]
    themes = pd.concat([snap, current], ignore_index=True)
    return themes.astype({"declaration_id": "int64", "seq": "int64"})


def _activities_at(
    facts: ComplianceFacts,
    declarations: pd.DataFrame,
    themes: pd.DataFrame,
    end: pd.Timestamp,
) -> pd.DataFrame:
    """The activities of 申报表 approved by then, with every step as of then."""
    approved = declarations.loc[declarations["approved"], "declaration_id"]
    acts = facts.activities[facts.activities["declaration_id"].isin(approved)].copy()
    acts = acts.reset_index(drop=True)
    ids = acts["activity_id"]
    events = facts.activity_events

    # 计划月份 and 活动形式 as declared then (the office may amend them later)
    declared = (
        acts[["declaration_id", "seq"]]
        .astype("int64")
        .merge(themes, on=["declaration_id", "seq"], how="left")
    )
    acts["planned_month"] = (
        declared["planned_month"].fillna(acts["planned_month"]).astype("int64").to_numpy()
    )
    acts["form"] = declared["form"].fillna(acts["form"]).astype("str").to_numpy()

    # 活动日期: replayed from the schedule events; else the stored date once scheduled
    schedule = events[events["action"] == "schedule"]
    last = _last_before(schedule, "activity_id", end)
    replayed = _lookup(ids, last["value_date"]).astype("datetime64[us]")
    stored = acts["activity_date"].astype("datetime64[us]")
    has_event = ids.isin(last.index)
    ever = ids.isin(schedule["activity_id"])
    scheduled_at = local_naive(acts["scheduled_at"])
    undated_step = scheduled_at.isna() | (scheduled_at < end)
    activity_date = stored.where(~ever & undated_step)
    acts["activity_date"] = activity_date.mask(has_event, replayed.fillna(stored))

    acts["cancelled"] = _by_then(acts["cancelled_at"], end).notna()
    acts["held"] = _by_then(acts["held_recorded_at"], end).notna()
    held_events = _last_before(events[events["action"] == "record_held"], "activity_id", end)
    held_date = _lookup(ids, held_events["value_date"]).astype("datetime64[us]")
    held_date = held_date.fillna(acts["held_date"].astype("datetime64[us]"))
    acts["held_date"] = held_date.where(acts["held"])
    acts["plan_filed_at"] = _by_then(acts["plan_filed_at"], end)
    acts["report_filed_at"] = _by_then(acts["report_filed_at"], end)

    # the activity's date is the held date once held (it replaces the scheduled one)
    acts["activity_date"] = acts["held_date"].where(acts["held"], acts["activity_date"])

    acts["published"] = _flag(
        events[events["action"].isin(["publish", "unpublish"])],
        ids,
        end,
        undated=_by_then(acts["published_at"], end).notna(),
    )
    acts["typical_case"] = acts["held"] & _flag(
        events[events["action"] == "typical_case"],
        ids,
        end,
        undated=acts["typical_case"].astype(bool),
    )

    markings = facts.markings
    removed = local_naive(markings["removed_at"])
    seen = markings[
        (local_naive(markings["uploaded_at"]) < end) & (removed.isna() | (removed >= end))
    ]
    counts = seen.groupby("activity_id").size()
    acts["marking_photos"] = _lookup(ids, counts).fillna(0).astype("int64")
    acts["marking_evidence"] = acts["marking_photos"] > 0

    month = acts["held_date"].dt.month
    acts["held_in_planned_month"] = pd.array(
        (month == acts["planned_month"]).to_numpy(), dtype="boolean"
    )
    acts.loc[~acts["held"], "held_in_planned_month"] = pd.NA
    acts["off_month"] = acts["activity_date"].notna() & (
        acts["activity_date"].dt.month != acts["planned_month"]
    )
    reported = acts["report_filed_at"].notna()
    acts["status"] = np.select(
        [
            acts["cancelled"],
            acts["published"],
            reported,
            acts["held"],
            acts["plan_filed_at"].notna(),
            acts["activity_date"].notna(),
        ],
        ["cancelled", "published", "reported", "held", "plan_filed", "scheduled"],
        default="planned",
    )
    acts["status"] = acts["status"].astype("str")
    for column in ("title", "contact"):
        acts[column] = acts[column].astype("str")
    return acts


def _date_periods(facts: ComplianceFacts, end: pd.Timestamp) -> pd.DataFrame:
    """Every 活动日期 each activity had by then (定日期, 改期, the held date), oldest
    first: activity_id, from_day (the day it came into force) and day."""
    events = facts.activity_events
    dated = events[
        events["action"].isin(["schedule", "record_held"]) & events["value_date"].notna()
    ]
    occurred = local_naive(dated["occurred_at"])
    dated = dated.assign(occurred=occurred)[occurred < end]
    dated = dated.sort_values(["activity_id", "occurred", "event_id"], kind="stable")
    return pd.DataFrame(
        {
            "activity_id": dated["activity_id"].astype("int64"),
            "from_day": dated["occurred"].dt.normalize(),
            "day": dated["value_date"].astype("datetime64[us]"),
        }
    ).reset_index(drop=True)


@dataclass(frozen=True)
class _Moves:
    """The activities whose date moved (more than one period), for ``due_in_force``."""

    periods: pd.DataFrame
    ids: pd.Series

    def kept_due(self, due: pd.DataFrame, due_of, n: int, filed_at: pd.Series) -> pd.DataFrame:
        """``due`` (day, verified per activity, from its date in force) with the due
        date ``due_in_force`` keeps where the date moved after a due date had passed.

        The rule runs per moved activity (a few in a campaign); the others need nothing.
        """
        periods = self.periods
        moved = periods[
            periods["activity_id"].duplicated(keep=False) & periods["activity_id"].isin(self.ids)
        ]
        if moved.empty:
            return due
        moved_due = due_of(moved["day"], n)
        keys = moved["activity_id"].tolist()
        froms = moved["from_day"].dt.date.tolist()
        dues = moved_due["day"].dt.date.tolist()
        verified = moved_due["verified"].tolist()
        filed_on = dict(zip(self.ids.tolist(), filed_at.dt.date.tolist(), strict=True))
        row_of = dict(zip(self.ids.tolist(), due.index, strict=True))
        changed, kept_days, kept_verified = [], [], []
        for key, group in groupby(range(len(keys)), key=keys.__getitem__):
            rows = list(group)
            filed = filed_on[key]
            kept = due_in_force(
                [(froms[i], dues[i]) for i in rows], None if pd.isna(filed) else filed
            )
            if kept == dues[rows[-1]]:
                continue
            first = next(i for i in rows if dues[i] == kept)
            changed.append(row_of[key])
            kept_days.append(pd.Timestamp(kept))
            kept_verified.append(verified[first])
        due = due.copy()
        if changed:  # one assignment: a .loc per activity cost seconds at a province
            due.loc[changed, "day"] = pd.Series(kept_days, index=changed).astype(due["day"].dtype)
            due.loc[changed, "verified"] = kept_verified
        return due


def _lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """``table[key]`` for each key (NA where the table has no such key), on keys' index."""
    return table.reindex(pd.Index(keys)).set_axis(keys.index)


def _flag(events: pd.DataFrame, ids: pd.Series, end: pd.Timestamp, undated: pd.Series) -> pd.Series:
    """A switch replayed from its events (the newest by then wins; off before the first);
    an activity with no such event at all keeps ``undated``."""
    last = _last_before(events, "activity_id", end)
    value = _lookup(ids, last["value_flag"]).astype("boolean").fillna(False).astype(bool)
    ever = ids.isin(events["activity_id"])
    return pd.Series(np.where(ever, value, undated.to_numpy()), index=ids.index)


def _index_for(
    calendar: WorkdayCalendar,
    rules: CampaignRules,
    as_of: date,
    declarations: pd.DataFrame,
    activities: pd.DataFrame,
    periods: pd.DataFrame,
) -> WorkdayIndex:
    """A working-day index wide enough for every date this computation looks at."""
    dates = [
        pd.Timestamp(as_of),
        pd.Timestamp(rules.declaration_deadline),
        activities["activity_date"].min(),
        activities["activity_date"].max(),
        periods["day"].min(),
        periods["day"].max(),
        declarations["declared_at"].min(),
    ]
    known = [d for d in dates if not pd.isna(d)]
    n = max(rules.plan_days_before or 0, rules.report_days_after or 0)
    margin = timedelta(days=_MARGIN_DAYS + 3 * n)
    return WorkdayIndex(calendar, min(known).date() - margin, max(known).date() + margin)


# ------------------------------------------------------------------ deadlines
def _deadline(
    index: WorkdayIndex,
    *,
    days: pd.Series,
    n: int | None,
    forward: bool,
    filed_at: pd.Series,
    cancelled: pd.Series,
    ahead: pd.Series,
    today: pd.Timestamp,
    yellow: int,
    spans: list[tuple[pd.Series, pd.Series]],
    moves: _Moves,
) -> pd.DataFrame:
    """Due date, verified, filed_at, status, late_workdays, workdays_left and light of
    one kind of deadline (活动方案 or 活动总结) for every activity."""
    size = len(days)
    na_int = pd.Series(pd.array([pd.NA] * size, dtype="Int64"), index=days.index)
    if n is None:
        return pd.DataFrame(
            {
                "due": pd.Series(pd.NaT, index=days.index, dtype="datetime64[us]"),
                "due_verified": True,
                "filed_at": filed_at,
                "status": "not_applicable",
                "late_workdays": na_int,
                "workdays_left": na_int,
                "light": "grey",
            },
            index=days.index,
        ).astype({"status": "str", "light": "str"})
    due_of = index.report_due if forward else index.plan_due
    due = moves.kept_due(due_of(days, n), due_of, n, filed_at)
    has_due = due["day"].notna()
    filed = filed_at.notna()
    late_filed = index.late_workdays(due["day"], filed_at)
    late_now = index.late_workdays(due["day"], today + pd.Timedelta(hours=12))
    left = index.workdays_between(today, due["day"]).clip(lower=0)
    overdue = has_due & (due["day"] < today)
    spans.append((days[has_due], due["day"][has_due]))
    spans.append((due["day"][has_due & filed], filed_at[has_due & filed].dt.normalize()))
    spans.append(
        (due["day"][has_due & ~filed], pd.Series(today, index=days[has_due & ~filed].index))
    )

    is_na = cancelled
    no_date = ~is_na & ~has_due
    on_time = ~is_na & has_due & filed & (late_filed == 0).fillna(False)
    late = ~is_na & has_due & filed & ~on_time
    missing = ~is_na & has_due & ~filed & overdue
    open_ = ~is_na & has_due & ~filed & ~overdue
    status = np.select(
        [is_na, no_date, on_time, late, missing],
        ["not_applicable", "open", "on_time", "late", "missing"],
        "open",
    )
    light = np.select(
        [
            is_na | no_date,
            on_time | late,
            missing,
            open_ & ahead,
            open_ & (left <= yellow).fillna(False),
        ],
        ["grey", "", "red", "grey", "yellow"],
        "green",
    )
    late_workdays = na_int.copy()
    late_workdays[on_time | late] = late_filed[on_time | late]
    late_workdays[missing] = late_now[missing]
    workdays_left = na_int.copy()
    workdays_left[open_] = left[open_]
    return pd.DataFrame(
        {
            "due": due["day"],
            "due_verified": due["verified"].astype(bool),
            "filed_at": filed_at,
            "status": pd.Series(status, index=days.index, dtype="str"),
            "late_workdays": late_workdays,
            "workdays_left": workdays_left,
            "light": pd.Series(light, index=days.index, dtype="str"),
        },
        index=days.index,
    )


# ------------------------------------------------------------------ per unit
def _unit_frame(
    facts: ComplianceFacts,
    declarations: pd.DataFrame,
    themes: pd.DataFrame,
    rules: CampaignRules,
    index: WorkdayIndex,
    today: pd.Timestamp,
    yellow: int,
    spans: list[tuple[pd.Series, pd.Series]],
) -> pd.DataFrame:
    """The roster with each unit's 申报 deadline and rule checks as of then."""
    units = facts.units[
        ["unit_id", "unit_name", "unit_kind", "contact_person", "contact_phone"]
    ].copy()
    for column in ("unit_name", "unit_kind", "contact_person", "contact_phone"):
        units[column] = units[column].astype("str")
    decl = declarations[["declaration_id", "unit_id", "declared_at", "state"]]
    units = units.merge(decl, on="unit_id", how="left")
    units["declaration_state"] = units["state"].fillna("none").astype("str")

    deadline = pd.Timestamp(rules.declaration_deadline)
    units["declaration_due"] = pd.Series(deadline, index=units.index).astype("datetime64[us]")
    declared_at = units["declared_at"].astype("datetime64[us]")
    filed = declared_at.notna()
    late_filed = index.late_workdays(deadline, declared_at)
    noon = pd.Series(today + pd.Timedelta(hours=12), index=units.index)
    late_now = index.late_workdays(units["declaration_due"], noon)
    left = index.workdays_between(noon.dt.normalize(), units["declaration_due"]).clip(lower=0)
    overdue = deadline < today
    spans.append((units["declaration_due"][filed], declared_at[filed].dt.normalize()))
    if not filed.all():
        spans.append((pd.Series([deadline]), pd.Series([today])))
    on_time = filed & (late_filed == 0).fillna(False)
    late = filed & ~on_time
    missing = ~filed & overdue
    open_ = ~filed & ~overdue
    units["declaration_status"] = pd.Series(
        np.select([on_time, late, missing], ["on_time", "late", "missing"], "open"),
        index=units.index,
        dtype="str",
    )
    units["declaration_light"] = pd.Series(
        np.select(
            [filed, missing, open_ & (left <= yellow).fillna(False)], ["", "red", "yellow"], "green"
        ),
        index=units.index,
        dtype="str",
    )
    na_int = pd.Series(pd.array([pd.NA] * len(units), dtype="Int64"), index=units.index)
    units["declaration_late_workdays"] = na_int.copy()
    units.loc[filed, "declaration_late_workdays"] = late_filed[filed]
    units.loc[missing, "declaration_late_workdays"] = late_now[missing]
    units["declaration_workdays_left"] = na_int.copy()
    units.loc[open_, "declaration_workdays_left"] = left[open_]

    # rule checks of the 申报表 as it stood (only once it was submitted)
    grouped = themes.assign(
        in_window=themes["planned_month"].between(rules.first_month, rules.last_month),
        required=themes["form"].isin(rules.required_forms),
    ).groupby("declaration_id")
    checks = pd.DataFrame(
        {
            "n_themes": grouped.size(),
            "months_ok": grouped["in_window"].all(),
            "has_required": grouped["required"].any(),
        }
    )
    declared_ids = units["declaration_id"].astype("Int64").where(filed)
    n_themes = _lookup(declared_ids, checks["n_themes"]).astype("Int64")
    n_themes = n_themes.mask(filed & n_themes.isna(), 0).where(filed)
    units["n_themes"] = n_themes
    count_ok = (
        n_themes == rules.themes_count if rules.themes_exact else n_themes >= rules.themes_count
    )
    units["themes_count_ok"] = _nullable_bool(count_ok, filed)
    if rules.required_forms:
        has_required = _lookup(declared_ids, checks["has_required"]).astype("boolean").fillna(False)
        units["required_form_ok"] = _nullable_bool(has_required, filed)
    else:
        units["required_form_ok"] = pd.array([pd.NA] * len(units), dtype="boolean")
    months_ok = _lookup(declared_ids, checks["months_ok"]).astype("boolean").fillna(True)
    units["months_ok"] = _nullable_bool(months_ok, filed)
    failed = sum(
        (units[c] == False).fillna(False).astype("int64")  # noqa: E712 (nullable boolean)
        for c in ("themes_count_ok", "required_form_ok", "months_ok")
    )
    units["rule_checks_failed"] = failed
    return units.drop(columns=["declaration_id", "state"])


def _nullable_bool(values: pd.Series, present: pd.Series) -> pd.arrays.BooleanArray:
    out = pd.array(values.astype("boolean").to_numpy(), dtype="boolean")
    out[~present.to_numpy()] = pd.NA
    return out


def _activity_counts(acts: pd.DataFrame) -> pd.DataFrame:
    """Per-unit counts of the activity checks (cancelled activities apart)."""
    live = ~acts["cancelled"]
    held = live & acts["held"]
    flags = pd.DataFrame(
        {
            "unit_id": acts["unit_id"],
            "n_activities": 1,
            "n_cancelled": acts["cancelled"],
            "n_scheduled": live & acts["activity_date"].notna(),
            "n_held": held,
            "n_reported": live & acts["report_filed_at"].notna(),
            "n_published": live & acts["published"],
            "plans_on_time": acts["plan_status"] == "on_time",
            "plans_late": acts["plan_status"] == "late",
            "plans_missing": acts["plan_status"] == "missing",
            "plans_open": acts["plan_status"] == "open",
            "reports_on_time": acts["report_status"] == "on_time",
            "reports_late": acts["report_status"] == "late",
            "reports_missing": acts["report_status"] == "missing",
            "reports_open": acts["report_status"] == "open",
            "marking_present": held & acts["marking_evidence"],
            "marking_missing": held & ~acts["marking_evidence"],
            "held_in_month": held & acts["held_in_planned_month"].fillna(False).astype(bool),
            "held_off_month": held & ~acts["held_in_planned_month"].fillna(True).astype(bool),
            "typical_cases": live & acts["typical_case"],
            "red_items": (acts["plan_light"] == "red").astype("int64")
            + (acts["report_light"] == "red").astype("int64"),
            "yellow_items": (acts["plan_light"] == "yellow").astype("int64")
            + (acts["report_light"] == "yellow").astype("int64"),
        }
    )
    return flags.groupby("unit_id", as_index=False).sum(numeric_only=False)


# ------------------------------------------------------------------ score and rank
def _adjustments_at(facts: ComplianceFacts, units: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    adjustments = facts.adjustments.copy()
    adjustments["created_at"] = local_naive(adjustments["created_at"])
    adjustments = adjustments[adjustments["created_at"] < end]
    adjustments = adjustments.merge(units[["unit_id", "unit_name"]], on="unit_id", how="inner")
    for column in ("reason", "created_by", "unit_name"):
        adjustments[column] = adjustments[column].astype("str")
    adjustments["delta"] = adjustments["delta"].astype("float64")
    adjustments = adjustments.sort_values(["created_at", "adjustment_id"], kind="stable")
    return adjustments[list(ADJUSTMENT_COLUMNS)].reset_index(drop=True)


def _score(units: pd.DataFrame, adjustments: pd.DataFrame, w: ComplianceWeights) -> pd.DataFrame:
    late_days = units["declaration_late_workdays"].fillna(0).astype("float64")
    lateness = np.maximum(late_days * w.declared_late_per_workday, -abs(w.declared_late_cap))
    status = units["declaration_status"]
    declared = np.select(
        [status == "on_time", status == "late", status == "missing"],
        [w.declared_on_time, w.declared_on_time + lateness, w.not_declared],
        0.0,
    )
    points = (
        declared
        + w.rule_check_failed * units["rule_checks_failed"]
        + w.plan_on_time * units["plans_on_time"]
        + w.plan_late * units["plans_late"]
        + w.plan_missing * units["plans_missing"]
        + w.report_on_time * units["reports_on_time"]
        + w.report_late * units["reports_late"]
        + w.report_missing * units["reports_missing"]
        + w.marking_evidence * units["marking_present"]
        + w.held_in_planned_month * units["held_in_month"]
        + w.published * units["n_published"]
        + w.typical_case * units["typical_cases"]
    )
    units["score_base"] = points.astype("float64").round(2)
    totals = adjustments.groupby("unit_id")["delta"].sum()
    units["adjustment_total"] = _lookup(units["unit_id"], totals).fillna(0.0).round(2)
    units["score"] = (units["score_base"] + units["adjustment_total"]).round(2)
    units["rank"] = units["score"].rank(method="dense", ascending=False).astype("int64")
    units = units.sort_values(
        ["score", "unit_name", "unit_id"], ascending=[False, True, True], kind="stable"
    )
    return units[list(UNIT_COLUMNS)].reset_index(drop=True)


# ------------------------------------------------------------------ 催办 items
def open_items(
    result: ComplianceResult, chases: Sequence[Chase] | pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every open deadline with a green, yellow or red light, one row per item (催办清单).

    Ordered red, yellow, green, then by due date and unit. ``chases`` (催办记录, e.g.
    ``repo.compliance.list_chases``) add when each item was last chased by the as-of date.
    """
    units = result.units
    contact = units[["unit_id", "unit_name", "unit_kind", "contact_person", "contact_phone"]]
    lit = ("green", "yellow", "red")
    decl = units[units["declaration_light"].isin(lit)]
    parts = [
        pd.DataFrame(
            {
                "unit_id": decl["unit_id"],
                "item": "declaration",
                "item_kind": "declaration",
                "activity_id": pd.array([pd.NA] * len(decl), dtype="Int64"),
                "title": "申报表",
                "contact": "",
                "due": decl["declaration_due"],
                "light": decl["declaration_light"],
                "workdays_left": decl["declaration_workdays_left"],
                "late_workdays": decl["declaration_late_workdays"],
            }
        )
    ]
    acts = result.activities
    for kind in ("plan", "report"):
        rows = acts[acts[f"{kind}_light"].isin(lit)]
        parts.append(
            pd.DataFrame(
                {
                    "unit_id": rows["unit_id"],
                    "item": kind + ":" + rows["activity_id"].astype("str"),
                    "item_kind": kind,
                    "activity_id": rows["activity_id"].astype("Int64"),
                    "title": rows["title"],
                    "contact": rows["contact"],
                    "due": rows[f"{kind}_due"],
                    "light": rows[f"{kind}_light"],
                    "workdays_left": rows[f"{kind}_workdays_left"],
                    "late_workdays": rows[f"{kind}_late_workdays"],
                }
            )
        )
    items = pd.concat(parts, ignore_index=True).merge(contact, on="unit_id", how="left")
    for column in ("item", "item_kind", "title", "contact", "light"):
        items[column] = items[column].astype("str")
    items["due"] = items["due"].astype("datetime64[us]")

    chased = _chases_frame(chases, _end_of(result.as_of))
    summary = chased.groupby(["unit_id", "item"]).agg(
        last_chased_at=("created_at", "max"), chase_count=("created_at", "size")
    )
    items = items.merge(summary.reset_index(), on=["unit_id", "item"], how="left")
    items["last_chased_at"] = items["last_chased_at"].astype("datetime64[us]")
    items["chase_count"] = items["chase_count"].fillna(0).astype("int64")
    items["_order"] = items["light"].map(_LIGHT_ORDER)
    items = items.sort_values(["_order", "due", "unit_name", "item"], kind="stable")
    return items[list(ITEM_COLUMNS)].reset_index(drop=True)


def _chases_frame(chases: Sequence[Chase] | pd.DataFrame | None, end: pd.Timestamp):
    if chases is None:
        frame = pd.DataFrame({"unit_id": [], "item": [], "created_at": []})
    elif isinstance(chases, pd.DataFrame):
        frame = chases[["unit_id", "item", "created_at"]]
    else:
        frame = pd.DataFrame(
            {
                "unit_id": [c.unit_id for c in chases],
                "item": [c.item for c in chases],
                "created_at": [c.created_at for c in chases],
            }
        )
    frame = frame.assign(
        unit_id=frame["unit_id"].astype("int64"),
        item=frame["item"].astype("str"),
        created_at=local_naive(frame["created_at"]),
    )
    return frame[frame["created_at"] < end]


# ------------------------------------------------------------------ for people
def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy for people: codes as Chinese words (状态, 提醒, 是/否), Chinese headers."""
    out = frame.copy()
    for column, labels in _VALUE_LABELS.items():
        if column in out.columns:
            codes = out[column].astype("object")
            out[column] = codes.map(labels).where(codes.map(labels).notna(), codes)
    for column in out.columns:
        dtype = out[column].dtype
        if pd.api.types.is_bool_dtype(dtype):
            out[column] = out[column].map({True: "是", False: "否"}).fillna("").astype("str")
    return out.rename(columns=COLUMN_LABELS)
