"""Issue 3 end to end, across both UIs: a customer in the widget on a shop's web site and an agent in the
dashboard, each in their own browser context, talking live through the real server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from playwright.async_api import Route, expect

from destek.security import identity_hash
from destek.state import AppState
from tests.browser.conftest import LOADED_WIDTH, NewPage
from tests.browser.e2e_support import (
    TIMEOUT,
    Dialogs,
    agent_logs_in,
    create_canned_response,
    customer_opens_chat,
    each_once_in_chat,
    each_once_in_dashboard,
    stored_texts,
)
from tests.browser.widget_pages import HostPage, HostSite, host_site
from tests.channels.widget.helpers import png, set_identity_verification
from tests.support.factories import Tenant

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture
async def site() -> AsyncIterator[HostSite]:
    async with host_site() as found:
        yield found


@pytest.fixture
def dialogs() -> Dialogs:
    return Dialogs()


@pytest.fixture(autouse=True)
def patient_expect() -> Iterator[None]:
    """Every expect() here waits up to TIMEOUT: two browsers and a server share a busy test machine."""
    expect.set_options(timeout=TIMEOUT)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for the tests that run after these


@pytest.mark.parametrize("db_url", BACKENDS, indirect=True)
async def test_customer_writes_with_a_screenshot_and_the_agent_answers_with_a_canned_response(
    live_url: str,
    site: HostSite,
    new_page: NewPage,
    client: httpx.AsyncClient,
    tenant: Tenant,
    dialogs: Dialogs,
) -> None:
    await create_canned_response(
        client,
        tenant,
        short_code="ontheway",
        title="Order on its way",
        content="Hi {{contact.name}}, your order left our warehouse today.",
    )
    inbox = await agent_logs_in(new_page, live_url, tenant.agent.email, dialogs)
    await expect(inbox.rows()).to_have_count(0)
    await inbox.page.evaluate("window.sameDocument = true")  # gone if anything reloads the page

    user = HostPage.set_user({"id": "shop-user-1", "name": "Deniz Kaya"})
    host, chat = await customer_opens_chat(new_page, live_url, site, tenant, setup=user, dialogs=dialogs)
    await chat.send("Where is my order 1182?")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    await chat.paste_png(png(40, 30))
    await expect(chat.root.locator(".msg.in .files img")).to_be_visible()

    # The agent's inbox shows it without a reload, and the conversation has the text and the image.
    await expect(inbox.rows()).to_have_count(1, timeout=TIMEOUT)
    await expect(inbox.rows().first).to_contain_text("Deniz Kaya")
    assert await inbox.page.evaluate("window.sameDocument") is True
    await inbox.open_conversation(1)
    await expect(inbox.message("Where is my order 1182?")).to_have_count(1)
    image = inbox.page.locator("#messages .msg .thumb img")
    await expect(image).to_be_visible(timeout=TIMEOUT)
    await expect(image).to_have_attribute("alt", "screenshot.png")
    assert await image.evaluate(LOADED_WIDTH) == 40

    # A canned response by its short code, with the contact's name filled in.
    await inbox.type_reply("/onthe")
    menu = inbox.page.locator("#canned-menu")
    await expect(menu.locator(".canned-item").first).to_contain_text("Order on its way", timeout=TIMEOUT)
    await inbox.composer.press("Enter")
    answer = "Hi Deniz Kaya, your order left our warehouse today."
    await expect(inbox.composer).to_have_value(answer)
    await inbox.composer.press("Enter")
    await expect(inbox.message(answer)).to_have_count(1, timeout=TIMEOUT)

    # The customer sees it live; the open chat reads it; the agent sees "Read".
    await expect(chat.bubbles("out")).to_have_text([answer], timeout=TIMEOUT)
    status = inbox.message(answer).locator(".msg-status")
    await expect(status).to_have_attribute("data-status", "read", timeout=TIMEOUT)
    await expect(status).to_contain_text("Read")
    await expect(inbox.row(1).locator(".conv-preview")).to_have_text(f"↩ {answer}", timeout=TIMEOUT)
    # The shop's page heard of it once (its "message" events carry both directions).
    assert (await host.page.evaluate("window.seen.map(m => m.content)")).count(answer) == 1
    assert dialogs.seen == []


@pytest.mark.parametrize("db_url", BACKENDS, indirect=True)
async def test_nothing_is_lost_or_doubled_through_reloads_and_dropped_connections(
    live_url: str,
    site: HostSite,
    new_page: NewPage,
    client: httpx.AsyncClient,
    tenant: Tenant,
) -> None:
    host, chat = await customer_opens_chat(
        new_page, live_url, site, tenant, setup=HostPage.set_user({"id": "u-2", "name": "Elif"})
    )
    await chat.send("Hello from the shop page")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    inbox = await agent_logs_in(new_page, live_url, tenant.agent.email)
    await inbox.open_conversation(1)
    sent: list[str] = ["Hello from the shop page"]

    # The agent reloads; the customer writes meanwhile and after; the agent answers.
    await inbox.page.reload()
    await chat.send("Written while the agent reloaded")
    await inbox.wait_live()
    await expect(inbox.page.locator("#conv-number")).to_have_text("#1", timeout=TIMEOUT)
    await chat.send("Written after the agent reloaded")
    await inbox.type_reply("Agent answer after a reload")
    await inbox.composer.press("Enter")
    sent += [
        "Written while the agent reloaded",
        "Written after the agent reloaded",
        "Agent answer after a reload",
    ]
    await each_once_in_dashboard(inbox, sent)
    await each_once_in_chat(chat, sent)

    # The customer reloads; the agent answers meanwhile and after.
    await host.page.reload()
    await inbox.type_reply("Agent answer while the customer reloaded")
    await inbox.composer.press("Enter")
    chat = await host.open_chat()
    await inbox.type_reply("Agent answer after the customer reloaded")
    await inbox.composer.press("Enter")
    sent += ["Agent answer while the customer reloaded", "Agent answer after the customer reloaded"]
    await each_once_in_chat(chat, sent)
    await each_once_in_dashboard(inbox, sent)

    # The customer's connection drops: they write, the agent answers, the line comes back.
    await host.page.context.set_offline(True)
    await chat.send("Customer offline one")
    await chat.send("Customer offline two")
    await expect(chat.root.locator(".msg.pending")).to_have_count(2)
    await inbox.type_reply("Agent answer to an offline customer")
    await inbox.composer.press("Enter")
    await expect(inbox.message("Agent answer to an offline customer")).to_have_count(1, timeout=TIMEOUT)
    await host.page.context.set_offline(False)
    sent += ["Customer offline one", "Customer offline two", "Agent answer to an offline customer"]
    await each_once_in_chat(chat, sent)
    await each_once_in_dashboard(inbox, sent)
    await expect(chat.root.locator(".msg.pending")).to_have_count(0)

    # The agent's connection drops: the customer writes, the agent replies; all of it arrives once back.
    await inbox.page.context.set_offline(True)
    connection = inbox.page.locator("#connection")
    await expect(connection).to_have_attribute("data-state", "offline", timeout=TIMEOUT)
    await expect(connection).to_have_text("Offline")
    await chat.send("Customer writes to an offline agent")
    await chat.send("Customer writes again to an offline agent")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    await inbox.type_reply("Agent reply written offline")
    await inbox.composer.press("Enter")
    await expect(inbox.page.locator("#composer-error")).to_contain_text("Waiting for the connection")
    await expect(inbox.composer).to_have_value("")
    assert await inbox.message("offline agent").count() == 0  # the page really lost its connection
    await inbox.page.context.set_offline(False)
    await inbox.wait_live()
    sent += [
        "Customer writes to an offline agent",
        "Customer writes again to an offline agent",
        "Agent reply written offline",
    ]
    await each_once_in_dashboard(inbox, sent)
    await each_once_in_chat(chat, sent)
    await expect(inbox.page.locator("#composer-error")).to_have_text("")

    await expect(inbox.messages()).to_have_count(len(sent))
    await expect(chat.bubbles()).to_have_count(len(sent))
    assert sorted(await stored_texts(client, tenant, 1)) == sorted(sent)


async def test_identity_verification_links_the_same_contact_and_refuses_a_wrong_hash(
    live_url: str,
    site: HostSite,
    new_page: NewPage,
    client: httpx.AsyncClient,
    state: AppState,
    tenant: Tenant,
) -> None:
    await set_identity_verification(state, tenant, True)
    # As docs/widget.md says: the shop's server computes hex HMAC-SHA256(inbox secret, user id).
    right = identity_hash(tenant.inbox_secret, "customer-4711")
    user = {"id": "customer-4711", "name": "Zeynep Arslan", "email": "zeynep@example.com"}
    # Yesterday Zeynep wrote from the shop's mobile app (the public API, with the same hash); answered.
    app = await client.post(
        tenant.public("/contacts"),
        json={"identifier": "customer-4711", "identifier_hash": right, "name": "Zeynep Arslan"},
    )
    assert app.status_code == 201, app.text
    contact_id = app.json()["contact"]["id"]
    earlier = await client.post(
        tenant.public("/conversations"),
        json={"message": {"content": "Asked from the mobile app"}},
        headers={"Authorization": f"Bearer {app.json()['token']}"},
    )
    assert earlier.status_code == 201, earlier.text
    resolved = await client.post(
        tenant.url("/conversations/1/status"), json={"status": "resolved"}, headers=tenant.agent.headers
    )
    assert resolved.status_code == 200, resolved.text

    _, refused = await customer_opens_chat(
        new_page, live_url, site, tenant, setup=HostPage.set_user({**user, "hash": "0" * 64})
    )
    await expect(refused.refusal).to_contain_text("could not verify your account")
    await expect(refused.composer).to_be_hidden()
    assert await refused.bubbles().count() == 0  # nothing of Zeynep's shows to whoever forged it

    _, chat = await customer_opens_chat(
        new_page, live_url, site, tenant, setup=HostPage.set_user({**user, "hash": right})
    )
    await expect(chat.refusal).to_be_hidden()
    await expect(chat.message("Asked from the mobile app")).to_have_count(1)  # the same person's history
    await chat.send("I am logged in to the shop")
    await expect(chat.status_of_last_sent).to_have_text("Sent")

    inbox = await agent_logs_in(new_page, live_url, tenant.agent.email)
    # Writing again reopened yesterday's conversation: the app's and the web page's messages are one
    # person's, in one place.
    await inbox.open_conversation(1)
    await expect(inbox.message("Asked from the mobile app")).to_have_count(1)
    await expect(inbox.message("I am logged in to the shop")).to_have_count(1)
    card = inbox.page.locator("#contact-pane .contact-card")
    await expect(card.locator(".contact-name")).to_contain_text("Zeynep Arslan")
    await expect(card.locator(".badge.verified")).to_be_visible()
    await expect(card).to_contain_text("customer-4711")
    await expect(card).to_contain_text("zeynep@example.com")
    # The contact the agent sees is the one the shop's app created: one person, not two.
    assert await card.get_attribute("data-contact-id") == str(contact_id)
    listing = await client.get(
        tenant.url("/conversations?status=open&status=resolved"), headers=tenant.agent.headers
    )
    assert [(c["number"], c["contact_id"]) for c in listing.json()["items"]] == [(1, contact_id)]


async def test_notes_stay_in_the_dashboard_and_html_is_text_in_both_uis(
    live_url: str,
    site: HostSite,
    new_page: NewPage,
    client: httpx.AsyncClient,
    tenant: Tenant,
    dialogs: Dialogs,
) -> None:
    host, chat = await customer_opens_chat(new_page, live_url, site, tenant, dialogs=dialogs)
    hostile = "<img src=x onerror=alert(1)> and <script>alert(2)</script> hi"
    await chat.send(hostile)
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    inbox = await agent_logs_in(new_page, live_url, tenant.agent.email, dialogs)
    await inbox.open_conversation(1)
    body = inbox.message("onerror").locator(".msg-body")
    await expect(body).to_have_text(hostile)
    await expect(inbox.row(1).locator(".conv-preview")).to_have_text(hostile)
    assert (
        await inbox.page.locator(
            "img[src=x], #messages script, #conversation-list script, #contact-pane script"
        ).count()
        == 0
    )

    await inbox.choose_note()
    await inbox.type_reply("Internal: VIP customer, refund approved")
    await inbox.composer.press("Enter")
    await expect(inbox.message("VIP customer")).to_have_class("msg msg-note", timeout=TIMEOUT)
    await inbox.page.locator("#composer input[value=reply]").check()
    await inbox.type_reply("<b>Thanks</b>, we are on it")
    await inbox.composer.press("Enter")

    await expect(chat.bubbles("out")).to_have_text(["<b>Thanks</b>, we are on it"], timeout=TIMEOUT)
    await expect(chat.bubbles("in")).to_have_text([hostile])
    # The shop's page hears of the reply, never of the note.
    seen = await host.page.evaluate("window.seen.map(m => m.content)")
    assert "<b>Thanks</b>, we are on it" in seen and not any("VIP" in text for text in seen)
    await host.page.reload()
    chat = await host.open_chat()
    await expect(chat.bubbles()).to_have_text([hostile, "<b>Thanks</b>, we are on it"])
    frame_html = await chat.frame.content()
    assert "VIP" not in frame_html
    assert await chat.log.locator("b, script, img[src=x]").count() == 0
    assert dialogs.seen == []


async def test_turkish_for_the_agent_and_the_customer(
    live_url: str,
    site: HostSite,
    new_page: NewPage,
    tenant: Tenant,
) -> None:
    _, chat = await customer_opens_chat(
        new_page, live_url, site, tenant, setup='Destek("setLocale", "tr");', locale="tr-TR"
    )
    await expect(chat.composer).to_have_attribute("placeholder", "Mesaj yazın…")
    await chat.send("Merhaba, kargom nerede?")
    await expect(chat.status_of_last_sent).to_have_text("Gönderildi")

    inbox = await agent_logs_in(new_page, live_url, tenant.agent.email, locale="tr-TR")
    await expect(inbox.page.locator("html")).to_have_attribute("lang", "tr")
    await expect(inbox.page.locator("#connection")).to_have_text("Canlı")
    await expect(inbox.page.locator('.view-link[data-view="unassigned"]')).to_contain_text("Atanmamış")
    await inbox.open_conversation(1)
    await expect(inbox.page.get_by_test_id("resolve")).to_have_text("Çöz")
    # Opening the conversation reads it: the customer sees "Okundu".
    await expect(chat.status_of_last_sent).to_have_text("Okundu", timeout=TIMEOUT)
    await inbox.type_reply("Merhaba, kargonuz yolda.")
    await inbox.composer.press("Enter")
    await expect(chat.bubbles("out")).to_have_text(["Merhaba, kargonuz yolda."], timeout=TIMEOUT)
    status = inbox.message("kargonuz yolda").locator(".msg-status")
    await expect(status).to_contain_text("Okundu", timeout=TIMEOUT)


async def test_the_next_reply_typed_while_one_is_on_its_way_is_kept_and_follows_it(
    live_url: str, site: HostSite, new_page: NewPage, tenant: Tenant
) -> None:
    _, chat = await customer_opens_chat(new_page, live_url, site, tenant)
    await chat.send("Are you there?")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    inbox = await agent_logs_in(new_page, live_url, tenant.agent.email)
    await inbox.open_conversation(1)

    async def slow(route: Route) -> None:  # a slow line: each reply takes a while to be answered
        if route.request.method == "POST":
            await asyncio.sleep(0.6)
        await route.continue_()

    await inbox.page.route("**/conversations/1/messages", slow)
    await inbox.type_reply("Yes, one moment")
    await inbox.composer.press("Enter")
    await expect(inbox.composer).to_have_value("")
    await inbox.type_reply("I am checking your order")  # typed while the first is on its way
    await inbox.composer.press("Enter")
    await inbox.type_reply("Still typing")
    await expect(inbox.message("I am checking your order")).to_have_count(1, timeout=TIMEOUT)
    await expect(inbox.composer).to_have_value("Still typing")
    texts = ["Are you there?", "Yes, one moment", "I am checking your order"]
    await expect(inbox.page.locator("#messages .msg .msg-body")).to_have_text(texts)
    await expect(chat.bubbles()).to_have_text(texts, timeout=TIMEOUT)


async def test_live_updates_leave_the_messages_on_screen_alone(
    live_url: str, site: HostSite, new_page: NewPage, tenant: Tenant
) -> None:
    """An agent selecting an order number to copy it keeps the selection while the customer writes and
    reads: a live update adds what is new and leaves the rest of the conversation on screen alone."""
    _, chat = await customer_opens_chat(new_page, live_url, site, tenant)
    await chat.send("My order number is 4471-XK")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    inbox = await agent_logs_in(new_page, live_url, tenant.agent.email)
    await inbox.open_conversation(1)
    await inbox.type_reply("Thanks, checking")
    await inbox.composer.press("Enter")
    await expect(inbox.message("Thanks, checking").locator(".msg-status")).to_have_attribute(
        "data-status", "read", timeout=TIMEOUT
    )
    await inbox.message("4471-XK").locator(".msg-body").click(click_count=3)  # selects the paragraph
    selection = "window.getSelection().toString()"
    selected = await inbox.page.evaluate(selection)
    assert "4471" in selected
    await chat.send("Any news?")  # a new message, and the agent's page reads it: two live updates
    await expect(inbox.message("Any news?")).to_have_count(1, timeout=TIMEOUT)
    await expect(inbox.message("Thanks, checking").locator(".msg-status")).to_have_attribute(
        "data-status", "read"
    )
    assert await inbox.page.evaluate(selection) == selected


async def test_live_updates_leave_the_chat_bubbles_on_screen_alone(
    live_url: str, site: HostSite, new_page: NewPage, tenant: Tenant
) -> None:
    """The same for the customer: copying a tracking number the agent sent survives the next message."""
    _, chat = await customer_opens_chat(new_page, live_url, site, tenant)
    await chat.send("Where is my parcel?")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    inbox = await agent_logs_in(new_page, live_url, tenant.agent.email)
    await inbox.open_conversation(1)
    await inbox.type_reply("Tracking number TR-99812")
    await inbox.composer.press("Enter")
    bubble = chat.bubbles("out").first
    await expect(bubble).to_have_text("Tracking number TR-99812", timeout=TIMEOUT)
    await bubble.click(click_count=3)
    selection = "window.getSelection().toString()"
    selected = await chat.frame.evaluate(selection)
    assert "TR-99812" in selected
    await inbox.type_reply("It arrives tomorrow")
    await inbox.composer.press("Enter")
    await expect(chat.bubbles("out")).to_have_count(2, timeout=TIMEOUT)
    assert await chat.frame.evaluate(selection) == selected


async def test_each_side_sees_the_other_typing(
    live_url: str, site: HostSite, new_page: NewPage, tenant: Tenant
) -> None:
    user = HostPage.set_user({"id": "u-9", "name": "Can Yılmaz"})
    _, chat = await customer_opens_chat(new_page, live_url, site, tenant, setup=user)
    await chat.send("Hello")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    inbox = await agent_logs_in(new_page, live_url, tenant.agent.email)
    await inbox.open_conversation(1)

    await chat.composer.press_sequentially("I have one more")
    await expect(inbox.typing()).to_have_text("Can Yılmaz is typing…", timeout=TIMEOUT)
    await chat.composer.press("Enter")
    await expect(inbox.message("I have one more")).to_have_count(1, timeout=TIMEOUT)
    await expect(inbox.typing()).to_be_hidden()

    await inbox.type_reply("Sure")
    await expect(chat.typing).to_contain_text("is typing…", timeout=TIMEOUT)
    await inbox.composer.press("Enter")
    await expect(chat.bubbles("out")).to_have_text(["Sure"], timeout=TIMEOUT)
    await expect(chat.typing).to_be_hidden()


async def test_the_agent_resolves_the_customer_rates_and_the_agent_sees_the_rating(
    live_url: str, site: HostSite, new_page: NewPage, tenant: Tenant, dialogs: Dialogs
) -> None:
    _, chat = await customer_opens_chat(new_page, live_url, site, tenant, dialogs=dialogs)
    await chat.send("How do I change my address?")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    inbox = await agent_logs_in(new_page, live_url, tenant.agent.email, dialogs)
    await inbox.open_conversation(1)
    rating = inbox.page.locator("#conv-rating")
    await expect(rating).to_be_hidden()
    await inbox.type_reply("Under Account › Addresses.")
    await inbox.composer.press("Enter")
    await expect(chat.bubbles("out")).to_have_text(["Under Account › Addresses."], timeout=TIMEOUT)
    await inbox.page.get_by_test_id("resolve").click()

    await expect(chat.root.locator(".divider", has_text="resolved")).to_be_visible(timeout=TIMEOUT)
    await chat.rate(4, "Quick, <b>thanks</b>")
    await expect(chat.root.locator(".rating .thanks")).to_contain_text("★★★★☆")
    # Live in the dashboard, under the messages; the comment is text.
    await expect(rating).to_be_visible(timeout=TIMEOUT)
    await expect(rating.locator(".rating-stars")).to_have_text("★★★★☆")
    await expect(rating.locator(".rating-stars")).to_have_attribute("aria-label", "4 out of 5")
    await expect(rating.locator(".rating-comment")).to_have_text("Quick, <b>thanks</b>")
    # And still there when the agent comes back to it.
    await inbox.page.reload()
    await inbox.wait_live()
    await expect(rating.locator(".rating-stars")).to_have_text("★★★★☆", timeout=TIMEOUT)
    assert dialogs.seen == []


async def test_read_only_once_the_customer_opens_the_chat(
    live_url: str, site: HostSite, new_page: NewPage, tenant: Tenant
) -> None:
    """ "Read" means the customer saw it: with the chat closed an answer shows a badge on the launcher
    and stays "Sent" for the agent; opening the chat reads it."""
    host, chat = await customer_opens_chat(new_page, live_url, site, tenant)
    await chat.send("Is the shop open on Sunday?")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    inbox = await agent_logs_in(new_page, live_url, tenant.agent.email)
    await inbox.open_conversation(1)
    await host.launcher.click()  # the customer closes the chat and keeps browsing
    await expect(host.launcher).to_have_attribute("aria-expanded", "false")

    await inbox.type_reply("Yes, 10:00 to 18:00.")
    await inbox.composer.press("Enter")
    await expect(host.badge).to_have_text("1", timeout=TIMEOUT)
    status = inbox.message("10:00 to 18:00").locator(".msg-status")
    await expect(status).to_have_attribute("data-status", "sent")

    await host.launcher.click()
    await expect(chat.bubbles("out")).to_have_text(["Yes, 10:00 to 18:00."])
    await expect(status).to_have_attribute("data-status", "read", timeout=TIMEOUT)
    await expect(host.badge).to_be_hidden()
