"""The old command name of a benchmark, kept for the commands people know.

``python -m themeday.bench`` runs :mod:`themeday.dev.bench`.
"""

if __name__ == "__main__":
    from themeday.dev.bench import main

    raise SystemExit(main())
