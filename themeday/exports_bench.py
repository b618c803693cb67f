"""The old command name of a benchmark, kept for the commands people know.

``python -m themeday.exports_bench`` runs :mod:`themeday.dev.exports_bench`.
"""

if __name__ == "__main__":
    from themeday.dev.exports_bench import main

    raise SystemExit(main())
