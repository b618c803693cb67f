"""The test suite's own layout: no test module imports from another test module.

Shared helpers live in ``tests/helpers.py``, ``tests/browser/helpers.py``,
``tests/sample_files.py`` or a ``conftest.py``. A test module that imports from
another one runs that module's top level (and its fixtures' names) in the importer,
hides where a helper lives, and breaks when the other module's tests move.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _is_test_module(module: str) -> bool:
    return module.rsplit(".", 1)[-1].startswith("test_")


def imports_of_test_modules(path: Path) -> list[str]:
    """The imports in ``path`` that name a test module (``test_*``), as ``line: module``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and _is_test_module(node.module):
            found.append(f"{node.lineno}: {'.' * node.level}{node.module}")
        elif isinstance(node, ast.ImportFrom) and node.level and node.module is None:
            found.extend(
                f"{node.lineno}: .{alias.name}"
                for alias in node.names
                if _is_test_module(alias.name)
            )
        elif isinstance(node, ast.Import):
            found.extend(
                f"{node.lineno}: {alias.name}"
                for alias in node.names
                if alias.name.startswith("tests.") and _is_test_module(alias.name)
            )
    return found


def test_no_test_module_imports_from_another_test_module():
    offenders = {
        str(path.relative_to(TESTS.parent)): found
        for path in sorted(TESTS.rglob("*.py"))
        if (found := imports_of_test_modules(path))
    }
    assert not offenders, f"move the shared helpers to tests/helpers.py: {offenders}"


def test_the_scan_sees_each_kind_of_import(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "from tests.test_pages import host\n"
        "import tests.browser.test_login_flows\n"
        "from . import test_exports\n"
        "def f():\n"
        "    from tests.test_uploads import MP4\n"
        "from tests.helpers import host\n",
        encoding="utf-8",
    )
    assert imports_of_test_modules(sample) == [
        "1: tests.test_pages",
        "2: tests.browser.test_login_flows",
        "3: .test_exports",
        "5: tests.test_uploads",
    ]
