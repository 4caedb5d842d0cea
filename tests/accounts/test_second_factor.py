"""The second factor: TOTP enrolment, logging in with a code or a recovery code, codes that work
once, turning it off, and accounts that require it."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from destek.config import Settings
from destek.lib import totp
from tests.accounts.helpers import CSRF, error, field_error, login
from tests.support.factories import PASSWORD, Tenant
from tests.support.factories_fixtures import make_settings


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    # These tests log in more often than the login limit allows one address (tests/ratelimit checks it).
    return make_settings(db_url, tmp_path, rate_limit_scale=10.0)


async def enrol(client: httpx.AsyncClient) -> tuple[str, list[str]]:
    """Turn the logged-in person's second factor on; (secret, recovery codes)."""
    error(
        await client.post("/api/v1/profile/second-factor/setup", json={"password": "wrong"}, headers=CSRF),
        422,
    )
    setup = await client.post(
        "/api/v1/profile/second-factor/setup", json={"password": PASSWORD}, headers=CSRF
    )
    assert setup.status_code == 200, setup.text
    body = setup.json()
    assert body["uri"].startswith("otpauth://totp/Destek:") and f"secret={body['secret']}" in body["uri"]
    assert body["qr_svg"].startswith("data:image/svg+xml")
    secret = body["secret"]
    wrong = await client.post("/api/v1/profile/second-factor/confirm", json={"code": "000000"}, headers=CSRF)
    if totp.code_at(secret) != "000000":
        field_error(wrong, "code")
    confirmed = await client.post(
        "/api/v1/profile/second-factor/confirm", json={"code": totp.code_at(secret)}, headers=CSRF
    )
    assert confirmed.status_code == 200, confirmed.text
    codes = confirmed.json()["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    return secret, codes


def next_code(secret: str) -> str:
    """A code the server has not seen yet (the enrolment used the current step)."""
    return totp.code_at(secret, time.time() + totp.STEP_SECONDS)


async def test_login_asks_for_the_code_and_takes_each_once(client: httpx.AsyncClient, tenant: Tenant) -> None:
    email = tenant.agent.email
    await login(client, email)
    secret, recovery = await enrol(client)
    status = (await client.get("/api/v1/profile/second-factor")).json()
    assert status == {"enabled": True, "recovery_codes_left": 10, "required_by": []}
    assert (await client.get("/api/v1/profile")).json()["second_factor"] is True
    client.cookies.clear()

    url = "/api/v1/auth/login"
    asked = await client.post(url, json={"email": email, "password": PASSWORD})
    assert error(asked, 401)["code"] == "second_factor_required"
    assert "set-cookie" not in asked.headers
    # The wrong password still says only that: the code is asked once the password is right.
    assert (
        error(await client.post(url, json={"email": email, "password": "nope", "code": "123456"}), 401)[
            "code"
        ]
        == "unauthorized"
    )
    bad = await client.post(url, json={"email": email, "password": PASSWORD, "code": "12345x"})
    assert error(bad, 401)["code"] == "second_factor_invalid"
    code = next_code(secret)
    ok = await client.post(url, json={"email": email, "password": PASSWORD, "code": code})
    assert ok.status_code == 200, ok.text
    # The same code again (replayed, or typed twice): refused.
    client.cookies.clear()
    replay = await client.post(url, json={"email": email, "password": PASSWORD, "code": code})
    assert error(replay, 401)["code"] == "second_factor_invalid"
    # A recovery code, written any which way, once.
    spaced = recovery[0].upper().replace("-", " ")
    assert (
        await client.post(url, json={"email": email, "password": PASSWORD, "code": spaced})
    ).status_code == 200
    client.cookies.clear()
    used = await client.post(url, json={"email": email, "password": PASSWORD, "code": recovery[0]})
    assert error(used, 401)["code"] == "second_factor_invalid"
    await login_with(client, email, recovery[1])
    assert (await client.get("/api/v1/profile/second-factor")).json()["recovery_codes_left"] == 8


async def login_with(client: httpx.AsyncClient, email: str, code: str) -> None:
    response = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD, "code": code}
    )
    assert response.status_code == 200, response.text


async def test_new_recovery_codes_and_turning_it_off(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await login(client, tenant.agent.email)
    _secret, old = await enrol(client)
    error(
        await client.post("/api/v1/profile/second-factor/setup", json={"password": PASSWORD}, headers=CSRF),
        409,
    )
    fresh = await client.post(
        "/api/v1/profile/second-factor/recovery-codes", json={"password": PASSWORD}, headers=CSRF
    )
    assert fresh.status_code == 200
    new = fresh.json()["codes"]
    client.cookies.clear()
    refused = await client.post(
        "/api/v1/auth/login", json={"email": tenant.agent.email, "password": PASSWORD, "code": old[0]}
    )
    assert error(refused, 401)["code"] == "second_factor_invalid"
    await login_with(client, tenant.agent.email, new[0])
    field_error(
        await client.post("/api/v1/profile/second-factor/disable", json={"password": "x"}, headers=CSRF),
        "password",
    )
    assert (
        await client.post("/api/v1/profile/second-factor/disable", json={"password": PASSWORD}, headers=CSRF)
    ).status_code == 204
    client.cookies.clear()
    await login(client, tenant.agent.email)  # the password alone again
    assert (await client.get("/api/v1/profile/second-factor")).json()["enabled"] is False


async def test_an_account_that_requires_it(client: httpx.AsyncClient, tenant: Tenant) -> None:
    owner_session = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with owner_session:
        await login(owner_session, tenant.owner.email)
        # Not before the administrator has one: they would lock themselves out.
        early = await owner_session.patch(tenant.url(""), json={"require_second_factor": True}, headers=CSRF)
        field_error(early, "require_second_factor")
        await enrol(owner_session)
        required = await owner_session.patch(
            tenant.url(""), json={"require_second_factor": True}, headers=CSRF
        )
        assert required.status_code == 200 and required.json()["require_second_factor"] is True
        # The owner cannot turn theirs off while the account requires it.
        refused = await owner_session.post(
            "/api/v1/profile/second-factor/disable", json={"password": PASSWORD}, headers=CSRF
        )
        assert "requires a second factor" in error(refused, 409)["message"]

    # The agent without one: their token and their session are refused in this account, with the reason.
    blocked = await client.get(tenant.url("/contacts"), headers=tenant.agent.headers)
    assert error(blocked, 403)["code"] == "second_factor_setup_required"
    await login(client, tenant.agent.email)
    page = await client.get(f"/app/{tenant.account_id}")
    assert page.status_code == 303 and page.headers["location"].startswith("/second-factor?next=")
    setup_page = await client.get(page.headers["location"])
    assert setup_page.status_code == 200 and "data-enrol" in setup_page.text
    assert (await client.get("/api/v1/profile/second-factor")).json()["required_by"] == [
        (await client.get("/api/v1/profile")).json()["accounts"][0]["name"]
    ]
    await enrol(client)
    assert (await client.get(tenant.url("/contacts"))).status_code == 200
    assert (await client.get(tenant.url("/contacts"), headers=tenant.agent.headers)).status_code == 200
