"""The public help center: server-rendered pages under /hc/{account_id}/{locale}/, indexable.

Only published translations are shown; anything else (drafts, other accounts, unknown ids) is a 404
page. A URL with an outdated slug is redirected (301) to the canonical one. Page views are counted
(people only, once per visitor and hour: views.py); "Was this helpful?" works with and without
JavaScript (a form post; the script posts it in place).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from html import escape
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from destek.accounts import service as accounts
from destek.db import MAX_ID
from destek.deps import StateDep
from destek.errors import NotFound
from destek.helpcenter import categories as category_service
from destek.helpcenter import public, service, views
from destek.helpcenter.models import Category, HelpCenter, Translation
from destek.helpcenter.render import slugify
from destek.helpcenter.schemas import LOCALE_PATTERN, normalize_locale
from destek.helpcenter.search import search
from destek.ratelimit.guards import check_search
from destek.web import i18n
from destek.web.templating import render

router = APIRouter(prefix="/hc/{account_id}", include_in_schema=False)

AccountId = Annotated[int, Path(ge=1, le=MAX_ID)]
LocaleSegment = Annotated[str, Path(max_length=16)]
VISITOR_COOKIE = "destek_hc_visitor"
_REF = re.compile(r"^([1-9][0-9]{0,18})(?:-([a-z0-9-]*))?$")
LANGUAGE_NAMES = {
    "en": "English", "tr": "Türkçe", "de": "Deutsch", "fr": "Français", "es": "Español",
    "ar": "العربية", "ru": "Русский", "it": "Italiano", "nl": "Nederlands", "pt": "Português",
}  # fmt: skip


def language_name(locale: str) -> str:
    return LANGUAGE_NAMES.get(locale.split("-")[0], locale)


@dataclass
class Site:
    account_id: int
    name: str
    default_locale: str
    locales: list[str]  # with published content, the default first
    base_url: str

    def url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}{path}"

    def home(self, locale: str) -> str:
        return f"/hc/{self.account_id}/{locale}/"


async def _site(state: StateDep, account_id: int) -> Site:
    async with state.read() as session:
        try:
            account = await accounts.get_account(session, account_id=account_id)
        except NotFound:
            raise NotFound("help center not found") from None
        settings = await session.get(HelpCenter, account_id)
        locales = await service.published_locales(session, account_id=account_id)
    default = (settings.default_locale if settings else None) or account.locale
    if locales and default not in locales:
        default = locales[0]
    ordered = [default, *[locale for locale in locales if locale != default]]
    name = (settings.name if settings else None) or account.name
    return Site(account_id, name, default, ordered, state.settings.public_url)


def _locale(site: Site, raw: str) -> str:
    if not re.match(LOCALE_PATTERN, raw):
        raise NotFound("page not found")
    locale = normalize_locale(raw)
    if locale != raw or locale not in site.locales:
        raise NotFound("page not found")
    return locale


def _ref(raw: str) -> tuple[int, str | None]:
    match = _REF.match(raw)
    if match is None or int(match.group(1)) > MAX_ID:
        raise NotFound("page not found")
    return int(match.group(1)), match.group(2)


def _page(
    request: Request, template: str, *, site: Site, locale: str, status_code: int = 200, **ctx: Any
) -> HTMLResponse:
    ui = i18n.normalize(locale) or i18n.DEFAULT_LOCALE
    return render(
        request,
        f"helpcenter/{template}",
        locale=ui,
        status_code=status_code,
        site=site,
        content_locale=locale,
        language_name=language_name,
        **ctx,
    )


def not_found_page(request: Request, site: Site | None, locale: str | None) -> HTMLResponse:
    ui = i18n.negotiate(locale, accept_language=request.headers.get("accept-language"))
    return render(request, "helpcenter/not_found.html", locale=ui, status_code=404, site=site,
                  content_locale=locale or ui, language_name=language_name, alternates=[])  # fmt: skip


def category_path(site: Site, locale: str, category: Category) -> str:
    slug = slugify(category_service.category_name(category, locale), fallback="category")
    return f"/hc/{site.account_id}/{locale}/categories/{category.id}-{slug}"


def article_path(site: Site, translation: Translation) -> str:
    return f"/hc/{site.account_id}/{translation.locale}/articles/{translation.article_id}-{translation.slug}"


@router.get("")
async def root(request: Request, state: StateDep, account_id: AccountId) -> Response:
    try:
        site = await _site(state, account_id)
    except NotFound:
        return not_found_page(request, None, None)
    return RedirectResponse(site.home(site.default_locale), status_code=302)


@router.get("/sitemap.xml")
async def sitemap(request: Request, state: StateDep, account_id: AccountId) -> Response:
    """Every published page with its language alternates, for search engines."""
    try:
        site = await _site(state, account_id)
    except NotFound:
        return not_found_page(request, None, None)
    async with state.read() as session:
        groups = await public.sitemap_entries(session, account_id=account_id)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for locale in site.locales:
        lines.append(f"<url><loc>{escape(site.url(site.home(locale)))}</loc></url>")
    for group in groups:
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{escape(t.locale)}" '
            f'href="{escape(site.url(article_path(site, t)))}"/>'
            for t in group
        )
        for translation in group:
            lastmod = translation.updated_at.date().isoformat()
            lines.append(
                f"<url><loc>{escape(site.url(article_path(site, translation)))}</loc>"
                f"<lastmod>{lastmod}</lastmod>{links if len(group) > 1 else ''}</url>"
            )
    lines.append("</urlset>")
    return Response("\n".join(lines), media_type="application/xml")


@router.get("/{locale}")
async def home_without_slash(account_id: AccountId, locale: LocaleSegment) -> Response:
    return RedirectResponse(f"/hc/{account_id}/{quote(locale)}/", status_code=301)


@router.get("/{locale}/")
async def home(request: Request, state: StateDep, account_id: AccountId, locale: LocaleSegment) -> Response:
    site: Site | None = None
    try:
        site = await _site(state, account_id)
        locale = _locale(site, locale)
        async with state.read() as session:
            categories = await category_service.list_categories(session, account_id=account_id)
            articles = await public.published_articles(session, account_id=account_id, locale=locale)
    except NotFound:
        return not_found_page(request, site, None)
    by_category: dict[int | None, list[Translation]] = {}
    for article, translation in articles:
        by_category.setdefault(article.category_id, []).append(translation)
    sections = [
        (category, category_path(site, locale, category), by_category[category.id])
        for category, _count in categories
        if category.id in by_category
    ]
    return _page(
        request,
        "home.html",
        site=site,
        locale=locale,
        sections=sections,
        uncategorised=by_category.get(None, []),
        article_path=lambda t: article_path(site, t),
        category_name=category_service.category_name,
        canonical=site.url(site.home(locale)),
        alternates=[(other, site.url(site.home(other))) for other in site.locales],
        switch=[(other, site.home(other)) for other in site.locales],
    )


@router.get("/{locale}/categories/{ref}")
async def category_page(
    request: Request, state: StateDep, account_id: AccountId, locale: LocaleSegment, ref: str
) -> Response:
    site: Site | None = None
    try:
        site = await _site(state, account_id)
        locale = _locale(site, locale)
        category_id, _slug = _ref(ref)
        async with state.read() as session:
            category = await category_service.get_category(
                session, account_id=account_id, category_id=category_id
            )
            articles = await public.published_articles(
                session, account_id=account_id, locale=locale, category_id=category.id
            )
            languages = await public.category_locales(session, category_id=category.id)
        if not articles:
            raise NotFound("page not found")
    except NotFound:
        return not_found_page(request, site, None)
    path = category_path(site, locale, category)
    if request.url.path != path:
        return RedirectResponse(path, status_code=301)
    return _page(
        request,
        "category.html",
        site=site,
        locale=locale,
        category=category,
        name=category_service.category_name(category, locale),
        description=(category.descriptions or {}).get(locale, ""),
        translations=[translation for _article, translation in articles],
        article_path=lambda t: article_path(site, t),
        canonical=site.url(path),
        alternates=[(other, site.url(category_path(site, other, category))) for other in languages],
        switch=[(other, category_path(site, other, category)) for other in languages],
    )


@router.get("/{locale}/articles/{ref}")
async def article_page(
    request: Request, state: StateDep, account_id: AccountId, locale: LocaleSegment, ref: str
) -> Response:
    site: Site | None = None
    try:
        site = await _site(state, account_id)
        locale = _locale(site, locale)
        article_id, _slug = _ref(ref)
        async with state.read() as session:
            article, translation, published = await public.published_translation(
                session, account_id=account_id, article_id=article_id, locale=locale
            )
            category = (
                await session.get(Category, article.category_id) if article.category_id is not None else None
            )
            related = (
                await public.published_articles(
                    session, account_id=account_id, locale=locale, category_id=article.category_id
                )
                if article.category_id is not None
                else []
            )
    except NotFound:
        return not_found_page(request, site, None)
    path = article_path(site, translation)
    if request.url.path != path:
        return RedirectResponse(path, status_code=301)
    if views.should_count(
        translation_id=translation.id,
        visitor=views.visitor_key(
            address=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"),
        ),
        user_agent=request.headers.get("user-agent"),
        database=str(state.settings.database_url),
    ):
        async with state.uow() as session:
            await public.count_view(session, translation_id=translation.id)
    voted = request.query_params.get("voted")
    return _page(
        request,
        "article.html",
        site=site,
        locale=locale,
        translation=translation,
        category=category,
        category_url=category_path(site, locale, category) if category else None,
        category_label=category_service.category_name(category, locale) if category else None,
        related=[t for _a, t in related if t.id != translation.id][:6],
        article_path=lambda t: article_path(site, t),
        canonical=site.url(path),
        alternates=[(t.locale, site.url(article_path(site, t))) for t in published],
        switch=[(t.locale, article_path(site, t)) for t in published],
        voted=voted if voted in ("yes", "no") else None,
    )


@router.get("/{locale}/search")
async def search_page(
    request: Request,
    state: StateDep,
    account_id: AccountId,
    locale: LocaleSegment,
    q: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    if q.strip():
        await check_search(request, state)  # a 429 with Retry-After, from app.py's error handler
    site: Site | None = None
    try:
        site = await _site(state, account_id)
        locale = _locale(site, locale)
    except NotFound:
        return not_found_page(request, site, None)
    hits = []
    if q.strip():
        async with state.read() as session:
            hits = await search(session, account_id=account_id, query=q, locale=locale, limit=20)
    path = f"/hc/{account_id}/{locale}/search"
    return _page(
        request,
        "search.html",
        site=site,
        locale=locale,
        query=q,
        hits=hits,
        canonical=site.url(path),
        alternates=[],
        switch=[(other, f"/hc/{account_id}/{other}/search?q={quote(q)}") for other in site.locales],
        noindex=True,
    )


@router.post("/{locale}/articles/{article_id}/vote")
async def vote(
    request: Request,
    state: StateDep,
    account_id: AccountId,
    locale: LocaleSegment,
    article_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    helpful: Annotated[str, Form(pattern="^(yes|no)$")],
) -> Response:
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc not in {
        request.headers.get("host"),
        urlsplit(state.settings.public_url).netloc,
    }:
        # Another site posting on its visitors' behalf: not a vote.
        return JSONResponse({"error": {"code": "forbidden", "message": "cross-site vote"}}, status_code=403)
    site: Site | None = None
    try:
        site = await _site(state, account_id)
        locale = _locale(site, locale)
        async with state.uow() as session:
            _article, translation, _all = await public.published_translation(
                session, account_id=account_id, article_id=article_id, locale=locale
            )
            visitor = request.cookies.get(VISITOR_COOKIE) or secrets.token_urlsafe(18)
            translation = await public.vote(
                session, translation=translation, visitor=visitor, helpful=helpful == "yes"
            )
    except NotFound:
        return not_found_page(request, site, None)
    response: Response
    if "application/json" in request.headers.get("accept", ""):
        response = JSONResponse(
            {"helpful_yes": translation.helpful_yes, "helpful_no": translation.helpful_no, "vote": helpful}
        )
    else:
        response = RedirectResponse(
            f"{article_path(site, translation)}?voted={helpful}#feedback", status_code=303
        )
    response.set_cookie(
        VISITOR_COOKIE,
        visitor,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=state.settings.cookie_secure,
        path=f"/hc/{account_id}/",
    )
    return response
