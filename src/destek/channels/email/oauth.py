"""XOAUTH2 access tokens for Google and Microsoft mailboxes, refreshed at the provider's token endpoint.

Both providers follow RFC 6749 §6 (grant_type=refresh_token) and answer with the §5.1 JSON
(access_token, token_type, expires_in, sometimes a new refresh_token: Microsoft rotates it, Google
does not) or a §5.2 error ({"error": "invalid_grant", "error_description": ...}, HTTP 400/401).
The caller stores the rotated refresh token, and tells a revoked authorisation (not transient: the
mailbox must be connected again) from an outage (transient: try later).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

PROVIDERS: dict[str, str] = {
    "google": "https://oauth2.googleapis.com/token",
    "microsoft": "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
}

# What each RFC 6749 §5.2 error code means to the person who connected the mailbox.
_ERRORS = {
    "invalid_grant": "the mailbox's authorisation was revoked or expired: connect it again",
    "invalid_client": "the provider refused the OAuth client ID or secret: check the app's credentials",
    "unauthorized_client": "the OAuth app is not allowed to refresh tokens: check the app's settings",
    "invalid_scope": "the provider refused the requested scope: check the app's permissions",
}
_TRANSIENT_ERRORS = frozenset({"temporarily_unavailable", "server_error"})


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_at: datetime  # aware UTC
    refresh_token: str | None  # a new one when the provider rotated it (Microsoft does), else None

    def fresh(self, *, margin: timedelta = timedelta(minutes=5), now: datetime | None = None) -> bool:
        """Still usable for `margin` (a login or a long IDLE must not outlive the token)."""
        return (now or datetime.now(UTC)) + margin < self.expires_at


class TokenError(Exception):
    """A refresh that did not give a token; the message is readable as it is."""

    def __init__(
        self, message: str, *, transient: bool, error: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.error = error  # the RFC 6749 error code, when the endpoint gave one
        self.retry_after = retry_after


async def refresh(
    *,
    token_url: str,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    scope: str | None = None,
    client: httpx.AsyncClient | None = None,
) -> AccessToken:
    """A new access token for `refresh_token`; raises TokenError (see .transient) when there is none."""
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": client_id,
        "client_secret": client_secret,
    }
    if scope:
        form["scope"] = scope
    try:
        if client is None:
            async with httpx.AsyncClient(timeout=20.0) as own:
                response = await own.post(token_url, data=form, headers={"Accept": "application/json"})
        else:
            response = await client.post(token_url, data=form, headers={"Accept": "application/json"})
    except httpx.TimeoutException:
        raise TokenError("the token endpoint did not answer in time", transient=True) from None
    except httpx.HTTPError as exc:
        raise TokenError(f"could not reach the token endpoint: {exc}", transient=True) from None
    issued = datetime.now(UTC)
    body = _json_object(response)
    if response.is_success:
        if body is None:
            raise TokenError(
                f"the token endpoint's answer is not the JSON expected ({_describe(response)}): "
                "check the token URL",
                transient=False,
            )
        return _token(body, previous=refresh_token, issued=issued)
    raise _error(response, body)


def xoauth2_string(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial client response before base64 (Google's and Microsoft's format):
    "user=" user ^A "auth=Bearer " token ^A ^A. IMAP and SMTP send it base64-encoded."""
    if "\x01" in user or "\x01" in token:
        raise ValueError("a user or token for XOAUTH2 may not contain \\x01")
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def _token(body: dict[str, Any], *, previous: str, issued: datetime) -> AccessToken:
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise TokenError("the token endpoint's answer has no access_token", transient=False)
    token_type = body.get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise TokenError(f"the token endpoint gave a {token_type!r} token, not a Bearer one", transient=False)
    try:
        # RFC 6749 makes expires_in a number; some endpoints send it as a string.
        lifetime = float(body.get("expires_in", 3600))
    except (TypeError, ValueError):
        raise TokenError("the token endpoint's expires_in is not a number", transient=False) from None
    rotated = body.get("refresh_token")
    return AccessToken(
        token=token,
        expires_at=issued + timedelta(seconds=max(lifetime, 0.0)),
        refresh_token=rotated if isinstance(rotated, str) and rotated and rotated != previous else None,
    )


def _error(response: httpx.Response, body: dict[str, Any] | None) -> TokenError:
    code = body.get("error") if body else None
    code = code if isinstance(code, str) else None
    detail = body.get("error_description") if body else None
    # Microsoft's descriptions carry trace and correlation ids on further lines.
    detail = detail.strip().splitlines()[0] if isinstance(detail, str) and detail.strip() else None
    suffix = f" ({code}: {detail})" if code and detail else f" ({code})" if code else ""
    retry_after = _retry_after(response)
    if response.status_code >= 500 or response.status_code == 429 or code in _TRANSIENT_ERRORS:
        return TokenError(
            f"the token endpoint is unavailable ({_describe(response)}){suffix}: it will be tried again",
            transient=True,
            error=code,
            retry_after=retry_after,
        )
    if code in _ERRORS:
        return TokenError(f"{_ERRORS[code]}{suffix}", transient=False, error=code)
    return TokenError(
        f"the token endpoint refused the refresh ({_describe(response)}){suffix}", transient=False, error=code
    )


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _describe(response: httpx.Response) -> str:
    kind = response.headers.get("content-type", "no content type").split(";")[0]
    return f"HTTP {response.status_code}, {kind}"


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(float(response.headers.get("retry-after", "")), 0.0)
    except ValueError:
        return None
