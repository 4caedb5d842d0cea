"""The dashboard's help for agents, in a real browser: the article picker and reply suggestions in the
composer, insight and bot badges in the list, notifications only for what is the agent's, logout
errors, the account switcher keeping the section, translated merge notes, and the CSP."""

from __future__ import annotations

import httpx
from playwright.async_api import Page, expect
from sqlalchemy import select

from destek.accounts import service as accounts
from destek.bot import service as bot
from destek.conversations import bot_writes
from destek.conversations.models import Conversation
from destek.state import AppState
from tests.browser.conftest import NewPage
from tests.browser.dashboard_pages import TIMEOUT, Customer, InboxPage
from tests.browser.dashboard_pages import log_in as pages_log_in
from tests.helpcenter.helpers import PASSWORD_EN, PASSWORD_TR, make_article
from tests.support.factories import Tenant, make_tenant

# Records CSP violations, and notifications instead of showing them (with a tab that can pretend to be
# hidden): what the agent would have seen.
WATCH = """
    window.cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) =>
        window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`));
    window.shown = [];
    window.Notification = class {
        static permission = "granted";
        static requestPermission() { return Promise.resolve("granted"); }
        constructor(title, options) { window.shown.push({title, body: options.body}); }
        close() {}
    };
    Object.defineProperty(document, "hidden", {get: () => window.pretendHidden === true});
"""


async def log_in(new_page: NewPage, live_url: str, email: str, **options: object) -> InboxPage:
    return await pages_log_in(new_page, live_url, email, init_script=WATCH, **options)


async def no_csp_violations(page: Page) -> None:
    assert await page.evaluate("window.cspViolations") == []


