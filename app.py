"""主题日: page set-up, the login gate, and the pages each role may open."""

import streamlit as st

from pages import login_pages, public_pages, sections_for
from themeday.domain import Role
from themeday.ui import gate, maintenance
from themeday.ui.inputs import widget_stylesheet
from themeday.ui.resources import database_problem
from themeday.ui.widgets import campaign_banner, campaign_selector, escape_markdown

st.set_page_config(page_title="政务公开主题日", page_icon=":material/campaign:", layout="wide")
widget_stylesheet()

problem = database_problem()
key_problem = None if problem else gate.cookie_key_problem()
identity = None if problem or key_problem else gate.identify()
if problem is not None:
    # Every address shows the 系统维护 page: no login form, no page of the app.
    st.navigation([maintenance.page(problem)], position="hidden").run()
elif key_problem is not None:
    st.navigation([maintenance.config_page(key_problem)], position="hidden").run()
elif identity is None:
    st.navigation(login_pages(gate.render_login) + public_pages(), position="hidden").run()
else:
    name = escape_markdown(identity.user.display_name)
    st.sidebar.caption(f"{name}（{identity.user.role.label}）")
    if identity.user.role != Role.AUDITOR:  # the audit log is not one campaign's
        campaign_banner(campaign_selector(identity.repo, identity.actor))
    gate.password_notice(identity)
    position = "hidden" if identity.settling else "sidebar"
    st.navigation(sections_for(identity.user), position=position, expanded=True).run()
