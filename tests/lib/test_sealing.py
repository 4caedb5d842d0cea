"""Secrets sealed at rest: opened only with the server's key (current or listed old ones), kept apart
by purpose, and sealed again under a new key."""

from __future__ import annotations

import pytest

from destek.lib.sealing import Sealer, Unsealable


def test_seal_and_open() -> None:
    sealer = Sealer(b"the current key")
    sealed = sealer.seal("JBSWY3DPEHPK3PXP", purpose="totp-secret")
    assert "JBSWY3DPEHPK3PXP" not in sealed
    assert sealer.seal("JBSWY3DPEHPK3PXP", purpose="totp-secret") != sealed  # a fresh IV every time
    assert sealer.open(sealed, purpose="totp-secret") == "JBSWY3DPEHPK3PXP"
    # Another purpose's key does not open it, nor does another server's.
    with pytest.raises(Unsealable):
        sealer.open(sealed, purpose="smtp-password")
    with pytest.raises(Unsealable, match="DESTEK_OLD_SECRET_KEYS"):
        Sealer(b"another server").open(sealed, purpose="totp-secret")
    with pytest.raises(Unsealable):
        sealer.open("not sealed at all", purpose="totp-secret")


def test_key_rotation() -> None:
    old = Sealer(b"last year's key")
    sealed = old.seal("s3cret", purpose="totp-secret")
    rotated = Sealer(b"this year's key", [b"last year's key"])
    assert rotated.open(sealed, purpose="totp-secret") == "s3cret"
    resealed = rotated.reseal(sealed, purpose="totp-secret")
    # Once resealed, the old key is no longer needed.
    assert Sealer(b"this year's key").open(resealed, purpose="totp-secret") == "s3cret"
    with pytest.raises(Unsealable):
        Sealer(b"this year's key").open(sealed, purpose="totp-secret")
    with pytest.raises(ValueError, match="secret key"):
        Sealer(b"")
