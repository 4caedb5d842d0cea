"""Help-center content: categories, articles and their translations, publishing, views and votes.

Every function takes the session first and keyword-only arguments; none commits. Writers check that
the actor is an administrator; a foreign id is not found. A write that changes what the public sees
re-indexes the translation (full text and embeddings) and gives the account a new search version.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.service import Actor, require_admin
from destek.db import utcnow
from destek.errors import Conflict, Invalid, NotFound
from destek.events import log as events
from destek.events.schemas import (
    ArticleCreated,
    ArticleDeleted,
    ArticleUpdated,
    CategoryCreated,
    CategoryDeleted,
    CategoryUpdated,
)
from destek.helpcenter import fulltext, render
from destek.helpcenter.models import Article, Category, Embedding, HelpCenter, Translation, Vote
from destek.helpcenter.schemas import (
    ArticleBrief,
    ArticleCreate,
    ArticleOut,
    ArticleUpdate,
    CategoryIn,
    CategoryOut,
    CategoryUpdate,
    HelpCenterOut,
    HelpCenterUpdate,
    TranslationBrief,
    TranslationIn,
    TranslationOut,
)
from destek.helpcenter.search import article_path, embed, embedder, vector_bytes
from destek.security import sha256_hex

MAX_SECTIONS = 8
CHUNK_CHARS = 600

# --- site and search version -------------------------------------------------------------------


async def site(session: AsyncSession, *, account_id: int) -> HelpCenter:
    """The account's help-center row, made on first use (two first writers at once: one row)."""
    found = await session.get(HelpCenter, account_id)
    if found is None:
        values = {"account_id": account_id, "search_version": uuid.uuid4().hex, "updated_at": utcnow()}
        insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
        await session.execute(insert(HelpCenter).values(**values).on_conflict_do_nothing())
        found = await session.get(HelpCenter, account_id, populate_existing=True)
        assert found is not None
    return found


async def _bump(session: AsyncSession, *, account_id: int) -> None:
    (await site(session, account_id=account_id)).search_version = uuid.uuid4().hex


# --- out-models --------------------------------------------------------------------------------


def translation_out(translation: Translation) -> TranslationOut:
    return TranslationOut(
        id=translation.id,
        locale=translation.locale,
        title=translation.title,
        slug=translation.slug,
        summary=translation.summary,
        body=translation.body,
        body_html=translation.body_html,
        status=translation.status,
        published_at=translation.published_at,
        url=article_path(
            account_id=translation.account_id,
            locale=translation.locale,
            article_id=translation.article_id,
            slug=translation.slug,
        ),
        view_count=translation.view_count,
        helpful_yes=translation.helpful_yes,
        helpful_no=translation.helpful_no,
        updated_at=translation.updated_at,
    )


def article_out(article: Article, translations: Sequence[Translation]) -> ArticleOut:
    return ArticleOut(
        id=article.id,
        key=article.key,
        category_id=article.category_id,
        position=article.position,
        created_at=article.created_at,
        updated_at=article.updated_at,
        translations=[translation_out(t) for t in sorted(translations, key=lambda t: t.locale)],
    )


def _brief(article: Article, translations: Sequence[Translation]) -> ArticleBrief:
    return ArticleBrief(
        id=article.id,
        key=article.key,
        category_id=article.category_id,
        translations=[
            TranslationBrief(id=t.id, locale=t.locale, title=t.title, slug=t.slug, status=t.status)
            for t in sorted(translations, key=lambda t: t.locale)
        ],
    )


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


# --- categories --------------------------------------------------------------------------------


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


# --- articles ----------------------------------------------------------------------------------


async def get_article(session: AsyncSession, *, account_id: int, article_id: int) -> Article:
    article = await session.get(Article, article_id)
    if article is None or article.account_id != account_id:
        raise NotFound(f"article {article_id} not found")
    return article


async def article_by_key(session: AsyncSession, *, account_id: int, key: str) -> Article | None:
    found: Article | None = await session.scalar(
        select(Article).where(Article.account_id == account_id, Article.key == key)
    )
    return found


