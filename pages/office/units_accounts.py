"""单位与账号: the office manages the unit roster and user accounts."""

from datetime import date, datetime

import pandas as pd
import streamlit as st

from themeday.core.config import SECURITY
from themeday.core.dates import table_date
from themeday.core.domain import Role, UnitKind
from themeday.core.records import Unit, User
from themeday.formats.imports import TABLE_FILE, parse_units
from themeday.services import accounts
from themeday.ui.account_widgets import issue_password, issued_password_dialog
from themeday.ui.gate import Identity
from themeday.ui.inputs import file_picker
from themeday.ui.screen import open_screen
from themeday.ui.widgets import (
    confirmed,
    refused_import,
    run_action,
    units_frame,
)

_KINDS = [k.value for k in UnitKind]
_ROLES = {
    Role.UNIT: "单位用户",
    Role.OFFICE: "政务公开办",
    Role.LEADER: "领导（只读）",
    Role.AUDITOR: "审计管理员（只看审计日志）",
}
_TAB = "units_accounts.tab"


def render() -> None:
    identity = open_screen("单位与账号", Role.OFFICE).identity
    issued_password_dialog()
    # Keyed: the tab a clerk acted in stays open after the rerun that follows the action
    # (an unkeyed st.tabs went back to 单位名录 when a message appeared above it).
    units_tab, users_tab = st.tabs(["单位名录", "用户账号"], key=_TAB, on_change="rerun")
    with units_tab:
        _units(identity)
    with users_tab:
        _users(identity)


def _units(identity: Identity) -> None:
    repo, actor = identity.repo, identity.actor
    units = repo.catalogue.list_units(actor)
    st.dataframe(units_frame(units, with_status=True), hide_index=True, width="stretch")
    with st.expander("新增单位", expanded=not units):
        with st.form("unit_new", clear_on_submit=False):
            name = st.text_input("单位名称")
            kind = st.selectbox("单位类别", _KINDS, placeholder="请选择")
            person = st.text_input("联系人")
            phone = st.text_input("联系电话", help="手机号11位，座机须带区号，如 0739-5321101")
            if st.form_submit_button("新增单位", type="primary"):
                if run_action(
                    lambda: accounts.create_unit(
                        repo,
                        actor,
                        name=name,
                        kind=kind,
                        contact_person=person,
                        contact_phone=phone,
                    ),
                    f"已新增单位：{name.strip()}",
                ):
                    st.rerun()
    _import_units(identity)
    if units:
        _edit_unit(identity, units)


def _import_units(identity: Identity) -> None:
    with st.expander("从 Excel 或 CSV 导入单位名录"):
        st.caption(
            "表头须包含：单位名称、单位类别（部门/街道/乡镇/区直单位/驻区单位），"
            "可选：联系人、联系电话。任一行有误时整份文件都不导入。"
        )
        upload = file_picker("选择文件", TABLE_FILE, key="units_import")
        if upload is None:
            return
        parsed = parse_units(upload.getvalue(), upload.name)
        if not parsed.ok:
            refused_import(identity.repo, identity.actor, upload, "单位名录导入文件", parsed.errors)
            return
        st.write(f"共 {len(parsed.rows)} 个单位待导入：")
        st.dataframe(units_frame(parsed.rows), hide_index=True, width="stretch")
        if st.button("确认导入", type="primary", key="units_import_go"):
            if run_action(
                lambda: accounts.import_units(identity.repo, identity.actor, parsed.rows),
                f"已导入{len(parsed.rows)}个单位。",
            ):
                st.rerun()


