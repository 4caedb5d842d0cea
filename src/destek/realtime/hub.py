"""The realtime hub of one node: reads each account's log once, fans events out to local sockets.

A bus notification wakes the account's feed; the feed reads the new events from the log (one query
for all the node's sockets of that account) and hands each socket what it may see. A socket that
connects with a cursor first replays the log from it, while live events wait in its pending list;
then the two are joined without a gap or a duplicate (by seq). A lost notification is made up by
the periodic catch-up read, so it costs latency, never an event.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from destek.accounts import access
from destek.bus import BusMessage, Notification, Signal
from destek.errors import DestekError
from destek.events import log as event_log
from destek.events.models import EventRow
from destek.events.schemas import parse_event
from destek.realtime.connection import Connection
from destek.realtime.presence import PresenceWriter

if TYPE_CHECKING:
    from destek.state import AppState

logger = logging.getLogger(__name__)
PAGE = 500
ACCESS_REVOKED = 4001  # the same as a refused subscribe: the dashboard goes to the login page
READY_TIMEOUT = 10.0


def dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


@dataclass(slots=True)
class LiveEvent:
    """One event as read from the log. Its frames are serialised once, however many sockets get it."""

    row: EventRow
    _agent_text: str | None = field(default=None)
    _contact_text: str | None = field(default=None)
    _contact_done: bool = False

    @property
    def seq(self) -> int:
        return self.row.seq

    def agent_frame(self) -> str:
        if self._agent_text is None:
            self._agent_text = dumps({"type": "event", "seq": self.row.seq, "event": self.row.payload})
        return self._agent_text

    def contact_frame(self) -> str | None:
        if not self._contact_done:
            self._contact_done = True
            try:
                view = parse_event(self.row.payload).contact_view() if not self.row.private else None
            except ValidationError:
                # An event type this node does not know (a newer node wrote it during a rolling
                # deploy): contacts see nothing of it rather than the whole stream failing.
                logger.warning(
                    "event %s of account %s has an unknown shape", self.row.seq, self.row.account_id
                )
                view = None
            if view is not None:
                self._contact_text = dumps({"type": "event", "seq": self.row.seq, "event": view})
        return self._contact_text


class Feed:
    """One account's live stream on this node."""

    def __init__(self, hub: Hub, account_id: int) -> None:
        self.hub = hub
        self.account_id = account_id
        self.connections: set[Connection] = set()
        self.head = 0
        self.ready = asyncio.Event()
        self.wake = asyncio.Event()
        self.stopping = False
        self.task: asyncio.Task[None] = asyncio.create_task(self._pump(), name=f"feed-{account_id}")

    async def _pump(self) -> None:
        while not self.ready.is_set():
            try:
                async with self.hub.state.read() as session:
                    self.head = await event_log.head(session, account_id=self.account_id)
                self.ready.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("feed %s cannot read the log head; retrying", self.account_id, exc_info=True)
                await asyncio.sleep(0.5)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=self.hub.catchup_seconds)
            self.wake.clear()
            if self.stopping:
                return
            try:
                await self._read_new()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("feed %s could not read the log; retrying", self.account_id, exc_info=True)
                await asyncio.sleep(0.5)

    async def _read_new(self) -> None:
        while True:
            async with self.hub.state.read() as session:
                rows = await event_log.read_since(
                    session, account_id=self.account_id, since=self.head, limit=PAGE
                )
            for row in rows:
                if row.seq != self.head + 1:
                    # Pruned or not visible: not a gap in delivery, the sequence is gap-free at commit.
                    logger.debug("feed %s jumps from %s to %s", self.account_id, self.head, row.seq)
                person = _person_whose_access_changed(row.payload)
                if person is not None:
                    # Before this event and the ones after it reach anyone: a deactivated agent
                    # gets none of them. A failure here is retried from this event.
                    await self.hub.recheck(self, person)
                self.head = row.seq
                event = LiveEvent(row)
                for connection in list(self.connections):
                    connection.offer(event)
            if len(rows) < PAGE:
                return

    def signal(self, payload: dict[str, Any]) -> None:
        for connection in list(self.connections):
            connection.offer_signal(payload)

    async def close(self) -> None:
        # Stop between reads rather than cancel one: a cancelled driver call can leave its
        # connection (and, on SQLite, its thread) behind. Only a read stuck for 5 s is cancelled.
        self.stopping = True
        self.wake.set()
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(self.task, timeout=5)


def _person_whose_access_changed(payload: dict[str, Any]) -> int | None:
    kind = payload.get("type")
    if kind == "agent.updated":
        agent = payload.get("agent")
        return int(agent["id"]) if isinstance(agent, dict) and "id" in agent else None
    if kind == "agent.signed_out":
        user_id = payload.get("user_id")
        return user_id if isinstance(user_id, int) else None
    return None


