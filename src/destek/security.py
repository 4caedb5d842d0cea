"""Password hashing, random tokens, signed contact tokens, HMAC identity verification."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("destek-timing-equaliser")


def use_cheap_password_hashing() -> None:
    """For test suites only: Argon2 at its cheapest, so creating users costs microseconds."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    _DUMMY_HASH = _hasher.hash("destek-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def random_token(prefix: str = "", nbytes: int = 24) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


# No look-alikes (0/O, 1/l/I): read out over the phone, typed from paper.
READABLE = "abcdefghjkmnpqrstuvwxyz23456789"


def readable_code(groups: int = 4, size: int = 4) -> str:
    """Random groups of letters and digits joined by dashes ("k7mq-2xwe-..."): one-time passwords
    (4 groups: 78 bits) and recovery codes (2 groups: 39 bits, each usable once, behind the login's
    rate limit)."""
    return "-".join("".join(secrets.choice(READABLE) for _ in range(size)) for _ in range(groups))


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def identity_hash(secret: str, identifier: str) -> str:
    """What the business's backend computes: hex HMAC-SHA256(inbox secret, identifier)."""
    return hmac.new(secret.encode(), identifier.encode(), hashlib.sha256).hexdigest()


def check_identity_hash(secret: str, identifier: str, given: str) -> bool:
    # Bytes, not str: compare_digest refuses non-ASCII str (a TypeError, not a mismatch).
    return hmac.compare_digest(identity_hash(secret, identifier).encode(), given.strip().lower().encode())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, purpose: str, claims: dict[str, Any]) -> str:
    """A compact signed token: base64(json).base64(hmac). `purpose` keeps token kinds apart."""
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(key, f"{purpose}.{body}".encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unsign(key: bytes, purpose: str, token: str) -> dict[str, Any] | None:
    """The claims of a token signed with `key` for `purpose`, or None for anything else."""
    try:
        body, mac = token.split(".", 1)
        expected = hmac.new(key, f"{purpose}.{body}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(mac)):
            return None
        claims = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None
