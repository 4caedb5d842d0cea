"""Inboxes: admins create and configure them; agents see only theirs, and never the secret."""

from __future__ import annotations

import httpx

from destek.bot.settings import DEFAULT_THRESHOLD
from tests.accounts.helpers import error, field_error
from tests.support.factories import Tenant


async def test_create_configure_and_rotate(client: httpx.AsyncClient, tenant: Tenant) -> None:
    owner = tenant.owner.headers
    created = await client.post(
        tenant.url("/inboxes"),
        json={
            "name": "Support mail",
            "channel_type": "email",
            "settings": {"address": "help@example.com"},
            "identity_verification": True,
        },
        headers=owner,
    )
    assert created.status_code == 201
    inbox = created.json()
    assert inbox["name"] == "Support mail"
    assert inbox["channel_type"] == "email"
    assert inbox["settings"]["address"] == "help@example.com"  # the channel's settings, with their defaults
    assert inbox["identity_verification"] is True
    assert inbox["member_ids"] == []
    assert len(inbox["public_token"]) >= 20
    assert len(inbox["secret"]) >= 32
    url = tenant.url(f"/inboxes/{inbox['id']}")
    assert (await client.get(url, headers=owner)).json() == inbox

    changed = await client.patch(
        url,
        json={"name": "Mail", "settings": {"signature": "Acme"}, "identity_verification": False},
        headers=owner,
    )
    assert changed.status_code == 200
    assert changed.json()["name"] == "Mail"
    shown = changed.json()["settings"]
    assert (shown["address"], shown["signature"]) == ("help@example.com", "Acme")
    assert changed.json()["identity_verification"] is False
    assert changed.json()["secret"] == inbox["secret"]
    assert changed.json()["public_token"] == inbox["public_token"]

    rotated = await client.patch(url, json={"rotate_secret": True}, headers=owner)
    assert rotated.json()["secret"] != inbox["secret"]
    assert (await client.get(url, headers=owner)).json()["secret"] == rotated.json()["secret"]


async def test_agents_see_only_their_inboxes_without_secret(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    owner, agent = tenant.owner.headers, tenant.agent.headers
    other = (
        await client.post(tenant.url("/inboxes"), json={"name": "VIP", "channel_type": "api"}, headers=owner)
    ).json()
    assert [i["id"] for i in (await client.get(tenant.url("/inboxes"), headers=owner)).json()] == [
        tenant.inbox_id,
        other["id"],
    ]

    mine = (await client.get(tenant.url("/inboxes"), headers=agent)).json()
    assert [i["id"] for i in mine] == [tenant.inbox_id]
    assert "secret" not in mine[0]
    assert mine[0]["member_ids"] == [tenant.agent.user_id]
    single = (await client.get(tenant.url(f"/inboxes/{tenant.inbox_id}"), headers=agent)).json()
    assert "secret" not in single
    assert single["public_token"] == tenant.inbox_token
    error(await client.get(tenant.url(f"/inboxes/{other['id']}"), headers=agent), 404)

    # Once a member, the agent sees it.
    members = await client.put(
        tenant.url(f"/inboxes/{other['id']}/members"),
        json={"user_ids": [tenant.agent.user_id]},
        headers=owner,
    )
    assert members.status_code == 200
    assert members.json()["member_ids"] == [tenant.agent.user_id]
    seen = await client.get(tenant.url(f"/inboxes/{other['id']}"), headers=agent)
    assert seen.status_code == 200
    assert "secret" not in seen.json()
    assert len((await client.get(tenant.url("/inboxes"), headers=agent)).json()) == 2

    # And no longer when removed.
    await client.put(tenant.url(f"/inboxes/{other['id']}/members"), json={"user_ids": []}, headers=owner)
    error(await client.get(tenant.url(f"/inboxes/{other['id']}"), headers=agent), 404)


async def test_inbox_bad_input_and_permissions(client: httpx.AsyncClient, tenant: Tenant) -> None:
    owner, agent = tenant.owner.headers, tenant.agent.headers
    url = tenant.url("/inboxes")
    field_error(
        await client.post(url, json={"name": "Fax", "channel_type": "fax"}, headers=owner), "channel_type"
    )
    field_error(await client.post(url, json={"channel_type": "widget"}, headers=owner), "name")
    field_error(await client.post(url, json={"name": "", "channel_type": "widget"}, headers=owner), "name")
    field_error(
        await client.post(url, json={"name": "W", "channel_type": "widget", "settings": []}, headers=owner),
        "settings",
    )
    inbox_url = tenant.url(f"/inboxes/{tenant.inbox_id}")
    field_error(
        await client.patch(inbox_url, json={"identity_verification": "sometimes"}, headers=owner),
        "identity_verification",
    )
    error(await client.get(tenant.url("/inboxes/99999"), headers=owner), 404)
    error(await client.patch(tenant.url("/inboxes/99999"), json={"name": "X"}, headers=owner), 404)
    unknown_member = await client.put(inbox_url + "/members", json={"user_ids": [99999]}, headers=owner)
    assert error(unknown_member, 404)["field"] == "user_ids"

    for response in (
        await client.post(url, json={"name": "Mine", "channel_type": "widget"}, headers=agent),
        await client.patch(inbox_url, json={"rotate_secret": True}, headers=agent),
        await client.put(inbox_url + "/members", json={"user_ids": []}, headers=agent),
    ):
        assert "administrator" in error(response, 403)["message"]
    error(await client.get(url), 401)


async def test_inbox_never_shows_the_bot_secret_and_bot_settings_go_through_the_bot_api(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    owner, agent = tenant.owner.headers, tenant.agent.headers
    secret = "s3cret-webhook-key-0123456789"
    configured = await client.patch(
        tenant.url(f"/inboxes/{tenant.inbox_id}/bot"),
        json={"mode": "external", "webhook_url": "https://93.184.215.14/hook", "webhook_secret": secret},
        headers=owner,
    )
    assert configured.status_code == 200, configured.text
    inbox_url = tenant.url(f"/inboxes/{tenant.inbox_id}")
    for headers in (owner, agent):
        for response in (
            await client.get(tenant.url("/inboxes"), headers=headers),
            await client.get(inbox_url, headers=headers),
        ):
            assert response.status_code == 200
            assert secret not in response.text
        bot = (await client.get(inbox_url, headers=headers)).json()["settings"]["bot"]
        assert bot["webhook_secret_set"] is True
        assert "webhook_secret" not in bot
    # The inbox API refuses bot settings (they are validated by the bot API only).
    refused = await client.patch(
        inbox_url, json={"settings": {"bot": {"answer_threshold": 0.01}}}, headers=owner
    )
    assert field_error(refused, "settings.bot")["message"].endswith("/bot")
    created = await client.post(
        tenant.url("/inboxes"),
        json={"name": "X", "channel_type": "api", "settings": {"bot": {"enabled": True}}},
        headers=owner,
    )
    field_error(created, "settings.bot")
    bot_settings = (await client.get(inbox_url + "/bot", headers=owner)).json()
    assert bot_settings["answer_threshold"] == DEFAULT_THRESHOLD  # unchanged by the refused 0.01
    # Other settings still change, and the bot's secret survives them.
    changed = await client.patch(inbox_url, json={"settings": {"signature": "Acme"}}, headers=owner)
    assert changed.status_code == 200 and secret not in changed.text
    assert (await client.get(inbox_url + "/bot", headers=owner)).json()["webhook_secret_set"] is True
