"""HMAC-SHA256 signatures on what Destek sends to other servers (external bots, outgoing webhooks).

`X-Destek-Signature: sha256=<hex>` over `timestamp + "." + raw body`, with `X-Destek-Timestamp: <unix
seconds>`. The receiver recomputes it and refuses timestamps more than 5 minutes old (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import time


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300) -> bool:
    """What the receiving end does (also used in tests and docs)."""
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


def headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    return {"X-Destek-Timestamp": timestamp, "X-Destek-Signature": sign(secret, timestamp, body)}
