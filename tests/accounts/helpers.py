"""Small request helpers for the accounts API tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.factories import PASSWORD

CSRF = {"X-Requested-With": "test"}


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The error body of a response that must have failed with `status`."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    return body


def field_error(response: httpx.Response, field: str) -> dict[str, Any]:
    """A 422 naming `field`."""
    body = error(response, 422)
    assert body["field"] == field, body
    return body


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response
