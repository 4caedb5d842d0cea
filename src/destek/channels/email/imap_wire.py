"""The small pieces of IMAP's wire format the mailbox reader needs: quoted strings, folder names in
modified UTF-7 (RFC 3501 §5.1.3), and the TLS context."""

from __future__ import annotations

import base64
import ssl


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
