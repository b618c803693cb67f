"""Streamlit pieces of the compliance screens (督办催办, 考核汇总, 本单位待办).

The as-of picker (统计截至), traffic lights as coloured words (no emoji font needed), the
催办 item table with its selection, the unit's to-do list, the score tables, the
加减分 and 得分权重 forms and the exports. Everything is computed by
:mod:`themeday.services.assessment` and :mod:`themeday.core.compliance`; this module only lays it
out. User text (reasons, notes) is shown in tables or with ``st.text``, never as
Markdown or HTML.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import date
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from themeday.core.compliance import COLUMN_LABELS, ITEM_KIND_LABELS, ComplianceResult, labelled
from themeday.core.config import now
from themeday.core.dates import prose_date, table_deadlines
from themeday.core.domain import COMPLIANCE_WEIGHT_LABELS, Actor, ComplianceWeights, Role
from themeday.core.records import Campaign
from themeday.formats.compliance_exports import (
    CSV_SHEETS,
    chase_items_xlsx,
    circular_docx,
    compliance_csv,
    compliance_xlsx,
)
from themeday.formats.lights import LIGHT_NAMES, light_badge, light_cells, light_options, light_word
from themeday.repository import Repository
from themeday.services import assessment
from themeday.services.file_audit import DownloadAudit
from themeday.ui.inputs import date_field
from themeday.ui.screen import Screen, open_screen
from themeday.ui.widgets import (
    DOCX_MIME,
    XLSX_MIME,
    ask_to_confirm,
    confirmation,
    deferred_download,
    download_name,
    run_action,
)

LIGHTS = ("red", "yellow", "green")
"""The lights of an open item, most urgent first."""

CHASE_WAYS = ("电话催办", "短信催办", "发函催办", "当面督办", "其他方式")
"""How the office chased a unit (the first words of the 催办说明)."""

CSV_MIME = "text/csv"

_ROUND = "themeday.chase_round"
_CHASE_CONFIRM = "chase_many"
_ROW_KEYS = "themeday.chase_row_keys"
_ADJUST_ROUND = "themeday.adjust_round"
_XLSX = "themeday.compliance_xlsx"
_WEIGHTS_FILLED = "themeday.weights_filled"


# ------------------------------------------------------------------ as-of date and lights
@dataclass(frozen=True)
class ComplianceScreen:
    """An office compliance page opened: the screen, its 统计截至 day and the result."""

    screen: Screen
    as_of: date
    result: ComplianceResult


def open_compliance_screen(title: str, as_of_key: str) -> ComplianceScreen | None:
    """The head of 督办催办 and 考核汇总: the office's screen, the 统计截至 picker (its
    widget key ``as_of_key``), the compliance result as of that day and the warning
    about unverified holiday years; None (with the notice) before any campaign."""
    screen = open_screen(title, Role.OFFICE, empty="尚未创建主题日活动。")
    if screen is None:
        return None
    as_of = as_of_picker(screen.repo, screen.campaign, key=as_of_key)
    result = assessment.assess(screen.repo, screen.actor, screen.campaign, as_of)
    compliance_warning(result)
    return ComplianceScreen(screen, as_of, result)


def as_of_picker(repo: Repository, campaign: Campaign, key: str) -> date:
    """统计截至: the day the figures are counted to (today by default, never later).

    A past date reproduces the figures as they stood at the end of that day.
    """
    latest = repo.today()
    earliest = min(date(campaign.year - 1, 1, 1), latest)
    picked = date_field(
        "统计截至",
        latest,
        (earliest, latest),
        key=f"{key}_{campaign.id}",
        help="按所选日期当天24时为止的记录统计；选择过去的日期可重现当时的统计结果。",
    )
    return picked or latest


def compliance_warning(result: ComplianceResult) -> None:
    """The engine's warning (a year whose holidays are not entered), when there is one."""
    if result.warning:
        st.warning(result.warning + "，相关截止日期以政务公开办公布的节假日安排为准。")


def light_text(light: str) -> str:
    """“已逾期”, “即将到期”, “未到期” (empty for a met deadline); tables colour it."""
    return light_word(light)


