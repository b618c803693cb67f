"""The runtime does not load development code.

Each check runs in a fresh interpreter: what a module pulls in shows only in a process
that has imported nothing else (this test process has imported the demo seed already).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from hashlib import sha256
from pathlib import Path

from streamlit.testing.v1 import AppTest

from themeday.core.config import DEMO_PASSWORD
from themeday.services.first_run import init_empty

ROOT = Path(__file__).resolve().parent.parent

OLD_COMMANDS = (
    "bench",
    "bench_cache",
    "bench_concurrency",
    "bench_grid",
    "bench_login",
    "exports_bench",
)
"""``python -m themeday.<name>``: the benchmarks' old command names (tiny modules
that run their module of ``themeday.dev``)."""

DEVELOPMENT = ("themeday.dev", *(f"themeday.{name}" for name in OLD_COMMANDS))
"""The package of the demo seed and the benchmarks (loading any of its modules loads
it), and the old command names."""

_APP_RUN = """
import importlib, json, sys
from streamlit.testing.v1 import AppTest

import pages
import themeday.ui.gate, themeday.ui.resources

for name in pages.SCREENS:
    importlib.import_module(pages.screen_module(name))
at = AppTest.from_file("app.py", default_timeout=60).run()
assert not at.exception, at.exception
assert [t for t in at.text_input if t.key == "login_username"], "no login form"
print(json.dumps(sorted(sys.modules)))
"""


def _modules_after(code: str, tmp_path: Path, db_file: Path | None = None) -> set[str]:
    """The names in ``sys.modules`` after ``code`` ran in a new interpreter (it prints them)."""
    env = dict(os.environ)
    if db_file is not None:
        env["THEMEDAY_DB"] = str(db_file)
        env["THEMEDAY_COOKIE_KEY"] = "test-key-" + sha256(tmp_path.name.encode()).hexdigest()
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_app_on_an_initialised_database_loads_no_development_code(tmp_path):
    """The login gate, the resources and every page, run on a production database."""
    path = tmp_path / "prod.duckdb"
    init_empty(path, "Office#2024a", "Auditor#2024b")
    loaded = _modules_after(_APP_RUN, tmp_path, path)
    assert "themeday.ui.gate" in loaded and "pages.office.office_home" in loaded
    assert sorted(loaded & set(DEVELOPMENT)) == []


def test_the_demo_seed_is_loaded_only_to_fill_a_new_database(tmp_path):
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from themeday.services.first_run import open_database\n"
        "from themeday.repository import Repository\n"
        "from themeday.storage import db\n"
        "before = 'themeday.dev.setup' in sys.modules\n"
        "con = open_database(Path(sys.argv[1]))\n"
        "assert Repository(db.cursor(con)).is_demo()\n"
        "print(json.dumps([before, 'themeday.dev.setup' in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "new.duckdb")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [False, True]


def test_the_database_floor_does_not_pull_in_the_file_writers(tmp_path):
    """``db`` → ``audit``: the audit chain must not need openpyxl or python-docx."""
    loaded = _modules_after(
        "import json, sys\nimport themeday.storage.db\nprint(json.dumps(sorted(sys.modules)))",
        tmp_path,
    )
    assert "themeday.core.audit" in loaded
    heavy = {m for m in loaded if m.split(".")[0] in ("openpyxl", "docx", "xlsxwriter")}
    assert sorted(heavy) == []
    assert "themeday.formats.exports" not in loaded


def test_the_login_page_names_the_demo_password_only_on_a_demo_database(
    app_db, tmp_path, monkeypatch
):
    """The gate takes the demo's password from config, not from the demo seed."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert any(DEMO_PASSWORD in info.value for info in at.info)

    production = tmp_path / "prod.duckdb"
    init_empty(production, "Office#2024a", "Auditor#2024b")
    monkeypatch.setenv("THEMEDAY_DB", str(production))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert [t for t in at.text_input if t.key == "login_username"]
    assert not any(DEMO_PASSWORD in info.value for info in at.info)
