"""The public help center's reads, page views and votes (the pages in destek.helpcenter.pages); what
other domains read of the help center is in destek.helpcenter.service."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from destek.errors import NotFound
from destek.helpcenter.models import Article, Translation, Vote
from destek.helpcenter.service import get_article
from destek.security import sha256_hex


async def published_articles(
    session: AsyncSession, *, account_id: int, locale: str, category_id: int | None = None
) -> list[tuple[Article, Translation]]:
    query = (
        select(Article, Translation)
        .join(Translation, Translation.article_id == Article.id)
        .where(
            Article.account_id == account_id,
            Translation.locale == locale,
            Translation.status == "published",
        )
        .order_by(Article.position, Article.id)
    )
    if category_id is not None:
        query = query.where(Article.category_id == category_id)
    return [(article, translation) for article, translation in await session.execute(query)]


async def published_translation(
    session: AsyncSession, *, account_id: int, article_id: int, locale: str
) -> tuple[Article, Translation, list[Translation]]:
    """The article in `locale` and its other published translations; NotFound unless published."""
    article = await get_article(session, account_id=account_id, article_id=article_id)
    rows = list(
        await session.scalars(
            select(Translation)
            .where(Translation.article_id == article.id, Translation.status == "published")
            .order_by(Translation.locale)
        )
    )
    current = next((t for t in rows if t.locale == locale), None)
    if current is None:
        raise NotFound(f"article {article_id} not found")
    return article, current, rows


async def count_view(session: AsyncSession, *, translation_id: int) -> None:
    """A page view: a counter, not worth an event."""
    await session.execute(
        update(Translation)
        .where(Translation.id == translation_id)
        # updated_at kept: a view or a vote is not an edit (the column's onupdate would bump it).
        .values(view_count=Translation.view_count + 1, updated_at=Translation.updated_at)
        .execution_options(synchronize_session=False)
    )


async def vote(
    session: AsyncSession, *, translation: Translation, visitor: str, helpful: bool
) -> Translation:
    """One vote per visitor and translation; voting again changes the visitor's answer."""
    visitor_hash = sha256_hex(visitor)
    delta_yes = delta_no = 0
    existing: Vote | None = await session.scalar(
        select(Vote).where(Vote.translation_id == translation.id, Vote.visitor == visitor_hash)
    )
    if existing is None:
        try:  # two clicks of one visitor at once: the unique key keeps one, the other changes it
            async with session.begin_nested():
                session.add(
                    Vote(
                        account_id=translation.account_id,
                        translation_id=translation.id,
                        visitor=visitor_hash,
                        helpful=helpful,
                    )
                )
                await session.flush()
            delta_yes, delta_no = (1, 0) if helpful else (0, 1)
        except IntegrityError:
            existing = await session.scalar(
                select(Vote).where(Vote.translation_id == translation.id, Vote.visitor == visitor_hash)
            )
    if existing is not None and existing.helpful != helpful:
        existing.helpful = helpful
        delta_yes, delta_no = (1, -1) if helpful else (-1, 1)
    if delta_yes or delta_no:
        await session.execute(
            update(Translation)
            .where(Translation.id == translation.id)
            .values(
                helpful_yes=Translation.helpful_yes + delta_yes,
                helpful_no=Translation.helpful_no + delta_no,
                updated_at=Translation.updated_at,
            )
            .execution_options(synchronize_session=False)
        )
        await session.flush()
    await session.refresh(translation)
    return translation


async def category_locales(session: AsyncSession, *, category_id: int) -> list[str]:
    rows = await session.scalars(
        select(Translation.locale)
        .join(Article, Article.id == Translation.article_id)
        .where(Article.category_id == category_id, Translation.status == "published")
        .distinct()
    )
    return sorted(rows)


async def sitemap_entries(session: AsyncSession, *, account_id: int) -> list[list[Translation]]:
    """Published translations grouped by article (each group: one article's languages)."""
    rows = await session.scalars(
        select(Translation)
        .where(Translation.account_id == account_id, Translation.status == "published")
        .order_by(Translation.article_id, Translation.locale)
    )
    groups: dict[int, list[Translation]] = {}
    for translation in rows:
        groups.setdefault(translation.article_id, []).append(translation)
    return list(groups.values())
