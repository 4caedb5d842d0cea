"""Help-center tables: categories, articles, per-locale translations, votes, search embeddings, and
example questions suggested from conversations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from destek.db import Base, BigId, JSONType, UTCDateTime, utcnow


class HelpCenter(Base):
    """Per-account help-center settings, and the version of its searchable content: bumped in every
    transaction that changes published text, so each node knows when its in-memory index is stale."""

    __tablename__ = "hc_sites"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)  # None: the account's name
    default_locale: Mapped[str | None] = mapped_column(String(16), nullable=True)  # None: account's
    search_version: Mapped[str] = mapped_column(String(32), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Category(Base):
    __tablename__ = "hc_categories"
    __table_args__ = (UniqueConstraint("account_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))  # stable name for import/export ("payment")
    # {locale: text}; a locale missing here falls back to the first name the category has.
    names: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    descriptions: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Article(Base):
    __tablename__ = "hc_articles"
    __table_args__ = (UniqueConstraint("account_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("hc_categories.id", ondelete="SET NULL"), index=True, nullable=True
    )
    key: Mapped[str] = mapped_column(String(100))  # links the translations of one article in files
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Translation(Base):
    """One article in one language: its own title, slug, body and draft/published status."""

    __tablename__ = "hc_translations"
    __table_args__ = (UniqueConstraint("article_id", "locale"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("hc_articles.id", ondelete="CASCADE"), index=True)
    locale: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")  # meta description, search snippet
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, as written
    body_html: Mapped[str] = mapped_column(Text, default="")  # rendered and sanitised
    body_text: Mapped[str] = mapped_column(Text, default="")  # plain text, for snippets
    # Questions customers ask that it answers, as its author wrote them (searched; None: none).
    questions: Mapped[list[str] | None] = mapped_column(JSONType, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | published
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    helpful_yes: Mapped[int] = mapped_column(Integer, default=0)
    helpful_no: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Vote(Base):
    """ "Was this helpful?": one per visitor (a cookie, stored hashed) and translation; a new answer
    replaces the visitor's earlier one."""

    __tablename__ = "hc_votes"
    __table_args__ = (UniqueConstraint("translation_id", "visitor"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    translation_id: Mapped[int] = mapped_column(
        ForeignKey("hc_translations.id", ondelete="CASCADE"), index=True
    )
    visitor: Mapped[str] = mapped_column(String(64))
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuestionSuggestion(Base):
    """A customer's question, from a conversation an agent resolved by sending this article: offered to
    the article's authors as an example question (helpcenter/suggestions.py)."""

    __tablename__ = "hc_question_suggestions"
    __table_args__ = (UniqueConstraint("article_id", "locale", "text"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("hc_articles.id", ondelete="CASCADE"), index=True)
    locale: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(300))
    conversation_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Embedding(Base):
    """A published translation's vectors for semantic search: chunk 0 is the title with the summary
    (or the opening), the others one section each. `text` lets another embedder rebuild them."""

    __tablename__ = "hc_embeddings"
    __table_args__ = (UniqueConstraint("translation_id", "chunk"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    translation_id: Mapped[int] = mapped_column(
        ForeignKey("hc_translations.id", ondelete="CASCADE"), index=True
    )
    chunk: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(100))
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian, L2-normalised
