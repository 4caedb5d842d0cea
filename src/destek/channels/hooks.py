"""The one inbound webhook route of every channel: POST /hooks/{kind}/{inbox_token}.

Verified by the inbox's adapter before anything is stored (401/403, nothing kept); then the body is
taken in whole (channels/intake.py): kept raw, parsed, stored, or listed as failed for admins. The
provider gets 200 once the body is safely kept, even if it could not be parsed: a retry would not fix
it, and an admin can process it again.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from destek.accounts import inboxes as inbox_service
from destek.channels import intake, registry
from destek.channels import service as channels
from destek.channels.base import InboundRequest, Unverified
from destek.deps import StateDep
from destek.errors import Forbidden, NotFound, Unauthorized

router = APIRouter(tags=["channel webhooks"])

MAX_BODY = 40 * 1024 * 1024  # a mail with attachments; the app's body limit applies before this


@router.post(
    "/hooks/{kind}/{inbox_token}",
    summary="A channel's inbound webhook (e-mail: raw MIME from an inbound-parse service)",
    description=(
        "For `email`: the raw mail as the body (`Content-Type: message/rfc822`), or in a form field "
        "`email` (SendGrid, Send Raw), `body-mime` (Mailgun) or `raw`. Authenticate with the inbox's "
        "ingest token as `Authorization: Bearer <token>`, or as the password of basic auth in the URL "
        "(`https://api:<token>@host/hooks/email/<inbox_token>`)."
    ),
    responses={
        200: {"description": "Kept (and stored, unless `status` is failed: then an admin sees it)"},
        401: {"description": "The signature or token is missing or wrong: nothing was stored"},
        403: {"description": "The inbox does not take this channel's webhooks"},
        404: {"description": "No such inbox"},
    },
)
async def inbound_hook(
    kind: Annotated[str, Path(max_length=32)],
    inbox_token: Annotated[str, Path(max_length=64)],
    request: Request,
    state: StateDep,
) -> JSONResponse:
    async with state.read() as session:
        inbox = await inbox_service.inbox_by_public_token(session, public_token=inbox_token)
        if inbox.channel_type != kind:
            raise NotFound("inbox not found: check the inbox token")
        context = await channels.context(session, state=state, inbox=inbox)
    adapter = registry.get(kind)
    body = await request.body()
    inbound = InboundRequest(
        method=request.method,
        url=str(request.url),
        headers={k.lower(): v for k, v in request.headers.items()},
        query=dict(request.query_params),
        body=body,
    )
    try:
        await adapter.verify(inbound, context)
    except Unverified as exc:
        raise (Forbidden if exc.status_code == 403 else Unauthorized)(str(exc)) from None

    def parse(raw: bytes) -> Any:
        return adapter.parse(
            InboundRequest(
                method=inbound.method, url=inbound.url, headers=inbound.headers, query=inbound.query, body=raw
            ),
            context,
        )

    taken = await intake.take(
        state,
        inbox=inbox,
        kind=kind,
        raw=body,
        source="http",
        parser=parse,
        content_type=inbound.headers.get("content-type", ""),
    )
    return JSONResponse(
        {"status": taken.status, "message_ids": taken.message_ids, "error": taken.error}, status_code=200
    )
