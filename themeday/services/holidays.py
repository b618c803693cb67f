"""节假日维护 service: the office's holidays and make-up workdays (workday overrides).

The entered days win over the official calendar for every deadline, so each write
checks them first: one entry per day, a note of reasonable length, a day in a
plausible year.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from themeday.core.domain import Actor, Role, ValidationError, require_role
from themeday.core.workdays import WorkdayOverride
from themeday.repository import Repository

MAX_NOTE = 60
"""Characters of a day's 说明 (e.g. 春节, 国办发明电〔2026〕X号)."""
YEARS = range(2000, 2101)


def override_problems(overrides: Sequence[WorkdayOverride]) -> list[str]:
    """What is wrong with days to be entered, one Chinese message per problem."""
    problems: list[str] = []
    if not overrides:
        problems.append("没有要录入的日期。")
    seen: dict[date, bool] = {}
    for override in overrides:
        label = f"{override.day:%Y-%m-%d}"
        if override.day.year not in YEARS:
            problems.append(f"{label}：年份超出范围（{YEARS.start}—{YEARS.stop - 1}年）。")
        if len(override.note) > MAX_NOTE:
            problems.append(f"{label}：说明不能超过{MAX_NOTE}个字（当前{len(override.note)}个）。")
        if override.day in seen and seen[override.day] != override.is_workday:
            problems.append(f"{label}：同一天既录为“休”又录为“班”，请只保留一种。")
        seen[override.day] = override.is_workday
    return problems


def save_overrides(repo: Repository, actor: Actor, overrides: Sequence[WorkdayOverride]) -> int:
    """录入 holidays and make-up workdays (office): all of them or none; returns the count.

    A day already entered is replaced; a day listed twice with the same kind counts once.
    """
    require_role(actor, Role.OFFICE)
    cleaned = [WorkdayOverride(o.day, o.is_workday, o.note.strip()) for o in overrides]
    problems = override_problems(cleaned)
    if problems:
        raise ValidationError(problems)
    unique = list({o.day: o for o in cleaned}.values())
    return repo.catalogue.save_workday_overrides(actor, unique)


def delete_override(repo: Repository, actor: Actor, day: date) -> None:
    """删除 an entered day (office): the official calendar applies to it again."""
    require_role(actor, Role.OFFICE)
    repo.catalogue.delete_workday_override(actor, day)
