"""The builtin bot, end to end: the customer's app (public API) talks; the real consumers answer."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import httpx

from destek.accounts import service as accounts
from destek.accounts import teams as team_service
from destek.bot import texts
from destek.contacts.models import Contact
from destek.state import AppState
from tests.bot.helpers import (
    add_articles,
    agent_messages,
    agent_view,
    bot_texts,
    bot_with_articles,
    conversation,
    enable_bot,
    say,
    seen,
    settle,
    start,
)
from tests.sla.helpers import TR_DAYS, away_until_tomorrow_nine
from tests.support.factories import Tenant, make_contact, write


def t(language: str, message: str) -> str:
    return texts.t(language, message)


async def test_greeting_and_topic_menu_appear(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    await enable_bot(state, tenant)
    contact = await make_contact(state, tenant)
    response = await client.post(tenant.public("/conversations"), json={}, headers=contact.headers)
    assert response.status_code == 201
    cid = response.json()["conversation"]["id"]
    await settle(state)
    messages = await seen(client, contact, cid)
    assert len(messages) == 1
    greeting = messages[0]
    assert greeting["sender"]["type"] == "bot"
    assert greeting["content"] == texts.GREETING
    assert greeting["content_type"] == "quick_replies"
    titles = [q["title"] for q in greeting["content_attributes"]["quick_replies"]]
    assert titles == ["Payment", "Order", "Technical problem", "My account", "Talk to a person"]


async def test_greeting_in_the_contacts_language(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    await enable_bot(state, tenant)
    contact = await make_contact(state, tenant)
    await client.patch(tenant.public("/contact"), json={"locale": "tr-TR"}, headers=contact.headers)
    response = await client.post(tenant.public("/conversations"), json={}, headers=contact.headers)
    cid = response.json()["conversation"]["id"]
    await settle(state)
    [greeting] = await seen(client, contact, cid)
    assert greeting["content"].startswith("Merhaba! Ben sanal asistanınızım.")
    assert "Ödeme" in [q["title"] for q in greeting["content_attributes"]["quick_replies"]]


async def test_choosing_a_topic_sets_topic_and_team(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    async with state.uow() as session:
        owner = await accounts.actor_for(session, account_id=tenant.account_id, user_id=tenant.owner.user_id)
        team = await team_service.create_team(session, actor=owner, name="Payments")
        team_id = team.id
    await enable_bot(
        state,
        tenant,
        topics=[
            {"id": "payment", "labels": {"en": "Payment", "tr": "Ödeme"}, "team_id": team_id},
            {"id": "order", "labels": {"en": "Order", "tr": "Sipariş"}},
        ],
    )
    contact = await make_contact(state, tenant)
    response = await client.post(tenant.public("/conversations"), json={}, headers=contact.headers)
    cid = response.json()["conversation"]["id"]
    await settle(state)
    await say(client, state, contact, cid, "Payment")  # the widget sends the button's title
    found = await conversation(state, cid)
    assert found.topic == "payment"
    assert found.team_id == team_id
    view = await agent_view(client, tenant, found.number)
    assert view["topic"] == "payment" and view["team_id"] == team_id
    assert bot_texts(await seen(client, contact, cid))[-1] == "Got it: Payment. What is your question?"
    assert found.handed_over_at is None


async def test_turkish_question_without_diacritics_gets_the_turkish_article(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    ids = await add_articles(state, tenant)
    await enable_bot(state, tenant)
    contact = await make_contact(state, tenant)
    cid = await start(client, state, contact, "sifremi unuttum, giris yapamiyorum")
    messages = await seen(client, contact, cid)
    answer = next(m for m in messages if m["content_attributes"].get("article"))
    assert answer["content_attributes"]["article"]["id"] == ids["password"]
    assert answer["content_attributes"]["article"]["locale"] == "tr"
    assert "Şifremi nasıl sıfırlarım?" in answer["content"]
    assert answer["content"].startswith(t("tr", texts.ANSWER_INTRO))
    ask = messages[-1]
    assert ask["content"] == "Bu sorununuzu çözdü mü?"
    assert [q["title"] for q in ask["content_attributes"]["quick_replies"]] == ["Evet, teşekkürler", "Hayır"]
    assert (await conversation(state, cid)).handed_over_at is None


async def test_english_question_gets_the_english_article(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    ids = await add_articles(state, tenant)
    await enable_bot(state, tenant)
    contact = await make_contact(state, tenant)
    cid = await start(client, state, contact, "I forgot my password and cannot log in")
    answer = next(m for m in await seen(client, contact, cid) if m["content_attributes"].get("article"))
    assert answer["content_attributes"]["article"] == {
        "id": ids["password"],
        "locale": "en",
        "title": "How do I reset my password?",
        "url": answer["content_attributes"]["article"]["url"],
    }
    assert answer["content_attributes"]["article"]["url"] in answer["content"]


async def test_out_of_scope_question_is_handed_over(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await bot_with_articles(state, tenant)
    cid = await start(client, state, contact, "Do you sell gift cards for birthdays?")
    found = await conversation(state, cid)
    assert found.handed_over_at is not None
    shown = bot_texts(await seen(client, contact, cid))
    assert not any("http" in text for text in shown)  # no article offered
    assert texts.HANDOFF in shown
    notes = [m for m in await agent_messages(client, tenant, found.number) if m["private"]]
    assert len(notes) == 1
    assert "no help-center article answers the question confidently" in notes[0]["content"]
    assert "Do you sell gift cards for birthdays?" in notes[0]["content"]


async def test_out_of_hours_the_bot_says_when_the_team_is_back_in_the_customer_s_time(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await bot_with_articles(state, tenant)
    opens = await away_until_tomorrow_nine(client, tenant)
    async with state.uow() as session:  # the app said where the customer is: London
        stored = await session.get(Contact, contact.contact_id)
        assert stored is not None
        stored.device = {**stored.device, "timezone": "Europe/London"}
    cid = await start(client, state, contact, "temsilciyle görüşmek istiyorum")
    back = opens.astimezone(ZoneInfo("Europe/London"))
    weekday = TR_DAYS[back.weekday()]
    away = bot_texts(await seen(client, contact, cid))[-1]
    assert away.startswith(
        f"Ekibimiz şu an çalışma saatleri dışında. {weekday} {back:%H:%M} tekrar buradayız; "
        "bir temsilci size buradan yanıt verecek."
    )
    assert "1 saat içinde" not in away  # not the in-hours promise


async def test_asking_for_a_person_hands_over_at_once(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await bot_with_articles(state, tenant)
    cid = await start(client, state, contact, "temsilciyle görüşmek istiyorum")
    found = await conversation(state, cid)
    assert found.handed_over_at is not None
    assert found.waiting_since == found.handed_over_at  # the wait for a person starts now
    shown = bot_texts(await seen(client, contact, cid))
    assert "Sizi ekibimizden bir kişiye aktarıyorum. Size buradan yanıt verecek." in shown
    # Nobody has the dashboard open: when a person will answer, and an email to reach them.
    offline = shown[-1]
    assert offline.startswith("Ekibimiz şu anda çevrimiçi değil. 1 saat içinde bir temsilci yanıt verecek.")
    assert "E-posta adresinizi bırakırsanız" in offline
    note = next(m for m in await agent_messages(client, tenant, found.number) if m["private"])
    assert "müşteri bir temsilci istedi" not in note["content"]  # the note is in the account's language
    assert "the customer asked for a person" in note["content"]
    assert "Language: Türkçe" in note["content"]
    # A message without an address first: the bot stays silent and keeps waiting for one.
    await say(client, state, contact, cid, "bir dakika, bakıyorum")
    assert bot_texts(await seen(client, contact, cid))[-1] == offline
    # Then the address: stored on the contact, and thanked for.
    await say(client, state, contact, cid, "tabii: ayse@example.com")
    async with state.read() as session:
        stored = await session.get(Contact, contact.contact_id)
        assert stored is not None and stored.email == "ayse@example.com"
    assert (
        bot_texts(await seen(client, contact, cid))[-1]
        == "Teşekkürler! ayse@example.com adresine de yanıt vereceğiz."
    )
    # ...and after that the bot is silent.
    await say(client, state, contact, cid, "şifremi unuttum")
    assert bot_texts(await seen(client, contact, cid))[-1].startswith("Teşekkürler!")


async def test_angry_message_raises_priority_and_hands_over(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await bot_with_articles(state, tenant)
    cid = await start(
        client, state, contact, "Rezalet! Param iki kere çekildi, hemen iade edin yoksa şikayet edeceğim!"
    )
    found = await conversation(state, cid)
    assert found.handed_over_at is not None
    assert found.priority in ("high", "urgent")
    assert found.sentiment == "negative"
    view = await agent_view(client, tenant, found.number)
    assert view["priority"] == found.priority and view["sentiment"] == "negative"
    assert view["urgency"] is not None and view["language"] == "tr"
    assert not any(m["content_attributes"].get("article") for m in await seen(client, contact, cid))


async def test_an_urgent_question_the_help_center_answers_gets_the_answer_and_a_person_button(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await bot_with_articles(state, tenant)
    question = "I forgot my password and I cannot get in, it's urgent, please help me right now"
    cid = await start(client, state, contact, question)
    found = await conversation(state, cid)
    assert found.handed_over_at is None  # answered, not handed over silently
    shown = await seen(client, contact, cid)
    assert any(m["content_attributes"].get("article") for m in shown)
    buttons = [b["value"] for m in shown for b in m["content_attributes"].get("quick_replies", [])]
    assert "person" in buttons  # one tap away beside the answer
    assert found.priority == "urgent"


async def test_yes_resolves_as_bot_resolved(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await bot_with_articles(state, tenant)
    cid = await start(client, state, contact, "How long does a refund take to reach my card?")
    assert any(m["content_attributes"].get("article") for m in await seen(client, contact, cid))
    await say(client, state, contact, cid, "Yes, thanks")
    found = await conversation(state, cid)
    assert found.status == "resolved"
    assert found.bot_resolved is True
    assert found.handed_over_at is None
    assert found.first_reply_at is None  # no person replied
    assert bot_texts(await seen(client, contact, cid))[-1] == texts.RESOLVED


async def test_no_hands_over(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    contact = await bot_with_articles(state, tenant)
    cid = await start(client, state, contact, "How long does a refund take to reach my card?")
    await say(client, state, contact, cid, "No")
    found = await conversation(state, cid)
    assert found.handed_over_at is not None
    assert found.status == "open" and not found.bot_resolved
    note = next(m for m in await agent_messages(client, tenant, found.number) if m["private"])
    assert "the customer said the answer did not solve it" in note["content"]
    assert "How do refunds work?" in note["content"]  # the article offered
    assert "How long does a refund take to reach my card?" in note["content"]


async def test_second_failed_answer_hands_over(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await bot_with_articles(state, tenant)
    cid = await start(client, state, contact, "How long does a refund take to reach my card?")
    await say(client, state, contact, cid, "I forgot my password and cannot log in")
    found = await conversation(state, cid)
    assert found.handed_over_at is None  # one failure: it tries again
    answers = [m for m in await seen(client, contact, cid) if m["content_attributes"].get("article")]
    assert len(answers) == 2
    await say(client, state, contact, cid, "I forgot my password, how do I reset it?")
    found = await conversation(state, cid)
    assert found.handed_over_at is not None
    note = next(m for m in await agent_messages(client, tenant, found.number) if m["private"])
    assert "a second answer did not help" in note["content"]


async def test_silent_after_an_agent_reply(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await bot_with_articles(state, tenant)
    response = await client.post(tenant.public("/conversations"), json={}, headers=contact.headers)
    cid = response.json()["conversation"]["id"]
    await settle(state)
    await write(state, cid, "Hi, I'm Ayla from the team.", sender="agent", sender_id=tenant.agent.user_id)
    before = len(await seen(client, contact, cid))
    await say(client, state, contact, cid, "I forgot my password")
    after = await seen(client, contact, cid)
    assert len(after) == before + 1  # only the customer's own message
    assert after[-1]["sender"]["type"] == "contact"


async def test_silent_after_handoff(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    await add_articles(state, tenant)
    await enable_bot(state, tenant, collect_email=False)
    contact = await make_contact(state, tenant)
    cid = await start(client, state, contact, "I want to talk to a person")
    before = len(await seen(client, contact, cid))
    await say(client, state, contact, cid, "I forgot my password")
    after = await seen(client, contact, cid)
    assert len(after) == before + 1 and after[-1]["sender"]["type"] == "contact"


async def test_bot_time_is_not_a_persons_response_time(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await bot_with_articles(state, tenant)
    cid = await start(client, state, contact, "How long does a refund take to reach my card?")
    found = await conversation(state, cid)
    assert found.first_reply_at is None
    assert found.waiting_since is None  # answered by the bot: nobody waits for a person
    await say(client, state, contact, cid, "No")
    handed = await conversation(state, cid)
    assert handed.first_reply_at is None
    assert handed.handed_over_at is not None
    assert handed.waiting_since == handed.handed_over_at
    await write(state, cid, "Let me check your refund.", sender="agent", sender_id=tenant.agent.user_id)
    replied = await conversation(state, cid)
    assert replied.first_reply_at is not None
    assert replied.first_reply_at >= replied.handed_over_at
    view = await agent_view(client, tenant, replied.number)
    assert view["handed_over_at"] is not None and view["first_reply_at"] is not None


async def test_disabled_bot_says_nothing(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    await add_articles(state, tenant)
    contact = await make_contact(state, tenant)
    cid = await start(client, state, contact, "I forgot my password")
    messages = await seen(client, contact, cid)
    assert [m["sender"]["type"] for m in messages] == ["contact"]
    found = await conversation(state, cid)
    assert found.sentiment is not None  # the language consumer runs for every inbox


async def test_no_email_is_asked_for_when_the_inbox_cannot_mail_replies(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    await add_articles(state, tenant)
    await enable_bot(state, tenant)
    contact = await make_contact(state, tenant)
    cid = await start(client, state, contact, "temsilciyle görüşmek istiyorum")
    offline = bot_texts(await seen(client, contact, cid))[-1]
    assert offline == "Ekibimiz şu anda çevrimiçi değil. 1 saat içinde bir temsilci yanıt verecek."
