"""A contact's attributes and device are bounded: how many keys, what a key is, what a value holds."""

from __future__ import annotations

from typing import Any

import httpx

from destek.app import create_app
from destek.contacts import service as contacts
from destek.contacts.models import Contact
from destek.contacts.schemas import MAX_ATTRIBUTES, MAX_DEVICE_KEYS, MAX_KEY_CHARS, MAX_TEXT_CHARS
from destek.state import AppState
from tests.channels.widget.helpers import bearer, visitor
from tests.support.factories import Tenant


def _many(count: int, prefix: str = "k") -> dict[str, Any]:
    return {f"{prefix}{i}": i for i in range(count)}


async def _stored(state: AppState, tenant: Tenant, contact_id: int) -> Contact:
    async with state.read() as session:
        return await contacts.get_contact(session, account_id=tenant.account_id, contact_id=contact_id)


def _refused(response: httpx.Response, field: str) -> str:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"].startswith(field), error
    message: str = error["message"]
    return message


async def test_101_attributes_are_refused_and_the_stored_ones_kept(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant, name="Ayşe", attributes=_many(40))
    contact_id, auth = me["contact"]["id"], bearer(me["token"])
    url = tenant.public("/contact")

    # More than the limit in one request: refused by the schema.
    _refused(
        await client.patch(url, json={"attributes": _many(MAX_ATTRIBUTES + 1)}, headers=auth), "attributes"
    )

    # Within the limit, but the merge would pass it: refused, nothing changed (not even the name).
    message = _refused(
        await client.patch(url, json={"name": "Ayşe Y.", "attributes": _many(61, "new")}, headers=auth),
        "attributes",
    )
    assert "at most 100" in message and "it has 40" in message and "61 more" in message
    stored = await _stored(state, tenant, contact_id)
    assert (stored.name, stored.attributes) == ("Ayşe", _many(40))

    # Up to the limit exactly, changing the keys it has on the way: accepted.
    filled = {**_many(40), "k0": "changed", **_many(60, "new")}
    response = await client.patch(url, json={"attributes": filled}, headers=auth)
    assert response.status_code == 200, response.text
    assert len(response.json()["attributes"]) == MAX_ATTRIBUTES
    # Full: a new key is refused, the keys it has still change.
    _refused(await client.patch(url, json={"attributes": {"one_more": 1}}, headers=auth), "attributes")
    assert (await client.patch(url, json={"attributes": {"k1": None}}, headers=auth)).status_code == 200
    stored = await _stored(state, tenant, contact_id)
    assert len(stored.attributes) == MAX_ATTRIBUTES
    assert (stored.attributes["k0"], stored.attributes["k1"]) == ("changed", None)


async def test_identify_and_the_agent_api_merge_within_the_same_limit(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant, identifier="user-1", attributes=_many(90))
    again = await client.post(
        tenant.public("/contacts"), json={"identifier": "user-1", "attributes": _many(11, "x")}
    )
    _refused(again, "attributes")
    url, headers = tenant.url(f"/contacts/{me['contact']['id']}"), tenant.agent.headers
    _refused(await client.patch(url, json={"attributes": _many(11, "y")}, headers=headers), "attributes")
    assert (await _stored(state, tenant, me["contact"]["id"])).attributes == _many(90)
    created = await client.post(
        tenant.url("/contacts"), json={"attributes": _many(MAX_ATTRIBUTES + 1)}, headers=headers
    )
    _refused(created, "attributes")


async def test_a_contact_stored_past_the_limit_keeps_working(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    """Contacts stored before the limit existed are not locked: their keys change, no key is added."""
    me = await visitor(client, tenant)
    async with state.uow() as session:
        contact = await contacts.get_contact(
            session, account_id=tenant.account_id, contact_id=me["contact"]["id"]
        )
        contact.attributes = _many(150)
    url, auth = tenant.public("/contact"), bearer(me["token"])
    kept = await client.patch(url, json={"attributes": {"k3": "three"}}, headers=auth)
    assert kept.status_code == 200 and kept.json()["attributes"]["k3"] == "three"
    _refused(await client.patch(url, json={"attributes": {"new": 1}}, headers=auth), "attributes")
    assert len((await _stored(state, tenant, me["contact"]["id"])).attributes) == 150


async def test_keys_and_values_are_bounded(client: httpx.AsyncClient, tenant: Tenant) -> None:
    me = await visitor(client, tenant)
    url, auth = tenant.public("/contact"), bearer(me["token"])
    for attributes in (
        {"": 1},
        {"with space": 1},
        {"dotted.key": 1},
        {"k" * (MAX_KEY_CHARS + 1): 1},
        {"long": "x" * (MAX_TEXT_CHARS + 1)},
        {"nested": {"no": 1}},
        {"listed": [1, 2]},
        {"huge": 2**64},
    ):
        _refused(await client.patch(url, json={"attributes": attributes}, headers=auth), "attributes")
    # JSON's non-standard NaN and Infinity, which Python's parser accepts.
    for literal in ("NaN", "Infinity", "-Infinity"):
        body = '{"attributes": {"score": ' + literal + "}}"
        response = await client.patch(url, content=body, headers={**auth, "content-type": "application/json"})
        assert "finite" in _refused(response, "attributes.score")
    fine = {"şehir": "İzmir", "cart-items": 3, "k" * MAX_KEY_CHARS: "x" * MAX_TEXT_CHARS, "vip": True}
    response = await client.patch(
        url, json={"attributes": {**fine, "ratio": 0.5, "gone": None}}, headers=auth
    )
    assert response.status_code == 200, response.text
    assert response.json()["attributes"] == {**fine, "ratio": 0.5, "gone": None}


async def test_device_is_bounded_like_attributes(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant, device={"platform": "ios", "sdk": "destek-ios 1.0"})
    url, auth = tenant.public("/contact"), bearer(me["token"])
    for device in (
        _many(MAX_DEVICE_KEYS + 1),
        {"screen": {"width": 390}},
        {"bad key": "x"},
        {"sdk": "x" * (MAX_TEXT_CHARS + 1)},
    ):
        _refused(await client.patch(url, json={"device": device}, headers=auth), "device")
    # 2 stored + 30 new = the limit; one more new key is refused, and nothing stored is lost.
    assert (await client.patch(url, json={"device": _many(30)}, headers=auth)).status_code == 200
    _refused(await client.patch(url, json={"device": {"extra": 1}}, headers=auth), "device")
    stored = await _stored(state, tenant, me["contact"]["id"])
    assert stored.device == {"platform": "ios", "sdk": "destek-ios 1.0", **_many(30)}


async def test_conversation_attributes_have_the_same_bounds(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    response = await client.post(
        tenant.public("/conversations"),
        json={"custom_attributes": _many(MAX_ATTRIBUTES + 1)},
        headers=bearer(me["token"]),
    )
    _refused(response, "custom_attributes")


async def test_the_openapi_schema_states_the_limits(state: AppState) -> None:
    schemas = create_app(state=state).openapi()["components"]["schemas"]
    attributes = next(
        option
        for option in schemas["PublicContactUpdate"]["properties"]["attributes"]["anyOf"]
        if option.get("type") == "object"
    )
    assert attributes["maxProperties"] == MAX_ATTRIBUTES
    assert attributes["propertyNames"]["maxLength"] == MAX_KEY_CHARS
    [values] = attributes["patternProperties"].values()
    assert {"type": "string", "maxLength": MAX_TEXT_CHARS} in values["anyOf"]
    assert schemas["DeviceInfo"]["maxProperties"] == MAX_DEVICE_KEYS
