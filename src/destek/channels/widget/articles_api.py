"""The widget's FAQ: help-center articles of the inbox's account, for the public client API.

Needs no contact token (the help center is public). Owned by the help center (src/destek/helpcenter).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query

from destek.channels.widget.access import INBOX_ERRORS, InboxToken, chat_inbox
from destek.channels.widget.settings import stored_of
from destek.deps import StateDep
from destek.helpcenter import service as helpcenter
from destek.helpcenter.schemas import LOCALE_PATTERN, PublicArticleHit, normalize_locale
from destek.helpcenter.search import article_path, search
from destek.ratelimit.guards import LIMIT_SEARCHES, LimitedRoute
from destek.web import i18n

router = APIRouter(
    prefix="/api/v1/public/inboxes/{inbox_token}", tags=["public client API"], route_class=LimitedRoute
)


@router.get(
    "/articles",
    operation_id="public_search_articles",
    dependencies=[LIMIT_SEARCHES],
    response_model=list[PublicArticleHit],
    responses=INBOX_ERRORS,
    summary="Help-center articles answering a question (the widget's FAQ)",
    description="Published articles of the inbox's account, best first: with `q`, those answering it "
    "(full text and meaning); without, the most read. In the language of `?locale=` (else "
    "Accept-Language, else the inbox's), falling back to every language when that one has none. "
    "`url` opens the article's public page.",
)
async def articles(
    state: StateDep,
    inbox_token: InboxToken,
    q: Annotated[str, Query(max_length=500, description="The customer's question")] = "",
    locale: Annotated[str | None, Query(max_length=16, pattern=LOCALE_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
    accept_language: Annotated[str | None, Header()] = None,
) -> list[PublicArticleHit]:
    base = state.settings.public_url.rstrip("/")
    async with state.read() as session:
        inbox = await chat_inbox(session, inbox_token=inbox_token)
        available = await helpcenter.published_locales(session, account_id=inbox.account_id)
        wanted = normalize_locale(locale) if locale else None
        if wanted is None:
            inbox_locale = (await stored_of(session, inbox)).get("locale")
            wanted = i18n.negotiate(accept_language=accept_language) if accept_language else inbox_locale
        chosen = wanted if wanted in available else None
        if q.strip():
            hits = await search(
                session, account_id=inbox.account_id, query=q, locale=chosen, limit=limit, base_url=base
            )
            if not hits and chosen is not None:
                hits = await search(session, account_id=inbox.account_id, query=q, limit=limit, base_url=base)
            return [
                PublicArticleHit(
                    article_id=hit.article_id,
                    locale=hit.locale,
                    title=hit.title,
                    snippet=hit.snippet,
                    url=hit.url,
                )
                for hit in hits
            ]
        top = await helpcenter.most_read(
            session,
            account_id=inbox.account_id,
            locale=chosen or (available[0] if available else None),
            limit=limit,
        )
    return [
        PublicArticleHit(
            article_id=t.article_id,
            locale=t.locale,
            title=t.title,
            snippet=t.summary or t.body_text[:160],
            url=base
            + article_path(account_id=t.account_id, locale=t.locale, article_id=t.article_id, slug=t.slug),
        )
        for t in top
    ]
