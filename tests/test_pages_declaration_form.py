"""AppTest: the 申报表 form keeps what the unit types (主题申报, 本单位首页).

Cell edits reach ``st.data_editor`` as its edit state, assigned on the session state
under the editor's key before the run (what the browser sends on a form submit).
"""

from __future__ import annotations

import json
from datetime import timedelta

from streamlit.testing.v1 import AppTest

from tests.conftest import change_rules
from tests.helpers import host, texts
from themeday.core.dates import deadline_date
from themeday.core.domain import SYSTEM_ACTOR
from themeday.services import declarations

HALF = {"title": "乡村振兴政策宣讲"}
"""A new row with only its 活动主题 typed."""


def unit3(app_db):
    return app_db.accounts.login_record("unit3").user.as_actor()


def full_row(app_db, title: str = "乡村振兴政策宣讲", **cells) -> dict:
    campaign = app_db.catalogue.current_campaign(SYSTEM_ACTOR)
    return {
        "title": title,
        "planned_month": campaign.rules.last_month,
        "form": campaign.rules.allowed_forms[0],
        **cells,
    }


def type_rows(at: AppTest, added: list[dict], edited: dict | None = None, deleted=()) -> None:
    """What the browser sends for the editor on the next form submit."""
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": edited or {},
        "added_rows": added,
        "deleted_rows": list(deleted),
    }


