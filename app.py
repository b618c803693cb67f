"""主题日: page set-up, the login gate, and the pages each role may open."""

import streamlit as st

from pages import login_pages, navigation_for, only_page, public_pages
from themeday.core.domain import Role
from themeday.ui import gate, maintenance
from themeday.ui.addresses import requested_address
from themeday.ui.inputs import widget_stylesheet
from themeday.ui.resources import database_problem
from themeday.ui.widgets import campaign_banner, campaign_selector, escape_markdown

st.set_page_config(page_title="政务公开主题日", page_icon=":material/campaign:", layout="wide")
widget_stylesheet()

requested = requested_address()
problem = database_problem()
key_problem = None if problem else gate.cookie_key_problem()
identity = None if problem or key_problem else gate.identify()
if problem is not None:
    # Every address shows the 系统维护 page: no login form, no page of the app.
    st.navigation(only_page(maintenance.page(problem), requested), position="hidden").run()
elif key_problem is not None:
    config_page = maintenance.config_page(key_problem)
    st.navigation(only_page(config_page, requested), position="hidden").run()
elif identity is None:
    pages = login_pages(gate.render_login, requested) + public_pages()
    st.navigation(pages, position="hidden").run()
else:
    name = escape_markdown(identity.user.display_name)
    st.sidebar.caption(f"{name}（{identity.user.role.label}）")
    if identity.user.role != Role.AUDITOR:  # the audit log is not one campaign's
        campaign_banner(campaign_selector(identity.repo, identity.actor))
    gate.password_notice(identity)
    sections = navigation_for(identity.user, requested)
    st.navigation(sections, position="sidebar", expanded=True).run()
