"""Browser tests: Debian's Chromium (never a downloaded browser) driven by Playwright, against a live
server in the test's event loop. A failing test leaves a screenshot of every page it opened in
test-artifacts/screenshots/.

Browser tests run on SQLite by default (they test what a user sees, not storage); a test that wants
both backends says `@pytest.mark.parametrize("db_url", BACKENDS, indirect=True)`.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from destek.state import AppState
from tests.support.databases import DatabaseTemplate, postgres_url
from tests.support.factories import Tenant, make_tenant
from tests.support.server import serving

CHROMIUM = os.environ.get("DESTEK_CHROMIUM", "/usr/bin/chromium")
# As root in a container: no sandbox; no background traffic to Google's hosts on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# An <img>'s natural width once it has loaded and decoded (a broken image rejects: the test fails).
LOADED_WIDTH = "async img => { await img.decode(); return img.naturalWidth; }"

NewPage = Callable[..., Awaitable[Page]]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(params=["sqlite"])
def db_url(
    request: pytest.FixtureRequest, templates: dict[str, DatabaseTemplate], tmp_path: Path
) -> Iterator[str]:
    backend = request.param
    if backend == "postgresql" and postgres_url() is None:
        if os.environ.get("DESTEK_REQUIRE_SERVICES") == "1":
            pytest.fail("PostgreSQL is required (DESTEK_REQUIRE_SERVICES=1) but does not answer")
        pytest.skip("PostgreSQL is not available")
    template = templates.get(backend)
    if template is None:
        template = templates[backend] = DatabaseTemplate.create(backend, tmp_path.parent)
    url = template.clone(tmp_path)
    yield url
    template.discard(url)


@pytest.fixture
async def live_url(state: AppState) -> AsyncIterator[str]:
    """The base URL (http://127.0.0.1:PORT) of a real server over the test's state."""
    async with serving(state) as url:
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 - once per test, before any I/O
        message = f"Chromium not found at {CHROMIUM} (`make chromium` installs Debian's)"
        if os.environ.get("DESTEK_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def new_page(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[NewPage]:
    """`await new_page(viewport=PHONE, locale="tr-TR")`: a page in a fresh context (its own cookies and
    storage, as another person's browser). Screenshots of every page are saved when the test fails."""
    contexts: list[BrowserContext] = []

    async def make(viewport: dict[str, int] | None = None, locale: str = "en-US", **options: object) -> Page:
        context = await browser.new_context(viewport=viewport or DESKTOP, locale=locale, **options)  # type: ignore[arg-type]
        contexts.append(context)
        return await context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        for i, context in enumerate(contexts):
            for j, page in enumerate(context.pages):
                try:
                    await page.screenshot(path=str(ARTIFACTS / f"{name}-{i}-{j}.png"), full_page=True)
                except Exception as error:  # a screenshot must not hide the failure
                    print(f"screenshot failed: {error}")
    for context in contexts:
        await context.close()


@pytest.fixture
async def http(live_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client of the live server (the API as an app or a script calls it)."""
    async with httpx.AsyncClient(base_url=live_url) as client:
        yield client


@pytest.fixture
async def shop(state: AppState) -> Tenant:
    """The business under test: an account with an owner, an agent and an in-app chat inbox."""
    return await make_tenant(state, name="Demo Cafe")


async def save_screenshot(page: Page, name: str) -> str:
    """Keep a screenshot for a reviewer (every run, not only on failure): test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = str(ARTIFACTS / f"{name}.png")
    await page.screenshot(path=path, full_page=True)
    return path
