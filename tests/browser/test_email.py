"""E-mail in a real browser: a customer's mail shows its subject, addresses, folded quote and original
HTML (remote images blocked until asked for); a reply the mail server refuses shows Failed with the
reason and goes out on Retry, with the thread's copies; an administrator sets up an e-mail inbox
(secrets write-only, Test connection, mail that could not be read); and the Turkish screens say it all
in Turkish. Replies go to a real SMTP server on loopback (tests/channels/email/servers.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from destek.config import Settings
from destek.web import i18n
from tests.browser.conftest import ARTIFACTS, LOADED_WIDTH, NewPage, save_screenshot
from tests.browser.dashboard_pages import log_in, sign_in_to
from tests.browser.email_pages import EmailSettings, MailThread, html_mail, visible_texts
from tests.channels.email.flow import conversations, email_inbox, parsed, post_mail
from tests.channels.email.servers import SmtpServer, free_port, make_certificate, running_smtp
from tests.support.factories import Tenant
from tests.support.factories_fixtures import make_settings

TIMEOUT = 15_000  # ms: a reply crosses the consumers, the SMTP server and the websocket
TALL = {"width": 1280, "height": 2600}
NEW_TEXT = "siparişim hâlâ gelmedi"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    # The consumers run: replies are delivered through the channel, as in production.
    return make_settings(
        db_url, tmp_path, run_consumers=True, catchup_seconds=0.2, delivery_backoff_scale=0.01
    )


@pytest.fixture(scope="module")
def smtp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpServer]:
    with running_smtp(make_certificate(tmp_path_factory.mktemp("tls"))) as server:
        yield server


async def test_an_email_conversation_and_a_refused_reply_sent_again(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant, smtp_server: SmtpServer
) -> None:
    smtp_server.reset()
    _, token = await email_inbox(http, shop, smtp_server)
    assert (await post_mail(http, token, html_mail())).json()["status"] == "processed"
    [item] = [c for c in await conversations(http, shop) if c["subject"]]
    smtp_server.handler.fail("DATA", "554 5.7.1 Message rejected: the domain's policy refuses it")

    inbox = await log_in(new_page, live_url, shop.agent.email, viewport={"width": 1280, "height": 960})
    page = inbox.page
    tracked: list[str] = []
    page.on(
        "request", lambda request: tracked.append(request.url) if "tracker.invalid" in request.url else None
    )
    await inbox.open_conversation(item["number"])
    thread = MailThread(inbox)
    await expect(thread.subject).to_have_text("Siparişim gelmedi")
    summary = thread.meta(NEW_TEXT).locator("summary")
    await expect(summary).to_have_text("From: Ayşe Yılmaz · To: Lokanta Destek · Cc: Mehmet Kaya")
    await summary.click()
    facts = thread.meta(NEW_TEXT).locator(".mail-facts")
    await expect(facts).to_contain_text("Mehmet Kaya <mehmet@musteri.com.tr>")
    await expect(facts).to_contain_text("Siparişim gelmedi")
    await summary.click()
    await expect(facts).to_be_hidden()
    # The new text is the message; the quoted history waits behind "•••".
    await expect(inbox.message(NEW_TEXT).locator(".msg-body")).not_to_contain_text("şunu yazdı")
    await expect(thread.quoted(NEW_TEXT)).to_be_hidden()
    await thread.quote_toggle(NEW_TEXT).click()
    await expect(thread.quoted(NEW_TEXT)).to_contain_text("> Dün sipariş verdim.")
    await expect(inbox.message(NEW_TEXT).locator(".attachments")).to_have_count(0)  # the logo is inline

    # The original HTML: cleaned, in a sandboxed frame; the inline logo shows, the tracker does not.
    await thread.open_html(NEW_TEXT)
    await expect(thread.frame.locator("p").first).to_have_text("Merhaba, siparişim hâlâ gelmedi.")
    assert await thread.frame.locator('img[alt="logo"]').evaluate(LOADED_WIDTH) == 40
    await expect(thread.frame.locator('img[alt="tracker"]')).not_to_have_attribute("src", re.compile("."))
    await expect(thread.frame.locator("script")).to_have_count(0)
    await expect(page.get_by_test_id("mail-images")).to_be_visible()
    await save_screenshot(page, "email-html")
    assert tracked == []
    await page.locator("#load-images").click()
    await expect(thread.frame.locator('img[alt="tracker"]')).to_have_attribute(
        "src", "https://tracker.invalid/open.gif", timeout=TIMEOUT
    )
    await expect(page.get_by_test_id("mail-images")).to_be_hidden()
    await page.keyboard.press("Escape")
    await expect(page.locator("#mail-dialog")).to_be_hidden()

    # The reply: to the customer, the thread's copy prefilled, a blind copy added.
    await expect(page.get_by_test_id("mail-to")).to_have_text("Ayşe Yılmaz <ayse@musteri.com.tr>")
    await expect(thread.cc).to_have_value("mehmet@musteri.com.tr")
    await thread.bcc.fill("arsiv@lokanta.com.tr")
    await inbox.type_reply("Merhaba Ayşe, hemen bakıyorum.")
    await inbox.composer.press("Enter")
    status = thread.status("hemen bakıyorum")
    await expect(status).to_contain_text("⚠ Failed", timeout=TIMEOUT)
    await expect(status).to_contain_text("554 5.7.1 Message rejected")
    await expect(thread.meta("hemen bakıyorum").locator("summary")).to_have_text(
        "To: Ayşe Yılmaz · Cc: Mehmet Kaya · Bcc: arsiv@lokanta.com.tr"
    )
    await save_screenshot(page, "email-conversation")

    # The refusal was once (the other side fixed its policy): the agent sends it again.
    await status.get_by_role("button", name="Retry").click()
    await expect(status).to_have_text("✓ Sent", timeout=TIMEOUT)
    [sent] = smtp_server.received
    mail = parsed(sent.content)
    assert [a.addr_spec for a in mail["Cc"].addresses] == ["mehmet@musteri.com.tr"]
    assert set(sent.rcpt_tos) == {"ayse@musteri.com.tr", "mehmet@musteri.com.tr", "arsiv@lokanta.com.tr"}
    assert "Bcc" not in mail


async def test_an_admin_sets_up_an_email_inbox(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    page = await new_page(viewport=TALL)  # the whole e-mail section in view, for its picture
    await sign_in_to(page, live_url, f"/app/{shop.account_id}/settings/inboxes", shop.owner.email)
    await page.get_by_test_id("inbox-channel").select_option("email")
    await page.get_by_test_id("inbox-name").fill("Lokanta e-posta")
    await page.get_by_role("button", name="Create inbox").click()
    await page.wait_for_url(re.compile(r"/settings/inboxes/\d+$"))
    await _settings_ready(page)
    settings = EmailSettings(page)
    await expect(settings.secret_state("imap_password")).to_have_text("Not set")
    await expect(settings.problem).to_be_hidden()

    # A preset fills in the provider's servers.
    await settings.field("preset").select_option("gmail")
    await expect(settings.field("imap_host")).to_have_value("imap.gmail.com")
    await expect(settings.field("smtp_port")).to_have_value("587")
    await expect(settings.field("smtp_security")).to_have_value("starttls")

    # Our own server, on a port where nothing listens; a wrong port is refused beside its field.
    await settings.field("preset").select_option("other")
    await settings.field("address").fill("destek@lokanta.com.tr")
    await settings.field("imap_host").fill("127.0.0.1")
    await settings.field("imap_port").fill(str(free_port()))
    await settings.field("imap_security").select_option("none")
    await settings.field("imap_username").fill("destek@lokanta.com.tr")
    await settings.secret("imap_password").fill("uygulama-şifresi")
    await settings.secret("ingest_token").fill("ingest-token-for-the-browser")
    await settings.field("smtp_host").fill("")
    await settings.field("smtp_port").fill("0")
    await settings.save()
    error = page.locator('[data-error-for="settings.smtp_port"]')
    await expect(error).to_have_text("A port number from 1 to 65535.", timeout=TIMEOUT)
    await expect(settings.field("smtp_port")).to_have_attribute("aria-invalid", "true")
    await settings.field("smtp_port").fill("587")
    await settings.save()
    await expect(settings.saved).to_have_text("Saved", timeout=TIMEOUT)
    await expect(error).to_be_empty()
    await expect(settings.secret_state("imap_password")).to_have_text("Saved")
    await expect(settings.secret("imap_password")).to_have_value("")
    await page.reload()
    await _settings_ready(page)
    for name in ("imap_password", "ingest_token"):
        await expect(settings.secret_state(name)).to_have_text("Saved")
        await expect(settings.secret(name)).to_have_value("")
    await expect(settings.secret_state("smtp_password")).to_have_text("Not set")
    assert "uygulama-şifresi" not in await page.content()
    await expect(settings.field("address")).to_have_value("destek@lokanta.com.tr")

    # Test connection says what is wrong, and the page keeps it as the inbox's problem.
    await page.get_by_test_id("mail-check-button").click()
    await expect(settings.check_result).to_contain_text("The connection failed: IMAP", timeout=TIMEOUT)
    await expect(settings.problem).to_be_visible()
    await _picture(page.get_by_test_id("email-channel"), "settings-email")

    # Raw mail posted with the ingest token: one that cannot be read is listed, kept, and retried.
    webhook = await page.get_by_test_id("mail-webhook-url").text_content()
    assert webhook and webhook.startswith(f"{live_url}/hooks/email/")
    unreadable = b"Subject: no sender\r\nMessage-ID: <lost@x.test>\r\n\r\nWho wrote me?\r\n"
    posted = await http.post(
        webhook.removeprefix(live_url),
        content=unreadable,
        headers={"Authorization": "Bearer ingest-token-for-the-browser", "Content-Type": "message/rfc822"},
    )
    assert posted.json()["status"] == "failed", posted.text
    await page.reload()
    await _settings_ready(page)
    [row] = await settings.failed_rows().all()
    await expect(row).to_contain_text("no sender")
    href = await row.get_by_role("link", name="Download").get_attribute("href")
    assert href is not None
    assert await (await page.request.get(live_url + href)).body() == unreadable
    await row.get_by_role("button", name="Process again").click()
    await expect(row.locator("[data-inbound-result]")).to_have_text("Still unreadable.", timeout=TIMEOUT)
    await _picture(page.get_by_test_id("mail-failed"), "settings-email-failed")


async def test_email_screens_in_turkish(
    new_page: NewPage, live_url: str, http: httpx.AsyncClient, shop: Tenant
) -> None:
    inbox_id, token = await email_inbox(http, shop, None)  # no SMTP server: replies fail, with the reason
    away = html_mail(
        subject="Otomatik yanıt: Siparişim gelmedi",
        body="Ofis dışındayım, siparişim hâlâ gelmedi diye yazmıştım.",
        message_id="away@musteri.com.tr",
        headers={"Auto-Submitted": "auto-replied"},
    )
    assert (await post_mail(http, token, away)).json()["status"] == "processed"
    [item] = [c for c in await conversations(http, shop) if c["subject"]]

    inbox = await log_in(new_page, live_url, shop.agent.email, locale="tr-TR")
    page = inbox.page
    thread = MailThread(inbox)
    await thread.write_first("deniz@musteri.com.tr", "Faturanız", "Merhaba Deniz, faturanız ektedir.")
    status = thread.status("faturanız ektedir")
    await expect(status).to_contain_text("⚠ Gönderilemedi", timeout=TIMEOUT)
    await expect(status.get_by_role("button", name="Yeniden dene")).to_be_visible()
    await expect(thread.meta("faturanız ektedir").locator("summary")).to_have_text(
        "Kime: deniz@musteri.com.tr"
    )
    await _no_english(page.locator("#conv"), "dashboard")

    await inbox.open_conversation(item["number"])
    message = inbox.message("Ofis dışındayım")
    await expect(message.locator(".mail-tag")).to_have_text("Otomatik yanıt")
    await message.locator(".mail-meta summary").click()
    await expect(message.locator(".mail-facts dt")).to_have_text(["Kimden", "Kime", "Bilgi", "Tarih", "Konu"])
    await expect(page.locator("#cc-toggle")).to_have_text("Bilgi/Gizli")
    await _no_english(page.locator("#conv"), "dashboard")
    await thread.open_html("Ofis dışındayım")
    await expect(page.locator("#load-images")).to_have_text("Resimleri yükle")
    await _no_english(page.locator("#mail-dialog"), "dashboard")
    await page.keyboard.press("Escape")
    await save_screenshot(page, "email-conversation-tr")

    admin = await new_page(locale="tr-TR")
    await sign_in_to(admin, live_url, f"/app/{shop.account_id}/settings/inboxes/{inbox_id}", shop.owner.email)
    await _settings_ready(admin)
    await expect(admin.get_by_role("heading", name="Okunamayan e-postalar")).to_be_visible()
    mail_settings = EmailSettings(admin)
    await expect(mail_settings.secret_state("ingest_token")).to_have_text("Kaydedildi")
    # A value the server refuses is explained in Turkish beside its field, not in the API's English.
    await mail_settings.field("poll_seconds").fill("2")
    await mail_settings.save()
    await expect(admin.locator('[data-error-for="settings.poll_seconds"]')).to_have_text(
        "5 ile 3600 saniye (bir saat) arasında olmalı.", timeout=TIMEOUT
    )
    for section in ("email-channel", "mail-failed"):
        await _no_english(admin.get_by_test_id(section), "settings")


async def _picture(part: Locator, name: str) -> None:
    """A picture of one part of the page for a reviewer (and the docs): test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await part.screenshot(path=str(ARTIFACTS / f"{name}.png"))


async def _settings_ready(page: Page) -> None:
    await expect(page.locator("body")).to_have_attribute("data-settings-ready", "true")


async def _no_english(root: Locator, domain: str) -> None:
    """None of the area's English UI texts shows in `root` (people's names, which the tests' factories
    write in English, left out)."""
    text = re.sub(r"\b(Agent|Owner) \d+\b", "", await visible_texts(root))  # the factories' names
    english = [key for key, value in i18n._catalog("tr", domain).items() if value != key]
    found = [key for key in english if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", text)]
    assert not found, f"English on a Turkish screen: {found}\n---\n{text}"
