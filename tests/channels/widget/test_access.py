"""Without the contact token a route that needs it answers 401 first, whatever else is wrong."""

from __future__ import annotations

import httpx

from tests.support.factories import Tenant


async def test_no_contact_token_is_401_before_the_input_is_checked(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for method, path, body in [
        ("GET", "/conversations/1/messages?before=1&after=1", None),  # before and after: a 422 otherwise
        ("POST", "/conversations/1/messages", {"content": ""}),  # empty: a 422 otherwise
        ("POST", "/conversations/1/typing", {"typing": "yes"}),
        ("PUT", "/conversations/1/rating", {"score": 9}),
    ]:
        response = await client.request(method, tenant.public(path), json=body)
        assert response.status_code == 401, (method, path, response.text)
        assert "contact token" in response.json()["error"]["message"]
    # Identifying needs no token: its input is checked as usual.
    identify = await client.post(tenant.public("/contacts"), json={"email": "not an address"})
    assert identify.status_code == 422
