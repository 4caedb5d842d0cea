"""Language, sentiment and urgency on every incoming message, for agents (no bot needed)."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from destek.events.models import EventRow
from destek.state import AppState
from tests.bot.helpers import agent_view, conversation, say, start
from tests.support.factories import Tenant, make_contact


async def test_urgent_message_raises_priority_with_an_event(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await make_contact(state, tenant)
    cid = await start(client, state, contact, "Merhaba, menüdeki fiyatları nereden görebilirim?")
    calm = await conversation(state, cid)
    assert calm.priority == "none" and calm.language == "tr" and calm.sentiment in ("neutral", "positive")
    await say(
        client, state, contact, cid, "POS cihazı çalışmıyor, restoranda sipariş alamıyoruz, acil yardım edin!"
    )
    found = await conversation(state, cid)
    assert found.priority == "urgent"
    assert found.urgency is not None and found.urgency >= 0.5
    view = await agent_view(client, tenant, found.number)
    assert view["priority"] == "urgent" and view["urgency"] == found.urgency
    async with state.read() as session:
        changes = [
            row.payload["changed"]
            for row in await session.scalars(
                select(EventRow).where(
                    EventRow.conversation_id == cid, EventRow.type == "conversation.updated"
                )
            )
        ]
    assert ["priority"] in changes  # the usual event, so open dashboards update
    # Calm again: priority is never lowered by the analysis (a person decides that).
    await say(client, state, contact, cid, "Tamam, teşekkürler.")
    assert (await conversation(state, cid)).priority == "urgent"


async def test_english_message_sets_the_language(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await make_contact(state, tenant)
    cid = await start(client, state, contact, "Hello, where can I find the prices on the menu?")
    assert (await conversation(state, cid)).language == "en"
