"""The old command name of a benchmark, kept for the commands people know.

``python -m themeday.bench_concurrency`` runs :mod:`themeday.dev.bench_concurrency`.
"""

if __name__ == "__main__":
    from themeday.dev.bench_concurrency import main

    raise SystemExit(main())
