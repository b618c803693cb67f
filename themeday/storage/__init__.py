"""Storage (数据库): the DuckDB connection, schema migrations, backup and restore.

The database floor below the repository; it builds on core only.
"""
