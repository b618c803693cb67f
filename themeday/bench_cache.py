"""The old command name of a benchmark, kept for the commands people know.

``python -m themeday.bench_cache`` runs :mod:`themeday.dev.bench_cache`.
"""

if __name__ == "__main__":
    from themeday.dev.bench_cache import main

    raise SystemExit(main())
