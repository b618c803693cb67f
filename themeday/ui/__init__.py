"""Streamlit glue shared by several pages: resources, the login gate, widgets."""
