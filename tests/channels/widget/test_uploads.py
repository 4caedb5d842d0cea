"""Uploads from the app: too large, wrong type, or not what they claim; nothing is kept of a refusal."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from destek.config import Settings
from destek.conversations.models import Attachment
from destek.state import AppState
from tests.channels.widget.helpers import bearer, count, png, start, stored_files, visitor
from tests.support.factories import Tenant
from tests.support.factories_fixtures import make_settings

LIMIT = 4096


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """This module's server takes files up to LIMIT bytes."""
    return make_settings(db_url, tmp_path, max_upload_bytes=LIMIT)


async def _conversation_url(client: httpx.AsyncClient, tenant: Tenant) -> tuple[str, dict[str, str]]:
    me = await visitor(client, tenant)
    started = await start(client, tenant, me["token"])
    return tenant.public(f"/conversations/{started['conversation']['id']}/attachments"), bearer(me["token"])


async def test_a_small_png_is_stored(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    url, auth = await _conversation_url(client, tenant)
    picture = png(8, 8)
    assert len(picture) < LIMIT
    response = await client.post(url, files={"file": ("a.png", picture, "image/png")}, headers=auth)
    assert response.status_code == 201, response.text
    assert set(response.json()) == {
        "id",
        "filename",
        "content_type",
        "size",
        "width",
        "height",
        "url",
        "content_id",
        "inline",
    }
    assert await count(state, Attachment) == 1
    assert len(stored_files(state)) == 1


async def test_an_oversize_file_is_413_and_nothing_is_stored(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    url, auth = await _conversation_url(client, tenant)
    big = png(64, 64, noise=True)
    assert len(big) > LIMIT
    response = await client.post(url, files={"file": ("big.png", big, "image/png")}, headers=auth)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert response.json()["error"]["field"] == "file"
    assert str(LIMIT) in response.json()["error"]["message"]
    assert await count(state, Attachment) == 0
    assert stored_files(state) == []


@pytest.mark.parametrize(
    ("filename", "data", "declared"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100, "application/x-msdownload"),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100, "application/octet-stream"),
        ("cat.png", b"MZ\x90\x00 not a picture at all", "image/png"),  # lies about its type
        ("page.html", b"<script>alert(1)</script>", "text/html"),
    ],
)
async def test_a_refused_type_is_415_and_nothing_is_stored(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, filename: str, data: bytes, declared: str
) -> None:
    url, auth = await _conversation_url(client, tenant)
    response = await client.post(url, files={"file": (filename, data, declared)}, headers=auth)
    assert response.status_code == 415, response.text
    assert response.json()["error"] == {
        "code": "unsupported_type",
        "message": response.json()["error"]["message"],
        "field": "file",
    }
    assert await count(state, Attachment) == 0
    assert stored_files(state) == []


async def test_an_upload_without_a_file_names_the_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    url, auth = await _conversation_url(client, tenant)
    missing = await client.post(url, data={"other": "x"}, headers=auth)
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "file"
    empty = await client.post(url, files={"file": ("empty.txt", b"", "text/plain")}, headers=auth)
    assert empty.status_code == 422
    assert empty.json()["error"]["field"] == "file"


async def test_an_attachment_is_sent_once(client: httpx.AsyncClient, tenant: Tenant) -> None:
    url, auth = await _conversation_url(client, tenant)
    upload = await client.post(url, files={"file": ("a.txt", b"hello", "text/plain")}, headers=auth)
    assert upload.status_code == 201
    messages = url.replace("/attachments", "/messages")
    body = {"attachment_ids": [upload.json()["id"]]}  # a file alone is a message
    first = await client.post(messages, json=body, headers=auth)
    assert first.status_code == 201, first.text
    assert first.json()["content"] == ""
    second = await client.post(messages, json=body, headers=auth)
    assert second.status_code == 422
    assert second.json()["error"]["field"] == "attachment_ids"


async def test_the_url_of_a_file_is_percent_encoded_and_downloads(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    url, auth = await _conversation_url(client, tenant)
    name = "Sipariş özeti 1.txt"
    upload = await client.post(url, files={"file": (name, b"3 x simit", "text/plain")}, headers=auth)
    assert upload.status_code == 201, upload.text
    file = upload.json()
    assert file["filename"] == name
    _, files, attachment_id, _key, segment = file["url"].split("/")
    assert (files, attachment_id) == ("files", str(file["id"]))
    assert segment == "Sipari%C5%9F%20%C3%B6zeti%201.txt"
    assert file["url"].isascii() and " " not in file["url"]
    assert unquote(segment) == name
    download = await client.get(file["url"])
    assert download.status_code == 200, download.text
    assert download.content == b"3 x simit"
    # The message carrying it shows the same URL.
    sent = await client.post(
        url.replace("/attachments", "/messages"), json={"attachment_ids": [file["id"]]}, headers=auth
    )
    assert sent.json()["attachments"][0]["url"] == file["url"]
