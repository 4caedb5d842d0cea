"""The widget embedded on a customer's site: who the chat talks to, files sent together, a phone-sized
host page, and a visitor whose browser blocks storage in third-party iframes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import PHONE, NewPage, save_screenshot
from tests.browser.widget_pages import HostPage, HostSite, full_page_chat, host_site
from tests.channels.widget.helpers import png
from tests.support.factories import Tenant


@pytest.fixture
async def site() -> AsyncIterator[HostSite]:
    async with host_site() as found:
        yield found


async def conversations_of(client: httpx.AsyncClient, tenant: Tenant) -> list[dict[str, object]]:
    listing = (await client.get(tenant.url("/conversations"), headers=tenant.agent.headers)).json()
    items: list[dict[str, object]] = listing["items"]
    return items


FRAMES = """<!doctype html><html><head><meta charset="utf-8"><title>Frames</title></head><body>
<script>window.got = [];
addEventListener("message", e => window.got.push({{type: e.data && e.data.type, from: e.source === document
  .getElementById("honest").contentWindow ? "honest" : "lying"}}));</script>
<iframe id="lying" src="{base}/widget/{inbox}?embed=1&origin={lie}"></iframe>
<iframe id="honest" src="{base}/widget/{inbox}?embed=1&origin={own}"></iframe>
</body></html>"""


async def test_the_chat_talks_only_to_the_page_that_really_embeds_it(
    live_url: str, site: HostSite, new_page: NewPage, tenant: Tenant
) -> None:
    page = await new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    # Two frames of the same page: one claims another origin (as a page framing the chat with
    # ?origin=https://evil would, or a stale link), one tells the truth.
    url = site.add(
        FRAMES.format(base=live_url, inbox=tenant.inbox_token, lie="http://127.0.0.1:9", own=site.url)
    )
    await page.goto(url)
    await page.wait_for_function("window.got.some(m => m.type === 'ready' && m.from === 'honest')")
    await page.wait_for_timeout(300)
    assert [m["from"] for m in await page.evaluate("window.got")] == ["honest"]
    # The lying one refuses to post to the claimed origin at all (rather than leaving it to the browser).
    assert any("not talking to the parent page" in line and "127.0.0.1:9" in line for line in console), (
        console
    )
    assert not any("Failed to execute 'postMessage'" in line for line in console), console


async def test_files_chosen_together_start_one_conversation(
    live_url: str, new_page: NewPage, client: httpx.AsyncClient, tenant: Tenant, tmp_path: Path
) -> None:
    page = await new_page()
    chat = await full_page_chat(page, live_url, tenant.inbox_token)
    paths = []
    for i in range(3):
        path = tmp_path / f"photo-{i}.png"
        path.write_bytes(png(30 + i, 20))
        paths.append(str(path))
    await chat.root.locator("#file").set_input_files(paths)
    await chat.send("Üç fotoğraf gönderdim")  # a text racing the uploads: the same new conversation
    await expect(chat.root.locator(".msg.in .files img")).to_have_count(3, timeout=15_000)
    await expect(chat.message("Üç fotoğraf gönderdim")).to_be_visible()
    await expect(chat.root.locator(".pending")).to_have_count(0)
    conversations = await conversations_of(client, tenant)
    assert len(conversations) == 1, conversations
    page_ = (
        await client.get(
            tenant.url(f"/conversations/{conversations[0]['number']}/messages"), headers=tenant.agent.headers
        )
    ).json()
    files = sorted(f["filename"] for m in page_["items"] for f in m["attachments"])
    assert files == ["photo-0.png", "photo-1.png", "photo-2.png"]
    assert "Üç fotoğraf gönderdim" in [m["content"] for m in page_["items"]]
    await expect(chat.root.locator("section.conversation")).to_have_count(1)


async def test_on_a_phone_the_embedded_chat_fills_the_screen(
    live_url: str, site: HostSite, new_page: NewPage, tenant: Tenant
) -> None:
    page = await new_page(viewport=PHONE)
    host = HostPage(page, live_url, tenant.inbox_token)
    await host.open(site)
    await expect(host.launcher).to_be_visible()
    await expect(host.launcher).to_be_in_viewport()
    await save_screenshot(page, "widget-phone-host-page-closed")
    chat = await host.open_chat()
    box = await page.locator(".dstk-box").bounding_box()
    assert box is not None
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, PHONE["width"], PHONE["height"]), box
    await expect(host.launcher).to_be_hidden()  # the chat's own close button takes its place
    await expect(chat.composer).to_be_visible()
    await chat.send("Telefondan yazıyorum " * 10)
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    composer = await chat.composer.bounding_box()  # in the page's coordinates, iframe included
    assert composer is not None and composer["y"] + composer["height"] <= PHONE["height"], composer
    send = await chat.root.locator("#send").bounding_box()
    assert send is not None and send["x"] + send["width"] <= PHONE["width"], send
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    inner = await chat.frame.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert inner[0] <= inner[1] == PHONE["width"], inner
    await save_screenshot(page, "widget-phone-host-page-open")

    await chat.root.locator("#close").click()
    await expect(page.locator(".dstk-box")).to_be_hidden()
    await expect(host.launcher).to_be_visible()
    await expect(host.launcher).to_be_focused()
    await expect(host.launcher).to_have_attribute("aria-expanded", "false")


BLOCK_STORAGE = """if (location.pathname.indexOf("/widget/") === 0) {
  Object.defineProperty(window, "localStorage", {configurable: true, get() {
    throw new DOMException("Access is denied for this document.", "SecurityError");
  }});
}"""


async def test_a_visitor_keeps_the_chat_when_the_iframe_may_not_store_anything(
    live_url: str, site: HostSite, new_page: NewPage, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    page = await new_page()
    # As a browser that blocks all third-party storage: inside the chat's iframe, localStorage throws.
    await page.context.add_init_script(BLOCK_STORAGE)
    host = HostPage(page, live_url, tenant.inbox_token)
    await host.open(site)
    chat = await host.open_chat()
    assert (
        await chat.frame.evaluate(
            "(() => { try { localStorage; return 'open'; } catch (e) { return 'blocked'; } })()"
        )
        == "blocked"
    )
    await chat.send("Sayfayı yenilesem de burada mı?")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    key = f"destek:{tenant.inbox_token}:token"
    await page.wait_for_function(f"!!localStorage.getItem({key!r})")  # kept by the loader, on the shop's site

    await page.reload()
    chat = await host.open_chat()
    await expect(chat.bubbles()).to_have_text(["Sayfayı yenilesem de burada mı?"])
    await chat.send("Evet!")
    await expect(chat.status_of_last_sent).to_have_text("Sent")
    conversations = await conversations_of(client, tenant)
    assert len(conversations) == 1, conversations  # the same visitor, the same conversation
