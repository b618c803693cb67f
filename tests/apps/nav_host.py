"""AppTest host: write the navigation a user would get, as ``url_path`` lines."""

import streamlit as st

from pages import sections_for
from themeday.ui.resources import repository

user = repository().accounts.user_by_id(st.session_state["user_id"])
for section, pages in sections_for(user).items():
    for page in pages:
        st.text(f"{section}|{page.url_path}|{page.title}")
