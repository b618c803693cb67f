"""Audit rows in plain Chinese: readable changes, people by name, objects by name."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from openpyxl import load_workbook

from themeday.core.audit import AuditFilter, AuditRow, table_rows
from themeday.core.audit_text import change_line, detail_lines, object_text, person, value_text
from themeday.core.domain import SYSTEM_AUDITOR, ComplianceWeights
from themeday.core.grid import field_change_detail, grid_table
from themeday.formats.audit_exports import audit_xlsx


def row(**fields) -> AuditRow:
    base = dict(
        id=7,
        occurred_at=datetime(2026, 12, 2, 5, 5, 23, 949357, tzinfo=UTC),
        username="office",
        role="office",
        unit_id=None,
        action="update",
        object_type="campaign",
        object_id="1",
        success=True,
        detail="",
    )
    return AuditRow(**{**base, **fields})


def test_a_person_is_the_display_name_with_the_login_and_set_up_code_is_the_system():
    assert person("张三", "office") == "张三（office）"
    assert person("", "system") == "系统"
    assert person("系统", "system") == "系统"
    assert person("", "nobody") == "nobody"  # a failed login with a name no account has


def test_values_read_as_chinese():
    assert value_text(True) == "是" and value_text("False") == "否"
    assert value_text(None) == "" and value_text("None") == ""
    assert value_text(5.0) == "5"
    assert value_text("2026-12-02T13:05:23.949357+08:00") == "2026-12-02 13:05"
    assert change_line("预计人数", None, 50) == "预计人数：（空） → 50"


def test_a_weights_change_lists_only_what_changed_with_chinese_labels():
    before = ComplianceWeights().to_json()
    after = json.loads(before) | {"declared_late_cap": 3.0}
    lines = detail_lines("set_weights", "campaign", json.dumps(after), before)
    assert lines == ["逾期申报扣分上限：5 → 3"]
    # the first set is compared with the defaults that were in force before it
    assert detail_lines("set_weights", "campaign", json.dumps(after)) == lines


def test_a_grid_edit_reads_field_old_new():
    table = grid_table("activities")
    field = next(f for f in table.fields if f.type.value == "bool")
    detail = field_change_detail(field, False, True)
    assert detail_lines("edit", "activity", detail) == [f"{field.label}：否 → 是"]


def test_a_grid_record_created_lists_its_fields_by_label_without_none():
    detail = json.dumps({"name": "区档案馆", "contact_phone": "None", "enabled": "True"})
    lines = detail_lines("create", "unit", detail)
    assert lines[0] == "单位名称：区档案馆"
    assert not any("None" in x or "True" in x or "{" in x for x in lines)


def test_codes_in_details_are_chinese():
    assert detail_lines("update", "app_user", "role=office") == ["角色：政务公开办"]
    assert detail_lines("create", "declaration", "approved") == ["状态：审核通过"]
    assert detail_lines("update", "unit", "name, contact_phone") == ["修改了：单位名称、联系电话"]
    assert detail_lines("chase", "chase", "单位3 plan:12 请今日报送") == [
        "事项：活动方案（活动编号12）",
        "说明：请今日报送",
    ]
    assert detail_lines("chase", "chase", "单位3 declaration ") == ["事项：申报表"]
    assert detail_lines("adjust_score", "score_adjustment", "单位3 +2：典型经验") == [
        "分值：+2",
        "理由：典型经验",
    ]


def test_the_object_is_named_and_a_session_id_is_not_shown():
    assert (
        object_text("declaration", "3", "城北街道办事处（2026年）")
        == "申报表：城北街道办事处（2026年）"
    )
    assert object_text("activity", "9", "") == "活动（编号9）"
    assert object_text("session", "72ffe0a1b2c3", "") == "登录会话"


def test_a_table_row_is_plain_chinese_to_the_minute():
    weights = json.loads(ComplianceWeights().to_json()) | {"declared_late_cap": 3.0}
    shown = table_rows(
        [
            row(
                action="set_weights",
                detail=json.dumps(weights),
                actor_name="政务公开办管理员",
                object_name="大祥区2026年“政务公开主题日”活动",
            ),
            row(
                id=8,
                username="system",
                role=None,
                action="login",
                object_type="session",
                object_id="72ffe0a1b2c3",
                success=False,
            ),
        ],
        text_times=True,
    )
    first, second = shown
    assert first["时间"] == "2026-12-02 13:05"
    assert first["操作人"] == "政务公开办管理员（office）"
    assert first["操作"] == "设置考核权重"
    assert first["对象"] == "主题日活动：大祥区2026年“政务公开主题日”活动"
    assert first["说明"] == "逾期申报扣分上限：5 → 3"
    assert second["操作人"] == "系统" and second["对象"] == "登录会话"
    assert second["对象编号"] == "" and second["结果"] == "失败"


def test_the_audit_read_joins_names(demo, office):
    unit = demo.catalogue.list_units(office)[0]
    weights = ComplianceWeights(declared_late_cap=3.0)
    campaign = demo.catalogue.current_campaign(office)
    demo.compliance.set_weights(office, campaign.id, weights)
    rows = demo.oversight.search_audit(SYSTEM_AUDITOR, AuditFilter(), 200)
    newest = rows[0]
    assert newest.action == "set_weights"
    assert newest.actor_name == office.display_name and newest.object_name == campaign.title
    assert table_rows([newest])[0]["说明"] == "逾期申报扣分上限：5 → 3"
    created = next(r for r in rows if r.object_type == "unit" and r.object_id == str(unit.id))
    assert created.object_name == unit.name
    assert table_rows([created])[0]["操作人"] == "系统"


def test_the_xlsx_export_carries_the_same_chinese_text(demo, office):
    campaign = demo.catalogue.current_campaign(office)
    demo.compliance.set_weights(office, campaign.id, ComplianceWeights(declared_late_cap=3.0))
    rows = demo.oversight.search_audit(SYSTEM_AUDITOR, AuditFilter(), 3)
    sheet = load_workbook(io.BytesIO(audit_xlsx(rows))).active
    header = next(r for r in range(1, 6) if sheet.cell(r, 1).value == "编号")
    names = [c.value for c in sheet[header]]
    first = {n: c.value for n, c in zip(names, sheet[header + 1], strict=False)}
    assert first["说明"] == "逾期申报扣分上限：5 → 3"
    assert first["操作人"] == f"{office.display_name}（office）"
    assert first["对象"] == f"主题日活动：{campaign.title}"
    assert sheet.cell(header + 1, names.index("时间") + 1).number_format == "yyyy-mm-dd hh:mm"


def test_the_audit_grid_table_reads_in_chinese(demo, office):
    from themeday.core.grid import ViewSpec, for_display, grid_table

    campaign = demo.catalogue.current_campaign(office)
    demo.compliance.set_weights(office, campaign.id, ComplianceWeights(declared_late_cap=3.0))
    table = grid_table("audit_log")
    rows = for_display(
        table, demo.grid.grid_rows(SYSTEM_AUDITOR, "audit_log", ViewSpec(), 0, 500).rows
    )
    assert "设置考核权重" in set(rows["action"]) and "create" not in set(rows["action"])
    assert "逾期申报扣分上限：5 → 3" in set(rows["detail"])
    assert not [d for d in rows["detail"] if "{" in str(d)]
