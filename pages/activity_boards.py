"""看板视图: activities as a kanban, a calendar and a photo gallery."""

import streamlit as st

from themeday.domain import Role
from themeday.ui import gate


def render() -> None:
    gate.require(Role.OFFICE, Role.UNIT, Role.LEADER)
    st.title("看板视图")
