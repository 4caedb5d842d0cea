"""One websocket client (an agent or a contact): what it may see, its cursor, its bounded queue."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from destek.accounts.access import Credential
from destek.accounts.service import Actor

if TYPE_CHECKING:
    from destek.realtime.hub import Hub, LiveEvent

logger = logging.getLogger(__name__)

SLOW_CONSUMER = 4008
# Events that only tell the servers to check sockets again: nothing for a client to show.
SERVER_ONLY_TYPES = frozenset({"agent.signed_out"})


class Connection:
    def __init__(
        self,
        websocket: WebSocket,
        *,
        account_id: int,
        actor: Actor | None = None,
        credential: Credential | None = None,
        contact_id: int | None = None,
        inbox_id: int | None = None,
        queue_size: int = 1000,
        heartbeat: float = 25.0,
    ) -> None:
        if (actor is None) == (contact_id is None):
            raise ValueError("a connection is either an agent's (actor) or a contact's (contact_id)")
        self.websocket = websocket
        self.account_id = account_id
        # Replaced when the agent's access changes (the hub checks `credential` again): their role,
        # their inboxes; a revoked credential closes the socket instead.
        self.actor = actor
        self.credential = credential
        self.contact_id = contact_id
        self.inbox_id = inbox_id
        self.heartbeat = heartbeat
        self.cursor = 0
        self.catching_up = False
        self.pending: list[LiveEvent] = []
        self.queue_size = queue_size
        # Frames wait here already serialised (str), or as small control dicts; None closes. An idle
        # socket has no task of its own waiting on it: a drain task runs only while frames wait.
        self.outbox: deque[str | dict[str, Any] | None] = deque()
        self.live = False  # frames are held until the replay has been sent
        self.last_sent = time.monotonic()
        self._drainer: asyncio.Task[None] | None = None
        self.closed = False
        self.close_code = 1000
        self.close_reason = ""

    @property
    def inbox_filter(self) -> frozenset[int] | None:
        if self.contact_id is not None:
            return frozenset({self.inbox_id or 0})
        assert self.actor is not None
        return self.actor.inbox_ids

    def frame_for(self, event: LiveEvent) -> str | None:
        """The frame this client may see for the event, or None."""
        row = event.row
        if self.contact_id is not None:
            if row.contact_id != self.contact_id or row.inbox_id != self.inbox_id or row.private:
                return None
            return event.contact_frame()
        assert self.actor is not None
        if row.inbox_id is not None and not self.actor.can_see_inbox(row.inbox_id):
            return None
        if row.payload.get("type") in SERVER_ONLY_TYPES:
            return None
        return event.agent_frame()

    # --- called by the hub's feed (synchronously: no awaits, so joins are atomic) ---------------

    def begin_catch_up(self) -> None:
        self.catching_up = True
        self.pending = []

    def offer(self, event: LiveEvent) -> None:
        if self.closed:
            return
        if self.catching_up:
            if len(self.pending) >= self.queue_size:
                self.close(SLOW_CONSUMER, "too many events while catching up: reconnect with your last seq")
                return
            self.pending.append(event)
            return
        if event.seq <= self.cursor:
            return  # already sent during the replay
        self.cursor = event.seq
        frame = self.frame_for(event)
        if frame is not None:
            self.push(frame)

    def offer_signal(self, payload: dict[str, Any]) -> None:
        if self.closed:
            return
        if self.contact_id is not None:
            if (
                payload.get("contact_id") != self.contact_id
                or payload.get("inbox_id") != self.inbox_id
                or payload.get("private")
                or payload.get("sender", {}).get("type") == "contact"
            ):
                return
            sender = payload.get("sender", {})
            frame = {
                "type": payload.get("type"),
                "conversation_id": payload.get("conversation_id"),
                "sender": {"type": sender.get("type"), "name": sender.get("name")},
                "typing": payload.get("typing"),
            }
        else:
            assert self.actor is not None
            inbox_id = payload.get("inbox_id")
            if isinstance(inbox_id, int) and not self.actor.can_see_inbox(inbox_id):
                return
            frame = dict(payload)
        self.push(frame)

    def push(self, frame: str | dict[str, Any]) -> None:
        if len(self.outbox) >= self.queue_size:
            # Rather than slow everyone (or grow without bound), drop this client; it resumes from
            # its cursor and loses nothing.
            self.close(SLOW_CONSUMER, "slow consumer: reconnect with your last seq")
            return
        self.outbox.append(frame)
        self._kick()

    def close(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        self.close_code, self.close_reason = code, reason
        self.outbox.clear()
        self.outbox.append(None)
        self._kick()

    def go_live(self) -> None:
        """The replay is sent: from now on frames flow as they come."""
        self.live = True
        self._kick()

    def _kick(self) -> None:
        if self.live and self._drainer is None and self.outbox:
            self._drainer = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while self.outbox:
                frame = self.outbox.popleft()
                if frame is None:
                    with contextlib.suppress(Exception):
                        await self.websocket.close(self.close_code, self.close_reason)
                    return
                await self.send(frame)
        except (WebSocketDisconnect, RuntimeError, OSError):
            self.closed = True
        finally:
            self._drainer = None

    async def stop(self) -> None:
        """The socket is gone: stop sending."""
        self.closed = True
        drainer = self._drainer
        if drainer is not None:
            drainer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await drainer

    # --- the connection's own tasks -----------------------------------------------------------

    async def send(self, frame: str | dict[str, Any]) -> None:
        text = (
            frame if isinstance(frame, str) else json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
        )
        await self.websocket.send_text(text)
        self.last_sent = time.monotonic()

    async def replay(self, hub: Hub, since: int, head: int) -> None:
        """Send what the log holds after `since`, then join the live stream without gap or double.

        Ends with a `caught_up` frame carrying the cursor to keep: at least `head`, even when the
        client saw none of the events up to it, so a quiet client's cursor stays fresh.
        """
        from destek.realtime.hub import PAGE, LiveEvent

        self.cursor = since
        while not self.closed:  # closed meanwhile (access revoked): the rest is not theirs to see
            rows = await hub.read_visible(self, self.cursor)
            for row in rows:
                frame = self.frame_for(LiveEvent(row))
                self.cursor = row.seq
                if frame is not None:
                    await self.send(frame)
            if len(rows) < PAGE:
                break
        # Everything up to `head` was read above (sent if visible): the cursor may move there.
        self.cursor = max(self.cursor, head)
        await self.send({"type": "caught_up", "seq": self.cursor})
        pending, self.pending = self.pending, []
        self.catching_up = False
        for event in pending:
            self.offer(event)
