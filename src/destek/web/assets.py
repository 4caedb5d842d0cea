"""Static assets (/static/...): vendored libraries and each UI area's JS and CSS, from the package."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from destek.web.templating import STATIC


class CachedStatic(StaticFiles):
    """Static files with long caching (URLs carry ?v=<mtime> from templating.static_url) and nosniff."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"cache-control", b"public, max-age=31536000, immutable"))
                headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    STATIC.mkdir(parents=True, exist_ok=True)
    app.mount("/static", CachedStatic(directory=STATIC), name="static")
