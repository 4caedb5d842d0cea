"""A person's own security in a real browser: a second factor set up from the profile and asked at
login; a one-time password replaced before anything else; a deactivated agent's open inbox closing."""

from __future__ import annotations

import time

from playwright.async_api import expect

from destek.lib import totp
from tests.browser.conftest import PHONE, NewPage, save_screenshot
from tests.browser.dashboard_pages import LoginPage, log_in
from tests.support.factories import PASSWORD, Tenant

TIMEOUT = 8000


async def test_second_factor_from_the_profile_to_the_login(
    new_page: NewPage, live_url: str, tenant: Tenant
) -> None:
    inbox = await log_in(new_page, live_url, tenant.agent.email)
    page = inbox.page
    await page.locator("#profile-menu summary").click()
    await page.get_by_test_id("profile-link").click()
    await expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=TIMEOUT)
    # This browser's session is listed as this device.
    await expect(page.get_by_test_id("sessions-table")).to_contain_text("This device")

    section = page.get_by_test_id("second-factor")
    await section.locator("#enrol-password").fill(PASSWORD)
    await page.get_by_test_id("enrol-start").click()
    qr = page.get_by_test_id("enrol-qr")
    await expect(qr).to_be_visible(timeout=TIMEOUT)
    assert await qr.evaluate("async img => { await img.decode(); return img.naturalWidth; }") > 100
    await page.get_by_text("Cannot scan?").click()
    secret = (await page.get_by_test_id("enrol-secret").text_content() or "").replace(" ", "")
    assert len(secret) == 32
    await save_screenshot(page, "second-factor-setup")
    # A wrong code is said next to the field; the app's code turns it on.
    await page.get_by_test_id("enrol-code").fill("000000" if totp.code_at(secret) != "000000" else "111111")
    await page.get_by_test_id("enrol-confirm").click()
    await expect(section.locator('[data-error-for="code"]')).to_contain_text("not right", timeout=TIMEOUT)
    await page.get_by_test_id("enrol-code").fill(totp.code_at(secret))
    await page.get_by_test_id("enrol-confirm").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    await expect(codes).to_have_count(10, timeout=TIMEOUT)
    await save_screenshot(page, "second-factor-recovery-codes")
    await section.get_by_role("button", name="I have saved them").click()
    await expect(section).to_contain_text("10 recovery codes left.", timeout=TIMEOUT)

    # Another browser: the password, then the code the app shows next.
    other = await new_page()
    login = await LoginPage(other, live_url).open("/login")
    await other.locator("#email").fill(tenant.agent.email)
    await other.locator("#password").fill(PASSWORD)
    await other.locator("#login-form button[type=submit]").click()
    await expect(other.get_by_test_id("login-code")).to_be_visible(timeout=TIMEOUT)
    await expect(other.locator("#login-error")).to_have_text("Enter the code your authenticator app shows.")
    await save_screenshot(other, "login-second-factor")
    await other.get_by_test_id("login-code").fill(totp.code_at(secret, time.time() + totp.STEP_SECONDS))
    await other.locator("#login-form button[type=submit]").click()
    await other.wait_for_url(f"**/app/{tenant.account_id}", timeout=TIMEOUT)
    assert login is not None


async def test_a_one_time_password_is_replaced_first(
    new_page: NewPage, live_url: str, tenant: Tenant
) -> None:
    admin = await new_page()
    await LoginPage(admin, live_url).open(f"/login?next=/app/{tenant.account_id}/settings/agents")
    await admin.locator("#email").fill(tenant.owner.email)
    await admin.locator("#password").fill(PASSWORD)
    await admin.locator("#login-form button[type=submit]").click()
    await expect(admin.locator("body")).to_have_attribute("data-settings-ready", "true", timeout=TIMEOUT)
    row = admin.locator(f'tr[data-agent="{tenant.agent.email}"]')
    await expect(row).to_contain_text("Never logged in")
    admin.once("dialog", lambda dialog: dialog.accept())
    await row.get_by_role("button", name="One-time password").click()
    await expect(admin.get_by_test_id("password-result")).to_be_visible(timeout=TIMEOUT)
    password = await admin.get_by_test_id("one-time-password").text_content()
    assert password

    # The agent, in Turkish on a phone: logged in with it, they must first choose their own.
    phone = await new_page(viewport=PHONE, locale="tr-TR")
    await LoginPage(phone, live_url).open("/login")
    await phone.locator("#email").fill(tenant.agent.email)
    await phone.locator("#password").fill(password)
    await phone.locator("#login-form button[type=submit]").click()
    await phone.wait_for_url("**/password?next=*", timeout=TIMEOUT)
    await expect(phone.get_by_role("heading", name="Parolanızı seçin")).to_be_visible()
    await expect(phone.get_by_text("Tek kullanımlık bir parolayla giriş yaptınız.")).to_be_visible()
    await phone.locator("#current-password").fill(password)
    await phone.locator("#new-password").fill("yepyeni parolam")
    await phone.locator("#repeat-password").fill("yepyeni parolam")
    await save_screenshot(phone, "one-time-password-tr-phone")
    await phone.get_by_test_id("password-submit").click()
    await phone.wait_for_url(f"**/app/{tenant.account_id}", timeout=TIMEOUT)
    # The button is gone now that the login was used.
    await admin.reload()
    await expect(row.get_by_role("button", name="One-time password")).to_have_count(0)


async def test_a_deactivated_agents_open_inbox_closes(
    new_page: NewPage, live_url: str, tenant: Tenant
) -> None:
    inbox = await log_in(new_page, live_url, tenant.agent.email)
    admin = await new_page()
    await LoginPage(admin, live_url).open(f"/login?next=/app/{tenant.account_id}/settings/agents")
    await admin.locator("#email").fill(tenant.owner.email)
    await admin.locator("#password").fill(PASSWORD)
    await admin.locator("#login-form button[type=submit]").click()
    await expect(admin.locator("body")).to_have_attribute("data-settings-ready", "true", timeout=TIMEOUT)
    admin.once("dialog", lambda dialog: dialog.accept())
    await (
        admin.locator(f'tr[data-agent="{tenant.agent.email}"]')
        .get_by_role("button", name="Deactivate")
        .click()
    )
    # The agent's open inbox is sent to the login page at once, and logging in again is refused.
    await inbox.page.wait_for_url("**/login?next=*", timeout=TIMEOUT)
    await inbox.page.locator("#email").fill(tenant.agent.email)
    await inbox.page.locator("#password").fill(PASSWORD)
    await inbox.page.locator("#login-form button[type=submit]").click()
    await expect(inbox.page.locator("#login-error")).to_contain_text("deactivated", timeout=TIMEOUT)
