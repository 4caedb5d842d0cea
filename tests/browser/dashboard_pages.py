"""Page objects for the agents' dashboard: what a person sees and does, by role and label."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from playwright.async_api import Locator, Page, expect

from tests.support.factories import PASSWORD, Tenant

TIMEOUT = 8000  # ms: live updates arrive in well under a second; this bounds a failing test


@dataclass
class Customer:
    """A customer's app talking to the public API (as the widget or a mobile SDK would)."""

    http: httpx.AsyncClient
    tenant: Tenant
    token: str = ""
    contact_id: int = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def identify(self, **fields: Any) -> Customer:
        response = await self.http.post(self.tenant.public("/contacts"), json=fields)
        assert response.status_code == 201, response.text
        body = response.json()
        self.token, self.contact_id = body["token"], body["contact"]["id"]
        return self

    async def start(self, text: str) -> dict[str, Any]:
        response = await self.http.post(
            self.tenant.public("/conversations"), json={"message": {"content": text}}, headers=self.headers
        )
        assert response.status_code == 201, response.text
        conversation: dict[str, Any] = response.json()["conversation"]
        return conversation

    async def say(self, conversation_id: int, text: str) -> None:
        response = await self.http.post(
            self.tenant.public(f"/conversations/{conversation_id}/messages"),
            json={"content": text},
            headers=self.headers,
        )
        assert response.status_code == 201, response.text

    async def typing(self, conversation_id: int, typing: bool = True) -> None:
        response = await self.http.post(
            self.tenant.public(f"/conversations/{conversation_id}/typing"),
            json={"typing": typing},
            headers=self.headers,
        )
        assert response.status_code == 204, response.text

    async def read(self, conversation_id: int) -> None:
        response = await self.http.post(
            self.tenant.public(f"/conversations/{conversation_id}/read"), json={}, headers=self.headers
        )
        assert response.status_code == 204, response.text


class LoginPage:
    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base

    async def open(self, path: str = "/") -> LoginPage:
        await self.page.goto(self.base + path)
        return self

    async def log_in(self, email: str, password: str = PASSWORD) -> InboxPage:
        await self.page.locator("#email").fill(email)
        await self.page.locator("#password").fill(password)
        await self.page.locator("#login-form button[type=submit]").click()
        await self.page.wait_for_url("**/app/**")
        inbox = InboxPage(self.page, self.base)
        await inbox.wait_live()
        return inbox


class InboxPage:
    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base

    async def wait_live(self) -> None:
        await expect(self.page.locator("#connection")).to_have_attribute(
            "data-state", "live", timeout=TIMEOUT
        )

    # --- navigation and the list ---------------------------------------------------------------

    def nav_count(self, view: str) -> Locator:
        return self.page.locator(f'.sidenav [data-count-for="{view}"]')

    async def choose_view(self, view: str) -> None:
        await self.page.locator(f'.sidenav .view-link[data-view="{view}"]').click()

    def rows(self) -> Locator:
        return self.page.locator("#conversation-list .conv-item")

    def row(self, number: int) -> Locator:
        return self.page.locator(f'#conversation-list .conv-item[data-number="{number}"]')

    async def open_conversation(self, number: int) -> None:
        await self.row(number).locator(".conv-link").click()
        await expect(self.page.locator("#conv-number")).to_have_text(f"#{number}", timeout=TIMEOUT)

    async def search(self, text: str) -> None:
        await self.page.locator("#search").fill(text)

    async def select(self, *numbers: int) -> None:
        for number in numbers:
            await self.row(number).locator("input.select").check()

    # --- the open conversation -----------------------------------------------------------------

    def messages(self) -> Locator:
        return self.page.locator("#messages .msg")

    def message(self, text: str) -> Locator:
        return self.page.locator("#messages .msg", has=self.page.locator(".msg-body", has_text=text))

    @property
    def composer(self) -> Locator:
        return self.page.locator("#composer-text")

    async def type_reply(self, text: str) -> None:
        await self.composer.click()
        await self.composer.press_sequentially(text)

    async def choose_note(self) -> None:
        await self.page.locator("#composer input[value=note]").check()

    async def assign_to(self, name: str) -> None:
        await self.page.locator("#assignee-select").select_option(label=name)

    async def add_label(self, name: str) -> None:
        await self.page.locator("#label-input").fill(name)
        await self.page.locator("#label-input").press("Enter")

    @property
    def new_messages_pill(self) -> Locator:
        """ "New messages ↓": shown when a message arrives while the agent reads further up."""
        return self.page.locator("#new-messages")

    def header_badges(self) -> Locator:
        return self.page.locator("#conv-badges")

    def typing(self) -> Locator:
        return self.page.locator("#typing")

    def collision(self) -> Locator:
        return self.page.locator("#collision")

    async def no_horizontal_overflow(self) -> None:
        width = await self.page.evaluate("document.documentElement.scrollWidth")
        viewport = await self.page.evaluate("window.innerWidth")
        assert width <= viewport, f"the page is {width}px wide in a {viewport}px window"


async def sign_in_to(page: Page, base: str, path: str, email: str, password: str = PASSWORD) -> None:
    """The login form, sent from /login?next=path: the page lands on `path`."""
    await page.goto(f"{base}/login?next={path}")
    await page.locator("#email").fill(email)
    await page.locator("#password").fill(password)
    await page.locator("#login-form button[type=submit]").click()
    await page.wait_for_url(f"**{path}")


async def log_in(
    new_page: Callable[..., Awaitable[Page]],
    live_url: str,
    email: str,
    *,
    init_script: str | None = None,
    **options: object,
) -> InboxPage:
    """A new browser context (another person's browser) logged in as `email`, on the inbox."""
    page = await new_page(**options)
    if init_script is not None:
        await page.add_init_script(init_script)
    return await (await LoginPage(page, live_url).open("/")).log_in(email)
