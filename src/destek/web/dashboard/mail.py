"""An e-mail's original HTML for the agent's "HTML" view, made safe to look at.

A mail's HTML is written by whoever sent it: it is cleaned here with nh3 (ammonia) on an allow-list
made for mail (tables, fonts and inline styles stay; scripts, forms, frames, event handlers, <style>
blocks and `javascript:` links go), and served as a document of its own with a strict
Content-Security-Policy (no script at all, a sandbox without same-origin) for an <iframe sandbox> in
the conversation. Remote images are dropped until the agent asks for them (`?images=1`): opening a mail
must not tell the sender that it was read. Inline images (`cid:`) become the mail's own attachments.

    GET /app/{account_id}/conversations/{number}/messages/{message_id}/html[?images=1]

Access is the dashboard's: a conversation the agent may not see, or a message of another conversation,
is the 404 page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import unquote, urlsplit

import nh3
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from destek.conversations import outputs
from destek.conversations import service as conversations
from destek.conversations.models import Message
from destek.db import MAX_ID, MAX_INT32
from destek.deps import StateDep
from destek.errors import NotFound
from destek.web.dashboard.pages import AgentPageDep, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Number = Annotated[int, Path(ge=1, le=MAX_INT32)]
MessageId = Annotated[int, Path(ge=1, le=MAX_ID)]

TAGS = {
    "a", "abbr", "address", "article", "b", "big", "blockquote", "br", "caption", "center", "cite",
    "code", "col", "colgroup", "dd", "del", "div", "dl", "dt", "em", "figcaption", "figure", "font",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "section", "small", "span", "strike", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul",
}  # fmt: skip
_CELL = {"align", "valign", "bgcolor", "width", "height", "colspan", "rowspan", "nowrap"}
ATTRIBUTES = {
    "*": {"style", "align", "dir", "lang", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "border"},
    "table": {"width", "height", "border", "cellpadding", "cellspacing", "bgcolor", "align"},
    "tr": {"align", "valign", "bgcolor"},
    "td": _CELL,
    "th": _CELL,
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "font": {"color", "face", "size"},
    "ol": {"start", "type"},
    "li": {"value"},
    "hr": {"width", "size"},
}
# Inline styles that shape the text and the layout. Nothing that takes a URL (background, list-style,
# border-image, content) and nothing that lifts content out of its place (position).
STYLE_PROPERTIES = {
    "color", "background-color", "font", "font-family", "font-size", "font-style", "font-weight",
    "font-variant", "text-align", "text-decoration", "text-indent", "text-transform", "line-height",
    "letter-spacing", "word-spacing", "white-space", "vertical-align", "direction", "word-break",
    "overflow-wrap", "display", "width", "height", "max-width", "min-width", "max-height", "min-height",
    "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
    "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
    "border", "border-top", "border-right", "border-bottom", "border-left", "border-color",
    "border-style", "border-width", "border-radius", "border-collapse", "border-spacing",
    "table-layout", "list-style-type",
}  # fmt: skip
# What a mail's HTML may link to and show: web and mail links; images from the web (when allowed),
# inline attachments (cid:) and small images embedded in the mail (data:image/...).
URL_SCHEMES = {"http", "https", "mailto", "tel", "cid", "data"}
IMAGE_DATA = ("data:image/png;", "data:image/gif;", "data:image/jpeg;", "data:image/webp;")
DROPPED_WITH_CONTENT = {"script", "style", "title", "head", "iframe", "object", "embed", "template"}

STYLE = (
    "body{margin:12px 14px;font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
    "color:#1c2430;overflow-wrap:anywhere;background:#fff}"
    "img{max-width:100%;height:auto}table{max-width:100%}pre{white-space:pre-wrap}"
    "blockquote{margin:0 0 0 4px;padding-left:10px;border-left:3px solid #d0d5dd;color:#475467}"
)


@dataclass(frozen=True, slots=True)
class CleanMail:
    html: str
    blocked_images: int  # remote images left out (shown only when the agent asks)


def _content_id(value: str) -> str:
    return unquote(value).strip().strip("<>").lower()


def clean_mail_html(raw: str, *, inline: dict[str, str], remote_images: bool) -> CleanMail:
    """The mail's HTML, safe to show: `inline` maps content ids (without <>) to our file URLs;
    `remote_images` keeps http(s) images (otherwise they are dropped and counted)."""
    files = {_content_id(cid): url for cid, url in inline.items()}
    blocked = 0

    def url_filter(tag: str, attribute: str, value: str) -> str | None:
        nonlocal blocked
        if attribute not in ("href", "src"):
            return value
        lowered = value.strip().lower()
        scheme = urlsplit(lowered).scheme
        if tag == "img" and attribute == "src":
            if scheme == "cid":
                return files.get(_content_id(value.strip()[4:]))
            if scheme == "data":
                return value if lowered.startswith(IMAGE_DATA) else None
            if scheme in ("http", "https") or lowered.startswith("//"):
                if remote_images:
                    return value
                blocked += 1
            return None
        if tag == "a" and attribute == "href" and scheme in ("http", "https", "mailto", "tel"):
            return value
        return None  # a relative link would point into this server; cid: and data: links go nowhere

    cleaned = nh3.clean(
        raw,
        tags=TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=url_filter,
        url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
        clean_content_tags=DROPPED_WITH_CONTENT,
        set_tag_attribute_values={"a": {"target": "_blank"}},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return CleanMail(html=cleaned, blocked_images=blocked)


def mail_document(body: str, *, locale: str) -> str:
    return (
        f'<!doctype html><html lang="{html.escape(locale)}"><head><meta charset="utf-8">'
        '<meta name="referrer" content="no-referrer">'
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )


def mail_policy(*, remote_images: bool) -> str:
    """No script, no fetch, no form, no plugin; images from our files (and, asked for, the web); framed
    by the dashboard only. `sandbox` keeps the document in an opaque origin even when opened on its
    own, so nothing in it can reach the agent's session."""
    images = "'self' data: https: http:" if remote_images else "'self' data:"
    return "; ".join(
        [
            "default-src 'none'",
            f"img-src {images}",
            "style-src 'unsafe-inline'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'self'",
            "sandbox allow-popups allow-popups-to-escape-sandbox",
        ]
    )


@router.get(
    "/app/{account_id}/conversations/{number}/messages/{message_id}/html", response_class=HTMLResponse
)
async def mail_html(
    request: Request,
    number: Number,
    message_id: MessageId,
    state: StateDep,
    page: AgentPageDep,
    images: Annotated[bool, Query(description="Show the mail's remote images too")] = False,
) -> HTMLResponse:
    async with state.read() as session:
        conversation = await conversations.access_conversation(session, actor=page.actor, number=number)
        message = await session.get(Message, message_id)
        if message is None or message.conversation_id != conversation.id:
            raise NotFound(f"message {message_id} not found")
        [out] = await outputs.messages_out(session, [message], numbers={conversation.id: number})
    mail = out.content_attributes.get("email")
    raw = mail.get("html") if isinstance(mail, dict) else None
    if not isinstance(raw, str) or not raw.strip():
        raise NotFound(f"message {message_id} has no HTML")
    inline = {a.content_id: a.url for a in out.attachments if a.content_id}
    cleaned = clean_mail_html(raw, inline=inline, remote_images=images)
    return HTMLResponse(
        mail_document(cleaned.html, locale=page.locale),
        headers={
            "Content-Security-Policy": mail_policy(remote_images=images),
            "X-Frame-Options": "SAMEORIGIN",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
            "X-Destek-Blocked-Images": str(cleaned.blocked_images),
        },
    )
