"""One signed JSON POST to a URL someone else chose (an external bot, an outgoing webhook): the address
checked against the guard and connected to as checked, the body signed, the answer classified."""

from __future__ import annotations

import httpx

from destek.deliveries import netguard, signing
from destek.deliveries.outcome import Delivered, Failed, Outcome, RetryLater

TIMEOUT = 5.0


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


async def post_signed(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    *,
    secret: str,
    allow_private: bool,
    headers: dict[str, str] | None = None,
) -> Outcome:
    try:
        # Resolved and checked now, and the request sent to that very address (DNS rebinding).
        target = await netguard.check(url, allow_private=allow_private)
        response = await client.post(
            target.url,
            content=body,
            headers={
                "Host": target.host_header,
                "Content-Type": "application/json",
                **(headers or {}),
                **signing.headers(secret, body),
            },
            extensions={"sni_hostname": target.host},
        )
    except netguard.BlockedAddress as exc:
        return Failed(f"blocked: {exc}"[:500])
    except httpx.HTTPError as exc:
        return RetryLater(type(exc).__name__)
    status = response.status_code
    if 200 <= status < 300:
        return Delivered(status_code=status)
    # The body is not kept: it may hold anything.
    return RetryLater(f"HTTP {status}", delay=_retry_after(response), status_code=status)


def client(*, timeout: float = TIMEOUT) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=timeout, follow_redirects=False)
