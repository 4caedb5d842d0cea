"""Request bodies over their route's limit are refused with 413 before the server reads past it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.params import File
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.types import Message

from destek.app import create_app
from destek.body_limit import MULTIPART_ALLOWANCE, UPLOAD_ROUTES
from destek.config import Settings
from destek.conversations.models import Attachment
from destek.helpcenter.api import MAX_IMPORT_BYTES
from destek.state import AppState
from tests.channels.widget.helpers import bearer, start, visitor
from tests.conversations.helpers import count_rows, start_conversation
from tests.support.factories import Tenant
from tests.support.factories_fixtures import make_settings

MiB = 1024 * 1024
UPLOAD_LIMIT = 3 * MiB  # above max_body_bytes: what uploads accept is their own limit, not the JSON one


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, max_upload_bytes=UPLOAD_LIMIT)


def _scope(method: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }


class Exchange:
    """One request played straight into the ASGI app, recording how much of the body it read."""

    def __init__(self, chunks: int, chunk: bytes) -> None:
        self.left = chunks
        self.chunk = chunk
        self.reads = 0
        self.sent: list[Message] = []

    async def receive(self) -> Message:
        self.reads += 1
        self.left -= 1
        return {"type": "http.request", "body": self.chunk, "more_body": self.left > 0}

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def headers(self) -> dict[bytes, bytes]:
        return dict(self.sent[0]["headers"])

    def json(self) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(b"".join(m.get("body", b"") for m in self.sent[1:]))
        return body


async def test_a_declared_2_mib_json_body_is_refused_unread(state: AppState, tenant: Tenant) -> None:
    app = create_app(state=state)
    exchange = Exchange(chunks=32, chunk=b"x" * (64 * 1024))
    headers = {"content-type": "application/json", "content-length": str(2 * MiB)}
    await app(_scope("POST", tenant.public("/contacts"), headers), exchange.receive, exchange.send)
    assert exchange.status == 413
    assert exchange.reads == 0  # not a byte of the body was asked for
    error = exchange.json()["error"]
    assert error["code"] == "too_large"
    assert str(state.settings.max_body_bytes) in error["message"] and "field" not in error


async def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(
    state: AppState, tenant: Tenant
) -> None:
    app = create_app(state=state)
    chunk = b"x" * (64 * 1024)
    exchange = Exchange(chunks=10_000, chunk=chunk)  # 625 MiB, if it were all read
    await app(
        _scope("PATCH", tenant.public("/contact"), {"content-type": "application/json"}),
        exchange.receive,
        exchange.send,
    )
    assert exchange.status == 413
    assert exchange.reads == state.settings.max_body_bytes // len(chunk) + 1  # one chunk past, no more
    assert exchange.json()["error"]["code"] == "too_large"
    assert len(exchange.sent) == 2  # the app's own answer to the aborted read was dropped


async def test_through_http_a_large_body_is_413_whatever_it_holds(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    valid = json.dumps({"name": "x" * (2 * MiB)})  # valid JSON: parsed, it would be a 422 on `name`
    broken = "{" * (2 * MiB)  # parsed, a 422 for broken JSON
    for content in (valid, broken):
        response = await client.patch(
            tenant.public("/contact"),
            content=content,
            headers={**bearer(me["token"]), "content-type": "application/json"},
        )
        assert response.status_code == 413, response.text
        assert response.json()["error"]["code"] == "too_large"
    # Just under the limit, the body is read and validated as before.
    response = await client.patch(
        tenant.public("/contact"),
        json={"name": "x" * (MiB - 100)},
        headers=bearer(me["token"]),
    )
    assert response.status_code == 422 and response.json()["error"]["field"] == "name"


async def test_uploads_up_to_max_upload_bytes_are_accepted(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    exactly = b"a" * UPLOAD_LIMIT
    started = await start_conversation(state, tenant)
    agent = await client.post(
        tenant.url(f"/conversations/{started.number}/attachments"),
        files={"file": ("notes.txt", exactly, "text/plain")},
        headers=tenant.agent.headers,
    )
    assert agent.status_code == 201, agent.text
    assert agent.json()["size"] == UPLOAD_LIMIT

    me = await visitor(client, tenant)
    conversation = await start(client, tenant, me["token"])
    public_url = tenant.public(f"/conversations/{conversation['conversation']['id']}/attachments")
    public = await client.post(
        public_url, files={"file": ("notes.txt", exactly, "text/plain")}, headers=bearer(me["token"])
    )
    assert public.status_code == 201, public.text

    # Past the files' limit and the envelope's allowance: refused before it is read, naming the file.
    huge = b"a" * (UPLOAD_LIMIT + MULTIPART_ALLOWANCE + 1)
    refused = await client.post(
        public_url, files={"file": ("notes.txt", huge, "text/plain")}, headers=bearer(me["token"])
    )
    assert refused.status_code == 413
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("too_large", "file")
    assert str(UPLOAD_LIMIT) in error["message"]
    assert await count_rows(state, Attachment) == 2


async def test_a_help_center_import_larger_than_a_json_body_is_read(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    assert 2 * state.settings.max_body_bytes < MAX_IMPORT_BYTES
    # A comment in the front matter makes the file large and costs nothing to import.
    padding = "# " + "x" * (2 * MiB) + "\n"
    article = f"---\n{padding}key: big\nlocale: en\ntitle: Big\n---\nBody.\n"
    response = await client.post(
        tenant.url("/articles/import"),
        files=[("file", ("big.en.md", article.encode(), "text/markdown"))],
        headers=tenant.owner.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1


def _takes_files(dependant: Dependant) -> bool:
    return any(isinstance(p.field_info, File) for p in dependant.body_params) or any(
        _takes_files(d) for d in dependant.dependencies
    )


def _routes_taking_files(app: FastAPI) -> set[tuple[str, str]]:
    """From the routing table and from the OpenAPI schema, like tests/support/isolation.py."""
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path and _takes_files(route.dependant):
            found.update((method, context.path) for method in context.methods or ())
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
                found.add((method.upper(), path))
    return found


async def test_every_route_that_takes_files_has_its_upload_limit(state: AppState) -> None:
    takes_files = _routes_taking_files(create_app(state=state))
    assert len(takes_files) == len(UPLOAD_ROUTES), takes_files
    for method, path in takes_files:
        # Any value in the path's parameters: the limit does not depend on them.
        concrete = re.sub(r"\{[^}]+\}", "7", path)
        assert any(u.matches(method, concrete) for u in UPLOAD_ROUTES), (
            f"{method} {path} takes files but has no entry in body_limit.UPLOAD_ROUTES"
        )
