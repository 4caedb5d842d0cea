"""Help-center authoring in a real browser: an administrator writes an article in English and Turkish,
sees the live preview, gets a validation error next to its field, publishes the Turkish text and finds it
on the public help center, while the English draft stays invisible there."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from destek.helpcenter.suggestions import Suggested, record
from destek.state import AppState
from tests.browser.conftest import PHONE, NewPage, save_screenshot
from tests.browser.dashboard_pages import sign_in_to
from tests.helpcenter.helpers import make_article
from tests.helpcenter.test_example_questions import WARRANTY
from tests.support.factories import Tenant

TIMEOUT = 8000


class HelpCenterAdmin:
    """Settings → Help center, as an administrator uses it."""

    def __init__(self, page: Page, base: str, tenant: Tenant) -> None:
        self.page, self.base, self.tenant = page, base, tenant
        self.path = f"/app/{tenant.account_id}/settings/helpcenter"

    async def log_in(self, email: str) -> HelpCenterAdmin:
        await sign_in_to(self.page, self.base, self.path, email)
        await self.ready()
        return self

    async def ready(self) -> None:
        await expect(self.page.locator("body")).to_have_attribute("data-helpcenter-ready", "true")

    def panel(self, locale: str) -> object:
        return self.page.get_by_test_id(f"hc-panel-{locale}")

    async def write(self, locale: str, *, title: str, body: str, slug: str = "") -> None:
        await self.page.get_by_test_id(f"hc-tab-{locale}").click()
        panel = self.page.get_by_test_id(f"hc-panel-{locale}")
        await expect(panel).to_be_visible()
        await panel.get_by_test_id("hc-title").fill(title)
        await panel.get_by_test_id("hc-slug").fill(slug)
        await panel.get_by_test_id("hc-body").fill(body)

    async def saved(self, locale: str) -> str:
        """Wait for the editor to come back after a save; the article's id."""
        await self.page.wait_for_url(re.compile(rf"/articles/\d+\?locale={locale}&saved=1$"), timeout=TIMEOUT)
        await self.ready()
        match = re.search(r"/articles/(\d+)", self.page.url)
        assert match
        return match.group(1)


async def test_admin_writes_in_two_languages_and_publishes_the_turkish_one(
    new_page: NewPage, live_url: str, tenant: Tenant
) -> None:
    page = await new_page()
    admin = await HelpCenterAdmin(page, live_url, tenant).log_in(tenant.owner.email)
    await expect(page.get_by_text("No articles yet")).to_be_visible()
    await page.get_by_test_id("hc-new-article").click()
    await admin.ready()

    # English: written with a live preview (the server's render), saved as a draft.
    await admin.write("en", title="Resetting your password", body="## Steps\n\nOpen **Profile** first.")
    preview = page.get_by_test_id("hc-panel-en").get_by_test_id("hc-preview")
    await expect(preview.locator("h2#steps")).to_have_text("Steps", timeout=TIMEOUT)
    await expect(preview.locator("strong")).to_have_text("Profile")
    await page.get_by_test_id("hc-panel-en").get_by_test_id("hc-save").click()
    article_id = await admin.saved("en")
    await expect(page.get_by_test_id("hc-panel-en").get_by_test_id("hc-state")).to_have_text("Draft")
    await expect(page.get_by_test_id("hc-panel-en").get_by_test_id("hc-public-link")).to_have_count(0)

    # Turkish: a wrong slug is refused next to its field; fixed, it is published.
    await admin.write("tr", title="Parolanızı sıfırlama", body="**Profil** sayfasını açın.", slug="Bad Slug!")
    turkish = page.get_by_test_id("hc-panel-tr")
    await turkish.get_by_test_id("hc-publish").click()
    await expect(turkish.locator('[data-error-for="slug"]')).not_to_be_empty(timeout=TIMEOUT)
    await expect(turkish.get_by_test_id("hc-slug")).to_have_attribute("aria-invalid", "true")
    await turkish.get_by_test_id("hc-slug").fill("parola-sifirlama")
    # How customers ask it: one per line (blank lines and spaces do not count).
    await turkish.get_by_test_id("hc-questions").fill("sifremi unuttum\n\n  giriş yapamıyorum ")
    await turkish.get_by_test_id("hc-publish").click()
    assert await admin.saved("tr") == article_id
    turkish = page.get_by_test_id("hc-panel-tr")
    await expect(turkish.get_by_test_id("hc-state")).to_have_text("Published")
    link = turkish.get_by_test_id("hc-public-link")
    href = await link.get_attribute("href")
    assert href == f"/hc/{tenant.account_id}/tr/articles/{article_id}-parola-sifirlama"

    # The list shows each language's status.
    await page.goto(f"{live_url}{admin.path}")
    row = page.locator(f'tr[data-article="{article_id}"]')
    await expect(row).to_contain_text("Resetting your password")
    await expect(row.get_by_test_id("hc-status-tr")).to_have_text("tr · Published")
    await expect(row.get_by_test_id("hc-status-en")).to_have_text("en · Draft")

    # The public help center shows the Turkish article, and not the English draft.
    await page.goto(f"{live_url}{href}")
    await expect(page.get_by_role("heading", name="Parolanızı sıfırlama")).to_be_visible()
    await expect(page.locator("strong", has_text="Profil")).to_be_visible()
    await page.goto(f"{live_url}/hc/{tenant.account_id}/tr/")
    await expect(page.get_by_text("Parolanızı sıfırlama").first).to_be_visible()
    draft = await page.goto(f"{live_url}/hc/{tenant.account_id}/en/articles/{article_id}")
    assert draft is not None and draft.status == 404
    assert "Resetting your password" not in await page.content()

    # Unpublished again, the Turkish page is gone too.
    await page.goto(f"{live_url}{admin.path}/articles/{article_id}?locale=tr")
    await admin.ready()
    await expect(page.get_by_test_id("hc-panel-tr").get_by_test_id("hc-questions")).to_have_value(
        "sifremi unuttum\ngiriş yapamıyorum"
    )
    await page.get_by_test_id("hc-panel-tr").get_by_test_id("hc-unpublish").click()
    await expect(page.get_by_test_id("hc-panel-tr").get_by_test_id("hc-state")).to_have_text(
        "Draft", timeout=TIMEOUT
    )
    gone = await page.goto(f"{live_url}{href}")
    assert gone is not None and gone.status == 404


