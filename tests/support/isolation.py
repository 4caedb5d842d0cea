"""For the tenant-isolation suite: every route of the app, a tenant stocked with one of everything
(built through the API, as customers and agents would), and a fingerprint of an account's rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy import select
from starlette.routing import WebSocketRoute

import destek.models  # noqa: F401 (registers every table on Base.metadata)
from destek.accounts.models import Inbox
from destek.channels import intake
from destek.channels.base import Parsed
from destek.conversations.models import Conversation, Message
from destek.db import Base
from destek.helpcenter.suggestions import Suggested, list_for, record
from destek.state import AppState
from tests.support.factories import ContactSession, Tenant

_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
_CONVERTOR = re.compile(r"\{(\w+):\w+\}")


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of everything the app serves; websockets as ("WS", path).

    Read from the routing table and from the OpenAPI schema, so that a change in how FastAPI exposes
    included routers (0.137+ no longer flattens them into `app.routes`) cannot empty the set.
    """
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        assert context.path is not None, context
        path = _CONVERTOR.sub(r"{\1}", context.path)  # /articles/{article_id:int}: as OpenAPI writes it
        if isinstance(context.original_route, WebSocketRoute) or context.methods is None:
            found.add(("WS", path))
            continue
        methods = set(context.methods)
        if "GET" in methods:
            methods.discard("HEAD")  # Starlette adds HEAD to every GET
        found.update((method, path) for method in methods)
    for path, operations in app.openapi()["paths"].items():
        found.update((method.upper(), path) for method in operations)
    return found


def path_params(path: str) -> list[str]:
    return _PARAM.findall(path)


