"""help center: the tenant is part of the SQLite full-text match

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23

On SQLite hc_fts had `account_id UNINDEXED`: every account's matches were scanned and ranked, then
filtered. It gets an indexed `tenant` column holding one token per account ("a42"), which a search
ANDs into its MATCH (see destek.helpcenter.fulltext). PostgreSQL is unchanged (account_id is indexed).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("ALTER TABLE hc_fts RENAME TO hc_fts_old")
    op.execute(f"CREATE VIRTUAL TABLE hc_fts USING fts5(title, body, tenant, {TOKENIZE})")
    op.execute(
        "INSERT INTO hc_fts (rowid, title, body, tenant)"
        " SELECT rowid, title, body, 'a' || account_id FROM hc_fts_old"
    )
    op.execute("DROP TABLE hc_fts_old")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("ALTER TABLE hc_fts RENAME TO hc_fts_new")
    op.execute(f"CREATE VIRTUAL TABLE hc_fts USING fts5(title, body, account_id UNINDEXED, {TOKENIZE})")
    op.execute(
        "INSERT INTO hc_fts (rowid, title, body, account_id)"
        " SELECT rowid, title, body, CAST(substr(tenant, 2) AS INTEGER) FROM hc_fts_new"
    )
    op.execute("DROP TABLE hc_fts_new")