def _edit_unit(identity: Identity, units: list[Unit]) -> None:
    st.subheader("编辑单位")
    by_id = {u.id: u for u in units}
    unit_id = st.selectbox(
        "选择单位",
        list(by_id),
        format_func=lambda i: by_id[i].name,
        key="unit_pick",
        placeholder="请选择",
    )
    unit = by_id[unit_id]
    # The version in the key keeps the form from silently overwriting a newer save.
    with st.form(f"unit_edit_{unit.id}_{unit.version}"):
        name = st.text_input("单位名称", unit.name)
        kind = st.selectbox("单位类别", _KINDS, index=_KINDS.index(unit.kind), placeholder="请选择")
        person = st.text_input("联系人", unit.contact_person)
        phone = st.text_input("联系电话", unit.contact_phone)
        enabled = st.checkbox("启用", unit.enabled)
        if st.form_submit_button("保存修改"):
            if run_action(
                lambda: accounts.update_unit(
                    identity.repo,
                    identity.actor,
                    unit.id,
                    unit.version,
                    name=name,
                    kind=kind,
                    contact_person=person,
                    contact_phone=phone,
                    enabled=enabled,
                ),
                "单位信息已保存。",
            ):
                st.rerun()


def _users(identity: Identity) -> None:
    repo, actor = identity.repo, identity.actor
    users = repo.accounts.list_users(actor)
    _users_table(users, repo.clock())
    _stale_accounts(identity)
    units = repo.catalogue.list_units(actor, include_disabled=False)
    unit_names = {u.id: u.name for u in units}
    _new_account(identity, unit_names)
    if users:
        _manage_user(identity, users, unit_names)


def _users_table(users: list[User], now: datetime) -> None:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "用户名": u.username,
                    "姓名/岗位": u.display_name,
                    "角色": _ROLES[u.role],
                    "所属单位": u.unit_name or "—",
                    "状态": "启用" if u.enabled else "停用",
                    "锁定": (
                        f"锁定至 {u.locked_until:%H:%M}"
                        if u.locked_until and u.locked_until > now
                        else ""
                    ),
                    "须修改密码": "是" if u.must_change_password else "",
                }
                for u in users
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def _new_account(identity: Identity, unit_names: dict[int, str]) -> None:
    """新增账号: the account's name, role, unit and (optionally) its first password."""
    repo, actor = identity.repo, identity.actor
    with st.expander("新增账号"), st.form("user_new"):
        username = st.text_input("用户名", help="3～32位字母、数字或 _ . -")
        display_name = st.text_input("姓名或岗位")
        role = st.selectbox("角色", list(_ROLES), format_func=_ROLES.get, placeholder="请选择")
        unit_id = st.selectbox(
            "所属单位（单位用户必选）",
            [None, *unit_names],
            format_func=lambda i: "（无）" if i is None else unit_names[i],
            placeholder="请选择",
        )
        password = st.text_input("初始密码（留空则自动生成）", type="password")
        if st.form_submit_button("新增账号", type="primary"):
            result: dict[str, str] = {}

            def create() -> None:
                result["password"] = accounts.create_account(
                    repo,
                    actor,
                    username=username,
                    display_name=display_name,
                    role=role,
                    unit_id=unit_id,
                    password=password,
                )

            if run_action(create, f"已新增账号：{username.strip()}"):
                issue_password(username.strip(), "初始密码", result["password"])
                st.rerun()


def _stale_accounts(identity: Identity) -> None:
    """长期未登录的账号: listed, and disabled on request after a confirmation."""
    repo, actor = identity.repo, identity.actor
    days = SECURITY.stale_account_after.days
    stale = accounts.stale_accounts(repo, actor)
    st.markdown(f"**长期未登录的账号**（超过{days}天未登录的启用账号，从未登录的按创建时间计）")
    if not stale:
        st.caption(f"没有超过{days}天未登录的账号。")
        return
    _stale_table(stale, repo.today())
    by_id = {s.user.id: s.user for s in stale}
    picked = st.multiselect(
        "选择要停用的账号",
        list(by_id),
        format_func=lambda i: f"{by_id[i].username}（{by_id[i].display_name}）",
        key="stale_pick",
        placeholder="可多选",
    )
    names = "、".join(by_id[i].username for i in picked)
    if confirmed(
        "停用所选账号",
        "stale_disable",
        f"确认停用账号 {names}？停用后这些账号不能再登录，可随时重新启用。",
        disabled=not picked,
    ):
        if run_action(
            lambda: accounts.disable_accounts(repo, actor, picked),
            f"已停用{len(picked)}个长期未登录的账号：{names}。",
        ):
            st.session_state.pop("stale_pick", None)
            st.rerun()


