"""Who may touch a conversation: other accounts and agents outside its inbox get 404; the spec."""

from __future__ import annotations

from typing import Any

import httpx

from destek.state import AppState
from tests.conversations.helpers import head, second_inbox, start_conversation
from tests.support.factories import Tenant


def _calls(number: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    base = f"/conversations/{number}"
    return [
        ("GET", base, None),
        ("GET", f"{base}/messages", None),
        ("POST", f"{base}/messages", {"content": "hi"}),
        ("POST", f"{base}/status", {"status": "resolved"}),
        ("POST", f"{base}/priority", {"priority": "high"}),
        ("POST", f"{base}/assignment", {"assignee_id": None}),
        ("PUT", f"{base}/labels", {"labels": ["x"]}),
        ("POST", f"{base}/read", None),
        ("POST", f"{base}/typing", {"typing": True}),
    ]


async def test_other_tenants_conversations_are_404(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = await start_conversation(state, other_tenant)
    before = await head(state, other_tenant)
    for method, path, body in _calls(theirs.number):
        # Its number does not exist in the tenant's account...
        response = await client.request(method, tenant.url(path), json=body, headers=tenant.owner.headers)
        assert response.status_code == 404, (method, path, response.text)
        # ...and the tenant's token does not open the other account.
        response = await client.request(
            method, other_tenant.url(path), json=body, headers=tenant.owner.headers
        )
        assert response.status_code == 404, (method, path, response.text)
    upload = await client.post(
        other_tenant.url(f"/conversations/{theirs.number}/attachments"),
        files={"file": ("a.txt", b"hello", "text/plain")},
        headers=tenant.owner.headers,
    )
    assert upload.status_code == 404
    assert await head(state, other_tenant) == before
    detail = await client.get(
        other_tenant.url(f"/conversations/{theirs.number}"), headers=other_tenant.owner.headers
    )
    assert detail.json()["status"] == "open"


async def test_agent_outside_the_inbox_gets_404_admin_sees(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    hidden = await start_conversation(state, tenant, inbox_id=await second_inbox(state, tenant))
    before = await head(state, tenant)
    for method, path, body in _calls(hidden.number):
        response = await client.request(method, tenant.url(path), json=body, headers=tenant.agent.headers)
        assert response.status_code == 404, (method, path, response.text)
    upload = await client.post(
        tenant.url(f"/conversations/{hidden.number}/attachments"),
        files={"file": ("a.txt", b"hello", "text/plain")},
        headers=tenant.agent.headers,
    )
    assert upload.status_code == 404
    assert await head(state, tenant) == before
    for method, path, body in _calls(hidden.number):
        response = await client.request(method, tenant.url(path), json=body, headers=tenant.owner.headers)
        assert response.status_code in (200, 201, 204), (method, path, response.text)


async def test_openapi_describes_every_route(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    prefix = "/api/v1/accounts/{account_id}"
    expected = {
        "/conversations": ["get"],
        "/conversations/counts": ["get"],
        "/conversations/{number}": ["get"],
        "/conversations/{number}/messages": ["get", "post"],
        "/conversations/{number}/attachments": ["post"],
        "/conversations/{number}/status": ["post"],
        "/conversations/{number}/priority": ["post"],
        "/conversations/{number}/assignment": ["post"],
        "/conversations/{number}/labels": ["put"],
        "/conversations/{number}/read": ["post"],
        "/conversations/{number}/typing": ["post"],
        "/labels": ["get"],
    }
    for path, methods in expected.items():
        for method in methods:
            operation = spec["paths"][prefix + path][method]
            assert operation["summary"], path
            assert "conversations" in operation["tags"], path
            success = next(code for code in operation["responses"] if code.startswith("2"))
            if success != "204":
                assert "$ref" in str(operation["responses"][success]["content"]), (path, method)
