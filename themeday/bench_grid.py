"""The old command name of a benchmark, kept for the commands people know.

``python -m themeday.bench_grid`` runs :mod:`themeday.dev.bench_grid`.
"""

if __name__ == "__main__":
    from themeday.dev.bench_grid import main

    raise SystemExit(main())
