"""Fixtures of the e-mail channel's tests: a real IMAP server on loopback (see servers.py); the SMTP
server and the certificate are in tests/channels/conftest.py."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.channels.email.servers import DOVECOT, Certificate, Dovecot, running_dovecot


def require_dovecot() -> None:
    """Skip without dovecot, or fail when the run requires every service (CI)."""
    if not DOVECOT.exists():
        if os.environ.get("DESTEK_REQUIRE_SERVICES") == "1":
            pytest.fail(f"dovecot is required ({DOVECOT} is missing): run make mailserver")
        pytest.skip(f"dovecot is not installed ({DOVECOT}): run make mailserver")


@pytest.fixture(scope="module")
def dovecot(certificate: Certificate) -> Iterator[Dovecot]:
    """One dovecot per test module (starting takes ~0.3 s); each test takes its own user
    (dovecot.add_user()), hence its own mailbox."""
    require_dovecot()
    with running_dovecot(certificate) as server:
        yield server
