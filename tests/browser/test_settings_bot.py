"""The bot form of Settings → Inboxes in a real browser: an administrator switches an inbox to an external
bot (a webhook), sees the built-in bot's fields go away, is told beside the URL field that a private
address is refused, sets it up, finds it saved (the secret never on the page), and makes the bot token,
shown once. In Turkish too."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from destek.accounts.models import Inbox
from destek.bot.settings import BotSettings
from destek.state import AppState
from tests.bot.helpers import add_articles
from tests.browser.conftest import NewPage, save_screenshot
from tests.browser.dashboard_pages import sign_in_to
from tests.support.factories import Tenant

TIMEOUT = 8000
SECRET = "s3cret-hook-key-0123456789"
HOOK = "http://127.0.0.1:9/destek-bot"  # never called: the test runs no consumers, no one writes


class BotForm:
    """Settings → Inboxes → the inbox, its Bot section, as an administrator uses it."""

    def __init__(self, page: Page, base: str, tenant: Tenant) -> None:
        self.page, self.base, self.tenant = page, base, tenant
        self.path = f"/app/{tenant.account_id}/settings/inboxes/{tenant.inbox_id}"

    async def log_in(self, email: str) -> BotForm:
        await sign_in_to(self.page, self.base, self.path, email)
        await self.ready()
        return self

    async def ready(self) -> None:
        await expect(self.page.locator("body")).to_have_attribute("data-settings-ready", "true")

    async def reload(self) -> None:
        await self.page.reload()
        await self.ready()

    @property
    def form(self) -> Locator:
        return self.page.get_by_test_id("bot-form")

    @property
    def url(self) -> Locator:
        return self.page.get_by_test_id("bot-webhook-url")

    @property
    def secret(self) -> Locator:
        return self.page.get_by_test_id("bot-webhook-secret")

    def error_for(self, field: str) -> Locator:
        return self.form.locator(f'[data-error-for="{field}"]')

    def builtin_only(self) -> list[Locator]:
        return [
            self.form.locator("input[name=answer_threshold]"),
            self.page.get_by_test_id("bot-topics"),
            self.page.get_by_test_id("bot-greeting"),
        ]

    async def save(self) -> None:
        await self.form.get_by_role("button", name="Save bot").click()


async def _bot_api(http: httpx.AsyncClient, tenant: Tenant) -> dict[str, object]:
    response = await http.get(tenant.url(f"/inboxes/{tenant.inbox_id}/bot"), headers=tenant.owner.headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def _stored_secret(state: AppState, tenant: Tenant) -> str | None:
    async with state.read() as session:
        inbox = await session.get(Inbox, tenant.inbox_id)
        assert inbox is not None
        return BotSettings.of(inbox.settings).webhook_secret


async def test_an_admin_switches_to_an_external_bot_and_makes_its_token(
    new_page: NewPage,
    live_url: str,
    http: httpx.AsyncClient,
    shop: Tenant,
    state: AppState,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = await new_page()
    bot = await BotForm(page, live_url, shop).log_in(shop.owner.email)

    # The built-in bot: its fields shown, the webhook's not, no token block.
    await expect(bot.form.get_by_label("Built-in bot (answers from the help center)")).to_be_checked()
    await expect(page.get_by_test_id("bot-external")).to_be_hidden()
    for field in bot.builtin_only():
        await expect(field).to_be_visible()
    await expect(page.get_by_test_id("bot-token")).to_have_count(0)

    await bot.form.get_by_label("External bot (webhook)").check()
    await expect(bot.url).to_be_visible()
    await expect(bot.secret).to_have_attribute("type", "password")
    await expect(page.get_by_test_id("bot-webhook-secret-state")).to_have_text("No secret yet.")
    for field in bot.builtin_only():
        await expect(field).to_be_hidden()
    # What an external bot's handover says is still the inbox's to set.
    await expect(page.get_by_test_id("bot-handoff_message")).to_be_visible()

    # A webhook on a loopback address is refused (the default: public addresses only), beside the field.
    await bot.url.fill("http://127.0.0.1/hook")
    await bot.secret.fill(SECRET)
    await bot.save()
    await expect(bot.error_for("webhook_url")).to_contain_text("public internet", timeout=TIMEOUT)
    await expect(bot.url).to_have_attribute("aria-invalid", "true")
    assert (await _bot_api(http, shop))["mode"] == "builtin"

    # The secret is checked too: too short, said beside its own field.
    monkeypatch.setattr(state.settings, "bot_webhook_allow_private", True)  # an on-premises bot
    await bot.url.fill(HOOK)
    await bot.secret.fill("short")
    await bot.save()
    await expect(bot.error_for("webhook_secret")).to_contain_text("16", timeout=TIMEOUT)
    await expect(bot.error_for("webhook_url")).to_be_empty()

    # A valid setup: saved, and the page shows it with the token block of an external bot.
    await bot.secret.fill(SECRET)
    await bot.save()
    await expect(page.get_by_test_id("bot-token")).to_be_visible(timeout=TIMEOUT)
    await bot.reload()
    await expect(bot.form.get_by_label("External bot (webhook)")).to_be_checked()
    await expect(bot.url).to_have_value(HOOK)
    await expect(bot.secret).to_have_value("")
    await expect(bot.secret).to_have_attribute("placeholder", "Leave empty to keep the current secret")
    await expect(page.get_by_test_id("bot-webhook-secret-state")).to_have_text("A secret is set.")
    for field in bot.builtin_only():
        await expect(field).to_be_hidden()
    assert SECRET not in await page.content()
    shown = await _bot_api(http, shop)
    assert (shown["mode"], shown["webhook_url"], shown["webhook_secret_set"]) == ("external", HOOK, True)

    # Saving again with the secret left empty keeps it.
    await bot.url.fill(HOOK + "/v2")
    await bot.save()
    await expect(bot.form.locator("[data-status]")).to_have_text("Saved", timeout=TIMEOUT)
    assert (await _bot_api(http, shop))["webhook_url"] == HOOK + "/v2"
    assert await _stored_secret(state, shop) == SECRET

    # The bot token: shown once, in the block.
    block = page.get_by_test_id("bot-token")
    await expect(block.get_by_test_id("bot-token-state")).to_contain_text("No token yet.")
    await block.get_by_role("button", name="Generate token").click()
    value = block.get_by_test_id("bot-token-value")
    await expect(value).to_have_text(re.compile(rf"^dtb_{shop.inbox_id}_\S+$"), timeout=TIMEOUT)
    await expect(block.get_by_text("Copy the token now: it is not shown again.")).to_be_visible()
    await expect(block.get_by_test_id("bot-token-state")).to_be_hidden()
    token = await value.text_content()
    assert token
    await page.get_by_test_id("bot-external").scroll_into_view_if_needed()
    await save_screenshot(page, "settings-bot-external")

    # The external bot is let in with it (404: no such conversation, rather than 401: who are you).
    path = shop.url("/conversations/999/bot_messages")
    answer = await http.post(path, json={"content": "Hi"}, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 404, answer.text
    wrong = await http.post(path, json={"content": "Hi"}, headers={"Authorization": f"Bearer {token}x"})
    assert wrong.status_code == 401

    await bot.reload()
    assert token not in await page.content()
    prefix = (await _bot_api(http, shop))["token_prefix"]
    assert isinstance(prefix, str) and token.startswith(prefix)
    await expect(page.get_by_test_id("bot-token-state")).to_contain_text(f"{prefix}…")


async def test_the_bot_mode_in_turkish(new_page: NewPage, live_url: str, shop: Tenant) -> None:
    page = await new_page(locale="tr-TR")
    bot = await BotForm(page, live_url, shop).log_in(shop.owner.email)
    await bot.form.get_by_label("Harici bot (webhook)").check()
    await expect(bot.form.get_by_label("Webhook adresi")).to_be_visible()
    await expect(page.get_by_test_id("bot-topics")).to_be_hidden()


async def test_an_admin_tries_the_bot_and_sees_why(
    new_page: NewPage, live_url: str, shop: Tenant, state: AppState
) -> None:
    await add_articles(state, shop)
    page = await new_page()
    await BotForm(page, live_url, shop).log_in(shop.owner.email)
    trial = page.get_by_test_id("bot-trial")
    result = page.get_by_test_id("bot-trial-result")
    await expect(result).to_be_hidden()

    await trial.get_by_label("Customer's message").fill("I forgot my password and cannot log in")
    await trial.get_by_role("button", name="Try").click()
    verdict = result.locator("[data-trial=verdict]")
    await expect(verdict).to_contain_text(
        re.compile(
            r"It would answer with “How do I reset my password\?”\. \d+% sure; the bot answers from 90%"
        ),
        timeout=TIMEOUT,
    )
    await expect(result.locator("[data-trial=understood]")).to_have_text("Language: EN · Sentiment: negative")
    first = result.locator("[data-trial=candidates] li").first
    await expect(first.get_by_role("link", name="How do I reset my password?")).to_be_visible()
    await expect(first).to_contain_text(re.compile(r"— \d+% match"))
    await trial.scroll_into_view_if_needed()
    await save_screenshot(page, "settings-bot-try")

    await trial.get_by_label("Customer's message").fill("Do you sell gift cards for birthdays?")
    await trial.get_by_role("button", name="Try").click()
    await expect(verdict).to_contain_text(
        "It would hand the conversation to a person: no article answers it surely enough.", timeout=TIMEOUT
    )

    # Nothing to try: said beside the field.
    await trial.get_by_label("Customer's message").fill("  ")
    await trial.get_by_role("button", name="Try").click()
    await expect(trial.locator('[data-error-for="text"]')).to_contain_text("write a message", timeout=TIMEOUT)


async def test_trying_the_bot_in_turkish(
    new_page: NewPage, live_url: str, shop: Tenant, state: AppState
) -> None:
    await add_articles(state, shop)
    page = await new_page(locale="tr-TR")
    await BotForm(page, live_url, shop).log_in(shop.owner.email)
    trial = page.get_by_test_id("bot-trial")
    await trial.get_by_label("Müşterinin mesajı").fill("bir temsilciyle görüşmek istiyorum")
    await trial.get_by_role("button", name="Dene").click()
    result = page.get_by_test_id("bot-trial-result")
    await expect(result.locator("[data-trial=verdict]")).to_have_text(
        "Konuşmayı bir kişiye devrederdi: müşteri bir kişiyle görüşmek istiyor.", timeout=TIMEOUT
    )
    await expect(result.locator("[data-trial=understood]")).to_contain_text("Dil: TR")
    await expect(result.locator("[data-trial=understood]")).to_contain_text("bir kişi istiyor")
    await trial.get_by_label("Müşterinin mesajı").fill("sifremi unuttum, giris yapamiyorum")
    await trial.get_by_role("button", name="Dene").click()
    await expect(result.locator("[data-trial=verdict]")).to_contain_text(
        re.compile(r"“Şifremi nasıl sıfırlarım\?” makalesiyle yanıt verirdi\. %\d+ emin"), timeout=TIMEOUT
    )
    await trial.scroll_into_view_if_needed()
    await save_screenshot(page, "settings-bot-try-tr")
