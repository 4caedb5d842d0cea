"""A chat inbox's Settings page: reaching customers who have left (the account's e-mail inboxes to mail
from, push keys shown only as saved or not, the reminders that failed) and the mobile set-up, whose code
is docs/widget.md's with this server and inbox filled in."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import httpx
import pytest

from destek.state import AppState
from destek.web.settings import reach
from tests.channels.email.flow import email_inbox
from tests.push.servers import ec_key, pem, rsa_key
from tests.support.factories import Tenant
from tests.web_settings.helpers import failed_reminder, log_in

DOCS = Path(__file__).resolve().parents[2] / "docs" / "widget.md"
TR = {"Accept-Language": "tr-TR,tr;q=0.9"}
PRIVATE_KEY = pem(rsa_key())  # keys are checked on save: real ones, made for the test
APNS_KEY = pem(ec_key())
SERVICE_ACCOUNT = json.dumps(
    {
        "type": "service_account",
        "project_id": "lokanta-app",
        "private_key_id": "b1c2",
        "private_key": PRIVATE_KEY,
        "client_email": "push@lokanta-app.iam.gserviceaccount.com",
    }
)


def page_url(tenant: Tenant, inbox_id: int | None = None) -> str:
    return f"/app/{tenant.account_id}/settings/inboxes/{inbox_id or tenant.inbox_id}"


async def _configure(client: httpx.AsyncClient, tenant: Tenant, body: dict[str, object]) -> None:
    put = await client.put(
        tenant.url(f"/inboxes/{tenant.inbox_id}/channel"), json=body, headers=tenant.owner.headers
    )
    assert put.status_code == 200, put.text


def _section(page: str, testid: str) -> str:
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</section>", start)]


async def test_a_chat_inbox_shows_how_customers_are_reached(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    mail_id, _ = await email_inbox(client, tenant, None)
    foreign_id, _ = await email_inbox(client, other_tenant, None)
    await _configure(
        client,
        tenant,
        {
            "settings": {
                "email_inbox_id": mail_id,
                "email_after_minutes": 10,
                "chat_url": "https://lokanta.com.tr/destek",
                "push_after_seconds": 45,
                "apns_bundle_id": "tr.com.lokanta.app",
            },
            "secrets": {"fcm_service_account": SERVICE_ACCOUNT},
        },
    )
    await log_in(client, tenant.owner.email)
    response = await client.get(page_url(tenant))
    assert response.status_code == 200, response.text
    page = response.text
    section = _section(page, "reach")
    assert "Reaching customers who have left" in section
    # The account's e-mail inboxes to mail from (with their address), the chosen one selected; never
    # another account's.
    options = re.findall(r'<option value="(\d*)"\s*(selected)?>([^<]*)</option>', section)
    assert [(value, bool(chosen), text) for value, chosen, text in options] == [
        ("", False, "Don&#39;t e-mail"),
        (str(mail_id), True, "Lokanta Destek · destek@lokanta.com.tr"),
    ]
    assert f'value="{foreign_id}"' not in section
    assert 'value="10"' in section and 'value="45"' in section
    assert 'value="https://lokanta.com.tr/destek"' in section and 'value="tr.com.lokanta.app"' in section
    assert 'data-testid="reach-no-email"' not in section
    # The keys: only whether they are saved; never their text.
    fcm = re.search(r'data-testid="reach-secret-state-fcm_service_account">([^<]*)<', section)
    apns = re.search(r'data-testid="reach-secret-state-apns_private_key">([^<]*)<', section)
    assert fcm and apns and (fcm[1], apns[1]) == ("Saved", "Not set")
    for secret in ("lokanta-app.iam", PRIVATE_KEY.splitlines()[1], "BEGIN PRIVATE KEY"):
        assert secret not in page
    assert 'src="/static/settings/reach.js' in page
    assert "Mobile apps use the inbox token" not in page  # the one-sentence mobile hint is gone


async def test_the_mobile_setup_is_the_docs_code_for_this_server_and_inbox(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await log_in(client, tenant.owner.email)
    page = (await client.get(page_url(tenant))).text
    section = html.unescape(_section(page, "mobile-setup"))
    token = tenant.inbox_token
    assert (
        f'<code id="mobile-chat-url" data-testid="mobile-chat-url">http://testserver/widget/{token}<'
        in section
    )
    for name in (
        "user_id",
        "user_hash",
        "name",
        "email",
        "locale",
        "app_version",
        "device_model",
        "attr.<key>",
    ):
        assert f"<code>{name}</code>" in section, name
    for key in ("ios-webview", "android-webview", "react-native-webview", "flutter-webview", "ios-push"):
        code = re.search(rf'<code id="code-{key}"[^>]*>(.*?)</code>', section, re.S)
        assert code, key
        expected = reach.filled(
            (reach.SNIPPETS / f"{key}.txt").read_text(), base="http://testserver", token=token
        )
        assert code[1] == expected
    assert "DestekChat.setPushToken('apns'" in section and "DestekChat.setPushToken('fcm'" in section
    assert "hmac.new(secret.encode()" in section and "hash_hmac('sha256'" in section
    assert "PUBLIC_TOKEN" not in section and "support.example.com" not in section
    assert f"Uri.http('testserver', '/widget/{token}'" in section  # this server speaks http
    assert tenant.inbox_secret not in page  # the recipe, never the secret
    # One tab list per set of code, the first tab chosen and the other panels hidden.
    assert section.count('role="tablist"') == 2
    assert re.search(r'id="mobile-panel-android"[^>]*hidden', section)


def test_the_snippets_are_those_of_docs_widget_md() -> None:
    blocks = {code for _lang, code in re.findall(r"```(\w*)\n(.*?)```", DOCS.read_text(), re.S)}
    files = sorted(reach.SNIPPETS.glob("*.txt"))
    used = {s.key for s in [*reach.WEBVIEW.values(), *reach.PUSH_SETUP.values(), *reach.HASHES]}
    assert {f.stem for f in files} == used
    stale = [f.name for f in files if f.read_text(encoding="utf-8") not in blocks]
    assert stale == [], "docs/widget.md changed: copy its code blocks to src/destek/web/settings/snippets/"


@pytest.mark.parametrize(
    ("base", "flutter"),
    [
        ("https://destek.lokanta.com.tr", "Uri.https('destek.lokanta.com.tr', '/widget/T0KEN'"),
        ("http://127.0.0.1:8000", "Uri.http('127.0.0.1:8000', '/widget/T0KEN'"),
    ],
)
def test_snippets_name_this_server(base: str, flutter: str) -> None:
    dart = reach.filled(reach.WEBVIEW["flutter"].source, base=base, token="T0KEN")
    assert flutter in dart
    swift = reach.filled(reach.WEBVIEW["ios"].source, base=base, token="T0KEN")
    assert f'URLComponents(string: "{base}/widget/T0KEN")' in swift


async def test_turkish_page(client: httpx.AsyncClient, tenant: Tenant) -> None:
    ids = {"apns_key_id": "ABC123DEFG", "apns_team_id": "DEF123GHIJ", "apns_bundle_id": "tr.com.lokanta.app"}
    await _configure(client, tenant, {"settings": ids, "secrets": {"apns_private_key": APNS_KEY}})
    await log_in(client, tenant.owner.email)
    page = (await client.get(page_url(tenant), headers=TR)).text
    reach_part = _section(page, "reach")
    assert "Sohbetten ayrılan müşterilere ulaşmak" in reach_part
    assert "E-posta gönderme" in reach_part and "Anlık bildirimler" in reach_part
    apns = re.search(r'data-testid="reach-secret-state-apns_private_key">([^<]*)<', reach_part)
    assert apns and apns[1] == "Kaydedildi"
    assert APNS_KEY.splitlines()[1] not in page
    for english in ("Reaching customers", "Push notifications", "Don&#39;t e-mail", "Not set", "Saved<"):
        assert english not in reach_part, english
    mobile = _section(page, "mobile-setup")
    assert "Mobil uygulama" in mobile and "Sohbetin adresi" in mobile
    assert "<code>user_hash</code>" in mobile  # code stays code inside the Turkish sentences
    prose = re.sub(r"<pre>.*?</pre>", "", mobile, flags=re.S)  # the code is the docs' code, in English
    for english in ("The chat&#39;s address", "Open the chat", "In your app", "For example", "Copy"):
        assert english not in prose, english


async def test_without_an_email_inbox_the_page_says_how_to_make_one(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await log_in(client, tenant.owner.email)
    section = _section((await client.get(page_url(tenant))).text, "reach")
    hint = section[section.index('data-testid="reach-no-email"') :]
    assert f'href="/app/{tenant.account_id}/settings/inboxes#new-inbox"' in hint
    assert re.findall(r'<option value="(\d*)"', section) == [""]
    assert 'data-testid="reach-failed"' not in section  # nothing failed: no table


async def test_failed_reminders_are_listed_with_their_reason(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    number = await failed_reminder(
        state, tenant, kind="push", key="message:1", error="BadDeviceToken (check the app's bundle id)"
    )
    await failed_reminder(state, tenant, kind="reply_email", key="message:2", error="SMTP: 550 no such user")
    await failed_reminder(state, tenant, kind="channel", key="message:3", error="not a reminder")
    await failed_reminder(state, other_tenant, kind="push", key="message:1", error="another account's")
    await log_in(client, tenant.owner.email)
    section = _section((await client.get(page_url(tenant))).text, "reach")
    table = section[section.index('data-testid="reach-failed"') :]
    assert table.count("<tr data-delivery=") == 2
    assert "BadDeviceToken (check the app&#39;s bundle id)" in table and "550 no such user" in table
    assert "not a reminder" not in table and "another account" not in table
    assert f'href="/app/{tenant.account_id}/conversations/{number}">#{number}</a>' in table
    assert "Push notification" in table and "E-mail reminder" in table


async def test_an_email_inbox_has_no_reach_section(client: httpx.AsyncClient, tenant: Tenant) -> None:
    mail_id, _ = await email_inbox(client, tenant, None)
    await log_in(client, tenant.owner.email)
    page = (await client.get(page_url(tenant, mail_id))).text
    assert 'data-testid="email-channel"' in page
    assert 'data-testid="reach"' not in page and 'data-testid="mobile-setup"' not in page
    assert 'src="/static/settings/reach.js' not in page
