"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): what every authenticator app speaks.

HMAC-SHA1, 30-second steps, 6 digits: the defaults that Google Authenticator, Microsoft Authenticator,
1Password, Aegis and the rest all accept from an otpauth:// URI.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
# One step either side: a phone's clock a little off, or a code typed as it turned over.
WINDOW = 1


def new_secret() -> str:
    """160 random bits (RFC 4226 recommends at least 128, and SHA-1's block is 160), in base32."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    return base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))


def hotp(secret: str, counter: int, *, digits: int = DIGITS) -> str:
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(when: float | None = None) -> int:
    return int((time.time() if when is None else when) // STEP_SECONDS)


def code_at(secret: str, when: float | None = None) -> str:
    return hotp(secret, step_at(when))


def matching_step(
    secret: str, code: str, *, when: float | None = None, after: int | None = None
) -> int | None:
    """The time step whose code this is (within the window), or None. A step at or before `after` (the
    last one used) never matches again: a code works once (RFC 6238 section 5.2)."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_at(when)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(hotp(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from a QR code (Key Uri Format)."""
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"
