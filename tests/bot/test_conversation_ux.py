"""What a customer hits in a chat with the builtin bot: greetings, thanks, asking for a person."""

from __future__ import annotations

import httpx
import pytest

from destek.bot import texts
from destek.state import AppState
from tests.bot.helpers import (
    agent_messages,
    bot_texts,
    bot_with_articles,
    conversation,
    enable_bot,
    say,
    seen,
    start,
)
from tests.support.factories import Tenant, make_contact


@pytest.mark.parametrize(
    ("hello", "expected"),
    [
        ("merhaba", "Nasıl yardımcı olabilirim? Aşağıdan bir konu seçin ya da sorunuzu yazın."),
        ("Hi!", texts.HOW_CAN_I_HELP),
        ("selam", "Nasıl yardımcı olabilirim? Aşağıdan bir konu seçin ya da sorunuzu yazın."),
    ],
)
async def test_a_bare_greeting_gets_the_topic_menu_not_a_person(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, hello: str, expected: str
) -> None:
    contact = await bot_with_articles(state, tenant)
    cid = await start(client, state, contact, hello)
    found = await conversation(state, cid)
    assert found.handed_over_at is None
    last = [m for m in await seen(client, contact, cid) if m["sender"]["type"] == "bot"][-1]
    assert last["content"] == expected
    values = [q["value"] for q in last["content_attributes"]["quick_replies"]]
    assert values == ["topic:payment", "topic:order", "topic:technical", "topic:account", "person"]
    # The greeting before it is in the greeting's language too.
    turkish = expected.startswith("Nasıl")
    assert bot_texts(await seen(client, contact, cid))[0].startswith("Merhaba!" if turkish else "Hi!")
    # ...and the question that follows is answered.
    await say(client, state, contact, cid, "How long does a refund take to reach my card?")
    shown = await seen(client, contact, cid)
    assert any(m["content_attributes"].get("article") for m in shown)
    assert (await conversation(state, cid)).handed_over_at is None


@pytest.mark.parametrize("thanks", ["thanks!", "Teşekkürler", "thank you so much"])
async def test_thanks_after_an_answer_resolves_it(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, thanks: str
) -> None:
    contact = await bot_with_articles(state, tenant)
    cid = await start(client, state, contact, "How long does a refund take to reach my card?")
    assert any(m["content_attributes"].get("article") for m in await seen(client, contact, cid))
    await say(client, state, contact, cid, thanks)
    found = await conversation(state, cid)
    assert found.handed_over_at is None
    assert found.status == "resolved" and found.bot_resolved is True
    assert bot_texts(await seen(client, contact, cid))[-1] == texts.RESOLVED


async def test_agent_inside_a_sentence_is_not_a_request_for_a_person(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await bot_with_articles(state, tenant)
    cid = await start(client, state, contact, "My travel agent asked how long a refund takes to reach me")
    found = await conversation(state, cid)
    notes = [m["content"] for m in await agent_messages(client, tenant, found.number) if m["private"]]
    assert not any("the customer asked for a person" in n for n in notes)


@pytest.mark.parametrize(
    "ask", ["agent", "Human please", "temsilciyle görüşmek istiyorum", "canlı destek", "insanla konuşmak"]
)
async def test_person_phrases_hand_over(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, ask: str
) -> None:
    await enable_bot(state, tenant)
    contact = await make_contact(state, tenant)
    cid = await start(client, state, contact, ask)
    found = await conversation(state, cid)
    assert found.handed_over_at is not None
    note = next(m for m in await agent_messages(client, tenant, found.number) if m["private"])
    assert "the customer asked for a person" in note["content"]
