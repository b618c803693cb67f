"""审计日志: who did what and when (office); filled in by the audit work."""

import streamlit as st

from themeday.domain import Role
from themeday.ui import gate


def render() -> None:
    gate.require(Role.OFFICE)
    st.title("审计日志")
