"""Downloading attachments by their unguessable URL: the bytes, safe headers, 404 for a wrong key."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from destek.accounts.models import Inbox
from destek.contacts import service as contacts
from destek.contacts.schemas import ContactCreate
from destek.conversations import attachments
from destek.conversations import service as conversations
from destek.conversations.models import Attachment
from destek.conversations.schemas import AttachmentOut
from destek.state import AppState
from tests.channels.widget.helpers import png
from tests.support.factories import Tenant


async def _upload(
    state: AppState, tenant: Tenant, filename: str, data: bytes, content_type: str
) -> AttachmentOut:
    async with state.uow() as session:
        inbox = await session.get(Inbox, tenant.inbox_id)
        assert inbox is not None
        contact = await contacts.identify(
            session, inbox=inbox, data=ContactCreate(name="Deniz"), identifier_hash=None, existing=None
        )
        conversation = await conversations.create_conversation(session, inbox=inbox, contact=contact)
        stored = await attachments.store_attachment(
            session,
            settings=state.settings,
            blobs=state.blobs,
            conversation=conversation,
            uploader_type="contact",
            uploader_id=contact.id,
            filename=filename,
            content_type=content_type,
            data=data,
        )
        return attachments.attachment_out(stored)


async def test_an_image_is_served_inline_with_its_bytes(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    picture = png(3, 2)
    file = await _upload(state, tenant, "photo.png", picture, "image/png")
    response = await client.get(file.url)  # no credentials at all
    assert response.status_code == 200
    assert response.content == picture
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"].startswith('inline; filename="photo.png"')
    assert response.headers["x-content-type-options"] == "nosniff"
    cache = response.headers["cache-control"]
    assert "private" in cache
    assert "max-age=31536000" in cache
    assert "sandbox" in response.headers["content-security-policy"]


async def test_other_files_download_under_their_own_name(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    file = await _upload(state, tenant, "fatura şubat.pdf", b"%PDF-1.4 tiny", "application/pdf")
    response = await client.get(file.url)
    assert response.status_code == 200
    assert response.content == b"%PDF-1.4 tiny"
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote('fatura şubat.pdf')}" in disposition
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_wrong_key_or_id_is_404(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    file = await _upload(state, tenant, "notes.txt", b"secret notes", "text/plain")
    _, _files, attachment_id, key, name = file.url.split("/")
    for url in (
        f"/files/{attachment_id}/{'x' * len(key)}/{name}",
        f"/files/{attachment_id}/{key[:-1]}/{name}",
        f"/files/{attachment_id}/ş{key[1:]}/{name}",
        f"/files/{int(attachment_id) + 1}/{key}/{name}",
        f"/files/{2**63 - 1}/{key}/{name}",
    ):
        response = await client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
        assert "secret" not in response.text
    assert (await client.get(f"/files/{attachment_id}/{key}/any-name.txt")).content == b"secret notes"


async def test_a_file_whose_bytes_are_gone_is_404(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    file = await _upload(state, tenant, "gone.txt", b"bye", "text/plain")
    async with state.read() as session:
        row = await session.get(Attachment, file.id)
        assert row is not None
        blob_key = row.blob_key
    await state.blobs.delete(blob_key)
    response = await client.get(file.url)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "file not found"
