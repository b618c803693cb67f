"""修改密码: everyone changes their own password here (forced after a reset, and
once the password is older than the policy's maximum age)."""

import streamlit as st

from themeday.core.config import SECURITY
from themeday.services.auth import AuthService, password_expired
from themeday.ui import addresses, gate
from themeday.ui.screen import open_screen
from themeday.ui.widgets import run_action


def render() -> None:
    identity = open_screen("修改密码", password_page=True, flash=False).identity
    user = identity.user
    if user.must_change_password and password_expired(user, identity.repo.clock()):
        days = SECURITY.password_max_age.days
        st.warning(f"您的密码已超过{days}天未修改，为保障账号安全须先修改密码，修改后请重新登录。")
    elif user.must_change_password:
        st.warning("为保障账号安全，首次登录或密码被重置后须先修改密码，修改后请重新登录。")
    st.caption(
        f"密码要求：至少{SECURITY.password_min_length}位，包含大写字母、小写字母、数字、符号中的"
        f"至少{SECURITY.password_min_classes}类，不超过{SECURITY.password_max_bytes}字节。"
        "修改成功后所有已登录的设备都需重新登录。"
    )
    with st.form("change_password"):
        old = st.text_input("原密码", type="password")
        new = st.text_input("新密码", type="password")
        confirm = st.text_input("确认新密码", type="password")
        submitted = st.form_submit_button("确认修改", type="primary")
    if submitted:
        service = AuthService(identity.repo)
        done = run_action(
            lambda: service.change_password(identity.actor, old, new, confirm),
            "密码已修改。",
        )
        if done:
            home = addresses.home_of(identity.user)
            gate.end_after_password_change()
            if home is not None:
                st.switch_page(home)  # log in again at the root, not on this page
            st.rerun()
