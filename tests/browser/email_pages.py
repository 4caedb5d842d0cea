"""Page objects and mails for the e-mail browser tests: the parts of the dashboard an e-mail conversation
adds (addresses, folded quote, original HTML, delivery status, Cc/Bcc, New e-mail) and an e-mail inbox's
Settings page."""

from __future__ import annotations

import email.utils
import struct
import zlib
from email.message import EmailMessage

from playwright.async_api import FrameLocator, Locator, Page, expect

from tests.browser.dashboard_pages import TIMEOUT, InboxPage
from tests.channels.email.flow import ADDRESS


def png(width: int = 40, height: int = 16) -> bytes:
    """A real (small, red) PNG: the mail's inline logo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xb4\x23\x18" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


QUOTE = "> Dün sipariş verdim.\n> Ayşe"


def html_mail(
    *,
    subject: str = "Siparişim gelmedi",
    body: str = "Merhaba, siparişim hâlâ gelmedi.",
    cc: str | None = "Mehmet Kaya <mehmet@musteri.com.tr>",
    message_id: str = "first@musteri.com.tr",
    headers: dict[str, str] | None = None,
) -> bytes:
    """A customer's mail as mail programs write it: text (the new lines, then the quoted history) and
    HTML with an inline logo (cid:) and a remote tracking image."""
    message = EmailMessage()
    message["From"] = "Ayşe Yılmaz <ayse@musteri.com.tr>"
    message["To"] = f"Lokanta Destek <{ADDRESS}>"
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate()
    message["Message-ID"] = f"<{message_id}>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(f"{body}\n\n3 Ara 2025 Çar, 10:12 tarihinde Lokanta Destek şunu yazdı:\n{QUOTE}\n")
    message.add_alternative(
        f'<p style="color:#1d4ed8">{body}</p><p><img src="cid:logo@musteri.com.tr" alt="logo" width="40">'
        '<img src="https://tracker.invalid/open.gif" alt="tracker"></p>'
        "<script>alert('never')</script><blockquote>Dün sipariş verdim.</blockquote>",
        subtype="html",
    )
    html = message.get_payload()[1]
    html.add_related(png(), "image", "png", cid="<logo@musteri.com.tr>", filename="logo.png")
    return bytes(message)


class MailThread:
    """The open e-mail conversation in the dashboard."""

    def __init__(self, inbox: InboxPage) -> None:
        self.inbox, self.page = inbox, inbox.page

    @property
    def subject(self) -> Locator:
        return self.page.get_by_test_id("conv-subject")

    def meta(self, text: str) -> Locator:
        return self.inbox.message(text).locator(".mail-meta")

    def quote_toggle(self, text: str) -> Locator:
        return self.inbox.message(text).locator(".quoted-toggle")

    def quoted(self, text: str) -> Locator:
        return self.inbox.message(text).locator(".mail-quoted")

    def status(self, text: str) -> Locator:
        return self.inbox.message(text).locator(".msg-status")

    @property
    def frame(self) -> FrameLocator:
        return self.page.frame_locator("#mail-frame")

    async def open_html(self, text: str) -> None:
        await self.inbox.message(text).locator(".mail-html").click()
        await expect(self.page.locator("#mail-dialog")).to_be_visible()

    @property
    def cc(self) -> Locator:
        return self.page.get_by_test_id("mail-cc")

    @property
    def bcc(self) -> Locator:
        return self.page.get_by_test_id("mail-bcc")

    async def write_first(self, to: str, subject: str, text: str) -> None:
        """New e-mail: the dialog filled and sent; the new conversation opens."""
        await self.page.get_by_test_id("new-mail").click()
        await self.page.get_by_test_id("newmail-to").fill(to)
        await self.page.get_by_test_id("newmail-subject").fill(subject)
        await self.page.get_by_test_id("newmail-text").fill(text)
        await self.page.get_by_test_id("newmail-send").click()
        await expect(self.page.locator("#newmail-dialog")).to_be_hidden(timeout=TIMEOUT)
        await expect(self.subject).to_have_text(subject, timeout=TIMEOUT)


class EmailSettings:
    """An e-mail inbox's Settings page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.form = page.get_by_test_id("email-form")

    def field(self, name: str) -> Locator:
        return self.page.get_by_test_id(f"mail-{name}")

    def secret(self, name: str) -> Locator:
        return self.page.get_by_test_id(f"secret-{name}")

    def secret_state(self, name: str) -> Locator:
        return self.page.get_by_test_id(f"secret-state-{name}")

    async def save(self) -> None:
        await self.page.get_by_test_id("mail-save").click()

    @property
    def saved(self) -> Locator:
        return self.page.get_by_test_id("mail-status")

    @property
    def check_result(self) -> Locator:
        return self.page.get_by_test_id("mail-check-result")

    @property
    def problem(self) -> Locator:
        return self.page.get_by_test_id("channel-problem")

    def failed_rows(self) -> Locator:
        return self.page.get_by_test_id("mail-failed").locator("tr[data-inbound]")


# What people and servers wrote (not the UI's words): left out of visible_texts.
DATA = ".msg-sender, .msg-body, .mail-quoted, .failed-reason, .problem-box span, [data-inbound-error]"


async def visible_texts(root: Locator) -> str:
    """What the UI says in `root`: its text and the placeholders, titles and labels of its elements,
    without what people and servers wrote (DATA)."""
    text: str = await root.evaluate(
        """(root, data) => {
            let text = root.innerText;
            for (const node of root.querySelectorAll(data)) text = text.replace(node.innerText, "");
            const names = ['placeholder', 'title', 'aria-label'];
            const attributes = [...root.querySelectorAll('[placeholder], [title], [aria-label]')]
                .filter(node => node.checkVisibility())
                .flatMap(node => names.map(name => node.getAttribute(name) || ''));
            return [text, ...attributes].join('\\n');
        }""",
        DATA,
    )
    return text
