"""The settings that turn the limits off or scale them, and what the API reference says of them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from destek.config import Settings
from destek.state import AppState
from tests.channels.widget.helpers import bearer, start, visitor
from tests.support.factories import Tenant
from tests.support.factories_fixtures import make_settings


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, rate_limits=False)


def test_the_environment_sets_them(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().rate_limits is True
    assert Settings().rate_limit_scale == 1.0
    monkeypatch.setenv("DESTEK_RATE_LIMITS", "false")
    monkeypatch.setenv("DESTEK_RATE_LIMIT_SCALE", "2.5")
    assert Settings().rate_limits is False
    assert Settings().rate_limit_scale == 2.5


async def test_turned_off_nothing_is_limited(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    started = await start(client, tenant, me["token"])
    url = tenant.public(f"/conversations/{started['conversation']['id']}/messages")
    sent = await asyncio.gather(
        *(client.post(url, json={"content": f"{i}"}, headers=bearer(me["token"])) for i in range(80))
    )
    assert {response.status_code for response in sent} == {201}


async def test_the_api_reference_tells_which_routes_answer_429(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    inbox = "/api/v1/public/inboxes/{inbox_token}"
    limited = [
        ("post", "/api/v1/auth/login"),
        ("post", f"{inbox}/contacts"),
        ("post", f"{inbox}/conversations"),
        ("post", f"{inbox}/conversations/{{conversation_id}}/messages"),
        ("post", f"{inbox}/conversations/{{conversation_id}}/attachments"),
        ("get", f"{inbox}/articles"),
    ]
    for method, path in limited:
        answer = paths[path][method]["responses"]["429"]
        assert "Retry-After" in answer["headers"], path
    assert "429" not in paths[inbox]["get"]["responses"]
    assert "429" not in paths[f"{inbox}/conversations/{{conversation_id}}/messages"]["get"]["responses"]
