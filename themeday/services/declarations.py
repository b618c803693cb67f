"""Declaration service (申报): rule checks, lateness in working days, the stamped scan.

Pages call these functions; they check the campaign's rules before anything is
written, and leave storage and scoping to the repository.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from themeday.core.config import db_path
from themeday.core.declaration_rules import (
    ThemeRow,
    check_declaration,
    draft_problems,
    late_workdays,
    with_row_contacts,
)
from themeday.core.domain import (
    Actor,
    PermissionDenied,
    Role,
    StaleRecord,
    ValidationError,
    require_role,
)
from themeday.core.records import Activity, Attachment, Campaign, Declaration
from themeday.core.workdays import WorkdayCalendar
from themeday.formats.imports import parse_declaration_xlsx
from themeday.formats.uploads import SCAN, FileStore
from themeday.repository import Repository
from themeday.repository.base import STALE_MESSAGE
from themeday.repository.declarations import ScanFile
from themeday.services.file_audit import (
    checked_upload,
    record_upload_refused,
    stored_upload,
    within_quota,
)


def uploads_root() -> Path:
    """Where attachments live: ``uploads/`` beside the database file."""
    return db_path().parent / "uploads"


def calendar(repo: Repository, actor: Actor) -> WorkdayCalendar:
    """The official calendar with the office's overrides (节假日调整) applied."""
    return WorkdayCalendar(repo.catalogue.list_workday_overrides(actor))


def rows_of(themes: list[Activity]) -> list[ThemeRow]:
    """The 申报表 rows of stored themes."""
    return [ThemeRow(t.title, t.planned_month, t.form, t.summary, t.contact) for t in themes]


def problems_of(
    repo: Repository, actor: Actor, campaign: Campaign, declaration: Declaration
) -> list[str]:
    """The campaign rules a stored 申报表 breaks (empty when it may be submitted)."""
    themes = repo.declarations.list_themes(actor, declaration.id)
    return check_declaration(
        campaign.rules,
        declaration.contact_person,
        declaration.contact_phone,
        rows_of(themes),
        has_scan=declaration.scan_attachment_id is not None,
    )


def save_draft(
    repo: Repository,
    actor: Actor,
    campaign: Campaign,
    expected_version: int | None,
    *,
    contact_person: str,
    contact_phone: str,
    rows: Sequence[ThemeRow],
    unit_id: int | None = None,
) -> int:
    """保存草稿: store a unit's 申报表 as typed, or nothing; returns its id.

    A unit saves its own 申报表 (``unit_id`` defaults to the actor's unit); the office
    may save one for a unit; a leader none. The campaign's rules wait for
    :func:`submit`, but a row is kept only with its 活动主题, 计划月份 and 活动形式, and
    a text over its limit is refused with that limit (never cut to fit). A row's empty
    联系人及电话 takes the form's 联系人 and 联系电话 when the campaign has that column.
    ``expected_version`` is the version the form was filled from (0 for a new one).
    """
    require_role(actor, Role.UNIT, Role.OFFICE)
    unit_id = actor.unit_id if unit_id is None else unit_id
    if unit_id is None:
        raise ValidationError("请选择填报的单位。")
    if actor.role == Role.UNIT and unit_id != actor.unit_id:
        raise PermissionDenied("只能填报本单位的申报表。")
    rules = repo.catalogue.get_campaign(
        actor, campaign.id
    ).rules  # the stored rules, not the caller's
    person, phone = contact_person.strip(), contact_phone.strip()
    rows = with_row_contacts(rules, list(rows), person, phone)
    problems = draft_problems(person, phone, rows)
    if problems:
        raise ValidationError(problems)
    return repo.declarations.save_declaration(
        actor,
        campaign.id,
        unit_id,
        expected_version,
        contact_person=person,
        contact_phone=phone,
        themes=[row.as_dict() for row in rows],
    )


def submit(repo: Repository, actor: Actor, campaign: Campaign, declaration_id: int) -> int:
    """提交申报: only a valid 申报表 goes; returns the working days late (0 = on time).

    The rule check and the lateness are this function's own, from the stored 申报表,
    its stored campaign and the repository's clock; nothing the caller passes counts.
    """
    require_role(actor, Role.UNIT, Role.OFFICE)
    declaration = repo.declarations.get_declaration(actor, declaration_id)
    if declaration.campaign_id != campaign.id:
        raise ValidationError("该申报表不属于本次活动，未提交。")
    campaign = repo.catalogue.get_campaign(actor, campaign.id)  # the stored rules, not the caller's
    problems = problems_of(repo, actor, campaign, declaration)
    if problems:
        raise ValidationError(problems)
    late = late_if_submitted_now(repo, actor, campaign)
    repo.declarations.submit_declaration(actor, declaration_id, declaration.version, late)
    return late


