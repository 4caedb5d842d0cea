"""The browser harness itself: Debian's Chromium renders a page of the live server."""

from __future__ import annotations

from tests.browser.conftest import NewPage


async def test_chromium_reaches_the_live_server(live_url: str, new_page: NewPage) -> None:
    page = await new_page()
    response = await page.goto(f"{live_url}/healthz")
    assert response is not None and response.status == 200
    assert '"status":"ok"' in (await page.content()).replace(" ", "")
