"""Widget settings: validated when saved, shown in the public config, and allowed_domains enforced on
browsers (the public API, the contacts' websocket, and frame-ancestors on the chat page)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from destek.channels.widget.settings import WidgetSettings, frame_ancestors, origin_allowed
from destek.state import AppState
from tests.channels.widget.helpers import bearer, visitor
from tests.support.factories import Tenant


async def _patch(client: httpx.AsyncClient, tenant: Tenant, settings: dict[str, Any]) -> httpx.Response:
    return await client.patch(
        tenant.url(f"/inboxes/{tenant.inbox_id}"), json={"settings": settings}, headers=tenant.owner.headers
    )


async def test_settings_are_validated_when_saved(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bad: list[tuple[dict[str, Any], str]] = [
        ({"color": "blue"}, "settings.color"),
        ({"position": "top"}, "settings.position"),
        ({"greetings": {"english": "Hi"}}, "settings.greetings"),
        ({"reply_time": "soon"}, "settings.reply_time"),
        ({"pre_chat_fields": [{"field": "age"}]}, "settings.pre_chat_fields.0.field"),
        ({"pre_chat_fields": [{"field": "name"}, {"field": "name"}]}, "settings.pre_chat_fields"),
        ({"allowed_domains": ["not a domain"]}, "settings.allowed_domains"),
        ({"allowed_domains": ["ftp://shop.example.com"]}, "settings.allowed_domains"),
    ]
    for settings, field in bad:
        response = await _patch(client, tenant, settings)
        assert response.status_code == 422, settings
        assert response.json()["error"]["field"] == field, response.text
    good = await _patch(
        client,
        tenant,
        {
            "color": "#B45309",
            "position": "left",
            "greetings": {"tr": "Merhaba!", "en": "Hello!"},
            "pre_chat_fields": [{"field": "email", "required": True}],
            "reply_time": "hours",
            "reply_notice": {"tr": "Hafta içi 09-18 arası yanıt veriyoruz"},
            "allowed_domains": ["https://Shop.Example.com/", "*.example.org", "localhost:3000"],
            "helpdesk_extra": {"enabled": False},  # another feature's key: kept as it is
        },
    )
    assert good.status_code == 200, good.text
    stored = good.json()["settings"]
    assert stored["color"] == "#b45309"
    assert stored["allowed_domains"] == ["shop.example.com", "*.example.org", "localhost:3000"]
    assert stored["helpdesk_extra"] == {"enabled": False}


async def test_the_public_config_shows_the_widget_settings(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await _patch(
        client,
        tenant,
        {
            "color": "#fde047",  # a light yellow: dark text reads better on it
            "pre_chat_fields": [{"field": "name"}, {"field": "email", "required": True}],
            "reply_time": "minutes",
            "reply_notice": {"tr": "Hafta içi 09-18", "en": "Weekdays 9-18"},
        },
    )
    config = (await client.get(tenant.public(), params={"locale": "tr"})).json()
    assert (config["color"], config["text_color"]) == ("#fde047", "#111827")
    assert config["pre_chat_fields"] == [
        {"field": "name", "required": False},
        {"field": "email", "required": True},
    ]
    assert (config["reply_time"], config["reply_notice"]) == ("minutes", "Hafta içi 09-18")
    english = (await client.get(tenant.public(), params={"locale": "en"})).json()
    assert english["reply_notice"] == "Weekdays 9-18"
    await _patch(client, tenant, {"color": "#1e3a8a"})
    assert (await client.get(tenant.public())).json()["text_color"] == "#ffffff"


async def test_allowed_domains_are_enforced_for_browsers(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    await _patch(client, tenant, {"allowed_domains": ["shop.example.com", "*.example.org"]})
    calls = [
        ("GET", tenant.public()),
        ("POST", tenant.public("/contacts")),
        ("GET", tenant.public("/conversations")),
    ]
    for method, url in calls:
        for origin in ("https://shop.example.com", "https://app.example.org", None, "http://testserver"):
            headers = {**bearer(me["token"]), **({"Origin": origin} if origin else {})}
            response = await client.request(
                method, url, headers=headers, json={} if method == "POST" else None
            )
            assert response.status_code in (200, 201), (method, url, origin, response.text)
        for origin in ("https://evil.example.net", "https://shop.example.com.evil.net", "null"):
            response = await client.request(
                method,
                url,
                headers={**bearer(me["token"]), "Origin": origin},
                json={} if method == "POST" else None,
            )
            assert response.status_code == 403, (method, url, origin)
            error = response.json()["error"]
            assert error["code"] == "forbidden" and "allowed domains" in error["message"]
    # The chat's own pages behind a proxy that rewrites Host: recognised by the public URL.
    own = state.settings.public_url
    assert own
    response = await client.get(tenant.public(), headers={"Origin": own, "Host": "backend.internal:8000"})
    assert response.status_code == 200, response.text
    # With no list, any site may embed the chat.
    await _patch(client, tenant, {"allowed_domains": []})
    response = await client.get(tenant.public(), headers={"Origin": "https://evil.example.net"})
    assert response.status_code == 200


async def test_the_contacts_websocket_checks_the_origin(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    from tests.support.server import WsClient, serving

    me = await visitor(client, tenant)
    await _patch(client, tenant, {"allowed_domains": ["shop.example.com"]})
    frame = f'{{"type": "subscribe", "inbox": "{tenant.inbox_token}", "token": "{me["token"]}"}}'
    async with serving(state) as base:
        url = base.replace("http://", "ws://") + "/api/v1/public/ws"
        for origin, allowed in [("https://shop.example.com", True), ("https://evil.example.net", False)]:
            async with connect(url, origin=origin, open_timeout=5) as ws:  # type: ignore[arg-type]
                await ws.send(frame)
                ws_client = WsClient(ws)
                if allowed:
                    assert (await ws_client.recv())["type"] == "subscribed"
                else:
                    with pytest.raises(ConnectionClosed) as closed:
                        await ws_client.recv()
                    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4001


def test_origins_match_hosts_ports_and_wildcards() -> None:
    allowed = WidgetSettings.model_validate(
        {"allowed_domains": "shop.example.com\n*.example.org, localhost:3000"}
    ).allowed_domains
    assert allowed == ["shop.example.com", "*.example.org", "localhost:3000"]
    yes = [
        "https://shop.example.com",
        "http://shop.example.com:8443",
        "https://example.org",
        "https://a.b.example.org",
        "http://localhost:3000",
    ]
    no = [
        "https://example.com",
        "https://evilexample.org",
        "http://localhost:3001",
        "http://localhost",
        "null",
        "file://",
        "https://shop.example.com.evil.net",
    ]
    for origin in yes:
        assert origin_allowed(origin, allowed), origin
    for origin in no:
        assert not origin_allowed(origin, allowed), origin
    assert origin_allowed(None, allowed)  # a native app: no Origin
    assert origin_allowed("https://anything.example", [])
    assert frame_ancestors([]) == "frame-ancestors *"
    assert frame_ancestors(["shop.example.com"]) == (
        "frame-ancestors 'self' https://shop.example.com http://shop.example.com"
    )


def test_stored_settings_are_read_leniently_and_saved_strictly() -> None:
    lenient = WidgetSettings.of({"color": "red", "position": "left", "reply_time": 5, "bot": {"x": 1}})
    assert (lenient.color, lenient.position, lenient.reply_time) == ("#2563eb", "left", "none")
    with pytest.raises(ValidationError):
        WidgetSettings.model_validate({"color": "red"})
    with pytest.raises(ValidationError):
        WidgetSettings.model_validate({"greetings": {"en": "x" * 501}})
