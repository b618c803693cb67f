"""单位与账号 (office): the unit roster and user accounts, one door per write.

Each function checks the actor's rights and the input before the repository writes
(the repository checks rights again, and scoping, in its transaction).
"""

from __future__ import annotations

import secrets
import string
import unicodedata
from collections.abc import Sequence

from themeday.core.config import SECURITY, SecurityPolicy
from themeday.core.domain import (
    RESERVED_USERNAMES,
    Actor,
    Role,
    ValidationError,
    lookalike_groups,
    require_role,
    unit_problems,
    username_key,
    username_problem,
)
from themeday.core.records import StaleAccount
from themeday.formats.imports import UnitRow
from themeday.repository import Repository
from themeday.services.auth import hash_password, password_problems

NAME_MAX = 40
"""The longest 姓名或岗位 and 联系人 (characters)."""

_ALPHABET = string.ascii_letters + string.digits


def generate_password(length: int = 12) -> str:
    """A random initial password that meets the policy (upper, lower, digit, symbol)."""
    while True:
        body = "".join(secrets.choice(_ALPHABET) for _ in range(length - 1))
        candidate = body + secrets.choice("@#%&*")
        if not password_problems(candidate):
            return candidate


def create_account(
    repo: Repository,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    role: Role,
    unit_id: int | None,
    password: str = "",
) -> str:
    """Create an account that must change its password at first login.

    Returns the initial password (generated when ``password`` is empty) so the office
    can hand it over once; it is stored only as a bcrypt hash. A reserved name
    (:data:`~themeday.core.domain.RESERVED_USERNAMES`) or one that is an existing account's
    apart from case or full-width forms (:func:`~themeday.core.domain.username_key`) is
    refused.
    """
    require_role(actor, Role.OFFICE)
    # Full-width letters and digits typed by an IME become plain ones; the repository
    # then refuses a name that differs from an existing one only in case.
    username = unicodedata.normalize("NFKC", username).strip()
    problems = []
    message = username_problem(username)
    if message:
        problems.append(message)
    problems += _display_name_problems(display_name)
    password = password or generate_password()
    problems += password_problems(password, username)
    if problems:
        raise ValidationError(problems)
    repo.accounts.create_user(
        actor,
        username=username,
        display_name=display_name.strip(),
        role=role,
        unit_id=unit_id if role == Role.UNIT else None,
        password_hash=hash_password(password),
        must_change_password=True,
    )
    return password


def account_name_findings(repo: Repository, actor: Actor) -> list[str]:
    """One Chinese line per group of existing accounts whose names differ only in case
    or full-width forms, and per account with a reserved name (both made before names
    were checked so); empty when there is none. Office only.
    """
    require_role(actor, Role.OFFICE)
    names = [user.username for user in repo.accounts.list_users(actor)]
    findings = [
        "以下账号的用户名只差大小写或全角半角，容易混淆：" + "、".join(group)
        for group in lookalike_groups(names)
    ]
    findings += [
        f"账号“{name}”使用了系统保留名称。"
        for name in names
        if username_key(name) in RESERVED_USERNAMES
    ]
    return findings


def reset_account_password(repo: Repository, actor: Actor, user_id: int) -> str:
    """重置密码 (office): a new random password, to be changed at next login.

    Returns the one-time password for the office to hand over; the account's open
    sessions end and a lockout is lifted.
    """
    require_role(actor, Role.OFFICE)
    password = generate_password()
    repo.accounts.reset_password(actor, user_id, hash_password(password))
    return password


def _display_name_problems(display_name: str) -> list[str]:
    name = display_name.strip()
    if not name:
        return ["请填写姓名或岗位名称。"]
    if len(name) > NAME_MAX:
        return [f"姓名或岗位不能超过{NAME_MAX}个字。"]
    return []


def _unit_input_problems(
    name: str, kind: str, contact_person: str, contact_phone: str
) -> list[str]:
    problems = unit_problems(name, kind, contact_phone)
    if len(contact_person.strip()) > NAME_MAX:
        problems.append(f"联系人不能超过{NAME_MAX}个字。")
    return problems


def create_unit(
    repo: Repository,
    actor: Actor,
    *,
    name: str,
    kind: str,
    contact_person: str = "",
    contact_phone: str = "",
) -> int:
    """新增单位 (office): a unit on the roster; returns its id.

    The name is required and unique, the kind one of :class:`UnitKind`, the phone (if
    given) a mobile or a landline with its area code.
    """
    require_role(actor, Role.OFFICE)
    problems = _unit_input_problems(name, kind, contact_person, contact_phone)
    if problems:
        raise ValidationError(problems)
    return repo.catalogue.create_unit(
        actor, name.strip(), kind, contact_person.strip(), contact_phone.strip()
    )


