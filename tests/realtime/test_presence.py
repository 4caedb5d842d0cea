"""Agent presence across nodes: a socket on one node makes its agent online for every node.

Each "node" is an AppState of its own (its own hub, engines and node id) on the shared database.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.accounts.models import Inbox
from destek.app import build_state, create_app, running
from destek.bot import handoffs, texts
from destek.bot import service as bot
from destek.config import Settings
from destek.db import utcnow
from destek.realtime import presence
from destek.realtime.models import AgentPresence
from destek.state import AppState
from tests.support.factories import Tenant, make_contact, make_tenant
from tests.support.factories_fixtures import make_settings
from tests.support.server import WsClient, serving, subscribe

WAIT = 5.0


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Presence lives in the database: every database, one bus is enough."""
    return make_settings(db_url, tmp_path)


@pytest.fixture
async def other_node(settings: Settings) -> AsyncIterator[AppState]:
    """A second node on the same database, with no socket of its own."""
    built = build_state(settings)
    async with running(built):
        yield built


async def eventually(check: Callable[[], Awaitable[bool]], expected: bool) -> None:
    """The written presence reaches the database soon after the socket comes or goes, not at once."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while await check() != expected:
        assert loop.time() < deadline, f"still not {expected} after {WAIT} s"
        await asyncio.sleep(0.02)


def online(node: AppState, tenant: Tenant) -> Callable[[], Awaitable[bool]]:
    """Is someone who can see the tenant's inbox online, as this node's bot asks it?"""

    async def check() -> bool:
        return await handoffs.agents_online(node, account_id=tenant.account_id, inbox_id=tenant.inbox_id)

    return check


async def rows(state: AppState, tenant: Tenant) -> list[tuple[int, str]]:
    async with state.read() as session:
        found = await session.execute(
            select(AgentPresence.user_id, AgentPresence.node)
            .where(AgentPresence.account_id == tenant.account_id)
            .order_by(AgentPresence.id)
        )
        return [(user_id, node) for user_id, node in found]


async def agent_socket(url: str, tenant: Tenant) -> WsClient:
    """The dashboard of the tenant's agent (a member of the tenant's inbox unless made otherwise)."""
    client, first = await subscribe(
        url, "/ws", {"type": "subscribe", "account_id": tenant.account_id, "token": tenant.agent.token}
    )
    assert first["type"] == "subscribed", first
    return client


def node_id(state: AppState) -> str:
    assert state.hub is not None
    return state.hub.node_id


async def test_an_agent_on_one_node_is_online_for_another(
    state: AppState, other_node: AppState, tenant: Tenant
) -> None:
    assert node_id(state) != node_id(other_node)
    assert not await online(other_node, tenant)()
    contact = await make_contact(state, tenant)
    async with serving(state) as url:
        customer, first = await subscribe(
            url,
            "/api/v1/public/ws",
            {"type": "subscribe", "inbox": tenant.inbox_token, "token": contact.token},
        )
        assert first["type"] == "subscribed", first
        agent = await agent_socket(url, tenant)
        await eventually(online(other_node, tenant), True)
        assert await online(state, tenant)()
        # One row, the agent's on the node that holds the socket: a contact is not an agent.
        assert await rows(state, tenant) == [(tenant.agent.user_id, node_id(state))]
        await customer.close()
        await agent.close()
        await eventually(online(other_node, tenant), False)
        assert await rows(state, tenant) == []


async def test_the_last_socket_of_an_agent_takes_them_offline(
    state: AppState, other_node: AppState, tenant: Tenant
) -> None:
    async with serving(state) as url:
        first = await agent_socket(url, tenant)
        second = await agent_socket(url, tenant)
        await eventually(online(other_node, tenant), True)
        await first.close()
        hub = state.hub
        assert hub is not None

        async def one_left() -> bool:
            return hub.connection_count() == 1

        await eventually(one_left, True)
        await asyncio.sleep(0.3)  # the detach has been written by now
        assert await online(other_node, tenant)()  # another tab is still open
        await second.close()
        await eventually(online(other_node, tenant), False)


async def test_a_row_not_refreshed_within_the_window_is_offline(state: AppState, tenant: Tenant) -> None:
    # A node that died without cleaning up: its rows stay, but stop counting.
    present = {(tenant.account_id, tenant.agent.user_id)}
    async with state.db.session() as session, session.begin():
        await presence.sync_node(session, node="dead-node", present=present, now=utcnow())
    assert await online(state, tenant)()
    late = utcnow() - presence.ONLINE_WINDOW - dt.timedelta(seconds=1)
    async with state.db.session() as session, session.begin():
        await presence.sync_node(session, node="dead-node", present=present, now=late)
    assert not await online(state, tenant)()


async def test_nodes_refresh_their_agents(
    state: AppState, settings: Settings, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(presence, "REFRESH_SECONDS", 0.1)
    node = build_state(settings)
    async with running(node), serving(node) as url:
        agent = await agent_socket(url, tenant)
        await eventually(online(state, tenant), True)
        # Seen long ago as far as the database knows: the node's next refresh makes it current again.
        async with state.db.session() as session, session.begin():
            await session.execute(update(AgentPresence).values(seen_at=utcnow() - presence.ONLINE_WINDOW * 2))
        await eventually(online(state, tenant), True)
        await agent.close()


async def test_an_agent_who_cannot_see_the_inbox_does_not_count(
    state: AppState, other_node: AppState
) -> None:
    tenant = await make_tenant(state, agent_in_inbox=False)
    async with serving(state) as url:
        agent = await agent_socket(url, tenant)

        async def has_row() -> bool:
            return bool(await rows(other_node, tenant))

        await eventually(has_row, True)
        assert not await online(other_node, tenant)()
        # Made a member of the inbox while connected: counts from now on, without reconnecting.
        async with state.uow() as session:
            owner = await accounts.actor_for(
                session, account_id=tenant.account_id, user_id=tenant.owner.user_id
            )
            await inbox_service.set_inbox_members(
                session, actor=owner, inbox_id=tenant.inbox_id, user_ids=[tenant.agent.user_id]
            )
        assert await online(other_node, tenant)()
        await agent.close()


async def test_a_deactivated_agent_does_not_count(
    state: AppState, other_node: AppState, tenant: Tenant
) -> None:
    async with serving(state) as url:
        agent = await agent_socket(url, tenant)
        await eventually(online(other_node, tenant), True)
        async with state.uow() as session:
            owner = await accounts.actor_for(
                session, account_id=tenant.account_id, user_id=tenant.owner.user_id
            )
            await accounts.update_member(
                session, actor=owner, user_id=tenant.agent.user_id, role=None, active=False
            )
        assert await rows(state, tenant) != []  # the socket is still open...
        assert not await online(other_node, tenant)()  # ...but a deactivated user is nobody's help
        await agent.close()


async def test_a_stopping_node_removes_its_agents(
    state: AppState, settings: Settings, tenant: Tenant
) -> None:
    node = build_state(settings)
    async with contextlib.AsyncExitStack() as server:
        async with running(node):
            url = await server.enter_async_context(serving(node))
            agent = await agent_socket(url, tenant)
            await eventually(online(state, tenant), True)
        # The hub has stopped (the server still runs): its rows are gone at once, not after the window.
        assert await rows(state, tenant) == []
        assert not await online(state, tenant)()
        await agent.close()


async def test_the_bot_on_another_node_knows_a_person_is_online(
    state: AppState, settings: Settings, tenant: Tenant
) -> None:
    """The customer's app reaches node B, whose bot hands over; the agent's dashboard is on node A."""
    async with state.uow() as session:
        inbox = await session.get(Inbox, tenant.inbox_id)
        assert inbox is not None
        await bot.enable_builtin(session, inbox=inbox)
    bot_node = build_state(settings.model_copy(update={"run_consumers": True, "catchup_seconds": 0.2}))

    async def ask_for_a_person() -> list[str]:
        contact = await make_contact(state, tenant)
        opened = await customer_app.post(
            tenant.public("/conversations"),
            json={"message": {"content": "I want to talk to a person"}},
            headers=contact.headers,
        )
        assert opened.status_code == 201, opened.text
        assert bot_node.consumers is not None
        await bot_node.consumers.settle(timeout=30)
        shown = await customer_app.get(
            tenant.public(f"/conversations/{opened.json()['conversation']['id']}/messages"),
            headers=contact.headers,
        )
        assert shown.status_code == 200, shown.text
        return [m["content"] for m in shown.json() if m["sender"]["type"] == "bot"]

    async with (
        running(bot_node),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(create_app(state=bot_node)), base_url="http://b"
        ) as customer_app,
        serving(state) as url,
    ):
        agent = await agent_socket(url, tenant)
        await eventually(online(bot_node, tenant), True)
        said = await ask_for_a_person()
        assert texts.HANDOFF in said
        assert not any(text.startswith("Our team is not online") for text in said)

        await agent.close()
        await eventually(online(bot_node, tenant), False)
        said = await ask_for_a_person()
        assert texts.HANDOFF in said
        assert said[-1].startswith("Our team is not online right now. A person will answer within 1 hour.")
