"""The public help center in a real browser: search, read, switch language, vote, on a phone."""

from __future__ import annotations

from sqlalchemy import select

from destek.helpcenter.models import Translation
from destek.state import AppState
from tests.browser.conftest import DESKTOP, PHONE, NewPage
from tests.helpcenter.helpers import PASSWORD_EN, PASSWORD_TR, make_article, make_category
from tests.support.factories import Tenant


async def _stock(state: AppState, tenant: Tenant) -> int:
    category = await make_category(state, tenant, "account", en="Account", tr="Hesap")
    return await make_article(
        state, tenant, {"tr": PASSWORD_TR, "en": PASSWORD_EN}, key="password", category_id=category
    )


async def test_a_customer_searches_reads_switches_language_and_votes_on_a_phone(
    live_url: str, new_page: NewPage, state: AppState, tenant: Tenant
) -> None:
    article_id = await _stock(state, tenant)
    page = await new_page(viewport=PHONE, locale="tr-TR")
    await page.goto(f"{live_url}/hc/{tenant.account_id}/tr/")
    assert await page.locator("h1").inner_text() == "Size nasıl yardımcı olabiliriz?"
    await page.get_by_role("searchbox").fill("sifremi unuttum")
    await page.get_by_role("button", name="Ara").click()
    await page.get_by_role("link", name="Şifremi unuttum").first.click()
    await page.wait_for_url(f"**/tr/articles/{article_id}-sifremi-unuttum")
    assert await page.locator("h1").inner_text() == "Şifremi unuttum"
    assert await page.locator(".hc-body strong").first.inner_text() == "Şifremi unuttum"
    overflow = await page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the phone page scrolls sideways by {overflow}px"

    await page.get_by_role("button", name="Evet").click()
    thanks = page.get_by_text("Geri bildiriminiz için teşekkürler!")
    await thanks.wait_for(state="visible")
    assert await page.get_by_role("button", name="Evet").get_attribute("aria-pressed") == "true"
    assert page.url.endswith(f"/tr/articles/{article_id}-sifremi-unuttum"), "voted in place, no reload"
    await page.reload()
    await page.get_by_role("button", name="Evet").click()
    await thanks.wait_for(state="visible")

    await page.get_by_role("link", name="English").click()
    await page.wait_for_url(f"**/en/articles/{article_id}-i-forgot-my-password")
    assert await page.locator("h1").inner_text() == "I forgot my password"
    assert await page.get_by_role("button", name="Yes").is_visible()

    async with state.read() as session:
        turkish = await session.scalar(
            select(Translation).where(Translation.article_id == article_id, Translation.locale == "tr")
        )
    assert turkish is not None and (turkish.helpful_yes, turkish.helpful_no) == (1, 0)
    assert turkish.view_count == 1, "the reload is the same visitor within the hour: one view"


async def test_the_desktop_home_lists_categories(
    live_url: str, new_page: NewPage, state: AppState, tenant: Tenant
) -> None:
    await _stock(state, tenant)
    page = await new_page(viewport=DESKTOP)
    await page.goto(f"{live_url}/hc/{tenant.account_id}")
    assert page.url.endswith(f"/hc/{tenant.account_id}/en/")
    assert await page.get_by_role("heading", name="Account").is_visible()
    assert await page.get_by_role("link", name="I forgot my password").is_visible()
    title = await page.title()
    assert title.startswith("Acme") and title.endswith(" – Help center"), title
