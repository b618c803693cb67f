"""数据表: the grid over every table a role may read."""

import streamlit as st

from themeday.domain import Role
from themeday.ui import gate


def render() -> None:
    gate.require(Role.OFFICE, Role.UNIT, Role.LEADER)
    st.title("数据表")
