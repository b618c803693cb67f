"""Thin pages: a screen's functions read like a description of the screen.

A page function that grows past :data:`MAX_LINES` lines is split into named widgets
in ``themeday/ui/`` (issue: thin pages); this test finds one from the code, as
``test_write_doors`` finds a direct write.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 40


def long_functions(path: Path, limit: int = MAX_LINES) -> list[str]:
    """``file:line: name (n lines)`` for each function in ``path`` longer than ``limit``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return [
        f"{shown}:{node.lineno}: {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > limit
    ]


def test_the_scan_sees_a_long_function(tmp_path):
    page = tmp_path / "probe.py"
    body = "".join(f"    st.text({n})\n" for n in range(MAX_LINES))
    page.write_text(f"def render():\n{body}\n\ndef short():\n    pass\n", encoding="utf-8")
    assert long_functions(page) == [f"probe.py:1: render ({MAX_LINES + 1} lines)"]


def test_every_page_opens_through_the_screen_helper():
    """No page spells out the role check and the campaign head by hand."""
    found = [
        f"{path.relative_to(ROOT)}: campaign_page"
        for path in sorted((ROOT / "pages").rglob("*.py"))
        if "campaign_page(" in path.read_text(encoding="utf-8")
    ]
    assert found == []


def test_no_page_function_is_longer_than_forty_lines():
    found = [
        line for path in sorted((ROOT / "pages").rglob("*.py")) for line in long_functions(path)
    ]
    assert found == [], (
        f"页面函数不得超过{MAX_LINES}行，请拆分为 themeday/ui 中的组件：\n" + "\n".join(found)
    )
