"""Who calls the public client API: an inbox (by its public token) and a contact (by its token)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import inboxes as inbox_service
from destek.accounts.models import Inbox
from destek.channels.widget.schemas import ErrorOut
from destek.channels.widget.settings import is_own_origin, of_inbox
from destek.contacts import service as contacts
from destek.contacts.models import Contact
from destek.conversations import service as conversations
from destek.conversations.models import Conversation
from destek.db import MAX_ID
from destek.errors import Forbidden, NotFound, Unauthorized

# Inboxes whose customers write from an app or a web page; the others get their messages by hooks.
CHAT_CHANNELS = frozenset({"widget", "api"})

InboxToken = Annotated[
    str,
    Path(description="The inbox's public token, from the inbox settings. Not a secret: it ships in the app."),
]
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ContactToken",
    description="The `token` returned by POST /api/v1/public/inboxes/{inbox_token}/contacts.",
)


def error_response(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


INBOX_ERRORS: dict[int | str, dict[str, Any]] = {
    403: error_response("A web page of a domain the inbox does not allow (its allowed_domains)"),
    404: error_response("The inbox token is unknown"),
    422: error_response("The input is invalid; `error.field` names it"),
}
CONTACT_ERRORS: dict[int | str, dict[str, Any]] = {
    401: error_response(
        "No contact token, a broken one, or one of another inbox: identify the contact again"
    ),
    403: error_response("A web page of a domain the inbox does not allow (its allowed_domains)"),
    404: error_response("The inbox token, or the conversation of this contact, is unknown"),
    422: error_response("The input is invalid; `error.field` names it"),
}


@dataclass(frozen=True, slots=True)
class Credentials:
    inbox_token: str
    contact_token: str | None
    origin: str | None = None  # the calling web page's origin, when it is another site's


def foreign_origin(request: Request) -> str | None:
    """The Origin header of a browser call from another site; None for our own pages (the widget's
    iframe) and for native apps and servers, which send none."""
    origin = request.headers.get("origin")
    public_url: str = request.app.state.destek.settings.public_url
    if origin is None or is_own_origin(origin, host=request.headers.get("host"), public_url=public_url):
        return None
    return origin


async def credentials(  # async: a plain def would cost a thread hop per request
    request: Request,
    inbox_token: InboxToken,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Credentials:
    """The raw tokens; they are checked inside the handler's transaction (see `visitor`)."""
    return Credentials(
        inbox_token, bearer.credentials if bearer is not None else None, foreign_origin(request)
    )


OptionalCredentialsDep = Annotated[Credentials, Depends(credentials)]
IDENTIFY_FIRST = (
    "send the contact token from POST /api/v1/public/inboxes/{inbox_token}/contacts "
    "as `Authorization: Bearer <token>`"
)


async def contact_credentials(creds: OptionalCredentialsDep) -> Credentials:
    """The raw tokens of a route that needs the contact token. Without one the answer is 401 before the
    input is validated: a client that has not identified learns that first (and only that)."""
    if creds.contact_token is None:
        raise Unauthorized(IDENTIFY_FIRST)
    return creds


CredentialsDep = Annotated[Credentials, Depends(contact_credentials)]


@dataclass(slots=True)
class Visitor:
    inbox: Inbox
    contact: Contact


async def chat_inbox(session: AsyncSession, *, inbox_token: str, origin: str | None = None) -> Inbox:
    """The chat inbox of a public token; 403 when `origin` (another site's page) is not allowed."""
    inbox = await inbox_service.inbox_by_public_token(session, public_token=inbox_token)
    if inbox.channel_type not in CHAT_CHANNELS:
        raise NotFound("inbox not found: check the inbox token")
    if origin is not None and not (await of_inbox(session, inbox)).origin_allowed(origin):
        raise Forbidden(
            f"{origin} may not use this inbox's chat: add its domain to the inbox's allowed domains",
            field="origin",
        )
    return inbox


async def optional_visitor(
    session: AsyncSession, *, key: bytes, creds: Credentials
) -> tuple[Inbox, Contact | None]:
    """The inbox, and the contact when the request carries a token valid for it (else None)."""
    inbox = await chat_inbox(session, inbox_token=creds.inbox_token, origin=creds.origin)
    if creds.contact_token is None:
        return inbox, None
    try:
        contact, _inbox_id = await contacts.contact_from_token(
            session, key, token=creds.contact_token, inbox=inbox
        )
    except Unauthorized:
        return inbox, None
    return inbox, contact


async def visitor(session: AsyncSession, *, key: bytes, creds: Credentials) -> Visitor:
    """The inbox and the contact of the token; 404 for an unknown inbox, 401 for a bad token."""
    inbox = await chat_inbox(session, inbox_token=creds.inbox_token, origin=creds.origin)
    if creds.contact_token is None:
        raise Unauthorized(IDENTIFY_FIRST)
    contact, _inbox_id = await contacts.contact_from_token(
        session, key, token=creds.contact_token, inbox=inbox
    )
    return Visitor(inbox, contact)


async def visitor_conversation(
    session: AsyncSession, *, key: bytes, creds: Credentials, conversation_id: int
) -> tuple[Visitor, Conversation]:
    """The caller and one of its conversations in this inbox; 404 for anyone else's."""
    who = await visitor(session, key=key, creds=creds)
    conversation = await conversations.contact_conversation(
        session, contact=who.contact, inbox_id=who.inbox.id, conversation_id=conversation_id
    )
    return who, conversation
