"""Where the limits apply in HTTP: the client's address, one dependency per kind of public request, and
the route class that documents the 429.

A limited route names its guard: `dependencies=[LIMIT_MESSAGES]`, in a router whose
`route_class=LimitedRoute` (which documents the 429 with Retry-After in OpenAPI; the answer itself is
app.py's error handler, with the header). The guards run before the handler touches the database, so a refused
request costs one counter increment.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute

from destek.contacts.service import TOKEN_PURPOSE
from destek.deps import StateDep, bearer
from destek.errors import ErrorOut
from destek.ratelimit.rules import (
    CONTACTS_PER_IP,
    LOGIN_PER_EMAIL,
    LOGIN_PER_IP,
    MESSAGES_PER_CONTACT,
    MESSAGES_PER_IP,
    SEARCHES_PER_IP,
    UPLOADS_PER_CONTACT,
    UPLOADS_PER_IP,
    Rule,
)
from destek.security import unsign
from destek.state import AppState


def client_ip(request: Request) -> str:
    """The caller's address as uvicorn gives it (behind a proxy: from X-Forwarded-For, for the proxies
    in --forwarded-allow-ips). An IPv6 client is its /64: one home or phone gets a whole /64."""
    host = request.client.host if request.client is not None else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def email_key(email: str) -> str:
    """A login e-mail as a counter key: case-insensitive, and not kept in clear in Redis."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def contact_key(request: Request, state: AppState) -> str | None:
    """The contact of the request's contact token, from its signed claims (no database read); None
    without a valid one (the handler refuses it anyway: only the address is counted)."""
    token = bearer(request)
    if token is None:
        return None
    claims = unsign(state.settings.secret, TOKEN_PURPOSE, token)
    if claims is None or not isinstance(claims.get("a"), int) or not isinstance(claims.get("c"), int):
        return None
    return f"{claims['a']}:{claims['c']}"


async def check_login(request: Request, state: AppState, *, email: str) -> None:
    await state.limits.check((LOGIN_PER_IP, client_ip(request)), (LOGIN_PER_EMAIL, email_key(email)))


class Guard:
    """A dependency counting the request against a rule per address and, when it carries a contact
    token, a rule per contact."""

    def __init__(self, per_ip: Rule, per_contact: Rule | None = None) -> None:
        self.per_ip = per_ip
        self.per_contact = per_contact

    async def __call__(self, request: Request, state: StateDep) -> None:
        hits = [(self.per_ip, client_ip(request))]
        contact = contact_key(request, state) if self.per_contact is not None else None
        if self.per_contact is not None and contact is not None:
            hits.append((self.per_contact, contact))
        await state.limits.check(*hits)


check_search = Guard(SEARCHES_PER_IP)  # also called by the help center's search page

LIMIT_CONTACTS = Depends(Guard(CONTACTS_PER_IP))
LIMIT_MESSAGES = Depends(Guard(MESSAGES_PER_IP, MESSAGES_PER_CONTACT))
LIMIT_UPLOADS = Depends(Guard(UPLOADS_PER_IP, UPLOADS_PER_CONTACT))
LIMIT_SEARCHES = Depends(check_search)


TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {
        "model": ErrorOut,
        "description": "Too many requests: wait the `Retry-After` seconds, then try again (docs/api.md)",
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before trying again",
                "schema": {"type": "integer"},
            }
        },
    }
}


class LimitedRoute(APIRoute):
    """An API route that may be rate limited: a route with a guard documents its 429 (with Retry-After)
    in OpenAPI; the answer itself is the error handler's, like every other error."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        dependencies = kwargs.get("dependencies") or []
        if any(isinstance(dep.dependency, Guard) for dep in dependencies):
            kwargs["responses"] = {**(kwargs.get("responses") or {}), **TOO_MANY}
        super().__init__(path, endpoint, **kwargs)