def click(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def field(at: AppTest, label: str):
    return next(t for t in at.text_input if t.label == label)


def editor_titles(at: AppTest) -> list[str]:
    return [str(t) for t in at.data_editor[0].value["title"]]


def editor_labels(at: AppTest) -> list[str]:
    """The editor's column headers, in their order (its column_config's labels)."""
    editor = at.data_editor[0]
    config = json.loads(editor.proto.columns)
    return [config[name]["label"] for name in editor.value.columns]


def test_a_half_filled_row_is_kept_and_its_missing_cells_named(app_db):
    at = host(app_db, "declaration_form", "unit3")
    # The browser's editor does not send a new row whose required cell is empty.
    config = json.loads(at.data_editor[0].proto.columns)
    assert not [name for name, column in config.items() if column.get("required")]
    type_rows(at, [HALF])
    click(at, "检查并提交")
    assert not at.exception
    errors = texts(at, "error")
    assert "第1行：请选择计划月份、活动形式" in errors
    assert "当前0个" not in errors
    assert editor_titles(at) == ["乡村振兴政策宣讲"]  # the typed title is still there
    assert app_db.declarations.declaration_for(unit3(app_db), 1, unit3(app_db).unit_id) is None

    click(at, "保存草稿")  # nothing typed since: the row is still kept, still refused
    assert "草稿未保存" in texts(at, "error")
    assert "第1行：请选择计划月份、活动形式" in texts(at, "error")
    assert editor_titles(at) == ["乡村振兴政策宣讲"]

    campaign = app_db.catalogue.current_campaign(SYSTEM_ACTOR)
    months = {0: {"planned_month": campaign.rules.last_month, "form": "座谈交流"}}
    type_rows(at, [], edited=months)
    click(at, "保存草稿")
    assert "草稿已保存" in texts(at, "success")
    saved = app_db.declarations.declaration_for(unit3(app_db), campaign.id, unit3(app_db).unit_id)
    themes = app_db.declarations.list_themes(SYSTEM_ACTOR, saved.id)
    assert [(t.title, t.form) for t in themes] == [("乡村振兴政策宣讲", "座谈交流")]


def test_the_contact_above_fills_the_rows_contact(app_db):
    at = host(app_db, "declaration_form", "unit3")
    field(at, "联系人").input("赵敏")
    field(at, "联系电话").input("0739-5321188")
    own = full_row(app_db, "高标准农田政策宣讲", contact="李四 13800000000")
    type_rows(at, [full_row(app_db), own])
    click(at, "保存草稿")
    assert "草稿已保存" in texts(at, "success")
    campaign = app_db.catalogue.current_campaign(SYSTEM_ACTOR)
    saved = app_db.declarations.declaration_for(unit3(app_db), campaign.id, unit3(app_db).unit_id)
    themes = app_db.declarations.list_themes(SYSTEM_ACTOR, saved.id)
    assert [t.contact for t in themes] == ["赵敏 0739-5321188", "李四 13800000000"]
    # a new row starts with the contact above
    config = json.loads(at.data_editor[0].proto.columns)
    assert config["contact"]["default"] == "赵敏 0739-5321188"


def test_the_read_only_view_shows_the_editors_columns(app_db):
    editor = host(app_db, "declaration_form", "unit3")  # no 申报表 yet: the editor
    submitted = host(app_db, "declaration_form", "unit2")  # submitted: read-only
    assert "已提交待审核" in texts(submitted, "info")
    table = next(df for df in submitted.dataframe if "活动主题" in df.value.columns)
    assert list(table.value.columns) == editor_labels(editor)
    assert all(str(m).endswith("月") for m in table.value["计划月份"])


def test_an_over_long_title_is_refused_not_cut(app_db):
    at = host(app_db, "declaration_form", "unit3")
    # the browser's editor cuts a text at max_chars without a word
    config = json.loads(at.data_editor[0].proto.columns)
    assert "max_chars" not in config["title"]["type_config"]
    long = "关于" + "政务公开" * 15  # 62 characters
    type_rows(at, [full_row(app_db, long)])
    click(at, "保存草稿")
    assert "第1行：活动主题不能超过60个字（现为62个字）" in texts(at, "error")
    assert app_db.declarations.declaration_for(unit3(app_db), 1, unit3(app_db).unit_id) is None
    assert editor_titles(at) == [long]  # kept whole, for the unit to shorten


def test_add_and_delete_row_buttons_keep_what_was_typed(app_db):
    at = host(app_db, "declaration_form", "unit3")
    assert [b.label for b in at.button][:2] == ["添加一行", "删除所选行"]
    type_rows(at, [full_row(app_db, "甲"), HALF])
    click(at, "添加一行")
    assert not at.exception
    assert editor_titles(at)[:2] == ["甲", "乡村振兴政策宣讲"]
    assert len(editor_titles(at)) == 3  # and one new empty row

    type_rows(at, [], edited={2: {"title": "丙"}})
    click(at, "添加一行")
    assert editor_titles(at)[:3] == ["甲", "乡村振兴政策宣讲", "丙"]

    picker = next(m for m in at.multiselect if m.label == "选择要删除的行")
    assert picker.options[1] == "第2行：乡村振兴政策宣讲"
    click(at, "删除所选行")
    assert "请先在“选择要删除的行”中选出" in texts(at, "warning")
    picker = next(m for m in at.multiselect if m.label == "选择要删除的行")
    picker.set_value([1, 3])
    click(at, "删除所选行")
    assert editor_titles(at) == ["甲", "丙"]
    assert (
        app_db.declarations.declaration_for(unit3(app_db), 1, unit3(app_db).unit_id) is None
    )  # unsaved


def _set_deadline(app_db, days_from_today: int) -> None:
    office = app_db.accounts.login_record("office").user.as_actor()
    change_rules(
        app_db, office, declaration_deadline=app_db.today() + timedelta(days=days_from_today)
    )


def test_unit_home_after_the_deadline_says_it_may_still_be_submitted(app_db):
    _set_deadline(app_db, -20)
    at = host(app_db, "unit_home", "unit3")
    campaign = app_db.catalogue.current_campaign(SYSTEM_ACTOR)
    late = declarations.late_if_submitted_now(app_db, unit3(app_db), campaign)
    shown = texts(at, "warning") + texts(at, "info")
    assert "申报已截止，仍可逾期提交" in shown
    assert f"逾期{late}个工作日" in shown and late > 0
    deadline = campaign.rules.declaration_deadline
    assert f"请于{deadline_date(deadline)}前填报" not in shown

    _set_deadline(app_db, 20)
    at = host(app_db, "unit_home", "unit3")
    shown = texts(at, "warning") + texts(at, "info")
    assert "申报已截止" not in shown
    deadline = app_db.catalogue.current_campaign(SYSTEM_ACTOR).rules.declaration_deadline
    assert f"请于{deadline_date(deadline)}前填报" in shown
