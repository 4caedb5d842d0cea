"""Page objects for the chat widget: a customer's web site with the embed snippet (a host page on
another origin), and the chat itself (in the iframe, or full page as in an app's WebView)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from playwright.async_api import Frame, FrameLocator, Locator, Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.support.server import free_port

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Shop</h1><p>Our products.</p>
<script>window.Destek=window.Destek||function(){{(Destek.q=Destek.q||[]).push(arguments)}};</script>
<script>window.seen=[];Destek("on","message",function(m){{window.seen.push(m)}});
Destek("on","unread",function(u){{window.unread=u.count}});{setup}</script>
<script src="{base}/widget.js" data-inbox="{inbox}" async></script>
</body></html>"""


class Chat:
    """The chat window, wherever it lives (a FrameLocator for the iframe, a Page for the full page)."""

    def __init__(self, root: FrameLocator | Page, frame: Frame | Page) -> None:
        self.root = root
        self.frame = frame  # for evaluate()

    @property
    def composer(self) -> Locator:
        return self.root.locator("#text")

    @property
    def log(self) -> Locator:
        return self.root.locator("#items")

    def bubbles(self, direction: str | None = None) -> Locator:
        return self.root.locator(f".msg.{direction} .bubble" if direction else ".msg .bubble")

    def message(self, text: str) -> Locator:
        return self.root.locator(".msg").filter(has=self.root.locator(".bubble", has_text=text))

    @property
    def status_of_last_sent(self) -> Locator:
        return self.root.locator(".msg.in .meta").last

    @property
    def refusal(self) -> Locator:
        return self.root.locator("#refusal")

    @property
    def typing(self) -> Locator:
        return self.root.locator("#typing")

    async def send(self, text: str) -> None:
        """Type and send; returns once the customer sees the new bubble (so `status_of_last_sent` is its
        status, not the previous message's)."""
        before = await self.message(text).count()
        await self.try_send(text)
        await expect(self.message(text)).to_have_count(before + 1)

    async def try_send(self, text: str) -> None:
        """Type and press Enter, whether or not the chat lets it through (e.g. a pre-chat form)."""
        await self.composer.fill(text)
        await self.composer.press("Enter")

    async def paste_png(self, data: bytes, name: str = "screenshot.png") -> None:
        """A synthetic paste of a real PNG, as a screenshot pasted from the clipboard."""
        await self.composer.focus()
        await self.frame.evaluate(
            """([bytes, name]) => {
                const file = new File([new Uint8Array(bytes)], name, {type: "image/png"});
                const data = new DataTransfer();
                data.items.add(file);
                const options = {clipboardData: data, bubbles: true, cancelable: true};
                document.getElementById("text").dispatchEvent(new ClipboardEvent("paste", options));
            }""",
            [list(data), name],
        )

    async def attach(self, path: str) -> None:
        await self.root.locator("#file").set_input_files(path)

    async def quick_reply(self, title: str) -> None:
        await self.root.locator(".quick button", has_text=title).click()

    async def rate(self, score: int, comment: str = "") -> None:
        await self.root.locator(f'.rating [data-score="{score}"]').click()
        if comment:
            await self.root.locator(".rating textarea").fill(comment)
        await self.root.locator(".rating .btn").click()

    async def expect_texts(self, texts: list[str]) -> None:
        await expect(self.bubbles()).to_have_text(texts)


