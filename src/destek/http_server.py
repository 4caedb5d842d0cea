"""uvicorn's httptools protocol with a limit on the size of a request's head (request line + headers).

httptools has no such limit: it keeps a header value that has not ended yet in memory, however long,
and only hands it over once it is complete; so counting headers as they are parsed does not bound
memory. This protocol counts the bytes received while a request's head is incomplete, parses no more
of them than the limit, and answers `431 Request Header Fields Too Large` and closes the connection
when the head does not end within it. The limit is uvicorn's `h11_max_incomplete_event_size`, which
bounds the same thing when uvicorn runs h11 (that one answers 400): one setting, `max_header_bytes`,
for both.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

log = logging.getLogger("uvicorn.error")

DEFAULT_MAX_HEAD_BYTES = 64 * 1024
# After a 431, how long and how much more of the refused head is read (and dropped) before closing.
LINGER_SECONDS = 2.0
LINGER_BYTES = 1024 * 1024


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """Pass as `uvicorn.Config(http=...)` with `h11_max_incomplete_event_size` set to the limit."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.max_head_bytes = config.h11_max_incomplete_event_size or DEFAULT_MAX_HEAD_BYTES
        self._in_head = True  # the next bytes belong to a request's head (or the gap before one)
        self._head_bytes = 0
        self._completed = 0  # requests parsed to their end on this connection
        self._refused = False
        self._dropped = 0

    def data_received(self, data: bytes) -> None:
        if self._refused:
            self._drop(data)
            return
        if not self._in_head:
            super().data_received(data)
            return
        room = self.max_head_bytes - self._head_bytes
        if len(data) <= room:
            self._head_bytes += len(data)
            super().data_received(data)
            return
        # Parse only what may still be head; httptools would keep the rest of an unfinished value.
        self._head_bytes = self.max_head_bytes
        completed = self._completed
        super().data_received(data[:room])
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            return  # refused as malformed, or upgraded to a websocket (which gets no early bytes)
        if self._in_head and self._completed == completed:
            self._refuse()  # the same head, still unfinished at the limit
        else:
            # The head ended in time: the rest is its body, or further (pipelined) requests.
            self.data_received(data[room:])

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        # The next request's head starts here. When it starts inside the bytes being parsed (HTTP
        # pipelining), that read is not counted: at most one read (256 KiB) more than the limit.
        self._in_head = True
        self._head_bytes = 0
        self._completed += 1
        super().on_message_complete()

    def _refuse(self) -> None:
        log.warning("Request head larger than %d bytes: refused with 431.", self.max_head_bytes)
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined request behind one still being answered: no answer can be slotted in.
            self.transport.close()
            return
        body = json.dumps(
            {
                "error": {
                    "code": "headers_too_large",
                    "message": f"the request's line and headers are larger than this server's limit of "
                    f"{self.max_head_bytes} bytes; send fewer or shorter headers (large cookies?)",
                }
            }
        ).encode()
        head = [STATUS_LINE[431]]
        for name, value in self.server_state.default_headers:
            head.extend([name, b": ", value, b"\r\n"])
        head.extend(
            [
                b"content-type: application/json\r\n",
                b"content-length: " + str(len(body)).encode() + b"\r\n",
                b"connection: close\r\n\r\n",
            ]
        )
        self.transport.write(b"".join(head) + body)
        # Closing now, with the rest of the head unread, would reset the connection and could cost
        # the client this answer. Instead: end our side (the client reads the answer, then closes
        # its own), drop what still comes, and close anyway after a while or enough bytes.
        self._refused = True
        if not self.transport.can_write_eof():  # TLS cannot end one side only
            self.transport.close()
            return
        self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def _drop(self, data: bytes) -> None:
        self._dropped += len(data)
        if self._dropped > LINGER_BYTES:
            self.transport.close()
