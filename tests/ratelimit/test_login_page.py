"""The login page in a real browser: a refused login says how long to wait, in the agent's language."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import expect

from destek.state import AppState
from tests.browser.conftest import NewPage, save_screenshot
from tests.ratelimit.conftest import Clock
from tests.support.factories import Tenant

pytestmark = pytest.mark.parametrize(("db_url", "bus_url"), [("sqlite", "memory")], indirect=True)


async def test_the_login_form_says_how_long_to_wait(
    new_page: NewPage, live_url: str, limited: AppState, tenant: Tenant, clock: Clock
) -> None:
    async with httpx.AsyncClient(base_url=live_url) as http:
        for _ in range(9):  # a script guessed first
            wrong = {"email": tenant.owner.email, "password": "guess"}
            assert (await http.post("/api/v1/auth/login", json=wrong)).status_code == 401

    page = await new_page(locale="tr-TR")
    await page.goto(f"{live_url}/login")
    error = page.locator("#login-error")
    await page.locator("#email").fill(tenant.owner.email)
    await page.locator("#password").fill("another guess")
    await page.locator("#login-form button[type=submit]").click()
    await expect(error).to_have_text("E-posta veya parola yanlış.")

    await page.locator("#password").fill("yet another guess")
    await page.locator("#login-form button[type=submit]").click()
    await expect(error).to_have_text("Çok fazla giriş denemesi yapıldı. 5 dakika sonra yeniden deneyin.")
    await expect(error).to_be_visible()
    await save_screenshot(page, "ratelimit-login-tr")

    clock.advance(250)
    english = await new_page(locale="en-US")
    await english.goto(f"{live_url}/login")
    await english.locator("#email").fill(tenant.owner.email)
    await english.locator("#password").fill("one more guess")
    await english.locator("#login-form button[type=submit]").click()
    await expect(english.locator("#login-error")).to_have_text(
        "Too many login attempts. Try again in 50 seconds."
    )
