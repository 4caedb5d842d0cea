"""The public client API used by the web widget and the iOS/Android SDKs: the inbox and the contact.

A client (1) reads the inbox's look with GET, (2) identifies its customer with POST /contacts and keeps
the returned contact token, (3) sends that token as `Authorization: Bearer` on every other call. The
conversation routes live in conversations_api.py, mounted under the same prefix.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status

from destek.accounts import service as accounts
from destek.channels.widget import conversations_api, devices_api
from destek.channels.widget.access import (
    CONTACT_ERRORS,
    INBOX_ERRORS,
    CredentialsDep,
    InboxToken,
    OptionalCredentialsDep,
    chat_inbox,
    foreign_origin,
    optional_visitor,
    visitor,
)
from destek.channels.widget.greetings import (
    LOCALE_PATTERN,
    accepted_languages,
    choose_greeting,
    choose_text,
    inbox_greetings,
)
from destek.channels.widget.schemas import (
    IdentifyIn,
    IdentifyOut,
    PublicContactOut,
    PublicContactUpdate,
    WidgetConfigOut,
)
from destek.channels.widget.settings import WidgetSettings, stored_of
from destek.contacts import service as contacts
from destek.deps import StateDep
from destek.errors import Invalid
from destek.ratelimit.guards import LIMIT_CONTACTS, LimitedRoute
from destek.sla import calendars
from destek.web.widget.colors import text_color

PREFIX = "/api/v1/public/inboxes/{inbox_token}"

router = APIRouter(prefix=PREFIX, tags=["public client API"], route_class=LimitedRoute)

IDENTIFY_401 = {
    **CONTACT_ERRORS[401],
    "description": "identifier_hash is missing (the inbox demands identity verification, or the user "
    "was verified before) or does not match the identifier",
}


@router.get(
    "",
    operation_id="public_get_inbox",
    response_model=WidgetConfigOut,
    responses=INBOX_ERRORS,
    summary="The inbox's settings for the chat window",
    description="Needs no contact token. Call it when the chat opens, to draw it and to learn whether "
    "identifying a user needs `identifier_hash`. The greeting is in the language asked for with "
    "`?locale=`, or else the Accept-Language header, when the inbox has one in it; `locale` says which "
    "language it is in.",
)
async def get_inbox_config(
    state: StateDep,
    request: Request,
    inbox_token: InboxToken,
    response: Response,
    locale: Annotated[
        str | None,
        Query(
            max_length=16,
            pattern=LOCALE_PATTERN,
            description="The language the app shows (BCP 47, e.g. tr, en, pt-BR); wins over Accept-Language",
        ),
    ] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> WidgetConfigOut:
    async with state.read() as session:
        inbox = await chat_inbox(session, inbox_token=inbox_token, origin=foreign_origin(request))
        account = await accounts.get_account(session, account_id=inbox.account_id)
        settings = await stored_of(session, inbox)
        hours = await calendars.availability(session, account_id=inbox.account_id, inbox_id=inbox.id)
    widget = WidgetSettings.of(settings)
    wanted = [locale] if locale is not None else accepted_languages(accept_language)
    greeting, language = choose_greeting(
        settings, wanted=wanted, inbox_locale=str(settings.get("locale") or account.locale)
    )
    # The answer depends on the header: a cache must not hand one language's answer to another.
    response.headers["Vary"] = "Accept-Language"
    return WidgetConfigOut(
        name=inbox.name,
        channel_type=inbox.channel_type,
        identity_verification=inbox.identity_verification,
        greeting=greeting,
        greetings=inbox_greetings(settings),
        color=widget.color,
        text_color=text_color(widget.color),
        locale=language,
        position=widget.position,
        pre_chat_fields=widget.pre_chat_fields,
        reply_time=widget.reply_time,
        reply_notice=choose_text(widget.reply_notice, wanted=[*wanted, language]),
        open_now=hours.open_now,
        opens_at=hours.opens_at,
    )


@router.post(
    "/contacts",
    operation_id="public_identify",
    status_code=status.HTTP_201_CREATED,
    response_model=IdentifyOut,
    responses={**INBOX_ERRORS, 401: IDENTIFY_401},
    # The contact token is optional here: an empty requirement next to it says so in OpenAPI.
    openapi_extra={"security": [{}]},
    dependencies=[LIMIT_CONTACTS],
    summary="Identify the customer and get a contact token",
    description="""Call it on first launch and whenever the app's user logs in or out.

* Without `identifier`: an anonymous visitor. Send the token you kept (Authorization: Bearer) to stay
  the same visitor; without one, or with the token of a logged-in user (log out), a new visitor is made.
* With `identifier` (your user id): the same person on every device. If the request also carries the
  token of an anonymous visitor of this inbox, that visitor becomes this user and keeps its conversations.
* Identity verification: `identifier_hash` = hex HMAC-SHA256(key = inbox secret, message = identifier),
  computed on your server. Mandatory when the inbox says `identity_verification: true`; checked whenever
  sent. Once a user has been identified with a valid hash, on any inbox of the account, that user always
  needs it (401 otherwise), and tokens issued before stop working. Without verification anyone knowing a
  user id of a never-verified user can act as that user.
* Name, e-mail, phone, locale, `attributes` and `device` (app_version, os, os_version, device_model,
  platform...) are stored on the contact and shown to agents.

A token that is not valid for this inbox is ignored here, so a client can always recover by identifying
again. Returns a new token each time; keep the latest.""",
)
async def identify(state: StateDep, creds: OptionalCredentialsDep, body: IdentifyIn) -> IdentifyOut:
    if body.identifier_hash is not None and body.identifier is None:
        raise Invalid("identifier_hash was sent without the identifier it signs", field="identifier")
    key = state.settings.secret
    async with state.uow() as session:
        inbox, existing = await optional_visitor(session, key=key, creds=creds)
        contact = await contacts.identify(
            session, inbox=inbox, data=body, identifier_hash=body.identifier_hash, existing=existing
        )
        token = contacts.contact_token(key, contact=contact, inbox=inbox)
        return IdentifyOut(contact=PublicContactOut.model_validate(contact), token=token)


@router.get(
    "/contact",
    operation_id="public_get_contact",
    response_model=PublicContactOut,
    responses=CONTACT_ERRORS,
    summary="The customer of the contact token",
)
async def get_contact(state: StateDep, creds: CredentialsDep) -> PublicContactOut:
    async with state.read() as session:
        who = await visitor(session, key=state.settings.secret, creds=creds)
        return PublicContactOut.model_validate(who.contact)


@router.patch(
    "/contact",
    operation_id="public_update_contact",
    response_model=PublicContactOut,
    responses=CONTACT_ERRORS,
    summary="Update the customer's details and app context",
    description="Only the fields sent change. `attributes` and `device` are merged key by key into what "
    "is stored (a key sent as null in `attributes` is stored as null). An unknown key is refused (422). "
    "The `identifier` cannot change here (422): identify again with POST /contacts.",
)
async def update_contact(
    state: StateDep, creds: CredentialsDep, body: PublicContactUpdate
) -> PublicContactOut:
    async with state.uow() as session:
        who = await visitor(session, key=state.settings.secret, creds=creds)
        await contacts.update_contact(session, contact=who.contact, data=body)
        return PublicContactOut.model_validate(who.contact)


router.include_router(conversations_api.router)
router.include_router(devices_api.router)
