"""Tenant isolation, for every endpoint the app serves.

ROUTES says how to call each route; a route the table does not know fails
`test_every_route_is_in_the_table`, so a new endpoint gets its isolation check when it is added.
Tenant A (`tenant`) then aims at tenant B (`other_tenant`) through every route: B's account path, B's
ids in A's own path, B's inbox, B's conversation, B's file. Each must be refused with 404 (401 for a
contact token of another inbox), say nothing of B, and change nothing of B. The same calls on A's own
things must succeed, or the refusals would prove nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from destek.app import create_app
from destek.contacts.models import Contact
from destek.state import AppState
from tests.support.factories import Tenant
from tests.support.isolation import Side, app_routes, build_side, fill, path_params, snapshot

AGENT = "agent"  # /api/v1/accounts/{account_id}...: an API token of that account
PUBLIC = "public"  # the public client API with a contact token
IDENTIFY = "identify"  # POST .../contacts: a foreign contact token is ignored, by design
INBOX = "inbox"  # the inbox's widget settings: the public inbox token is the only credential
FILE = "file"  # downloads: the access key in the path is the credential


@dataclass(frozen=True)
class Call:
    kind: str
    ok: int  # the status when A asks for its own things
    body: dict[str, Any] | None = None  # a minimal valid JSON body
    upload: bool = False  # multipart with one small text file instead of JSON


ACC = "/api/v1/accounts/{account_id}"
CONV = f"{ACC}/conversations/{{number}}"
PUB = "/api/v1/public/inboxes/{inbox_token}"
PUB_CONV = f"{PUB}/conversations/{{conversation_id}}"

CANNED = {"short_code": "hi", "title": "Hi", "content": "Hi"}
ROUTES: dict[tuple[str, str], Call] = {
    ("GET", ACC): Call(AGENT, 200),
    ("PATCH", ACC): Call(AGENT, 200, {"name": "Renamed"}),
    ("GET", f"{ACC}/tokens"): Call(AGENT, 200),
    ("POST", f"{ACC}/tokens"): Call(AGENT, 201, {"name": "backdoor"}),
    ("DELETE", f"{ACC}/tokens/{{token_id}}"): Call(AGENT, 204),
    ("GET", f"{ACC}/agents"): Call(AGENT, 200),
    ("PATCH", f"{ACC}/agents/{{user_id}}"): Call(AGENT, 200, {"role": "agent"}),
    # A's agent has never logged in (tokens only): the one-time password is given.
    ("POST", f"{ACC}/agents/{{user_id}}/one-time-password"): Call(AGENT, 200),
    ("GET", f"{ACC}/invitations"): Call(AGENT, 200),
    ("POST", f"{ACC}/invitations"): Call(AGENT, 201, {"email": "newcomer@example.com", "name": "Newcomer"}),
    ("POST", f"{ACC}/invitations/{{invitation_id}}/renew"): Call(AGENT, 200),
    ("DELETE", f"{ACC}/invitations/{{invitation_id}}"): Call(AGENT, 204),
    ("GET", f"{ACC}/teams"): Call(AGENT, 200),
    ("POST", f"{ACC}/teams"): Call(AGENT, 201, {"name": "New team"}),
    ("GET", f"{ACC}/teams/{{team_id}}"): Call(AGENT, 200),
    ("PATCH", f"{ACC}/teams/{{team_id}}"): Call(AGENT, 200, {"description": "changed"}),
    ("DELETE", f"{ACC}/teams/{{team_id}}"): Call(AGENT, 204),
    ("PUT", f"{ACC}/teams/{{team_id}}/members"): Call(AGENT, 200, {"user_ids": []}),
    ("GET", f"{ACC}/calendars"): Call(AGENT, 200),
    ("POST", f"{ACC}/calendars"): Call(AGENT, 201, {"name": "New hours", "timezone": "UTC", "week": {}}),
    ("GET", f"{ACC}/calendars/{{calendar_id}}"): Call(AGENT, 200),
    ("PUT", f"{ACC}/calendars/{{calendar_id}}"): Call(
        AGENT, 200, {"name": "Other", "timezone": "UTC", "week": {}}
    ),
    ("DELETE", f"{ACC}/calendars/{{calendar_id}}"): Call(AGENT, 204),
    ("POST", f"{ACC}/calendars/{{calendar_id}}/holidays/import"): Call(AGENT, 200, {"preset": "tr"}),
    ("GET", f"{ACC}/inboxes/{{inbox_id}}/calendar"): Call(AGENT, 200),
    ("PUT", f"{ACC}/inboxes/{{inbox_id}}/calendar"): Call(AGENT, 200, {"calendar_id": None}),
    ("GET", f"{ACC}/teams/{{team_id}}/calendar"): Call(AGENT, 200),
    ("PUT", f"{ACC}/teams/{{team_id}}/calendar"): Call(AGENT, 200, {"calendar_id": None}),
    ("GET", f"{ACC}/inboxes"): Call(AGENT, 200),
    ("POST", f"{ACC}/inboxes"): Call(AGENT, 201, {"name": "New inbox", "channel_type": "api"}),
    ("GET", f"{ACC}/inboxes/{{inbox_id}}"): Call(AGENT, 200),
    ("PATCH", f"{ACC}/inboxes/{{inbox_id}}"): Call(AGENT, 200, {"name": "Renamed inbox"}),
    ("PUT", f"{ACC}/inboxes/{{inbox_id}}/members"): Call(AGENT, 200, {"user_ids": []}),
    ("GET", f"{ACC}/contacts"): Call(AGENT, 200),
    ("POST", f"{ACC}/contacts"): Call(AGENT, 201, {"name": "New contact"}),
    ("GET", f"{ACC}/contacts/{{contact_id}}"): Call(AGENT, 200),
    ("PATCH", f"{ACC}/contacts/{{contact_id}}"): Call(AGENT, 200, {"name": "Renamed contact"}),
    ("DELETE", f"{ACC}/contacts/{{contact_id}}"): Call(AGENT, 204),
    ("GET", f"{ACC}/contacts/{{contact_id}}/identities"): Call(AGENT, 200),
    ("GET", f"{ACC}/conversations"): Call(AGENT, 200),
    ("GET", f"{ACC}/conversations/counts"): Call(AGENT, 200),
    ("GET", CONV): Call(AGENT, 200),
    ("POST", f"{CONV}/status"): Call(AGENT, 200, {"status": "pending"}),
    ("POST", f"{CONV}/priority"): Call(AGENT, 200, {"priority": "high"}),
    ("POST", f"{CONV}/assignment"): Call(AGENT, 200, {"assignee_id": None}),
    ("PUT", f"{CONV}/labels"): Call(AGENT, 200, {"labels": ["isolation"]}),
    ("POST", f"{CONV}/read"): Call(AGENT, 200),
    ("GET", f"{CONV}/messages"): Call(AGENT, 200),
    ("POST", f"{CONV}/messages"): Call(AGENT, 201, {"content": "Hello"}),
    ("POST", f"{CONV}/attachments"): Call(AGENT, 201, upload=True),
    ("POST", f"{CONV}/typing"): Call(AGENT, 204, {"typing": True}),
    ("POST", f"{CONV}/viewing"): Call(AGENT, 204, {"viewing": True}),
    ("GET", f"{ACC}/labels"): Call(AGENT, 200),
    ("POST", f"{ACC}/labels"): Call(AGENT, 201, {"name": "new label"}),
    ("PATCH", f"{ACC}/labels/{{label_id}}"): Call(AGENT, 200, {"color": "#ff0000"}),
    ("DELETE", f"{ACC}/labels/{{label_id}}"): Call(AGENT, 204),
    ("GET", f"{ACC}/canned_responses"): Call(AGENT, 200),
    ("POST", f"{ACC}/canned_responses"): Call(AGENT, 201, CANNED),
    ("GET", f"{ACC}/canned_responses/{{canned_id}}"): Call(AGENT, 200),
    ("PATCH", f"{ACC}/canned_responses/{{canned_id}}"): Call(AGENT, 200, {"title": "Changed"}),
    ("DELETE", f"{ACC}/canned_responses/{{canned_id}}"): Call(AGENT, 204),
    # A on A merges the conversation into itself: refused (422) after the access checks passed.
    ("POST", f"{CONV}/merge"): Call(AGENT, 422, {"into_number": 1}),
    ("GET", f"{ACC}/events"): Call(AGENT, 200),
    ("GET", f"{ACC}/helpcenter"): Call(AGENT, 200),
    ("PATCH", f"{ACC}/helpcenter"): Call(AGENT, 200, {"name": "Help"}),
    ("GET", f"{ACC}/categories"): Call(AGENT, 200),
    ("POST", f"{ACC}/categories"): Call(AGENT, 201, {"names": {"en": "New category"}}),
    ("GET", f"{ACC}/categories/{{category_id}}"): Call(AGENT, 200),
    ("PATCH", f"{ACC}/categories/{{category_id}}"): Call(AGENT, 200, {"position": 2}),
    ("GET", f"{ACC}/articles"): Call(AGENT, 200),
    ("POST", f"{ACC}/articles"): Call(AGENT, 201, {"translations": {"en": {"title": "New article"}}}),
    ("GET", f"{ACC}/articles/search"): Call(AGENT, 200),
    ("GET", f"{ACC}/articles/export"): Call(AGENT, 200),
    # The upload is a .txt file: refused (422) after the access checks passed.
    ("POST", f"{ACC}/articles/import"): Call(AGENT, 422, upload=True),
    ("GET", f"{ACC}/articles/{{article_id}}"): Call(AGENT, 200),
    ("PATCH", f"{ACC}/articles/{{article_id}}"): Call(AGENT, 200, {"position": 3}),
    ("PUT", f"{ACC}/articles/{{article_id}}/translations/{{locale}}"): Call(AGENT, 200, {"title": "Renamed"}),
    ("POST", f"{ACC}/articles/{{article_id}}/translations/{{locale}}/publish"): Call(AGENT, 200),
    ("POST", f"{ACC}/articles/{{article_id}}/translations/{{locale}}/unpublish"): Call(AGENT, 200),
    ("GET", f"{ACC}/articles/{{article_id}}/question_suggestions"): Call(AGENT, 200),
    ("POST", f"{ACC}/articles/{{article_id}}/question_suggestions/{{suggestion_id}}/accept"): Call(
        AGENT, 200
    ),
    # Dismissing one that is gone (added just above) is done already: 204; another account's is a 404.
    ("DELETE", f"{ACC}/articles/{{article_id}}/question_suggestions/{{suggestion_id}}"): Call(AGENT, 204),
    # Deletions run last, in this order: one language (the article keeps tr), the article, its category.
    ("DELETE", f"{ACC}/articles/{{article_id}}/translations/{{locale}}"): Call(AGENT, 204),
    ("DELETE", f"{ACC}/articles/{{article_id}}"): Call(AGENT, 204),
    ("DELETE", f"{ACC}/categories/{{category_id}}"): Call(AGENT, 204),
    ("GET", f"{PUB}/articles"): Call(INBOX, 200),
    ("GET", f"{ACC}/inboxes/{{inbox_id}}/bot"): Call(AGENT, 200),
    ("PATCH", f"{ACC}/inboxes/{{inbox_id}}/bot"): Call(AGENT, 200, {"enabled": True}),
    ("POST", f"{ACC}/inboxes/{{inbox_id}}/bot/token"): Call(AGENT, 201),
    ("DELETE", f"{ACC}/inboxes/{{inbox_id}}/bot/token"): Call(AGENT, 204),
    ("POST", f"{ACC}/inboxes/{{inbox_id}}/bot/try"): Call(
        AGENT, 200, {"text": "How do I reset my password?"}
    ),
    # A on A: an agent has replied in that conversation, so the bot may not (409) after the access checks.
    ("POST", f"{CONV}/bot_messages"): Call(AGENT, 409, {"content": "Hi from the bot"}),
    ("POST", f"{CONV}/handoff"): Call(AGENT, 200, {}),
    ("GET", f"{CONV}/suggestions"): Call(AGENT, 200),
    ("GET", PUB): Call(INBOX, 200),
    ("POST", f"{PUB}/contacts"): Call(IDENTIFY, 201, {}),
    ("GET", f"{PUB}/contact"): Call(PUBLIC, 200),
    ("PATCH", f"{PUB}/contact"): Call(PUBLIC, 200, {"name": "Renamed customer"}),
    ("GET", f"{PUB}/conversations"): Call(PUBLIC, 200),
    ("POST", f"{PUB}/conversations"): Call(PUBLIC, 201, {"message": {"content": "Hello"}}),
    ("GET", PUB_CONV): Call(PUBLIC, 200),
    ("GET", f"{PUB_CONV}/messages"): Call(PUBLIC, 200),
    ("POST", f"{PUB_CONV}/messages"): Call(PUBLIC, 201, {"content": "Hello"}),
    ("POST", f"{PUB_CONV}/attachments"): Call(PUBLIC, 201, upload=True),
    ("POST", f"{PUB_CONV}/read"): Call(PUBLIC, 204),
    ("POST", f"{PUB_CONV}/typing"): Call(PUBLIC, 204, {"typing": True}),
    # A's conversation is open, so A on A is refused (409) after the access checks passed.
    ("PUT", f"{PUB_CONV}/rating"): Call(PUBLIC, 409, {"score": 5}),
    ("GET", f"{PUB_CONV}/rating"): Call(PUBLIC, 200),
    ("GET", f"{CONV}/rating"): Call(AGENT, 200),
    ("PUT", f"{PUB}/devices"): Call(PUBLIC, 204, {"provider": "fcm", "token": "isolation-device-1"}),
    ("DELETE", f"{PUB}/devices/{{token}}"): Call(PUBLIC, 204),
    ("GET", "/files/{attachment_id}/{access_key}/{filename}"): Call(FILE, 200),
    ("GET", f"{ACC}/inboxes/{{inbox_id}}/channel"): Call(AGENT, 200),
    ("PUT", f"{ACC}/inboxes/{{inbox_id}}/channel"): Call(AGENT, 200, {"settings": {}}),
    ("POST", f"{ACC}/inboxes/{{inbox_id}}/channel/check"): Call(AGENT, 200),
    ("GET", f"{ACC}/inbound/failed"): Call(AGENT, 200),
    ("GET", f"{ACC}/inbound/{{record_id}}/raw"): Call(AGENT, 200),
    # Processed again, the unreadable body fails again: kept, its record answered (200).
    ("POST", f"{ACC}/inbound/{{record_id}}/retry"): Call(AGENT, 200),
    # A on A: the customer's message was never sent through a channel, so there is nothing to retry.
    ("POST", f"{CONV}/messages/{{message_id}}/retry"): Call(AGENT, 409),
    ("GET", f"{ACC}/deliveries"): Call(AGENT, 200),
    # A's inbox (the first one made) is a chat: writing first is refused (422) after the access checks.
    ("POST", f"{ACC}/conversations"): Call(
        AGENT, 422, {"inbox_id": 1, "email": "someone@example.com", "subject": "Hello", "content": "Hello"}
    ),
}

HC_PAGES = "public help center (published content only): tests/helpcenter/test_public.py"
# Served, but outside any tenant or tested elsewhere; say why when adding one.
SETTINGS_PAGES = "Settings pages and their actions: tests/web_settings/ (foreign account or inbox: 404)"
PERSON = (
    "the caller's own login, by session only: another person's ids in tests/accounts/test_person_isolation.py"
)
INVITATION_LINK = "an invitation's link, its token the credential: tests/accounts/test_invitations.py"
OUTSIDE: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "no tenant data",
    ("GET", "/hc/{account_id}"): HC_PAGES,
    ("GET", "/hc/{account_id}/sitemap.xml"): HC_PAGES,
    ("GET", "/hc/{account_id}/{locale}"): HC_PAGES,
    ("GET", "/hc/{account_id}/{locale}/"): HC_PAGES,
    ("GET", "/hc/{account_id}/{locale}/categories/{ref}"): HC_PAGES,
    ("GET", "/hc/{account_id}/{locale}/articles/{ref}"): HC_PAGES,
    ("GET", "/hc/{account_id}/{locale}/search"): HC_PAGES,
    ("POST", "/hc/{account_id}/{locale}/articles/{article_id}/vote"): HC_PAGES,
    ("GET", "/widget.js"): "the widget's loader script, the same for everyone",
    ("POST", "/hooks/{kind}/{inbox_token}"): (
        "a channel's webhook: the inbox token and the adapter's own check (signature, ingest token) are the "
        "credentials: tests/channels/email/test_flow.py"
    ),
    ("GET", "/widget/demo"): "the demo's host page; 404 unless in demo mode with the demo loaded",
    ("GET", "/widget/{inbox_token}"): "the chat page; its data comes from the public API checked here",
    ("POST", "/api/v1/auth/login"): "before any account",
    ("POST", "/api/v1/auth/logout"): "ends the caller's own session",
    ("GET", "/api/v1/profile"): "the caller's own accounts (checked below)",
    ("PATCH", "/api/v1/profile"): "the caller's own name",
    ("PUT", "/api/v1/profile/locale"): "the caller's own UI language",
    ("POST", "/api/v1/profile/password"): PERSON,
    ("GET", "/api/v1/profile/sessions"): PERSON,
    ("DELETE", "/api/v1/profile/sessions"): PERSON,
    ("DELETE", "/api/v1/profile/sessions/{session_id}"): PERSON,
    ("GET", "/api/v1/profile/second-factor"): PERSON,
    ("POST", "/api/v1/profile/second-factor/setup"): PERSON,
    ("POST", "/api/v1/profile/second-factor/confirm"): PERSON,
    ("POST", "/api/v1/profile/second-factor/disable"): PERSON,
    ("POST", "/api/v1/profile/second-factor/recovery-codes"): PERSON,
    ("GET", "/api/v1/profile/invitations"): PERSON,
    ("POST", "/api/v1/profile/invitations/{invitation_id}/accept"): PERSON,
    ("POST", "/api/v1/profile/invitations/{invitation_id}/decline"): PERSON,
    ("GET", "/api/v1/invitations/{token}"): INVITATION_LINK,
    ("POST", "/api/v1/invitations/{token}/accept"): INVITATION_LINK,
    ("POST", "/api/v1/invitations/{token}/register"): INVITATION_LINK,
    ("GET", "/password"): "the caller's own password page",
    ("GET", "/second-factor"): "the caller's own second factor page",
    ("GET", "/invite/{token}"): INVITATION_LINK,
    ("GET", "/app/{account_id}/profile"): "HTML page of the caller's own profile (foreign account: 404)",
    ("GET", "/"): "redirects to /app or /login",
    ("WS", "/static"): "the static files mount (listed as a websocket route): no tenant data",
    ("GET", "/login"): "the login page",
    ("GET", "/app"): "redirects to the user's first account",
    ("GET", "/app/{account_id}"): "HTML page: tests/web/test_pages.py (foreign account: 404)",
    ("GET", "/app/{account_id}/conversations/{number}"): "HTML page: tests/web/test_pages.py",
    ("GET", "/app/{account_id}/_nav"): "HTML fragment: tests/web/test_pages.py",
    ("GET", "/app/{account_id}/conversations/{number}/_contact"): "HTML fragment: tests/web/test_pages.py",
    ("GET", "/app/{account_id}/conversations/{number}/messages/{message_id}/html"): (
        "an e-mail's sanitised HTML (an HTML page): tests/web/test_mail_html.py (foreign message: 404)"
    ),
    ("GET", "/app/{account_id}/settings"): SETTINGS_PAGES,
    ("GET", "/app/{account_id}/settings/agents"): SETTINGS_PAGES,
    ("GET", "/app/{account_id}/settings/teams"): SETTINGS_PAGES,
    ("GET", "/app/{account_id}/settings/inboxes"): SETTINGS_PAGES,
    ("GET", "/app/{account_id}/settings/inboxes/{inbox_id}"): SETTINGS_PAGES,
    ("GET", "/app/{account_id}/settings/canned"): SETTINGS_PAGES,
    ("GET", "/app/{account_id}/settings/labels"): SETTINGS_PAGES,
    ("POST", "/app/{account_id}/settings/inboxes/{inbox_id}/widget"): SETTINGS_PAGES,
    ("GET", "/app/{account_id}/settings/helpcenter"): SETTINGS_PAGES,
    ("GET", "/app/{account_id}/settings/helpcenter/articles/new"): SETTINGS_PAGES,
    ("GET", "/app/{account_id}/settings/helpcenter/articles/{article_id}"): SETTINGS_PAGES,
    ("POST", "/app/{account_id}/settings/helpcenter/preview"): SETTINGS_PAGES,
    ("GET", "/openapi.json"): "documentation",
    ("GET", "/docs"): "documentation",
    ("GET", "/docs/oauth2-redirect"): "documentation",
    ("GET", "/redoc"): "documentation",
    ("WS", "/ws"): "websocket: tests/realtime/test_gateway.py",
    ("WS", "/api/v1/public/ws"): "websocket: tests/realtime/test_gateway.py",
}

PREFIXES = {AGENT: ACC, PUBLIC: PUB, IDENTIFY: PUB, INBOX: PUB, FILE: "/files/"}


async def test_every_route_is_in_the_table(state: AppState) -> None:
    served = app_routes(create_app(state=state))
    unknown = served - ROUTES.keys() - OUTSIDE.keys()
    assert not unknown, f"routes without an isolation check: add them to ROUTES in {__name__}: {unknown}"
    gone = (ROUTES.keys() | OUTSIDE.keys()) - served
    assert not gone, f"ROUTES or OUTSIDE name routes the app no longer serves: {gone}"
    for (method, path), call in ROUTES.items():
        assert path.startswith(PREFIXES[call.kind]), f"{method} {path} is not a {call.kind} route"


async def _send(
    client: httpx.AsyncClient, method: str, url: str, call: Call, headers: dict[str, str] | None = None
) -> httpx.Response:
    extra: dict[str, Any] = {}
    if call.upload:
        extra["files"] = {"file": ("note.txt", b"isolation", "text/plain")}
    elif call.body is not None:
        extra["json"] = call.body
    try:
        return await client.request(method, url, headers=headers or {}, **extra)
    except Exception as exc:  # an unhandled error is re-raised by the ASGI transport: name the route
        raise AssertionError(f"{method} {url} crashed: {exc!r}") from exc


def _refused(response: httpx.Response, status: int, what: str, other: Side) -> None:
    request = f"{response.request.method} {response.request.url.path}"
    assert response.status_code == status, f"{what}: {request} → {response.status_code} {response.text}"
    code = {401: "unauthorized", 404: "not_found"}[status]
    assert response.json()["error"]["code"] == code, f"{what}: {request} → {response.text}"
    assert other.marker not in response.text, f"{what}: {request} tells of B: {response.text}"


async def test_no_route_reaches_another_tenant(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    a = await build_side(client, state, tenant)
    # B's conversation gets a number A does not have: conversations are numbered per account.
    b = await build_side(client, state, other_tenant, conversations=3)
    assert b.number > a.number
    before = await snapshot(state, b.tenant.account_id)
    counts = {name: len(before[name]) for name in ("conversations", "messages", "contacts", "labels")}
    assert min(counts.values()) > 0 and before["attachments"], f"B has too little to prove much: {counts}"

    for (method, path), call in ROUTES.items():
        route = f"{method} {path}"
        if call.kind == AGENT:
            own = a.tenant.owner.headers
            response = await _send(client, method, fill(path, b.params()), call, own)
            _refused(response, 404, f"{route}: A's token on B's account", b)
            objects = [name for name in path_params(path) if name != "account_id"]
            if objects:
                url = fill(path, {**b.params(), "account_id": a.tenant.account_id})
                response = await _send(client, method, url, call, own)
                _refused(response, 404, f"{route}: A's token and account, B's {', '.join(objects)}", b)
        elif call.kind == PUBLIC:
            url = fill(path, b.params())
            response = await _send(client, method, url, call, a.contact.headers)
            _refused(response, 401, f"{route}: A's contact token on B's inbox", b)
            if "conversation_id" in path_params(path):
                url = fill(path, {**a.params(), "conversation_id": b.conversation_id})
                response = await _send(client, method, url, call, a.contact.headers)
                _refused(response, 404, f"{route}: A's contact, B's conversation", b)
                url = fill(path, a.params())
                response = await _send(client, method, url, call, a.second.headers)
                _refused(response, 404, f"{route}: another contact of A's inbox, A's conversation", b)
        elif call.kind == FILE:
            for key in (a.access_key, "x" * len(b.access_key)):
                url = fill(path, {**b.params(), "access_key": key})
                _refused(await _send(client, method, url, call), 404, f"{route}: a wrong access key", b)
        elif call.kind == INBOX:
            # Open by design (the widget draws itself from it); it must not give away the secret.
            response = await _send(client, method, fill(path, b.params()), call, a.contact.headers)
            assert response.status_code == 200, f"{route}: {response.text}"
            assert b.tenant.inbox_secret not in response.text, f"{route} shows B's inbox secret"
        else:
            assert call.kind == IDENTIFY, f"{route}: unknown kind {call.kind}"  # checked at the end
    await _check_references_to_b(client, a, b)
    after = await snapshot(state, b.tenant.account_id)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, (
        f"refused requests changed B's {changed}: "
        f"{ {name: (len(before[name]), len(after[name])) for name in changed} }"
    )

    await _check_own_things_work(client, a)
    await _check_identify_does_not_carry_a_contact_over(client, state, a, b)
    profile = await client.get("/api/v1/profile", headers=a.tenant.owner.headers)
    assert [account["id"] for account in profile.json()["accounts"]] == [a.tenant.account_id]


async def _check_references_to_b(client: httpx.AsyncClient, a: Side, b: Side) -> None:
    """B's ids inside A's own requests (bodies and filters): refused, or matching nothing."""
    own = a.tenant.owner.headers
    conversation = a.tenant.url(f"/conversations/{a.number}")
    public = a.tenant.public(f"/conversations/{a.conversation_id}/messages")
    b_agent = b.tenant.agent.user_id
    b_upload = {"content": "x", "attachment_ids": [b.attachment_id]}
    b_conversation = b.conversation_id
    inbox_members = a.tenant.url(f"/inboxes/{a.tenant.inbox_id}/members")
    start = {"inbox_id": a.tenant.inbox_id, "subject": "Hello", "content": "Hello"}
    bodies: list[tuple[str, str, str, dict[str, str], dict[str, Any]]] = [
        ("POST", f"{conversation}/assignment", "B's agent", own, {"assignee_id": b_agent}),
        ("POST", f"{conversation}/assignment", "B's team", own, {"team_id": b.team_id}),
        ("PUT", a.tenant.url(f"/teams/{a.team_id}/members"), "B's agent", own, {"user_ids": [b_agent]}),
        ("PUT", inbox_members, "B's agent", own, {"user_ids": [b_agent]}),
        ("POST", f"{conversation}/messages", "B's upload", own, b_upload),
        ("POST", public, "B's upload", a.contact.headers, b_upload),
        ("POST", f"{conversation}/merge", "B's conversation", own, {"into_conversation_id": b_conversation}),
        ("GET", a.tenant.url(f"/canned_responses?conversation_id={b_conversation}"), "B's talk", own, {}),
        ("POST", a.tenant.url("/conversations"), "B's inbox", own, {**start, "inbox_id": b.tenant.inbox_id}),
        (
            "POST",
            a.tenant.url("/conversations"),
            "B's contact",
            own,
            {**start, "contact_id": b.spare_contact_id},
        ),
    ]
    for method, url, what, headers, body in bodies:
        response = await client.request(method, url, json=body, headers=headers)
        _refused(response, 404, f"{method} {url} with {what} in the body", b)
    # Filters naming B's things match nothing; A's own listings show nothing of B.
    empty = [
        f"/conversations?inbox_id={b.tenant.inbox_id}",
        f"/conversations?contact_id={b.contact.contact_id}",
        f"/conversations?team_id={b.team_id}",
        f"/conversations?assignee={b_agent}",
        f"/conversations?label={b.label}",
        f"/conversations?q={b.marker}",
        f"/contacts?q={b.marker}",
    ]
    for listing in [*empty, f"/conversations/counts?inbox_id={b.tenant.inbox_id}", "/labels", "/events"]:
        response = await client.get(a.tenant.url(listing), headers=own)
        assert response.status_code == 200, f"GET {listing}: {response.text}"
        assert b.marker not in response.text, f"GET {listing} as A shows B's things: {response.text}"
        if listing in empty:
            assert response.json()["items"] == [], f"GET {listing} as A: {response.text}"
        elif listing.startswith("/conversations/counts"):
            assert set(response.json().values()) == {0}, f"A's counts of B's inbox: {response.text}"


async def _check_own_things_work(client: httpx.AsyncClient, a: Side) -> None:
    """Every route, A on A: it succeeds, so the 404s above came from the access checks and not from a
    wrong path or body. Deletions go last; DELETE /contacts takes the spare contact, not A's customer."""
    params = {**a.params(), "contact_id": a.spare_contact_id}
    for (method, path), call in sorted(ROUTES.items(), key=lambda item: item[0][0] == "DELETE"):
        headers = a.tenant.owner.headers if call.kind == AGENT else a.contact.headers
        response = await _send(client, method, fill(path, params), call, headers)
        assert response.status_code == call.ok, (
            f"{method} {path}, A on A: {response.status_code} {response.text}"
        )


async def _check_identify_does_not_carry_a_contact_over(
    client: httpx.AsyncClient, state: AppState, a: Side, b: Side
) -> None:
    """A's contact token on B's inbox is ignored when identifying: B gets a new contact of its own,
    and A's contact is neither moved nor renamed nor given the identifier."""
    response = await client.post(
        b.tenant.public("/contacts"),
        json={"identifier": "user-1", "name": "Mallory"},
        headers=a.contact.headers,
    )
    assert response.status_code == 201, response.text
    found = response.json()["contact"]["id"]
    assert found != a.contact.contact_id
    async with state.read() as session:
        theirs = await session.get(Contact, found)
        mine = await session.get(Contact, a.contact.contact_id)
    assert theirs is not None and theirs.account_id == b.tenant.account_id
    assert mine is not None and mine.account_id == a.tenant.account_id
    assert mine.identifier is None and mine.name != "Mallory"
