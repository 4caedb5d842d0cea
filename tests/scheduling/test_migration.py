"""0017 adds the timers, and gives the conversations an older version left snoozed their wake-up, so
they wake at their time like the ones snoozed after it; on both backends."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from destek.db import utcnow
from destek.migrate import alembic_config, upgrade
from destek.scheduling.models import SYSTEM, Timer
from destek.scheduling.runner import fire_due
from destek.state import AppState
from tests.support.factories import Tenant, make_contact, open_conversation


async def test_0017_gives_conversations_snoozed_before_it_their_wake_up(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, db_url: str
) -> None:
    opened = await open_conversation(client, await make_contact(state, tenant), "Yarın arayın")
    conversation_id = opened["conversation"]["id"]
    until = utcnow() + dt.timedelta(hours=3)
    engine = create_async_engine(db_url)
    try:
        await asyncio.to_thread(command.downgrade, alembic_config(db_url), "0016")
        async with engine.begin() as connection:  # snoozed as an older version did: no timer
            await connection.execute(
                text("UPDATE conversations SET status = 'snoozed', snoozed_until = :until WHERE id = :id"),
                {
                    "until": until if not db_url.startswith("sqlite") else until.replace(tzinfo=None),
                    "id": conversation_id,
                },
            )
        await asyncio.to_thread(upgrade, db_url, "head")
    finally:
        await engine.dispose()
    async with state.read() as session:
        [timer] = list(await session.scalars(select(Timer).where(Timer.account_id != SYSTEM)))
    assert (timer.kind, timer.key, timer.account_id) == (
        "conversation.wake",
        str(conversation_id),
        tenant.account_id,
    )
    assert abs((timer.due_at - until).total_seconds()) < 1
    assert await fire_due(state, now=until + dt.timedelta(seconds=1)) == 1
    response = await client.get(tenant.url("/conversations?status=open"), headers=tenant.agent.headers)
    assert [c["id"] for c in response.json()["items"]] == [conversation_id]
