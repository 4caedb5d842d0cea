"""Mail fetched by IMAP from a real dovecot on loopback, through the running consumers: new mail
becomes conversations, is flagged once stored, and a server that dies in the middle loses and doubles
nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from destek.channels import service as channels
from destek.channels.models import ChannelConfig
from destek.config import Settings
from destek.state import AppState
from tests.channels.email.flow import conversations, email_inbox, mail, messages
from tests.channels.email.servers import Dovecot, HttpRequest, JsonHttpServer, MailUser
from tests.support.factories import Tenant
from tests.support.factories_fixtures import make_settings


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, run_consumers=True, catchup_seconds=0.2)


def _imap(dovecot: Dovecot, user: MailUser, **extra: Any) -> dict[str, Any]:
    return {
        "imap_host": dovecot.host,
        "imap_port": dovecot.plain_port,
        "imap_security": "starttls",
        "imap_username": user.name,
        "poll_seconds": 5,
        **extra,
    }


async def _connected(state: AppState, inbox_id: int, *, timeout: float = 15) -> dict[str, Any]:
    """The fetcher's cursor once it has looked at the mailbox."""
    for _ in range(int(timeout / 0.1)):
        async with state.read() as session:
            config = await session.scalar(select(ChannelConfig).where(ChannelConfig.inbox_id == inbox_id))
        if config is not None and "uidvalidity" in config.state:
            return dict(config.state)
        await asyncio.sleep(0.1)
    raise AssertionError("the fetcher never connected")


async def _until(
    client: httpx.AsyncClient, tenant: Tenant, count: int, *, timeout: float = 20
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for _ in range(int(timeout / 0.1)):
        found = await conversations(client, tenant)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"{len(found)} conversations, expected {count}")


async def _connect(
    client: httpx.AsyncClient, tenant: Tenant, dovecot: Dovecot, user: MailUser, **extra: Any
) -> int:
    inbox_id, _ = await email_inbox(client, tenant, None, **_imap(dovecot, user, **extra))
    put = await client.put(
        tenant.url(f"/inboxes/{inbox_id}/channel"),
        json={"secrets": {"imap_password": user.password}},
        headers=tenant.owner.headers,
    )
    assert put.status_code == 200, put.text
    return inbox_id


async def test_new_mail_is_fetched_flagged_and_threaded(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, dovecot: Dovecot
) -> None:
    user = dovecot.add_user()
    old, _ = mail(subject="From before the inbox was connected")
    await asyncio.to_thread(dovecot.append, user, old)
    inbox_id = await _connect(client, tenant, dovecot, user)
    await _connected(state, inbox_id)

    first, first_id = mail(subject="Masa 4 QR kodu açılmıyor", body="QR kodu okutunca hata veriyor.")
    uid = await asyncio.to_thread(dovecot.append, user, first)
    [item] = await _until(client, tenant, 1)  # the older mail stayed out
    assert item["subject"] == "Masa 4 QR kodu açılmıyor"
    assert [m["content"] for m in await messages(client, tenant, item["number"])] == [
        "QR kodu okutunca hata veriyor."
    ]
    for _ in range(50):
        if "\\Seen" in (await asyncio.to_thread(dovecot.flags, user, uid) or set()):
            break
        await asyncio.sleep(0.1)
    assert "\\Seen" in (await asyncio.to_thread(dovecot.flags, user, uid) or set())

    reply, _ = mail(
        subject="Re: Masa 4 QR kodu açılmıyor", body="Düzeldi, teşekkürler.", in_reply_to=first_id
    )
    await asyncio.to_thread(dovecot.append, user, reply)
    for _ in range(100):
        if len(await messages(client, tenant, item["number"])) == 2:
            break
        await asyncio.sleep(0.1)
    assert [m["content"] for m in await messages(client, tenant, item["number"])][
        -1
    ] == "Düzeldi, teşekkürler."
    assert len(await conversations(client, tenant)) == 1