async def translations_of(
    session: AsyncSession, *, article_ids: Sequence[int]
) -> dict[int, list[Translation]]:
    found: dict[int, list[Translation]] = {article_id: [] for article_id in article_ids}
    if not article_ids:
        return found
    rows = await session.scalars(
        select(Translation).where(Translation.article_id.in_(list(article_ids))).order_by(Translation.locale)
    )
    for translation in rows:
        found[translation.article_id].append(translation)
    return found


async def list_articles(
    session: AsyncSession,
    *,
    account_id: int,
    category_id: int | None = None,
    status: str | None = None,
    locale: str | None = None,
    q: str | None = None,
) -> list[tuple[Article, list[Translation]]]:
    """Articles by category position, then their own; filters keep articles with a matching
    translation (title containing `q`, in `locale`, with `status`)."""
    query = (
        select(Article)
        .outerjoin(Category, Category.id == Article.category_id)
        .where(Article.account_id == account_id)
        .order_by(Category.position.is_(None), Category.position, Article.position, Article.id)
    )
    if category_id is not None:
        query = query.where(Article.category_id == category_id)
    if status is not None or locale is not None or q:
        match = select(Translation.article_id).where(Translation.account_id == account_id)
        if status is not None:
            match = match.where(Translation.status == status)
        if locale is not None:
            match = match.where(Translation.locale == locale)
        if q:
            pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            match = match.where(func.lower(Translation.title).like(pattern.lower(), escape="\\"))
        query = query.where(Article.id.in_(match))
    articles = list(await session.scalars(query))
    translations = await translations_of(session, article_ids=[a.id for a in articles])
    return [(article, translations[article.id]) for article in articles]


async def _free_article_key(session: AsyncSession, *, account_id: int, key: str, own: int | None) -> None:
    existing = await article_by_key(session, account_id=account_id, key=key)
    if existing is not None and existing.id != own:
        raise Conflict(f"an article with key {key!r} already exists", field="key")


async def _new_article_key(session: AsyncSession, *, account_id: int, title: str) -> str:
    base = render.slugify(title)[:90]
    key, n = base, 1
    while await article_by_key(session, account_id=account_id, key=key) is not None:
        n += 1
        key = f"{base}-{n}"
    return key


async def create_article(
    session: AsyncSession, *, actor: Actor, data: ArticleCreate
) -> tuple[Article, list[Translation]]:
    require_admin(actor)
    if data.category_id is not None:
        await get_category(session, account_id=actor.account_id, category_id=data.category_id)
    first = next(iter(data.translations.values()))
    if data.key is not None:
        await _free_article_key(session, account_id=actor.account_id, key=data.key, own=None)
        key = data.key
    else:
        key = await _new_article_key(session, account_id=actor.account_id, title=first.title)
    article = Article(
        account_id=actor.account_id, key=key, category_id=data.category_id, position=data.position
    )
    session.add(article)
    await session.flush()
    translations = [
        await _write_translation(session, article=article, locale=locale, data=body, existing=None)
        for locale, body in data.translations.items()
    ]
    if any(t.status == "published" for t in translations):
        await _bump(session, account_id=actor.account_id)
    events.record(session, ArticleCreated(article=_brief(article, translations)), account_id=actor.account_id)
    return article, translations


async def update_article(
    session: AsyncSession, *, actor: Actor, article: Article, data: ArticleUpdate
) -> tuple[Article, list[Translation]]:
    require_admin(actor)
    changed: list[str] = []
    fields = data.model_fields_set
    if "key" in fields and data.key is not None and data.key != article.key:
        await _free_article_key(session, account_id=actor.account_id, key=data.key, own=article.id)
        article.key = data.key
        changed.append("key")
    if "category_id" in fields and data.category_id != article.category_id:
        if data.category_id is not None:
            await get_category(session, account_id=actor.account_id, category_id=data.category_id)
        article.category_id = data.category_id
        changed.append("category")
    if "position" in fields and data.position is not None and data.position != article.position:
        article.position = data.position
        changed.append("position")
    translations = (await translations_of(session, article_ids=[article.id]))[article.id]
    if changed:
        article.updated_at = utcnow()
        await session.flush()
        events.record(
            session,
            ArticleUpdated(article=_brief(article, translations), changed=changed),
            account_id=actor.account_id,
        )
    return article, translations