def late_if_submitted_now(repo: Repository, actor: Actor, campaign: Campaign) -> int:
    """Working days a 申报表 submitted now counts late (0 until the deadline day ends)."""
    return late_workdays(campaign.rules.declaration_deadline, repo.clock(), calendar(repo, actor))


@dataclass(frozen=True)
class ImportResult:
    """What an imported 申报表 file became."""

    declaration_id: int
    unit_name: str
    themes: int
    late_workdays: int
    scan_attached: bool = False


def import_file(
    repo: Repository,
    actor: Actor,
    campaign: Campaign,
    data: bytes,
    *,
    scan: bytes | None = None,
    scan_name: str = "",
    store: FileStore | None = None,
    file_name: str = "",
) -> ImportResult:
    """导入申报表: a filled-in xlsx becomes that unit's submitted 申报表, or nothing.

    The office imports for any unit named in the file; a unit only for itself. The
    campaign's rules are checked as on the form, the stamped scan included: an
    emailed spreadsheet cannot carry the seal, so its scan (``scan``, a PDF or image
    named ``scan_name``, checked like any upload) comes along with it, or the unit
    has already uploaded one to its draft. The scan is recorded with the import, in
    one transaction.
    """
    parsed = parse_declaration_xlsx(data, campaign)
    if parsed.errors:
        record_upload_refused(repo, actor, file_name, "申报表导入文件", "；".join(parsed.errors))
        raise ValidationError(parsed.errors)
    units = {u.name: u for u in repo.catalogue.list_units(actor)}
    unit = units.get(parsed.unit_name.strip())
    if unit is None:
        if actor.role == Role.UNIT:
            raise ValidationError(f"文件中的单位“{parsed.unit_name}”不是本单位，未导入。")
        raise ValidationError(f"单位名录中没有“{parsed.unit_name}”，请核对单位名称后再导入。")
    prepared = checked_upload(repo, actor, scan, scan_name, SCAN) if scan is not None else None
    existing = repo.declarations.declaration_for(actor, campaign.id, unit.id)
    if existing is not None and not existing.editable_by_unit:
        raise ValidationError(
            f"{unit.name}的申报表已{'审核通过' if existing.status == 'approved' else '提交'}，"
            "不能用导入文件覆盖；如需更正请先退回。"
        )
    has_scan = prepared is not None or (
        existing is not None and existing.scan_attachment_id is not None
    )
    rows = [ThemeRow(**theme) for theme in parsed.themes]
    problems = check_declaration(
        campaign.rules, parsed.contact_person, parsed.contact_phone, rows, has_scan=has_scan
    )
    if problems:
        raise ValidationError(problems)
    late = late_workdays(campaign.rules.declaration_deadline, repo.clock(), calendar(repo, actor))
    scan_file = None
    store = store or FileStore(uploads_root())
    if prepared is not None:
        within_quota(repo, actor, unit.id, [(scan_name, SCAN.label, len(prepared[0]))])
        stored = stored_upload(repo, actor, store, *prepared, scan_name, SCAN.label)
        scan_file = ScanFile(
            original_name=Path(scan_name).name[:120],
            stored_name=stored.stored_name,
            fmt=stored.fmt,
            size=stored.size,
            sha256=stored.sha256,
        )
    try:
        declaration_id = repo.declarations.import_declaration(
            actor,
            campaign.id,
            unit.id,
            contact_person=parsed.contact_person,
            contact_phone=parsed.contact_phone,
            themes=[row.as_dict() for row in rows],
            late_workdays=late,
            scan=scan_file,
        )
    except Exception:
        if scan_file is not None:  # not recorded: do not leave the file behind
            store.delete(scan_file.stored_name)
        raise
    return ImportResult(declaration_id, unit.name, len(rows), late, scan_file is not None)


def upload_scan(
    repo: Repository,
    actor: Actor,
    declaration_id: int,
    data: bytes,
    filename: str,
    store: FileStore | None = None,
) -> int:
    """Check and store the stamped scan (盖章扫描件) of a 申报表; returns its attachment id."""
    # Scope check before writing.
    declaration = repo.declarations.get_declaration(actor, declaration_id)
    content, fmt = checked_upload(repo, actor, data, filename, SCAN)
    within_quota(repo, actor, declaration.unit_id, [(filename, SCAN.label, len(content))])
    store = store or FileStore(uploads_root())
    stored = stored_upload(repo, actor, store, content, fmt, filename, SCAN.label)
    try:
        return repo.declarations.attach_declaration_scan(
            actor,
            declaration_id,
            original_name=Path(filename).name[:120],
            stored_name=stored.stored_name,
            fmt=stored.fmt,
            size=stored.size,
            sha256=stored.sha256,
        )
    except Exception:
        store.delete(stored.stored_name)  # not recorded: do not leave the file behind
        raise


