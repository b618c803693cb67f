"""Screens. Each module only defines ``render()``; ``app.py`` registers it by role."""
