"""Example questions suggested from conversations: an agent answers a customer with an article's link
and resolves the conversation; the customer's question is suggested for that article; an admin adds it
(and search finds the article from it) or dismisses it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from destek.config import Settings
from destek.helpcenter.search import search
from destek.helpcenter.suggestions import suggestion_from
from destek.state import AppState
from tests.bot.helpers import conversation, settle, start
from tests.helpcenter.helpers import make_article
from tests.helpcenter.test_example_questions import WARRANTY
from tests.support.factories import Tenant, make_contact
from tests.support.factories_fixtures import make_settings


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """The real consumers run in the test's app state (the suggester among them)."""
    return make_settings(db_url, tmp_path, run_consumers=True, catchup_seconds=0.2)


QUESTION = "my tablet's screen went black after the update and won't come back"


def test_the_question_is_the_customers_last_message_before_the_agents_link() -> None:
    link = "https://help.example.com/hc/7/en/articles/12-warranty-claims"
    thread = [
        ("bot", "Hi! I'm the virtual assistant."),
        ("contact", "hello"),
        ("contact", QUESTION),
        ("agent", f"Sorry about that! This explains what to do: {link}"),
        ("contact", "thanks"),
    ]
    found = suggestion_from(7, thread)
    assert found is not None and (found.article_id, found.locale, found.question) == (12, "en", QUESTION)
    assert suggestion_from(8, thread) is None  # another account's help center
    assert suggestion_from(7, [("contact", QUESTION), ("agent", "Let me check.")]) is None
    assert suggestion_from(7, [("contact", "x" * 400), ("agent", link)]) is None  # a story, not a question
    assert suggestion_from(7, [("contact", QUESTION), ("bot", link)]) is None  # the bot found it already


async def _resolved_with_link(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, article_id: int
) -> None:
    contact = await make_contact(state, tenant)
    cid = await start(client, state, contact, QUESTION)
    number = (await conversation(state, cid)).number
    link = f"http://testserver/hc/{tenant.account_id}/en/articles/{article_id}-warranty-claims"
    reply = await client.post(
        tenant.url(f"/conversations/{number}/messages"),
        json={"content": f"This should help: {link}"},
        headers=tenant.agent.headers,
    )
    assert reply.status_code == 201, reply.text
    resolved = await client.post(
        tenant.url(f"/conversations/{number}/status"),
        json={"status": "resolved"},
        headers=tenant.agent.headers,
    )
    assert resolved.status_code == 200, resolved.text
    await settle(state)


async def test_a_resolved_conversation_suggests_the_question_and_an_admin_adds_it(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    article_id = await make_article(state, tenant, {"en": WARRANTY}, key="warranty")
    await _resolved_with_link(client, state, tenant, article_id)
    url = tenant.url(f"/articles/{article_id}/question_suggestions")
    listed = await client.get(url, headers=tenant.owner.headers)
    assert listed.status_code == 200, listed.text
    [suggestion] = listed.json()
    assert (suggestion["locale"], suggestion["text"]) == ("en", QUESTION)
    assert (await client.get(url, headers=tenant.agent.headers)).status_code == 403

    # The same question again (another customer, same words): not suggested twice.
    await _resolved_with_link(client, state, tenant, article_id)
    assert len((await client.get(url, headers=tenant.owner.headers)).json()) == 1

    added = await client.post(f"{url}/{suggestion['id']}/accept", headers=tenant.owner.headers)
    assert added.status_code == 200, added.text
    assert added.json()["questions"] == [QUESTION]
    assert (await client.get(url, headers=tenant.owner.headers)).json() == []
    async with state.read() as session:
        hits = await search(session, account_id=tenant.account_id, query="screen black after update, tablet")
    assert hits[0].article_id == article_id

    # Once it is an example question, the same question is not suggested again.
    await _resolved_with_link(client, state, tenant, article_id)
    assert (await client.get(url, headers=tenant.owner.headers)).json() == []


async def test_a_suggestion_is_dismissed_and_others_cannot_touch_it(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    article_id = await make_article(state, tenant, {"en": WARRANTY}, key="warranty")
    await _resolved_with_link(client, state, tenant, article_id)
    url = tenant.url(f"/articles/{article_id}/question_suggestions")
    [suggestion] = (await client.get(url, headers=tenant.owner.headers)).json()
    theirs = other_tenant.url(f"/articles/{article_id}/question_suggestions/{suggestion['id']}")
    assert (await client.delete(theirs, headers=other_tenant.owner.headers)).status_code == 404
    assert (await client.post(f"{theirs}/accept", headers=other_tenant.owner.headers)).status_code == 404
    assert (await client.delete(f"{url}/{suggestion['id']}", headers=tenant.agent.headers)).status_code == 403
    gone = await client.delete(f"{url}/{suggestion['id']}", headers=tenant.owner.headers)
    assert gone.status_code == 204
    assert (await client.get(url, headers=tenant.owner.headers)).json() == []
    assert (
        await client.post(f"{url}/{suggestion['id']}/accept", headers=tenant.owner.headers)
    ).status_code == 404
