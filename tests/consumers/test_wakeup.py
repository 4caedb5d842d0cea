"""Consumers are woken by the bus after a commit (memory and Redis), not only by the catch-up."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from destek.config import Settings
from destek.state import AppState
from tests.bot.helpers import bot_texts, enable_bot, seen
from tests.support.factories import Tenant, make_contact
from tests.support.factories_fixtures import make_settings


@pytest.fixture
def settings(db_url: str, bus_url: str | None, tmp_path: Path) -> Settings:
    # A catch-up far beyond the test's patience: only the bus can wake the bot in time.
    return make_settings(db_url, tmp_path, redis=bus_url, run_consumers=True, catchup_seconds=120)


async def test_the_bus_wakes_the_bot(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    await enable_bot(state, tenant)
    contact = await make_contact(state, tenant)
    await asyncio.sleep(0.2)  # the runners' first round (a full scan) is over: they wait on the bus now
    response = await client.post(tenant.public("/conversations"), json={}, headers=contact.headers)
    cid = response.json()["conversation"]["id"]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not bot_texts(await seen(client, contact, cid)):
        assert loop.time() < deadline, "the bot was not woken by the bus"
        await asyncio.sleep(0.05)
    assert len(bot_texts(await seen(client, contact, cid))) == 1