def attachment_missing(
    repo: Repository, actor: Actor, attachment_id: int, store: FileStore | None = None
) -> tuple[Attachment, str | None]:
    """An attachment the actor may see, and why its file cannot be read (None when it is
    there). Cheap: the content and its sha256 are checked by :func:`read_attachment`."""
    attachment = repo.declarations.get_attachment(actor, attachment_id)
    return attachment, (store or FileStore(uploads_root())).missing(attachment.stored_name)


def read_attachment(
    repo: Repository, actor: Actor, attachment_id: int, store: FileStore | None = None
) -> tuple[bytes, str, str]:
    """(content, display name, format) of an attachment the actor may see; sha256 re-checked."""
    attachment = repo.declarations.get_attachment(actor, attachment_id)
    data = (store or FileStore(uploads_root())).load(attachment.stored_name, attachment.sha256)
    return data, attachment.original_name, attachment.fmt


OVERRIDE_MAX = 500
"""The longest 仍要通过 reason kept (characters)."""


class RulesNotMet(ValidationError):
    """审核通过 refused: the 申报表 breaks its campaign's rules (``problems``).

    The messages name every broken rule; approving anyway takes an explicit 仍要通过
    with a reason (``override_reason`` of :func:`review`).
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(
            [
                "规则检查未通过，不能直接审核通过：",
                *problems,
                "如确需通过，请使用“仍要通过”并填写理由。",
            ]
        )


def review(
    repo: Repository,
    actor: Actor,
    campaign: Campaign,
    declaration_id: int,
    expected_version: int | None,
    *,
    approve: bool,
    reason: str = "",
    override_reason: str | None = None,
) -> None:
    """审核 (office): approve (通过) or return with a reason (退回修改).

    The campaign's rules are checked here, against the 申报表 as stored: a declaration
    that breaks any of them is approved only with ``override_reason`` (仍要通过), which
    is kept, with the broken rules, in the declaration's history and the audit log;
    without it :class:`RulesNotMet` lists the broken rules and nothing is written (a
    blank reason is refused too).
    ``expected_version`` is the version the clerk reviewed: a 申报表 changed since is
    refused as stale.
    """
    require_role(actor, Role.OFFICE)
    declaration = repo.declarations.get_declaration(actor, declaration_id)
    if declaration.campaign_id != campaign.id:
        raise ValidationError("该申报表不属于当前活动，请刷新后重试。")
    if expected_version is not None and declaration.version != expected_version:
        raise StaleRecord(STALE_MESSAGE)
    if approve:
        # The stored rules, not the caller's.
        campaign = repo.catalogue.get_campaign(actor, campaign.id)
        problems = problems_of(repo, actor, campaign, declaration)
        if problems:
            if override_reason is None:
                raise RulesNotMet(problems)
            override = override_reason.strip()
            if not override:
                raise ValidationError("仍要通过须填写理由（记入申报记录和审计日志）。")
            if len(override) > OVERRIDE_MAX:
                raise ValidationError(f"仍要通过的理由不能超过{OVERRIDE_MAX}个字。")
            reason = f"仍要通过：{override}（规则检查未通过：{''.join(problems)}）"
    # The version the rules were checked on: a change in between is refused as stale.
    repo.declarations.review_declaration(
        actor, declaration_id, declaration.version, approve=approve, reason=reason
    )


def amend_theme(
    repo: Repository,
    actor: Actor,
    campaign: Campaign,
    activity_id: int,
    *,
    planned_month: int,
    form: str,
    reason: str,
    expected_version: int | None = None,
) -> None:
    """调整已通过主题 (office): an approved theme's month or form, with a reason.

    The month must lie within the campaign's months and the form be one it allows;
    the change and its reason go into the declaration's history and the audit log.
    With ``expected_version`` a theme someone else changed meanwhile is refused as stale.
    """
    require_role(actor, Role.OFFICE)
    problems = []
    rules = repo.catalogue.get_campaign(
        actor, campaign.id
    ).rules  # the stored rules, not the caller's
    if not rules.first_month <= planned_month <= rules.last_month:
        problems.append(f"计划月份须在{rules.first_month}月至{rules.last_month}月之间。")
    if form not in rules.allowed_forms:
        problems.append(f"活动形式“{form}”不在本次活动允许的形式中。")
    if not reason.strip():
        problems.append("修改已审核通过的主题须填写修改原因。")
    if problems:
        raise ValidationError(problems)
    repo.declarations.amend_theme(
        actor,
        activity_id,
        planned_month=planned_month,
        form=form,
        reason=reason,
        expected_version=expected_version,
    )
