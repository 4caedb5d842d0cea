"""The chat window's greeting in the app's language: ?locale=, Accept-Language, then the inbox's."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.accounts.models import Inbox
from destek.channels import service as channels
from destek.channels.widget.greetings import accepted_languages, choose_greeting
from destek.demo import load_demo
from destek.errors import Invalid
from destek.state import AppState
from tests.support.factories import Tenant

TR = "Merhaba! Size nasıl yardımcı olabiliriz?"
EN = "Hi! How can we help?"
GREETINGS = {"tr": "Hoş geldiniz!", "en": "Welcome!", "pt-BR": "Bem-vindo!"}


async def _settings(state: AppState, tenant: Tenant, **settings: Any) -> None:
    async with state.uow() as session:
        owner = await accounts.actor_for(session, account_id=tenant.account_id, user_id=tenant.owner.user_id)
        inbox = await inbox_service.update_inbox(session, actor=owner, inbox_id=tenant.inbox_id)
        await channels.configure(session, inbox=inbox, sealer=None, settings=settings)


async def _config(
    client: httpx.AsyncClient, tenant: Tenant, locale: str | None = None, accept: str | None = None
) -> dict[str, Any]:
    response = await client.get(
        tenant.public(),
        params={"locale": locale} if locale else None,
        headers={"Accept-Language": accept} if accept else None,
    )
    assert response.status_code == 200, response.text
    assert "accept-language" in response.headers["vary"].lower()
    body: dict[str, Any] = response.json()
    return body


async def test_the_greeting_follows_the_language_asked_for(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    await _settings(state, tenant, greetings=GREETINGS, locale="tr")
    cases = [
        ({"locale": "en"}, "Welcome!", "en"),
        ({"locale": "EN-gb"}, "Welcome!", "en"),  # by its primary language
        ({"locale": "pt_BR"}, "Bem-vindo!", "pt-BR"),
        ({"accept": "en-US,en;q=0.9,tr;q=0.8"}, "Welcome!", "en"),
        ({"accept": "de-DE, tr;q=0.5, en;q=0.4"}, "Hoş geldiniz!", "tr"),
        ({"accept": "en;q=0.2, pt-BR;q=0.9"}, "Bem-vindo!", "pt-BR"),
        ({"locale": "tr", "accept": "en"}, "Hoş geldiniz!", "tr"),  # ?locale= wins
        ({"locale": "de"}, "Hoş geldiniz!", "tr"),  # no German: the inbox's language
        ({"accept": "*, garbage;;, fr;q=abc"}, "Hoş geldiniz!", "tr"),
        ({}, "Hoş geldiniz!", "tr"),
    ]
    for ask, greeting, locale in cases:
        config = await _config(client, tenant, **ask)
        assert (config["greeting"], config["locale"]) == (greeting, locale), ask
        assert config["greetings"] == GREETINGS


async def test_a_single_greeting_and_the_built_in_ones(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    # No greeting set: the built-in one in English or Turkish, else English.
    assert (await _config(client, tenant))["greeting"] == EN
    tr = await _config(client, tenant, locale="tr")
    assert (tr["greeting"], tr["locale"], tr["greetings"]) == (TR, "tr", {})
    de = await _config(client, tenant, accept="de")
    assert (de["greeting"], de["locale"]) == (EN, "en")
    # A single greeting (in the inbox's language) comes before the built-in ones...
    await _settings(state, tenant, greeting="Selam!", locale="tr")
    for ask in ({}, {"locale": "en"}):
        config = await _config(client, tenant, **ask)
        assert (config["greeting"], config["locale"]) == ("Selam!", "tr")
    # ...and after the greetings by language.
    await _settings(state, tenant, greetings={"en": "Welcome!"})
    assert (await _config(client, tenant, locale="en"))["greeting"] == "Welcome!"
    assert (await _config(client, tenant, locale="tr"))["greeting"] == "Selam!"


async def test_a_bad_locale_is_refused_and_bad_settings_are_ignored(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    response = await client.get(tenant.public(), params={"locale": "not a language"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "locale"
    # Saving bad settings is refused, naming the key...
    with pytest.raises(Invalid) as refused:
        await _settings(state, tenant, greetings={"en": 5, "fr": "Bonjour !"})
    assert refused.value.field == "settings.greetings"
    # ...and settings stored before validation existed (written straight to the row) are read leniently.
    await _store(state, tenant, greetings={"en": 5, "tr": "", "fr": "Bonjour !"}, greeting=["no"])
    config = await _config(client, tenant, locale="en")
    assert (config["greeting"], config["locale"], config["greetings"]) == (EN, "en", {"fr": "Bonjour !"})
    await _store(state, tenant, greetings="Hello", color="red", position="top")
    config = await _config(client, tenant)
    assert (config["greetings"], config["color"], config["position"]) == ({}, "#2563eb", "right")


async def _store(state: AppState, tenant: Tenant, **settings: Any) -> None:
    async with state.uow() as session:  # as stored before: bad values are read leniently
        inbox = await session.get(Inbox, tenant.inbox_id)
        assert inbox is not None
        await channels.configure(session, inbox=inbox, sealer=None, settings={})
        config = await channels.get_config(session, inbox_id=inbox.id)
        assert config is not None
        config.settings = {**config.settings, **settings}


async def test_the_demo_inbox_greets_in_turkish_and_english(
    client: httpx.AsyncClient, state: AppState
) -> None:
    info = await load_demo(state)
    url = f"/api/v1/public/inboxes/{info.inbox_public_token}"
    turkish = (await client.get(url)).json()
    assert (turkish["greeting"], turkish["locale"]) == (TR, "tr")
    english = (await client.get(url, headers={"Accept-Language": "en-US,en;q=0.9"})).json()
    assert (english["greeting"], english["locale"]) == ("Hi! How can we help you today?", "en")
    assert set(english["greetings"]) == {"tr", "en"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, []),
        ("", []),
        ("tr", ["tr"]),
        ("en-US,en;q=0.9,tr;q=0.8", ["en-US", "en", "tr"]),
        ("tr;q=0.1, de;q=0.7, en", ["en", "de", "tr"]),
        ("fr;q=0, *;q=0.5, x y, en;q=1.5", ["en"]),
        ("de ; q=0.5 , pt-BR", ["pt-BR", "de"]),
    ],
)
def test_accept_language_is_read_by_weight(header: str | None, expected: list[str]) -> None:
    assert accepted_languages(header) == expected


def test_choose_greeting_without_any_setting() -> None:
    assert choose_greeting({}, wanted=[], inbox_locale="tr-TR") == (TR, "tr")
    assert choose_greeting({}, wanted=["ja"], inbox_locale="ja") == (EN, "en")
