"""AppTest host: write every page of ``navigation_for`` as ``url_path|visibility`` lines."""

import streamlit as st

from pages import navigation_for

sections = navigation_for(st.session_state["user"], st.session_state["requested"])
for pages in sections.values():
    for page in pages:
        st.text(f"{page.url_path}|{page.visibility}")
