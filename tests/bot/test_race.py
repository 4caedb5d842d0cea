"""The bot never speaks after a person has: its final check and its post share the conversation's lock."""

from __future__ import annotations

import asyncio

import httpx

from destek.accounts.models import Inbox
from destek.bot.engine import BuiltinBot
from destek.bot.settings import BotSettings
from destek.conversations import posting
from destek.conversations.models import Conversation
from destek.events.models import EventRow
from destek.state import AppState
from tests.bot.helpers import agent_messages, conversation, enable_bot, start
from tests.support.factories import Tenant, make_contact


async def test_an_agent_reply_committing_meanwhile_silences_the_bot(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    await enable_bot(state, tenant)
    contact = await make_contact(state, tenant)
    cid = await start(client, state, contact, "hi")  # greeted; the bot is in charge
    async with state.read() as session:
        inbox = await session.get(Inbox, tenant.inbox_id)
        assert inbox is not None
        settings = BotSettings.of(inbox.settings)
    event = EventRow(account_id=tenant.account_id, seq=10**9, type="message.created", conversation_id=cid)
    bot = BuiltinBot()

    async def bot_answers() -> None:
        # What the consumer does once its (slow) analysis is done: a low-confidence question means
        # "hand over" — unless a person has replied in the meantime.
        async with state.uow() as write:
            await bot._answer(
                write,
                event,
                settings,
                text="where is my parcel?",
                language="en",
                choice=None,
                feeling=None,
                decision=None,
                online=False,
                account_locale="en",
            )

    async with state.uow() as session:
        found = await session.get(Conversation, cid)
        assert found is not None
        await posting.post_message(
            session,
            conversation=found,
            sender_type="agent",
            sender_id=tenant.agent.user_id,
            content="Hi, Ali here",
        )
        racing = asyncio.create_task(bot_answers())
        await asyncio.sleep(0.5)  # the bot's transaction is under way while the agent's commits
    await asyncio.wait_for(racing, timeout=60)

    after = await conversation(state, cid)
    assert after.handed_over_at is None
    messages = await agent_messages(client, tenant, after.number)
    assert messages[-1]["content"] == "Hi, Ali here"
    assert [m for m in messages if m["sender"]["type"] == "bot" and m["private"]] == []
