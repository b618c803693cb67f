"""AppTest host: run one page's render() for the user set in session state.

It skips app.py on purpose: it shows that each render() re-checks the role itself.
"""

import importlib

import streamlit as st

from pages import screen_module

importlib.import_module(screen_module(st.session_state["page"])).render()
