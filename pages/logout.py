"""退出: end the session on the server and return to the login page."""

import streamlit as st

from themeday.ui import gate


def render() -> None:
    gate.logout()
    st.rerun()
