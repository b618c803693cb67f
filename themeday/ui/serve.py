"""``python -m themeday serve [streamlit options]``: ``streamlit run app.py``, no v1 pages.

Streamlit (1.67, ``runtime/scriptrunner/script_runner.py``) runs the first script run
of a process whose main script has a ``pages/`` folder as a "v1" app: it wraps
``app.py`` in a navigation of its own made of ``app.py`` and every ``pages/*.py``, and
only the ``st.navigation`` that ``app.py`` then calls switches that off for the
process. An address opened in that first run (``/password`` right after a start) is
looked up in Streamlit's navigation, not ours, and shows the English "Page not found"
dialog. Switching the flag off before the server starts makes the first run like
every other one.

While the server starts and the first browser loads Streamlit's front end, a
background thread imports what the login page runs (pandas, DuckDB, the
authenticator, the gate: about a second, more on a busy machine), opens the
database (creating the demo on a first run), then imports the screens, so that the
first page after a start does not wait for them.
"""

from __future__ import annotations

import importlib
import logging
import threading
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"

WARM_MODULES = (
    "pages",
    "themeday.ui.gate",
    "themeday.ui.maintenance",
    "themeday.ui.addresses",
    "themeday.ui.inputs",
    "themeday.ui.resources",
    "themeday.ui.widgets",
)
"""What ``app.py``'s first run imports, in that order."""

_log = logging.getLogger(__name__)


def warm_up() -> None:
    """Import the login page's modules, open the database, import every screen.

    Errors are logged, not raised: the first run meets them again and shows the
    系统维护 page (a database held by another process, a bad path).
    """
    try:
        for name in WARM_MODULES:
            importlib.import_module(name)
        from themeday.ui.resources import database_problem

        database_problem()
        import pages

        for screen in pages.SCREENS:
            importlib.import_module(pages.screen_module(screen))
    except Exception:  # noqa: BLE001 - a warm-up must never stop the server
        _log.exception("预热失败（首次打开页面时会重试）")


def serve(options: list[str]) -> int:
    """Run the app as ``streamlit run app.py <options>`` does, in this process."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    # Read once, when the first session starts, if still None (pinned Streamlit 1.67).
    PagesManager.uses_pages_directory = False
    threading.Thread(target=warm_up, name="themeday-warm-up", daemon=True).start()
    cli.main.main(args=["run", str(APP), *options], prog_name="streamlit")
    return 0
