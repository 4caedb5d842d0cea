"""Secrets at rest (TOTP secrets; channel credentials later): sealed with a key derived from the
server's secret key, so a copy of the database alone does not reveal them.

A sealed value is Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under a key derived by
HKDF-SHA256 from the secret key and a purpose, so one purpose's ciphertext never opens as another's.
After the secret key is changed, the old keys (DESTEK_OLD_SECRET_KEYS) still open what they sealed, and
`destek rotate-secrets` seals everything again under the new key (docs/security.md).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class Unsealable(Exception):
    """The value was sealed under a key this server no longer has (or is not a sealed value)."""


UNSEALABLE = (
    "a sealed secret cannot be opened with the current or old secret keys: was DESTEK_SECRET_KEY "
    "changed without listing the previous key in DESTEK_OLD_SECRET_KEYS?"
)


def _fernet(secret_key: bytes, purpose: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"destek-sealing-v1", info=purpose.encode()
    ).derive(secret_key)
    return Fernet(base64.urlsafe_b64encode(derived))


class Sealer:
    """Seals with the current key; opens with the current key or any of the old ones."""

    def __init__(self, secret_key: bytes, old_keys: Sequence[bytes] = ()) -> None:
        if not secret_key:
            raise ValueError("sealing needs the server's secret key")
        self._keys = (secret_key, *old_keys)

    def _for(self, purpose: str) -> MultiFernet:
        return MultiFernet([_fernet(key, purpose) for key in self._keys])

    def seal(self, plaintext: str, *, purpose: str) -> str:
        return self._for(purpose).encrypt(plaintext.encode()).decode()

    def open(self, sealed: str, *, purpose: str) -> str:
        try:
            return self._for(purpose).decrypt(sealed.encode()).decode()
        except (InvalidToken, UnicodeDecodeError):
            raise Unsealable(UNSEALABLE) from None

    def reseal(self, sealed: str, *, purpose: str) -> str:
        """The same secret sealed under the current key (for `destek rotate-secrets`)."""
        try:
            return self._for(purpose).rotate(sealed.encode()).decode()
        except InvalidToken:
            raise Unsealable(UNSEALABLE) from None
