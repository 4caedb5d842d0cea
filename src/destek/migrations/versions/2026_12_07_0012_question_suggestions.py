"""help center: example questions suggested from resolved conversations

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

When an agent resolves a conversation in which they sent a help-center article, the customer's
question is suggested to the article's authors as an example question (helpcenter/suggestions.py);
they add it or dismiss it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import destek.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _big(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "hc_question_suggestions",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        _big("account_id"),
        _big("article_id"),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        _big("conversation_id", nullable=True),
        sa.Column("created_at", destek.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_hc_question_suggestions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["hc_articles.id"],
            name=op.f("fk_hc_question_suggestions_article_id_hc_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hc_question_suggestions")),
        sa.UniqueConstraint(
            "article_id", "locale", "text", name=op.f("uq_hc_question_suggestions_article_id_locale_text")
        ),
    )
    with op.batch_alter_table("hc_question_suggestions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hc_question_suggestions_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_hc_question_suggestions_article_id"), ["article_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("hc_question_suggestions")
