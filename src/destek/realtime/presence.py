"""Which agents are online, across nodes: a small table every node writes for its own sockets.

Each node keeps one row per agent (account, user) that has a live dashboard socket on it, and
refreshes `seen_at` every REFRESH_SECONDS; a row counts while seen within ONLINE_WINDOW, so a node
that died without cleaning up stops counting by itself. Presence is ephemeral: it never goes
through the event log. The node writes from one background task, never on the websocket path.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from destek.db import utcnow
from destek.realtime.models import AgentPresence

if TYPE_CHECKING:
    from destek.state import AppState

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 15.0
ONLINE_WINDOW = dt.timedelta(seconds=45)
RETRY_SECONDS = 2.0
# Rows of nodes that died without cleaning up: long offline already, removed eventually.
FORGET_AFTER = dt.timedelta(hours=1)
STOP_TIMEOUT = 5.0

Key = tuple[int, int]  # (account_id, user_id)


# --- the store ------------------------------------------------------------------------------------


async def sync_node(session: AsyncSession, *, node: str, present: set[Key], now: dt.datetime) -> None:
    """Make the node's rows exactly `present`, all seen `now`."""
    await session.execute(update(AgentPresence).where(AgentPresence.node == node).values(seen_at=now))
    rows = await session.execute(
        select(AgentPresence.id, AgentPresence.account_id, AgentPresence.user_id).where(
            AgentPresence.node == node
        )
    )
    stored = {(account_id, user_id): row_id for row_id, account_id, user_id in rows}
    gone = [row_id for key, row_id in stored.items() if key not in present]
    if gone:
        await session.execute(delete(AgentPresence).where(AgentPresence.id.in_(gone)))
    new = [
        {"account_id": account_id, "user_id": user_id, "node": node, "seen_at": now}
        for account_id, user_id in sorted(present - stored.keys())
    ]
    if new:
        await session.execute(insert(AgentPresence), new)


async def remove_node(session: AsyncSession, *, node: str) -> None:
    await session.execute(delete(AgentPresence).where(AgentPresence.node == node))


async def forget_stale(session: AsyncSession, *, before: dt.datetime) -> None:
    await session.execute(delete(AgentPresence).where(AgentPresence.seen_at < before))


async def online_user_ids(
    session: AsyncSession, *, account_id: int, now: dt.datetime | None = None
) -> list[int]:
    """The users of the account with a live agent socket on some node (as their node last wrote)."""
    since = (now or utcnow()) - ONLINE_WINDOW
    rows = await session.scalars(
        select(AgentPresence.user_id)
        .where(AgentPresence.account_id == account_id, AgentPresence.seen_at >= since)
        .distinct()
        .order_by(AgentPresence.user_id)
    )
    return list(rows)


# --- the node's writer ----------------------------------------------------------------------------


class PresenceWriter:
    """Keeps this node's rows equal to its agent sockets.

    A socket that comes or goes only wakes the writer; each pass writes the whole current set (read
    from `present`), so passes never race one another or apply changes out of order, and a failed
    pass is repaired by the next. Database errors are logged, never raised to the sockets."""

    def __init__(
        self, state: AppState, *, node: str, present: Callable[[], set[Key]], every: float | None = None
    ) -> None:
        self.state = state
        self.node = node
        self.present = present
        self.every = REFRESH_SECONDS if every is None else every
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="agent-presence")

    def changed(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        """Stop writing and remove the node's rows: its agents are no longer online here."""
        task, self._task = self._task, None
        if task is None:
            return
        # Stop between writes rather than cancel one (as the hub's feeds do).
        self._stopping = True
        self._wake.set()
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=STOP_TIMEOUT)
        try:
            await asyncio.wait_for(self._remove(), timeout=STOP_TIMEOUT)
        except Exception:
            logger.warning("could not remove node %s's agent presence", self.node, exc_info=True)

    async def _run(self) -> None:
        refresh_at = time.monotonic() + self.every
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, refresh_at - time.monotonic()))
            self._wake.clear()
            if self._stopping:
                return
            periodic = time.monotonic() >= refresh_at
            if periodic:
                refresh_at = time.monotonic() + self.every
            try:
                await self._sync(forget=periodic)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("could not write node %s's agent presence; retrying", self.node, exc_info=True)
                refresh_at = min(refresh_at, time.monotonic() + RETRY_SECONDS)

    async def _sync(self, *, forget: bool) -> None:
        present, now = self.present(), utcnow()
        async with self.state.db.session() as session, session.begin():
            await sync_node(session, node=self.node, present=present, now=now)
            if forget:
                await forget_stale(session, before=now - FORGET_AFTER)

    async def _remove(self) -> None:
        async with self.state.db.session() as session, session.begin():
            await remove_node(session, node=self.node)
