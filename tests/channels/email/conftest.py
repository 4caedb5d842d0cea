"""Fixtures of the e-mail channel's tests: real mail servers on loopback (see servers.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.channels.email.servers import (
    DOVECOT,
    Certificate,
    Dovecot,
    SmtpServer,
    make_certificate,
    running_dovecot,
    running_smtp,
)


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for localhost / 127.0.0.1 (clients under test use verify_tls=False)."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


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


@pytest.fixture(scope="module")
def _smtp_servers(certificate: Certificate) -> Iterator[SmtpServer]:
    with running_smtp(certificate) as server:
        yield server


@pytest.fixture
def smtp_server(_smtp_servers: SmtpServer) -> SmtpServer:
    """aiosmtpd with STARTTLS and implicit-TLS listeners, emptied for each test."""
    _smtp_servers.reset()
    return _smtp_servers
