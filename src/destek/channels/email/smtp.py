"""Sending one message over SMTP (aiosmtplib), with an outcome the caller can act on.

The caller maps Sent / TryAgain / Refused to delivered / retry with backoff / failed. Server problems
never raise: connection errors, timeouts and 4xx replies are worth another try; 5xx replies, refused
logins and certificates that do not verify are not (they need someone to change the settings).
Only programming errors (no recipients, an unknown security mode) raise.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

import aiosmtplib

from destek.channels.email.oauth import xoauth2_string

SECURITY_MODES = ("tls", "starttls", "none")


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "tls" (implicit, 465) | "starttls" (587) | "none" (only for tests/local relays)
    username: str = ""
    password: str | None = None
    oauth_token: str | None = None  # an XOAUTH2 access token instead of the password
    timeout: float = 20.0
    verify_tls: bool = True  # tests use a self-signed certificate


@dataclass(frozen=True, slots=True)
class Sent:
    provider_id: str  # the Message-ID, without <>
    response: str  # the server's final reply text, short
    refused: dict[str, str] = field(default_factory=dict)  # address -> why, when others were accepted


@dataclass(frozen=True, slots=True)
class TryAgain:
    reason: str
    retry_after: float | None  # seconds, None: use the caller's backoff


@dataclass(frozen=True, slots=True)
class Refused:
    reason: str  # readable, e.g. "the server refused the login: 535 5.7.8 ..."


SendOutcome = Sent | TryAgain | Refused


async def send(settings: SmtpSettings, message: EmailMessage, *, recipients: list[str]) -> SendOutcome:
    """Deliver `message` to `recipients` (the envelope: to + cc + bcc) through the relay."""
    if not recipients:
        raise ValueError("send() needs at least one recipient")
    client = _client(settings)
    try:
        problem = await _connect_and_login(client, settings)
        if problem is not None:
            return problem
        try:
            refused, reply = await client.send_message(message, recipients=recipients)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return _all_refused(exc)
        except aiosmtplib.SMTPSenderRefused as exc:
            return _by_code(exc.code, f"the server refused the sender {exc.sender}: {_reply(exc)}")
        except aiosmtplib.SMTPDataError as exc:
            return _by_code(exc.code, f"the server refused the message: {_reply(exc)}")
        except (aiosmtplib.SMTPException, OSError) as exc:
            return _failure(exc, settings)
        await _close(client, polite=True)
        why = {address: _short(r.code, r.message) for address, r in refused.items()}
        return Sent(provider_id=_message_id(message), response=_short(reply), refused=why)
    finally:
        await _close(client)


async def check(settings: SmtpSettings) -> str | None:
    """Connect and log in, for "Test connection": None when fine, else what is wrong, readably."""
    client = _client(settings)
    try:
        problem = await _connect_and_login(client, settings)
        if problem is not None:
            return problem.reason
        await _close(client, polite=True)
        return None
    finally:
        await _close(client)


def _client(settings: SmtpSettings) -> aiosmtplib.SMTP:
    if settings.security not in SECURITY_MODES:
        raise ValueError(f"unknown SMTP security {settings.security!r}; one of {', '.join(SECURITY_MODES)}")
    return aiosmtplib.SMTP(
        hostname=settings.host,
        port=settings.port,
        use_tls=settings.security == "tls",
        start_tls=False,  # done in _connect_and_login, to tell "no STARTTLS offered" from an outage
        validate_certs=settings.verify_tls,
        timeout=settings.timeout,
    )


async def _connect_and_login(client: aiosmtplib.SMTP, settings: SmtpSettings) -> TryAgain | Refused | None:
    try:
        await client.connect()
        if settings.security == "starttls":
            await client.ehlo()
            if not client.supports_extension("starttls"):
                return Refused(f"{_where(settings)} does not offer STARTTLS: choose another security setting")
            await client.starttls()
    except aiosmtplib.SMTPConnectResponseError as exc:
        return _by_code(exc.code, f"the server turned the connection away: {_reply(exc)}")
    except aiosmtplib.SMTPResponseException as exc:
        return _by_code(exc.code, f"the server refused to begin: {_reply(exc)}")
    except (aiosmtplib.SMTPException, OSError) as exc:
        return _failure(exc, settings)
    if settings.oauth_token is None and settings.password is None:
        return None
    try:
        if settings.oauth_token is not None:
            # aiosmtplib builds the same string; ours validates it (no \x01 in user or token).
            xoauth2_string(settings.username, settings.oauth_token)
            await client.auth_xoauth2(settings.username, settings.oauth_token)
        else:
            await client.login(settings.username, settings.password or "")
    except aiosmtplib.SMTPAuthenticationError as exc:
        return _by_code(exc.code, f"the server refused the login for {settings.username!r}: {_reply(exc)}")
    except aiosmtplib.SMTPResponseException as exc:
        return _by_code(exc.code, f"the login failed: {_reply(exc)}")
    except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError) as exc:
        return _failure(exc, settings)
    except aiosmtplib.SMTPException as exc:
        # No AUTH offered (often: no TLS yet), or no mechanism both sides know.
        return Refused(f"{_where(settings)} cannot log in as configured: {exc}")
    return None


def _failure(exc: BaseException, settings: SmtpSettings) -> TryAgain | Refused:
    """A connection-level problem: a certificate that does not verify needs a person, the rest passes."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return Refused(
                f"the TLS certificate of {_where(settings)} does not verify ({cause.verify_message}): "
                "check the host name"
            )
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, TimeoutError | aiosmtplib.SMTPTimeoutError):
        return TryAgain(f"{_where(settings)} did not answer in time", retry_after=None)
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected):
        return TryAgain(f"{_where(settings)} closed the connection: {exc}", retry_after=None)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return _by_code(exc.code, _reply(exc))
    return TryAgain(f"could not connect to {_where(settings)}: {_plain(exc)}", retry_after=None)


def _all_refused(exc: aiosmtplib.SMTPRecipientsRefused) -> TryAgain | Refused:
    listed = "; ".join(f"{r.recipient}: {_reply(r)}" for r in exc.recipients)
    if any(400 <= r.code < 500 for r in exc.recipients):
        return TryAgain(f"the server deferred the recipients: {listed}", retry_after=None)
    return Refused(f"the server refused every recipient: {listed}")


def _by_code(code: int, reason: str) -> TryAgain | Refused:
    if 400 <= code < 500:
        return TryAgain(reason, retry_after=None)
    return Refused(reason)


async def _close(client: aiosmtplib.SMTP, *, polite: bool = False) -> None:
    """QUIT when `polite`, then drop the connection at once. aiosmtplib's own close waits for the TLS
    goodbye in the background, which can outlive the caller's event loop (and warn)."""
    transport = client.transport
    if polite:
        # The message is already accepted (or the check passed): a failed QUIT changes nothing.
        with contextlib.suppress(aiosmtplib.SMTPException, OSError):
            await client.execute_command(b"QUIT")
    if isinstance(transport, asyncio.WriteTransport) and not transport.is_closing():
        transport.abort()
        await asyncio.sleep(0)  # abort closes the socket on the loop's next turn
    client.close()


def _message_id(message: EmailMessage) -> str:
    return str(message.get("Message-ID", "")).strip().removeprefix("<").removesuffix(">")


def _reply(exc: aiosmtplib.SMTPResponseException) -> str:
    return _short(exc.code, exc.message)


def _short(*parts: object) -> str:
    text = " ".join(str(p) for p in parts if str(p))
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:297] + "..."


def _plain(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _where(settings: SmtpSettings) -> str:
    return f"{settings.host}:{settings.port}"
