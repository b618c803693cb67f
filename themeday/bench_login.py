"""The old command name of a benchmark, kept for the commands people know.

``python -m themeday.bench_login`` runs :mod:`themeday.dev.bench_login`.
"""

if __name__ == "__main__":
    from themeday.dev.bench_login import main

    raise SystemExit(main())