def import_units(repo: Repository, actor: Actor, rows: Sequence[UnitRow]) -> int:
    """导入单位名录 (office): every row of a parsed file, or none; returns how many.

    A bad row, a name twice in the file or a name already on the roster fails the lot.
    """
    require_role(actor, Role.OFFICE)
    if not rows:
        raise ValidationError("文件中没有单位。")
    problems = [
        f"“{row.name}”：{problem}"
        for row in rows
        for problem in _unit_input_problems(
            row.name, row.kind, row.contact_person, row.contact_phone
        )
    ]
    seen: set[str] = set()
    for row in rows:
        name = row.name.strip()
        if name in seen:
            problems.append(f"单位“{name}”在文件中出现了不止一次。")
        seen.add(name)
    if problems:
        raise ValidationError(problems)
    return repo.catalogue.import_units(actor, rows)


def update_unit(
    repo: Repository,
    actor: Actor,
    unit_id: int,
    expected_version: int | None,
    *,
    name: str,
    kind: str,
    contact_person: str,
    contact_phone: str,
    enabled: bool,
) -> None:
    """编辑单位 (office): a unit's name, kind, contacts and whether it is enabled.

    ``expected_version`` is the version the form was filled from: a unit someone else
    saved meanwhile is refused as stale.
    """
    require_role(actor, Role.OFFICE)
    problems = _unit_input_problems(name, kind, contact_person, contact_phone)
    if problems:
        raise ValidationError(problems)
    repo.catalogue.update_unit(
        actor,
        unit_id,
        expected_version,
        name=name.strip(),
        kind=kind,
        contact_person=contact_person.strip(),
        contact_phone=contact_phone.strip(),
        enabled=enabled,
    )


def update_user(
    repo: Repository,
    actor: Actor,
    user_id: int,
    expected_version: int | None,
    *,
    display_name: str,
    role: Role,
    unit_id: int | None,
) -> None:
    """管理账号 (office): an account's name, role and unit (a unit account needs one).

    Nobody changes the role of their own account (nobody grants themselves a role,
    and the office cannot leave the accounts unmanaged); a stale form is refused.
    """
    require_role(actor, Role.OFFICE)
    problems = _display_name_problems(display_name)
    if role not in set(Role):
        problems.append("请选择角色。")
    elif role == Role.UNIT and unit_id is None:
        problems.append("单位用户必须选择所属单位。")
    if user_id == actor.user_id and role != actor.role:
        problems.append("不能修改自己正在使用的账号的角色。")
    if problems:
        raise ValidationError(problems)
    repo.accounts.update_user(
        actor,
        user_id,
        expected_version,
        display_name=display_name.strip(),
        role=role,
        unit_id=unit_id if role == Role.UNIT else None,
    )


def set_user_enabled(repo: Repository, actor: Actor, user_id: int, enabled: bool) -> None:
    """停用/启用账号 (office): a disabled account cannot log in and its sessions end.

    The office cannot disable the account it is using.
    """
    require_role(actor, Role.OFFICE)
    if user_id == actor.user_id and not enabled:
        raise ValidationError("不能停用自己正在使用的账号。")
    repo.accounts.set_user_enabled(actor, user_id, enabled)


def unlock_user(repo: Repository, actor: Actor, user_id: int) -> None:
    """解除锁定 (office): lift a lockout after failed logins before it expires."""
    require_role(actor, Role.OFFICE)
    repo.accounts.unlock_user(actor, user_id)


def stale_accounts(
    repo: Repository, actor: Actor, policy: SecurityPolicy = SECURITY
) -> list[StaleAccount]:
    """长期未登录的账号 (office): enabled accounts not logged in for
    ``policy.stale_account_after`` (never-used ones counted from their creation)."""
    require_role(actor, Role.OFFICE)
    return repo.accounts.stale_users(actor, repo.clock() - policy.stale_account_after)


def disable_accounts(repo: Repository, actor: Actor, user_ids: Sequence[int]) -> int:
    """停用 several accounts (e.g. the stale ones the office picked); returns how many.

    Each goes through :func:`set_user_enabled` (its own audit row, sessions ended);
    the acting account is refused before any is disabled.
    """
    require_role(actor, Role.OFFICE)
    if not user_ids:
        raise ValidationError("请先选择要停用的账号。")
    if actor.user_id in user_ids:
        raise ValidationError("不能停用自己正在使用的账号。")
    for user_id in user_ids:
        set_user_enabled(repo, actor, user_id, False)
    return len(user_ids)
