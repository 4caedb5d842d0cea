"""A user once verified stays verified: contacts are shared by the account's inboxes, so an inbox
without identity verification must not become a way around another inbox's verification. And
identifying without an identifier logs a user out."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from destek.accounts import inboxes as inbox_service
from destek.contacts.models import Contact, ContactIdentity
from destek.security import identity_hash
from destek.state import AppState
from tests.channels.widget.helpers import bearer, identify, set_identity_verification, start, visitor
from tests.support.factories import Tenant

USER = "user-4711"
DETAILS: dict[str, Any] = {
    "name": "Ayşe Yılmaz",
    "email": "ayse@example.com",
    "phone": "+90 555 123 45 67",
    "attributes": {"plan": "pro"},
}


async def _open_inbox(state: AppState, tenant: Tenant) -> tuple[str, str]:
    """A second chat inbox of the same account, without identity verification: (path, secret)."""
    async with state.uow() as session:
        inbox = await inbox_service.create_inbox(
            session, account_id=tenant.account_id, name="Web chat", channel_type="widget"
        )
        assert not inbox.identity_verification
        return f"/api/v1/public/inboxes/{inbox.public_token}", inbox.secret


async def _stored(state: AppState, contact_id: int) -> Contact:
    async with state.read() as session:
        contact = await session.get(Contact, contact_id)
        assert contact is not None
        return contact


async def _verified_user(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> dict[str, Any]:
    """USER identifies on the tenant's inbox, which demands verification, with a right hash."""
    await set_identity_verification(state, tenant, True)
    return await visitor(
        client, tenant, identifier=USER, identifier_hash=identity_hash(tenant.inbox_secret, USER), **DETAILS
    )


