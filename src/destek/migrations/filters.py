"""What the models-vs-database comparison (autogenerate, tests/contacts/test_schema.py) leaves out:
tables made by hand in migrations that SQLAlchemy models cannot describe."""

from __future__ import annotations

# The help center's full-text index: an FTS5 virtual table (and its shadow tables) on SQLite, a
# tsvector table on PostgreSQL (migration 0004).
UNMODELLED_PREFIXES = ("hc_fts",)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (type_ in ("table", "index") and name is not None and name.startswith(UNMODELLED_PREFIXES))
