"""Account management for the office (账号管理): create, reset, with validation."""

from __future__ import annotations

import secrets
import string

from themeday.auth import hash_password, password_problems
from themeday.domain import Actor, Role, ValidationError, username_problem
from themeday.repository import Repository

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
    can hand it over once; it is stored only as a bcrypt hash.
    """
    username = username.strip()
    problems = []
    message = username_problem(username)
    if message:
        problems.append(message)
    if not display_name.strip():
        problems.append("请填写姓名或岗位名称。")
    password = password or generate_password()
    problems += password_problems(password, username)
    if problems:
        raise ValidationError(problems)
    repo.create_user(
        actor,
        username=username,
        display_name=display_name.strip(),
        role=role,
        unit_id=unit_id if role == Role.UNIT else None,
        password_hash=hash_password(password),
        must_change_password=True,
    )
    return password


def reset_account_password(repo: Repository, actor: Actor, user_id: int) -> str:
    """Give an account a new random password, to be changed at next login."""
    password = generate_password()
    repo.reset_password(actor, user_id, hash_password(password))
    return password
