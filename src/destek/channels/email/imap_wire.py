"""The small pieces of IMAP's wire format the mailbox reader needs: quoted strings, folder names in
modified UTF-7 (RFC 3501 §5.1.3), UID sets, response codes, the TLS context, and the readable error
of a mailbox that cannot be read."""

from __future__ import annotations

import asyncio
import base64
import re
import ssl

CODE = re.compile(rb"\[([A-Z-]+)(?: ([^\]]*))?\]")  # a response code, e.g. [UNAVAILABLE]
# Response codes (RFC 5530) after which trying again later may work.
TRANSIENT_CODES = frozenset({b"UNAVAILABLE", b"INUSE", b"SERVERBUG", b"LIMIT"})


def tls_context(verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def quote(value: str) -> str:
    if any(c in value for c in "\r\n\0"):
        raise ValueError("an IMAP string may not contain CR, LF or NUL")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mutf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 §5.1.3), e.g. "İşlenen" -> "&ATABXw-lenen"."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).rstrip(b"=").replace(b"/", b",")
            out.append("&" + encoded.decode() + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def uid_set(uids: list[int]) -> str:
    """A UID set (RFC 3501 §9 sequence-set): runs of consecutive UIDs as ranges, so it stays short."""
    runs: list[str] = []
    ordered = sorted(set(uids))
    start = previous = ordered[0]
    for uid in [*ordered[1:], 0]:
        if uid != previous + 1:
            runs.append(str(start) if start == previous else f"{start}:{previous}")
            start = uid
        previous = uid
    return ",".join(runs)


def transient_code(text: bytes) -> bool:
    code = CODE.search(text)
    return code is not None and code.group(1) in TRANSIENT_CODES


def readable(raw: bytes) -> str:
    return " ".join(raw.decode("utf-8", "replace").split())[:300]


class ImapError(Exception):
    """The mailbox could not be read; the message is readable. transient: worth trying again later
    (network, timeout, server busy), not: someone must change the settings (login, folder, certificate)."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


def connection_error(exc: BaseException, where: str) -> ImapError:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return ImapError(
            f"the TLS certificate of {where} does not verify ({exc.verify_message}): check the host name",
            transient=False,
        )
    if isinstance(exc, TimeoutError):
        return ImapError(f"{where} did not answer in time", transient=True)
    if isinstance(exc, asyncio.IncompleteReadError):
        return ImapError(f"{where} closed the connection", transient=True)
    return ImapError(f"the connection to {where} failed: {exc or type(exc).__name__}", transient=True)
