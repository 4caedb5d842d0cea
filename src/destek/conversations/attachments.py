"""Checking and storing uploaded files before a message carries them."""

from __future__ import annotations

import hashlib
import io
import mimetypes
import re
import secrets
import warnings
from urllib.parse import quote

from fastapi import UploadFile
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.blobs import BlobStore
from destek.config import Settings
from destek.conversations.models import Attachment, Conversation
from destek.conversations.schemas import AttachmentOut
from destek.errors import Invalid, NotFound, TooLarge, UnsupportedType

_IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
_MAX_PIXELS = 60_000_000


def safe_filename(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^\w.\- ]+", "_", base).strip(" .")
    return base[:200] or "file"


def _image_info(data: bytes) -> tuple[str, int, int] | None:
    """(content type, width, height) when the bytes are an image Pillow can read."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format or ""
                width, height = image.size
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ):
        return None
    if fmt not in _IMAGE_FORMATS or width * height > _MAX_PIXELS:
        return None
    return _IMAGE_FORMATS[fmt], width, height


def check_upload(
    settings: Settings, *, filename: str, content_type: str | None, data: bytes
) -> tuple[str, int | None, int | None]:
    """Validate an upload; return its real content type and image dimensions."""
    if len(data) > settings.max_upload_bytes:
        raise TooLarge(
            f"the file is {len(data)} bytes; the limit is {settings.max_upload_bytes} bytes", field="file"
        )
    if not data:
        raise Invalid("the file is empty", field="file")
    declared = (content_type or "").split(";")[0].strip().lower()
    if not declared or declared == "application/octet-stream":
        declared = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    width = height = None
    if declared.startswith("image/"):
        info = _image_info(data)
        if info is None:
            raise UnsupportedType(f"{filename!r} is not a readable image", field="file")
        declared, width, height = info
    if declared not in settings.allowed_upload_types:
        raise UnsupportedType(
            f"files of type {declared} are not accepted; allowed: {', '.join(settings.allowed_upload_types)}",
            field="file",
        )
    return declared, width, height


def received_file(
    *,
    conversation: Conversation,
    uploader_id: int,
    filename: str,
    content_type: str,
    data: bytes,
    content_id: str | None = None,
    inline: bool = False,
) -> Attachment:
    """The row of a file a channel received (an e-mail's attachment), not added yet: the caller writes
    a batch's bytes (under each row's blob_key) and adds the rows at once, and deletes the bytes if that
    fails. Kept whatever its type, since losing part of a customer's mail is worse than keeping an odd
    file. Only readable images keep an image type (served inline); anything else is served as a
    download (files_api.py)."""
    declared = (content_type or "").split(";")[0].strip().lower() or "application/octet-stream"
    width = height = None
    if declared.startswith("image/"):
        info = _image_info(data)
        if info is None:
            declared = "application/octet-stream"
        else:
            declared, width, height = info
    return Attachment(
        account_id=conversation.account_id,
        conversation_id=conversation.id,
        uploader_type="contact",
        uploader_id=uploader_id,
        blob_key=secrets.token_hex(16),
        access_key=secrets.token_urlsafe(16),
        filename=safe_filename(filename),
        content_type=declared[:100],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
        content_id=(content_id or None) and content_id[:200],
        inline=inline and width is not None,
    )


async def store_attachment(
    session: AsyncSession,
    *,
    settings: Settings,
    blobs: BlobStore,
    conversation: Conversation,
    uploader_type: str,
    uploader_id: int,
    filename: str,
    content_type: str | None,
    data: bytes,
) -> Attachment:
    """Check the file, write its bytes, and add its row (not yet part of a message)."""
    real_type, width, height = check_upload(settings, filename=filename, content_type=content_type, data=data)
    key = secrets.token_hex(16)
    await blobs.put(key, data)
    attachment = Attachment(
        account_id=conversation.account_id,
        conversation_id=conversation.id,
        uploader_type=uploader_type,
        uploader_id=uploader_id,
        blob_key=key,
        access_key=secrets.token_urlsafe(16),
        filename=safe_filename(filename),
        content_type=real_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
    )
    session.add(attachment)
    try:
        await session.flush()
    except BaseException:
        # No row, no file: an orphan blob would never be found again.
        await blobs.delete(key)
        raise
    return attachment


def attachment_out(attachment: Attachment) -> AttachmentOut:
    # The stored name may hold spaces and non-ASCII letters: the URL carries it percent-encoded
    # (the route gets it decoded). safe_filename leaves no "/" or "%" in it to confuse the path.
    filename = quote(attachment.filename, safe="")
    return AttachmentOut(
        id=attachment.id,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        width=attachment.width,
        height=attachment.height,
        url=f"/files/{attachment.id}/{attachment.access_key}/{filename}",
        content_id=attachment.content_id,
        inline=attachment.inline,
    )


async def claim_attachments(
    session: AsyncSession,
    *,
    conversation: Conversation,
    attachment_ids: list[int],
    uploader_type: str,
    uploader_id: int,
) -> list[Attachment]:
    """The uploads a new message carries: this conversation's, this sender's, not sent yet."""
    if not attachment_ids:
        return []
    rows = list(
        await session.scalars(
            select(Attachment).where(
                Attachment.id.in_(attachment_ids),
                Attachment.conversation_id == conversation.id,
                Attachment.uploader_type == uploader_type,
                Attachment.uploader_id == uploader_id,
            )
        )
    )
    found = {a.id: a for a in rows}
    for attachment_id in attachment_ids:
        attachment = found.get(attachment_id)
        if attachment is None:
            raise NotFound(f"attachment {attachment_id} not found", field="attachment_ids")
        if attachment.message_id is not None:
            raise Invalid(f"attachment {attachment_id} was already sent", field="attachment_ids")
    return [found[i] for i in dict.fromkeys(attachment_ids)]


async def attachment_by_access_key(
    session: AsyncSession, *, attachment_id: int, access_key: str
) -> Attachment:
    attachment = await session.get(Attachment, attachment_id)
    if attachment is None or not secrets.compare_digest(attachment.access_key, access_key):
        raise NotFound("file not found")
    return attachment


async def read_upload(upload: UploadFile, *, limit: int) -> bytes:
    """Read an uploaded file, refusing it (413) as soon as it passes `limit` bytes."""
    chunks: list[bytes] = []
    total = 0
    while chunk := await upload.read(64 * 1024):
        total += len(chunk)
        if total > limit:
            raise TooLarge(f"the file is larger than the limit of {limit} bytes", field="file")
        chunks.append(chunk)
    return b"".join(chunks)
