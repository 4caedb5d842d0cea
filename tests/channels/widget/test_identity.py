"""Identifying the customer: anonymous visitors, logged-in users, HMAC identity verification."""

from __future__ import annotations

import httpx

from destek.accounts import inboxes as inbox_service
from destek.contacts import service as contacts
from destek.security import check_identity_hash, identity_hash
from destek.state import AppState
from tests.channels.widget.helpers import bearer, identify, set_identity_verification, start, visitor
from tests.support.factories import Tenant


async def test_an_empty_body_makes_an_anonymous_visitor(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await identify(client, tenant)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"contact", "token"}
    assert set(body["contact"]) == {"id", "name", "email", "phone", "locale", "attributes", "device"}
    me = await client.get(tenant.public("/contact"), headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.json()["id"] == body["contact"]["id"]


async def test_a_visitor_with_its_token_stays_the_same_visitor(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    first = await visitor(client, tenant)
    again = await identify(client, tenant, token=first["token"], name="Can")
    assert again.status_code == 201
    assert again.json()["contact"]["id"] == first["contact"]["id"]
    assert again.json()["contact"]["name"] == "Can"
    stranger = await visitor(client, tenant)
    assert stranger["contact"]["id"] != first["contact"]["id"]


async def test_a_broken_token_on_identify_is_ignored_so_the_app_can_recover(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await identify(client, tenant, token="garbage.token", name="Elif")
    assert response.status_code == 201
    assert response.json()["contact"]["name"] == "Elif"


async def test_the_same_user_on_two_devices_is_one_contact(client: httpx.AsyncClient, tenant: Tenant) -> None:
    phone = await visitor(client, tenant, identifier="user-1", device={"platform": "ios"})
    tablet = await visitor(client, tenant, identifier="user-1", device={"platform": "android"})
    assert phone["contact"]["id"] == tablet["contact"]["id"]
    started = await start(client, tenant, phone["token"])
    overview = await client.get(tenant.public("/conversations"), headers=bearer(tablet["token"]))
    assert [c["id"] for c in overview.json()] == [started["conversation"]["id"]]


async def test_an_anonymous_visitor_who_logs_in_keeps_the_conversations(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    anonymous = await visitor(client, tenant)
    started = await start(client, tenant, anonymous["token"], "Before login")
    logged_in = await identify(client, tenant, token=anonymous["token"], identifier="user-77", name="Zeynep")
    assert logged_in.status_code == 201
    assert logged_in.json()["contact"]["id"] == anonymous["contact"]["id"]
    overview = await client.get(tenant.public("/conversations"), headers=bearer(logged_in.json()["token"]))
    assert [c["id"] for c in overview.json()] == [started["conversation"]["id"]]
    assert overview.json()[0]["last_message"]["content"] == "Before login"


async def test_identity_verification_off_accepts_no_hash_but_checks_a_given_one(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    assert (await identify(client, tenant, identifier="u-1")).status_code == 201
    right = identity_hash(tenant.inbox_secret, "u-2")
    assert (await identify(client, tenant, identifier="u-2", identifier_hash=right)).status_code == 201
    wrong = await identify(client, tenant, identifier="u-3", identifier_hash=right)
    assert wrong.status_code == 401
    assert wrong.json()["error"]["field"] == "identifier_hash"


async def test_identity_verification_on(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    await set_identity_verification(state, tenant, True)
    config = await client.get(tenant.public())
    assert config.json()["identity_verification"] is True

    missing = await identify(client, tenant, identifier="user-9")
    assert missing.status_code == 401
    assert missing.json()["error"] == {
        "code": "unauthorized",
        "message": missing.json()["error"]["message"],
        "field": "identifier_hash",
    }
    assert "identifier_hash" in missing.json()["error"]["message"]

    wrong = await identify(
        client, tenant, identifier="user-9", identifier_hash=identity_hash("not-the-secret", "user-9")
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["field"] == "identifier_hash"

    # Upper-case hex, as some backends print it, is the same hash.
    right = identity_hash(tenant.inbox_secret, "user-9").upper()
    ok = await identify(client, tenant, identifier="user-9", identifier_hash=right)
    assert ok.status_code == 201, ok.text
    assert (
        await client.get(tenant.public("/contact"), headers=bearer(ok.json()["token"]))
    ).status_code == 200

    # Nothing was stored for the refused attempts: only user-9 exists, once.
    async with state.read() as session:
        found = await contacts.search_contacts(
            session, account_id=tenant.account_id, q="user-9", limit=10, after_id=None
        )
    assert [c.identifier for c in found] == ["user-9"]


def test_a_non_ascii_hash_is_a_mismatch_not_an_error() -> None:
    right = identity_hash("secret", "user-1")
    assert check_identity_hash("secret", "user-1", right)
    assert not check_identity_hash("secret", "user-1", "ş" + right[1:])


async def test_a_hash_that_is_not_64_hex_digits_is_refused_naming_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    right = identity_hash(tenant.inbox_secret, "u-8")
    for bad in ["ş" + right[1:], "ğüşiöç" * 10, right[:-1], right + "0", "zz" * 32, ""]:
        response = await identify(client, tenant, identifier="u-8", identifier_hash=bad)
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["error"]["field"] == "identifier_hash"


async def test_a_hash_without_an_identifier_is_refused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await identify(client, tenant, identifier_hash="ab" * 32)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "identifier"


async def test_the_app_updates_the_contact_and_agents_see_it(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant, identifier="user-5", attributes={"plan": "free"})
    response = await client.patch(
        tenant.public("/contact"),
        json={
            "name": "Ali Veli",
            "email": "ali@example.com",
            "phone": "+90 555 123 45 67",
            "locale": "tr-TR",
            "attributes": {"plan": "pro", "orders": 3},
            "device": {"app_version": "5.0.1", "os": "Android", "os_version": "15", "platform": "android"},
        },
        headers=bearer(me["token"]),
    )
    assert response.status_code == 200, response.text
    contact = response.json()
    assert contact["name"] == "Ali Veli"
    assert contact["attributes"] == {"plan": "pro", "orders": 3}
    assert contact["device"]["app_version"] == "5.0.1"

    # Only what is sent changes.
    again = await client.patch(
        tenant.public("/contact"), json={"device": {"app_version": "5.0.2"}}, headers=bearer(me["token"])
    )
    assert again.json()["name"] == "Ali Veli"
    assert again.json()["device"] == {
        "app_version": "5.0.2",
        "os": "Android",
        "os_version": "15",
        "platform": "android",
    }
    async with state.read() as session:
        stored = await contacts.get_contact(session, account_id=tenant.account_id, contact_id=contact["id"])
    seen = contacts.contact_out(stored)
    assert seen.identifier == "user-5"
    assert seen.email == "ali@example.com"
    assert seen.locale == "tr-TR"
    assert seen.device["os_version"] == "15"


async def test_bad_contact_fields_name_the_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bad_email = await identify(client, tenant, email="not-an-email")
    assert bad_email.status_code == 422
    assert bad_email.json()["error"]["field"] == "email"
    me = await visitor(client, tenant)
    for body, field in [
        ({"email": "ayse@"}, "email"),
        ({"phone": "call me maybe"}, "phone"),
        ({"locale": "!!"}, "locale"),
        ({"attributes": {"nested": {"no": 1}}}, "attributes.nested"),  # values are scalars
        ({"device": {"os": "x" * 65}}, "device.os"),
    ]:
        response = await client.patch(tenant.public("/contact"), json=body, headers=bearer(me["token"]))
        assert response.status_code == 422, body
        assert response.json()["error"]["field"].startswith(field), response.json()


async def test_only_chat_inboxes_answer(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    async with state.uow() as session:
        email_inbox = await inbox_service.create_inbox(
            session, account_id=tenant.account_id, name="Support mail", channel_type="email"
        )
        token = email_inbox.public_token
    for response in (
        await client.get(f"/api/v1/public/inboxes/{token}"),
        await client.post(f"/api/v1/public/inboxes/{token}/contacts", json={}),
        await client.get("/api/v1/public/inboxes/no-such-inbox"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert "inbox token" in response.json()["error"]["message"]


async def test_patch_refuses_unknown_keys_and_the_identifier(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant, identifier="user-8", name="Deniz")
    for body, field in [
        ({"nmae": "Typo"}, "nmae"),
        ({"name": "Ok", "plan": "pro"}, "plan"),  # an attribute sent at the top level
        ({"identifier": "user-9"}, "identifier"),
        ({"identifier": None}, "identifier"),
    ]:
        response = await client.patch(tenant.public("/contact"), json=body, headers=bearer(me["token"]))
        assert response.status_code == 422, (body, response.text)
        error = response.json()["error"]
        assert error["field"] == field, error
        assert error["message"].startswith(f"{field}: "), error
    identifier = await client.patch(
        tenant.public("/contact"), json={"identifier": "user-9"}, headers=bearer(me["token"])
    )
    assert "identify again" in identifier.json()["error"]["message"]
    async with state.read() as session:
        stored = await contacts.get_contact(
            session, account_id=tenant.account_id, contact_id=me["contact"]["id"]
        )
    assert (stored.identifier, stored.name) == ("user-8", "Deniz")
    # Unknown keys inside `device` are still the app's own context, kept as sent.
    kept = await client.patch(
        tenant.public("/contact"), json={"device": {"sdk": "destek-ios 1.0"}}, headers=bearer(me["token"])
    )
    assert kept.status_code == 200
    assert kept.json()["device"] == {"sdk": "destek-ios 1.0"}


async def test_the_patch_body_in_openapi_forbids_other_keys(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    operation = schema["paths"]["/api/v1/public/inboxes/{inbox_token}/contact"]["patch"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert body["additionalProperties"] is False
    assert "identifier" not in body["properties"]
