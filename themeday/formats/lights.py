"""Traffic lights drawn without an emoji font: a word with a coloured cell or badge.

🔴🟡🟢 need an emoji font, which Chromium on Linux, 信创 desktops (UOS, Kylin) and older
Windows often lack: they draw an empty box and the light loses its colour. So a light
is always its word (已逾期, 即将到期, 未到期, 暂不涉及) drawn on its colour: a coloured
label in a table column (one-word list cells, see ``light_cells``), a CSS cell style for
a small styled table, and a Markdown badge for text. No streamlit here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from pandas.io.formats.style import Styler

from themeday.core.domain import TRAFFIC_LIGHT_LABELS, TRAFFIC_LIGHTS
from themeday.formats.charts import LIGHT_COLOURS

LIGHT_NAMES = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "grey": "灰灯"}
"""What a clerk calls each light."""

BADGE_COLOURS = {"red": "red", "yellow": "orange", "green": "green", "grey": "gray"}
"""The Markdown badge colour of each light (orange reads as amber, like the charts)."""

_DARK_TEXT = ("yellow", "grey")  # white on amber or light grey is too faint to read
_MARKDOWN_SPECIALS = "\\[]*_`~:$<>#"


def light_word(light: str) -> str:
    """The word of a light: “已逾期”, “即将到期”, “未到期”, “暂不涉及” (empty for none)."""
    return TRAFFIC_LIGHT_LABELS.get(light, light) if light else ""


def light_of(text: str) -> str:
    """The light a word or a light name stands for (“已逾期”, “红灯”, “red” → “red”);
    empty for any other text."""
    for light in TRAFFIC_LIGHTS:
        if text in (light, TRAFFIC_LIGHT_LABELS[light], LIGHT_NAMES[light]):
            return light
    return ""


LIGHT_ORDER = ("red", "yellow", "green", "grey")
"""The lights, most urgent first."""


def light_options() -> tuple[list[str], list[str]]:
    """The words of the lights and their colours, in the same order (for a table column
    that draws each word as a coloured label)."""
    return [light_word(x) for x in LIGHT_ORDER], [LIGHT_COLOURS[x] for x in LIGHT_ORDER]


def light_cells(lights: Iterable[str]) -> list[list[str]]:
    """Each light as a table cell: a one-word list (``["已逾期"]``), empty for no light.
    A list cell is what a labelled table column draws as a coloured label; a
    ``Styler`` would do too, but costs about half a millisecond a row."""
    return [[light_word(x)] if x else [] for x in lights]


def light_css(text: str) -> str:
    """The CSS of a table cell showing a light (its word, name or code): its colour as
    background, with a text colour that can be read on it; empty for other text."""
    light = light_of(text) if isinstance(text, str) else ""
    if not light:
        return ""
    ink = "#333333" if light in _DARK_TEXT else "#FFFFFF"
    return f"background-color: {LIGHT_COLOURS[light]}; color: {ink}"


def light_badge(light: str, text: str | None = None) -> str:
    """A Markdown badge in the light's colour with its word (or ``text``), e.g.
    ``:red-badge[已逾期]``; empty for no light. ``text`` must not be user text."""
    if light not in BADGE_COLOURS:
        return ""
    shown = light_word(light) if text is None else text
    for char in _MARKDOWN_SPECIALS:
        shown = shown.replace(char, f"\\{char}")
    return f":{BADGE_COLOURS[light]}-badge[{shown}]"


def styled_lights(frame: pd.DataFrame, columns: Sequence[str]) -> Styler:
    """``frame`` with each cell of ``columns`` drawn in its light's colour (st.dataframe
    shows a ``Styler``'s colours and still applies its column configuration)."""
    present = [c for c in columns if c in frame.columns]
    return frame.style.map(light_css, subset=present)
