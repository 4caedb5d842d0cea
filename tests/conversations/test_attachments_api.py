"""Agents' uploads: checked before anything is stored, then sent with a message."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from PIL import Image

from destek.conversations.models import Attachment
from destek.state import AppState
from tests.conversations.helpers import count_rows, events_since, head, start_conversation
from tests.support.factories import Tenant


def _png(width: int = 3, height: int = 2) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def _blob_files(state: AppState) -> list[Path]:
    root = state.settings.blob_dir
    assert root is not None
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_upload_then_send_with_a_message(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    started = await start_conversation(state, tenant)
    base = tenant.url(f"/conversations/{started.number}")
    upload = await client.post(
        f"{base}/attachments",
        files={"file": ("ekran görüntüsü.png", _png(), "image/png")},
        headers=tenant.agent.headers,
    )
    assert upload.status_code == 201, upload.text
    file = upload.json()
    assert file["content_type"] == "image/png"
    assert (file["width"], file["height"]) == (3, 2)
    assert file["size"] == len(_png())
    assert file["url"].startswith(f"/files/{file['id']}/")
    assert len(_blob_files(state)) == 1

    before = await head(state, tenant)
    sent = await client.post(
        f"{base}/messages", json={"attachment_ids": [file["id"]]}, headers=tenant.agent.headers
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["content"] == ""
    assert sent.json()["attachments"] == [file]
    [event] = await events_since(state, tenant, before)
    assert event.type == "message.created"
    assert event.payload["message"]["attachments"] == [file]
    listed = await client.get(f"{base}/messages", headers=tenant.agent.headers)
    assert listed.json()["items"][-1]["attachments"] == [file]
    preview = (await client.get(tenant.url("/conversations"), headers=tenant.agent.headers)).json()["items"][
        0
    ]
    assert preview["last_message"]["attachments"] == 1

    # Sent once only; and only by whoever uploaded it, in its conversation.
    again = await client.post(
        f"{base}/messages",
        json={"content": "tekrar", "attachment_ids": [file["id"]]},
        headers=tenant.agent.headers,
    )
    assert again.status_code == 422
    assert again.json()["error"]["field"] == "attachment_ids"
    text = await client.post(
        f"{base}/attachments",
        files={"file": ("notes.txt", b"hello", "text/plain")},
        headers=tenant.agent.headers,
    )
    assert text.status_code == 201
    by_other = await client.post(
        f"{base}/messages", json={"attachment_ids": [text.json()["id"]]}, headers=tenant.owner.headers
    )
    assert by_other.status_code == 404
    assert by_other.json()["error"]["field"] == "attachment_ids"
    elsewhere = await start_conversation(state, tenant)
    moved = await client.post(
        tenant.url(f"/conversations/{elsewhere.number}/messages"),
        json={"attachment_ids": [text.json()["id"]]},
        headers=tenant.agent.headers,
    )
    assert moved.status_code == 404
    assert moved.json()["error"]["field"] == "attachment_ids"


@pytest.mark.parametrize(
    ("filename", "data", "content_type", "status"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/x-msdownload", 415),
        ("photo.png", b"this is not an image", "image/png", 415),
        ("photo.png", b"this is not an image", "application/octet-stream", 415),  # type from the name
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", 415),
        ("page.html", b"<script>alert(1)</script>", "text/html", 415),
        ("empty.txt", b"", "text/plain", 422),
        ("big.txt", b"x" * 1001, "text/plain", 413),
    ],
)
async def test_refused_uploads_store_nothing(
    client: httpx.AsyncClient,
    state: AppState,
    tenant: Tenant,
    filename: str,
    data: bytes,
    content_type: str,
    status: int,
) -> None:
    state.settings = state.settings.model_copy(update={"max_upload_bytes": 1000})
    started = await start_conversation(state, tenant)
    response = await client.post(
        tenant.url(f"/conversations/{started.number}/attachments"),
        files={"file": (filename, data, content_type)},
        headers=tenant.agent.headers,
    )
    assert response.status_code == status, response.text
    assert response.json()["error"]["field"] == "file"
    assert await count_rows(state, Attachment) == 0
    assert _blob_files(state) == []


async def test_upload_needs_a_file(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    started = await start_conversation(state, tenant)
    url = tenant.url(f"/conversations/{started.number}/attachments")
    missing = await client.post(url, data={"other": "x"}, headers=tenant.agent.headers)
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "file"
    unknown = await client.post(
        tenant.url("/conversations/999/attachments"),
        files={"file": ("a.txt", b"hi", "text/plain")},
        headers=tenant.agent.headers,
    )
    assert unknown.status_code == 404
    assert await count_rows(state, Attachment) == 0
    assert _blob_files(state) == []
