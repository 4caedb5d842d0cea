"""The agents' dashboard in a real browser: log in, live inbox, replying, notes, receipts, safety."""

from __future__ import annotations

import asyncio

import httpx
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.dashboard_pages import TIMEOUT, Customer, LoginPage, log_in
from tests.support.factories import Tenant


async def test_login_live_counts_and_a_conversation_arriving_without_reload(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    first = await Customer(http, shop).identify(name="Deniz Kaya")
    await first.start("QR menü açılmıyor")
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await expect(inbox.rows()).to_have_count(1)
    await expect(inbox.nav_count("all")).to_have_text("1")
    await expect(inbox.nav_count("unassigned")).to_have_text("1")

    second = await Customer(http, shop).identify(name="Elif Demir")
    await second.start("My payment failed twice")
    await expect(inbox.rows()).to_have_count(2, timeout=TIMEOUT)
    await expect(inbox.rows().first).to_contain_text("Elif Demir")
    await expect(inbox.rows().first).to_contain_text("My payment failed twice")
    await expect(inbox.rows().first).to_have_class("conv-item unread")
    await expect(inbox.nav_count("all")).to_have_text("2", timeout=TIMEOUT)

    # Opening it reads it: the marker goes, here and on the server.
    await inbox.open_conversation(2)
    await expect(inbox.row(2)).to_have_class("conv-item current", timeout=TIMEOUT)
    await expect(inbox.row(1)).to_have_class("conv-item unread")
    for _ in range(50):  # the read is posted in the background: give it a moment
        detail = await http.get(shop.url("/conversations/2"), headers=shop.owner.headers)
        if detail.json()["unread_count"] == 0:
            break
        await asyncio.sleep(0.1)
    assert detail.json()["unread_count"] == 0


async def test_reply_with_enter_newline_with_shift_enter_and_a_styled_note(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    customer = await Customer(http, shop).identify(name="Deniz Kaya")
    conversation = await customer.start("Hello, I forgot my password")
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await inbox.open_conversation(1)
    await inbox.composer.click()
    await inbox.composer.press_sequentially("Line one")
    await inbox.composer.press("Shift+Enter")
    await inbox.composer.press_sequentially("Line two")
    await expect(inbox.messages()).to_have_count(1)  # Shift+Enter did not send
    await inbox.composer.press("Enter")
    reply = inbox.message("Line one")
    await expect(reply).to_have_count(1, timeout=TIMEOUT)
    assert await reply.locator(".msg-body").inner_text() == "Line one\nLine two"
    await expect(reply).to_have_class("msg msg-out")
    await expect(inbox.composer).to_have_value("")

    await inbox.choose_note()
    await inbox.type_reply("Refund id R-1182")
    await inbox.composer.press("Enter")
    note = inbox.message("Refund id R-1182")
    await expect(note).to_have_class("msg msg-note", timeout=TIMEOUT)
    await expect(note.locator(".note-tag")).to_be_visible()
    background = await note.evaluate("node => getComputedStyle(node).backgroundColor")
    reply_background = await reply.evaluate("node => getComputedStyle(node).backgroundColor")
    assert background != reply_background

    # What the customer's app gets: the reply with both lines, never the note.
    seen = await http.get(
        shop.public(f"/conversations/{conversation['id']}/messages"), headers=customer.headers
    )
    texts = [m["content"] for m in seen.json()]
    assert "Line one\nLine two" in texts and "Refund id R-1182" not in texts


async def test_live_message_typing_and_read_receipt(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    customer = await Customer(http, shop).identify(name="Deniz Kaya")
    conversation = await customer.start("Is anyone there?")
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await inbox.open_conversation(1)

    await customer.typing(conversation["id"])
    await expect(inbox.typing()).to_have_text("Deniz Kaya is typing…", timeout=TIMEOUT)
    await customer.say(conversation["id"], "Still waiting for my order")
    await expect(inbox.message("Still waiting for my order")).to_have_count(1, timeout=TIMEOUT)
    await expect(inbox.typing()).to_be_hidden()

    await inbox.type_reply("Looking into it now")
    await inbox.composer.press("Enter")
    status = inbox.message("Looking into it now").locator(".msg-status")
    await expect(status).to_have_attribute("data-status", "sent", timeout=TIMEOUT)
    await customer.read(conversation["id"])
    await expect(status).to_have_attribute("data-status", "read", timeout=TIMEOUT)
    await expect(status).to_contain_text("Read")


async def test_html_in_messages_and_names_is_shown_as_text(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    customer = await Customer(http, shop).identify(name="<img src=x onerror=alert(1)>Mallory")
    await customer.start("<script>window.pwned = 1</script><b>bold?</b>")
    page_inbox = await log_in(new_page, live_url, shop.owner.email)
    page = page_inbox.page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await page_inbox.open_conversation(1)
    body = page_inbox.message("window.pwned").locator(".msg-body")
    await expect(body).to_have_text("<script>window.pwned = 1</script><b>bold?</b>")
    assert await body.locator("b, script").count() == 0
    await expect(page_inbox.row(1).locator(".conv-name")).to_have_text("<img src=x onerror=alert(1)>Mallory")
    await expect(page.locator("#contact-pane .contact-name")).to_contain_text(
        "<img src=x onerror=alert(1)>Mallory"
    )
    assert await page.locator("img[src=x]").count() == 0
    assert await page.evaluate("window.pwned") is None
    assert dialogs == []


async def test_nothing_is_lost_or_doubled_across_a_dropped_connection(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    customer = await Customer(http, shop).identify(name="Deniz Kaya")
    conversation = await customer.start("First")
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await inbox.open_conversation(1)
    await inbox.page.evaluate("window.destekRealtime.stopped = true; window.destekRealtime.drop()")
    await expect(inbox.page.locator("#connection")).to_have_attribute("data-state", "reconnecting")
    for text in ("Second", "Third"):
        await customer.say(conversation["id"], text)
    await inbox.page.evaluate("window.destekRealtime.stopped = false; window.destekRealtime.connect()")
    await inbox.wait_live()
    for text in ("Second", "Third"):
        await expect(inbox.message(text)).to_have_count(1, timeout=TIMEOUT)
    await expect(inbox.messages()).to_have_count(3)


async def test_desktop_notification_for_a_new_conversation_while_the_tab_is_hidden(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    page = await new_page()
    # The browser's side of it: a hidden tab, and notifications allowed (recorded, not shown).
    await page.add_init_script(
        """
        window.shown = [];
        window.Notification = class {
            static permission = "granted";
            static requestPermission() { return Promise.resolve("granted"); }
            constructor(title, options) { window.shown.push({title, body: options.body}); }
            close() {}
        };
        Object.defineProperty(document, "hidden", {get: () => window.pretendHidden === true});
        """
    )
    inbox = await (await LoginPage(page, live_url).open("/")).log_in(shop.owner.email)
    await page.locator("#profile-menu summary").click()
    await expect(page.locator("#enable-notifications")).to_have_text("Notifications are on")
    await page.evaluate("window.pretendHidden = true")
    customer = await Customer(http, shop).identify(name="Elif Demir")
    await customer.start("Kartım reddedildi")
    await expect(inbox.rows()).to_have_count(1, timeout=TIMEOUT)
    for _ in range(TIMEOUT // 100):
        if await page.evaluate("window.shown.length"):
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # a second notification (the first message again) would come right after
    shown = await page.evaluate("window.shown")
    # One notification for the new conversation, with who wrote and what.
    assert shown == [{"title": "New conversation #1", "body": "Elif Demir: Kartım reddedildi"}], shown
    await page.evaluate("window.pretendHidden = false")
    await (await Customer(http, shop).identify(name="Can")).start("Visible tab, no notification")
    await expect(inbox.rows()).to_have_count(2, timeout=TIMEOUT)
    assert len(await page.evaluate("window.shown")) == len(shown)