def _stale_table(stale: list, today: date) -> None:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "用户名": s.user.username,
                    "姓名/岗位": s.user.display_name,
                    "角色": _ROLES[s.user.role],
                    "所属单位": s.user.unit_name or "—",
                    "最近登录": table_date(s.last_login_at) if s.last_login_at else "从未登录",
                    "未登录天数": (today - (s.last_login_at or s.created_at).date()).days,
                }
                for s in stale
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def _manage_user(identity: Identity, users: list[User], unit_names: dict[int, str]) -> None:
    st.subheader("管理账号")
    by_id = {u.id: u for u in users}
    user_id = st.selectbox(
        "选择账号",
        list(by_id),
        format_func=lambda i: f"{by_id[i].username}（{by_id[i].display_name}）",
        key="user_pick",
        placeholder="请选择",
    )
    user = by_id[user_id]
    _edit_user(identity, user, unit_names)
    _user_actions(identity, user)


def _edit_user(identity: Identity, user: User, unit_names: dict[int, str]) -> None:
    """姓名或岗位, 角色 and 所属单位 of one account, saved with its version."""
    repo, actor = identity.repo, identity.actor
    choices = [None, *unit_names]
    with st.form(f"user_edit_{user.id}_{user.version}"):
        display_name = st.text_input("姓名或岗位", user.display_name)
        role = st.selectbox(
            "角色",
            list(_ROLES),
            index=list(_ROLES).index(user.role),
            format_func=_ROLES.get,
            placeholder="请选择",
        )
        unit_id = st.selectbox(
            "所属单位",
            choices,
            index=choices.index(user.unit_id) if user.unit_id in choices else 0,
            format_func=lambda i: "（无）" if i is None else unit_names[i],
            placeholder="请选择",
        )
        if st.form_submit_button("保存修改"):
            if run_action(
                lambda: accounts.update_user(
                    repo,
                    actor,
                    user.id,
                    user.version,
                    display_name=display_name,
                    role=role,
                    unit_id=unit_id if role == Role.UNIT else None,
                ),
                "账号信息已保存。",
            ):
                st.rerun()


def _user_actions(identity: Identity, user: User) -> None:
    """停用/启用, 重置密码, 解除锁定: the irreversible ones ask first."""
    repo, actor = identity.repo, identity.actor
    name = f"{user.username}（{user.display_name}）"
    st.markdown("**账号操作**")
    _enable_toggle(identity, user, name)
    if confirmed(
        "重置密码",
        f"reset_{user.id}",
        f"确认重置账号 {name} 的密码？原密码立即失效，该账号已登录的会话将退出，"
        "须用新的一次性密码登录并修改。",
    ):
        result: dict[str, str] = {}

        def reset() -> None:
            result["password"] = accounts.reset_account_password(repo, actor, user.id)

        if run_action(reset, f"账号 {user.username} 的密码已重置。"):
            issue_password(user.username, "新密码", result["password"])
            st.rerun()
    if st.button("解除锁定", key=f"unlock_{user.id}"):
        if run_action(
            lambda: accounts.unlock_user(repo, actor, user.id), f"账号 {user.username} 已解除锁定。"
        ):
            st.rerun()


def _enable_toggle(identity: Identity, user: User, name: str) -> None:
    """停用账号 (after a confirmation) or 启用账号."""
    repo, actor = identity.repo, identity.actor
    if user.enabled:
        if confirmed(
            "停用账号",
            f"disable_{user.id}",
            f"确认停用账号 {name}？停用后该账号立即退出登录、不能再登录，可随时重新启用。",
        ):
            if run_action(
                lambda: accounts.set_user_enabled(repo, actor, user.id, False),
                f"账号 {user.username} 已停用。",
            ):
                st.rerun()
    elif st.button("启用账号", key=f"enable_{user.id}"):
        if run_action(
            lambda: accounts.set_user_enabled(repo, actor, user.id, True),
            f"账号 {user.username} 已启用。",
        ):
            st.rerun()
