"""Help-center categories: the sections of the public site that articles are filed under.

Like destek.helpcenter.service: the session first, keyword-only arguments, no commit; writers check that
the actor is an administrator; a foreign id is not found."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.service import Actor, require_admin
from destek.db import utcnow
from destek.errors import Conflict, NotFound
from destek.events import log as events
from destek.events.schemas import CategoryCreated, CategoryDeleted, CategoryUpdated
from destek.helpcenter import render
from destek.helpcenter.models import Article, Category
from destek.helpcenter.schemas import CategoryIn, CategoryOut, CategoryUpdate


def category_out(category: Category, article_count: int = 0) -> CategoryOut:
    return CategoryOut(
        id=category.id,
        key=category.key,
        names=dict(category.names),
        descriptions=dict(category.descriptions),
        position=category.position,
        article_count=article_count,
    )


def category_name(category: Category, locale: str) -> str:
    names: dict[str, str] = category.names
    return names.get(locale) or next(iter(names.values()), category.key)


async def list_categories(session: AsyncSession, *, account_id: int) -> list[tuple[Category, int]]:
    counts = (
        select(Article.category_id, func.count(Article.id).label("n"))
        .where(Article.account_id == account_id)
        .group_by(Article.category_id)
        .subquery()
    )
    rows = await session.execute(
        select(Category, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.category_id == Category.id)
        .where(Category.account_id == account_id)
        .order_by(Category.position, Category.id)
    )
    return [(category, int(n)) for category, n in rows]


async def get_category(session: AsyncSession, *, account_id: int, category_id: int) -> Category:
    category = await session.get(Category, category_id)
    if category is None or category.account_id != account_id:
        raise NotFound(f"category {category_id} not found", field="category_id")
    return category


async def category_by_key(session: AsyncSession, *, account_id: int, key: str) -> Category | None:
    found: Category | None = await session.scalar(
        select(Category).where(Category.account_id == account_id, Category.key == key)
    )
    return found


async def _free_category_key(session: AsyncSession, *, account_id: int, key: str, own: int | None) -> None:
    existing = await category_by_key(session, account_id=account_id, key=key)
    if existing is not None and existing.id != own:
        raise Conflict(f"a category with key {key!r} already exists", field="key")


async def create_category(session: AsyncSession, *, actor: Actor, data: CategoryIn) -> Category:
    require_admin(actor)
    key = data.key or render.slugify(next(iter(data.names.values())), fallback="category")
    await _free_category_key(session, account_id=actor.account_id, key=key, own=None)
    category = Category(
        account_id=actor.account_id,
        key=key,
        names={k: v.strip() for k, v in data.names.items()},
        descriptions=dict(data.descriptions),
        position=data.position,
    )
    session.add(category)
    await session.flush()
    events.record(session, CategoryCreated(category=category_out(category)), account_id=actor.account_id)
    return category


async def update_category(
    session: AsyncSession, *, actor: Actor, category: Category, data: CategoryUpdate
) -> Category:
    require_admin(actor)
    changed: list[str] = []
    if data.key is not None and data.key != category.key:
        await _free_category_key(session, account_id=actor.account_id, key=data.key, own=category.id)
        category.key = data.key
        changed.append("key")
    if data.names is not None:
        category.names = {k: v.strip() for k, v in data.names.items()}
        changed.append("names")
    if data.descriptions is not None:
        category.descriptions = dict(data.descriptions)
        changed.append("descriptions")
    if data.position is not None and data.position != category.position:
        category.position = data.position
        changed.append("position")
    if changed:
        category.updated_at = utcnow()
        await session.flush()
        events.record(
            session,
            CategoryUpdated(category=category_out(category), changed=changed),
            account_id=actor.account_id,
        )
    return category


async def delete_category(session: AsyncSession, *, actor: Actor, category: Category) -> None:
    """Its articles stay, without a category."""
    require_admin(actor)
    out = category_out(category)
    await session.execute(update(Article).where(Article.category_id == category.id).values(category_id=None))
    await session.delete(category)
    await session.flush()
    events.record(session, CategoryDeleted(category=out), account_id=actor.account_id)