async def test_a_valid_hash_marks_the_contact_verified(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    # A new user, an anonymous visitor logging in, and a known user: each verified by its hash.
    new = await visitor(
        client, tenant, identifier="u-new", identifier_hash=identity_hash(tenant.inbox_secret, "u-new")
    )
    anonymous = await visitor(client, tenant)
    upgraded = await identify(
        client,
        tenant,
        token=anonymous["token"],
        identifier="u-anon",
        identifier_hash=identity_hash(tenant.inbox_secret, "u-anon"),
    )
    assert upgraded.json()["contact"]["id"] == anonymous["contact"]["id"]
    known = await visitor(client, tenant, identifier="u-known")
    assert not (await _stored(state, known["contact"]["id"])).identity_verified
    again = await visitor(
        client, tenant, identifier="u-known", identifier_hash=identity_hash(tenant.inbox_secret, "u-known")
    )
    assert again["contact"]["id"] == known["contact"]["id"]
    for contact_id in (new["contact"]["id"], anonymous["contact"]["id"], known["contact"]["id"]):
        assert (await _stored(state, contact_id)).identity_verified
    # A plain anonymous visitor is not.
    assert not (await _stored(state, (await visitor(client, tenant))["contact"]["id"])).identity_verified


async def test_another_inbox_without_verification_does_not_give_out_a_verified_user(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await _verified_user(client, state, tenant)
    open_inbox, _secret = await _open_inbox(state, tenant)
    before = await _stored(state, me["contact"]["id"])

    for body in (
        {"identifier": USER},
        {"identifier": USER, "email": "mallory@example.com", "attributes": {"plan": "free"}},
    ):
        response = await client.post(f"{open_inbox}/contacts", json=body)
        assert response.status_code == 401, response.text
        assert response.json()["error"] == {
            "code": "unauthorized",
            "message": "this user is verified: identify with identifier_hash",
            "field": "identifier_hash",
        }
        assert "ayse@example.com" not in response.text

    # Nothing changed: not the details, not the identities, and no token was given out.
    after = await _stored(state, me["contact"]["id"])
    assert (after.email, after.phone, after.attributes, after.last_seen_at) == (
        before.email,
        before.phone,
        before.attributes,
        before.last_seen_at,
    )
    async with state.read() as session:
        identities = list(await session.scalars(select(ContactIdentity.inbox_id)))
    assert identities == [tenant.inbox_id]
    # The user's own verified token still works.
    assert (await client.get(tenant.public("/contact"), headers=bearer(me["token"]))).status_code == 200


async def test_an_anonymous_token_cannot_take_over_a_verified_user(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    await _verified_user(client, state, tenant)
    open_inbox, _secret = await _open_inbox(state, tenant)
    anonymous = (await client.post(f"{open_inbox}/contacts", json={"name": "Mallory"})).json()
    response = await client.post(
        f"{open_inbox}/contacts", json={"identifier": USER}, headers=bearer(anonymous["token"])
    )
    assert response.status_code == 401
    assert response.json()["error"]["field"] == "identifier_hash"
    visitor_row = await _stored(state, anonymous["contact"]["id"])
    assert visitor_row.identifier is None and not visitor_row.identity_verified


async def test_a_verified_user_identifies_on_another_inbox_with_its_hash(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await _verified_user(client, state, tenant)
    open_inbox, secret = await _open_inbox(state, tenant)
    wrong = await client.post(
        f"{open_inbox}/contacts",
        json={"identifier": USER, "identifier_hash": identity_hash(tenant.inbox_secret, USER)},
    )
    assert wrong.status_code == 401  # each inbox has its own secret
    right = await client.post(
        f"{open_inbox}/contacts", json={"identifier": USER, "identifier_hash": identity_hash(secret, USER)}
    )
    assert right.status_code == 201, right.text
    assert right.json()["contact"]["id"] == me["contact"]["id"]
    assert right.json()["contact"]["email"] == "ayse@example.com"
    mine = await client.get(f"{open_inbox}/contact", headers=bearer(right.json()["token"]))
    assert mine.status_code == 200


async def test_tokens_from_before_the_verification_stop_working(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    # Before the user was ever verified, someone who knew the user id took a token on the open inbox.
    open_inbox, _secret = await _open_inbox(state, tenant)
    stolen = (await client.post(f"{open_inbox}/contacts", json={"identifier": USER})).json()
    assert (await client.get(f"{open_inbox}/contact", headers=bearer(stolen["token"]))).status_code == 200
    me = await _verified_user(client, state, tenant)
    assert me["contact"]["id"] == stolen["contact"]["id"]

    headers = bearer(stolen["token"])
    for response in (
        await client.get(f"{open_inbox}/contact", headers=headers),
        await client.patch(f"{open_inbox}/contact", json={"email": "mallory@example.com"}, headers=headers),
        await client.get(f"{open_inbox}/conversations", headers=headers),
    ):
        assert response.status_code == 401, response.text
        assert "verified" in response.json()["error"]["message"]
    # Identifying with the old token gives a fresh anonymous visitor, not the user.
    fresh = await client.post(f"{open_inbox}/contacts", json={}, headers=headers)
    assert fresh.status_code == 201
    assert fresh.json()["contact"]["id"] != me["contact"]["id"]
    assert fresh.json()["contact"]["email"] is None
    assert (await _stored(state, me["contact"]["id"])).email == "ayse@example.com"


async def test_unverified_users_keep_working_without_a_hash(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    phone = await visitor(client, tenant, identifier="u-plain", email="can@example.com")
    tablet = await visitor(client, tenant, identifier="u-plain", attributes={"plan": "free"})
    assert tablet["contact"]["id"] == phone["contact"]["id"]
    assert tablet["contact"]["email"] == "can@example.com"
    for token in (phone["token"], tablet["token"]):
        assert (await client.get(tenant.public("/contact"), headers=bearer(token))).status_code == 200
    assert not (await _stored(state, phone["contact"]["id"])).identity_verified


async def test_identifying_without_an_identifier_logs_the_user_out(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant, identifier="user-5", name="Zeynep", email="zeynep@example.com")
    started = await start(client, tenant, me["token"], "Logged in")
    logged_out = await identify(client, tenant, token=me["token"])
    assert logged_out.status_code == 201
    anonymous = logged_out.json()
    assert anonymous["contact"]["id"] != me["contact"]["id"]
    assert anonymous["contact"] | {"id": 0} == {
        "id": 0,
        "name": "",
        "email": None,
        "phone": None,
        "locale": None,
        "attributes": {},
        "device": {},
    }
    overview = await client.get(tenant.public("/conversations"), headers=bearer(anonymous["token"]))
    assert overview.json() == []
    # The user is untouched and still has the conversation.
    user = await _stored(state, me["contact"]["id"])
    assert (user.identifier, user.name, user.email) == ("user-5", "Zeynep", "zeynep@example.com")
    mine = await client.get(tenant.public("/conversations"), headers=bearer(me["token"]))
    assert [c["id"] for c in mine.json()] == [started["conversation"]["id"]]

    # The anonymous visitor stays itself with its token, and logs in again as before.
    again = await identify(client, tenant, token=anonymous["token"], name="Visitor")
    assert again.json()["contact"]["id"] == anonymous["contact"]["id"]
    login = await identify(client, tenant, token=anonymous["token"], identifier="user-6")
    assert login.json()["contact"]["id"] == anonymous["contact"]["id"]
