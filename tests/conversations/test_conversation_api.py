"""One conversation: detail, status, priority, assignment, labels, read receipts, typing, isolation."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from destek.accounts import service as accounts
from destek.bus import BusMessage, Signal
from destek.contacts.schemas import DeviceInfo
from destek.conversations.models import Label
from destek.state import AppState
from tests.conversations.helpers import (
    create_team,
    events_since,
    head,
    second_inbox,
    start_conversation,
)
from tests.support.factories import Tenant


def _future(hours: int = 2) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)).isoformat()


async def test_detail_has_contact_with_device_and_inbox(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    started = await start_conversation(
        state,
        tenant,
        email="ayse@example.com",
        attributes={"plan": "gold", "orders": 3},
        device=DeviceInfo(app_version="2.4.1", os="iOS", os_version="17.2", device_model="iPhone 15"),
    )
    response = await client.get(tenant.url(f"/conversations/{started.number}"), headers=tenant.agent.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == started.number
    assert body["status"] == "open"
    assert body["unread_count"] == 1
    assert body["inbox"] == {"id": tenant.inbox_id, "name": "App chat", "channel_type": "widget"}
    contact = body["contact"]
    assert contact["id"] == started.contact_id
    assert contact["email"] == "ayse@example.com"
    assert contact["attributes"] == {"plan": "gold", "orders": 3}
    assert contact["device"] == {
        "app_version": "2.4.1",
        "os": "iOS",
        "os_version": "17.2",
        "device_model": "iPhone 15",
    }
    missing = await client.get(tenant.url("/conversations/999"), headers=tenant.agent.headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert (await client.get(tenant.url("/conversations/0"), headers=tenant.agent.headers)).status_code == 422


async def test_status_changes_are_visible_and_logged(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    started = await start_conversation(state, tenant)
    url = tenant.url(f"/conversations/{started.number}/status")
    before = await head(state, tenant)
    response = await client.post(url, json={"status": "resolved"}, headers=tenant.agent.headers)
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    assert response.json()["resolved_at"] is not None
    detail = await client.get(tenant.url(f"/conversations/{started.number}"), headers=tenant.agent.headers)
    assert detail.json()["status"] == "resolved"
    [event] = await events_since(state, tenant, before)
    assert event.type == "conversation.updated"
    assert event.payload["changed"] == ["status"]
    assert event.payload["conversation"]["status"] == "resolved"
    assert event.conversation_id == started.id

    until = _future()
    snoozed = await client.post(
        url, json={"status": "snoozed", "snoozed_until": until}, headers=tenant.agent.headers
    )
    assert snoozed.status_code == 200
    assert snoozed.json()["status"] == "snoozed"
    assert dt.datetime.fromisoformat(snoozed.json()["snoozed_until"]) == dt.datetime.fromisoformat(until)
    assert snoozed.json()["resolved_at"] is None
    # The same status again changes nothing and logs nothing.
    mark = await head(state, tenant)
    again = await client.post(
        url, json={"status": "snoozed", "snoozed_until": until}, headers=tenant.agent.headers
    )
    assert again.status_code == 200
    assert await head(state, tenant) == mark


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "closed"}, "status"),
        ({}, "status"),
        ({"status": "snoozed"}, "snoozed_until"),
        ({"status": "snoozed", "snoozed_until": "2001-01-01T00:00:00Z"}, "snoozed_until"),
        ({"status": "snoozed", "snoozed_until": "2999-01-01T00:00:00"}, "snoozed_until"),  # no time zone
        ({"status": "snoozed", "snoozed_until": "tomorrow"}, "snoozed_until"),
        ({"status": "open", "snoozed_until": "2999-01-01T00:00:00Z"}, "snoozed_until"),
        ({"status": "open", "reason": "x"}, "reason"),
    ],
)
async def test_bad_status_names_the_field(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    started = await start_conversation(state, tenant)
    before = await head(state, tenant)
    response = await client.post(
        tenant.url(f"/conversations/{started.number}/status"), json=body, headers=tenant.agent.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert await head(state, tenant) == before


async def test_priority(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    started = await start_conversation(state, tenant)
    url = tenant.url(f"/conversations/{started.number}/priority")
    before = await head(state, tenant)
    response = await client.post(url, json={"priority": "high"}, headers=tenant.agent.headers)
    assert response.status_code == 200
    assert response.json()["priority"] == "high"
    [event] = await events_since(state, tenant, before)
    assert (event.type, event.payload["changed"]) == ("conversation.updated", ["priority"])
    assert event.payload["conversation"]["priority"] == "high"
    bad = await client.post(url, json={"priority": "critical"}, headers=tenant.agent.headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "priority"
    detail = await client.get(tenant.url(f"/conversations/{started.number}"), headers=tenant.agent.headers)
    assert detail.json()["priority"] == "high"


async def test_assignment_sets_and_clears_only_what_is_sent(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    started = await start_conversation(state, tenant)
    team_id = await create_team(state, tenant)
    url = tenant.url(f"/conversations/{started.number}/assignment")
    headers = tenant.owner.headers

    before = await head(state, tenant)
    both = await client.post(
        url, json={"assignee_id": tenant.agent.user_id, "team_id": team_id}, headers=headers
    )
    assert both.status_code == 200
    assert (both.json()["assignee_id"], both.json()["team_id"]) == (tenant.agent.user_id, team_id)
    [event] = await events_since(state, tenant, before)
    assert event.type == "conversation.updated"
    assert event.payload["changed"] == ["assignee_id", "team_id"]
    assert event.payload["conversation"]["assignee_id"] == tenant.agent.user_id

    # team_id left out: the team stays; explicit null: the assignee goes.
    cleared = await client.post(url, json={"assignee_id": None}, headers=headers)
    assert cleared.status_code == 200
    assert (cleared.json()["assignee_id"], cleared.json()["team_id"]) == (None, team_id)
    no_team = await client.post(url, json={"team_id": None}, headers=headers)
    assert (no_team.json()["assignee_id"], no_team.json()["team_id"]) == (None, None)
    owner_self = await client.post(
        url, json={"assignee_id": tenant.owner.user_id}, headers=tenant.agent.headers
    )
    assert owner_self.status_code == 200
    detail = await client.get(tenant.url(f"/conversations/{started.number}"), headers=headers)
    assert detail.json()["assignee_id"] == tenant.owner.user_id


async def test_bad_assignments(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    started = await start_conversation(state, tenant)
    foreign_team = await create_team(state, other_tenant)
    url = tenant.url(f"/conversations/{started.number}/assignment")
    headers = tenant.owner.headers
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"assignee_id": 999_999}, 404, "assignee_id"),
        ({"assignee_id": other_tenant.agent.user_id}, 404, "assignee_id"),  # not a member of this account
        ({"team_id": 999_999}, 404, "team_id"),
        ({"team_id": foreign_team}, 404, "team_id"),
        ({"assignee_id": "someone"}, 422, "assignee_id"),
        ({"assignee_id": 0}, 422, "assignee_id"),
        ({}, 422, "assignee_id"),
        ({"asignee_id": tenant.agent.user_id}, 422, "asignee_id"),  # a typo is not "leave unchanged"
    ]
    before = await head(state, tenant)
    for body, status, field in cases:
        response = await client.post(url, json=body, headers=headers)
        assert response.status_code == status, (body, response.text)
        assert response.json()["error"]["field"] == field, body
    assert await head(state, tenant) == before
    # An agent who cannot see the inbox cannot be given its conversations.
    hidden = await start_conversation(state, tenant, inbox_id=await second_inbox(state, tenant))
    response = await client.post(
        tenant.url(f"/conversations/{hidden.number}/assignment"),
        json={"assignee_id": tenant.agent.user_id},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "assignee_id"
    # A deactivated agent neither.
    async with state.uow() as session:
        owner = await accounts.actor_for(session, account_id=tenant.account_id, user_id=tenant.owner.user_id)
        await accounts.update_member(
            session, actor=owner, user_id=tenant.agent.user_id, role=None, active=False
        )
    mark = await head(state, tenant)
    response = await client.post(url, json={"assignee_id": tenant.agent.user_id}, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "assignee_id"
    assert await head(state, tenant) == mark
    detail = await client.get(tenant.url(f"/conversations/{started.number}"), headers=headers)
    assert (detail.json()["assignee_id"], detail.json()["team_id"]) == (None, None)


async def test_two_agents_adding_the_same_new_label_at_once_share_one_label(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    first = await start_conversation(state, tenant)
    second = await start_conversation(state, tenant, name="Mehmet")

    async def label(number: int, headers: dict[str, str]) -> httpx.Response:
        return await client.put(
            tenant.url(f"/conversations/{number}/labels"), json={"labels": ["billing"]}, headers=headers
        )

    responses = await asyncio.gather(
        label(first.number, tenant.agent.headers), label(second.number, tenant.owner.headers)
    )
    assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
    assert [r.json()["labels"] for r in responses] == [["billing"], ["billing"]]
    async with state.read() as session:
        rows = list(await session.scalars(select(Label).where(Label.account_id == tenant.account_id)))
    assert [label.name for label in rows] == ["billing"]


async def test_labels(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    started = await start_conversation(state, tenant)
    url = tenant.url(f"/conversations/{started.number}/labels")
    before = await head(state, tenant)
    response = await client.put(
        url, json={"labels": ["VIP", " Billing ", "vip", "ödeme/iade"]}, headers=tenant.agent.headers
    )
    assert response.status_code == 200
    assert response.json()["labels"] == ["billing", "vip", "ödeme/iade"]
    [event] = await events_since(state, tenant, before)
    assert (event.type, event.payload["changed"]) == ("conversation.updated", ["labels"])
    assert event.payload["conversation"]["labels"] == ["billing", "vip", "ödeme/iade"]

    labels = await client.get(tenant.url("/labels"), headers=tenant.agent.headers)
    assert labels.status_code == 200
    assert [label["name"] for label in labels.json()["items"]] == ["billing", "vip", "ödeme/iade"]
    assert set(labels.json()["items"][0]) == {"id", "name", "color", "description"}

    mark = await head(state, tenant)
    same = await client.put(
        url, json={"labels": ["vip", "billing", "ödeme/iade"]}, headers=tenant.agent.headers
    )
    assert same.status_code == 200
    assert await head(state, tenant) == mark  # nothing changed, nothing logged
    emptied = await client.put(url, json={"labels": []}, headers=tenant.agent.headers)
    assert emptied.json()["labels"] == []
    detail = await client.get(tenant.url(f"/conversations/{started.number}"), headers=tenant.agent.headers)
    assert detail.json()["labels"] == []
    # The account keeps its labels for later use.
    assert len((await client.get(tenant.url("/labels"), headers=tenant.agent.headers)).json()["items"]) == 3


@pytest.mark.parametrize(
    "body",
    [
        {"labels": ["vip<script>"]},
        {"labels": ["a;b"]},
        {"labels": ["   "]},
        {"labels": ["x" * 65]},
        {"labels": "vip"},
        {"labels": ["ok"] * 31},
        {},
    ],
)
async def test_bad_labels_name_the_field(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, body: dict[str, Any]
) -> None:
    started = await start_conversation(state, tenant)
    response = await client.put(
        tenant.url(f"/conversations/{started.number}/labels"), json=body, headers=tenant.agent.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"].split(".")[0] == "labels"  # labels, or labels.0 (which one)
    assert (await client.get(tenant.url("/labels"), headers=tenant.agent.headers)).json()["items"] == []


async def test_read_receipt(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    started = await start_conversation(state, tenant, texts=("Merhaba", "Orada mısınız?"))
    before = await head(state, tenant)
    response = await client.post(
        tenant.url(f"/conversations/{started.number}/read"), headers=tenant.agent.headers
    )
    assert response.status_code == 200
    assert response.json()["agent_last_read_at"] is not None
    [event] = await events_since(state, tenant, before)
    assert event.type == "conversation.read"
    assert event.payload["reader_type"] == "agent"
    assert event.payload["reader_id"] == tenant.agent.user_id
    assert event.payload["conversation_number"] == started.number
    messages = await client.get(
        tenant.url(f"/conversations/{started.number}/messages"), headers=tenant.agent.headers
    )
    assert [m["status"] for m in messages.json()["items"]] == ["read", "read"]
    detail = await client.get(tenant.url(f"/conversations/{started.number}"), headers=tenant.agent.headers)
    assert detail.json()["unread_count"] == 0


async def test_typing_goes_over_the_bus_only(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    started = await start_conversation(state, tenant)
    seen: list[BusMessage] = []
    stop = state.bus.listen(seen.append)
    try:
        before = await head(state, tenant)
        url = tenant.url(f"/conversations/{started.number}/typing")
        response = await client.post(
            url, json={"typing": True, "private": True}, headers=tenant.agent.headers
        )
        assert response.status_code == 204
        assert response.content == b""
        bad = await client.post(url, json={"typing": "maybe"}, headers=tenant.agent.headers)
        assert bad.status_code == 422
        assert bad.json()["error"]["field"] == "typing"
    finally:
        stop()
    signals = [m for m in seen if isinstance(m, Signal)]
    assert len(signals) == 1
    assert signals[0].account_id == tenant.account_id
    payload = signals[0].payload
    assert payload["type"] == "typing"
    assert payload["conversation_number"] == started.number
    assert payload["typing"] is True
    assert payload["private"] is True
    assert payload["sender"]["type"] == "agent"
    assert payload["sender"]["id"] == tenant.agent.user_id
    assert payload["sender"]["name"].startswith("Agent ")
    assert await head(state, tenant) == before  # never logged
