"""Agent API: help-center categories, articles, translations, publishing, search, import/export.

Agents read; administrators and owners write.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from pydantic import AfterValidator

from destek.consumers.offload import off_loop
from destek.db import MAX_ID
from destek.deps import ActorDep, StateDep
from destek.errors import Invalid
from destek.helpcenter import categories as category_service
from destek.helpcenter import indexing, service, transfer
from destek.helpcenter.schemas import (
    LOCALE_PATTERN,
    ArticleCreate,
    ArticleOut,
    ArticleUpdate,
    CategoryIn,
    CategoryOut,
    CategoryUpdate,
    HelpCenterOut,
    HelpCenterUpdate,
    ImportReport,
    SearchHitOut,
    Status,
    TranslationIn,
    TranslationOut,
    normalize_locale,
)
from destek.helpcenter.search import search as hybrid_search

router = APIRouter(prefix="/api/v1/accounts/{account_id}", tags=["help center"])

ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]
LocalePath = Annotated[
    str,
    Path(max_length=16, pattern=LOCALE_PATTERN, description="tr, en, pt-BR"),
    AfterValidator(normalize_locale),
]
LocaleQuery = Annotated[
    str | None,
    Query(max_length=16, pattern=LOCALE_PATTERN),
    AfterValidator(lambda v: v and normalize_locale(v)),
]
MAX_IMPORT_BYTES = 20 * 1024 * 1024


# --- the help center itself --------------------------------------------------------------------


@router.get(
    "/helpcenter", response_model=HelpCenterOut, summary="The public help center: name, languages, URL"
)
async def get_helpcenter(state: StateDep, actor: ActorDep) -> HelpCenterOut:
    async with state.read() as session:
        return await service.settings_out(
            session, account_id=actor.account_id, base_url=state.settings.public_url
        )


@router.patch("/helpcenter", response_model=HelpCenterOut, summary="Rename the help center (admins)")
async def update_helpcenter(body: HelpCenterUpdate, state: StateDep, actor: ActorDep) -> HelpCenterOut:
    async with state.uow() as session:
        await service.update_settings(session, actor=actor, data=body)
        return await service.settings_out(
            session, account_id=actor.account_id, base_url=state.settings.public_url
        )


# --- categories --------------------------------------------------------------------------------


@router.get("/categories", response_model=list[CategoryOut], summary="Help-center categories, in order")
async def list_categories(state: StateDep, actor: ActorDep) -> list[CategoryOut]:
    async with state.read() as session:
        rows = await category_service.list_categories(session, account_id=actor.account_id)
    return [category_service.category_out(category, count) for category, count in rows]


@router.post(
    "/categories",
    status_code=201,
    response_model=CategoryOut,
    summary="Create a category (admins)",
    responses={409: {"description": "Another category has this key"}},
)
async def create_category(body: CategoryIn, state: StateDep, actor: ActorDep) -> CategoryOut:
    async with state.uow() as session:
        category = await category_service.create_category(session, actor=actor, data=body)
        return category_service.category_out(category)


@router.get("/categories/{category_id}", response_model=CategoryOut, summary="One category")
async def get_category(category_id: ObjectId, state: StateDep, actor: ActorDep) -> CategoryOut:
    async with state.read() as session:
        category = await category_service.get_category(
            session, account_id=actor.account_id, category_id=category_id
        )
        return category_service.category_out(category)


@router.patch(
    "/categories/{category_id}",
    response_model=CategoryOut,
    summary="Change a category (admins)",
    responses={409: {"description": "Another category has this key"}},
)
async def update_category(
    category_id: ObjectId, body: CategoryUpdate, state: StateDep, actor: ActorDep
) -> CategoryOut:
    async with state.uow() as session:
        category = await category_service.get_category(
            session, account_id=actor.account_id, category_id=category_id
        )
        await category_service.update_category(session, actor=actor, category=category, data=body)
        return category_service.category_out(category)


@router.delete(
    "/categories/{category_id}",
    status_code=204,
    response_model=None,
    summary="Delete a category; its articles stay, without a category (admins)",
)
async def delete_category(category_id: ObjectId, state: StateDep, actor: ActorDep) -> Response:
    async with state.uow() as session:
        category = await category_service.get_category(
            session, account_id=actor.account_id, category_id=category_id
        )
        await category_service.delete_category(session, actor=actor, category=category)
    return Response(status_code=204)


# --- articles ----------------------------------------------------------------------------------


@router.get("/articles", response_model=list[ArticleOut], summary="Articles with their translations")
async def list_articles(
    state: StateDep,
    actor: ActorDep,
    category_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: Annotated[
        Status | None, Query(description="Keep articles with a translation in this status")
    ] = None,
    locale: LocaleQuery = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of a title")] = None,
) -> list[ArticleOut]:
    async with state.read() as session:
        rows = await service.list_articles(
            session, account_id=actor.account_id, category_id=category_id, status=status, locale=locale, q=q
        )
    return [service.article_out(article, translations) for article, translations in rows]


@router.post(
    "/articles",
    status_code=201,
    response_model=ArticleOut,
    summary="Write an article (admins)",
    responses={409: {"description": "Another article has this key"}},
)
async def create_article(body: ArticleCreate, state: StateDep, actor: ActorDep) -> ArticleOut:
    await off_loop(lambda: indexing.prepare_embeddings(list(body.translations.values())))
    async with state.uow() as session:
        article, translations = await service.create_article(session, actor=actor, data=body)
        return service.article_out(article, translations)


@router.get(
    "/articles/search",
    response_model=list[SearchHitOut],
    summary="Find published articles answering a question (meaning and words), best first",
    description="What the composer's article picker and the bot use. `url` is the public page.",
)
async def search_articles(
    state: StateDep,
    actor: ActorDep,
    q: Annotated[str, Query(max_length=500, description="The question; empty: no hits")] = "",
    locale: LocaleQuery = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[SearchHitOut]:
    async with state.read() as session:
        hits = await hybrid_search(
            session,
            account_id=actor.account_id,
            query=q,
            locale=locale,
            limit=limit,
            base_url=state.settings.public_url,
        )
    return [SearchHitOut.model_validate(hit, from_attributes=True) for hit in hits]


@router.get(
    "/articles/export",
    response_class=Response,
    summary="Every article as Markdown files with YAML front matter, in a zip",
    responses={200: {"content": {"application/zip": {}}}},
)
async def export_articles(state: StateDep, actor: ActorDep) -> Response:
    async with state.read() as session:
        files = await transfer.export_files(session, account_id=actor.account_id)
    return Response(
        transfer.zip_files(files),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="helpcenter-{actor.account_id}.zip"'},
    )


@router.post(
    "/articles/import",
    response_model=ImportReport,
    summary="Create or update articles from Markdown files (or a zip of them) (admins)",
    description="Each file has YAML front matter (title, locale, key, category, slug, status, summary) "
    "and a Markdown body. Files with the same `key` are translations of one article; an existing key "
    "is updated. Nothing is written unless every file is valid.",
)
async def import_articles(
    state: StateDep, actor: ActorDep, file: Annotated[list[UploadFile], File(description=".md or .zip")]
) -> ImportReport:
    loaded: list[tuple[str, bytes]] = []
    total = 0
    for upload in file:
        data = await upload.read(MAX_IMPORT_BYTES + 1)
        total += len(data)
        if total > MAX_IMPORT_BYTES:
            raise Invalid(f"the upload is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MiB", field="file")
        loaded.append((upload.filename or "upload.md", data))
    # Unzipping, YAML and Markdown of up to MAX_IMPORT_BYTES: CPU work, off the event loop.
    documents = await asyncio.to_thread(transfer.parse_uploads, loaded)
    await off_loop(lambda: indexing.prepare_embeddings([d.translation for d in documents.documents]))
    async with state.uow() as session:
        return await transfer.import_documents(session, actor=actor, documents=documents)


# `{article_id:int}` on the routes beside /articles/export, /search and /import: a PATCH or DELETE of
# those paths is 405 (Allow: GET or POST), not a 422 for "export" as an article id.
@router.get(
    "/articles/{article_id:int}", response_model=ArticleOut, summary="One article with its translations"
)
async def get_article(article_id: ObjectId, state: StateDep, actor: ActorDep) -> ArticleOut:
    async with state.read() as session:
        article = await service.get_article(session, account_id=actor.account_id, article_id=article_id)
        translations = await service.translations_of(session, article_ids=[article.id])
    return service.article_out(article, translations[article.id])


@router.patch(
    "/articles/{article_id:int}",
    response_model=ArticleOut,
    summary="Move or rename an article (admins)",
    responses={409: {"description": "Another article has this key"}},
)
async def update_article(
    article_id: ObjectId, body: ArticleUpdate, state: StateDep, actor: ActorDep
) -> ArticleOut:
    async with state.uow() as session:
        article = await service.get_article(session, account_id=actor.account_id, article_id=article_id)
        article, translations = await service.update_article(session, actor=actor, article=article, data=body)
        return service.article_out(article, translations)


@router.delete(
    "/articles/{article_id:int}",
    status_code=204,
    response_model=None,
    summary="Delete an article with every translation (admins)",
)
async def delete_article(article_id: ObjectId, state: StateDep, actor: ActorDep) -> Response:
    async with state.uow() as session:
        article = await service.get_article(session, account_id=actor.account_id, article_id=article_id)
        await service.delete_article(session, actor=actor, article=article)
    return Response(status_code=204)


@router.put(
    "/articles/{article_id}/translations/{locale}",
    response_model=TranslationOut,
    summary="Write the article in one language (create or replace) (admins)",
    responses={201: {"model": TranslationOut, "description": "The article had no translation in it"}},
)
async def put_translation(
    article_id: ObjectId,
    locale: LocalePath,
    body: TranslationIn,
    state: StateDep,
    actor: ActorDep,
    response: Response,
) -> TranslationOut:
    await off_loop(lambda: indexing.prepare_embeddings([body]))
    async with state.uow() as session:
        article = await service.get_article(session, account_id=actor.account_id, article_id=article_id)
        translation, created = await service.put_translation(
            session, actor=actor, article=article, locale=locale, data=body
        )
        out = service.translation_out(translation)
    if created:
        response.status_code = 201
    return out


@router.delete(
    "/articles/{article_id}/translations/{locale}",
    status_code=204,
    response_model=None,
    summary="Delete one language of an article (admins)",
)
async def delete_translation(
    article_id: ObjectId, locale: LocalePath, state: StateDep, actor: ActorDep
) -> Response:
    async with state.uow() as session:
        article = await service.get_article(session, account_id=actor.account_id, article_id=article_id)
        await service.delete_translation(session, actor=actor, article=article, locale=locale)
    return Response(status_code=204)


async def _set_published(
    state: StateDep, actor: ActorDep, article_id: int, locale: str, published: bool
) -> TranslationOut:
    if published:  # embed before the write transaction (on SQLite it holds the database's write lock)
        async with state.read() as session:
            texts = await service.publish_texts(session, actor=actor, article_id=article_id, locale=locale)
        await off_loop(lambda: indexing.prepare_texts(texts))
    async with state.uow() as session:
        article = await service.get_article(session, account_id=actor.account_id, article_id=article_id)
        translation = await service.set_published(
            session, actor=actor, article=article, locale=locale, published=published
        )
        return service.translation_out(translation)


@router.post(
    "/articles/{article_id}/translations/{locale}/publish",
    response_model=TranslationOut,
    summary="Publish one language of an article (admins)",
)
async def publish(
    article_id: ObjectId, locale: LocalePath, state: StateDep, actor: ActorDep
) -> TranslationOut:
    return await _set_published(state, actor, article_id, locale, True)


@router.post(
    "/articles/{article_id}/translations/{locale}/unpublish",
    response_model=TranslationOut,
    summary="Take one language of an article back to draft (admins)",
)
async def unpublish(
    article_id: ObjectId, locale: LocalePath, state: StateDep, actor: ActorDep
) -> TranslationOut:
    return await _set_published(state, actor, article_id, locale, False)
