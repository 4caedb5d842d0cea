"""Reading a mailbox over IMAP (RFC 3501): new mail by UID, fetched without marking it read.

A small client on asyncio streams rather than aioimaplib, which has no STARTTLS, no types, and leaves
the XOAUTH2 error challenge unanswered (the login then hangs until its timeout).

Resumable sync. UIDs only grow within one UIDVALIDITY, so the caller keeps (uidvalidity, last_uid)
per inbox and, for each batch of mails, commits in this order::

    async with Mailbox(settings) as box:
        if stored is None or stored.uidvalidity != box.uidvalidity:
            last_uid = 0  # old UIDs mean nothing now: replay; Message-ID dedup drops what was seen
        for batch in batches(await box.uids_after(last_uid), await box.sizes(...)):
            ingest([f.raw for f in await box.fetch(batch)])  # deduplicated by Message-ID, committed
            store(box.uidvalidity, batch[-1])
            await box.processed(batch)
        await box.wait(300)  # IDLE; then loop

A crash between two steps replays at most one batch, which the Message-ID dedup absorbs; a lost
connection raises ImapError(transient=True): reconnect and resume from the stored last_uid. To skip a
mailbox's history when it is first connected, start from `box.uidnext - 1`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from destek.channels.email.imap_wire import (
    CODE,
    ImapError,
    connection_error,
    mutf7,
    quote,
    readable,
    tls_context,
    transient_code,
    uid_set,
)
from destek.channels.email.oauth import xoauth2_string

_LITERAL = re.compile(rb"\{(\d+)\}\r\n$")
_LONGEST_IDLE = 25 * 60.0  # servers may log out after 30 minutes (RFC 3501 §5.4)


@dataclass(frozen=True, slots=True)
class ImapSettings:
    host: str
    port: int
    security: str = "tls"  # "tls" (993) | "starttls" (143) | "none" (tests only)
    username: str = ""
    password: str | None = None
    oauth_token: str | None = None  # XOAUTH2 (RFC 7628 / Google's and Microsoft's SASL XOAUTH2 string)
    folder: str = "INBOX"
    after: str = "flag"  # a processed mail: "flag" (\Seen) | "move" (to move_to) | "keep"
    move_to: str = "Processed"
    timeout: float = 30.0
    verify_tls: bool = True


@dataclass(frozen=True, slots=True)
class Fetched:
    uid: int
    raw: bytes


@dataclass(frozen=True, slots=True)
class _Response:
    text: bytes  # the response's lines joined, each literal's place marked by its {size}
    literals: list[bytes]


class _Quiet(Exception):
    """No response began within the wait given (IDLE with nothing new)."""


class Mailbox:
    """One connection to one folder; use `async with`. After an ImapError, leave and reconnect."""

    def __init__(self, settings: ImapSettings) -> None:
        if settings.security not in ("tls", "starttls", "none"):
            raise ValueError(f"unknown IMAP security {settings.security!r}; one of tls, starttls, none")
        if settings.after not in ("flag", "move", "keep"):
            raise ValueError(f"unknown IMAP after {settings.after!r}; one of flag, move, keep")
        self.settings = settings
        self.uidvalidity = 0
        self.uidnext = 0  # the UID the next mail will get, as the server announced it at SELECT
        self.can_idle = False
        self._capabilities: set[str] = set()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._tag = 0
        self._broken = False
        self._logging_out = False  # a BYE is then expected, not an error

    async def __aenter__(self) -> Mailbox:
        try:
            await self._open()
        except BaseException:
            await self._close()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if exc_info[0] is not None:
            self._broken = True  # left mid-command (cancelled, say): the server may be in IDLE, not LOGOUT
        if not self._broken and self._writer is not None:
            self._logging_out = True
            with contextlib.suppress(ImapError):
                await self._command("LOGOUT")
        await self._close()

    async def uids_after(self, uid: int) -> list[int]:
        """The UIDs above `uid`, ascending."""
        untagged = await self._ok(f"UID SEARCH UID {uid + 1}:*", "search the folder")
        found = {int(n) for r in untagged if r.text.startswith(b"* SEARCH") for n in r.text.split()[2:]}
        # "n:*" always includes the last mail, even when its UID is below n (RFC 3501 §6.4.8).
        return sorted(n for n in found if n > uid)

    async def sizes(self, uids: list[int]) -> dict[int, int]:
        """Each mail's size in bytes (RFC822.SIZE), to fetch them in batches of bounded memory."""
        if not uids:
            return {}
        untagged = await self._ok(f"UID FETCH {uid_set(uids)} (RFC822.SIZE)", "read the mails' sizes")
        found: dict[int, int] = {}
        for response in untagged:
            uid, size = (
                re.search(rb"\bUID (\d+)", response.text),
                re.search(rb"RFC822\.SIZE (\d+)", response.text),
            )
            if b" FETCH " in response.text and uid and size:
                found[int(uid.group(1))] = int(size.group(1))
        return found

    async def fetch(self, uids: list[int]) -> list[Fetched]:
        """The whole messages, in UID order; BODY.PEEK leaves \\Seen alone. A mail gone since is left out."""
        if not uids:
            return []
        untagged = await self._ok(f"UID FETCH {uid_set(uids)} (BODY.PEEK[])", "fetch mail")
        wanted = set(uids)
        found: dict[int, bytes] = {}
        for response in untagged:
            uid = re.search(rb"\bUID (\d+)", response.text)
            if b" FETCH " in response.text and uid and int(uid.group(1)) in wanted and response.literals:
                found[int(uid.group(1))] = response.literals[0]
        return [Fetched(uid=uid, raw=found[uid]) for uid in sorted(found)]

    async def processed(self, uids: list[int]) -> None:
        """Mark, move or keep the mails, as settings.after says."""
        if not uids:
            return
        which = uid_set(uids)
        if self.settings.after == "flag":
            await self._ok(f"UID STORE {which} +FLAGS.SILENT (\\Seen)", "mark mail as read")
        elif self.settings.after == "move":
            target = quote(mutf7(self.settings.move_to))
            if "MOVE" in self._capabilities:
                await self._into_folder(f"UID MOVE {which} {target}")
            else:
                await self._into_folder(f"UID COPY {which} {target}")
                await self._ok(f"UID STORE {which} +FLAGS.SILENT (\\Deleted)", "delete moved mail")
                expunge = f"UID EXPUNGE {which}" if "UIDPLUS" in self._capabilities else "EXPUNGE"
                await self._ok(expunge, "delete moved mail")

    async def wait(self, timeout: float) -> bool:
        """Until the server reports new mail (True) or `timeout` passes (False), with IDLE (RFC 2177).
        Without IDLE: sleep and say True, so the caller polls."""
        if not self.can_idle:
            await asyncio.sleep(timeout)
            return True
        tag = await self._send_command("IDLE")
        news = False
        while not (response := await self._read()).text.startswith(b"+"):
            if response.text.startswith(tag.encode() + b" "):
                raise ImapError(f"the server refused IDLE: {readable(response.text)}", transient=False)
            news = self._check_untagged(response) or news  # mail that came before IDLE began
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(timeout, _LONGEST_IDLE)
        while not news:
            try:
                response = await self._read(first_wait=max(deadline - loop.time(), 0.0))
            except _Quiet:
                break
            if response.text.startswith(tag.encode() + b" "):
                return True  # the server ended IDLE itself: look again
            news = self._check_untagged(response) or news
        await self._send(b"DONE\r\n")
        while True:
            response = await self._read()
            if response.text.startswith(tag.encode() + b" "):
                return news
            news = self._check_untagged(response) or news

    # -- connection ------------------------------------------------------------------------------

    async def _open(self) -> None:
        s = self.settings
        context = tls_context(s.verify_tls) if s.security != "none" else None
        try:
            async with asyncio.timeout(s.timeout):
                self._reader, self._writer = await asyncio.open_connection(
                    s.host,
                    s.port,
                    ssl=context if s.security == "tls" else None,
                    limit=16 * 1024 * 1024,  # one SEARCH answer is one line
                )
        except (OSError, TimeoutError) as exc:
            raise connection_error(exc, self._where()) from None
        greeting = await self._read()
        if greeting.text.startswith(b"* BYE"):
            raise ImapError(
                f"{self._where()} turned the connection away: {readable(greeting.text)}", transient=True
            )
        await self._load_capabilities()
        if s.security == "starttls":
            if "STARTTLS" not in self._capabilities:
                raise ImapError(f"{self._where()} does not offer STARTTLS", transient=False)
            await self._ok("STARTTLS", "start TLS")
            assert self._writer is not None and context is not None
            try:
                async with asyncio.timeout(s.timeout):
                    await self._writer.start_tls(context, server_hostname=s.host)
            except (OSError, TimeoutError) as exc:
                raise connection_error(exc, self._where()) from None
            await self._load_capabilities()  # they may differ after TLS (RFC 3501 §6.2.1)
        if not greeting.text.startswith(b"* PREAUTH"):
            await self._login()
        await self._select()

    async def _login(self) -> None:
        s = self.settings
        challenges: list[bytes] = []
        if s.oauth_token is not None:
            initial = xoauth2_string(s.username, s.oauth_token).encode()
            mechanism = "XOAUTH2"
        elif s.password is not None and "AUTH=PLAIN" in self._capabilities:
            initial = b"\0" + s.username.encode() + b"\0" + s.password.encode()  # RFC 4616, UTF-8 safe
            mechanism = "PLAIN"
        elif s.password is not None:
            if "LOGINDISABLED" in self._capabilities:
                raise ImapError(f"{self._where()} allows no login without TLS", transient=False)
            _, status, text = await self._command(f"LOGIN {quote(s.username)} {quote(s.password)}")
            return await self._after_login(status, text, challenges)
        else:
            raise ImapError("no password or access token is set for the mailbox", transient=False)
        encoded = base64.b64encode(initial)
        sent = "SASL-IR" in self._capabilities  # RFC 4959: the initial response goes with the command

        def answer(challenge: bytes) -> bytes:
            nonlocal sent
            if not sent:
                sent = True
                return encoded
            challenges.append(challenge)  # an error report (XOAUTH2's JSON); an empty reply ends it
            return b""

        command = f"AUTHENTICATE {mechanism}" + (f" {encoded.decode()}" if sent else "")
        _, status, text = await self._command(command, answer=answer)
        await self._after_login(status, text, challenges)

    async def _after_login(self, status: bytes, text: bytes, challenges: list[bytes]) -> None:
        if status != b"OK":
            detail = readable(text)
            for challenge in filter(None, challenges):
                with contextlib.suppress(ValueError):
                    detail += f" ({base64.b64decode(challenge).decode('utf-8', 'replace')})"
            what = "the access token" if self.settings.oauth_token is not None else "the login"
            raise ImapError(
                f"the server refused {what} for {self.settings.username!r}: {detail}",
                transient=transient_code(text),
            )
        code = CODE.search(text)
        if code and code.group(1) == b"CAPABILITY" and code.group(2):
            self._capabilities = set(code.group(2).decode().upper().split())
        else:
            await self._load_capabilities()
        self.can_idle = "IDLE" in self._capabilities

    async def _select(self) -> None:
        folder = self.settings.folder
        untagged = await self._ok(f"SELECT {quote(mutf7(folder))}", f"open the folder {folder!r}")
        codes = {c.group(1): c.group(2) for r in untagged if (c := CODE.search(r.text)) and c.group(2)}
        self.uidvalidity = int(codes.get(b"UIDVALIDITY", b"0"))
        self.uidnext = int(codes.get(b"UIDNEXT", b"0"))

    async def _into_folder(self, command: str) -> None:
        _, status, text = await self._command(command)
        if status != b"OK" and b"[TRYCREATE]" in text:
            await self._command(f"CREATE {quote(mutf7(self.settings.move_to))}")  # may exist by now
            _, status, text = await self._command(command)
        if status != b"OK":
            raise ImapError(
                f"could not move a mail to {self.settings.move_to!r}: {readable(text)}", transient=False
            )

    async def _load_capabilities(self) -> None:
        untagged = await self._ok("CAPABILITY", "list capabilities")
        self._capabilities = {
            word.upper()
            for response in untagged
            if response.text.startswith(b"* CAPABILITY")
            for word in response.text.decode().split()[2:]
        }

    # -- protocol --------------------------------------------------------------------------------

    async def _ok(self, command: str, doing: str) -> list[_Response]:
        untagged, status, text = await self._command(command)
        if status != b"OK":
            raise ImapError(f"the server could not {doing}: {readable(text)}", transient=transient_code(text))
        return untagged

    async def _command(
        self, command: str, *, answer: Callable[[bytes], bytes] | None = None
    ) -> tuple[list[_Response], bytes, bytes]:
        """Send a command; the untagged responses, the tagged status (OK, NO, BAD) and its text."""
        tag = (await self._send_command(command)).encode() + b" "
        untagged: list[_Response] = []
        while True:
            response = await self._read()
            if response.text.startswith(b"+") and answer is not None:
                await self._send(answer(response.text[1:].strip()) + b"\r\n")
            elif response.text.startswith(tag):
                status, _, text = response.text[len(tag) :].partition(b" ")
                return untagged, status.upper(), text.strip()
            elif response.text.startswith(b"* "):
                self._check_untagged(response)
                untagged.append(response)

    def _check_untagged(self, response: _Response) -> bool:
        """Whether it announces new mail; a BYE outside LOGOUT ends the session."""
        if response.text.startswith(b"* BYE") and not self._logging_out:
            self._broken = True
            raise ImapError(f"{self._where()} ended the session: {readable(response.text)}", transient=True)
        return re.match(rb"\* \d+ (EXISTS|RECENT)\b", response.text) is not None

    async def _send_command(self, command: str) -> str:
        self._tag += 1
        tag = f"D{self._tag}"
        await self._send(f"{tag} {command}\r\n".encode())
        return tag

    async def _send(self, data: bytes) -> None:
        if self._writer is None or self._broken:
            raise ImapError("the connection to the mailbox is closed", transient=True)
        try:
            self._writer.write(data)
            async with asyncio.timeout(self.settings.timeout):
                await self._writer.drain()
        except (OSError, TimeoutError) as exc:
            self._broken = True
            raise connection_error(exc, self._where()) from None

    async def _read(self, *, first_wait: float | None = None) -> _Response:
        """One response with its literals. `first_wait` bounds only the wait for it to begin (IDLE):
        a read cut off midway would lose the stream's place."""
        if self._reader is None or self._broken:
            raise ImapError("the connection to the mailbox is closed", transient=True)
        reader = self._reader
        lines: list[bytes] = []
        literals: list[bytes] = []
        try:
            if first_wait is not None:
                try:
                    # readuntil consumes nothing until the line is whole: a timeout loses no data.
                    async with asyncio.timeout(first_wait):
                        lines.append(await reader.readuntil(b"\r\n"))
                except TimeoutError:
                    raise _Quiet from None
            async with asyncio.timeout(self.settings.timeout):
                if not lines:
                    lines.append(await reader.readuntil(b"\r\n"))
                while (literal := _LITERAL.search(lines[-1])) is not None:
                    literals.append(await reader.readexactly(int(literal.group(1))))
                    lines.append(await reader.readuntil(b"\r\n"))
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            self._broken = True
            raise connection_error(exc, self._where()) from None
        return _Response(text=b"".join(lines).rstrip(b"\r\n"), literals=literals)

    async def _close(self) -> None:
        writer, self._writer = self._writer, None
        self._broken = True
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, TimeoutError, ssl.SSLError):
                async with asyncio.timeout(2):
                    await writer.wait_closed()

    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"


async def check(settings: ImapSettings) -> str | None:
    """Connect, log in and open the folder, for "Test connection": None when fine, else the problem."""
    try:
        async with Mailbox(settings):
            return None
    except ImapError as exc:
        return str(exc)
