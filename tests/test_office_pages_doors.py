"""申报审核 and 单位与账号 write only through service doors, never the repository.

Every call on a repository object in these pages (``repo.x(...)``, ``identity.repo.x``)
must be a read; writes go through ``themeday.services.declarations`` /
``themeday.services.accounts``, where the rules and rights are checked.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from themeday.repository import FAMILIES

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/office/declaration_review.py", "pages/office/units_accounts.py"]
READS = {
    "clock",
    "today",
    "declaration_for",
    "declaration_history",
    "units_not_submitted",
    "fork",
}
"""Repository methods that read but are not named list_*/get_*."""


def repository_calls(source: str) -> list[tuple[int, str]]:
    """(line, method) of every call ``<...>repo.<method>(...)`` or
    ``<...>repo.<family>.<method>(...)`` in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        if isinstance(owner, ast.Attribute) and owner.attr in FAMILIES:
            owner = owner.value
        name = (
            owner.id
            if isinstance(owner, ast.Name)
            else owner.attr
            if isinstance(owner, ast.Attribute)
            else ""
        )
        if name == "repo":
            found.append((node.lineno, node.func.attr))
    return found


def test_the_scan_sees_a_direct_write():
    calls = repository_calls(
        "def f(identity):\n    identity.repo.declarations.review_declaration(1)\n"
    )
    assert calls == [(2, "review_declaration")]


@pytest.mark.parametrize("page", PAGES)
def test_the_page_calls_only_repository_reads(page):
    calls = repository_calls((ROOT / page).read_text(encoding="utf-8"))
    writes = [
        f"{page}:{line} repo.{method}"
        for line, method in calls
        if not (method.startswith(("list_", "get_")) or method in READS)
    ]
    assert calls, "the scan found no repository call at all"
    assert writes == []