class Hub:
    def __init__(self, state: AppState) -> None:
        self.state = state
        self.catchup_seconds = state.settings.catchup_seconds
        self.feeds: dict[int, Feed] = {}
        # This process among the nodes sharing the database: its agents' presence rows carry it.
        self.node_id = uuid.uuid4().hex[:12]
        self.presence = PresenceWriter(state, node=self.node_id, present=self.agents_here)
        self._unlisten: Any = None
        self._heartbeat: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._unlisten = self.state.bus.listen(self._on_bus)
        self._heartbeat = asyncio.create_task(self._ping_idle_forever(), name="websocket-heartbeat")
        self.presence.start()

    async def stop(self) -> None:
        if self._unlisten is not None:
            self._unlisten()
        for task in (self._heartbeat,):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.presence.stop()  # first: the sockets' detaches below must not write again
        for feed in list(self.feeds.values()):
            for connection in list(feed.connections):
                connection.close(1012, "server restarting: reconnect with your last seq")
            await feed.close()
        self.feeds.clear()

    def _on_bus(self, message: BusMessage) -> None:
        feed = self.feeds.get(message.account_id)
        if feed is None:
            return
        if isinstance(message, Notification):
            if message.seq > feed.head:
                feed.wake.set()
        elif isinstance(message, Signal):
            feed.signal(message.payload)

    async def attach(self, connection: Connection, since: int | None) -> tuple[int, int]:
        """Join the account's live stream (live events wait until `replay`).

        Returns the cursor to replay from and the account's head at this moment.

        Raises ResyncNeeded when the cursor is older than the oldest kept event (or from another
        database): the client must fetch its state afresh.
        """
        feed = self.feeds.get(connection.account_id)
        if feed is None or feed.task.done():
            feed = self.feeds[connection.account_id] = Feed(self, connection.account_id)
        try:
            await asyncio.wait_for(feed.ready.wait(), timeout=READY_TIMEOUT)
        except TimeoutError:
            raise Unavailable("the event log cannot be read right now: reconnect shortly") from None
        connection.begin_catch_up()
        feed.connections.add(connection)
        if connection.actor is not None:
            self.presence.changed()  # written now, in the background: the bot sees the agent at once
        try:
            async with self.state.read() as session:
                if since is None:
                    since = head = await event_log.head(session, account_id=connection.account_id)
                else:
                    head, problem = await event_log.check_cursor(
                        session, account_id=connection.account_id, since=since
                    )
                    if problem == "ahead":
                        raise ResyncNeeded(head, "the cursor is ahead of this server's log")
                    if problem == "pruned":
                        raise ResyncNeeded(head, "events after the cursor were pruned")
        except BaseException:
            self.detach(connection)
            raise
        return since, head

    async def replay(self, connection: Connection, since: int, head: int) -> None:
        """Send the client what it missed since its cursor, then switch it to live events."""
        try:
            await connection.replay(self, since, head)
        except BaseException:
            self.detach(connection)
            raise

    async def read_visible(self, connection: Connection, since: int) -> list[EventRow]:
        async with self.state.read() as session:
            return await event_log.read_since(
                session,
                account_id=connection.account_id,
                since=since,
                limit=PAGE,
                contact_id=connection.contact_id,
                inbox_ids=connection.inbox_filter,
            )

    def detach(self, connection: Connection) -> None:
        feed = self.feeds.get(connection.account_id)
        if feed is None:
            return
        feed.connections.discard(connection)
        if connection.actor is not None:
            self.presence.changed()
        if not feed.connections:
            del self.feeds[connection.account_id]
            asyncio.get_running_loop().create_task(feed.close())

    async def recheck(self, feed: Feed, user_id: int) -> None:
        """Check the person's sockets in the feed's account again, with the credential each opened
        with: a revoked one closes (4001), the others take the person's new role and inboxes."""
        targets = [
            c
            for c in list(feed.connections)
            if c.actor is not None and c.actor.user_id == user_id and c.credential is not None
        ]
        if not targets:
            return
        async with self.state.read() as session:
            for connection in targets:
                assert connection.credential is not None
                try:
                    connection.actor = await access.recheck(
                        session, credential=connection.credential, account_id=feed.account_id
                    )
                except DestekError as exc:
                    connection.close(ACCESS_REVOKED, exc.message[:120])

    def connection_count(self) -> int:
        return sum(len(feed.connections) for feed in self.feeds.values())

    def agents_here(self) -> set[tuple[int, int]]:
        """(account_id, user_id) of every agent with a socket on this node (contacts are not agents)."""
        return {
            (connection.account_id, connection.actor.user_id)
            for feed in self.feeds.values()
            for connection in feed.connections
            if connection.actor is not None
        }

    async def _ping_idle_forever(self) -> None:
        """One sweep for all sockets (not a timer each): ping those silent for a heartbeat."""
        every = self.state.settings.ws_heartbeat_seconds
        while True:
            await asyncio.sleep(every / 2)
            now = time.monotonic()
            for feed in list(self.feeds.values()):
                for connection in list(feed.connections):
                    if connection.live and now - connection.last_sent >= every:
                        connection.last_sent = now  # one ping per silent heartbeat, even unsent
                        connection.push({"type": "ping"})


class Unavailable(Exception):
    """The database cannot be read: the client should reconnect in a moment (close code 1013)."""


class ResyncNeeded(Exception):
    def __init__(self, head: int, reason: str) -> None:
        super().__init__(reason)
        self.head = head
        self.reason = reason