async def test_a_server_that_dies_mid_sync_loses_and_doubles_nothing(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, dovecot: Dovecot
) -> None:
    user = dovecot.add_user()
    inbox_id = await _connect(client, tenant, dovecot, user, imap_after="keep")
    before = await _connected(state, inbox_id)
    for n in range(3):
        raw, _ = mail(sender=f"Müşteri {n} <m{n}@musteri.test>", subject=f"Soru {n}")
        await asyncio.to_thread(dovecot.append, user, raw)
    await _until(client, tenant, 3)

    await asyncio.to_thread(dovecot.stop)
    for _ in range(100):  # the fetcher notices and says so in Settings
        async with state.read() as session:
            config = await session.scalar(select(ChannelConfig).where(ChannelConfig.inbox_id == inbox_id))
        if config is not None and config.problem:
            break
        await asyncio.sleep(0.1)
    assert config is not None and config.problem
    await asyncio.to_thread(dovecot.start)
    for n in range(3, 5):
        raw, _ = mail(sender=f"Müşteri {n} <m{n}@musteri.test>", subject=f"Soru {n}")
        await asyncio.to_thread(dovecot.append, user, raw)
    found = await _until(client, tenant, 5, timeout=40)
    await asyncio.sleep(1)  # a double would show up by now
    found = await conversations(client, tenant)
    assert sorted(c["subject"] for c in found) == [f"Soru {n}" for n in range(5)]
    async with state.read() as session:
        config = await session.scalar(select(ChannelConfig).where(ChannelConfig.inbox_id == inbox_id))
    assert config is not None
    assert config.state["uidvalidity"] == before["uidvalidity"]
    assert config.problem == ""


async def test_a_mailbox_connected_with_xoauth2_is_fetched_and_its_rotated_token_kept(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, dovecot: Dovecot
) -> None:
    user = dovecot.add_user()
    access = dovecot.issue_token(user)

    def token_endpoint(request: HttpRequest) -> tuple[int, dict[str, str], dict[str, Any]]:
        # As Microsoft's token endpoint answers a refresh: a new access token and a rotated refresh token.
        if request.form.get("grant_type") != "refresh_token" or request.form.get("refresh_token") not in (
            "first-refresh-token",
            "rotated-refresh-token",
        ):
            return 400, {}, {"error": "invalid_grant", "error_description": "AADSTS70000: bad grant"}
        return (
            200,
            {},
            {
                "token_type": "Bearer",
                "scope": "https://outlook.office.com/IMAP.AccessAsUser.All",
                "expires_in": 3599,
                "access_token": access,
                "refresh_token": "rotated-refresh-token",
            },
        )

    with JsonHttpServer(token_endpoint) as tokens:
        inbox_id, _ = await email_inbox(
            client,
            tenant,
            None,
            **_imap(
                dovecot,
                user,
                auth="oauth2",
                oauth_provider="custom",
                oauth_token_url=f"{tokens.url}/token",
                oauth_client_id="destek-test-client",
            ),
        )
        put = await client.put(
            tenant.url(f"/inboxes/{inbox_id}/channel"),
            json={"secrets": {"oauth_client_secret": "s3cret", "oauth_refresh_token": "first-refresh-token"}},
            headers=tenant.owner.headers,
        )
        assert put.status_code == 200, put.text
        await _connected(state, inbox_id)
        raw, _ = mail(subject="OAuth ile gelen posta")
        await asyncio.to_thread(dovecot.append, user, raw)
        [item] = await _until(client, tenant, 1)
        assert item["subject"] == "OAuth ile gelen posta"
        assert tokens.requests[0].form["client_id"] == "destek-test-client"
    async with state.read() as session:
        config = await session.scalar(select(ChannelConfig).where(ChannelConfig.inbox_id == inbox_id))
    assert config is not None
    assert channels.open_secrets(config, state.sealer)["oauth_refresh_token"] == "rotated-refresh-token"