async def wait_shown(page: Page, count: int) -> list[dict[str, str]]:
    """The notifications shown, once there are `count` of them (or the test's time is up)."""
    shown: list[dict[str, str]] = []
    for _ in range(TIMEOUT // 100):
        shown = await page.evaluate("window.shown")
        if len(shown) >= count:
            break
        await page.wait_for_timeout(100)
    return shown


async def set_insights(state: AppState, tenant: Tenant, number: int, **insights: object) -> None:
    async with state.uow() as session:
        conversation = (
            await session.execute(
                select(Conversation).where(
                    Conversation.account_id == tenant.account_id, Conversation.number == number
                )
            )
        ).scalar_one()
        if insights.pop("handed_over", False):
            await bot_writes.hand_over(session, conversation=conversation)
        await bot_writes.set_insights(session, conversation=conversation, **insights)  # type: ignore[arg-type]


async def test_article_link_from_the_composer_in_the_conversations_language(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, state: AppState, shop: Tenant
) -> None:
    article_id = await make_article(state, shop, {"tr": PASSWORD_TR, "en": PASSWORD_EN}, key="password")
    await (await Customer(http, shop).identify(name="Deniz Kaya")).start("Şifremi unuttum, giremiyorum")
    await set_insights(state, shop, 1, language="tr")
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await inbox.open_conversation(1)
    await inbox.type_reply("Merhaba, şuna bakın: ")
    await inbox.page.get_by_role("button", name="Article", exact=True).click()
    search = inbox.page.get_by_role("searchbox", name="Search help-center articles")
    await expect(search).to_be_focused()
    await search.fill("şifre unuttum")
    results = inbox.page.locator("#article-results .article-item")
    await expect(results.first).to_contain_text("Şifremi unuttum", timeout=TIMEOUT)
    await expect(inbox.page.locator("#article-results")).not_to_contain_text("I forgot my password")
    await search.press("Enter")  # picks the article; does not send the reply
    await expect(inbox.page.locator("#article-picker")).to_be_hidden()
    value = await inbox.composer.input_value()
    assert value.startswith("Merhaba, şuna bakın: Şifremi unuttum — http"), value
    assert value.endswith(f"/tr/articles/{article_id}-sifremi-unuttum"), value
    await expect(inbox.messages()).to_have_count(1)

    # "#?" typed in the reply opens the same picker; Esc closes it and leaves the reply as it was.
    await inbox.composer.fill("")
    await inbox.composer.press_sequentially("Bakın #?")
    await expect(search).to_be_visible()
    await expect(inbox.composer).to_have_value("Bakın ")
    await search.press("Escape")
    await expect(inbox.page.locator("#article-picker")).to_be_hidden()
    await expect(inbox.composer).to_be_focused()
    await no_csp_violations(inbox.page)


async def test_suggestions_panel_offers_articles_and_canned_responses_and_follows_the_customer(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, state: AppState, shop: Tenant
) -> None:
    await make_article(state, shop, {"en": PASSWORD_EN}, key="password")
    for code, title, content in (
        ("password", "Password reset", "Hi {{contact.name}}, tap Forgot password on the sign-in screen."),
        ("refund", "Refund sent", "Your refund is on its way."),
    ):
        created = await http.post(
            shop.url("/canned_responses"),
            json={"short_code": code, "title": title, "content": content},
            headers=shop.owner.headers,
        )
        assert created.status_code == 201, created.text
    customer = await Customer(http, shop).identify(name="Deniz Kaya")
    conversation = await customer.start("I forgot my password, how can I reset it?")
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await inbox.open_conversation(1)
    panel = inbox.page.get_by_role("region", name="Suggestions")
    await expect(panel).to_be_visible(timeout=TIMEOUT)
    await expect(panel.locator(".suggestion-article")).to_contain_text(
        "I forgot my password", timeout=TIMEOUT
    )
    await expect(panel.locator(".suggestion-canned")).to_contain_text("/password")
    await expect(panel).not_to_contain_text("/refund")

    await panel.locator(".suggestion-canned button").first.click()
    await expect(inbox.composer).to_have_value("Hi Deniz Kaya, tap Forgot password on the sign-in screen.")
    await panel.locator(".suggestion-article button").first.click()
    value = await inbox.composer.input_value()
    canned = "Hi Deniz Kaya, tap Forgot password on the sign-in screen."
    assert value.startswith(f"{canned} I forgot my password — http"), value
    assert "/en/articles/" in value, value

    # A new customer message brings suggestions for it.
    await customer.say(conversation["id"], "Also I was charged twice and want a refund")
    await expect(panel.locator(".suggestion-canned")).to_contain_text("/refund", timeout=TIMEOUT)
    await no_csp_violations(inbox.page)


async def test_list_rows_show_language_sentiment_urgency_and_bot_state(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, state: AppState, shop: Tenant
) -> None:
    await (await Customer(http, shop).identify(name="Deniz Kaya")).start("Kartım iki kez çekildi, rezalet!")
    await (await Customer(http, shop).identify(name="Elif Demir")).start("Hello")
    await set_insights(state, shop, 1, language="tr", sentiment="negative", urgency=0.9, handed_over=True)
    inbox = await log_in(new_page, live_url, shop.owner.email)
    upset = inbox.row(1)
    for text in ("TR", "Negative", "Urgency 90%", "Handed over"):
        await expect(upset.locator(".badge", has_text=text)).to_have_count(1, timeout=TIMEOUT)
    calm = inbox.row(2)
    await expect(calm.locator(".badge.insight")).to_have_count(0)
    await expect(calm.locator(".badge.bot-state")).to_have_count(0)
    # Live: the language arrives while the agent looks at the list.
    await set_insights(state, shop, 2, language="en", sentiment="positive")
    await expect(calm.locator(".badge", has_text="EN")).to_have_count(1, timeout=TIMEOUT)
    await expect(calm.locator(".badge", has_text="Positive")).to_have_count(1)
    await no_csp_violations(inbox.page)


async def test_no_notification_for_a_colleagues_conversation_one_for_mine(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    customer = await Customer(http, shop).identify(name="Deniz Kaya")
    conversation = await customer.start("Colleague's customer")
    assigned = await http.post(
        shop.url("/conversations/1/assignment"),
        json={"assignee_id": shop.agent.user_id},
        headers=shop.owner.headers,
    )
    assert assigned.status_code == 200, assigned.text
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await inbox.page.locator('.sidenav .view-link[data-view="mine"]').click()
    await expect(inbox.rows()).to_have_count(0, timeout=TIMEOUT)
    await inbox.page.evaluate("window.pretendHidden = true")
    await customer.say(conversation["id"], "Any news?")
    # The reply reached the dashboard (the count moved) but is not the owner's: nothing pops up.
    await inbox.page.locator('.sidenav .view-link[data-view="all"]').click()
    await expect(inbox.row(1)).to_contain_text("Any news?", timeout=TIMEOUT)
    assert await inbox.page.evaluate("window.shown") == []

    # Assigned to the owner: one notification, then the customer's replies notify.
    assigned = await http.post(
        shop.url("/conversations/1/assignment"),
        json={"assignee_id": shop.owner.user_id},
        headers=shop.agent.headers,
    )
    assert assigned.status_code == 200, assigned.text
    assert len(await wait_shown(inbox.page, 1)) == 1
    await customer.say(conversation["id"], "Hello again")
    shown = await wait_shown(inbox.page, 2)
    assert shown == [
        {"title": "Assigned to you: #1", "body": ""},
        {"title": "Deniz Kaya", "body": "Hello again"},
    ], shown


async def test_logout_that_failed_says_so_and_stays(new_page: NewPage, live_url: str, shop: Tenant) -> None:
    inbox = await log_in(new_page, live_url, shop.owner.email)
    page = inbox.page
    url = page.url
    await page.route("**/api/v1/auth/logout", lambda route: route.abort())
    await page.locator("#profile-menu summary").click()
    await page.locator("#logout").click()
    await expect(page.get_by_role("alert").filter(has_text="Could not log out")).to_be_visible()
    assert page.url == url
    await page.unroute("**/api/v1/auth/logout")
    await page.locator("#logout").click()
    await page.wait_for_url("**/login")


async def test_account_switcher_keeps_the_settings_section(
    new_page: NewPage, live_url: str, state: AppState, shop: Tenant
) -> None:
    other = await make_tenant(state, name="Second Shop")
    async with state.uow() as session:
        await accounts.add_member(
            session, account_id=other.account_id, user_id=shop.owner.user_id, role="admin"
        )
    inbox = await log_in(new_page, live_url, shop.owner.email)
    page = inbox.page
    await page.goto(f"{live_url}/app/{shop.account_id}/settings/labels")
    await page.get_by_test_id("account-switch").select_option(str(other.account_id))
    await page.wait_for_url(f"**/app/{other.account_id}/settings/labels")
    await page.get_by_test_id("account-switch").select_option(str(shop.account_id))
    await page.wait_for_url(f"**/app/{shop.account_id}/settings/labels")
    await no_csp_violations(page)


async def test_merge_notes_are_in_the_agents_language(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    customer = await Customer(http, shop).identify(name="Deniz Kaya", identifier="u-1")
    await customer.start("Siparişim gecikti")
    await customer.start("Sipariş hâlâ yok")
    merged = await http.post(
        shop.url("/conversations/2/merge"), json={"into_number": 1}, headers=shop.owner.headers
    )
    assert merged.status_code == 200, merged.text
    inbox = await log_in(new_page, live_url, shop.agent.email, locale="tr-TR")
    await inbox.open_conversation(1)
    await expect(inbox.message("numaralı konuşmayı bu konuşmayla birleştirdi")).to_have_count(
        1, timeout=TIMEOUT
    )
    await expect(inbox.message("was merged into this conversation")).to_have_count(0)
    await no_csp_violations(inbox.page)


async def test_agents_see_how_sure_the_bot_was_of_its_answer_and_the_customer_does_not(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, state: AppState, shop: Tenant
) -> None:
    customer = await Customer(http, shop).identify(name="Deniz Kaya")
    conversation_out = await customer.start("I forgot my password")
    async with state.uow() as session:
        conversation = (
            await session.execute(
                select(Conversation).where(
                    Conversation.account_id == shop.account_id, Conversation.number == 1
                )
            )
        ).scalar_one()
        await bot.say(
            session,
            conversation=conversation,
            text="This article may help:\n\nHow do I reset my password?",
            key="test-answer",
            attributes={
                "article": {"id": 1, "title": "How do I reset my password?"},
                "confidence": 0.934,
                "threshold": 0.9,
            },
        )
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await inbox.open_conversation(1)
    answer = inbox.message("This article may help")
    await expect(answer.locator(".msg-why")).to_have_text(
        "Answered from the help center: 93% sure (the bot answers from 90%)", timeout=TIMEOUT
    )
    await expect(inbox.message("I forgot my password").locator(".msg-why")).to_have_count(0)
    response = await http.get(
        shop.public(f"/conversations/{conversation_out['id']}/messages"), headers=customer.headers
    )
    assert response.status_code == 200, response.text
    shown = next(m for m in response.json() if m["content"].startswith("This article may help"))
    assert shown["content_attributes"] == {"article": {"id": 1, "title": "How do I reset my password?"}}
    await no_csp_violations(inbox.page)
