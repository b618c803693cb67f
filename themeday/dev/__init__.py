"""Development (开发): the demo seed and the benchmarks.

The runtime never imports this package (tests/test_runtime_imports.py); the
first run loads the demo seed only when it fills a new database.
"""