def fill(path: str, params: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in params, f"no value for path parameter {{{name}}} of {path}"
        return quote(str(params[name]), safe="")

    return _PARAM.sub(value, path)


@dataclass
class Side:
    """One tenant with one of everything. `marker` is in every text of it, to spot a leak."""

    tenant: Tenant
    marker: str
    contact: ContactSession  # has the conversation below
    second: ContactSession  # another customer of the same inbox, without conversations
    conversation_id: int
    number: int
    attachment_id: int
    access_key: str
    filename: str
    team_id: int
    label: str
    token_id: int  # a spare token, not the one the tests act with
    spare_contact_id: int  # a contact without conversations (made by an agent)
    canned_id: int = 0  # a canned response
    label_id: int = 0  # the id of `label`
    article_id: int = 0  # a help-center article (en published, tr draft)
    category_id: int = 0  # its help-center category
    invitation_id: int = 0  # the account's invitation of someone not yet a member
    suggestion_id: int = 0  # an example question suggested for the article (en)
    message_id: int = 0  # the conversation's first message (the customer's)
    record_id: int = 0  # an inbound item that could not be parsed (channels/intake.py)
    calendar_id: int = 0  # a business-hours calendar

    def params(self) -> dict[str, Any]:
        """A value for every path parameter, all of this tenant."""
        return {
            "account_id": self.tenant.account_id,
            "number": self.number,
            "contact_id": self.contact.contact_id,
            "team_id": self.team_id,
            "inbox_id": self.tenant.inbox_id,
            "token_id": self.token_id,
            "user_id": self.tenant.agent.user_id,
            "inbox_token": self.tenant.inbox_token,
            "conversation_id": self.conversation_id,
            "attachment_id": self.attachment_id,
            "access_key": self.access_key,
            "filename": self.filename,
            "canned_id": self.canned_id,
            "label_id": self.label_id,
            "article_id": self.article_id,
            "category_id": self.category_id,
            "invitation_id": self.invitation_id,
            "suggestion_id": self.suggestion_id,
            "message_id": self.message_id,
            "record_id": self.record_id,
            "calendar_id": self.calendar_id,
            "token": "isolation-device-1",  # a push token (the same string on both sides)
            "locale": "en",
        }


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.is_success, f"{response.request.method} {response.request.url}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


async def _customer(client: httpx.AsyncClient, tenant: Tenant, name: str) -> ContactSession:
    body = _ok(await client.post(tenant.public("/contacts"), json={"name": name}))
    return ContactSession(body["contact"]["id"], body["token"], tenant)


async def build_side(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, *, conversations: int = 1
) -> Side:
    """Stock the tenant through the public and agent APIs. The last of `conversations` is the one
    kept; the earlier ones only push its number up (numbers count per account)."""
    marker = f"marker{tenant.account_id}q"
    owner = tenant.owner.headers
    customer = await _customer(client, tenant, f"Customer {marker}")
    second = await _customer(client, tenant, "Second customer")
    started: dict[str, Any] = {}
    for _ in range(conversations):
        started = _ok(
            await client.post(
                tenant.public("/conversations"),
                json={"message": {"content": f"Order {marker} is late"}},
                headers=customer.headers,
            )
        )
    conversation_id = started["conversation"]["id"]
    upload = _ok(
        await client.post(
            tenant.public(f"/conversations/{conversation_id}/attachments"),
            files={"file": (f"{marker}.txt", b"receipt", "text/plain")},
            headers=customer.headers,
        )
    )
    _files, attachment_id, access_key, filename = upload["url"].lstrip("/").split("/")
    async with state.read() as session:
        number = await session.scalar(select(Conversation.number).where(Conversation.id == conversation_id))
    assert number is not None
    label = f"label-{marker}"
    _ok(
        await client.put(
            tenant.url(f"/conversations/{number}/labels"), json={"labels": [label]}, headers=owner
        )
    )
    team = _ok(await client.post(tenant.url("/teams"), json={"name": f"Team {marker}"}, headers=owner))
    token = _ok(await client.post(tenant.url("/tokens"), json={"name": "spare"}, headers=owner))
    spare = _ok(await client.post(tenant.url("/contacts"), json={"name": "Spare"}, headers=owner))
    canned = _ok(
        await client.post(
            tenant.url("/canned_responses"),
            json={"short_code": "iso", "title": f"Canned {marker}", "content": f"Text {marker}"},
            headers=owner,
        )
    )
    labels = _ok(await client.get(tenant.url("/labels"), headers=owner))["items"]
    category = _ok(
        await client.post(tenant.url("/categories"), json={"names": {"en": f"Help {marker}"}}, headers=owner)
    )
    article = _ok(
        await client.post(
            tenant.url("/articles"),
            json={
                "category_id": category["id"],
                "translations": {
                    "en": {"title": f"Article {marker}", "body": f"Text {marker}", "status": "published"},
                    "tr": {"title": f"Makale {marker}", "body": f"Metin {marker}"},
                },
            },
            headers=owner,
        )
    )
    invitation = _ok(
        await client.post(
            tenant.url("/invitations"),
            json={"email": f"invitee-{marker}@example.com", "name": f"Invitee {marker}"},
            headers=owner,
        )
    )
    async with state.uow() as session:  # made by the consumer when a conversation is resolved
        asked = Suggested(article_id=article["id"], locale="en", question=f"Question {marker}")
        await record(session, account_id=tenant.account_id, suggested=asked, conversation_id=conversation_id)
        suggestion_id = (await list_for(session, account_id=tenant.account_id, article_id=article["id"]))[
            0
        ].id
    async with state.read() as session:
        message_id = await session.scalar(
            select(Message.id).where(Message.conversation_id == conversation_id).order_by(Message.id).limit(1)
        )
        inbox = await session.get(Inbox, tenant.inbox_id)
    assert message_id is not None and inbox is not None

    def unreadable(raw: bytes) -> Parsed:
        raise ValueError(f"unreadable {marker}")

    failed = await intake.take(
        state, inbox=inbox, kind="widget", raw=f"body {marker}".encode(), source="http", parser=unreadable
    )
    assert failed.record_id is not None
    calendar = _ok(
        await client.post(
            tenant.url("/calendars"),
            json={
                "name": f"Hours {marker}",
                "timezone": "Europe/Istanbul",
                "week": {"monday": ["09:00-18:00"]},
            },
            headers=owner,
        )
    )
    return Side(
        tenant=tenant,
        marker=marker,
        contact=customer,
        second=second,
        conversation_id=conversation_id,
        number=number,
        attachment_id=int(attachment_id),
        access_key=access_key,
        filename=filename,
        team_id=team["id"],
        label=label,
        token_id=token["id"],
        spare_contact_id=spare["id"],
        canned_id=canned["id"],
        label_id=next(item["id"] for item in labels if item["name"] == label),
        article_id=article["id"],
        category_id=category["id"],
        invitation_id=invitation["id"],
        suggestion_id=suggestion_id,
        message_id=message_id,
        record_id=failed.record_id,
        calendar_id=calendar["id"],
    )


async def snapshot(state: AppState, account_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the account, table by table: its own row, its members' users, and every row
    that carries its account_id (conversations, messages, contacts, labels, tokens, events...)."""
    tables = Base.metadata.tables
    members = select(tables["memberships"].c.user_id).where(tables["memberships"].c.account_id == account_id)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with state.read() as session:
        for table in Base.metadata.sorted_tables:
            if "account_id" in table.c:
                where = table.c.account_id == account_id
            elif table.name == "accounts":
                where = table.c.id == account_id
            elif table.name == "users":
                where = table.c.id.in_(members)
            else:
                continue
            result = await session.execute(select(table).where(where).order_by(*table.primary_key.columns))
            rows[table.name] = [tuple(row) for row in result]
    return rows