async def delete_article(session: AsyncSession, *, actor: Actor, article: Article) -> None:
    require_admin(actor)
    translations = (await translations_of(session, article_ids=[article.id]))[article.id]
    brief = _brief(article, translations)
    await fulltext.remove(session, translation_ids=[t.id for t in translations])
    await session.delete(article)
    await session.flush()
    if any(t.status == "published" for t in translations):
        await _bump(session, account_id=actor.account_id)
    events.record(session, ArticleDeleted(article=brief), account_id=actor.account_id)


# --- translations ------------------------------------------------------------------------------


async def get_translation(session: AsyncSession, *, article: Article, locale: str) -> Translation:
    found: Translation | None = await session.scalar(
        select(Translation).where(Translation.article_id == article.id, Translation.locale == locale)
    )
    if found is None:
        raise NotFound(f"article {article.id} has no {locale} translation", field="locale")
    return found


async def _write_translation(
    session: AsyncSession, *, article: Article, locale: str, data: TranslationIn, existing: Translation | None
) -> Translation:
    body_html = render.to_html(data.body)
    body_text = render.to_text(body_html)
    slug = data.slug or render.slugify(data.title)
    now = utcnow()
    translation = existing or Translation(account_id=article.account_id, article_id=article.id, locale=locale)
    translation.title = data.title.strip()
    translation.slug = slug  # need not be unique: the id is in the URL
    translation.summary = data.summary.strip()
    translation.body = data.body
    translation.body_html = body_html
    translation.body_text = body_text
    if data.status == "published" and translation.status != "published":
        translation.published_at = now
    translation.status = data.status
    translation.updated_at = now
    if existing is None:
        session.add(translation)
    await session.flush()
    await _index_translation(session, translation)
    return translation


def chunks(*, title: str, summary: str, body: str) -> list[str]:
    """What semantic search embeds: the title with the summary (or the opening), then each section."""
    parts = render.sections(body)
    opening = summary or (parts[0].text if parts else "")
    found = [f"{title.strip()}. {render.excerpt(opening, 300)}".strip()]
    for part in parts[:MAX_SECTIONS]:
        if part.heading:
            found.append(f"{part.heading}. {render.excerpt(part.text, CHUNK_CHARS)}".strip())
    return found


def prepare_embeddings(translations: Sequence[TranslationIn]) -> None:
    """Embed the published ones now, so the writing transaction finds the vectors ready. Call it in a
    thread before opening the unit of work: on SQLite a writer holds the database's write lock."""
    texts = [
        text
        for data in translations
        if data.status == "published"
        for text in chunks(title=data.title, summary=data.summary, body=data.body)
    ]
    if texts:
        embed(texts)


async def publish_texts(session: AsyncSession, *, actor: Actor, article_id: int, locale: str) -> list[str]:
    """What publishing the article's `locale` translation will embed (empty when it is published
    already or there is none): embed them (prepare_texts) off the loop before the unit of work."""
    require_admin(actor)
    article = await get_article(session, account_id=actor.account_id, article_id=article_id)
    translation = await get_translation(session, article=article, locale=locale)
    if translation.status == "published":
        return []
    return chunks(title=translation.title, summary=translation.summary, body=translation.body)


def prepare_texts(texts: Sequence[str]) -> None:
    """Embed texts now (blocking: in a thread), so a writing transaction finds the vectors ready."""
    if texts:
        embed(list(texts))


async def _index_translation(session: AsyncSession, translation: Translation) -> None:
    await fulltext.upsert(
        session,
        translation_id=translation.id,
        account_id=translation.account_id,
        title=f"{translation.title} {translation.summary}",
        body=translation.body_text,
    )
    await session.execute(delete(Embedding).where(Embedding.translation_id == translation.id))
    if translation.status != "published":
        return
    model = embedder()
    texts = chunks(title=translation.title, summary=translation.summary, body=translation.body)
    vectors = embed(texts)
    session.add_all(
        Embedding(
            account_id=translation.account_id,
            translation_id=translation.id,
            chunk=i,
            text=text,
            model=model.name,
            vector=vector_bytes(vector),
        )
        for i, (text, vector) in enumerate(zip(texts, vectors, strict=True))
    )
    await session.flush()


