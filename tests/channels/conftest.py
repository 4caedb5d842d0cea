"""Fixtures shared by the channels' tests: a self-signed certificate and a real SMTP server on loopback
(tests/channels/email/servers.py): e-mail inboxes send through it, and so do the reminders of unread
chat replies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.channels.email.servers import Certificate, SmtpServer, make_certificate, running_smtp


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for localhost / 127.0.0.1 (clients under test use verify_tls=False)."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def _smtp_servers(certificate: Certificate) -> Iterator[SmtpServer]:
    with running_smtp(certificate) as server:
        yield server


@pytest.fixture
def smtp_server(_smtp_servers: SmtpServer) -> SmtpServer:
    """aiosmtpd with STARTTLS and implicit-TLS listeners, emptied for each test."""
    _smtp_servers.reset()
    return _smtp_servers
