"""A consumer step that keeps failing is retried with backoff; when the bot finally gives up on a
customer's message, a person gets the conversation instead of nobody."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from destek.bot.engine import BuiltinBot
from destek.config import Settings
from destek.consumers.runner import Consumers, Step
from destek.state import AppState
from tests.bot.helpers import agent_messages, bot_texts, conversation, enable_bot, seen
from tests.support.factories import Tenant, make_contact
from tests.support.factories_fixtures import make_settings


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, run_consumers=False, catchup_seconds=0.2)


class BrokenBot(BuiltinBot):
    """The builtin bot, whose model work crashes on one message (a bug, a corrupt model file...)."""

    def __init__(self) -> None:
        self.tries = 0

    async def handle(self, step: Step) -> None:
        message = step.event.payload.get("message") or {}
        if message.get("content") == "boom":
            self.tries += 1
            raise RuntimeError("the model crashed")
        await super().handle(step)


async def test_a_message_the_bot_keeps_failing_on_goes_to_a_person(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    await enable_bot(state, tenant)
    broken = BrokenBot()
    consumers = Consumers(state, [broken])
    await consumers.start()
    try:
        contact = await make_contact(state, tenant)
        response = await client.post(
            tenant.public("/conversations"), json={"message": {"content": "boom"}}, headers=contact.headers
        )
        cid = response.json()["conversation"]["id"]
        await consumers.settle(timeout=60)
    finally:
        await consumers.stop()
    assert broken.tries == 5  # retried with backoff, then given up
    found = await conversation(state, cid)
    assert found.handed_over_at is not None
    shown = bot_texts(await seen(client, contact, cid))
    assert "I'm passing you to a person from our team. They will answer here." in shown
    note = next(m for m in await agent_messages(client, tenant, found.number) if m["private"])
    assert "the bot failed to handle the message" in note["content"] and "boom" in note["content"]
