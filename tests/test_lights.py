"""Traffic lights without an emoji font: the colour rule, and the pages that show lights.

🔴🟡🟢 draw as empty boxes where no emoji font is installed, so every page that shows a
light shows its word on a coloured cell or badge instead.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from tests.helpers import dashboard, host, nodes, open_board, pick_month
from themeday.formats.charts import LIGHT_COLOURS
from themeday.formats.lights import (
    light_badge,
    light_cells,
    light_css,
    light_of,
    light_options,
    light_word,
    styled_lights,
)

EMOJI_LIGHTS = re.compile("[\U0001f534\U0001f7e0-\U0001f7eb\u26aa\u26ab\U0001f535]")
"""🔴 🟠🟡🟢🔵🟣🟤 ⚪ ⚫ and the coloured squares: everything that needs an emoji font."""


# ------------------------------------------------------------------ the colour rule
def test_each_light_has_its_word():
    assert [light_word(x) for x in ("red", "yellow", "green", "grey", "")] == [
        "已逾期",
        "即将到期",
        "未到期",
        "暂不涉及",
        "",
    ]


def test_table_cells_carry_the_word_and_the_column_its_colour():
    assert light_cells(["red", "", "green"]) == [["已逾期"], [], ["未到期"]]
    words, colours = light_options()
    assert dict(zip(words, colours, strict=True)) == {
        "已逾期": LIGHT_COLOURS["red"],
        "即将到期": LIGHT_COLOURS["yellow"],
        "未到期": LIGHT_COLOURS["green"],
        "暂不涉及": LIGHT_COLOURS["grey"],
    }


def test_a_word_a_name_or_a_code_names_its_light():
    assert light_of("已逾期") == light_of("红灯") == light_of("red") == "red"
    assert light_of("即将到期") == light_of("黄灯") == "yellow"
    assert light_of("未到期") == "green" and light_of("暂不涉及") == "grey"
    assert light_of("已逾期3个工作日") == "" and light_of("") == ""


def test_cells_take_the_lights_colour_with_readable_text():
    assert light_css("已逾期") == f"background-color: {LIGHT_COLOURS['red']}; color: #FFFFFF"
    assert light_css("未到期") == f"background-color: {LIGHT_COLOURS['green']}; color: #FFFFFF"
    assert light_css("即将到期") == f"background-color: {LIGHT_COLOURS['yellow']}; color: #333333"
    assert light_css("暂不涉及") == f"background-color: {LIGHT_COLOURS['grey']}; color: #333333"
    assert light_css("城北街道办事处") == "" and light_css("") == ""
    assert light_css(float("nan")) == ""  # an empty cell of a table


def test_badges_carry_the_word_in_the_lights_colour():
    assert light_badge("red") == ":red-badge[已逾期]"
    assert light_badge("yellow") == ":orange-badge[即将到期]"
    assert light_badge("green", "绿灯") == ":green-badge[绿灯]"
    assert light_badge("grey") == ":gray-badge[暂不涉及]"
    assert light_badge("") == ""
    assert light_badge("red", "a]b") == r":red-badge[a\]b]"  # cannot close the badge early


def test_only_the_light_columns_are_coloured():
    frame = pd.DataFrame({"提醒": ["已逾期", "未到期"], "单位": ["已逾期", "城北"]})
    styled = styled_lights(frame, ["提醒", "不存在"])
    html = styled.to_html()
    assert html.count(LIGHT_COLOURS["red"]) == 1 and html.count(LIGHT_COLOURS["green"]) == 1
    assert styled.data.equals(frame)


# ------------------------------------------------------------------ the pages
def page_text(at: AppTest) -> str:
    """Every element as the browser gets it: protos in UTF-8, tables as text."""
    parts = []
    for node in nodes(at):
        if node.type == "arrow_data_frame":
            parts.append(node.value.to_string())
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(text_format.MessageToString(proto, as_utf8=True))
    return "\n".join(parts)


def light_table(at: AppTest, column: str = "提醒"):
    """The first table with a light column, and that column's words (one per row)."""
    table = next(d for d in at.dataframe if column in d.value.columns)
    words = ["".join(cell) for cell in table.value[column]]
    return table, words


def colours_of(table, column: str = "提醒") -> dict[str, str]:
    """The colour the browser is told to draw each word of a light column in."""
    config = json.loads(table.proto.columns)[column]
    return {o["value"]: o["color"] for o in config["type_config"]["options"]}


def assert_coloured_column(table, words: list[str]) -> None:
    assert set(words) - {""} <= {"已逾期", "即将到期", "未到期", "暂不涉及"}
    colours = colours_of(table)
    for word in set(words) - {""}:
        assert colours[word] == LIGHT_COLOURS[light_of(word)]


def assert_coloured_words(at: AppTest, *words: str) -> None:
    assert not at.exception
    text = page_text(at)
    assert not EMOJI_LIGHTS.findall(text)
    for word in words:
        assert word in text


def test_chase_board_lights_are_coloured_words(app_db):
    at = host(app_db, "chase_board", "office")
    assert_coloured_words(at, "已逾期", ":red-badge[红灯]", ":orange-badge[黄灯]")
    table, words = light_table(at)
    assert "已逾期" in words and "" not in words  # every open item has its light
    assert_coloured_column(table, words)
    picker = next(m for m in at.multiselect if m.label == "要标记为已催办的事项")
    assert all(option.startswith("【") for option in picker.options)


def test_unit_home_lights_are_coloured_words(app_db):
    at = host(app_db, "unit_home", "unit1")
    assert_coloured_words(at, "已逾期")
    table, words = light_table(at)
    assert "已逾期" in words
    assert_coloured_column(table, words)


@pytest.mark.parametrize("username", ["office", "leader", "unit1"])
def test_kanban_lights_are_badges(app_db, username):
    at = open_board(app_db, username)
    assert_coloured_words(at)
    captions = " ".join(c.value for c in at.caption)
    badge = r":(red|orange|green|gray)-badge\[(已逾期|即将到期|未到期|暂不涉及)\]"
    assert re.search(badge, captions)


def test_calendar_lights_are_badges_and_coloured_cells(app_db):
    at = open_board(app_db, "office", "日历")
    for month in (10, 11, 12, 9):  # a month whose activities have something open
        at = pick_month(at, app_db, month)
        if any(light_table(at)[1]):
            break
    legend = ":red-badge[已逾期]　:orange-badge[即将到期]　:green-badge[未到期]"
    assert_coloured_words(at, legend)
    table, words = light_table(at)
    assert "下一报送事项" in table.value.columns
    assert set(words) - {""}
    assert_coloured_column(table, words)


def test_dashboard_has_no_emoji_light(app_db):
    at = dashboard(app_db, "leader")
    assert_coloured_words(at, "红灯事项", "黄灯事项")
