"""No English in Streamlit's own widget text (issue 16), read from the source.

* every file picker and date field goes through ``themeday.ui.inputs`` (its own kind's
  cap, the campaign's bounds, one date style);
* every selectbox and multiselect has a Chinese placeholder;
* the constant stylesheet draws Chinese only, and the frontend still has the hooks it is
  keyed on (a Streamlit upgrade that renames one fails here, not in front of a clerk).

The pages' AppTests check the caps and bounds on real screens
(``test_pages_activities``); ``tests/browser/test_widget_text.py`` checks the text drawn.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from themeday.formats.imports import MAX_IMPORT_BYTES, TABLE_FILE, XLSX_FILE
from themeday.formats.uploads import KINDS, MAX_UPLOAD_BYTES, MB, SCAN_FILE, file_rule
from themeday.ui.inputs import REPLACEMENTS, WIDGET_CSS, clamp, year_bounds

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    [ROOT / "app.py", *(ROOT / "pages").rglob("*.py"), *(ROOT / "themeday" / "ui").rglob("*.py")]
)
HELPERS = ROOT / "themeday" / "ui" / "inputs.py"
CJK = re.compile(r"[\u4e00-\u9fff]")
FRONTEND = Path(streamlit.__file__).parent / "static" / "static" / "js"


def _calls(path: Path, names: set[str]) -> list[tuple[str, ast.Call]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.func.attr, node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in names
    ]


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# ------------------------------------------------------------------ rules
@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_kind_has_its_own_cap_and_hint(name: str):
    rule = file_rule(KINDS[name])
    assert rule.max_mb * MB == MAX_UPLOAD_BYTES[name]
    assert rule.hint().endswith(f"不超过 {rule.max_mb} MB")
    assert "可多选，每个不超过" in rule.hint(multiple=True)


def test_scan_and_import_rules():
    assert SCAN_FILE.hint() == "PDF、JPG 或 PNG，不超过 20 MB"
    assert {"pdf", "jpg", "jpeg", "png"} <= set(SCAN_FILE.extensions)
    assert XLSX_FILE.extensions == ("xlsx",)
    assert TABLE_FILE.extensions == ("xlsx", "csv")
    assert XLSX_FILE.max_mb * MB == MAX_IMPORT_BYTES
    assert TABLE_FILE.hint().endswith("不超过 10 MB")


def test_date_bounds_and_clamp():
    bounds = year_bounds(2023)
    assert bounds == (date(2023, 1, 1), date(2023, 12, 31))
    assert year_bounds(2022, 2024) == (date(2022, 1, 1), date(2024, 12, 31))
    assert clamp(date(2026, 12, 3), bounds) == date(2023, 12, 31)
    assert clamp(date(2020, 5, 1), bounds) == date(2023, 1, 1)
    assert clamp(date(2023, 6, 19), bounds) == date(2023, 6, 19)


# ------------------------------------------------------------------ the source
def test_the_scan_sees_the_screens():
    names = {_rel(p) for p in FILES}
    assert {"app.py", "themeday/ui/inputs.py", "themeday/ui/grid_widgets.py"} <= names
    assert any(n.startswith("pages/") for n in names)


@pytest.mark.parametrize("path", [p for p in FILES if p != HELPERS], ids=_rel)
def test_pickers_and_date_fields_go_through_the_helpers(path: Path):
    direct = [
        f"{_rel(path)}:{node.lineno}: st.{name}"
        for name, node in _calls(path, {"file_uploader", "date_input"})
    ]
    assert not direct, "use themeday.ui.inputs.file_picker / date_field:\n" + "\n".join(direct)


@pytest.mark.parametrize("path", FILES, ids=_rel)
def test_every_choice_has_a_chinese_placeholder(path: Path):
    missing = []
    for name, node in _calls(path, {"selectbox", "multiselect"}):
        value = next((k.value for k in node.keywords if k.arg == "placeholder"), None)
        if not (
            isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and CJK.search(value.value)
        ):
            missing.append(f"{_rel(path)}:{node.lineno}: st.{name}")
    assert not missing, "set placeholder= to Chinese text:\n" + "\n".join(missing)


def test_app_emits_the_stylesheet():
    calls = [n for n in ast.walk(ast.parse((ROOT / "app.py").read_text(encoding="utf-8")))]
    names = {n.func.id for n in calls if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert "widget_stylesheet" in names


# ------------------------------------------------------------------ the stylesheet
def test_the_stylesheet_draws_chinese_only():
    for selector, text, size in REPLACEMENTS:
        assert CJK.search(text), selector
        assert not re.search(r"[A-Za-z]", text.replace("Ctrl", "")), text
        assert '"' not in text and "\\" not in text and "<" not in text, text
        assert re.fullmatch(r"[\d.]+rem", size), size
    assert "<" not in WIDGET_CSS
    assert WIDGET_CSS.count("::after") == len(REPLACEMENTS)


@pytest.mark.parametrize(
    ("hook", "bundle"),
    [
        ("stFileUploaderDropzoneInstructions", "FileUploader.*.js"),
        ("stFileUploaderDropzoneInput", "FileUploader.*.js"),
        ("__select_all__", "Multiselect.*.js"),
        ("__select_matches__", "Multiselect.*.js"),
        ("stMultiSelectDropdown", "Multiselect.*.js"),
        ("stDateInputField", "DateInput.*.js"),
        ("InputInstructions", "InputInstructions.*.js"),
        ("stTooltipErrorContent", "Tooltip.*.js"),
        ("stFileChip", "utils.*.js"),
    ],
)
def test_the_frontend_still_has_the_hooks(hook: str, bundle: str):
    """The stylesheet is keyed on these; they are the frontend's own test ids."""
    assert any(hook in f.read_text(encoding="utf-8") for f in FRONTEND.glob(bundle)), hook
    assert hook in WIDGET_CSS or hook == "stMultiSelectDropdown"


def _pickers() -> None:
    from themeday.formats.imports import TABLE_FILE
    from themeday.formats.uploads import PHOTO, file_rule
    from themeday.ui.inputs import file_picker

    file_picker("活动照片", file_rule(PHOTO), key="photos", multiple=True)
    file_picker("选择文件", TABLE_FILE, key="table", note="可选")


def test_a_picker_enforces_the_cap_its_label_names():
    at = AppTest.from_function(_pickers).run()
    photos, table = at.file_uploader
    assert photos.label == "活动照片（JPG、PNG 或 HEIC，可多选，每个不超过 15 MB）"
    assert photos.proto.max_upload_size_mb == 15
    assert photos.proto.multiple_files
    assert {"jpg", "png"} <= {t.lstrip(".") for t in photos.proto.type}
    assert table.label == "选择文件（可选，Excel（.xlsx） 或 CSV，不超过 10 MB）"
    assert table.proto.max_upload_size_mb == 10
