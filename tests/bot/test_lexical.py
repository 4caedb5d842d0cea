"""Without the `nlp` extra (DESTEK_NLP=lexical) the bot still answers, with its own calibration."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from destek.bot import texts
from destek.config import Settings
from destek.helpcenter.embedding import embedder
from destek.state import AppState
from tests.bot.helpers import add_articles, agent_messages, bot_texts, conversation, enable_bot, seen, start
from tests.support.factories import Tenant, make_contact
from tests.support.factories_fixtures import make_settings


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, run_consumers=True, catchup_seconds=0.2, nlp_backend="lexical")


async def test_lexical_backend_answers_turkish_and_hands_over_out_of_scope(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    assert embedder().name == "lexical-v1"
    ids = await add_articles(state, tenant)
    await enable_bot(state, tenant)
    contact = await make_contact(state, tenant)
    cid = await start(client, state, contact, "sifremi unuttum, giris yapamiyorum")
    answer = next(m for m in await seen(client, contact, cid) if m["content_attributes"].get("article"))
    assert answer["content_attributes"]["article"]["id"] == ids["password"]
    assert answer["content_attributes"]["article"]["locale"] == "tr"
    assert (await conversation(state, cid)).handed_over_at is None

    other = await make_contact(state, tenant, name="Bob")
    cid = await start(client, state, other, "Do you sell gift cards for birthdays?")
    found = await conversation(state, cid)
    assert found.handed_over_at is not None
    assert texts.HANDOFF in bot_texts(await seen(client, other, cid))
    note = next(m for m in await agent_messages(client, tenant, found.number) if m["private"])
    assert "no help-center article answers the question confidently" in note["content"]