async def test_categories_and_the_phone_layout(new_page: NewPage, live_url: str, tenant: Tenant) -> None:
    page = await new_page(viewport=PHONE, locale="tr-TR")
    admin = await HelpCenterAdmin(page, live_url, tenant).log_in(tenant.owner.email)
    for english, turkish in [("Billing", "Fatura"), ("Account", "Hesap")]:
        await page.get_by_test_id("hc-new-category-en").fill(english)
        await page.get_by_test_id("hc-new-category-tr").fill(turkish)
        await page.get_by_test_id("hc-new-category").get_by_role("button").click()
        await expect(
            page.get_by_test_id("hc-category").filter(has=page.locator(f'input[value="{english}"]'))
        ).to_have_count(1, timeout=TIMEOUT)
        await admin.ready()
    categories = page.get_by_test_id("hc-category")
    await expect(categories.nth(0).locator('input[name="names.en"]')).to_have_value("Billing")
    # "Account" moves up.
    await categories.nth(1).get_by_role("button", name="Yukarı taşı").click()
    await expect(categories.nth(0).locator('input[name="names.en"]')).to_have_value(
        "Account", timeout=TIMEOUT
    )
    # A Markdown file imported from the list becomes a (draft) article.
    document = "---\ntitle: Kargo takibi\nlocale: tr\nkey: kargo\n---\nSiparişinizi **takip** edin.\n"
    await page.get_by_test_id("hc-import-file").set_input_files(
        {"name": "kargo.md", "mimeType": "text/markdown", "buffer": document.encode()}
    )
    await expect(page.get_by_test_id("hc-articles")).to_contain_text("Kargo takibi", timeout=TIMEOUT)
    await expect(page.get_by_test_id("hc-articles").get_by_test_id("hc-status-tr")).to_have_text(
        "tr · Taslak"
    )
    # Opened, the imported article moves to a category at once.
    await page.get_by_test_id("hc-articles").get_by_role("link", name="Kargo takibi").click()
    await admin.ready()
    await expect(page.get_by_test_id("hc-panel-tr").get_by_test_id("hc-title")).to_have_value("Kargo takibi")
    await page.get_by_test_id("hc-category").select_option(label="Hesap")
    await expect(page.locator(".hc-category-field [data-status]")).to_have_text("Kaydedildi", timeout=TIMEOUT)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    await page.goto(f"{live_url}{admin.path}")
    await expect(page.get_by_test_id("hc-articles")).to_contain_text("Hesap")
    # Nothing is wider than the phone.
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]


async def test_an_admin_adds_a_question_suggested_from_a_conversation(
    new_page: NewPage, live_url: str, tenant: Tenant, state: AppState
) -> None:
    article_id = await make_article(state, tenant, {"en": WARRANTY}, key="warranty")
    async with state.uow() as session:
        for text in ("my tablet screen went black after the update", "is a cracked screen covered?"):
            suggested = Suggested(article_id=article_id, locale="en", question=text)
            assert await record(session, account_id=tenant.account_id, suggested=suggested, conversation_id=1)
    page = await new_page()
    admin = await HelpCenterAdmin(page, live_url, tenant).log_in(tenant.owner.email)
    await page.goto(f"{live_url}{admin.path}/articles/{article_id}?locale=en")
    await admin.ready()
    english = page.get_by_test_id("hc-panel-en")
    offered = english.get_by_test_id("hc-suggested-en")
    await expect(offered).to_contain_text(
        "Suggested from conversations that agents resolved with this article:"
    )
    await expect(offered.locator("li")).to_have_count(2)
    await save_screenshot(page, "settings-helpcenter-suggested-questions")
    first = offered.locator("li", has_text="went black")
    await first.get_by_role("button", name="Add").click()
    await expect(english.get_by_test_id("hc-questions")).to_have_value(
        "my tablet screen went black after the update", timeout=TIMEOUT
    )
    await expect(english.get_by_test_id("hc-suggested-en").locator("li")).to_have_count(1)
    await english.get_by_test_id("hc-suggested-en").get_by_role("button", name="Dismiss").click()
    await expect(english.get_by_test_id("hc-suggested-en")).to_have_count(0, timeout=TIMEOUT)
    await expect(english.get_by_test_id("hc-questions")).to_have_value(
        "my tablet screen went black after the update"
    )
