"""Text with NUL (U+0000) is refused with 422 on both databases: PostgreSQL cannot store it."""

from __future__ import annotations

import httpx

from tests.support.factories import Tenant


async def test_nul_in_a_body_a_query_or_a_path_is_refused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    owner = tenant.owner.headers
    in_body = await client.post(tenant.url("/teams"), json={"name": "Night\u0000shift"}, headers=owner)
    assert in_body.status_code == 422, in_body.text
    assert in_body.json()["error"] == {
        "code": "invalid",
        "message": "text may not contain the NUL character (\\u0000)",
        "field": "body",
    }
    in_query = await client.get(tenant.url("/contacts"), params={"q": "ay\x00se"}, headers=owner)
    assert (in_query.status_code, in_query.json()["error"]["field"]) == (422, "q")
    in_path = await client.get("/api/v1/public/inboxes/%00")
    assert (in_path.status_code, in_path.json()["error"]["field"]) == (422, "inbox_token")
    # Nothing was stored, and the same requests without NUL work.
    assert (
        await client.post(tenant.url("/teams"), json={"name": "Night shift"}, headers=owner)
    ).status_code == 201


async def test_an_escaped_backslash_before_u0000_is_plain_text(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = {
        "short_code": "path",
        "title": "Windows path",
        "content": "C:\\u0000\\temp",
    }  # a backslash, then u0000
    created = await client.post(tenant.url("/canned_responses"), json=body, headers=tenant.owner.headers)
    assert created.status_code == 201, created.text
    assert created.json()["content"] == "C:\\u0000\\temp"


async def test_an_undeclared_query_parameter_is_ignored_whatever_it_holds(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get(
        tenant.url("/labels"), params={"unused": "\x00"}, headers=tenant.owner.headers
    )
    assert response.status_code == 200
