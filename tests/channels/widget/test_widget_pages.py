"""The widget's pages over HTTP: the loader, the chat page (headers, config, language), the demo host,
and the size budgets of what a customer's browser downloads."""

from __future__ import annotations

import gzip
import json
import re

import httpx
import pytest

from destek.config import Settings
from destek.demo import load_demo
from destek.demo_stories import CONTACTS
from destek.security import check_identity_hash
from destek.state import AppState
from tests.support.factories import Tenant

LOADER_LIMIT = 10 * 1024  # gzipped
CHAT_JS_LIMIT = 60 * 1024  # gzipped


def _config(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="destek-config">(.*?)</script>', html, re.S)
    assert found, html[:500]
    config: dict[str, object] = json.loads(found.group(1))
    return config


async def test_the_loader_is_served_small_and_briefly_cached(client: httpx.AsyncClient) -> None:
    response = await client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "public, max-age=300"
    assert "data-inbox" in response.text and "postMessage" in response.text
    size = len(gzip.compress(response.content, 9))
    assert size < LOADER_LIMIT, f"widget.js is {size} bytes gzipped (limit {LOADER_LIMIT})"


async def test_the_chat_page_scripts_fit_the_budget(client: httpx.AsyncClient, tenant: Tenant) -> None:
    page = await client.get(f"/widget/{tenant.inbox_token}")
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert scripts, page.text[:300]
    total = 0
    for src in scripts:
        response = await client.get(src)
        assert response.status_code == 200, src
        total += len(gzip.compress(response.content, 9))
    assert total < CHAT_JS_LIMIT, f"the chat page's JS is {total} bytes gzipped (limit {CHAT_JS_LIMIT})"


async def test_the_chat_page_draws_the_inbox(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await client.patch(
        tenant.url(f"/inboxes/{tenant.inbox_id}"),
        json={"settings": {"color": "#fde047", "allowed_domains": ["shop.example.com"]}},
        headers=tenant.owner.headers,
    )
    response = await client.get(f"/widget/{tenant.inbox_token}", params={"locale": "tr"})
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'self' https://shop.example.com http://shop.example.com" in csp
    assert response.headers["cache-control"] == "no-store"
    assert '<html lang="tr">' in response.text
    assert "Mesaj yazın" in response.text  # the composer's placeholder, in Turkish
    config = _config(response.text)
    assert config["inbox"] == tenant.inbox_token
    assert (config["color"], config["text"]) == ("#fde047", "#111827")
    assert config["locale"] == "tr"
    catalogs = config["catalogs"]
    assert isinstance(catalogs, dict) and catalogs["tr"]["Read"] == "Okundu"
    assert tenant.inbox_secret not in response.text

    english = await client.get(f"/widget/{tenant.inbox_token}", headers={"Accept-Language": "en-US"})
    assert '<html lang="en">' in english.text and "Write a message" in english.text


async def test_an_unknown_chat_is_a_clear_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/widget/no-such-inbox")
    assert response.status_code == 404
    assert "Chat not found" in response.text


async def test_the_demo_page_is_only_served_in_demo_mode(client: httpx.AsyncClient, state: AppState) -> None:
    # A server where `destek demo` once ran, now started normally: the demo data is there, but the page
    # (which shows a valid identity hash for a demo contact) is not.
    assert state.settings.demo is False
    await load_demo(state)
    response = await client.get("/widget/demo")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "hash" not in response.text


def test_destek_demo_turns_demo_mode_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from destek import cli, demo_cli

    seen: list[bool] = []

    def stop(settings: Settings) -> None:
        seen.append(settings.demo)
        raise SystemExit(0)

    monkeypatch.setattr(cli, "_migrate", stop)
    with pytest.raises(SystemExit):
        demo_cli.demo(host=None, port=None)
    assert seen == [True]


async def test_the_demo_page_embeds_the_widget_with_a_valid_hash(
    client: httpx.AsyncClient, state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state.settings, "demo", True)
    assert (await client.get("/widget/demo")).status_code == 404  # no demo loaded: nothing to show
    info = await load_demo(state)
    response = await client.get("/widget/demo")
    assert response.status_code == 200
    assert f'data-inbox="{info.inbox_public_token}"' in response.text
    assert "demo" in response.text.lower() and "Demo Cafe" in response.text
    found = re.search(r'<script type="application/json" id="demo-user">(.*?)</script>', response.text, re.S)
    assert found
    user = json.loads(found.group(1))
    assert user["id"] == CONTACTS[0].identifier
    async with state.read() as session:
        from destek.accounts.models import Inbox

        inbox = await session.get(Inbox, info.inbox_id)
        assert inbox is not None
    assert check_identity_hash(inbox.secret, user["id"], user["hash"])
    assert inbox.secret not in response.text


def test_the_demo_banner_points_at_the_widget_demo() -> None:
    from destek.demo import DemoInfo
    from destek.demo_cli import demo_box

    info = DemoInfo(
        account_id=1,
        account_name="Demo Cafe",
        owner_user_id=1,
        owner_email="admin@demo.destek",
        password="destek-demo",
        inbox_id=1,
        inbox_public_token="tok",
        agents=[],
        created=True,
    )
    assert "Chat widget:  http://127.0.0.1:8000/widget/demo" in demo_box(
        "http://127.0.0.1:8000", info, "dtk_x"
    )


async def test_the_chat_trusts_only_an_acceptable_parent_origin(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    async def parent(origin: str, embed: str = "1") -> object:
        response = await client.get(
            f"/widget/{tenant.inbox_token}", params={"embed": embed, "origin": origin}
        )
        assert response.status_code == 200
        return _config(response.text)["parent_origin"]

    # Any site may embed an inbox without allowed domains: the origin is kept (the page then checks it
    # against its real parent); nonsense never is.
    assert await parent("https://shop.example.com") == "https://shop.example.com"
    assert await parent("http://127.0.0.1:8123") == "http://127.0.0.1:8123"
    for bad in [
        "null",
        "javascript:alert(1)",
        "https://evil.example/path",
        "file:///etc",
        "https://a@b.example",
    ]:
        assert await parent(bad) is None, bad
    assert await parent("https://shop.example.com", embed="0") is None

    response = await client.patch(
        tenant.url(f"/inboxes/{tenant.inbox_id}"),
        json={"settings": {"allowed_domains": ["shop.example.com"]}},
        headers=tenant.owner.headers,
    )
    assert response.status_code == 200, response.text
    assert await parent("https://evil.example") is None
    assert await parent("https://shop.example.com") == "https://shop.example.com"
