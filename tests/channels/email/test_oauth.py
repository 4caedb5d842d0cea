"""Refreshing XOAUTH2 access tokens against a local token endpoint that answers as Google's and
Microsoft's documented ones do (RFC 6749 §5.1 success, §5.2 errors, outages)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from destek.channels.email.oauth import PROVIDERS, AccessToken, TokenError, refresh, xoauth2_string
from tests.channels.email.servers import HttpRequest, JsonHttpServer, free_port

Reply = tuple[int, dict[str, str], bytes | dict[str, Any]]


class TokenEndpoint:
    def __init__(self) -> None:
        self.reply: Reply = (500, {}, b"")
        self.server = JsonHttpServer(lambda request: self.reply)

    @property
    def requests(self) -> list[HttpRequest]:
        return self.server.requests


@pytest.fixture
def endpoint() -> Iterator[TokenEndpoint]:
    token_endpoint = TokenEndpoint()
    with token_endpoint.server:
        yield token_endpoint


async def refreshed(endpoint: TokenEndpoint, **changes: Any) -> AccessToken:
    values: dict[str, Any] = {
        "token_url": endpoint.server.url + "/token",
        "client_id": "destek-client.apps.example",
        "client_secret": "gizli",
        "refresh_token": "1//old-refresh",
    }
    values.update(changes)
    return await refresh(**values)


async def test_google_success(endpoint: TokenEndpoint) -> None:
    endpoint.reply = (
        200,
        {},
        {
            "access_token": "ya29.a0Af-new",
            "expires_in": 3599,
            "scope": "https://mail.google.com/",
            "token_type": "Bearer",
        },
    )
    before = datetime.now(UTC)
    token = await refreshed(endpoint)
    assert token.token == "ya29.a0Af-new"
    assert token.refresh_token is None  # Google keeps the refresh token
    assert before + timedelta(seconds=3598) <= token.expires_at <= datetime.now(UTC) + timedelta(seconds=3599)
    assert token.expires_at.tzinfo is UTC
    assert token.fresh()
    assert not token.fresh(now=token.expires_at - timedelta(minutes=1))
    [request] = endpoint.requests
    assert request.path == "/token"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form == {
        "grant_type": "refresh_token",
        "refresh_token": "1//old-refresh",
        "client_id": "destek-client.apps.example",
        "client_secret": "gizli",
    }


async def test_microsoft_rotates_the_refresh_token(endpoint: TokenEndpoint) -> None:
    scope = (
        "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access"
    )
    endpoint.reply = (
        200,
        {},
        {
            "token_type": "Bearer",
            "scope": scope,
            "expires_in": 4283,
            "ext_expires_in": 4283,
            "access_token": "eyJ0eXAiOiJKV1Qi.new",
            "refresh_token": "0.AXoA-rotated",
        },
    )
    async with httpx.AsyncClient() as client:
        token = await refreshed(endpoint, scope=scope, client=client)
    assert token.token == "eyJ0eXAiOiJKV1Qi.new"
    assert token.refresh_token == "0.AXoA-rotated"
    assert endpoint.requests[0].form["scope"] == scope


_MICROSOFT_TRACE = "\r\nTrace ID: 0f3c\r\nCorrelation ID: 9a1b\r\nTimestamp: 2025-01-02 03:04:05Z"


@pytest.mark.parametrize(
    ("reply", "transient", "says"),
    [
        pytest.param(
            (400, {}, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}),
            False,
            "the mailbox's authorisation was revoked or expired: connect it again "
            "(invalid_grant: Token has been expired or revoked.)",
            id="google-invalid_grant",
        ),
        pytest.param(
            (
                400,
                {},
                {
                    "error": "invalid_grant",
                    "error_description": "AADSTS700082: The refresh token has expired due to inactivity."
                    + _MICROSOFT_TRACE,
                    "error_codes": [700082],
                    "timestamp": "2025-01-02 03:04:05Z",
                    "trace_id": "0f3c",
                    "correlation_id": "9a1b",
                },
            ),
            False,
            "(invalid_grant: AADSTS700082: The refresh token has expired due to inactivity.)",
            id="microsoft-invalid_grant",
        ),
        pytest.param(
            (401, {}, {"error": "invalid_client", "error_description": "Unauthorized"}),
            False,
            "the provider refused the OAuth client ID or secret",
            id="google-invalid_client",
        ),
        pytest.param(
            (
                401,
                {},
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
            ),
            False,
            "AADSTS7000215",
            id="microsoft-invalid_client",
        ),
        pytest.param(
            (503, {"Retry-After": "30", "Content-Type": "text/html"}, b"<html>Service Unavailable</html>"),
            True,
            "the token endpoint is unavailable (HTTP 503, text/html)",
            id="503",
        ),
        pytest.param(
            (503, {}, {"error": "temporarily_unavailable", "error_description": "AADSTS50196: busy"}),
            True,
            "temporarily_unavailable",
            id="microsoft-temporarily_unavailable",
        ),
        pytest.param(
            (200, {"Content-Type": "application/json"}, b'{"access_token": "ya29.cut'),
            False,
            "the token endpoint's answer is not the JSON expected (HTTP 200, application/json)",
            id="malformed-json",
        ),
        pytest.param(
            (200, {}, {"token_type": "Bearer", "expires_in": 3600}),
            False,
            "has no access_token",
            id="no-access_token",
        ),
    ],
)
async def test_failures(endpoint: TokenEndpoint, reply: Reply, transient: bool, says: str) -> None:
    endpoint.reply = reply
    with pytest.raises(TokenError) as caught:
        await refreshed(endpoint)
    assert caught.value.transient is transient
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)
    if reply[0] == 503 and "Retry-After" in reply[1]:
        assert caught.value.retry_after == 30


async def test_unreachable_endpoint_is_transient() -> None:
    with pytest.raises(TokenError) as caught:
        await refresh(
            token_url=f"http://127.0.0.1:{free_port()}/token",
            client_id="c",
            client_secret="s",
            refresh_token="r",
        )
    assert caught.value.transient
    assert "could not reach the token endpoint" in str(caught.value)


def test_xoauth2_string_is_the_documented_one() -> None:
    # The example of Google's XOAUTH2 protocol page, before and after base64.
    raw = xoauth2_string("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")
    assert (
        raw
        == "user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01"
    )
    assert base64.b64encode(raw.encode()).decode() == (
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52"
        "YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
    )
    with pytest.raises(ValueError, match="x01"):
        xoauth2_string("a\x01b", "t")


def test_providers() -> None:
    assert PROVIDERS["google"] == "https://oauth2.googleapis.com/token"
    assert PROVIDERS["microsoft"].format(tenant="common") == (
        "https://login.microsoftonline.com/common/oauth2/v2.0/token"
    )
