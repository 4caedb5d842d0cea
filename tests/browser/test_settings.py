"""Settings in a real browser: an administrator invites an agent and sees them listed; changes the chat
widget's colour and copies the embed snippet; an agent is turned away; a form shows the server's error
next to its field."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import PHONE, NewPage
from tests.browser.dashboard_pages import sign_in_to
from tests.support.factories import PASSWORD, Tenant

TIMEOUT = 8000


class SettingsPages:
    """The Settings area as an administrator uses it."""

    def __init__(self, page: Page, base: str, tenant: Tenant) -> None:
        self.page, self.base, self.tenant = page, base, tenant

    def url(self, section: str) -> str:
        return f"{self.base}/app/{self.tenant.account_id}/settings/{section}"

    async def log_in(self, email: str, section: str = "agents") -> SettingsPages:
        target = f"/app/{self.tenant.account_id}/settings/{section}"
        await sign_in_to(self.page, self.base, target, email)
        await self.ready()
        return self

    async def ready(self) -> None:
        await expect(self.page.locator("body")).to_have_attribute("data-settings-ready", "true")

    async def invite(self, email: str, name: str, role: str = "agent") -> str:
        """Invite through the form; returns the temporary password the page shows."""
        await self.page.get_by_test_id("invite-email").fill(email)
        await self.page.get_by_test_id("invite-name").fill(name)
        await self.page.get_by_test_id("invite-role").select_option(role)
        await self.page.get_by_test_id("invite-submit").click()
        result = self.page.get_by_test_id("invite-result")
        await expect(result).to_be_visible(timeout=TIMEOUT)
        password = await self.page.get_by_test_id("invite-password").text_content()
        assert password
        return password

    def agent_row(self, email: str) -> object:
        return self.page.locator(f'tr[data-agent="{email}"]')


async def test_admin_invites_an_agent_who_then_logs_in(
    new_page: NewPage, live_url: str, tenant: Tenant
) -> None:
    page = await new_page()
    settings = await SettingsPages(page, live_url, tenant).log_in(tenant.owner.email)
    await expect(page.get_by_role("heading", name="Invite an agent")).to_be_visible()

    password = await settings.invite("zeynep@example.com", "Zeynep Kaya", "admin")
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password)
    await expect(page.get_by_test_id("invite-result")).to_contain_text("zeynep@example.com")
    await page.get_by_role("button", name="Done").click()
    row = page.locator('tr[data-agent="zeynep@example.com"]')
    await expect(row).to_contain_text("Zeynep Kaya", timeout=TIMEOUT)
    await expect(row.locator("select")).to_have_value("admin")
    # The password is not on the page any more.
    assert password not in await page.content()

    # Inviting the same person again: the error shows next to the e-mail field.
    await page.get_by_test_id("invite-email").fill("zeynep@example.com")
    await page.get_by_test_id("invite-name").fill("Zeynep")
    await page.get_by_test_id("invite-submit").click()
    error = page.locator('[data-error-for="email"]').first
    await expect(error).to_contain_text("already", timeout=TIMEOUT)
    await expect(page.get_by_test_id("invite-email")).to_have_attribute("aria-invalid", "true")

    # The new administrator logs in with the temporary password and reaches the settings.
    other = await new_page()
    await other.goto(f"{live_url}/login?next=/app/{tenant.account_id}/settings/teams")
    await other.locator("#email").fill("zeynep@example.com")
    await other.locator("#password").fill(password)
    await other.locator("#login-form button[type=submit]").click()
    await other.wait_for_url(f"**/app/{tenant.account_id}/settings/teams")
    await expect(other.get_by_role("heading", name="New team")).to_be_visible()


async def test_role_change_and_deactivation(new_page: NewPage, live_url: str, tenant: Tenant) -> None:
    page = await new_page()
    settings = await SettingsPages(page, live_url, tenant).log_in(tenant.owner.email)
    row = page.locator(f'tr[data-agent="{tenant.agent.email}"]')
    await row.locator("select").select_option("admin")
    await expect(row.locator("[data-status]")).to_have_text("Saved", timeout=TIMEOUT)
    await page.reload()
    await settings.ready()
    await expect(row.locator("select")).to_have_value("admin")
    page.once("dialog", lambda dialog: dialog.accept())
    await row.get_by_role("button", name="Deactivate").click()
    await expect(row.get_by_text("Deactivated")).to_be_visible(timeout=TIMEOUT)
    await expect(row.get_by_role("button", name="Reactivate")).to_be_visible()
    assert settings.url("agents") in page.url


async def test_widget_colour_and_embed_snippet(new_page: NewPage, live_url: str, tenant: Tenant) -> None:
    page = await new_page()
    settings = await SettingsPages(page, live_url, tenant).log_in(tenant.owner.email, section="inboxes")
    await page.get_by_role("link", name="App chat").click()
    await page.wait_for_url(f"**/settings/inboxes/{tenant.inbox_id}")
    await settings.ready()

    snippet = page.get_by_test_id("embed-snippet")
    await expect(snippet).to_have_text(
        f'<script src="{live_url}/widget.js" data-inbox="{tenant.inbox_token}" async></script>'
    )
    # A wrong colour: the server's message shows next to the colour field, nothing is saved.
    colour = page.get_by_test_id("widget-color")
    await colour.fill("purple")
    await page.get_by_test_id("widget-save").click()
    await expect(page.locator('[data-error-for="color"]')).not_to_be_empty(timeout=TIMEOUT)
    await expect(colour).to_have_attribute("aria-invalid", "true")

    await colour.fill("#7C3AED")
    await page.get_by_test_id("widget-domains").fill("shop.example.com")
    await page.get_by_test_id("widget-save").click()
    await expect(page.get_by_test_id("widget-status")).to_have_text("Saved", timeout=TIMEOUT)
    await expect(page.locator('[data-error-for="color"]')).to_be_empty()
    await page.reload()
    await settings.ready()
    await expect(page.get_by_test_id("widget-color")).to_have_value("#7c3aed")
    await expect(page.get_by_test_id("widget-domains")).to_have_value("shop.example.com")

    # The snippet's copy button puts it on the clipboard.
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)
    await page.get_by_test_id("copy-snippet").click()
    await expect(page.get_by_test_id("copy-snippet")).to_have_text("Copied")
    copied = await page.evaluate("navigator.clipboard.readText()")
    assert f'data-inbox="{tenant.inbox_token}"' in copied

    # The inboxes list shows the new colour.
    await page.goto(f"{live_url}/app/{tenant.account_id}/settings/inboxes")
    swatch = page.locator(".swatch").first
    assert "#7c3aed" in (await swatch.get_attribute("style") or "")


async def test_canned_response_on_a_phone_in_turkish(
    new_page: NewPage, live_url: str, tenant: Tenant
) -> None:
    page = await new_page(viewport=PHONE, locale="tr-TR")
    await SettingsPages(page, live_url, tenant).log_in(tenant.owner.email, section="canned")
    await expect(page.get_by_role("heading", name="Yeni hazır yanıt")).to_be_visible()
    form = page.get_by_test_id("canned-new")
    await form.get_by_test_id("canned-code").fill("iade")
    await form.get_by_test_id("canned-title").fill("İade politikası")
    await form.get_by_test_id("canned-content").fill(
        "Merhaba {{contact.first_name}}, iadeniz 14 gün içinde yapılır."
    )
    await form.get_by_role("button", name="Ekle").click()
    item = page.locator('details[data-canned="iade"]')
    await expect(item).to_contain_text("İade politikası", timeout=TIMEOUT)
    # The same short code again: refused, shown by the field.
    await form.get_by_test_id("canned-code").fill("IADE")
    await form.get_by_test_id("canned-title").fill("Başka")
    await form.get_by_test_id("canned-content").fill("x")
    await form.get_by_role("button", name="Ekle").click()
    await expect(form.locator('[data-error-for="short_code"]')).to_contain_text("iade", timeout=TIMEOUT)


async def test_agents_are_turned_away(new_page: NewPage, live_url: str, tenant: Tenant) -> None:
    page = await new_page()
    await page.goto(f"{live_url}/login?next=/app/{tenant.account_id}/settings/agents")
    await page.locator("#email").fill(tenant.agent.email)
    await page.locator("#password").fill(PASSWORD)
    await page.locator("#login-form button[type=submit]").click()
    await page.wait_for_url(f"**/app/{tenant.account_id}/settings/agents")
    assert "Invite an agent" not in await page.content()
    await expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


async def test_team_members_secret_and_bot(new_page: NewPage, live_url: str, tenant: Tenant) -> None:
    page = await new_page()
    settings = await SettingsPages(page, live_url, tenant).log_in(tenant.owner.email, section="teams")
    await page.get_by_test_id("team-name").fill("Teknik")
    await page.get_by_role("button", name="Create team").click()
    team = page.locator('section[data-team="Teknik"]')
    await expect(team).to_be_visible(timeout=TIMEOUT)
    await settings.ready()
    await team.locator("select[name=tier]").select_option("2")
    await team.get_by_label("Agent", exact=False).first.check()
    await team.get_by_role("button", name="Save").click()
    await page.wait_for_load_state("load")
    await settings.ready()
    team = page.locator('section[data-team="Teknik"]')
    await expect(team.get_by_role("heading")).to_contain_text("L2", timeout=TIMEOUT)
    await expect(team.locator(f'input[name=user_ids][value="{tenant.agent.user_id}"]')).to_be_checked()

    await page.goto(settings.url(f"inboxes/{tenant.inbox_id}"))
    await settings.ready()
    secret = page.get_by_test_id("inbox-secret")
    await expect(secret).to_be_hidden()
    await page.get_by_test_id("reveal-secret").click()
    await expect(secret).to_have_text(tenant.inbox_secret, timeout=TIMEOUT)

    toggle = page.get_by_test_id("identity-toggle")
    await toggle.check()
    await expect(page.locator("section[data-row] [data-status]")).to_have_text("Saved", timeout=TIMEOUT)

    bot = page.get_by_test_id("bot-form")
    await bot.get_by_label("Bot on").check()
    threshold = bot.locator("input[name=answer_threshold]")
    await threshold.fill("2")
    await bot.get_by_role("button", name="Save bot").click()
    await expect(bot.locator('[data-error-for="answer_threshold"]')).not_to_be_empty(timeout=TIMEOUT)
    await threshold.fill("0.9")
    await bot.get_by_role("button", name="Save bot").click()
    await expect(bot.locator("[data-status]")).to_have_text("Saved", timeout=TIMEOUT)
    await page.reload()
    await settings.ready()
    await expect(page.get_by_test_id("bot-form").get_by_label("Bot on")).to_be_checked()
    await expect(page.get_by_test_id("bot-form").locator("input[name=answer_threshold]")).to_have_value("0.9")
    await expect(page.get_by_test_id("identity-toggle")).to_be_checked()
