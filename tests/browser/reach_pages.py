"""Page objects for a chat inbox's Settings page: "Reaching customers who have left" (the e-mail inbox
to mail from, the push keys) and the mobile set-up; and a check that a screen speaks one language."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, expect

from destek.web import i18n
from tests.browser.conftest import ARTIFACTS

# What people and servers wrote, and code (the same in every language): not the UI's words.
DATA = '.failed-reason, .problem-box span, option:not([value=""]), pre, code'


class ReachSettings:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.section = page.get_by_test_id("reach")

    async def ready(self) -> None:
        await expect(self.page.locator("body")).to_have_attribute("data-reach-ready", "true")

    @property
    def email_inbox(self) -> Locator:
        return self.page.get_by_test_id("reach-email-inbox")

    @property
    def email_after(self) -> Locator:
        return self.page.get_by_test_id("reach-email-after")

    @property
    def chat_url(self) -> Locator:
        return self.page.get_by_test_id("reach-chat-url")

    @property
    def push_after(self) -> Locator:
        return self.page.get_by_test_id("reach-push-after")

    def key(self, name: str) -> Locator:
        return self.page.get_by_test_id(f"reach-secret-{name}")

    def key_state(self, name: str) -> Locator:
        return self.page.get_by_test_id(f"reach-secret-state-{name}")

    def remove(self, name: str) -> Locator:
        return self.page.get_by_test_id(f"reach-remove-{name}")

    def error(self, field: str) -> Locator:
        return self.section.locator(f'[data-error-for="{field}"]')

    async def save(self) -> None:
        await self.page.get_by_test_id("reach-save").click()

    @property
    def saved(self) -> Locator:
        return self.page.get_by_test_id("reach-status")

    def failed_rows(self) -> Locator:
        return self.page.get_by_test_id("reach-failed").locator("tr[data-delivery]")


class MobileSetup:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.section = page.get_by_test_id("mobile-setup")

    @property
    def chat_url(self) -> Locator:
        return self.page.get_by_test_id("mobile-chat-url")

    def tab(self, platform: str) -> Locator:
        return self.page.get_by_test_id(f"mobile-tab-{platform}")

    def panel(self, platform: str) -> Locator:
        return self.page.get_by_test_id(f"mobile-panel-{platform}")


async def check_mark(state: Locator) -> str:
    """What CSS puts before a key's state ("✓ " once saved)."""
    content: str = await state.evaluate("node => getComputedStyle(node, '::before').content")
    return content.strip('"')


async def ui_texts(root: Locator) -> str:
    """What the UI says in `root`: its visible text and its elements' placeholders, titles and labels,
    without DATA."""
    text: str = await root.evaluate(
        """(root, data) => {
            const parts = [];
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const parent = walker.currentNode.parentElement;
                const option = parent.closest('option');  // shown in its closed <select> or not at all
                const shown = option ? option.selected : parent.checkVisibility();
                if (shown && !parent.closest(data)) parts.push(walker.currentNode.nodeValue);
            }
            const names = ['placeholder', 'title', 'aria-label'];
            const attributes = [...root.querySelectorAll('[placeholder], [title], [aria-label]')]
                .filter(node => node.checkVisibility() && !node.closest(data))
                .flatMap(node => names.map(name => node.getAttribute(name) || ''));
            return [...parts, ...attributes].join('\\n');
        }""",
        DATA,
    )
    return text


async def only_turkish(root: Locator, domain: str = "settings") -> None:
    """None of the area's English UI texts shows in `root`."""
    text = await ui_texts(root)
    english = [key for key, value in i18n._catalog("tr", domain).items() if value != key]
    found = [key for key in english if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", text)]
    assert not found, f"English on a Turkish screen: {found}\n---\n{text}"


async def only_english(root: Locator, domain: str = "settings") -> None:
    """None of the area's Turkish UI texts shows in `root`."""
    text = await ui_texts(root)
    turkish = [
        value for key, value in i18n._catalog("tr", domain).items() if isinstance(value, str) and value != key
    ]
    found = [value for value in turkish if re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text)]
    assert not found, f"Turkish on an English screen: {found}\n---\n{text}"


async def picture(part: Locator, name: str) -> str:
    """A picture of one part of the page for a reviewer and the docs: test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = str(ARTIFACTS / f"{name}.png")
    await part.screenshot(path=path)
    return path
