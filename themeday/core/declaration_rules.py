"""The 申报表 checked against its campaign's rules (申报规则校验).

A leaf module: plain data in, Chinese messages out. Each broken rule gives one
message, naming the row (第N行) where a row is at fault.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from themeday.core.config import TZ
from themeday.core.domain import CampaignRules, phone_problem
from themeday.core.workdays import WorkdayCalendar

TITLE_MAX = 60
SUMMARY_MAX = 500
CONTACT_MAX = 100
"""A row's 联系人及电话 cell, and the 联系人/联系电话 fields at the top of the form."""
_PHONE_IN_TEXT = re.compile(r"(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})")


@dataclass(frozen=True)
class ThemeRow:
    """One row of the 申报表: a theme the unit declares (活动主题)."""

    title: str
    planned_month: int | None
    form: str
    summary: str = ""
    contact: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "title": self.title.strip(),
            "planned_month": self.planned_month,
            "form": self.form.strip(),
            "summary": self.summary.strip(),
            "contact": self.contact.strip(),
        }


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def rows_from_records(records: list[dict[str, Any]], keep_blank: bool = False) -> list[ThemeRow]:
    """The rows of an edited 申报表 table, in 序号 (``seq``) order.

    Rows left blank are dropped (kept with ``keep_blank``, for a form that is still
    being filled); a row without a 序号 keeps its place among the others. A row with
    only some cells filled is kept: the check names what it lacks.
    """
    keyed = []
    for place, record in enumerate(records, start=1):
        seq = record.get("seq")
        keyed.append((place + 0.5 if _blank(seq) else float(seq), place, record))
    rows = []
    for _, _, record in sorted(keyed, key=lambda k: (k[0], k[1])):
        values = {k: ("" if _blank(v) else v) for k, v in record.items() if k != "seq"}
        if not keep_blank and not any(str(v).strip() for v in values.values()):
            continue
        month = values.get("planned_month", "")
        rows.append(
            ThemeRow(
                title=str(values.get("title", "")),
                planned_month=int(month) if month != "" else None,
                form=str(values.get("form", "")),
                summary=str(values.get("summary", "")),
                contact=str(values.get("contact", "")),
            )
        )
    return rows


def summary_required(rules: CampaignRules) -> bool:
    """The campaign's form has a 活动简介 column (湘江新区), so each row needs one."""
    return "活动简介" in rules.form_columns


def check_declaration(
    rules: CampaignRules,
    contact_person: str,
    contact_phone: str,
    rows: list[ThemeRow],
    has_scan: bool,
) -> list[str]:
    """Every way the declaration breaks its campaign's rules; empty when it may be submitted."""
    problems: list[str] = []
    if not contact_person.strip():
        problems.append("请填写联系人。")
    phone = phone_problem(contact_phone)
    if phone:
        problems.append(phone)

    count = len(rows)
    if rules.themes_exact and count != rules.themes_count:
        problems.append(f"需申报{rules.themes_count}个主题（当前{count}个）。")
    elif not rules.themes_exact and count < rules.themes_count:
        problems.append(f"至少申报{rules.themes_count}个主题（当前{count}个）。")

    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        problems += _row_problems(rules, number, row)
        title = row.title.strip()
        if title and title in seen:
            problems.append(f"第{number}行：活动主题与第{seen[title]}行重复。")
        seen.setdefault(title, number)

    if rules.required_forms and rows:
        if not any(row.form.strip() in rules.required_forms for row in rows):
            problems.append(f"至少一个主题的活动形式须为{'或'.join(rules.required_forms)}。")
    if rules.scan_required and not has_scan:
        problems.append("请上传加盖公章的申报表电子扫描件。")
    return problems


def _missing_cells(rules: CampaignRules | None, row: ThemeRow) -> str | None:
    """What a row still lacks, in one phrase ("请选择计划月份、活动形式"); None when nothing.

    Without ``rules`` only the cells every stored row needs are asked for (a draft's).
    """
    to_fill = [] if row.title.strip() else ["活动主题"]
    to_choose = [] if row.planned_month is not None else ["计划月份"]
    if not row.form.strip():
        to_choose.append("活动形式")
    if rules is not None and summary_required(rules) and not row.summary.strip():
        to_fill.append("活动简介")
    if rules is not None and rules.row_has_contact and not row.contact.strip():
        to_fill.append("联系人及电话")
    parts = [f"请填写{'、'.join(to_fill)}"] if to_fill else []
    if to_choose:
        parts.append(f"请选择{'、'.join(to_choose)}")
    return "，".join(parts) if parts else None


