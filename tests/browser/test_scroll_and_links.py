"""Long threads open at the newest message and follow new ones (dashboard and widget), without yanking
an agent who scrolled up to read; links in messages are real, safe links."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from destek.state import AppState
from destek.web import i18n
from tests.browser.conftest import PHONE, NewPage
from tests.browser.dashboard_pages import TIMEOUT, InboxPage, log_in
from tests.browser.widget_pages import HostPage, HostSite, full_page_chat, host_site
from tests.support.factories import ContactSession, Tenant, make_contact, open_conversation, write

NEWEST = "Also, are you open on Sundays?"

# How far the node is from lying wholly inside its scroll container ("log" / "messages-wrap"): 0 = inside.
OUTSIDE = """(node, box) => {
  const a = node.getBoundingClientRect(), b = node.closest(box).getBoundingClientRect();
  return Math.max(0, b.top - a.top, a.bottom - b.bottom);
}"""


async def wait_in_view(node: Locator, box: str) -> None:
    """Wait (bounded) until the node is wholly visible in its scroll container."""
    outside = -1.0
    for _ in range(TIMEOUT // 100):
        if await node.count() == 1:
            outside = await node.evaluate(OUTSIDE, box)
            if outside <= 1:
                return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{node} is {outside}px outside #{box}")


async def outside_of_view(node: Locator, box: str) -> float:
    value: float = await node.evaluate(OUTSIDE, box)
    return value


async def long_history(state: AppState, shop: Tenant, http: httpx.AsyncClient) -> tuple[ContactSession, int]:
    """A customer (identifier "long-1") with a 40-message conversation, the newest one theirs."""
    contact = await make_contact(state, shop, name="Deniz Kaya", identifier="long-1")
    started = await open_conversation(http, contact, "Hello, I have a question about my order")
    conversation_id = started["conversation"]["id"]
    for i in range(1, 39):
        if i % 2:
            await write(
                state,
                conversation_id,
                f"Answer {i}: let me check that for you.",
                sender="agent",
                sender_id=shop.agent.user_id,
            )
        else:
            await write(
                state, conversation_id, f"Question {i}: and what about this?", sender_id=contact.contact_id
            )
    await write(state, conversation_id, NEWEST, sender_id=contact.contact_id)
    return contact, conversation_id


@pytest.fixture
async def site() -> AsyncIterator[HostSite]:
    async with host_site() as found:
        yield found


# --- the dashboard --------------------------------------------------------------------------------


async def open_long_conversation(
    new_page: NewPage, live_url: str, state: AppState, shop: Tenant, http: httpx.AsyncClient
) -> tuple[InboxPage, ContactSession, int]:
    contact, conversation_id = await long_history(state, shop, http)
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await inbox.open_conversation(1)
    await expect(inbox.messages()).to_have_count(40, timeout=TIMEOUT)
    return inbox, contact, conversation_id


async def test_the_dashboard_opens_a_long_conversation_at_its_newest_message_and_follows(
    new_page: NewPage, live_url: str, state: AppState, shop: Tenant, http: httpx.AsyncClient
) -> None:
    inbox, contact, conversation_id = await open_long_conversation(new_page, live_url, state, shop, http)
    wrap = inbox.page.locator("#messages-wrap")
    assert await wrap.evaluate("w => w.scrollHeight > w.clientHeight + 200"), "the thread should scroll"
    await wait_in_view(inbox.message(NEWEST), "#messages-wrap")
    # Stays there once the contact panel and everything else around the thread have loaded.
    await inbox.page.wait_for_timeout(500)
    assert await outside_of_view(inbox.message(NEWEST), "#messages-wrap") <= 1

    # At the bottom, a customer's new message comes into view by itself, with no pill.
    await write(state, conversation_id, "Are you still there?", sender_id=contact.contact_id)
    await wait_in_view(inbox.message("Are you still there?"), "#messages-wrap")
    await expect(inbox.new_messages_pill).to_be_hidden()


async def test_the_dashboard_does_not_yank_an_agent_reading_history(
    new_page: NewPage, live_url: str, state: AppState, shop: Tenant, http: httpx.AsyncClient
) -> None:
    inbox, contact, conversation_id = await open_long_conversation(new_page, live_url, state, shop, http)
    await wait_in_view(inbox.message(NEWEST), "#messages-wrap")
    wrap = inbox.page.locator("#messages-wrap")
    await wrap.hover()
    await inbox.page.mouse.wheel(0, -100000)  # as an agent scrolls up to read
    await expect(wrap).to_have_js_property("scrollTop", 0)
    await wait_in_view(inbox.message("Hello, I have a question"), "#messages-wrap")

    await write(state, conversation_id, "One more thing: parking?", sender_id=contact.contact_id)
    await expect(inbox.message("One more thing: parking?")).to_have_count(1, timeout=TIMEOUT)
    await expect(inbox.new_messages_pill).to_be_visible()
    await expect(inbox.new_messages_pill).to_have_text("New messages ↓")
    assert await wrap.evaluate("w => w.scrollTop") == 0, "the agent was pulled down"
    assert await outside_of_view(inbox.message("One more thing: parking?"), "#messages-wrap") > 0

    await inbox.new_messages_pill.click()
    await wait_in_view(inbox.message("One more thing: parking?"), "#messages-wrap")
    await expect(inbox.new_messages_pill).to_be_hidden()


async def test_the_dashboard_links_urls_in_messages(
    new_page: NewPage, live_url: str, state: AppState, shop: Tenant, http: httpx.AsyncClient
) -> None:
    contact = await make_contact(state, shop, identifier="links-1")
    started = await open_conversation(http, contact, "See https://shop.example/orders/7. Thanks!")
    await write(state, started["conversation"]["id"], "javascript:alert(1)", sender_id=contact.contact_id)
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await inbox.open_conversation(1)
    link = inbox.message("See https://shop.example").locator(".msg-body a")
    await expect(link).to_have_attribute("href", "https://shop.example/orders/7")
    await expect(link).to_have_text("https://shop.example/orders/7")
    await expect(link).to_have_attribute("rel", "noopener noreferrer")
    await expect(link).to_have_attribute("target", "_blank")
    await expect(inbox.message("javascript:alert(1)").locator("a")).to_have_count(0)


def test_the_pill_speaks_turkish() -> None:
    assert i18n.messages("tr", "dashboard")["New messages ↓"] == "Yeni mesajlar ↓"
    assert i18n.messages("tr", "widget")["New messages ↓"] == "Yeni mesajlar ↓"


# --- the widget -----------------------------------------------------------------------------------


async def test_the_widget_opens_at_the_newest_message_on_a_phone_and_follows(
    new_page: NewPage, live_url: str, state: AppState, shop: Tenant, http: httpx.AsyncClient
) -> None:
    _contact, conversation_id = await long_history(state, shop, http)
    page = await new_page(viewport=PHONE)
    chat = await full_page_chat(page, live_url, shop.inbox_token, "?user_id=long-1")
    await expect(chat.bubbles()).to_have_count(40, timeout=TIMEOUT)
    assert await page.locator("#log").evaluate("l => l.scrollHeight > l.clientHeight + 200")
    await wait_in_view(chat.message(NEWEST), ".log")
    await page.wait_for_timeout(500)
    assert await outside_of_view(chat.message(NEWEST), ".log") <= 1

    # The agent answers while the customer is at the bottom: it comes into view.
    await write(state, conversation_id, "Yes, 10:00 to 18:00.", sender="agent", sender_id=shop.agent.user_id)
    await wait_in_view(chat.message("Yes, 10:00 to 18:00."), ".log")

    # Scrolled up to read: a new answer does not pull the customer down; the pill takes them there.
    log = page.locator("#log")
    await log.evaluate("l => { l.scrollTop = 0; }")
    await expect(log).to_have_js_property("scrollTop", 0)
    await write(state, conversation_id, "Anything else?", sender="agent", sender_id=shop.agent.user_id)
    await expect(chat.message("Anything else?")).to_have_count(1, timeout=TIMEOUT)
    pill = page.locator("#new-messages")
    await expect(pill).to_be_visible()
    assert await log.evaluate("l => l.scrollTop") == 0
    await pill.click()
    await wait_in_view(chat.message("Anything else?"), ".log")
    await expect(pill).to_be_hidden()


async def test_the_embedded_widget_opens_at_the_newest_message(
    new_page: NewPage, live_url: str, site: HostSite, state: AppState, shop: Tenant, http: httpx.AsyncClient
) -> None:
    await long_history(state, shop, http)
    page: Page = await new_page()
    host = HostPage(page, live_url, shop.inbox_token)
    # The history loads while the chat is closed (its iframe hidden, 0 px high); opening it shows the newest.
    async with page.expect_response(lambda response: "/messages?limit=50" in response.url) as loaded:
        await host.open(site, setup=HostPage.set_user({"id": "long-1"}))
    assert (await loaded.value).ok
    await page.wait_for_timeout(300)
    chat = await host.open_chat()
    await expect(chat.bubbles()).to_have_count(40, timeout=TIMEOUT)
    await wait_in_view(chat.message(NEWEST), ".log")


async def test_the_widget_links_urls_and_keeps_other_text_plain(
    new_page: NewPage, live_url: str, state: AppState, shop: Tenant, http: httpx.AsyncClient
) -> None:
    contact = await make_contact(state, shop, identifier="links-2")
    started = await open_conversation(http, contact, "Where is my order?")
    conversation_id = started["conversation"]["id"]
    reply = "Track it at https://shop.example/track?id=7&x=(1). Or (see https://help.example/faq)."
    await write(state, conversation_id, reply, sender="agent", sender_id=shop.agent.user_id)
    await write(state, conversation_id, "javascript:alert(1)", sender="agent", sender_id=shop.agent.user_id)
    page = await new_page(viewport=PHONE)
    chat = await full_page_chat(page, live_url, shop.inbox_token, "?user_id=links-2")
    bubble = chat.message("Track it at").locator(".bubble")
    await expect(bubble).to_have_text(reply)  # the text reads as written
    links = bubble.locator("a")
    await expect(links).to_have_count(2)
    await expect(links.nth(0)).to_have_attribute("href", "https://shop.example/track?id=7&x=(1)")
    await expect(links.nth(0)).to_have_text("https://shop.example/track?id=7&x=(1)")
    await expect(links.nth(1)).to_have_attribute("href", "https://help.example/faq")
    for i in range(2):
        await expect(links.nth(i)).to_have_attribute("rel", "noopener noreferrer")
        await expect(links.nth(i)).to_have_attribute("target", "_blank")
    await expect(chat.message("javascript:alert(1)").locator(".bubble")).to_have_text("javascript:alert(1)")
    await expect(chat.message("javascript:alert(1)").locator("a")).to_have_count(0)

    # A live answer gets its link too, and it opens the page in a new tab.
    await write(
        state,
        conversation_id,
        "Menu: https://shop.example/menu",
        sender="agent",
        sender_id=shop.agent.user_id,
    )
    live = chat.message("Menu:").locator("a")
    await expect(live).to_have_attribute("href", "https://shop.example/menu", timeout=TIMEOUT)
