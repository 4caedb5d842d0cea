"""GET /events: the event log over HTTP, for integrations that poll instead of holding a socket."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from destek.db import MAX_ID
from destek.deps import ActorDep, StateDep
from destek.errors import DestekError
from destek.events import log as event_log

router = APIRouter(prefix="/api/v1/accounts/{account_id}", tags=["events"])


class Gone(DestekError):
    status_code = 410
    code = "resync"


class EventFrame(BaseModel):
    seq: int
    event: dict[str, Any]


class EventPage(BaseModel):
    events: list[EventFrame]
    head: int  # the account's last committed seq
    next_since: int  # pass as `since` for the next page


@router.get(
    "/events",
    response_model=EventPage,
    summary="Events after a cursor, in order",
    responses={
        410: {
            "description": "`since` is ahead of the log, or its events were pruned: fetch the state afresh "
            "(code resync)"
        }
    },
)
async def list_events(
    actor: ActorDep,
    state: StateDep,
    since: Annotated[int, Query(ge=0, le=MAX_ID, description="The last seq already processed")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> EventPage:
    async with state.read() as session:
        head, problem = await event_log.check_cursor(session, account_id=actor.account_id, since=since)
        if problem == "ahead":
            raise Gone(
                f"since={since} is ahead of the log (head {head}): fetch the state afresh", field="since"
            )
        if problem == "pruned":
            raise Gone(
                f"events after {since} were pruned: fetch the state afresh, then poll from {head}",
                field="since",
            )
        rows = await event_log.read_since(
            session, account_id=actor.account_id, since=since, limit=limit, inbox_ids=actor.inbox_ids
        )
    # Skipping events of inboxes the agent cannot see must still move the cursor on.
    next_since = rows[-1].seq if len(rows) == limit else max(head, rows[-1].seq if rows else 0)
    return EventPage(
        events=[EventFrame(seq=row.seq, event=row.payload) for row in rows], head=head, next_since=next_since
    )
