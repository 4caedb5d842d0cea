"""The chat widget in a real browser, as a customer sees it, with agents answering through the API."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import WebSocketRoute, expect

from destek.demo import load_demo
from destek.security import identity_hash
from destek.state import AppState
from tests.browser.conftest import LOADED_WIDTH, PHONE, NewPage, save_screenshot
from tests.browser.widget_pages import HostPage, HostSite, full_page_chat, host_site
from tests.channels.widget.helpers import png, set_identity_verification
from tests.sla.helpers import TR_DAYS, away_until_tomorrow_nine
from tests.support.factories import Tenant
from tests.support.server import subscribe


@pytest.fixture
async def site() -> AsyncIterator[HostSite]:
    async with host_site() as found:
        yield found


async def only_conversation(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    listing = (await client.get(tenant.url("/conversations"), headers=tenant.agent.headers)).json()
    assert len(listing["items"]) == 1, listing
    conversation: dict[str, Any] = listing["items"][0]
    return conversation


async def agent_reply(client: httpx.AsyncClient, tenant: Tenant, number: int, **body: Any) -> None:
    response = await client.post(
        tenant.url(f"/conversations/{number}/messages"), json=body, headers=tenant.agent.headers
    )
    assert response.status_code == 201, response.text


async def messages_of(client: httpx.AsyncClient, tenant: Tenant, number: int) -> list[str]:
    page = (
        await client.get(tenant.url(f"/conversations/{number}/messages"), headers=tenant.agent.headers)
    ).json()
    return [m["content"] for m in page["items"]]


async def test_a_customer_chats_from_a_web_site(
    live_url: str, site: HostSite, new_page: NewPage, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    page = await new_page()
    host = HostPage(page, live_url, tenant.inbox_token)
    await host.open(site)
    await expect(host.launcher).to_be_visible()
    assert await host.launcher.get_attribute("aria-expanded") == "false"
    chat = await host.open_chat()
    assert await host.launcher.get_attribute("aria-expanded") == "true"

    await chat.send("Merhaba, siparişim nerede?")
    await expect(chat.message("Merhaba, siparişim nerede?")).to_be_visible()
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    conversation = await only_conversation(client, tenant)

    # The agent answers: it appears live, and the host page hears of it.
    await agent_reply(client, tenant, conversation["number"], content="Kargoda, yarın elinizde.")
    await expect(chat.bubbles("out")).to_have_text(["Kargoda, yarın elinizde."])
    await page.wait_for_function("window.seen.some(m => m.content === 'Kargoda, yarın elinizde.')")

    # The agent reads the conversation: the customer sees "Read".
    read = await client.post(
        tenant.url(f"/conversations/{conversation['number']}/read"), headers=tenant.agent.headers
    )
    assert read.status_code == 200, read.text
    await expect(chat.status_of_last_sent).to_have_text("Read")

    # A pasted screenshot is uploaded and sent as an image.
    await chat.paste_png(png(40, 30))
    image = chat.root.locator(".msg.in .files img")
    await expect(image).to_be_visible()
    await expect(image).to_have_attribute("alt", "screenshot.png")
    assert await image.evaluate(LOADED_WIDTH) == 40

    # Closed, a new answer shows an unread badge on the launcher.
    await host.launcher.click()
    await agent_reply(client, tenant, conversation["number"], content="Başka bir sorunuz var mı?")
    await expect(host.badge).to_have_text("1")
    await host.launcher.click()
    await expect(host.badge).to_be_hidden()

    # A reload shows the whole history once, in order.
    await page.reload()
    chat = await host.open_chat()
    await expect(chat.bubbles()).to_have_text(
        ["Merhaba, siparişim nerede?", "Kargoda, yarın elinizde.", "Başka bir sorunuz var mı?"]
    )
    await expect(chat.root.locator(".msg.in .files img")).to_have_count(1)
    assert await messages_of(client, tenant, conversation["number"]) == [
        "Merhaba, siparişim nerede?",
        "Kargoda, yarın elinizde.",
        "",
        "Başka bir sorunuz var mı?",
    ]


async def test_messages_written_offline_arrive_once_after_reconnecting(
    live_url: str, new_page: NewPage, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    page = await new_page()
    sockets: list[WebSocketRoute] = []

    def through(ws: WebSocketRoute) -> None:  # every socket passes to the server; the test may cut one
        ws.connect_to_server()
        sockets.append(ws)

    await page.route_web_socket(re.compile(r".*/api/v1/public/ws$"), through)
    chat = await full_page_chat(page, live_url, tenant.inbox_token)
    await chat.send("İlk mesaj")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    conversation = await only_conversation(client, tenant)

    await page.context.set_offline(True)
    await chat.send("Çevrimdışı 1")
    await chat.send("Çevrimdışı 2")
    await expect(chat.root.locator(".msg.pending .meta")).to_have_text(
        ["Waiting for connection…", "Waiting for connection…"]
    )
    # Meanwhile an agent answers; the customer gets it after reconnecting (resumed from the last seq).
    await agent_reply(client, tenant, conversation["number"], content="Buradayız")
    await page.context.set_offline(False)
    # In the server's order: the agent's answer was stored before the retried messages arrived.
    in_order = ["İlk mesaj", "Buradayız", "Çevrimdışı 1", "Çevrimdışı 2"]
    await expect(chat.bubbles()).to_have_text(in_order)
    await expect(chat.root.locator(".msg.pending")).to_have_count(0)
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    assert await messages_of(client, tenant, conversation["number"]) == in_order
    # The socket drops; an answer written before the widget reconnects arrives once, by the resumed cursor.
    opened = len(sockets)
    await sockets[-1].close(code=1001, reason="network change")
    await agent_reply(client, tenant, conversation["number"], content="Bağlantı geri geldi")
    await expect(chat.bubbles("out")).to_have_text(["Buradayız", "Bağlantı geri geldi"])
    assert len(sockets) == opened + 1
    await page.reload()
    await expect(chat.bubbles()).to_have_text([*in_order, "Bağlantı geri geldi"])


async def test_identity_verification_refuses_a_wrong_hash_and_links_the_right_one(
    live_url: str,
    site: HostSite,
    new_page: NewPage,
    client: httpx.AsyncClient,
    state: AppState,
    tenant: Tenant,
) -> None:
    await set_identity_verification(state, tenant, True)
    right = identity_hash(tenant.inbox_secret, "user-77")
    known = await client.post(
        tenant.public("/contacts"), json={"identifier": "user-77", "identifier_hash": right, "name": "Zeynep"}
    )
    assert known.status_code == 201
    contact_id = known.json()["contact"]["id"]

    page = await new_page()
    host = HostPage(page, live_url, tenant.inbox_token)
    await host.open(site, HostPage.set_user({"id": "user-77", "name": "Zeynep", "hash": "0" * 64}))
    chat = await host.open_chat()
    await expect(chat.refusal).to_contain_text("could not verify your account")
    await expect(chat.composer).to_be_hidden()

    other = await new_page()
    host = HostPage(other, live_url, tenant.inbox_token)
    await host.open(site, HostPage.set_user({"id": "user-77", "name": "Zeynep", "hash": right}))
    chat = await host.open_chat()
    await expect(chat.refusal).to_be_hidden()
    await chat.send("Doğrulanmış kullanıcıyım")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    conversation = await only_conversation(client, tenant)
    assert conversation["contact_id"] == contact_id


async def test_notes_never_show_and_html_is_shown_as_text(
    live_url: str, new_page: NewPage, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    page = await new_page()
    chat = await full_page_chat(page, live_url, tenant.inbox_token)
    await chat.send("<img src=x onerror=window.pwned=1> merhaba")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    conversation = await only_conversation(client, tenant)
    await agent_reply(client, tenant, conversation["number"], content="Gizli not: VIP müşteri", private=True)
    html = "<script>window.pwned=2</script><b>kalın</b>"
    await agent_reply(client, tenant, conversation["number"], content=html)
    await expect(chat.bubbles("out")).to_have_text([html])
    await page.reload()
    await expect(chat.bubbles()).to_have_text(["<img src=x onerror=window.pwned=1> merhaba", html])
    assert "VIP" not in await page.content()
    assert await page.evaluate("window.pwned") is None
    assert await chat.log.locator("b, script, img").count() == 0


async def test_live_updates_keep_the_bubbles_and_animate_only_new_ones(
    live_url: str, new_page: NewPage, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """Each message keeps one node from its optimistic bubble on: updates change parts of it, never
    rebuild the log, and the entry animation plays once per bubble."""
    page = await new_page()
    chat = await full_page_chat(page, live_url, tenant.inbox_token)
    await page.evaluate(
        """() => {
        window.removedRows = [];
        new MutationObserver(list => list.forEach(m => m.removedNodes.forEach(n => {
            if (n.classList && n.classList.contains("msg")) window.removedRows.push(n);
        }))).observe(document.getElementById("items"), {childList: true, subtree: true});
        document.getElementById("items").addEventListener("animationstart", ev => {
            ev.target.starts = (ev.target.starts || 0) + 1;
        });
    }"""
    )
    await chat.send("Where is my parcel?")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    number = (await only_conversation(client, tenant))["number"]
    await agent_reply(client, tenant, number, content="Tracking number TR-99812")
    await expect(chat.bubbles("out")).to_have_count(1)
    read = await client.post(tenant.url(f"/conversations/{number}/read"), headers=tenant.agent.headers)
    assert read.status_code == 200, read.text
    await expect(chat.status_of_last_sent).to_have_text("Read")
    quick = [{"title": "Yes", "value": "yes"}, {"title": "No", "value": "no"}]
    await agent_reply(client, tenant, number, content="Anything else?", quick_replies=quick)
    await chat.quick_reply("No")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    await expect(chat.root.locator(".quick button").first).to_be_disabled()

    rows = chat.root.locator(".msg")
    await expect(rows).to_have_count(4)
    await expect(chat.root.locator(".msg.pending")).to_have_count(0)
    # The first bubble moves into the conversation the server started for it: moved, not rebuilt.
    assert await page.evaluate("window.removedRows.filter(n => !n.isConnected).length") == 0
    starts = await rows.evaluate_all("rows => rows.map(r => r.starts || 0)")
    assert starts[0] <= 1 and starts[1:] == [1, 1, 1], starts


async def test_the_chat_speaks_turkish(
    live_url: str, new_page: NewPage, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    page = await new_page(locale="tr-TR")
    chat = await full_page_chat(page, live_url, tenant.inbox_token, "?locale=tr")
    await expect(chat.composer).to_have_attribute("placeholder", "Mesaj yazın…")
    await expect(page.locator("#send")).to_have_attribute("aria-label", "Gönder")
    await expect(chat.root.locator(".greeting")).to_have_text("Merhaba! Size nasıl yardımcı olabiliriz?")
    await chat.send("Merhaba")
    await expect(chat.status_of_last_sent).to_have_text("Gönderildi")
    conversation = await only_conversation(client, tenant)
    await client.post(
        tenant.url(f"/conversations/{conversation['number']}/read"), headers=tenant.agent.headers
    )
    await expect(chat.status_of_last_sent).to_have_text("Okundu")


async def test_out_of_hours_the_chat_says_when_the_team_is_back(
    live_url: str, new_page: NewPage, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    opens = await away_until_tomorrow_nine(client, tenant)
    page = await new_page(viewport=PHONE, locale="tr-TR", timezone_id="Europe/Istanbul")
    chat = await full_page_chat(page, live_url, tenant.inbox_token, "?locale=tr")
    name = TR_DAYS[opens.weekday()]
    await expect(page.locator("#notice")).to_have_text(
        f"Şu an çevrim dışıyız. {name} 09:00 tekrar buradayız."
    )
    await expect(chat.composer).to_be_enabled()  # a message can still be left
    await save_screenshot(page, "widget-out-of-hours-tr")
    english = await new_page(viewport=PHONE, timezone_id="America/New_York")  # the customer abroad
    await full_page_chat(english, live_url, tenant.inbox_token, "?locale=en")
    abroad = opens.astimezone(ZoneInfo("America/New_York"))
    when = f"{abroad:%A} {abroad:%I:%M %p}"  # Intl: "Tuesday 01:00 AM"
    await expect(english.locator("#notice")).to_have_text(f"We are away now. We are back {when}.")


async def test_the_phone_layout_fits(live_url: str, new_page: NewPage, tenant: Tenant) -> None:
    page = await new_page(viewport=PHONE)
    chat = await full_page_chat(page, live_url, tenant.inbox_token)
    await chat.send("x" * 300)  # one unbroken word must wrap, not widen the page
    await chat.send("Uzun bir mesaj " * 30)
    await expect(chat.bubbles()).to_have_count(2)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"horizontal overflow: {width}px"
    box = await chat.composer.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]
    await expect(chat.composer).to_be_in_viewport()
    send = await page.locator("#send").bounding_box()
    assert send is not None and send["x"] + send["width"] <= PHONE["width"]
    await save_screenshot(page, "widget-phone-full-page")


async def test_a_resolved_conversation_is_rated_and_a_new_one_started(
    live_url: str, new_page: NewPage, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    page = await new_page()
    chat = await full_page_chat(page, live_url, tenant.inbox_token)
    await chat.send("Şifremi unuttum")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    conversation = await only_conversation(client, tenant)
    number = conversation["number"]
    resolved = await client.post(
        tenant.url(f"/conversations/{number}/status"),
        json={"status": "resolved"},
        headers=tenant.agent.headers,
    )
    assert resolved.status_code == 200
    await expect(chat.root.locator(".divider", has_text="resolved")).to_be_visible()
    await chat.rate(4, "Hızlı çözüldü")
    await expect(chat.root.locator(".rating .thanks")).to_contain_text("★★★★☆")
    rating = (
        await client.get(tenant.url(f"/conversations/{number}/rating"), headers=tenant.agent.headers)
    ).json()
    assert (rating["score"], rating["comment"]) == (4, "Hızlı çözüldü")

    await chat.root.locator("button", has_text="Start a new conversation").click()
    await chat.send("Yeni bir sorum var")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    listing = (
        await client.get(
            tenant.url("/conversations?status=open&status=resolved"), headers=tenant.agent.headers
        )
    ).json()
    assert [c["status"] for c in listing["items"]] == ["open", "resolved"]
    assert await messages_of(client, tenant, listing["items"][0]["number"]) == ["Yeni bir sorum var"]


async def test_quick_replies_typing_and_pre_chat(
    live_url: str, new_page: NewPage, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    settings = {"pre_chat_fields": [{"field": "name"}, {"field": "email", "required": True}]}
    patched = await client.patch(
        tenant.url(f"/inboxes/{tenant.inbox_id}"), json={"settings": settings}, headers=tenant.owner.headers
    )
    assert patched.status_code == 200
    page = await new_page()
    chat = await full_page_chat(page, live_url, tenant.inbox_token)
    await expect(page.locator("#prechat-email")).to_be_visible()
    await chat.try_send("Siparişim gelmedi")
    await expect(page.locator("#prechat-error")).to_have_text("Please tell us your email.")
    assert await chat.bubbles().count() == 0
    await page.locator("#prechat-name").fill("Deniz")
    await page.locator("#prechat-email").fill("deniz@example.com")
    await chat.composer.press("Enter")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    await expect(page.locator("#prechat")).to_be_hidden()
    conversation = await only_conversation(client, tenant)
    contact = (
        await client.get(tenant.url(f"/contacts/{conversation['contact_id']}"), headers=tenant.owner.headers)
    ).json()
    assert (contact["name"], contact["email"]) == ("Deniz", "deniz@example.com")

    number = conversation["number"]
    # The customer types: the agents see it (an ephemeral signal on their socket).
    agent, _ = await subscribe(
        live_url, "/ws", {"type": "subscribe", "account_id": tenant.account_id, "token": tenant.agent.token}
    )
    try:
        await chat.composer.type("Bir de")
        signal = await agent.recv_type("typing")
        assert (signal["sender"]["type"], signal["sender"]["name"], signal["typing"]) == (
            "contact",
            "Deniz",
            True,
        )
    finally:
        await agent.close()
    await chat.composer.fill("")
    typing = await client.post(
        tenant.url(f"/conversations/{number}/typing"), json={"typing": True}, headers=tenant.agent.headers
    )
    assert typing.status_code == 204
    await expect(chat.typing).to_contain_text("is typing…")
    quick = [{"title": "Siparişim", "value": "order"}, {"title": "Ödeme", "value": "payment"}]
    await agent_reply(client, tenant, number, content="Konu nedir?", quick_replies=quick)
    await expect(chat.typing).to_be_hidden()
    await chat.quick_reply("Ödeme")
    await expect(chat.bubbles("in").last).to_have_text("Ödeme")
    await expect(chat.root.locator(".quick button").first).to_be_disabled()
    assert (await messages_of(client, tenant, number))[-1] == "Ödeme"


async def test_the_demo_page_shows_the_widget_for_its_signed_in_user(
    live_url: str, new_page: NewPage, state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state.settings, "demo", True)  # as `destek demo` runs it
    info = await load_demo(state)
    page = await new_page()
    await page.goto(f"{live_url}/widget/demo")
    await expect(page.locator("#demo-note")).to_contain_text("demo")
    host = HostPage(page, live_url, info.inbox_public_token)
    chat = await host.open_chat()
    # The demo user is one of the café's customers, verified by the hash the server computed: the chat
    # opens on their earlier conversation rather than refusing them.
    await expect(chat.refusal).to_be_hidden()
    await expect(chat.bubbles().first).to_be_visible()
    await chat.send("Demo sayfasından merhaba")
    # Zeynep's language is Turkish: without a language set by the page, the chat speaks hers.
    await expect(chat.status_of_last_sent).to_have_text("Gönderildi")
    await expect(chat.composer).to_have_attribute("placeholder", "Mesaj yazın…")


async def test_the_host_page_sets_the_language_before_the_loader_arrives(
    live_url: str, site: HostSite, new_page: NewPage, tenant: Tenant
) -> None:
    page = await new_page()
    host = HostPage(page, live_url, tenant.inbox_token)
    await host.open(site, 'Destek("setLocale", "tr");')
    chat = await host.open_chat()
    await expect(chat.composer).to_have_attribute("placeholder", "Mesaj yazın…")
    await expect(host.launcher).to_have_attribute("aria-label", "Sohbeti kapat")
    await page.keyboard.press("Escape")  # from inside the chat: closes it and gives focus back
    await expect(host.launcher).to_have_attribute("aria-expanded", "false")
    await expect(host.launcher).to_be_focused()
    await expect(host.launcher).to_have_attribute("aria-label", "Sohbeti aç")


async def test_a_site_outside_the_allowed_domains_gets_no_chat(
    live_url: str, site: HostSite, new_page: NewPage, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    patched = await client.patch(
        tenant.url(f"/inboxes/{tenant.inbox_id}"),
        json={"settings": {"allowed_domains": ["shop.example.com"]}},
        headers=tenant.owner.headers,
    )
    assert patched.status_code == 200
    page = await new_page()
    host = HostPage(page, live_url, tenant.inbox_token)
    await host.open(site)
    await expect(page.locator("body")).to_contain_text("Our products.")
    await page.wait_for_timeout(500)
    await expect(host.launcher).to_have_count(0)
    assert any("403" in line for line in host.console), host.console
    # Framed anyway by hand, the browser refuses to show it (frame-ancestors).
    await page.evaluate(
        "url => { const f = document.createElement('iframe'); f.src = url; document.body.appendChild(f); }",
        f"{live_url}/widget/{tenant.inbox_token}?embed=1",
    )
    await page.wait_for_timeout(500)
    await expect(page.frame_locator("iframe").locator("#text")).to_have_count(0)


async def test_a_chosen_file_uploads_with_progress(
    live_url: str, new_page: NewPage, client: httpx.AsyncClient, tenant: Tenant, tmp_path: Path
) -> None:
    page = await new_page()
    chat = await full_page_chat(page, live_url, tenant.inbox_token)
    photo = tmp_path / "fatura.png"
    photo.write_bytes(png(160, 160, noise=True))  # ~75 KB: takes a moment on a slow line
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": 500_000, "uploadThroughput": 40_000},
    )
    await chat.attach(str(photo))
    progress = chat.root.locator(".upload progress")
    await expect(progress).to_be_visible()
    await expect(progress).to_have_attribute("aria-label", "Uploading fatura.png")
    await page.wait_for_function("document.querySelector('.upload progress')?.value > 0", timeout=10_000)
    await expect(chat.root.locator(".msg.in .files img")).to_have_attribute(
        "alt", "fatura.png", timeout=15_000
    )
    await expect(chat.root.locator(".upload")).to_have_count(0)
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    conversation = await only_conversation(client, tenant)
    page_ = (
        await client.get(
            tenant.url(f"/conversations/{conversation['number']}/messages"), headers=tenant.agent.headers
        )
    ).json()
    assert [f["filename"] for m in page_["items"] for f in m["attachments"]] == ["fatura.png"]


async def test_an_app_webview_gets_events_through_its_bridge(
    live_url: str, new_page: NewPage, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    page = await new_page()
    # As react-native-webview does: a window.ReactNativeWebView.postMessage(string) before the page runs.
    await page.add_init_script(
        "window.got = []; window.ReactNativeWebView = {postMessage: m => window.got.push(m)};"
    )
    query = (
        "?user_id=app-user-9&name=Mert&locale=tr&platform=android&app_version=5.0.1&attr.plan=gold&close=1"
    )
    chat = await full_page_chat(page, live_url, tenant.inbox_token, query)
    await page.wait_for_function("window.got.some(m => JSON.parse(m).type === 'ready')")
    await chat.send("Uygulamadan yazıyorum")
    await expect(chat.status_of_last_sent).to_have_text("Gönderildi")
    conversation = await only_conversation(client, tenant)
    contact = (
        await client.get(tenant.url(f"/contacts/{conversation['contact_id']}"), headers=tenant.owner.headers)
    ).json()
    assert (contact["identifier"], contact["name"], contact["locale"]) == ("app-user-9", "Mert", "tr")
    assert contact["device"]["platform"] == "android" and contact["device"]["app_version"] == "5.0.1"
    assert contact["attributes"] == {"plan": "gold"}

    await agent_reply(client, tenant, conversation["number"], content="Merhaba Mert")
    await page.wait_for_function(
        "window.got.map(m => JSON.parse(m))"
        ".some(m => m.type === 'message' && m.message.content === 'Merhaba Mert')"
    )
    # The app changes the language by injecting JavaScript.
    await page.evaluate('DestekChat.setLocale("en")')
    await expect(chat.composer).to_have_attribute("placeholder", "Write a message…")
    await page.locator("#close").click()
    await page.wait_for_function("window.got.some(m => JSON.parse(m).type === 'close')")


async def test_help_articles_answer_before_writing(
    live_url: str, new_page: NewPage, state: AppState, tenant: Tenant
) -> None:
    from tests.helpcenter.helpers import PASSWORD_EN, QR_MENU_EN, make_article

    await make_article(state, tenant, {"en": PASSWORD_EN})
    await make_article(state, tenant, {"en": QR_MENU_EN})
    page = await new_page()
    chat = await full_page_chat(page, live_url, tenant.inbox_token, "?locale=en")
    toggle = page.locator("#faq-toggle")
    await expect(toggle).to_be_visible()
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    await expect(page.locator("#faq-q")).to_be_focused()
    await page.locator("#faq-q").fill("password")
    first = page.locator("#faq-results a").first
    await expect(first).to_have_text("I forgot my password")
    assert (await first.get_attribute("href") or "").startswith("http")
    await page.locator("#faq-q").fill("zzzz qqqq")
    await expect(page.locator("#faq-empty")).to_be_visible()
    await page.locator("#faq-q").press("Escape")
    await expect(page.locator("#faq")).to_be_hidden()
    await expect(chat.composer).to_be_visible()


async def test_without_help_articles_there_is_no_help_button(
    live_url: str, new_page: NewPage, tenant: Tenant
) -> None:
    page = await new_page()
    async with page.expect_response(lambda response: "/articles" in response.url) as asked:
        await full_page_chat(page, live_url, tenant.inbox_token)
    assert (await (await asked.value).json()) == []
    await page.wait_for_timeout(100)
    await expect(page.locator("#faq-toggle")).to_be_hidden()


async def test_logging_out_clears_the_chat(
    live_url: str, site: HostSite, new_page: NewPage, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    page = await new_page()
    host = HostPage(page, live_url, tenant.inbox_token)
    await host.open(site, HostPage.set_user({"id": "user-5", "name": "Can"}))
    chat = await host.open_chat()
    await chat.send("Hesabımla ilgili bir soru")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    await page.evaluate("Destek.logout()")
    await expect(chat.bubbles()).to_have_count(0)
    await chat.send("Ben başka biriyim")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    await expect(chat.bubbles()).to_have_text(["Ben başka biriyim"])
    listing = (await client.get(tenant.url("/conversations"), headers=tenant.agent.headers)).json()
    contacts = {c["contact"]["name"]: c["contact_id"] for c in listing["items"]}
    assert len(listing["items"]) == 2 and len(set(contacts.values())) == 2 and "Can" in contacts
