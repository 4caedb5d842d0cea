"""Settings in a real browser: an administrator invites an agent, who joins by the link; changes the chat
widget's colour and copies the embed snippet; an agent is turned away; a form shows the server's error
next to its field."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import PHONE, NewPage, save_screenshot
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
        """Invite through the form; returns the invitation link the page shows."""
        await self.page.get_by_test_id("invite-email").fill(email)
        await self.page.get_by_test_id("invite-name").fill(name)
        await self.page.get_by_test_id("invite-role").select_option(role)
        await self.page.get_by_test_id("invite-submit").click()
        result = self.page.get_by_test_id("invite-result")
        await expect(result).to_be_visible(timeout=TIMEOUT)
        link = await self.page.get_by_test_id("invite-url").text_content()
        assert link
        return link

    def agent_row(self, email: str) -> object:
        return self.page.locator(f'tr[data-agent="{email}"]')


async def test_admin_invites_and_the_person_joins_by_the_link(
    new_page: NewPage, live_url: str, tenant: Tenant
) -> None:
    page = await new_page()
    settings = await SettingsPages(page, live_url, tenant).log_in(tenant.owner.email)
    await expect(page.get_by_role("heading", name="Invite an agent")).to_be_visible()

    link = await settings.invite("zeynep@example.com", "Zeynep Kaya", "admin")
    assert re.fullmatch(rf"{re.escape(live_url)}/invite/dti_[A-Za-z0-9_-]+", link)
    await expect(page.get_by_test_id("invite-result")).to_contain_text("zeynep@example.com")
    await page.get_by_role("button", name="Done").click()
    waiting = page.locator('tr[data-invitation="zeynep@example.com"]')
    await expect(waiting).to_contain_text("Waiting", timeout=TIMEOUT)
    # The link is not on the page any more.
    assert link not in await page.content()

    # The person opens the link on their phone, in Turkish, and joins with a password of their own.
    phone = await new_page(viewport=PHONE, locale="tr-TR")
    await phone.goto(link)
    await expect(phone.locator("body")).to_have_attribute("data-ready", "true")
    await expect(phone.get_by_role("heading", name=re.compile("hesabına katılın"))).to_be_visible()
    await expect(phone.get_by_text("Yönetici olarak")).to_be_visible()
    await phone.locator("#register-password").fill("zeynep'in parolası")
    await phone.locator("#register-repeat").fill("başka bir şey")
    await phone.get_by_test_id("register-submit").click()
    await expect(phone.locator('[data-error-for="repeat"]')).to_have_text("İki parola aynı değil.")
    await save_screenshot(phone, "invitation-tr-phone")
    await phone.locator("#register-repeat").fill("zeynep'in parolası")
    await phone.get_by_test_id("register-submit").click()
    await phone.wait_for_url(f"**/app/{tenant.account_id}", timeout=TIMEOUT)

    await page.reload()
    await settings.ready()
    row = page.locator('tr[data-agent="zeynep@example.com"]')
    await expect(row).to_contain_text("Zeynep Kaya", timeout=TIMEOUT)
    await expect(row.locator("select")).to_have_value("admin")
    await expect(waiting).to_have_count(0)

    # Inviting someone who is already here: the error shows next to the e-mail field.
    await page.get_by_test_id("invite-email").fill("zeynep@example.com")
    await page.get_by_test_id("invite-name").fill("Zeynep")
    await page.get_by_test_id("invite-submit").click()
    error = page.locator('[data-error-for="email"]').first
    await expect(error).to_contain_text("already", timeout=TIMEOUT)
    await expect(page.get_by_test_id("invite-email")).to_have_attribute("aria-invalid", "true")


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
    # The page has loaded once its heading shows (content() during the navigation raises).
    await expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    assert "Invite an agent" not in await page.content()


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
