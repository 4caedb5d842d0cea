"""The bot speaks the customer's language, also one the help center lacks: German, Spanish and Arabic
customers are greeted, answered and handed over in their language, and an answer from an article in
another language says so in theirs."""

from __future__ import annotations

import httpx

from destek.bot import texts
from destek.state import AppState
from destek.web import i18n
from tests.bot.helpers import add_articles, bot_texts, conversation, enable_bot, seen, start
from tests.support.factories import Tenant, make_contact


async def test_a_german_question_is_answered_from_the_english_article_saying_so_in_german(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    await add_articles(state, tenant)
    await enable_bot(state, tenant)
    contact = await make_contact(state, tenant)
    cid = await start(
        client, state, contact, "Ich habe mein Passwort vergessen und kann mich nicht mehr anmelden."
    )
    shown = bot_texts(await seen(client, contact, cid))
    assert (await conversation(state, cid)).handed_over_at is None
    assert shown[0] == "Hallo! Ich bin der virtuelle Assistent."
    answer = next(text for text in shown if "/articles/" in text)
    assert answer.startswith(
        "Dieser Artikel sollte helfen: Diesen Artikel gibt es bisher nur auf Englisch."
    ), answer
    assert "How do I reset my password?" in answer
    assert shown[-1] == "Hat das Ihr Problem gelöst?"


async def test_a_spanish_customer_hears_only_spanish(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    await add_articles(state, tenant)
    await enable_bot(state, tenant)
    contact = await make_contact(state, tenant)
    cid = await start(
        client, state, contact, "Olvidé mi contraseña y no puedo iniciar sesión, ¿cómo la restablezco?"
    )
    shown = bot_texts(await seen(client, contact, cid))
    assert shown[0] == "¡Hola! Soy el asistente virtual."
    if (await conversation(state, cid)).handed_over_at is None:
        answer = next(text for text in shown if "/articles/" in text)
        assert answer.startswith(
            "Este artículo debería ayudarle: Por ahora, este artículo solo está disponible en inglés."
        )
    else:
        assert "Le paso con una persona de nuestro equipo. Le responderá aquí." in shown


async def test_an_arabic_customer_asking_for_a_person_is_told_in_arabic(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    await enable_bot(state, tenant)
    contact = await make_contact(state, tenant)
    cid = await start(client, state, contact, "أريد التحدث مع موظف خدمة العملاء من فضلك")
    shown = bot_texts(await seen(client, contact, cid))
    assert shown[0] == "مرحبًا! أنا المساعد الافتراضي."
    assert "سأحوّلك إلى أحد أعضاء فريقنا. سيرد عليك هنا." in shown
    assert (await conversation(state, cid)).handed_over_at is not None


def test_every_bot_language_has_every_text_the_customer_sees() -> None:
    customer_texts = [
        texts.GREETING,
        texts.GREETING_SHORT,
        texts.HOW_CAN_I_HELP,
        texts.TOPIC_CHOSEN,
        texts.ANSWER_INTRO,
        texts.ASK_SOLVED,
        texts.YES,
        texts.NO,
        texts.RESOLVED,
        texts.HANDOFF,
        texts.OFFLINE,
        texts.AWAY,
        texts.ASK_EMAIL,
        texts.EMAIL_SAVED,
        texts.TALK_TO_PERSON,
        *texts.ONLY_IN.values(),
        texts.ONLY_IN_ANOTHER,
    ]
    for language in ("tr", "de", "es", "ar"):
        catalog = i18n._catalog(language, "bot")
        missing = [text for text in customer_texts if text not in catalog]
        assert missing == [], language
        for text in (texts.TOPIC_CHOSEN, texts.OFFLINE, texts.EMAIL_SAVED, texts.AWAY):
            placeholder = text[text.index("{") : text.index("}") + 1]
            assert placeholder in texts.t(language, text), (language, text)
