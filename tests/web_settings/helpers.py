"""Logged-in browsers (httpx with the session cookie) for the Settings pages."""

from __future__ import annotations

import httpx

from tests.support.factories import PASSWORD

CSRF = {"X-Requested-With": "destek"}


async def log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> None:
    response = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, headers=CSRF
    )
    assert response.status_code == 200, response.text
