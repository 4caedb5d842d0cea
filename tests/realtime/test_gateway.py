"""The websocket gateway over a real server: live delivery, resume from a cursor, visibility."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from destek.app import build_state, running
from destek.config import Settings
from destek.conversations.models import Conversation
from destek.db import utcnow
from destek.events import log as event_log
from destek.realtime.signals import send_typing
from destek.state import AppState
from tests.realtime.helpers import start_conversation
from tests.support.factories import Tenant, make_contact, write
from tests.support.server import WsClient, serving, subscribe


async def agent_socket(
    url: str, tenant: Tenant, since: int | None = None, token: str | None = None
) -> WsClient:
    client, first = await subscribe(
        url,
        "/ws",
        {
            "type": "subscribe",
            "account_id": tenant.account_id,
            "token": token or tenant.owner.token,
            "since": since,
        },
    )
    assert first["type"] == "subscribed", first
    return client


async def contact_socket(url: str, tenant: Tenant, token: str, since: int | None = None) -> WsClient:
    client, first = await subscribe(
        url,
        "/api/v1/public/ws",
        {"type": "subscribe", "inbox": tenant.inbox_token, "token": token, "since": since},
    )
    assert first["type"] == "subscribed", first
    return client


async def test_agent_and_contact_see_messages_live(state: AppState, tenant: Tenant) -> None:
    contact = await make_contact(state, tenant)
    conversation_id = await start_conversation(state, contact, "Ödeme başarısız oldu")
    async with serving(state) as url:
        agent = await agent_socket(url, tenant)
        customer = await contact_socket(url, tenant, contact.token)
        await write(state, conversation_id, "Kart bilgilerimi kontrol ettim", sender_id=contact.contact_id)
        seen = await agent.recv_type("event")
        assert seen["event"]["type"] == "message.created"
        assert seen["event"]["message"]["content"] == "Kart bilgilerimi kontrol ettim"
        assert seen["event"]["message"]["sender"]["name"] == "Ayşe Yılmaz"
        mine = await customer.recv_type("event")
        assert mine["event"]["message"]["content"] == "Kart bilgilerimi kontrol ettim"
        assert "private" not in mine["event"]["message"]  # the contact's view has no internal fields

        await write(state, conversation_id, "Hemen bakıyorum", sender="agent", sender_id=tenant.owner.user_id)
        reply = await customer.recv_type("event")
        assert reply["event"]["message"]["content"] == "Hemen bakıyorum"
        assert reply["event"]["message"]["direction"] == "out"
        await agent.close()
        await customer.close()


async def test_resume_delivers_the_missed_messages_exactly_once_in_order(
    state: AppState, tenant: Tenant
) -> None:
    contact = await make_contact(state, tenant)
    conversation_id = await start_conversation(state, contact)
    async with serving(state) as url:
        customer = await contact_socket(url, tenant, contact.token)
        agent = await agent_socket(url, tenant)
        await write(state, conversation_id, "before", sender_id=contact.contact_id)
        await agent.recv_type("event")
        cursor = agent.last_seq
        await agent.close()

        sent = [
            await write(state, conversation_id, f"message {i}", sender_id=contact.contact_id)
            for i in range(50)
        ]

        again = await agent_socket(url, tenant, since=cursor)
        frames = await again.events(50)
        assert [f["event"]["message"]["id"] for f in frames] == sent
        seqs = [f["seq"] for f in frames]
        assert seqs == sorted(set(seqs)) and seqs[0] == (cursor or 0) + 1
        assert await again.no_event_within(0.3)  # nothing doubled after the replay

        # Live events continue on the resumed socket, and the contact saw all 51 live.
        live = await write(state, conversation_id, "after", sender_id=contact.contact_id)
        assert (await again.recv_type("event"))["event"]["message"]["id"] == live
        got = [f["event"]["message"]["content"] for f in await customer.events(52)]
        assert got == ["before", *[f"message {i}" for i in range(50)], "after"]
        await again.close()
        await customer.close()


async def test_resume_while_messages_keep_arriving_loses_and_doubles_nothing(
    state: AppState, tenant: Tenant
) -> None:
    contact = await make_contact(state, tenant)
    conversation_id = await start_conversation(state, contact)
    async with serving(state) as url:
        agent = await agent_socket(url, tenant)
        cursor = agent.last_seq

        async def writer() -> list[int]:
            return [
                await write(state, conversation_id, f"m{i}", sender_id=contact.contact_id) for i in range(40)
            ]

        task = asyncio.create_task(writer())
        await asyncio.sleep(0.05)
        await agent.close()
        resumed = await agent_socket(url, tenant, since=cursor)
        sent = await task
        frames = await resumed.events(40, timeout=10)
        assert [f["event"]["message"]["id"] for f in frames] == sent
        assert await resumed.no_event_within(0.3)
        await resumed.close()


async def test_contact_sees_only_its_own_conversations_and_never_notes(
    state: AppState, tenant: Tenant
) -> None:
    alice = await make_contact(state, tenant, name="Alice")
    bob = await make_contact(state, tenant, name="Bob")
    alice_conv = await start_conversation(state, alice, "alice here")
    bob_conv = await start_conversation(state, bob, "bob here")
    async with serving(state) as url:
        watcher = await contact_socket(url, tenant, alice.token, since=0)
        history = await watcher.events(2)  # conversation.created, message.created of her own
        assert [f["event"]["type"] for f in history] == ["conversation.created", "message.created"]
        assert history[1]["event"]["message"]["content"] == "alice here"

        await write(state, bob_conv, "secret of bob", sender_id=bob.contact_id)
        await write(
            state,
            alice_conv,
            "note: refund approved",
            sender="agent",
            sender_id=tenant.owner.user_id,
            private=True,
        )
        await write(state, alice_conv, "visible reply", sender="agent", sender_id=tenant.owner.user_id)
        frame = await watcher.recv_type("event")
        assert frame["event"]["message"]["content"] == "visible reply"
        assert await watcher.no_event_within(0.3)
        await watcher.close()


async def test_agents_of_another_account_receive_nothing(
    state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    contact = await make_contact(state, tenant)
    conversation_id = await start_conversation(state, contact)
    async with serving(state) as url:
        outsider = await agent_socket(url, other_tenant)
        await write(state, conversation_id, "private to tenant A", sender_id=contact.contact_id)
        assert await outsider.no_event_within(0.5)
        await outsider.close()

        # A token of account B cannot subscribe to account A.
        with pytest.raises(ConnectionClosed) as refused:
            await subscribe(
                url,
                "/ws",
                {"type": "subscribe", "account_id": tenant.account_id, "token": other_tenant.owner.token},
            )
        assert refused.value.rcvd is not None and refused.value.rcvd.code == 4001


async def test_bad_credentials_close_the_socket_with_a_reason(state: AppState, tenant: Tenant) -> None:
    async with serving(state) as url:
        for path, frame, code in [
            ("/ws", {"type": "subscribe", "account_id": tenant.account_id, "token": "dtk_wrong"}, 4001),
            ("/ws", {"type": "hello"}, 4400),
            (
                "/api/v1/public/ws",
                {"type": "subscribe", "inbox": tenant.inbox_token, "token": "forged.token"},
                4001,
            ),
            ("/api/v1/public/ws", {"type": "subscribe", "inbox": "no-such-inbox", "token": "x"}, 4001),
        ]:
            with pytest.raises(ConnectionClosed) as refused:
                await subscribe(url, path, frame)
            assert refused.value.rcvd is not None
            assert refused.value.rcvd.code == code, (path, frame, refused.value.rcvd)
            assert refused.value.rcvd.reason


async def test_typing_is_pushed_to_the_other_side_but_not_stored(state: AppState, tenant: Tenant) -> None:
    contact = await make_contact(state, tenant)
    conversation_id = await start_conversation(state, contact)
    async with serving(state) as url:
        agent = await agent_socket(url, tenant)
        customer = await contact_socket(url, tenant, contact.token)
        async with state.read() as session:
            conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        await send_typing(
            state.bus,
            conversation=conversation,
            sender_type="agent",
            sender_id=tenant.owner.user_id,
            name="Owner",
            typing=True,
        )
        typing = await customer.recv_type("typing")
        assert typing["typing"] is True and typing["sender"]["type"] == "agent"
        # Other agents see it too ("Owner is also typing").
        assert (await agent.recv_type("typing"))["sender"] == {
            "type": "agent",
            "id": tenant.owner.user_id,
            "name": "Owner",
        }
        await send_typing(
            state.bus,
            conversation=conversation,
            sender_type="contact",
            sender_id=contact.contact_id,
            name="Ayşe",
            typing=True,
        )
        seen = await agent.recv_type("typing")
        assert seen["sender"]["type"] == "contact"
        # A note being typed is for agents only.
        await send_typing(
            state.bus,
            conversation=conversation,
            sender_type="agent",
            sender_id=tenant.owner.user_id,
            name="Owner",
            typing=True,
            private=True,
        )
        assert (await agent.recv_type("typing"))["private"] is True
        assert await customer.no_event_within(0.3)
        await agent.close()
        await customer.close()


async def test_a_quiet_contact_is_told_the_cursor_to_keep_and_is_not_resynced_after_pruning(
    state: AppState, tenant: Tenant
) -> None:
    quiet = await make_contact(state, tenant, name="Quiet")
    busy = await make_contact(state, tenant, name="Busy")
    await start_conversation(state, quiet, "one question")
    busy_conv = await start_conversation(state, busy)
    async with serving(state) as url:
        first = await contact_socket(url, tenant, quiet.token, since=0)
        await first.events(2)
        caught_up = await first.recv_type("caught_up")
        await first.close()
        for i in range(5):  # other people's traffic: invisible to the quiet contact
            await write(state, busy_conv, f"busy {i}", sender_id=busy.contact_id)
        again = await contact_socket(url, tenant, quiet.token, since=caught_up["seq"])
        fresh = await again.recv_type("caught_up")
        assert fresh["seq"] > caught_up["seq"]  # moved past events it never saw
        await again.close()
        # Everything up to the head is pruned (retention): the fresh cursor still resumes.
        async with state.uow() as session:
            await event_log.prune(session, older_than=utcnow() + dt.timedelta(seconds=1))
        last = await contact_socket(url, tenant, quiet.token, since=fresh["seq"])
        assert (await last.recv_type("caught_up"))["seq"] == fresh["seq"]
        await last.close()
        # An old cursor, though, must resync: a resync frame, then the close.
        client, answer = await subscribe(
            url,
            "/api/v1/public/ws",
            {"type": "subscribe", "inbox": tenant.inbox_token, "token": quiet.token, "since": 0},
        )
        assert answer["type"] == "resync"
        with pytest.raises(ConnectionClosed) as stale:
            await client.recv()
        assert stale.value.rcvd is not None
        assert stale.value.rcvd.code == 4410


async def test_a_silent_socket_gets_pings_and_pong_answers_ping(settings: Settings, tenant: Tenant) -> None:
    quick = settings.model_copy(update={"ws_heartbeat_seconds": 0.2})
    built = build_state(quick)
    async with running(built), serving(built) as url:
        client, first = await subscribe(
            url,
            "/ws",
            {"type": "subscribe", "account_id": tenant.account_id, "token": tenant.owner.token},
        )
        assert first == {"type": "subscribed", "seq": first["seq"], "heartbeat": 0.2}
        assert (await client.recv_type("ping", timeout=2))["type"] == "ping"
        await client.ws.send('{"type": "ping"}')
        assert (await client.recv_type("pong", timeout=2))["type"] == "pong"
        await client.close()


async def test_binary_frames_are_ignored_and_the_socket_lives_on(state: AppState, tenant: Tenant) -> None:
    async with serving(state) as url:
        agent = await agent_socket(url, tenant)
        await agent.ws.send(b"\x00\x01binary")
        await agent.ws.send("not json")
        await agent.ws.send('{"type": "ping"}')
        assert (await agent.recv_type("pong"))["type"] == "pong"
        await agent.close()


async def test_a_failed_first_read_of_the_log_is_retried(
    state: AppState, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_head = event_log.head
    failures = [1]

    async def flaky_head(session: Any, *, account_id: int) -> int:
        if failures:
            failures.pop()
            raise ConnectionError("the database went away for a moment")
        return await real_head(session, account_id=account_id)

    monkeypatch.setattr(event_log, "head", flaky_head)
    contact = await make_contact(state, tenant)
    conversation_id = await start_conversation(state, contact)
    async with serving(state) as url:
        agent = await agent_socket(url, tenant)  # subscribes although the feed's first read failed
        await write(state, conversation_id, "still live", sender_id=contact.contact_id)
        assert (await agent.recv_type("event"))["event"]["message"]["content"] == "still live"
        await agent.close()
