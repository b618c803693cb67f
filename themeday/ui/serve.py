"""``python -m themeday serve [streamlit options]``: ``streamlit run app.py``, no v1 pages.

Streamlit (1.67, ``runtime/scriptrunner/script_runner.py``) runs the first script run
of a process whose main script has a ``pages/`` folder as a "v1" app: it wraps
``app.py`` in a navigation of its own made of ``app.py`` and every ``pages/*.py``, and
only the ``st.navigation`` that ``app.py`` then calls switches that off for the
process. An address opened in that first run (``/password`` right after a start) is
looked up in Streamlit's navigation, not ours, and shows the English "Page not found"
dialog. Switching the flag off before the server starts makes the first run like
every other one.

Once the server runs (so that it answers as soon as it would without this), while the
first browser loads Streamlit's front end, a background thread imports what the login
page runs (pandas, DuckDB, the authenticator, the gate: about a second, more on a busy
machine), opens the database (creating the demo on a first run), then imports the
screens, so that the first page after a start does not wait for them.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
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

SERVER_WAIT_SECONDS = 30.0
"""How long the warm-up waits for Streamlit's runtime to start before it goes ahead."""

_log = logging.getLogger(__name__)


def _when_served() -> None:
    """Wait until Streamlit's runtime has started (or :data:`SERVER_WAIT_SECONDS`), then
    warm up: the imports would otherwise compete with the server's own start."""
    from streamlit.runtime import Runtime, RuntimeState

    deadline = time.monotonic() + SERVER_WAIT_SECONDS
    while time.monotonic() < deadline:
        if Runtime.exists() and Runtime.instance().state != RuntimeState.INITIAL:
            break
        time.sleep(0.05)
    warm_up()


def warm_up() -> None:
    """Import the login page's modules, open the database, import every screen.

    Errors are logged, not raised: the first run meets them again and shows the
    系统维护 page (a database held by another process, a bad path).
    """
    # Streamlit warns of each cached call made outside a page run: expected here.
    context_log = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    quiet = _OnlyOtherThreads()
    context_log.addFilter(quiet)
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
    finally:
        context_log.removeFilter(quiet)


class _OnlyOtherThreads(logging.Filter):
    """Drops the records the thread that made it logs (the warm-up's own warnings)."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread != self.thread


def serve(options: list[str]) -> int:
    """Run the app as ``streamlit run app.py <options>`` does, in this process."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    # Read once, when the first session starts, if still None (pinned Streamlit 1.67).
    PagesManager.uses_pages_directory = False
    threading.Thread(target=_when_served, name="themeday-warm-up", daemon=True).start()
    cli.main.main(args=["run", str(APP), *options], prog_name="streamlit")
    return 0
