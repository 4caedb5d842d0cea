"""Ids and numbers beyond what the database holds are unknown (404) or invalid (422), never a 500."""

from __future__ import annotations

import base64
import json

import httpx

from destek.state import AppState
from tests.channels.widget.helpers import bearer, start, visitor
from tests.conversations.helpers import start_conversation
from tests.support.factories import Tenant

HUGE = 99999999999999999999  # > 2**63 - 1
BIG_NUMBER = 2**31  # conversation numbers are INTEGER


def _cursor(row_id: int) -> str:
    raw = json.dumps(["last_activity", "2026-01-01T00:00:00+00:00", row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_huge_ids_in_the_agent_api_are_404_or_422(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    started = await start_conversation(state, tenant)
    number = started.number
    owner = tenant.owner.headers
    requests: list[tuple[str, str, dict[str, object]]] = [
        ("GET", f"/contacts/{HUGE}", {}),
        ("PATCH", f"/contacts/{HUGE}", {"json": {"name": "x"}}),
        ("GET", f"/contacts/{HUGE}/identities", {}),
        ("GET", "/conversations", {"params": {"assignee": str(HUGE)}}),
        ("GET", "/conversations", {"params": {"assignee": "-1"}}),
        ("GET", "/conversations", {"params": {"team_id": HUGE}}),
        ("GET", "/conversations", {"params": {"inbox_id": HUGE}}),
        ("GET", "/conversations", {"params": {"contact_id": HUGE}}),
        ("GET", "/conversations", {"params": {"cursor": _cursor(HUGE)}}),
        ("GET", "/conversations/counts", {"params": {"team_id": HUGE}}),
        ("GET", f"/conversations/{HUGE}", {}),
        ("GET", f"/conversations/{BIG_NUMBER}", {}),
        ("GET", f"/conversations/{BIG_NUMBER}/messages", {}),
        ("GET", f"/conversations/{number}/messages", {"params": {"before": HUGE}}),
        ("GET", f"/conversations/{number}/messages", {"params": {"after": HUGE}}),
        ("POST", f"/conversations/{number}/messages", {"json": {"content": "x", "attachment_ids": [HUGE]}}),
        ("POST", f"/conversations/{number}/assignment", {"json": {"assignee_id": HUGE}}),
        ("POST", f"/conversations/{number}/assignment", {"json": {"team_id": HUGE}}),
        ("DELETE", f"/tokens/{HUGE}", {}),
        ("PATCH", f"/agents/{HUGE}", {"json": {"role": "agent"}}),
        ("GET", f"/teams/{HUGE}", {}),
        ("PUT", f"/teams/{HUGE}/members", {"json": {"user_ids": []}}),
        ("GET", f"/inboxes/{HUGE}", {}),
        ("PUT", f"/inboxes/{tenant.inbox_id}/members", {"json": {"user_ids": [HUGE]}}),
    ]
    for method, path, kwargs in requests:
        response = await client.request(method, tenant.url(path), headers=owner, **kwargs)  # type: ignore[arg-type]
        assert response.status_code in (404, 422), (method, path, kwargs, response.text)

    for params, field in [({"assignee": str(HUGE)}, "assignee"), ({"cursor": _cursor(HUGE)}, "cursor")]:
        response = await client.get(tenant.url("/conversations"), params=params, headers=owner)
        assert response.json()["error"]["field"] == field, response.text

    # The conversation is found by its #number in a search; a larger number just matches nothing.
    for q in [str(BIG_NUMBER), f"#{HUGE}", "²"]:
        response = await client.get(tenant.url("/conversations"), params={"q": q}, headers=owner)
        assert response.status_code == 200, (q, response.text)
        assert response.json()["items"] == [], q

    response = await client.get(f"/api/v1/accounts/{HUGE}/conversations", headers=owner)
    assert response.status_code in (404, 422), response.text


async def test_a_huge_attachment_id_from_the_public_api_is_422(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    started = await start(client, tenant, me["token"])
    response = await client.post(
        tenant.public(f"/conversations/{started['conversation']['id']}/messages"),
        json={"content": "see file", "attachment_ids": [HUGE]},
        headers=bearer(me["token"]),
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "attachment_ids.0"