def light_column(label: str = "提醒") -> st.column_config.Column:
    """A read-only column drawing each light (a ``light_cells`` cell) as its word on a
    label of its colour: no emoji font needed."""
    words, colours = light_options()
    return st.column_config.MultiselectColumn(
        label, options=words, color=colours, disabled=True, width="small"
    )


def deadline_text(light: str, workdays_left: object, late_workdays: object) -> str:
    """“已逾期N个工作日”, “今日截止” or “剩余N个工作日” for an open item."""
    if light == "red":
        late = _int(late_workdays)
        return f"已逾期{late}个工作日" if late else "已逾期"
    left = _int(workdays_left)
    if left is None:
        return ""
    return "今日截止" if left == 0 else f"剩余{left}个工作日"


def _int(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def deadline_texts(items: pd.DataFrame) -> pd.Series:
    """:func:`deadline_text` of every item at once (a province has 13,000 open items)."""
    late = pd.to_numeric(items["late_workdays"], errors="coerce").astype("Int64")
    left = pd.to_numeric(items["workdays_left"], errors="coerce").astype("Int64")
    late_known = late.fillna(0) != 0
    red = pd.Series("已逾期", index=items.index, dtype=object).where(
        ~late_known, "已逾期" + late.astype(str) + "个工作日"
    )
    other = ("剩余" + left.astype(str) + "个工作日").where(left.fillna(-1) != 0, "今日截止")
    other = other.where(left.notna(), "")
    return red.where(items["light"].eq("red"), other).astype(object)


def _item_titles(items: pd.DataFrame) -> pd.Series:
    """活动主题 of each item (— for the 申报表 itself)."""
    return items["title"].where(items["item_kind"] != "declaration", "—")


def light_counts(items: pd.DataFrame, yellow_workdays: int) -> None:
    """How many items are red, yellow and green, and how many units they concern."""
    counts = items["light"].value_counts()
    windows = {
        "red": "已逾期",
        "yellow": f"{yellow_workdays}个工作日内到期",
        "green": "未到期",
    }
    columns = st.columns(4)
    for column, light in zip(columns, LIGHTS, strict=False):
        column.metric(
            f"{light_badge(light, LIGHT_NAMES[light])}（{windows[light]}）",
            int(counts.get(light, 0)),
        )
    columns[3].metric("涉及单位", int(items["unit_id"].nunique()))


# ------------------------------------------------------------------ 督办催办
def row_keys(items: pd.DataFrame) -> list[str]:
    """Each 催办 item across units as ``<unit id>|<item>`` (e.g. ``3|declaration``)."""
    return (items["unit_id"].astype("int64").astype("str") + "|" + items["item"]).tolist()


def _item_labels(items: pd.DataFrame) -> list[str]:
    """“【已逾期】城北街道办事处 · 活动总结 · <主题>” for each item (no 主题 for the
    申报表); a picker cannot colour its options, so the light is its word."""
    words = items["light"].fillna("").map(lambda x: f"【{light_word(x)}】" if x else "")
    kinds = items["item_kind"].map(ITEM_KIND_LABELS).fillna(items["item_kind"])
    titles = (" · " + items["title"]).where(items["item_kind"] != "declaration", "")
    return (words + items["unit_name"] + " · " + kinds + titles).tolist()


def item_filters(items: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Filters (提醒, 事项, 单位, 只看未催办) over the 催办 items: the rows that pass, and
    the filters in force in Chinese (empty when none; for an export's audit row)."""
    first, second, third, fourth = st.columns([1, 1, 2, 1])
    lights = first.multiselect(
        "提醒",
        [x for x in LIGHTS if x in set(items["light"].unique())],
        format_func=light_text,
        placeholder="全部",
    )
    kinds = second.multiselect(
        "事项",
        [k for k in ITEM_KIND_LABELS if k in set(items["item_kind"].unique())],
        format_func=ITEM_KIND_LABELS.get,
        placeholder="全部",
    )
    units = third.multiselect("单位", sorted(items["unit_name"].unique()), placeholder="全部")
    fourth.write("")  # lines the checkbox up with the boxes beside it
    unchased = fourth.checkbox("只看未催办", help="尚无催办记录的事项")
    keep = pd.Series(True, index=items.index)
    if lights:
        keep &= items["light"].isin(lights)
    if kinds:
        keep &= items["item_kind"].isin(kinds)
    if units:
        keep &= items["unit_name"].isin(units)
    if unchased:
        keep &= items["chase_count"] == 0
    said = [
        f"{label}：{'、'.join(chosen)}"
        for label, chosen in (
            ("提醒", [light_text(x) for x in lights]),
            ("事项", [ITEM_KIND_LABELS.get(k, k) for k in kinds]),
            ("单位", units),
        )
        if chosen
    ]
    if unchased:
        said.append("只看未催办")
    return items[keep].reset_index(drop=True), "；".join(said)


def items_frame(items: pd.DataFrame, *, with_unit: bool = True) -> pd.DataFrame:
    """The 催办 items for people: lights, Chinese headers, due dates and working days."""
    frame = pd.DataFrame(
        {
            "提醒": light_cells(items["light"]),
            "单位": items["unit_name"],
            "事项": items["item_kind"].map(ITEM_KIND_LABELS).fillna(items["item_kind"]),
            "活动主题": _item_titles(items),
            "截止日期": table_deadlines(items["due"]),
            "逾期/剩余工作日": deadline_texts(items),
        }
    )
    if with_unit:
        frame["联系人"] = items["contact_person"]
        frame["联系电话"] = items["contact_phone"]
        frame["活动联系人及电话"] = items["contact"].where(items["contact"] != "", "—")
        frame["最近催办"] = items["last_chased_at"]
        frame["催办次数"] = items["chase_count"]
    else:
        frame = frame.drop(columns=["单位"])
    return frame


_ITEM_COLUMN_CONFIG = {
    "提醒": light_column(),
    "最近催办": st.column_config.DatetimeColumn(
        "最近催办", format="YYYY-MM-DD HH:mm", help="空白表示尚未催办"
    ),
    "催办次数": st.column_config.NumberColumn("催办次数", format="%d"),
}


def chase_table(items: pd.DataFrame) -> None:
    """The 催办 items, sortable; rows ticked in the table are picked for 标记已催办."""
    keys = row_keys(items)
    st.session_state[_ROW_KEYS] = keys
    digest = hashlib.sha1("\n".join(keys).encode()).hexdigest()[:10]
    table_key = f"chase_table_{_round()}_{digest}"
    st.dataframe(
        items_frame(items),
        hide_index=True,
        placeholder="",
        width="stretch",
        column_config=_ITEM_COLUMN_CONFIG,
        key=table_key,
        on_select=partial(_pick_from_table, table_key),
        selection_mode="multi-row",
    )


def _round() -> int:
    return st.session_state.get(_ROUND, 0)


def _pick_key() -> str:
    return f"chase_pick_{_round()}"


def _pick_from_table(table_key: str) -> None:
    """Callback: the rows ticked in the table become the items to mark."""
    state = st.session_state.get(table_key)
    rows = state.selection.rows if state is not None else []
    keys = st.session_state.get(_ROW_KEYS, [])
    st.session_state[_pick_key()] = [keys[r] for r in rows if 0 <= r < len(keys)]


def mark_chased_form(repo: Repository, actor: Actor, campaign: Campaign, items: pd.DataFrame):
    """标记已催办: the picked items (ticked in the table or chosen here) with a note."""
    labels = dict(zip(row_keys(items), _item_labels(items), strict=True))
    pick_key = _pick_key()
    picked_before = st.session_state.get(pick_key)
    if picked_before is not None:  # a filter may have hidden some of them
        st.session_state[pick_key] = [k for k in picked_before if k in labels]
    with st.form(f"chase_form_{_round()}", clear_on_submit=False):
        picked = st.multiselect(
            "要标记为已催办的事项",
            list(labels),
            format_func=labels.get,
            key=pick_key,
            placeholder="在上表中勾选，或在此选择",
        )
        left, right = st.columns([1, 3])
        way = left.selectbox("催办方式", CHASE_WAYS, placeholder="请选择")
        note = right.text_input(
            "催办说明（可选）",
            max_chars=200,
            placeholder="如：已联系单位联系人，承诺三个工作日内报送",
        )
        submitted = st.form_submit_button("标记已催办", type="primary")
    if submitted and not picked:
        st.error("请先选择要标记为已催办的事项。")
    elif submitted:
        text = f"{way}：{note.strip()}" if note.strip() else way
        pairs = [(int(u), item) for u, item in (key.split("|", 1) for key in picked)]
        if len(pairs) <= assessment.CONFIRM_CHASES_OVER:
            _chase(repo, actor, campaign, pairs, text, way)
        else:
            ask_to_confirm(_CHASE_CONFIRM, (pairs, text, way))
    held = confirmation(_CHASE_CONFIRM, _chase_question, "标记已催办")
    if held is not None:
        _chase(repo, actor, campaign, *held)


def _chase_question(held: tuple[list[tuple[int, str]], str, str]) -> str:
    pairs, _, way = held
    return f"将一次标记{len(pairs)}项为已催办（{way}），保存后记入督办记录和审计日志。确认吗？"


def _chase(
    repo: Repository,
    actor: Actor,
    campaign: Campaign,
    pairs: list[tuple[int, str]],
    text: str,
    way: str,
) -> None:
    if run_action(
        lambda: assessment.record_chases(repo, actor, campaign, pairs, text),
        f"已记录{len(pairs)}项催办（{way}）。",
    ):
        st.session_state[_ROUND] = _round() + 1  # fresh table selection and form
        st.rerun()


# ------------------------------------------------------------------ 本单位待办
def todo_list(items: pd.DataFrame) -> None:
    """待办事项 of one unit: a summary line and the open items with lights."""
    if items.empty:
        st.info("暂无待办事项。")
        return
    red = int((items["light"] == "red").sum())
    yellow = int((items["light"] == "yellow").sum())
    summary = f"共{len(items)}项待办"
    if red:
        st.error(f"{summary}，其中{red}项已逾期，请尽快报送。")
    elif yellow:
        st.warning(f"{summary}，其中{yellow}项即将到期。")
    else:
        st.info(f"{summary}。")
    st.dataframe(
        items_frame(items, with_unit=False),
        hide_index=True,
        placeholder="",
        width="stretch",
        column_config=_ITEM_COLUMN_CONFIG,
    )


# ------------------------------------------------------------------ 考核汇总
UNIT_TABLE_COLUMNS = (
    "rank",
    "unit_name",
    "unit_kind",
    "declaration_status",
    "n_themes",
    "rule_checks_failed",
    "n_activities",
    "plans_on_time",
    "plans_late",
    "plans_missing",
    "reports_on_time",
    "reports_late",
    "reports_missing",
    "marking_present",
    "held_in_month",
    "n_published",
    "typical_cases",
    "red_items",
    "yellow_items",
    "score_base",
    "adjustment_total",
    "score",
)
"""The columns of the 单位得分 table, in order (labels from ``COLUMN_LABELS``)."""

_SCORE_FORMAT = "%.2f"


def units_table(result: ComplianceResult) -> None:
    """One row per unit, by rank: 排名, 单位, 申报, counts, 得分 (sortable)."""
    frame = labelled(result.units[list(UNIT_TABLE_COLUMNS)])
    frame = frame.rename(columns={COLUMN_LABELS["declaration_status"]: "申报"})
    score_columns = ("score_base", "adjustment_total", "score")
    config = {
        COLUMN_LABELS[c]: st.column_config.NumberColumn(COLUMN_LABELS[c], format=_SCORE_FORMAT)
        for c in score_columns
    }
    config[COLUMN_LABELS["rank"]] = st.column_config.NumberColumn("排名", pinned=True)
    config[COLUMN_LABELS["unit_name"]] = st.column_config.TextColumn("单位", pinned=True)
    st.dataframe(frame, hide_index=True, placeholder="", width="stretch", column_config=config)


ACTIVITY_TABLE_COLUMNS = (
    "unit_name",
    "title",
    "form",
    "planned_month",
    "status",
    "activity_date",
    "plan_due",
    "plan_status",
    "plan_late_workdays",
    "report_due",
    "report_status",
    "report_late_workdays",
    "marking_photos",
    "published",
    "typical_case",
)


def activities_table(result: ComplianceResult) -> None:
    """活动明细: one row per activity with its deadlines and lateness."""
    if result.activities.empty:
        st.caption("暂无审核通过的活动。")
        return
    frame = labelled(result.activities[list(ACTIVITY_TABLE_COLUMNS)])
    dates = ("activity_date", "plan_due", "report_due")
    config = {
        COLUMN_LABELS[c]: st.column_config.DateColumn(COLUMN_LABELS[c], format="YYYY-MM-DD")
        for c in dates
    }
    config[COLUMN_LABELS["planned_month"]] = st.column_config.NumberColumn(
        COLUMN_LABELS["planned_month"], format="%d月"
    )
    st.dataframe(frame, hide_index=True, placeholder="", width="stretch", column_config=config)


def adjustment_form(
    repo: Repository, actor: Actor, campaign: Campaign, result: ComplianceResult
) -> None:
    """加减分: unit, points and the required reason; audited by the repository."""
    units = result.units.sort_values("unit_name", kind="stable")
    names = dict(zip(units["unit_id"].astype(int), units["unit_name"], strict=True))
    if not names:
        st.caption("暂无单位。")
        return
    with st.form(f"adjustment_{campaign.id}_{st.session_state.get(_ADJUST_ROUND, 0)}"):
        left, right = st.columns([2, 1])
        unit_id = left.selectbox("单位", list(names), format_func=names.get, placeholder="请选择")
        delta = right.number_input(
            "分值（加分填正数，减分填负数）",
            min_value=-1000.0,
            max_value=1000.0,
            value=0.0,
            step=0.5,
            format="%.2f",
        )
        reason = st.text_area(
            "原因（必填）",
            max_chars=500,
            height=80,
            placeholder="如：活动被市级媒体专题报道，经研究加2分",
        )
        submitted = st.form_submit_button("保存加减分", type="primary")
    if not submitted:
        return
    name = names[unit_id]
    if run_action(
        lambda: assessment.add_adjustment(
            repo, actor, campaign, int(unit_id), float(delta), reason
        ),
        f"已为{name}{'加' if delta > 0 else '减'}{abs(float(delta)):g}分。",
    ):
        st.session_state[_ADJUST_ROUND] = st.session_state.get(_ADJUST_ROUND, 0) + 1
        forget_exports()
        st.rerun()


def adjustments_table(result: ComplianceResult) -> None:
    """加减分记录 counted by the as-of date, oldest first."""
    adjustments = result.adjustments
    if adjustments.empty:
        st.caption("截至所选日期暂无加减分记录。")
        return
    frame = pd.DataFrame(
        {
            "时间": adjustments["created_at"],
            "单位": adjustments["unit_name"],
            "加减分": adjustments["delta"],
            "原因": adjustments["reason"],
            "操作人": adjustments["created_by"],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        placeholder="",
        width="stretch",
        column_config={
            "时间": st.column_config.DatetimeColumn("时间", format="YYYY-MM-DD HH:mm"),
            "加减分": st.column_config.NumberColumn("加减分", format="%+.2f"),
            "原因": st.column_config.TextColumn("原因", width="large"),
        },
    )


WEIGHT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ComplianceWeights))


def weights_form(
    repo: Repository, actor: Actor, campaign: Campaign, in_force: ComplianceWeights
) -> None:
    """得分权重: every ``ComplianceWeights`` field as a number input, saved as a new version."""
    current = repo.compliance.get_weights(actor, campaign.id)
    defaults = asdict(ComplianceWeights())
    if in_force != current:
        st.info("所选统计日期适用的是当时的权重，上表得分按当时的权重计算；下方为当前权重。")
    filled_key = f"{_WEIGHTS_FILLED}.{campaign.id}"
    filled_from = _weights_filled_from(campaign, current)
    version = hashlib.sha1(filled_from.to_json().encode()).hexdigest()[:10]
    current = filled_from
    values: dict[str, float | int] = {}
    with st.form(f"weights_{campaign.id}_{version}"):
        columns = st.columns(3)
        for n, name in enumerate(WEIGHT_FIELDS):
            column = columns[n % 3]
            label = COMPLIANCE_WEIGHT_LABELS.get(name, name)
            value = getattr(current, name)
            values[name] = _weight_input(column, name, label, value, defaults[name], version)
        submitted = st.form_submit_button("保存得分权重", type="primary")
    st.caption(
        "保存后的权重自保存之时起生效；此前日期的统计和已导出的报表仍按当时的权重计算，"
        "历次权重均保留。"
    )
    if submitted and run_action(
        lambda: assessment.set_weights(repo, actor, campaign, values, filled_from),
        "得分权重已保存。此前日期的统计仍按当时的权重计算。",
    ):
        st.session_state.pop(filled_key, None)
        forget_exports()
        st.rerun()


def _weights_filled_from(campaign: Campaign, current: ComplianceWeights) -> ComplianceWeights:
    """The weights the form was filled from, kept until this user's own save: a save
    after someone else's is refused as stale, not written over theirs."""
    filled_key = f"{_WEIGHTS_FILLED}.{campaign.id}"
    filled_from = st.session_state.setdefault(filled_key, current)
    if filled_from != current:
        st.warning(
            "得分权重已被他人修改。下方仍是您打开时的权重，保存将被拒绝；请载入最新权重后再改。"
        )
        if st.button("载入最新权重", key=f"weights_reload_{campaign.id}"):
            st.session_state.pop(filled_key, None)
            st.rerun()
    return filled_from


def _weight_input(
    column: Any, name: str, label: str, value: float, default: float, version: str
) -> float | int:
    """One weight's number input (黄灯天数 is a whole number of working days)."""
    if name == "yellow_workdays":
        return column.number_input(
            label,
            min_value=0,
            max_value=10,
            value=int(value),
            step=1,
            help=f"不是得分：到期前几个工作日（含截止当天）亮黄灯。默认{default}。",
            key=f"weight_{name}_{version}",
        )
    return column.number_input(
        label,
        min_value=0.0 if name == "declared_late_cap" else -1000.0,
        max_value=1000.0,
        value=float(value),
        step=0.5,
        format="%.2f",
        help=_weight_help(name, default),
        key=f"weight_{name}_{version}",
    )


def _weight_help(name: str, default: float) -> str:
    if name == "declared_late_cap":
        return f"默认{default:g}分：逾期申报最多扣去的分数（不能为负数）。"
    return f"默认{default:g}分；负数为扣分。"


# ------------------------------------------------------------------ exports
def _file_name(campaign: Campaign, *parts: str) -> str:
    return download_name(f"{campaign.year}年", campaign.region, *parts)


def chase_export(
    repo: Repository,
    actor: Actor,
    items: pd.DataFrame,
    campaign: Campaign,
    as_of: date,
    filters: str = "",
) -> None:
    """导出催办清单（Excel）: the items shown (after ``filters``), built on click."""
    snapshot = items.copy()
    deferred_download(
        "导出催办清单（Excel）",
        lambda _: chase_items_xlsx(snapshot, campaign, as_of),
        file_name=_file_name(campaign, "催办清单", f"截至{as_of:%Y%m%d}.xlsx"),
        mime=XLSX_MIME,
        key=f"chase_xlsx_{campaign.id}",
        repo=repo,
        actor=actor,
        audit=DownloadAudit(
            "催办清单（Excel）", campaign, _as_of_filters(as_of, filters), len(snapshot)
        ),
        help="按当前筛选条件导出，可作为催办通知的附件。",
    )


def _as_of_filters(as_of: date, filters: str = "") -> str:
    return "；".join(x for x in (f"统计截至{prose_date(as_of)}", filters) if x)


def _export_slot(result: ComplianceResult, campaign: Campaign) -> str:
    """What a generated 合规汇总 was built from: campaign, date and the figures themselves,
    so a workbook made before anyone changed a record is never offered as current."""
    digest = hashlib.sha1()
    for frame in (result.units, result.activities, result.adjustments):
        try:
            hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
        except TypeError:  # a column pandas cannot hash: its text will do
            hashed = frame.to_csv(index=False).encode()
        digest.update(hashed)
    digest.update(result.weights.to_json().encode())
    return f"{campaign.id}|{result.as_of.isoformat()}|{digest.hexdigest()}"


def forget_exports() -> None:
    """Drop a generated 合规汇总 (the figures behind it have changed)."""
    st.session_state.pop(_XLSX, None)


def compliance_exports(
    repo: Repository, actor: Actor, result: ComplianceResult, campaign: Campaign
) -> None:
    """导出: 合规汇总 (Excel, generated with a progress bar), the CSV sheets, the 通报 draft."""
    as_of = result.as_of
    suffix = f"截至{as_of:%Y%m%d}"
    filters = _as_of_filters(as_of)
    units = len(result.units)
    workbook, csv, circular = st.columns([2, 2, 1])
    with workbook:
        _workbook_export(repo, actor, result, campaign, suffix)
    with csv:
        st.markdown("**CSV 数据**")
        for sheet, name in CSV_SHEETS.items():
            deferred_download(
                f"{name}（CSV）",
                _csv_builder(result, sheet),
                file_name=_file_name(campaign, name, f"{suffix}.csv"),
                mime=CSV_MIME,
                key=f"compliance_csv_{sheet}_{campaign.id}",
                repo=repo,
                actor=actor,
                audit=DownloadAudit(
                    f"考核汇总·{name}（CSV）", campaign, filters, len(getattr(result, sheet))
                ),
                help="UTF-8 编码，Excel、WPS 可直接打开。",
            )
    with circular:
        st.markdown("**通报**")
        deferred_download(
            "通报（Word 草稿）",
            lambda _: circular_docx(result, campaign),
            file_name=_file_name(campaign, "通报草稿", f"{suffix}.docx"),
            mime=DOCX_MIME,
            key=f"circular_docx_{campaign.id}",
            repo=repo,
            actor=actor,
            audit=DownloadAudit("情况通报（Word 草稿）", campaign, filters, units),
            help="按逾期事项多少排列各单位，供起草情况通报时修改使用。",
        )
        if result.warning:
            # the 通报 is sent as it is: the system's caveat stays on screen, not in it
            st.warning(f"{result.warning}，通报中涉及的截止日期请核对后再印发。")


def _workbook_export(
    repo: Repository, actor: Actor, result: ComplianceResult, campaign: Campaign, suffix: str
) -> None:
    st.markdown("**合规汇总（Excel）**")
    clicked = st.button(
        "生成合规汇总",
        key=f"make_xlsx_{campaign.id}",
        help="单位汇总、活动明细（A3横向）和加减分记录（A4横向）三张工作表；单位较多时需要一些时间。",
    )
    stored = st.session_state.get(_XLSX)
    slot = _export_slot(result, campaign) if clicked or stored else ""
    if clicked:
        bar = st.progress(0.0, text="正在生成合规汇总……")

        def progress(fraction: float, message: str) -> None:
            bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

        data = compliance_xlsx(result, campaign, progress=progress)
        bar.empty()
        stored = st.session_state[_XLSX] = (slot, now(), data)
    if not stored or stored[0] != slot:
        st.caption("点击“生成合规汇总”，生成后在此下载。")
        return
    _, made_at, data = stored
    deferred_download(
        "合规汇总（Excel）",
        lambda _: data,
        file_name=_file_name(campaign, "合规汇总", f"{suffix}.xlsx"),
        mime=XLSX_MIME,
        key=f"compliance_xlsx_{campaign.id}",
        repo=repo,
        actor=actor,
        audit=DownloadAudit(
            "合规汇总（Excel）", campaign, _as_of_filters(result.as_of), len(result.units)
        ),
        primary=True,
    )
    st.caption(f"已于 {made_at:%H:%M:%S} 生成（统计截至{prose_date(result.as_of)}）。")


def _csv_builder(result: ComplianceResult, sheet: str) -> Callable[[Repository], bytes]:
    return lambda _: compliance_csv(result, sheet)
