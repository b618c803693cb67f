"""SQL lives behind the seams: the repository, ``db`` and ``db_admin`` (backup's half).

A second database backend (PostgreSQL) then has these places to implement and no
other; a module elsewhere that runs a statement itself would be missed.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "themeday"

SEAMS = {"storage/db.py", "storage/db_admin.py"}
"""Modules of the package, besides ``repository/``, that speak SQL."""

KNOWN = {
    "dev/bench_pages.py": "the page bench's CHECKPOINT of its throwaway file (benchmark only)",
    "dev/bench_grid_browser.py": "the grid bench's CHECKPOINT of its throwaway file",
}
"""Modules outside the seams still running a statement, each with its reason."""

_SQL_CALLS = {"execute", "executemany", "sql"}


def _sql_calls(path: Path) -> list[int]:
    """Lines of ``x.execute(...)``-style calls (DuckDB's ways to run SQL) in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _SQL_CALLS
    ]


def test_no_module_outside_the_seams_runs_sql():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "repository" or relative.as_posix() in SEAMS | set(KNOWN):
            continue
        lines = _sql_calls(path)
        if lines:
            found[relative.as_posix()] = lines
    assert found == {}


def test_backup_does_not_import_the_database_driver():
    tree = ast.parse((PACKAGE / "storage" / "backup.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "themeday" in imported and "duckdb" not in imported
