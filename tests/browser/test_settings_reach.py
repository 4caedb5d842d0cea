"""A chat inbox's Settings in a browser: an administrator has unread replies mailed from the account's
e-mail inbox and pushed to Android phones, and the page keeps the choices and the key (shown only as
saved); the Turkish page says all of it, and the mobile set-up, in Turkish."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from destek.config import Settings
from destek.state import AppState
from tests.browser.conftest import NewPage
from tests.browser.dashboard_pages import sign_in_to
from tests.browser.reach_pages import (
    MobileSetup,
    ReachSettings,
    check_mark,
    only_english,
    only_turkish,
    picture,
)
from tests.channels.email.flow import email_inbox
from tests.push.servers import pem, rsa_key
from tests.support.factories import Tenant
from tests.support.factories_fixtures import make_settings
from tests.web_settings.helpers import failed_reminder

TALL = {"width": 1280, "height": 1700}  # a whole section in view, for its picture
KEY = pem(rsa_key())  # keys are checked on save: a real one, made for the test
SERVICE_ACCOUNT = json.dumps(
    {
        "type": "service_account",
        "project_id": "lokanta-app",
        "private_key_id": "b1c2d3",
        "private_key": KEY,
        "client_email": "push@lokanta-app.iam.gserviceaccount.com",
    },
    indent=2,
)


PUBLIC_URL = "https://destek.lokanta.com.tr"  # what the mobile set-up's code names


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, public_url=PUBLIC_URL)


async def _open(page: Page, live_url: str, shop: Tenant) -> ReachSettings:
    await sign_in_to(
        page, live_url, f"/app/{shop.account_id}/settings/inboxes/{shop.inbox_id}", shop.owner.email
    )
    reach = ReachSettings(page)
    await reach.ready()
    return reach


async def test_an_admin_has_unread_replies_mailed_and_pushed(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, state: AppState, shop: Tenant
) -> None:
    mail_id, _ = await email_inbox(http, shop, None)
    await failed_reminder(
        state, shop, kind="push", key="message:1", error="FCM: UNREGISTERED (the app was uninstalled)"
    )
    page = await new_page(viewport=TALL)
    reach = await _open(page, live_url, shop)
    await expect(reach.key_state("fcm_service_account")).to_have_text("Not set")
    await expect(reach.failed_rows()).to_have_count(1)
    await expect(reach.failed_rows()).to_contain_text("UNREGISTERED")

    await reach.email_inbox.select_option(str(mail_id))
    await reach.chat_url.fill("https://lokanta.com.tr/destek")
    # A wrong number is refused beside its field, in words; so is the app's google-services.json.
    await reach.email_after.fill("5000")
    await reach.key("fcm_service_account").fill('{"project_info": {}, "client": []}')
    await reach.save()
    await expect(reach.error("secrets.fcm_service_account")).to_contain_text("google-services.json")
    await reach.key("fcm_service_account").fill(SERVICE_ACCOUNT)
    await reach.save()
    await expect(reach.error("settings.email_after_minutes")).to_have_text("From 1 to 1440 minutes (a day).")
    await expect(reach.email_after).to_have_attribute("aria-invalid", "true")

    await reach.email_after.fill("10")
    await reach.save()
    await expect(reach.saved).to_have_text("Saved")
    await expect(reach.key_state("fcm_service_account")).to_have_text("Saved")
    await expect(reach.key("fcm_service_account")).to_have_value("")
    await expect(reach.remove("fcm_service_account")).to_be_visible()

    await page.reload()
    await reach.ready()
    await expect(reach.email_inbox).to_have_value(str(mail_id))
    await expect(reach.email_after).to_have_value("10")
    await expect(reach.chat_url).to_have_value("https://lokanta.com.tr/destek")
    fcm_state = reach.key_state("fcm_service_account")
    await expect(fcm_state).to_have_text("Saved")
    assert await check_mark(fcm_state) == "✓ "
    await expect(reach.key_state("apns_private_key")).to_have_text("Not set")
    assert KEY.splitlines()[1] not in await page.content()
    await only_english(reach.section)
    await picture(reach.section, "settings-reach")

    # The mobile set-up: this server's address and inbox, one platform's code at a time.
    mobile = MobileSetup(page)
    await expect(mobile.chat_url).to_have_text(f"{PUBLIC_URL}/widget/{shop.inbox_token}")
    await mobile.tab("android").click()
    await expect(mobile.panel("android")).to_be_visible()
    await expect(mobile.panel("ios")).to_be_hidden()
    await expect(mobile.panel("android").get_by_test_id("code-android-push")).to_contain_text(
        "DestekChat.setPushToken('fcm', '$token')"
    )
    await mobile.tab("android").press("ArrowRight")
    await expect(mobile.tab("react-native")).to_be_focused()
    await expect(mobile.panel("react-native")).to_be_visible()
    await mobile.tab("ios").click()
    await only_english(mobile.section)
    await page.set_viewport_size({"width": 1280, "height": 2300})  # the whole set-up in view
    await picture(mobile.section, "settings-mobile")

    turkish = await new_page(viewport=TALL, locale="tr-TR")
    reach_tr = await _open(turkish, live_url, shop)
    await expect(reach_tr.section.get_by_role("heading", level=2)).to_have_text(
        "Sohbetten ayrılan müşterilere ulaşmak"
    )
    await expect(reach_tr.key_state("fcm_service_account")).to_have_text("Kaydedildi")
    await only_turkish(reach_tr.section)
    await picture(reach_tr.section, "settings-reach-tr")
    await only_turkish(MobileSetup(turkish).section)
