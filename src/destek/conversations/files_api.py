"""Downloads of attachments by their unguessable URL, so <img src> and native image loaders work
without credentials. The access key is the permission; a wrong one is 404, like an unknown id."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Response

from destek.conversations import attachments
from destek.db import MAX_ID
from destek.deps import StateDep
from destek.errors import NotFound

router = APIRouter(tags=["files"])

# The bytes behind an (id, key) never change, so clients and the user's own caches may keep them;
# `private` keeps shared proxies from storing customers' files.
CACHE_CONTROL = "private, max-age=31536000, immutable"
# Belt and braces for a file opened directly: no scripts, no plugins, no framing by others.
CONTENT_SECURITY_POLICY = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"


def content_disposition(kind: str, filename: str) -> str:
    """`kind` with an ASCII filename for old clients and the exact UTF-8 one (RFC 6266/5987)."""
    fallback = filename.encode("ascii", "ignore").decode().replace('"', "").strip() or "file"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get(
    "/files/{attachment_id}/{access_key}/{filename}",
    operation_id="download_file",
    response_class=Response,
    summary="Download an attachment",
    description="The `url` of an attachment, as given in messages. Needs no token: the access key in "
    "the path is the permission. Images are served inline, other files as downloads.",
    responses={
        200: {"description": "The file's bytes, with its stored content type", "content": {"*/*": {}}},
        404: {"description": "No such file, or the access key is wrong"},
        422: {"description": "The attachment id is not a positive integer"},
    },
)
async def download(
    state: StateDep,
    attachment_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    access_key: str,
    filename: Annotated[str, Path(description="The file's name; only for the browser's save dialog")],
) -> Response:
    if not access_key.isascii():
        # compare_digest refuses non-ASCII text; such a key is simply wrong.
        raise NotFound("file not found")
    async with state.read() as session:
        attachment = await attachments.attachment_by_access_key(
            session, attachment_id=attachment_id, access_key=access_key
        )
    try:
        data = await state.blobs.get(attachment.blob_key)
    except FileNotFoundError:
        # The row outlived its bytes (restored backup, deleted blob): tell the client plainly.
        raise NotFound("file not found") from None
    kind = "inline" if attachment.content_type.startswith("image/") else "attachment"
    return Response(
        content=data,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": content_disposition(kind, attachment.filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": CACHE_CONTROL,
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "ETag": f'"{attachment.sha256}"',
        },
    )
