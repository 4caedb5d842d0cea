"""A size limit on request bodies: 413 before the server reads past it.

A JSON body is read whole and parsed before it is validated, so without a limit a 50 MiB body costs
about three times its size in memory before its 422. This pure ASGI middleware refuses a declared
Content-Length over the limit at once, without reading the body; a body without one (chunked) is
counted as the app reads it, and refused as soon as the count passes the limit.

The routes that take files (multipart) accept their files' limit plus a small allowance for the
multipart envelope; every other body is limited by `max_body_bytes` (docs/configuration.md).
Websockets and lifespan messages pass through untouched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from destek.config import Settings
from destek.errors import TooLarge
from destek.helpcenter.api import MAX_IMPORT_BYTES
from destek.state import AppState

# Boundaries and part headers around the files of a multipart body: a few hundred bytes per file,
# so this leaves room for hundreds of files in one help-center import.
MULTIPART_ALLOWANCE = 256 * 1024


@dataclass(frozen=True)
class UploadRoute:
    """A route that takes files (multipart/form-data), and how many bytes of files it accepts."""

    method: str
    path: re.Pattern[str]
    files_limit: Callable[[Settings], int]

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and self.path.fullmatch(path) is not None


def _attachments(settings: Settings) -> int:
    return settings.max_upload_bytes


# Every route with a File parameter is listed here (tests/test_body_limit.py checks that none is left
# out): the others would refuse a file over max_body_bytes before it reaches its own, clearer check.
UPLOAD_ROUTES = (
    UploadRoute("POST", re.compile(r"/api/v1/accounts/[^/]+/conversations/[^/]+/attachments"), _attachments),
    UploadRoute(
        "POST", re.compile(r"/api/v1/public/inboxes/[^/]+/conversations/[^/]+/attachments"), _attachments
    ),
    UploadRoute("POST", re.compile(r"/api/v1/accounts/[^/]+/articles/import"), lambda _: MAX_IMPORT_BYTES),
)


@dataclass(frozen=True)
class Limit:
    body_bytes: int  # the most a body may have
    files_bytes: int | None  # for a route that takes files: the limit the client is told about


def body_limit(settings: Settings, method: str, path: str) -> Limit:
    """How large the body of a request to this route may be."""
    for route in UPLOAD_ROUTES:
        if route.matches(method, path):
            files = route.files_limit(settings)
            return Limit(files + MULTIPART_ALLOWANCE, files)
    return Limit(settings.max_body_bytes, None)


class _Refused(Exception):
    """Raised into the app by `receive` once the body passed the limit: it stops reading there."""


class BodyLimit:
    """Refuses request bodies over the limit of their route with 413 (see the module's docstring)."""

    def __init__(self, app: ASGIApp, *, state: AppState) -> None:
        self.app = app
        # The settings are read per request, from the state: tests change them on a running app.
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(self.state.settings, scope["method"], scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit.body_bytes:
            await _answer_413(send, limit)  # nothing of the body has been read
            return

        received = 0
        started = False
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                raise _Refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.body_bytes:
                    refused = True
                    if not started:
                        await _answer_413(send, limit)
                    raise _Refused
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the client has its 413; what the app answers to the aborted read is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            # FastAPI turns the aborted read into a 400 (dropped above); anything the app raised
            # after the refusal is a consequence of it, and the client already has its answer.
            if not refused:
                raise


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before the app sees it
    return None


async def _answer_413(send: Send, limit: Limit) -> None:
    """The 413, on a connection left open. The server drops the rest of the body as it arrives (it
    keeps none of it): closing at once would reset the connection while the client is still sending,
    and the client would see a broken connection instead of this answer."""
    if limit.files_bytes is not None:
        error = TooLarge(
            f"the file is larger than the limit of {limit.files_bytes} bytes; send a smaller file",
            field="file",
        )
    else:
        error = TooLarge(
            f"the request's body is larger than this server's limit of {limit.body_bytes} bytes; "
            "send less at a time"
        )
    body = json.dumps(error.as_dict()).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": error.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})
