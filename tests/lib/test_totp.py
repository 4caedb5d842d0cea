"""TOTP against RFC 6238's own test vectors (appendix B, SHA-1), and the window and replay rules."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from destek.lib import totp

# RFC 6238 appendix B: the ASCII secret "12345678901234567890", 8 digits, 30-second steps.
SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_rfc_6238_vectors(when: int, expected: str) -> None:
    assert totp.hotp(SECRET, totp.step_at(when), digits=8) == expected


def test_six_digit_codes_are_the_last_six_of_the_vectors() -> None:
    assert totp.code_at(SECRET, 59) == "287082"


def test_window_and_replay() -> None:
    now = 1_700_000_000.0
    step = totp.step_at(now)
    assert totp.matching_step(SECRET, totp.code_at(SECRET, now), when=now) == step
    # A phone a step behind or ahead still works; two steps off does not.
    assert totp.matching_step(SECRET, totp.code_at(SECRET, now - 30), when=now) == step - 1
    assert totp.matching_step(SECRET, totp.code_at(SECRET, now + 30), when=now) == step + 1
    assert totp.matching_step(SECRET, totp.code_at(SECRET, now - 90), when=now) is None
    # A code at or before the last step used never works again.
    assert totp.matching_step(SECRET, totp.code_at(SECRET, now), when=now, after=step) is None
    assert totp.matching_step(SECRET, totp.code_at(SECRET, now + 30), when=now, after=step) == step + 1
    # Spaces as apps show them are fine; anything not six digits is not a code.
    code = totp.code_at(SECRET, now)
    assert totp.matching_step(SECRET, f"{code[:3]} {code[3:]}", when=now) == step
    for junk in ("", "12345", "1234567", "abcdef"):
        assert totp.matching_step(SECRET, junk, when=now) is None


def test_new_secrets_and_the_uri_apps_read() -> None:
    secrets = {totp.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(len(base64.b32decode(s + "=" * (-len(s) % 8))) == 20 for s in secrets)
    uri = totp.provisioning_uri(SECRET, account="ayşe@example.com", issuer="Destek")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert parts.path == "/Destek:ay%C5%9Fe@example.com"
    query = parse_qs(parts.query)
    assert query == {
        "secret": [SECRET],
        "issuer": ["Destek"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }
