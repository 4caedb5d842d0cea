"""help center: the full-text table goes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

Search ranks articles by meaning and character n-grams held in memory (destek.helpcenter.ranking);
nothing reads hc_fts (SQLite FTS5, PostgreSQL tsvector) any more, and every write paid for it. The
downgrade makes it again and fills it from the translations, as the code before this revision kept it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from destek.nlp.text import fold

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DROP TABLE IF EXISTS hc_fts")


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        op.execute(
            "CREATE VIRTUAL TABLE hc_fts USING fts5("
            "title, body, tenant, tokenize = 'unicode61 remove_diacritics 2')"
        )
        insert = sa.text(
            "INSERT INTO hc_fts (rowid, title, body, tenant) VALUES (:id, :title, :body, :tenant)"
        )
    else:
        op.execute(
            "CREATE TABLE hc_fts ("
            " translation_id BIGINT PRIMARY KEY REFERENCES hc_translations (id) ON DELETE CASCADE,"
            " account_id BIGINT NOT NULL,"
            " document TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX hc_fts_document ON hc_fts USING GIN (document)")
        op.execute("CREATE INDEX hc_fts_account ON hc_fts (account_id)")
        insert = sa.text(
            "INSERT INTO hc_fts (translation_id, account_id, document) VALUES (:id, :account,"
            " setweight(to_tsvector('simple', :title), 'A') || setweight(to_tsvector('simple', :body), 'B'))"
        )
    rows = bind.execute(sa.text("SELECT id, account_id, title, summary, body_text FROM hc_translations"))
    for translation_id, account_id, title, summary, body in rows.all():
        bind.execute(
            insert,
            {
                "id": translation_id,
                "account": account_id,
                "tenant": f"a{int(account_id)}",
                "title": fold(f"{title} {summary}"),
                "body": fold(body),
            },
        )