class HostSite:
    """A customer's web site: another origin (same loopback address, another port) serving pages."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pages: dict[str, str] = {}

    def add(self, html: str) -> str:
        path = f"/page{len(self.pages)}"
        self.pages[path] = html
        return self.url + path


@contextlib.asynccontextmanager
async def host_site() -> AsyncIterator[HostSite]:
    port = free_port()
    site = HostSite(f"http://127.0.0.1:{port}")

    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(site.pages.get(request.url.path, "<h1>Not found</h1>"))

    app = Starlette(routes=[Route("/{path:path}", page)])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield site
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


class HostPage:
    """A customer's web site that embeds the widget with the documented snippet."""

    def __init__(self, page: Page, base: str, inbox: str) -> None:
        self.page = page
        self.base = base
        self.inbox = inbox
        self.console: list[str] = []  # the page's and the iframe's console, to explain a failure
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.console.append(f"error: {error}"))

    async def open(self, site: HostSite, setup: str = "") -> None:
        """Open the shop's page, on the shop's own origin, with the widget embedded."""
        url = site.add(HOST_PAGE.format(base=self.base, inbox=self.inbox, setup=setup))
        await self.page.goto(url)

    @staticmethod
    def set_user(user: dict[str, Any]) -> str:
        return f'Destek("setUser", {json.dumps(user)});'

    @property
    def launcher(self) -> Locator:
        return self.page.locator('[data-destek="launcher"]')

    @property
    def badge(self) -> Locator:
        return self.page.locator('[data-destek="badge"]')

    async def open_chat(self) -> Chat:
        await self.launcher.click()
        await expect(self.page.locator(".dstk-box iframe")).to_be_visible()
        return await self.chat()

    async def chat(self) -> Chat:
        locator = self.page.frame_locator(".dstk-box iframe")
        await expect(locator.locator("#text")).to_be_attached()
        frame = next(f for f in self.page.frames if re.search(r"/widget/", f.url))
        return Chat(locator, frame)


async def full_page_chat(page: Page, base: str, inbox: str, query: str = "") -> Chat:
    """The chat as an app's WebView shows it: /widget/{inbox}?user_id=...&locale=..."""
    await page.goto(f"{base}/widget/{inbox}{query}")
    await expect(page.locator("#text")).to_be_visible()
    return Chat(page, page)


# --- `python -m tests.browser.widget_pages [out.png]`: the phone screenshot the README shows ---------


async def phone_screenshot(out: str) -> None:
    """The demo's chat on a 390×844 phone, in Turkish, with a short exchange, saved as a PNG."""
    import tempfile
    from pathlib import Path

    from playwright.async_api import async_playwright

    from destek.app import build_state, running
    from destek.config import Settings
    from destek.conversations import posting
    from destek.conversations.models import Conversation
    from destek.demo import load_demo
    from destek.migrate import upgrade
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
    from tests.support.server import serving

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/shot.db"
        await asyncio.to_thread(upgrade, url)
        settings = Settings(database_url=url, data_dir=Path(tmp), run_consumers=False)  # type: ignore[call-arg]
        async with running(build_state(settings)) as state:
            info = await load_demo(state)
            async with serving(state) as base, async_playwright() as pw:
                browser = await pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                context = await browser.new_context(viewport=PHONE, locale="tr-TR", device_scale_factor=2)
                page = await context.new_page()
                chat = await full_page_chat(page, base, info.inbox_public_token, "?locale=tr")
                await chat.send("Merhaba, masadaki QR menü açılmıyor 😕")
                await expect(chat.status_of_last_sent).to_have_text("Gönderildi")
                async with state.uow() as session:
                    from sqlalchemy import select

                    conversation = await session.scalar(
                        select(Conversation).order_by(Conversation.created_at.desc()).limit(1)
                    )
                    assert conversation is not None
                    agent = info.agents[0]
                    await posting.post_message(
                        session,
                        conversation=conversation,
                        sender_type="agent",
                        sender_id=agent.user_id,
                        content="Merhaba! Çok üzgünüm. Hangi masadasınız? "
                        "Menüyü hemen telefonunuza gönderelim.",
                        content_type="quick_replies",
                        content_attributes={
                            "quick_replies": [
                                {"title": "Bahçe", "value": "garden"},
                                {"title": "Salon", "value": "hall"},
                            ]
                        },
                    )
                await expect(chat.bubbles("out")).to_have_count(1)
                await page.wait_for_timeout(300)
                await page.screenshot(path=out)
                await browser.close()


if __name__ == "__main__":
    import sys

    target = sys.argv[1] if len(sys.argv) > 1 else "docs/images/widget-phone.png"
    asyncio.run(phone_screenshot(target))
    print(f"saved {target}")
