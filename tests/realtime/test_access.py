"""Open sockets follow the person's access at once: deactivated, signed out, a token revoked, an inbox
taken away. Every database, every bus (conftest); the periodic catch-up is 30 s here, so what happens
within seconds came from the event and its notification."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from destek.accounts import credentials
from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.state import AppState
from tests.realtime.helpers import start_conversation
from tests.support.factories import Tenant, make_contact, write
from tests.support.server import WsClient, serving, subscribe

CLOSED_WITHIN = 3.0


async def agent_socket(url: str, tenant: Tenant, token: str) -> WsClient:
    client, first = await subscribe(
        url, "/ws", {"type": "subscribe", "account_id": tenant.account_id, "token": token, "since": None}
    )
    assert first["type"] == "subscribed", first
    return client


async def _read_until_closed(client: WsClient) -> None:
    while True:
        await client.recv(CLOSED_WITHIN)


async def next_of(client: WsClient, kind: str) -> dict[str, object]:
    while True:
        frame = await client.recv_type("event")
        if frame["event"]["type"] == kind:
            return dict(frame["event"])


async def closed_with(client: WsClient) -> tuple[int, str]:
    """Wait for the server to close the socket; its close code and reason."""
    with pytest.raises(ConnectionClosed) as closed:
        await _read_until_closed(client)
    received = closed.value.rcvd
    assert received is not None
    return received.code, received.reason


async def test_deactivation_closes_the_agents_sockets_at_once(state: AppState, tenant: Tenant) -> None:
    async with serving(state) as url:
        agent = await agent_socket(url, tenant, tenant.agent.token)
        owner = await agent_socket(url, tenant, tenant.owner.token)
        async with state.uow() as session:
            actor = await accounts.actor_for(
                session, account_id=tenant.account_id, user_id=tenant.owner.user_id
            )
            await accounts.update_member(
                session, actor=actor, user_id=tenant.agent.user_id, role=None, active=False
            )
        code, reason = await closed_with(agent)
        assert code == 4001 and "deactivated" in reason
        # The owner's socket stays, and hears of the change.
        update = await owner.recv_type("event")
        assert update["event"]["type"] == "agent.updated" and update["event"]["changed"] == ["active"]
        # The token cannot subscribe again.
        with pytest.raises(ConnectionClosed) as refused:
            await agent_socket(url, tenant, tenant.agent.token)
        assert refused.value.rcvd is not None and refused.value.rcvd.code == 4001
        await owner.close()


async def test_a_password_change_closes_the_other_sessions_sockets(state: AppState, tenant: Tenant) -> None:
    async with state.uow() as session:
        user = await accounts.get_user(session, user_id=tenant.agent.user_id)
        laptop = await credentials.create_login_session(session, user=user, days=1)
        phone = await credentials.create_login_session(session, user=user, days=1)
        phone_id = await credentials.login_session(session, token=phone)
    assert phone_id is not None
    async with serving(state) as url:
        ws_url = url.replace("http://", "ws://") + "/ws"
        sockets = []
        for cookie in (laptop, phone):
            ws = await connect(
                ws_url, additional_headers={"Cookie": f"destek_session={cookie}"}, open_timeout=5
            )
            await ws.send(json.dumps({"type": "subscribe", "account_id": tenant.account_id}))
            client = WsClient(ws)
            assert (await client.recv())["type"] == "subscribed"
            sockets.append(client)
        # From the phone: a new password, the other sessions ended.
        async with state.uow() as session:
            user = await accounts.get_user(session, user_id=tenant.agent.user_id)
            await credentials.change_password(
                session,
                user=user,
                current="correct horse battery",
                new="a brand new password",
                keep_session_id=phone_id[0].id,
                end_other_sessions=True,
                revoke_api_tokens=False,
            )
        code, _reason = await closed_with(sockets[0])
        assert code == 4001
        # The phone's own socket lives on.
        contact = await make_contact(state, tenant)
        await start_conversation(state, contact, "Hâlâ burada mısınız?")
        seen = await next_of(sockets[1], "message.created")
        assert seen["message"]["content"] == "Hâlâ burada mısınız?"  # type: ignore[index]
        await sockets[1].close()


async def test_a_revoked_token_closes_its_socket(state: AppState, tenant: Tenant) -> None:
    async with state.uow() as session:
        token, plaintext = await credentials.create_api_token(
            session, account_id=tenant.account_id, user_id=tenant.agent.user_id, name="integration"
        )
    async with serving(state) as url:
        integration = await agent_socket(url, tenant, plaintext)
        other = await agent_socket(url, tenant, tenant.agent.token)
        async with state.uow() as session:
            actor = await accounts.actor_for(
                session, account_id=tenant.account_id, user_id=tenant.agent.user_id
            )
            await accounts.revoke_api_token(session, actor=actor, token_id=token.id)
        code, _reason = await closed_with(integration)
        assert code == 4001
        # The person's other token (and its socket) is untouched.
        assert await other.no_event_within(0.5, kind="agent.signed_out")
        contact = await make_contact(state, tenant)
        conversation_id = await start_conversation(state, contact)
        await write(state, conversation_id, "Bir sorum var", sender_id=contact.contact_id)
        contents = [(await next_of(other, "message.created"))["message"]["content"] for _ in range(2)]  # type: ignore[index]
        assert contents == ["Merhaba", "Bir sorum var"]
        await other.close()


async def test_taken_out_of_an_inbox_an_agent_sees_no_more_of_it(state: AppState, tenant: Tenant) -> None:
    contact = await make_contact(state, tenant)
    conversation_id = await start_conversation(state, contact)
    async with serving(state) as url:
        agent = await agent_socket(url, tenant, tenant.agent.token)
        owner = await agent_socket(url, tenant, tenant.owner.token)
        async with state.uow() as session:
            actor = await accounts.actor_for(
                session, account_id=tenant.account_id, user_id=tenant.owner.user_id
            )
            await inbox_service.set_inbox_members(session, actor=actor, inbox_id=tenant.inbox_id, user_ids=[])
        await asyncio.sleep(0.2)
        await write(state, conversation_id, "Gizli kalmalı", sender_id=contact.contact_id)
        assert (await owner.recv_type("event"))["event"]["type"] == "agent.updated"
        assert (await owner.recv_type("event"))["event"]["message"]["content"] == "Gizli kalmalı"
        assert await agent.no_event_within(1.0, kind="message.created")
        await agent.close()
        await owner.close()
