"""AppTest helper: click a deferred download (``st.download_button`` given a callable).

A page hands its builders to Streamlit's media file manager and builds nothing on a
rerun; the browser's click asks the server to run one, on a worker thread. AppTest has
no browser, so :class:`Downloads` keeps the callables the page registered and
:meth:`Downloads.click` runs one on a thread of its own, as the server does.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest


class Downloads:
    """The deferred downloads registered by the runs of an AppTest, by file id."""

    def __init__(self) -> None:
        self.builders: dict[str, Callable[[], Any]] = {}

    def labels(self, at: AppTest) -> list[str]:
        """The download buttons on the page, as the reader sees them (Markdown escapes of
        user text removed: ``盖章\\.pdf`` shows as ``盖章.pdf``)."""
        return [re.sub(r"\\(.)", r"\1", e.proto.label) for e in at.get("download_button")]

    def click(self, at: AppTest, label: str) -> bytes:
        """Build the file of the download button labelled ``label`` (as a click does)."""
        shown = self.labels(at)
        assert label in shown, f"no download “{label}” among {shown}"
        button = at.get("download_button")[shown.index(label)]
        file_id = button.proto.deferred_file_id
        assert file_id, f"“{label}” is built on every rerun, not on click"
        result: list[Any] = []
        failure: list[BaseException] = []

        def run() -> None:
            try:
                result.append(self.builders[file_id]())
            except BaseException as exc:  # raised again in the test's thread
                failure.append(exc)

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        if failure:
            raise failure[0]
        data = result[0]
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Downloads:
    """Record every deferred download the pages of this test register."""
    seen = Downloads()
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, *args, **kwargs):
        file_id = original(self, data_callable, *args, **kwargs)
        seen.builders[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return seen
