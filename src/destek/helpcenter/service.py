"""Help-center content: articles and their translations, publishing, settings (categories are in
destek.helpcenter.categories, the public site's reads, views and votes in destek.helpcenter.public).

Every function takes the session first and keyword-only arguments; none commits. Writers check that
the actor is an administrator; a foreign id is not found. A write that changes what the public sees
re-indexes the translation (its embeddings) and gives the account a new search version.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.service import Actor, require_admin
from destek.db import utcnow
from destek.errors import Conflict, Invalid, NotFound
from destek.events import log as events
from destek.events.schemas import (
    ArticleCreated,
    ArticleDeleted,
    ArticleUpdated,
)
from destek.helpcenter import render
from destek.helpcenter.categories import get_category
from destek.helpcenter.indexing import chunks, index_translation
from destek.helpcenter.models import Article, Category, HelpCenter, Translation
from destek.helpcenter.schemas import (
    MAX_QUESTIONS,
    ArticleBrief,
    ArticleCreate,
    ArticleOut,
    ArticleUpdate,
    HelpCenterOut,
    HelpCenterUpdate,
    TranslationBrief,
    TranslationIn,
    TranslationOut,
)
from destek.helpcenter.search import article_path

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
        questions=list(translation.questions or []),
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
    await session.delete(article)
    await session.flush()
    if any(t.status == "published" for t in translations):
        await _bump(session, account_id=actor.account_id)
    events.record(session, ArticleDeleted(article=brief), account_id=actor.account_id)


# --- translations ------------------------------------------------------------------------------


async def _record_update(
    session: AsyncSession, *, actor: Actor, article: Article, changed: list[str]
) -> None:
    """article.updated on the log, with the article's languages as they now are."""
    translations = (await translations_of(session, article_ids=[article.id]))[article.id]
    events.record(
        session,
        ArticleUpdated(article=_brief(article, translations), changed=changed),
        account_id=actor.account_id,
    )


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
    translation.questions = list(data.questions) or None
    if data.status == "published" and translation.status != "published":
        translation.published_at = now
    translation.status = data.status
    translation.updated_at = now
    if existing is None:
        session.add(translation)
    await session.flush()
    await index_translation(session, translation)
    return translation


async def publish_texts(session: AsyncSession, *, actor: Actor, article_id: int, locale: str) -> list[str]:
    """What publishing the article's `locale` translation will embed (empty when it is published
    already or there is none): embed them (prepare_texts) off the loop before the unit of work."""
    require_admin(actor)
    article = await get_article(session, account_id=actor.account_id, article_id=article_id)
    translation = await get_translation(session, article=article, locale=locale)
    if translation.status == "published":
        return []
    return chunks(
        title=translation.title,
        summary=translation.summary,
        body=translation.body,
        questions=translation.questions or [],
    )


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
    changed = [f"translation.{locale}"]
    if was_published != (translation.status == "published"):
        changed.append(f"status.{locale}")
    await _record_update(session, actor=actor, article=article, changed=changed)
    return translation, existing is None


async def delete_translation(session: AsyncSession, *, actor: Actor, article: Article, locale: str) -> None:
    require_admin(actor)
    translation = await get_translation(session, article=article, locale=locale)
    translations = (await translations_of(session, article_ids=[article.id]))[article.id]
    if len(translations) == 1:
        raise Invalid("an article keeps at least one translation: delete the article instead", field="locale")
    was_published = translation.status == "published"
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
    await index_translation(session, translation)
    await _bump(session, account_id=actor.account_id)
    await _record_update(session, actor=actor, article=article, changed=[f"status.{locale}"])
    return translation


async def add_question(
    session: AsyncSession, *, actor: Actor, article: Article, locale: str, question: str
) -> Translation:
    """One more example question on the article's `locale` translation (a repeat changes nothing).
    Embed its chunks first (question_texts + indexing.prepare_texts, off the loop)."""
    require_admin(actor)
    translation = await get_translation(session, article=article, locale=locale)
    questions = list(translation.questions or [])
    if question.casefold() in {q.casefold() for q in questions}:
        return translation
    if len(questions) >= MAX_QUESTIONS:
        raise Invalid(
            f"the {locale} translation has {MAX_QUESTIONS} example questions already", field="questions"
        )
    translation.questions = [*questions, question]
    translation.updated_at = utcnow()
    await session.flush()
    await index_translation(session, translation)
    if translation.status == "published":
        await _bump(session, account_id=actor.account_id)
    await _record_update(session, actor=actor, article=article, changed=[f"questions.{locale}"])
    return translation


async def question_texts(session: AsyncSession, *, article: Article, locale: str, question: str) -> list[str]:
    """What add_question will embed, to embed (indexing.prepare_texts) before the unit of work."""
    translation = await get_translation(session, article=article, locale=locale)
    if translation.status != "published":
        return []
    return chunks(
        title=translation.title,
        summary=translation.summary,
        body=translation.body,
        questions=[*(translation.questions or []), question],
    )


# --- public reads, views and votes -------------------------------------------------------------


async def published_locales(session: AsyncSession, *, account_id: int) -> list[str]:
    rows = await session.scalars(
        select(Translation.locale)
        .where(Translation.account_id == account_id, Translation.status == "published")
        .distinct()
    )
    return sorted(rows)


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
