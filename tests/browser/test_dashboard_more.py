"""The dashboard's composer extras, merging, languages and screen sizes, in a real browser."""

from __future__ import annotations

import base64
import struct
import zlib

import httpx
from playwright.async_api import expect

from tests.browser.conftest import DESKTOP, LOADED_WIDTH, PHONE, NewPage, save_screenshot
from tests.browser.dashboard_pages import TIMEOUT, Customer, log_in
from tests.support.factories import Tenant


def png(width: int = 40, height: int = 30) -> bytes:
    """A real (tiny, blue) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x1d\x4e\xd8" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def test_canned_response_with_slash_fills_in_the_contact(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    created = await http.post(
        shop.url("/canned_responses"),
        json={
            "short_code": "refund",
            "title": "Refund sent",
            "content": "Hi {{contact.name}}, your refund is on its way.",
        },
        headers=shop.owner.headers,
    )
    assert created.status_code == 201, created.text
    await (await Customer(http, shop).identify(name="Deniz Kaya")).start("Where is my money?")
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await inbox.open_conversation(1)
    await inbox.type_reply("/ref")
    menu = inbox.page.locator("#canned-menu")
    await expect(menu).to_be_visible(timeout=TIMEOUT)
    await expect(menu.locator(".canned-item").first).to_contain_text("Refund sent")
    await inbox.composer.press("Enter")  # picks the response, does not send
    await expect(inbox.composer).to_have_value("Hi Deniz Kaya, your refund is on its way.")
    await expect(menu).to_be_hidden()
    await inbox.composer.press("Enter")  # now sends
    await expect(inbox.message("your refund is on its way")).to_have_count(1, timeout=TIMEOUT)


async def test_pasted_screenshot_is_uploaded_sent_and_opens_full_size(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    await (await Customer(http, shop).identify(name="Deniz Kaya")).start("The app shows an error")
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await inbox.open_conversation(1)
    await inbox.composer.click()
    data = base64.b64encode(png()).decode()
    await inbox.page.evaluate(
        """data => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "screenshot.png", {type: "image/png"}));
            const init = {clipboardData: transfer, bubbles: true, cancelable: true};
            document.getElementById("composer-text").dispatchEvent(new ClipboardEvent("paste", init));
        }""",
        data,
    )
    pending = inbox.page.locator("#pending-files .pending-file")
    await expect(pending).to_contain_text("screenshot.png", timeout=TIMEOUT)
    await expect(pending).not_to_have_class("pending-file uploading", timeout=TIMEOUT)
    await inbox.type_reply("Here is what I see")
    await inbox.composer.press("Enter")
    message = inbox.message("Here is what I see")
    image = message.locator(".thumb img")
    await expect(image).to_be_visible(timeout=TIMEOUT)
    assert await image.evaluate(LOADED_WIDTH) == 40
    await expect(pending).to_have_count(0)
    await message.locator(".thumb").click()
    await expect(inbox.page.locator("#lightbox")).to_be_visible()
    await expect(inbox.page.locator("#lightbox-img")).to_have_attribute("alt", "screenshot.png")
    await inbox.page.keyboard.press("Escape")
    await expect(inbox.page.locator("#lightbox")).to_be_hidden()


async def test_merge_into_another_conversation_of_the_contact(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    customer = await Customer(http, shop).identify(name="Deniz Kaya", identifier="u-1")
    await customer.start("My order is late")
    await customer.start("Also: the order is late")
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await inbox.open_conversation(2)
    await inbox.page.locator("#merge-button").click()
    dialog = inbox.page.locator("#merge-dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog.locator("#merge-target option")).to_have_count(1)
    await dialog.locator("#merge-confirm").click()
    await expect(dialog).to_be_hidden(timeout=TIMEOUT)
    await expect(inbox.page.locator("#conv-number")).to_have_text("#1", timeout=TIMEOUT)
    await expect(inbox.message("Also: the order is late")).to_have_count(1, timeout=TIMEOUT)
    source = (await http.get(shop.url("/conversations/2"), headers=shop.owner.headers)).json()
    assert source["status"] == "resolved" and source["merged_into_id"] is not None


async def test_turkish_for_an_agent_who_chose_it_and_for_a_turkish_browser(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    await (await Customer(http, shop).identify(name="Deniz Kaya")).start("Merhaba")
    inbox = await log_in(new_page, live_url, shop.agent.email)
    await inbox.page.locator("#profile-menu summary").click()
    await inbox.page.locator('[data-set-locale="tr"]').click()
    await expect(inbox.page.locator("html")).to_have_attribute("lang", "tr", timeout=TIMEOUT)
    await inbox.wait_live()
    await expect(inbox.page.locator('.view-link[data-view="unassigned"]')).to_contain_text("Atanmamış")
    await expect(inbox.page.locator("#connection")).to_have_text("Canlı")
    await inbox.open_conversation(1)
    await expect(inbox.page.get_by_test_id("resolve")).to_have_text("Çöz")
    await expect(inbox.page.locator(".day-separator").first).to_have_text("Bugün")

    # Someone with a Turkish browser and no choice of their own gets Turkish too.
    other = await log_in(new_page, live_url, shop.owner.email, locale="tr-TR")
    await expect(other.page.locator("html")).to_have_attribute("lang", "tr")
    await expect(other.page.locator("#search")).to_have_attribute(
        "placeholder", "Ad, e-posta, mesaj veya #12 ara"
    )
    page = await new_page(locale="tr-TR")
    await page.goto(f"{live_url}/login")
    await expect(page.locator("#login-form button[type=submit]")).to_have_text("Giriş yap")


async def test_desktop_layout_shows_everything_without_overflow(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    await (await Customer(http, shop).identify(name="Deniz Kaya", email="deniz@example.com")).start(
        "A very long message " * 30
    )
    inbox = await log_in(new_page, live_url, shop.owner.email, viewport=DESKTOP)
    await inbox.open_conversation(1)
    for selector in (
        "#sidenav",
        "#conversation-list",
        "#messages",
        "#composer-text",
        "#send-button",
        "#contact-pane",
    ):
        await expect(inbox.page.locator(selector)).to_be_visible()
    await expect(inbox.page.locator("#contact-pane")).to_contain_text("deniz@example.com", timeout=TIMEOUT)
    await inbox.no_horizontal_overflow()
    await save_screenshot(inbox.page, "dashboard-desktop-1280x800")


async def test_phone_layout_list_and_conversation_are_separate_screens(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    await (await Customer(http, shop).identify(name="Deniz Kaya")).start("Kartım reddedildi " * 10)
    inbox = await log_in(new_page, live_url, shop.owner.email, viewport=PHONE)
    page = inbox.page
    await expect(inbox.rows()).to_have_count(1)
    await expect(page.locator("#conv-pane")).to_be_hidden()
    await expect(page.locator("#sidenav")).not_to_be_in_viewport()
    await inbox.no_horizontal_overflow()
    await save_screenshot(page, "dashboard-phone-390x844-list")
    await page.locator("#nav-toggle").click()
    await expect(page.locator("#sidenav")).to_be_in_viewport()
    await page.locator('.view-link[data-view="all"]').click()
    await expect(page.locator("#sidenav")).not_to_be_in_viewport()

    await inbox.open_conversation(1)
    await expect(page.locator("#list-pane")).to_be_hidden()
    for selector in ("#messages", "#composer-text", "#send-button", "#back-to-list", "#resolve-button"):
        await expect(page.locator(selector)).to_be_in_viewport()
    await inbox.no_horizontal_overflow()
    await save_screenshot(page, "dashboard-phone-390x844-conversation")
    await inbox.type_reply("Kontrol ediyorum")
    await inbox.composer.press("Enter")
    await expect(inbox.message("Kontrol ediyorum")).to_be_visible(timeout=TIMEOUT)
    await page.locator("#contact-toggle").click()
    await expect(page.locator("#contact-pane .contact-name")).to_be_in_viewport()
    await page.locator("#contact-pane [data-close-contact]").click()
    await page.locator("#back-to-list").click()
    await expect(inbox.rows()).to_have_count(1)
    await expect(page.locator("#conv-pane")).to_be_hidden()


async def test_snooze_until_quick_replies_and_drafts(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    await (await Customer(http, shop).identify(name="Ada")).start("Question one")
    await (await Customer(http, shop).identify(name="Bora")).start("Question two")
    offered = await http.post(
        shop.url("/conversations/1/messages"),
        json={"content": "Which one?", "quick_replies": [{"title": "Payment", "value": "payment"}]},
        headers=shop.agent.headers,
    )
    assert offered.status_code == 201, offered.text
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await inbox.open_conversation(1)
    await expect(inbox.message("Which one?").locator(".quick-reply")).to_have_text("Payment")

    # A draft stays with its conversation.
    await inbox.type_reply("Half-written answer")
    await inbox.open_conversation(2)
    await expect(inbox.composer).to_have_value("")
    await inbox.open_conversation(1)
    await expect(inbox.composer).to_have_value("Half-written answer")

    await inbox.page.get_by_test_id("status").select_option("snoozed")
    await expect(inbox.header_badges()).to_contain_text("Snoozed", timeout=TIMEOUT)
    until = inbox.page.get_by_test_id("snooze-until")
    await expect(until).to_be_visible()
    await until.fill("2031-05-04T10:30")
    await until.dispatch_event("change")
    await expect(inbox.header_badges()).to_contain_text("2031", timeout=TIMEOUT)
    body = (await http.get(shop.url("/conversations/1"), headers=shop.owner.headers)).json()
    assert body["status"] == "snoozed" and body["snoozed_until"].startswith("2031-05-0")
    await expect(inbox.nav_count("status:snoozed")).to_have_text("1", timeout=TIMEOUT)
