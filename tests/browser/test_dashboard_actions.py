"""Working conversations from the dashboard: assign, resolve, label, bulk resolve, shortcuts, collisions."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.dashboard_pages import TIMEOUT, Customer, log_in
from tests.support.factories import Tenant


async def conversation_of(http: httpx.AsyncClient, shop: Tenant, number: int) -> dict[str, object]:
    response = await http.get(shop.url(f"/conversations/{number}"), headers=shop.owner.headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_assign_label_and_resolve_from_the_conversation(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    customer = await Customer(http, shop).identify(name="Deniz Kaya")
    await customer.start("The bill will not close")
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await inbox.open_conversation(1)

    agents = (await http.get(shop.url("/agents"), headers=shop.owner.headers)).json()
    name = next(a["name"] for a in agents if a["id"] == shop.agent.user_id)
    await inbox.assign_to(name)
    await expect(inbox.row(1)).to_contain_text(name, timeout=TIMEOUT)
    assert (await conversation_of(http, shop, 1))["assignee_id"] == shop.agent.user_id

    await inbox.add_label("Billing")
    await expect(inbox.page.locator("#label-chips")).to_contain_text("billing", timeout=TIMEOUT)
    await expect(inbox.row(1)).to_contain_text("billing", timeout=TIMEOUT)
    await expect(inbox.nav_count("label:billing")).to_have_text("1", timeout=TIMEOUT)
    assert (await conversation_of(http, shop, 1))["labels"] == ["billing"]

    await inbox.page.locator("#priority-select").select_option("urgent")
    await expect(inbox.header_badges()).to_contain_text("Urgent", timeout=TIMEOUT)

    await inbox.page.get_by_test_id("resolve").click()
    await expect(inbox.header_badges()).to_contain_text("Resolved", timeout=TIMEOUT)
    await expect(inbox.page.get_by_test_id("resolve")).to_have_text("Reopen")
    await expect(inbox.nav_count("status:resolved")).to_have_text("1", timeout=TIMEOUT)
    await expect(inbox.rows()).to_have_count(0, timeout=TIMEOUT)  # "All" shows open conversations
    assert (await conversation_of(http, shop, 1))["status"] == "resolved"


async def test_changes_by_a_colleague_show_up_live(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    customer = await Customer(http, shop).identify(name="Deniz Kaya")
    await customer.start("Where is my order?")
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await inbox.open_conversation(1)
    headers = shop.agent.headers
    await http.post(shop.url("/conversations/1/priority"), json={"priority": "high"}, headers=headers)
    await expect(inbox.header_badges()).to_contain_text("High", timeout=TIMEOUT)
    await http.put(shop.url("/conversations/1/labels"), json={"labels": ["order"]}, headers=headers)
    await expect(inbox.page.locator("#label-chips")).to_contain_text("order", timeout=TIMEOUT)
    await http.post(shop.url("/conversations/1/status"), json={"status": "pending"}, headers=headers)
    await expect(inbox.header_badges()).to_contain_text("Pending", timeout=TIMEOUT)
    await expect(inbox.nav_count("status:pending")).to_have_text("1", timeout=TIMEOUT)


async def test_bulk_resolve_and_bulk_label(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    for name in ("Ada", "Bora", "Cem"):
        await (await Customer(http, shop).identify(name=name)).start(f"Help from {name}")
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await expect(inbox.rows()).to_have_count(3)
    await inbox.select(1, 3)
    await expect(inbox.page.locator("#bulk-count")).to_have_text("2 selected")
    await inbox.page.locator("#bulk-resolve").click()
    await expect(inbox.rows()).to_have_count(1, timeout=TIMEOUT)
    await expect(inbox.row(2)).to_be_visible()
    await expect(inbox.nav_count("status:resolved")).to_have_text("2", timeout=TIMEOUT)
    for number, status in ((1, "resolved"), (2, "open"), (3, "resolved")):
        assert (await conversation_of(http, shop, number))["status"] == status

    await http.put(shop.url("/conversations/2/labels"), json={"labels": ["vip"]}, headers=shop.owner.headers)
    await inbox.page.locator("#select-all").check()
    await inbox.page.locator("#bulk-assign").select_option(label="Me")
    await expect(inbox.nav_count("mine")).to_have_text("1", timeout=TIMEOUT)
    assert (await conversation_of(http, shop, 2))["assignee_id"] == shop.owner.user_id


async def test_keyboard_shortcuts_j_k_e_and_help(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    for name in ("Ada", "Bora", "Cem"):
        await (await Customer(http, shop).identify(name=name)).start(f"Question from {name}")
    inbox = await log_in(new_page, live_url, shop.owner.email)
    page = inbox.page
    await expect(inbox.rows()).to_have_count(3)
    await page.locator("body").press("j")  # the newest first: #3
    await expect(page.locator("#conv-number")).to_have_text("#3", timeout=TIMEOUT)
    await page.locator("body").press("j")
    await expect(page.locator("#conv-number")).to_have_text("#2", timeout=TIMEOUT)
    await page.locator("body").press("k")
    await expect(page.locator("#conv-number")).to_have_text("#3", timeout=TIMEOUT)

    # Not while typing: "j" in the composer is a letter.
    await page.locator("body").press("r")
    await expect(inbox.composer).to_be_focused()
    await inbox.composer.press_sequentially("jk")
    await expect(page.locator("#conv-number")).to_have_text("#3")
    await expect(inbox.composer).to_have_value("jk")
    await inbox.composer.press("Escape")

    await page.locator("body").press("n")
    await expect(page.locator("#composer")).to_have_attribute("data-mode", "note")
    await inbox.composer.fill("")
    await inbox.composer.press("Escape")
    await expect(inbox.composer).not_to_be_focused()

    await page.locator("body").press("e")
    await expect(inbox.header_badges()).to_contain_text("Resolved", timeout=TIMEOUT)
    assert (await conversation_of(http, shop, 3))["status"] == "resolved"

    await page.locator("body").press("?")
    await expect(page.locator("#help")).to_be_visible()
    await expect(page.locator("#help")).to_contain_text("Next / previous conversation")
    await page.keyboard.press("Escape")
    await expect(page.locator("#help")).to_be_hidden()


async def test_collision_notice_when_a_colleague_views_and_types(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    await (await Customer(http, shop).identify(name="Deniz")).start("Card declined")
    owner = await log_in(new_page, live_url, shop.owner.email)
    await owner.open_conversation(1)
    colleague = await log_in(new_page, live_url, shop.agent.email)
    await colleague.open_conversation(1)
    agents = (await http.get(shop.url("/agents"), headers=shop.owner.headers)).json()
    names = {a["id"]: a["name"] for a in agents}
    await expect(owner.collision()).to_have_text(
        f"{names[shop.agent.user_id]} is also viewing", timeout=TIMEOUT
    )
    # The newcomer learns at once that the owner is there too.
    await expect(colleague.collision()).to_have_text(
        f"{names[shop.owner.user_id]} is also viewing", timeout=TIMEOUT
    )
    await colleague.type_reply("On it")
    await expect(owner.collision()).to_have_text(
        f"{names[shop.agent.user_id]} is typing a reply", timeout=TIMEOUT
    )
    # Leaving the conversation (another one opens) ends the notice at once.
    await (await Customer(http, shop).identify(name="Elif")).start("Another question")
    await expect(colleague.row(2)).to_be_visible(timeout=TIMEOUT)
    await colleague.open_conversation(2)
    await expect(owner.collision()).to_be_hidden(timeout=TIMEOUT)


async def test_waiting_longest_sort_shows_how_long_each_has_waited(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    await (await Customer(http, shop).identify(name="Ada")).start("First in line")
    await (await Customer(http, shop).identify(name="Bora")).start("Second in line")
    inbox = await log_in(new_page, live_url, shop.owner.email)
    await expect(inbox.rows().first).to_contain_text("Bora")  # latest activity first
    await inbox.page.get_by_test_id("sort").select_option("waiting")
    await expect(inbox.rows().first).to_contain_text("Ada", timeout=TIMEOUT)  # the longest wait first
    await expect(inbox.rows().first.locator(".conv-time")).to_have_text("waiting 0 min")
    assert "sort=waiting" in inbox.page.url
