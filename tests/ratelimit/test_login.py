"""Logins are limited per e-mail and per client address: guessing passwords stops at the limit, the
owner of the e-mail gets in again when the window ends, and the login page says how long to wait."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from destek.app import create_app
from destek.state import AppState
from tests.ratelimit.conftest import Clock
from tests.support.factories import PASSWORD, Tenant

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def app(limited: AppState) -> FastAPI:
    return create_app(state=limited)


def client_from(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_from(app, "198.51.100.7") as client:
        yield client


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post(LOGIN, json={"email": email, "password": password})


async def test_guessing_one_password_stops_after_ten_tries_until_the_window_ends(
    http: httpx.AsyncClient, tenant: Tenant, clock: Clock
) -> None:
    for _ in range(10):
        assert (await login(http, tenant.owner.email, "guess")).status_code == 401

    clock.advance(100)
    refused = await login(http, tenant.owner.email)  # even with the right password
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "200"
    assert refused.json() == {
        "error": {
            "code": "rate_limited",
            "message": "too many login attempts for this e-mail: try again in 200 seconds",
            "field": None,
            "retry_after": 200,
        }
    }
    assert "destek_session" not in refused.cookies
    # Any spelling of the same address is the same e-mail.
    assert (await login(http, tenant.owner.email.upper())).status_code == 429

    # Another agent behind the same address is not locked out.
    assert (await login(http, tenant.agent.email)).status_code == 200

    clock.advance(200)  # the five minutes are over
    allowed = await login(http, tenant.owner.email)
    assert allowed.status_code == 200, allowed.text
    assert allowed.cookies.get("destek_session")


async def test_one_address_trying_many_e_mails_stops_after_thirty(
    app: FastAPI, http: httpx.AsyncClient, tenant: Tenant, clock: Clock
) -> None:
    for n in range(30):
        assert (await login(http, f"nobody{n}@example.com", "guess")).status_code == 401
    refused = await login(http, tenant.owner.email)
    assert refused.status_code == 429
    assert refused.json()["error"]["message"].startswith("too many login attempts from this address")
    assert int(refused.headers["Retry-After"]) == 300

    async with client_from(app, "203.0.113.50") as elsewhere:
        assert (await login(elsewhere, tenant.owner.email)).status_code == 200

    clock.advance(300)
    assert (await login(http, tenant.owner.email)).status_code == 200


@pytest.mark.parametrize("bus_url", ["memory"], indirect=True)
async def test_one_ipv6_network_is_one_client(app: FastAPI, tenant: Tenant) -> None:
    """A home or a phone has a whole /64: hopping between its addresses gains nothing."""
    for n in range(30):
        async with client_from(app, f"2001:db8:1:2::{n + 1:x}") as hopping:
            assert (await login(hopping, f"nobody{n}@example.com", "guess")).status_code == 401
    async with client_from(app, "2001:db8:1:2:ffff::1") as same_network:
        assert (await login(same_network, tenant.owner.email)).status_code == 429
    async with client_from(app, "2001:db8:1:3::1") as next_network:
        assert (await login(next_network, tenant.owner.email)).status_code == 200


@pytest.mark.parametrize("bus_url", ["memory"], indirect=True)
async def test_behind_a_trusted_proxy_each_customer_counts_apart(app: FastAPI, tenant: Tenant) -> None:
    """`destek serve --forwarded-allow-ips` (uvicorn's proxy headers): the address is the one the proxy
    forwarded, so one busy proxy does not lock everybody out."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    proxied = ProxyHeadersMiddleware(app, trusted_hosts="10.0.0.1")
    transport = httpx.ASGITransport(app=proxied, client=("10.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as proxy:
        for n in range(30):
            response = await proxy.post(
                LOGIN,
                json={"email": f"nobody{n}@example.com", "password": "guess"},
                headers={"X-Forwarded-For": "192.0.2.66"},
            )
            assert response.status_code == 401
        refused = await proxy.post(
            LOGIN,
            json={"email": tenant.owner.email, "password": PASSWORD},
            headers={"X-Forwarded-For": "192.0.2.66"},
        )
        assert refused.status_code == 429
        other = await proxy.post(
            LOGIN,
            json={"email": tenant.owner.email, "password": PASSWORD},
            headers={"X-Forwarded-For": "192.0.2.67"},
        )
        assert other.status_code == 200


@pytest.mark.parametrize("bus_url", ["memory"], indirect=True)
@pytest.mark.parametrize(
    ("language", "seconds", "minutes"),
    [
        ("en", "Too many login attempts. Try again in {n} seconds.", "Try again in {n} minutes."),
        ("tr", "Çok fazla giriş denemesi yapıldı. {n} saniye sonra", "{n} dakika sonra yeniden deneyin."),
    ],
)
async def test_the_login_page_has_the_refusal_in_its_language(
    http: httpx.AsyncClient, language: str, seconds: str, minutes: str
) -> None:
    page = await http.get("/login", headers={"Accept-Language": language})
    assert page.status_code == 200
    assert seconds in page.text
    assert minutes in page.text
