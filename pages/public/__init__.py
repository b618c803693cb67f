"""Screens anyone may open without logging in: 成果展示."""