def _length_problems(where: str, row: ThemeRow) -> list[str]:
    """Cells over their limit: refused with the limit, never cut to fit."""
    problems = []
    for label, value, limit in (
        ("活动主题", row.title, TITLE_MAX),
        ("活动简介", row.summary, SUMMARY_MAX),
        ("联系人及电话", row.contact, CONTACT_MAX),
    ):
        length = len(value.strip())
        if length > limit:
            problems.append(f"{where}{label}不能超过{limit}个字（现为{length}个字），请精简。")
    return problems


def draft_problems(contact_person: str, contact_phone: str, rows: list[ThemeRow]) -> list[str]:
    """Why a draft (保存草稿) cannot be stored as typed; empty when it can.

    A draft may break the campaign's rules (too few themes, no scan, a month out of
    range): those wait for 检查并提交. But each row needs its 活动主题, 计划月份 and
    活动形式 to be kept as a row, and no text may be longer than its limit.
    """
    problems = []
    for label, value in (("联系人", contact_person), ("联系电话", contact_phone)):
        if len(value.strip()) > CONTACT_MAX:
            problems.append(f"{label}不能超过{CONTACT_MAX}个字。")
    for number, row in enumerate(rows, start=1):
        where = f"第{number}行："
        missing = _missing_cells(None, row)
        if missing:
            problems.append(f"{where}{missing}。")
        problems += _length_problems(where, row)
    return problems


def with_row_contacts(
    rules: CampaignRules, rows: list[ThemeRow], contact_person: str, contact_phone: str
) -> list[ThemeRow]:
    """Rows whose empty 联系人及电话 cell takes the form's 联系人 and 联系电话.

    Only when the campaign's form has that column (``row_has_contact``); a value the
    unit typed in the row is kept.
    """
    default = row_contact_default(contact_person, contact_phone)
    if not rules.row_has_contact or not default:
        return list(rows)
    return [row if row.contact.strip() else replace(row, contact=default) for row in rows]


def row_contact_default(contact_person: str, contact_phone: str) -> str:
    """The 联系人及电话 cell made of the form's 联系人 and 联系电话: "张三 0739-5321101"."""
    return " ".join(part for part in (contact_person.strip(), contact_phone.strip()) if part)


def _row_problems(rules: CampaignRules, number: int, row: ThemeRow) -> list[str]:
    where = f"第{number}行："
    missing = _missing_cells(rules, row)
    problems = [f"{where}{missing}。"] if missing else []
    problems += _length_problems(where, row)
    month = row.planned_month
    if month is not None and month > rules.last_month:
        problems.append(f"{where}计划月份不得晚于{rules.last_month}月。")
    elif month is not None and month < rules.first_month:
        problems.append(f"{where}计划月份不得早于{rules.first_month}月。")
    form = row.form.strip()
    if form and form not in rules.allowed_forms:
        allowed = "、".join(rules.allowed_forms)
        problems.append(f"{where}活动形式“{form}”不在本次活动允许的形式中（{allowed}）。")
    contact = row.contact.strip()
    if rules.row_has_contact and contact and not _PHONE_IN_TEXT.search(contact):
        problems.append(f"{where}联系人及电话中没有有效的电话号码（手机11位，座机须带区号）。")
    return problems


def deadline_end(deadline: date) -> datetime:
    """A deadline day ends at midnight Asia/Shanghai (截止当日24时)."""
    return datetime.combine(deadline + timedelta(days=1), time(0, 0), tzinfo=TZ)


def late_workdays(deadline: date, submitted_at: datetime, calendar: WorkdayCalendar) -> int:
    """Official working days between the deadline and the submission (0 when on time).

    Submitting on the first working day after the deadline is 1 working day late.
    """
    if submitted_at < deadline_end(deadline):
        return 0
    day = submitted_at.astimezone(TZ).date()
    late = calendar.workdays_between(deadline, day)
    if not calendar.is_workday(day):
        late += 1  # a weekend or holiday submission counts as the next working day
    return max(late, 1)
