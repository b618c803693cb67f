"""``python -m themeday serve [streamlit options]``: ``streamlit run app.py``, no v1 pages.

Streamlit (1.67, ``runtime/scriptrunner/script_runner.py``) runs the first script run
of a process whose main script has a ``pages/`` folder as a "v1" app: it wraps
``app.py`` in a navigation of its own made of ``app.py`` and every ``pages/*.py``, and
only the ``st.navigation`` that ``app.py`` then calls switches that off for the
process. An address opened in that first run (``/password`` right after a start) is
looked up in Streamlit's navigation, not ours, and shows the English "Page not found"
dialog. Switching the flag off before the server starts makes the first run like
every other one.
"""

from __future__ import annotations

from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"


def serve(options: list[str]) -> int:
    """Run the app as ``streamlit run app.py <options>`` does, in this process."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    # Read once, when the first session starts, if still None (pinned Streamlit 1.67).
    PagesManager.uses_pages_directory = False
    cli.main.main(args=["run", str(APP), *options], prog_name="streamlit")
    return 0
