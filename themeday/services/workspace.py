"""数据工作台 service: the grid's saves, imports, saved views and 意见 on a record.

The repository checks each field's rights, types and versions inside the write; this
module is the one door the screens use, so a new screen cannot skip the checks of
an import preview or write as a leader.
"""

from __future__ import annotations

from themeday.core.domain import Actor, Role, ValidationError, require_role
from themeday.core.grid import Changeset, ViewSpec
from themeday.core.records import Campaign
from themeday.repository import Repository
from themeday.services.activities import date_problems

_WRITERS = (Role.OFFICE, Role.UNIT)


def save_edits(repo: Repository, actor: Actor, table_key: str, changes: Changeset) -> int:
    """保存修改: a grid's edits, new rows and deletions, all or none; returns rows written.

    Raises :class:`~themeday.core.grid.GridConflict` when someone saved a row since it was
    loaded (nothing is written then).
    """
    require_role(actor, *_WRITERS)
    problems = activity_date_problems(repo, actor, table_key, changes)
    if problems:
        raise ValidationError(problems)
    return repo.grid.save_grid(actor, table_key, changes)


def activity_date_problems(
    repo: Repository, actor: Actor, table_key: str, changes: Changeset
) -> list[str]:
    """The 活动日期 rule of 定日期 for dates edited in the grid: inside the campaign's
    year and the declared 计划月份. The grid has no 调整原因 column, so a date in another
    month is sent to 本单位活动's 改期, where the reason is asked for and kept."""
    if table_key != "activities":
        return []
    problems: list[str] = []
    campaigns: dict[int, Campaign] = {}
    for edit in changes.edits:
        if "activity_date" not in edit.changes:
            continue
        activity = repo.activities.get_activity(actor, int(edit.key))
        if activity.campaign_id not in campaigns:
            campaigns[activity.campaign_id] = repo.catalogue.get_campaign(
                actor, activity.campaign_id
            )
        campaign = campaigns[activity.campaign_id]
        day = edit.changes["activity_date"]
        for problem in date_problems(campaign, activity, day, "", "活动日期"):
            if "调整原因" in problem:
                problem = (
                    f"活动日期不在申报的计划月份（{activity.planned_month}月）内，"
                    "请在“本单位活动”中改期并填写调整原因"
                )
            problems.append(f"活动「{activity.title}」：{problem}")
    return problems


def import_problems(
    repo: Repository, actor: Actor, table_key: str, changes: Changeset
) -> list[str]:
    """导入预览: what an import of ``changes`` would be refused for (Chinese messages)."""
    return activity_date_problems(repo, actor, table_key, changes) or repo.grid.grid_problems(
        actor, table_key, changes
    )


def import_rows(repo: Repository, actor: Actor, table_key: str, changes: Changeset) -> int:
    """确认导入: write an uploaded table's rows; refused as a whole when any row is wrong."""
    require_role(actor, *_WRITERS)
    problems = import_problems(repo, actor, table_key, changes)
    if problems:
        raise ValidationError(problems)
    return repo.grid.save_grid(actor, table_key, changes)


def save_view(
    repo: Repository,
    actor: Actor,
    table_key: str,
    name: str,
    spec: ViewSpec,
    *,
    is_default: bool = False,
) -> int:
    """保存视图: the office's views are shared, a unit's are its own."""
    require_role(actor, *_WRITERS)
    return repo.grid.save_view(actor, table_key, name, spec, is_default=is_default)


def delete_view(repo: Repository, actor: Actor, view_id: int) -> None:
    """删除视图 of the actor's own scope."""
    require_role(actor, *_WRITERS)
    repo.grid.delete_view(actor, view_id)


def add_comment(repo: Repository, actor: Actor, object_type: str, object_id: int, body: str) -> int:
    """发表意见 on a unit, 申报表 or activity; a unit only on its own records."""
    require_role(actor, *_WRITERS)
    return repo.grid.add_record_comment(actor, object_type, object_id, body)
