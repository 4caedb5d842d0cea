"""An e-mail's original HTML in the dashboard: cleaned (no script, no event handler, no javascript:
link), remote images left out until asked for, inline images shown from the mail's own files, served
with a CSP that runs nothing and frames only in the dashboard; other accounts' messages are 404."""

from __future__ import annotations

import email.utils
import re
from email.message import EmailMessage

import httpx

from destek.web.dashboard.mail import clean_mail_html
from tests.channels.email.flow import ADDRESS, conversations, email_inbox, messages, post_mail
from tests.support.factories import Tenant
from tests.web_settings.helpers import log_in

PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf000000020001e221bc330000000049454e44ae426082"
)
HTML = """<html><head><title>t</title><style>body{background:url(https://tracker.test/s.png)}</style>
<script>alert('head')</script></head>
<body onload="alert('body')">
<p style="color:#b42318;position:fixed;background-image:url(https://tracker.test/bg.png)">Merhaba,
<b>siparişim</b> gelmedi.</p>
<img src="https://tracker.test/open.gif?u=ayse" alt="tracker" width="1" height="1">
<img src="cid:logo@musteri.test" alt="logo">
<img src="x" onerror="alert('img')">
<a href="javascript:alert('link')">tıkla</a> <a href="https://musteri.test/siparis">sipariş</a>
<a href="/app/1/settings">içeri</a>
<form action="https://evil.test"><input name="password"></form>
<iframe src="https://evil.test"></iframe>
<script>alert('body')</script>
</body></html>"""


def html_mail() -> bytes:
    message = EmailMessage()
    message["From"] = "Ayşe Yılmaz <ayse@musteri.test>"
    message["To"] = ADDRESS
    message["Subject"] = "Sipariş gelmedi"
    message["Date"] = email.utils.formatdate()
    message["Message-ID"] = "<html-1@musteri.test>"
    message.set_content("Merhaba, siparişim gelmedi.")
    message.add_alternative(HTML, subtype="html")
    html_part = message.get_payload()[1]
    html_part.add_related(PIXEL, "image", "png", cid="<logo@musteri.test>", filename="logo.png")
    return bytes(message)


async def _mail_conversation(client: httpx.AsyncClient, tenant: Tenant) -> tuple[int, int]:
    """(conversation number, message id) of a customer's HTML mail in a new e-mail inbox."""
    _, token = await email_inbox(client, tenant, None)
    response = await post_mail(client, token, html_mail())
    assert response.json()["status"] == "processed", response.text
    [item] = await conversations(client, tenant)
    [message] = await messages(client, tenant, item["number"])
    return int(item["number"]), int(message["id"])


def _url(tenant: Tenant, number: int, message_id: int) -> str:
    return f"/app/{tenant.account_id}/conversations/{number}/messages/{message_id}/html"


async def test_the_html_is_cleaned_and_remote_images_wait(client: httpx.AsyncClient, tenant: Tenant) -> None:
    number, message_id = await _mail_conversation(client, tenant)
    await log_in(client, tenant.agent.email)
    page = await client.get(_url(tenant, number, message_id))
    assert page.status_code == 200, page.text
    body = page.text
    assert "siparişim" in body and 'href="https://musteri.test/siparis"' in body
    for bad in ("<script", "alert(", "onload", "onerror", "javascript:", "<form", "<iframe", "<style"):
        assert bad not in body.split("</style>", 1)[1], bad  # after the document's own <style>
    assert "tracker.test" not in body  # no remote image, no background image, before the agent asks
    assert "position" not in body and "color:#b42318" in body
    assert 'href="/app/' not in body  # a relative link would lead into the dashboard
    # The inline image is the mail's own attachment, served from our files.
    [logo] = re.findall(r'<img src="(/files/[^"]+)" alt="logo"', body)
    assert (await client.get(logo)).status_code == 200
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "img-src 'self' data:;" in policy and "sandbox allow-popups" in policy
    assert "frame-ancestors 'self'" in policy and page.headers["x-frame-options"] == "SAMEORIGIN"
    assert page.headers["x-destek-blocked-images"] == "1"
    assert page.headers["cache-control"] == "no-store"

    loaded = await client.get(_url(tenant, number, message_id), params={"images": "1"})
    assert 'src="https://tracker.test/open.gif?u=ayse"' in loaded.text
    assert "https:" in loaded.headers["content-security-policy"].split("img-src", 1)[1].split(";")[0]
    assert "<script" not in loaded.text and "tracker.test/bg.png" not in loaded.text


async def test_other_accounts_and_other_messages_are_not_found(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    number, message_id = await _mail_conversation(client, other_tenant)
    await log_in(client, tenant.owner.email)
    # Another account's page, and its message id under this account's conversation numbers.
    assert (await client.get(_url(other_tenant, number, message_id))).status_code == 404
    assert (await client.get(_url(tenant, number, message_id))).status_code == 404
    own_number, own_id = await _mail_conversation(client, tenant)
    foreign = await client.get(_url(tenant, own_number, message_id))
    assert foreign.status_code == 404 and "siparişim" not in foreign.text
    assert foreign.headers["content-type"].startswith("text/html")
    assert (await client.get(_url(tenant, own_number, own_id))).status_code == 200
    # Logged out: the login page, and nothing of the mail.
    client.cookies.clear()
    away = await client.get(_url(tenant, own_number, own_id))
    assert away.status_code == 303 and away.headers["location"].startswith("/login")


def test_the_cleaner_keeps_mail_layout_and_drops_what_could_leak_or_run() -> None:
    cleaned = clean_mail_html(
        '<table width="600" bgcolor="#fff" onclick="x()"><tr><td valign="top" style="padding:4px;'
        'background:url(//t.test/a.png);list-style-image:url(https://t.test/b.png)">'
        '<font color="red" face="Arial">hi</font></td></tr></table>'
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="embedded">'
        '<img src="data:text/html;base64,PHNjcmlwdD4=" alt="page">'
        '<img src="//t.test/c.png"><img src="CID:Logo@X" alt="inline">'
        '<a href="data:text/html,hi">d</a><a href="mailto:a@b.test">m</a>',
        inline={"<logo@x>": "/files/7/key/logo.png"},
        remote_images=False,
    )
    html = cleaned.html
    assert '<table width="600" bgcolor="#fff">' in html and 'valign="top"' in html
    assert 'style="padding:4px"' in html and '<font color="red" face="Arial">' in html
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in html
    assert "data:text/html" not in html and "t.test" not in html
    assert '<img src="/files/7/key/logo.png" alt="inline">' in html
    assert 'href="mailto:a@b.test"' in html and 'target="_blank"' in html
    assert cleaned.blocked_images == 1
