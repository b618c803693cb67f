"""AppTest: the auditor's 审计日志 page on the first-run demo (filters, paging, the chain
check, exports); the office, units and leaders are refused (权限分离)."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from tests.helpers import host, texts, titles
from themeday.core.audit import AuditFilter
from themeday.repository import Repository
from themeday.services.auth import AuthService


def auditor_of(app_db: Repository):
    return app_db.accounts.login_record("auditor").user.as_actor()


def shown(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "编号" in d.value.columns)


def test_the_auditor_sees_the_newest_rows_first_and_every_filter_narrows_them(app_db):
    auditor = auditor_of(app_db)
    AuthService(app_db).authenticate("unit2", "Wrong@1234")  # a failed login row
    total = app_db.oversight.count_audit(auditor, AuditFilter())

    at = host(app_db, "audit_log", "auditor")
    assert not at.exception
    assert titles(at) == ["审计日志"]
    table = shown(at)
    assert len(table) == min(total, 50)
    assert list(table["编号"]) == sorted(table["编号"], reverse=True)
    assert table["编号"].iloc[0] == app_db.oversight.list_audit(auditor, 1)[0].id
    assert f"共 {total} 条" in texts(at, "caption")
    assert {"导出 Excel", "导出 CSV"} <= {b.proto.label for b in at.get("download_button")}

    at.text_input(key="audit_user").input("unit2").run()
    table = shown(at)
    assert len(table) == app_db.oversight.count_audit(auditor, AuditFilter(username="unit2")) > 0
    assert {p.rpartition("（")[2] for p in table["操作人"]} == {"unit2）"}

    at.selectbox(key="audit_result").select("失败").run()
    table = shown(at)
    assert set(table["结果"]) == {"失败"} and set(table["操作"]) == {"登录"}
    assert len(table) == 1

    at.text_input(key="audit_user").input("").run()
    at.selectbox(key="audit_result").select("全部").run()
    # AppTest picks options by the text shown (the labels)
    at.multiselect(key="audit_actions").select("新建").run()
    table = shown(at)
    assert set(table["操作"]) == {"新建"}
    assert len(table) == app_db.oversight.count_audit(auditor, AuditFilter(actions=("create",)))

    at.multiselect(key="audit_actions").set_value([]).run()
    at.selectbox(key="audit_object_type").select("申报表").run()
    declaration_id = int(shown(at)["对象编号"].iloc[0])
    at.text_input(key="audit_object_id").input(str(declaration_id)).run()
    table = shown(at)
    assert set(table["对象类型"]) == {"申报表"}
    assert set(table["对象编号"]) == {str(declaration_id)}

    # dates: the newest row's day holds it; days with no rows show nothing
    at.selectbox(key="audit_object_type").select("全部").run()
    at.text_input(key="audit_object_id").input("").run()
    newest = app_db.oversight.list_audit(auditor, 1)[0]
    day = newest.occurred_at.date()
    at.date_input(key="audit_from").set_value(day).run()
    at.date_input(key="audit_to").set_value(day).run()
    table = shown(at)
    assert newest.id in set(table["编号"])
    assert len(table) == app_db.oversight.count_audit(
        auditor, AuditFilter(date_from=day, date_to=day)
    )
    at.date_input(key="audit_from").set_value(date(2001, 1, 1)).run()
    at.date_input(key="audit_to").set_value(date(2001, 1, 2)).run()
    assert "没有符合条件的记录" in texts(at, "info")
    at.date_input(key="audit_to").set_value(date(2000, 12, 31)).run()
    assert "起始日期晚于截止日期" in texts(at, "warning")


def test_pages_and_the_chain_check(app_db):
    auditor = auditor_of(app_db)
    total = app_db.oversight.count_audit(auditor, AuditFilter())
    assert total > 50  # the demo writes more than one page
    at = host(app_db, "audit_log", "auditor")
    at.number_input(key="audit_page").set_value(2).run()
    second = shown(at)
    assert (
        second["编号"].iloc[0] == app_db.oversight.search_audit(auditor, AuditFilter(), 1, 50)[0].id
    )

    next(b for b in at.button if b.label == "校验哈希链").click().run()
    assert f"审计日志完整：共 {total} 条，哈希链校验通过。" in texts(at, "success")

    tampered = int(second["编号"].iloc[0])
    app_db.cur.execute("UPDATE audit_log SET detail = 'x' WHERE id = ?", [tampered])
    next(b for b in at.button if b.label == "校验哈希链").click().run()
    assert f"#{tampered}" in texts(at, "error")


@pytest.mark.parametrize("username", ["office", "unit1", "leader"])
def test_everyone_but_the_auditor_is_refused(app_db, username):
    at = host(app_db, "audit_log", username)
    assert not at.exception
    assert "无权访问" in texts(at, "error")
    assert not at.dataframe and titles(at) == []


def test_the_audit_log_reads_as_plain_chinese(app_db):
    """No None, True, system, raw JSON or microseconds on the 审计日志 screen."""
    from themeday.core.domain import ComplianceWeights
    from themeday.core.grid import Changeset, RowEdit

    office = app_db.accounts.login_record("office").user.as_actor()
    campaign = app_db.catalogue.current_campaign(office)
    app_db.compliance.set_weights(office, campaign.id, ComplianceWeights(declared_late_cap=3.0))
    record = app_db.grid.grid_record(office, "activities", 13)
    app_db.grid.save_grid(
        office,
        "activities",
        Changeset(
            edits=(
                RowEdit(
                    13,
                    record["version"],
                    {"expected_participants": 45},
                    {"expected_participants": record["expected_participants"]},
                ),
            )
        ),
    )
    day = date(2030, 10, 12)  # a Saturday worked (调休)
    app_db.grid.save_grid(
        office, "workday_overrides", Changeset(inserts=({"day": day, "is_workday": True},))
    )
    AuthService(app_db).authenticate("nobody", "Wrong@1234")  # no account, no role

    at = host(app_db, "audit_log", "auditor")
    assert not at.exception
    table = shown(at)
    cells = [str(v) for v in table.drop(columns=["编号"]).to_numpy().ravel()]
    for word in ("None", "True", "False", "nan", "NaT", "system", "declaration", "{"):
        assert not [c for c in cells if word in c], word
    assert not [c for c in cells if re.search(r"\d:\d\d:\d\d|\+08:00", c)]  # to the minute
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", t) for t in table["时间"])

    by_action = table.set_index("操作")
    weights = by_action.loc["设置考核权重"]
    assert weights["说明"] == "逾期申报扣分上限：5 → 3"
    assert weights["操作人"] == f"{office.display_name}（office）"
    assert weights["对象"] == f"主题日活动：{campaign.title}"
    edits = table[table["操作"] == "修改字段"]
    assert set(edits["对象"]) == {f"活动：{record['title']}"}
    created = table[table["对象"] == "节假日/调休：2030-10-12"]
    assert "上班（调休）：是" in created["说明"].iloc[0]
    assert any(d.startswith("预计人数：") and d.endswith("→ 45") for d in edits["说明"])
    at.text_input(key="audit_user").input("system").run()
    assert set(shown(at)["操作人"]) == {"系统"}  # the set-up code of the first run
