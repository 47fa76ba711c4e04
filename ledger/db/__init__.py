"""The SQL mirror: tables, engine and migrations (SQLite by default, PostgreSQL at scale)."""
