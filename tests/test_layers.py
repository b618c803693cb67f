"""The package's folders are its layers, and no import points upward.

core ← formats, storage ← repository ← services ← ui ← dev: a module imports its own
layer and the layers below it (formats and storage are side by side and do not import
each other). Imports under ``if TYPE_CHECKING:`` are types only and not checked.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "themeday"

BELOW: dict[str, set[str]] = {
    "core": set(),
    "formats": {"core"},
    "storage": {"core"},
    "repository": {"core", "storage"},
    "services": {"core", "formats", "storage", "repository"},
    "ui": {"core", "formats", "storage", "repository", "services"},
    "cli": {"core", "formats", "storage", "repository", "services", "ui"},
    "dev": {"core", "formats", "storage", "repository", "services", "ui"},
}
"""Layer → the layers its modules may import (besides their own)."""

EXCEPTIONS = {
    ("services/first_run.py", "dev"): "demo_seed loads the demo seed when it fills a new db",
}
"""(module, layer it imports): why a module may import upward (on use, in a function)."""


def _layer(relative: Path) -> str:
    """The layer of a module of the package, by its folder."""
    if len(relative.parts) == 1:
        # __main__ is the command line; the other top-level modules are the old
        # command names of the benchmarks
        return "cli" if relative.name in ("__main__.py", "__init__.py") else "dev"
    return relative.parts[0]


def _imported_layers(tree: ast.Module) -> set[str]:
    """The layers of ``themeday`` a module imports, outside ``if TYPE_CHECKING:``."""
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    layers = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
            if node.module == "themeday":
                names = [f"themeday.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "themeday" and len(parts) > 1:
                layers.add(parts[1])
    return layers


def test_every_module_lives_in_a_layer():
    loose = sorted(
        p.name
        for p in PACKAGE.glob("*.py")
        if p.name not in ("__init__.py", "__main__.py")
        and "if __name__ ==" not in p.read_text(encoding="utf-8")
    )
    assert loose == [], "a module of themeday/ belongs in a layer package"
    assert set(BELOW) - {"cli"} <= {p.name for p in PACKAGE.iterdir() if p.is_dir()}


def test_old_command_names_only_run_the_moved_module():
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        body = [n for n in tree.body if not isinstance(n, ast.Expr)]  # the docstring
        assert len(body) == 1 and isinstance(body[0], ast.If), path.name


def test_no_import_points_upward():
    upward = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        layer = _layer(relative)
        imported = _imported_layers(ast.parse(path.read_text(encoding="utf-8")))
        bad = {
            other
            for other in imported - BELOW[layer] - {layer}
            if (relative.as_posix(), other) not in EXCEPTIONS
        }
        if bad:
            upward[relative.as_posix()] = sorted(bad)
    assert upward == {}


def test_the_exceptions_are_still_needed():
    for module, other in EXCEPTIONS:
        tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
        assert other in _imported_layers(tree), module
