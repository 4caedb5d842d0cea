"""help center

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import destek.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[int]:
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
    )


def _ref(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False)


def _time(name: str) -> sa.Column[object]:
    return sa.Column(name, destek.db.UTCDateTime(timezone=True), nullable=False)


def _json(name: str) -> sa.Column[object]:
    return sa.Column(
        name,
        sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
        nullable=False,
    )


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "hc_sites",
        _ref("account_id"),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("default_locale", sa.String(length=16), nullable=True),
        sa.Column("search_version", sa.String(length=32), nullable=False),
        _time("updated_at"),
        _fk("hc_sites", "account_id", "accounts"),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_hc_sites")),
    )
    op.create_table(
        "hc_categories",
        _id(),
        _ref("account_id"),
        sa.Column("key", sa.String(length=100), nullable=False),
        _json("names"),
        _json("descriptions"),
        sa.Column("position", sa.Integer(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        _fk("hc_categories", "account_id", "accounts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hc_categories")),
        sa.UniqueConstraint("account_id", "key", name=op.f("uq_hc_categories_account_id_key")),
    )
    _indexes("hc_categories", "account_id")
    op.create_table(
        "hc_articles",
        _id(),
        _ref("account_id"),
        sa.Column("category_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        _fk("hc_articles", "account_id", "accounts"),
        _fk("hc_articles", "category_id", "hc_categories", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hc_articles")),
        sa.UniqueConstraint("account_id", "key", name=op.f("uq_hc_articles_account_id_key")),
    )
    _indexes("hc_articles", "account_id", "category_id")
    op.create_table(
        "hc_translations",
        _id(),
        _ref("account_id"),
        _ref("article_id"),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_at", destek.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("view_count", sa.Integer(), nullable=False),
        sa.Column("helpful_yes", sa.Integer(), nullable=False),
        sa.Column("helpful_no", sa.Integer(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        _fk("hc_translations", "account_id", "accounts"),
        _fk("hc_translations", "article_id", "hc_articles"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hc_translations")),
        sa.UniqueConstraint("article_id", "locale", name=op.f("uq_hc_translations_article_id_locale")),
    )
    _indexes("hc_translations", "account_id", "article_id")
    op.create_table(
        "hc_votes",
        _id(),
        _ref("account_id"),
        _ref("translation_id"),
        sa.Column("visitor", sa.String(length=64), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        _time("created_at"),
        _fk("hc_votes", "account_id", "accounts"),
        _fk("hc_votes", "translation_id", "hc_translations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hc_votes")),
        sa.UniqueConstraint("translation_id", "visitor", name=op.f("uq_hc_votes_translation_id_visitor")),
    )
    _indexes("hc_votes", "account_id", "translation_id")
    op.create_table(
        "hc_embeddings",
        _id(),
        _ref("account_id"),
        _ref("translation_id"),
        sa.Column("chunk", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        _fk("hc_embeddings", "account_id", "accounts"),
        _fk("hc_embeddings", "translation_id", "hc_translations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hc_embeddings")),
        sa.UniqueConstraint("translation_id", "chunk", name=op.f("uq_hc_embeddings_translation_id_chunk")),
    )
    _indexes("hc_embeddings", "account_id", "translation_id")
    # Full-text index over folded text (lowercase, no diacritics: destek.nlp.text.fold), outside the
    # models: the schema check skips hc_fts*. rowid / translation_id is the translation's id.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE hc_fts USING fts5("
            "title, body, account_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
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


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS hc_fts")
    op.drop_table("hc_embeddings")
    op.drop_table("hc_votes")
    op.drop_table("hc_translations")
    op.drop_table("hc_articles")
    op.drop_table("hc_categories")
    op.drop_table("hc_sites")