async def put_translation(
    session: AsyncSession, *, actor: Actor, article: Article, locale: str, data: TranslationIn
) -> tuple[Translation, bool]:
    """Create or replace the article's text in one language; True when it was created."""
    require_admin(actor)
    existing: Translation | None = await session.scalar(
        select(Translation).where(Translation.article_id == article.id, Translation.locale == locale)
    )
    was_published = existing is not None and existing.status == "published"
    translation = await _write_translation(
        session, article=article, locale=locale, data=data, existing=existing
    )
    if was_published or translation.status == "published":
        await _bump(session, account_id=actor.account_id)
    article.updated_at = utcnow()
    translations = (await translations_of(session, article_ids=[article.id]))[article.id]
    changed = [f"translation.{locale}"]
    if was_published != (translation.status == "published"):
        changed.append(f"status.{locale}")
    events.record(
        session,
        ArticleUpdated(article=_brief(article, translations), changed=changed),
        account_id=actor.account_id,
    )
    return translation, existing is None


async def delete_translation(session: AsyncSession, *, actor: Actor, article: Article, locale: str) -> None:
    require_admin(actor)
    translation = await get_translation(session, article=article, locale=locale)
    translations = (await translations_of(session, article_ids=[article.id]))[article.id]
    if len(translations) == 1:
        raise Invalid("an article keeps at least one translation: delete the article instead", field="locale")
    was_published = translation.status == "published"
    await fulltext.remove(session, translation_ids=[translation.id])
    await session.delete(translation)
    await session.flush()
    if was_published:
        await _bump(session, account_id=actor.account_id)
    rest = [t for t in translations if t.id != translation.id]
    events.record(
        session,
        ArticleUpdated(article=_brief(article, rest), changed=[f"deleted.{locale}"]),
        account_id=actor.account_id,
    )


async def set_published(
    session: AsyncSession, *, actor: Actor, article: Article, locale: str, published: bool
) -> Translation:
    require_admin(actor)
    translation = await get_translation(session, article=article, locale=locale)
    status = "published" if published else "draft"
    if translation.status == status:
        return translation
    translation.status = status
    translation.updated_at = utcnow()
    if published:
        translation.published_at = translation.updated_at
    await session.flush()
    await _index_translation(session, translation)
    await _bump(session, account_id=actor.account_id)
    translations = (await translations_of(session, article_ids=[article.id]))[article.id]
    events.record(
        session,
        ArticleUpdated(article=_brief(article, translations), changed=[f"status.{locale}"]),
        account_id=actor.account_id,
    )
    return translation


# --- public reads, views and votes -------------------------------------------------------------


async def published_locales(session: AsyncSession, *, account_id: int) -> list[str]:
    rows = await session.scalars(
        select(Translation.locale)
        .where(Translation.account_id == account_id, Translation.status == "published")
        .distinct()
    )
    return sorted(rows)


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


async def most_read(
    session: AsyncSession, *, account_id: int, locale: str | None, limit: int
) -> list[Translation]:
    if locale is None:
        return []
    rows = await session.scalars(
        select(Translation)
        .where(
            Translation.account_id == account_id,
            Translation.locale == locale,
            Translation.status == "published",
        )
        .order_by(Translation.view_count.desc(), Translation.id)
        .limit(limit)
    )
    return list(rows)


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


async def settings_out(session: AsyncSession, *, account_id: int, base_url: str) -> HelpCenterOut:
    from destek.accounts import service as accounts

    account = await accounts.get_account(session, account_id=account_id)
    found = await session.get(HelpCenter, account_id)
    locales = await published_locales(session, account_id=account_id)
    default = (found.default_locale if found else None) or account.locale
    if locales and default not in locales:
        default = locales[0]
    return HelpCenterOut(
        name=(found.name if found else None) or account.name,
        default_locale=default,
        locales=locales,
        url=f"{base_url.rstrip('/')}/hc/{account_id}/{default}/",
    )


async def update_settings(session: AsyncSession, *, actor: Actor, data: HelpCenterUpdate) -> None:
    require_admin(actor)
    found = await site(session, account_id=actor.account_id)
    if "name" in data.model_fields_set:
        found.name = (data.name or "").strip() or None
    if "default_locale" in data.model_fields_set:
        found.default_locale = data.default_locale
    found.updated_at = utcnow()
    await session.flush()
