"""The "viewing" signal behind the dashboard's collision notice: agents see it, contacts never do."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from destek.config import Settings
from destek.state import AppState
from tests.support.factories import Tenant, make_contact, open_conversation
from tests.support.factories_fixtures import make_settings
from tests.support.server import serving, subscribe


@pytest.fixture
def settings(db_url: str, bus_url: str | None, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, bus_url)


async def test_viewing_reaches_agents_and_never_the_contact(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await make_contact(state, tenant, name="Deniz")
    started = await open_conversation(client, contact)
    conversation_id = started["conversation"]["id"]
    async with serving(state) as url:
        agent, first = await subscribe(
            url, "/ws", {"type": "subscribe", "account_id": tenant.account_id, "token": tenant.agent.token}
        )
        assert first["type"] == "subscribed"
        await agent.recv_type("caught_up")
        customer, first = await subscribe(
            url,
            "/api/v1/public/ws",
            {"type": "subscribe", "inbox": tenant.inbox_token, "token": contact.token},
        )
        assert first["type"] == "subscribed"
        await customer.recv_type("caught_up")

        response = await client.post(
            tenant.url("/conversations/1/viewing"), json={"viewing": True}, headers=tenant.owner.headers
        )
        assert response.status_code == 204, response.text
        frame = await agent.recv_type("viewing")
        assert frame["conversation_id"] == conversation_id and frame["conversation_number"] == 1
        assert frame["viewing"] is True
        assert frame["sender"]["type"] == "agent" and frame["sender"]["id"] == tenant.owner.user_id

        # The contact's socket: the next thing it hears is the agent typing, not the viewing signal.
        await client.post(
            tenant.url("/conversations/1/typing"), json={"typing": True}, headers=tenant.owner.headers
        )
        heard = await customer.recv()
        while heard["type"] == "ping":
            heard = await customer.recv()
        assert heard["type"] == "typing", heard
        await agent.close()
        await customer.close()


async def test_viewing_refuses_unknown_fields_and_foreign_numbers(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        tenant.url("/conversations/1/viewing"), json={"viewing": True}, headers=tenant.owner.headers
    )
    assert response.status_code == 404
    response = await client.post(
        tenant.url("/conversations/1/viewing"), json={"looking": True}, headers=tenant.owner.headers
    )
    assert response.status_code in (404, 422)
