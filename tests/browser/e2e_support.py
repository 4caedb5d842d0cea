"""Helpers for the end-to-end tests that cross both UIs: a customer on a shop's web site with the widget,
an agent in the dashboard in another browser context, and a guard that fails on any JavaScript dialog."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import Dialog, Page, expect

from tests.browser.conftest import NewPage
from tests.browser.dashboard_pages import InboxPage, LoginPage
from tests.browser.widget_pages import Chat, HostPage, HostSite
from tests.support.factories import Tenant

# ms: a live update crosses two browsers and the server in well under a second; the bound is generous
# because the test machine is shared (it only lengthens a failing test).
TIMEOUT = 15_000


class Dialogs:
    """Every alert/confirm/prompt a page (or its frames) opens: a script ran that should not have."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def watch(self, page: Page) -> Page:
        async def on_dialog(dialog: Dialog) -> None:
            self.seen.append(f"{dialog.type}: {dialog.message}")
            await dialog.dismiss()

        page.on("dialog", on_dialog)
        return page


async def agent_logs_in(
    new_page: NewPage, base: str, email: str, dialogs: Dialogs | None = None, **options: object
) -> InboxPage:
    """An agent's own browser (a fresh context), logged in to the dashboard and live."""
    page = await new_page(**options)
    if dialogs is not None:
        dialogs.watch(page)
    return await (await LoginPage(page, base).open("/")).log_in(email)


async def customer_opens_chat(
    new_page: NewPage,
    base: str,
    site: HostSite,
    tenant: Tenant,
    *,
    setup: str = "",
    dialogs: Dialogs | None = None,
    **options: object,
) -> tuple[HostPage, Chat]:
    """A customer's browser on the shop's page (another origin) with the embed snippet; the chat open."""
    page = await new_page(**options)
    if dialogs is not None:
        dialogs.watch(page)
    host = HostPage(page, base, tenant.inbox_token)
    await host.open(site, setup)
    return host, await host.open_chat()


async def create_canned_response(
    client: httpx.AsyncClient, tenant: Tenant, *, short_code: str, title: str, content: str
) -> dict[str, Any]:
    response = await client.post(
        tenant.url("/canned_responses"),
        json={"short_code": short_code, "title": title, "content": content},
        headers=tenant.owner.headers,
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def each_once_in_dashboard(inbox: InboxPage, texts: list[str]) -> None:
    """Each text is in exactly one message bubble of the open conversation (not lost, not doubled)."""
    for text in texts:
        await expect(inbox.message(text)).to_have_count(1, timeout=TIMEOUT)


async def each_once_in_chat(chat: Chat, texts: list[str]) -> None:
    for text in texts:
        await expect(chat.message(text)).to_have_count(1, timeout=TIMEOUT)


async def stored_texts(client: httpx.AsyncClient, tenant: Tenant, number: int) -> list[str]:
    """What the server holds for the conversation, in order (notes included)."""
    response = await client.get(tenant.url(f"/conversations/{number}/messages"), headers=tenant.agent.headers)
    assert response.status_code == 200, response.text
    return [m["content"] for m in response.json()["items"]]
