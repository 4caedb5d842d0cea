"""The help center's authoring pages, /app/{account_id}/settings/helpcenter (administrators and owners).

The pages are rendered from the help-center service; their forms write through the agent API
(/api/v1/accounts/{id}/helpcenter, categories, articles, translations, import, export). The one
action of its own is the Markdown preview, rendered by the same sanitiser as the public pages.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from destek.accounts.service import require_admin
from destek.db import MAX_ID
from destek.deps import ActorDep, StateDep, public_url
from destek.helpcenter import categories as category_service
from destek.helpcenter import render as markdown
from destek.helpcenter import service as helpcenter
from destek.helpcenter import suggestions
from destek.helpcenter.models import Article, QuestionSuggestion, Translation
from destek.helpcenter.pages import language_name
from destek.helpcenter.schemas import LOCALE_PATTERN, normalize_locale
from destek.web import i18n
from destek.web.dashboard.pages import AgentPage, AgentPageDep, PageRoute, require_admin_page
from destek.web.settings.pages import FORM_LOCALES, SECTIONS

pages = APIRouter(route_class=PageRoute, include_in_schema=False)
actions = APIRouter(include_in_schema=False)

ArticleId = Annotated[int, Path(ge=1, le=MAX_ID)]
PREFIX = "/app/{account_id}/settings/helpcenter"


def _render(request: Request, page: AgentPage, template: str, **context: Any) -> HTMLResponse:
    return page.render(
        request,
        f"settings/helpcenter/{template}",
        section="helpcenter",
        sections=SECTIONS,
        settings_messages=i18n.messages(page.locale, "settings"),
        **context,
    )


def _title(translations: list[Translation], locale: str) -> str:
    """The article's title in the admin's language, else in the first language it has."""
    by_locale = {t.locale: t for t in translations}
    chosen = by_locale.get(locale) or by_locale.get("en") or (translations[0] if translations else None)
    return chosen.title if chosen else ""


def _article_row(
    article: Article, translations: list[Translation], locale: str, categories: dict[int, str]
) -> dict[str, Any]:
    return {
        "id": article.id,
        "key": article.key,
        "title": _title(translations, locale),
        "category": categories.get(article.category_id) if article.category_id else None,
        "translations": [helpcenter.translation_out(t) for t in sorted(translations, key=lambda t: t.locale)],
        "views": sum(t.view_count for t in translations),
        "helpful_yes": sum(t.helpful_yes for t in translations),
        "helpful_no": sum(t.helpful_no for t in translations),
    }


@pages.get(PREFIX, response_class=HTMLResponse)
async def helpcenter_page(request: Request, page: AgentPageDep, state: StateDep) -> HTMLResponse:
    require_admin_page(page)
    async with state.read() as session:
        site = await helpcenter.settings_out(
            session, account_id=page.account_id, base_url=public_url(request, state.settings)
        )
        categories = await category_service.list_categories(session, account_id=page.account_id)
        articles = await helpcenter.list_articles(session, account_id=page.account_id)
    names = {c.id: category_service.category_name(c, page.locale) for c, _ in categories}
    locales = list(dict.fromkeys([*FORM_LOCALES, *site.locales, site.default_locale]))
    category_locales = list(
        dict.fromkeys([*FORM_LOCALES, *(lang for c, _ in categories for lang in c.names)])
    )
    return _render(
        request,
        page,
        "index.html",
        site=site,
        site_locales=[(code, language_name(code)) for code in locales],
        categories=[
            {"out": category_service.category_out(c, count), "name": names[c.id]} for c, count in categories
        ],
        category_locales=[(code, language_name(code)) for code in category_locales],
        articles=[_article_row(a, ts, page.locale, names) for a, ts in articles],
    )


async def _editor(
    request: Request, page: AgentPage, state: StateDep, article_id: int | None, locale: str | None
) -> HTMLResponse:
    async with state.read() as session:
        categories = await category_service.list_categories(session, account_id=page.account_id)
        article = None
        translations: list[Translation] = []
        suggested: dict[str, list[QuestionSuggestion]] = {}
        if article_id is not None:
            article = await helpcenter.get_article(session, account_id=page.account_id, article_id=article_id)
            translations = (await helpcenter.translations_of(session, article_ids=[article.id]))[article.id]
            for row in await suggestions.list_for(session, account_id=page.account_id, article_id=article.id):
                suggested.setdefault(row.locale, []).append(row)
    outs = {t.locale: helpcenter.translation_out(t) for t in translations}
    tabs = list(dict.fromkeys([*FORM_LOCALES, *sorted(outs)]))
    current = locale if locale in tabs else next(iter(sorted(outs)), FORM_LOCALES[0])
    return _render(
        request,
        page,
        "article.html",
        article=article,
        title=_title(translations, page.locale),
        translations=outs,
        tabs=[(code, language_name(code)) for code in tabs],
        current=current,
        suggested=suggested,
        categories=[(c.id, category_service.category_name(c, page.locale)) for c, _ in categories],
    )


def _locale_param(value: str | None) -> str | None:
    try:
        return normalize_locale(value) if value else None
    except ValueError:
        return None


@pages.get(PREFIX + "/articles/new", response_class=HTMLResponse)
async def new_article_page(
    request: Request,
    page: AgentPageDep,
    state: StateDep,
    locale: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    require_admin_page(page)
    return await _editor(request, page, state, None, _locale_param(locale))


@pages.get(PREFIX + "/articles/{article_id}", response_class=HTMLResponse)
async def article_page(
    request: Request,
    page: AgentPageDep,
    state: StateDep,
    article_id: ArticleId,
    locale: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    require_admin_page(page)
    return await _editor(request, page, state, article_id, _locale_param(locale))


class PreviewIn(BaseModel):
    body: str = Field(default="", max_length=200_000, description="Markdown")
    locale: str | None = Field(default=None, pattern=LOCALE_PATTERN, max_length=16)


@actions.post(PREFIX + "/preview")
async def preview(body: PreviewIn, actor: ActorDep) -> JSONResponse:
    """The article body as the public page will show it (the same Markdown render and sanitiser)."""
    require_admin(actor)
    return JSONResponse({"html": markdown.to_html(body.body)}, headers={"Cache-Control": "no-store"})


router = APIRouter()
router.include_router(pages)
router.include_router(actions)
