"""One door per write: screens reach the database's writes only through services.

The repository's writing methods are found from its own code (an INSERT, UPDATE,
DELETE or audit row, directly or through another method), so a new write cannot slip
past this test by its name.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from themeday.repository import FAMILIES

ROOT = Path(__file__).resolve().parents[1]
_WRITE_SQL = re.compile(
    r"\b(INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b|self\._audit\(", re.IGNORECASE
)


def _callee(node: ast.AST) -> str | None:
    """``m`` for a call of ``self.m(...)`` or of another family's ``self.repo.f.m(...)``."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return None
    value = node.func.value
    if isinstance(value, ast.Name) and value.id == "self":
        return node.func.attr
    if (
        isinstance(value, ast.Attribute)
        and value.attr in FAMILIES
        and isinstance(value.value, ast.Attribute)
        and value.value.attr == "repo"
    ):
        return node.func.attr
    return None


def repository_writes() -> set[str]:
    """Public repository methods that write, directly or through ``self.<method>`` (or
    another family's, ``self.repo.<family>.<method>``)."""
    writes: dict[str, bool] = {}
    calls: dict[str, set[str]] = {}
    for path in (ROOT / "themeday" / "repository").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for cls in (n for n in ast.parse(source).body if isinstance(n, ast.ClassDef)):
            for method in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
                text = ast.get_source_segment(source, method) or ""
                writes[method.name] = writes.get(method.name, False) or bool(
                    _WRITE_SQL.search(text)
                )
                calls.setdefault(method.name, set()).update(
                    name for node in ast.walk(method) if (name := _callee(node)) is not None
                )
    changed = True
    while changed:
        changed = False
        for name, called in calls.items():
            if not writes[name] and any(writes.get(c, False) for c in called):
                writes[name] = changed = True
    return {name for name, writing in writes.items() if writing and not name.startswith("_")}


def _screens() -> list[Path]:
    return [
        ROOT / "app.py",
        *sorted((ROOT / "pages").rglob("*.py")),
        *sorted((ROOT / "themeday" / "ui").rglob("*.py")),
    ]


def _is_repository(node: ast.AST, aliases: set[str]) -> bool:
    """``repo``, ``identity.repo``, ``repository()``, a name assigned from one, or one
    of their table families (``repo.declarations``)."""
    if isinstance(node, ast.Name):
        return node.id in {"repo", *aliases}
    if isinstance(node, ast.Attribute):
        return node.attr == "repo" or (
            node.attr in FAMILIES and _is_repository(node.value, aliases)
        )
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in {"repository", "Repository"}
    return False


def direct_writes(path: Path, writes: set[str]) -> list[str]:
    """``file:line: call`` for each repository write called in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _is_repository(node.value, aliases):
            aliases |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return [
        f"{_shown(path)}:{node.lineno}: {ast.unparse(node.func)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in writes
        and _is_repository(node.func.value, aliases)
    ]


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def test_the_repository_writes_are_found_from_its_code():
    writes = repository_writes()
    assert {
        "submit_declaration",
        "review_declaration",
        "save_grid",
        "record_chases",
        "set_weights",
        "unpublish_activity",
        "set_user_enabled",
        "save_workday_overrides",
        "record_backup",
    } <= writes
    assert not writes & {"list_units", "get_activity", "grid_rows", "compliance_facts"}


def test_the_scan_sees_a_direct_write(tmp_path):
    screen = tmp_path / "probe.py"
    screen.write_text(
        "def render(identity):\n"
        "    r = identity.repo\n"
        "    r.compliance.set_weights(identity.actor, 1, {})\n"
        "    identity.repo.catalogue.list_units(identity.actor)\n",
        encoding="utf-8",
    )
    assert direct_writes(screen, repository_writes()) == ["probe.py:3: r.compliance.set_weights"]


def test_pages_and_ui_call_no_repository_write():
    writes = repository_writes()
    found = [line for path in _screens() for line in direct_writes(path, writes)]
    assert found == [], "写入须经服务函数（themeday/*.py），页面和 ui 不得直接调用：\n" + "\n".join(
        found
    )
