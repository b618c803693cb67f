"""退出: end the session on the server and return to the login page."""

import streamlit as st

from themeday.ui import addresses, gate


def render() -> None:
    # Leave this address first: the login form then opens at the root, and the run
    # that shows it is the one that drops the cookie (a run cut short might not).
    identity = gate.require(password_page=True)
    home = addresses.home_of(identity.user)
    gate.logout()
    if home is not None:
        st.switch_page(home)
    st.rerun()
