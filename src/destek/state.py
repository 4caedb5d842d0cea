"""What a running app holds: settings, database, bus, blob store, realtime hub, rate limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from destek.blobs import BlobStore
from destek.bus import Bus
from destek.config import Settings
from destek.db import Database
from destek.group_commit import GroupCommitter
from destek.lib.sealing import Sealer
from destek.ratelimit import RateLimits, make_limits
from destek.uow import unit_of_work

if TYPE_CHECKING:
    from destek.consumers.runner import Consumers
    from destek.realtime.hub import Hub

T = TypeVar("T")


@dataclass
class AppState:
    settings: Settings
    db: Database
    bus: Bus
    blobs: BlobStore
    hub: Hub | None = field(default=None)
    group: GroupCommitter | None = field(default=None)
    consumers: Consumers | None = field(default=None)  # bot, language, external bots (consumers/)
    limits: RateLimits = field(init=False)  # from the settings: memory, or Redis with redis_url

    def __post_init__(self) -> None:
        self.limits = make_limits(self.settings)
        self._sealer: Sealer | None = None

    @property
    def sealer(self) -> Sealer:
        """Seals and opens secrets at rest with the settings' secret key (lib/sealing.py)."""
        if self._sealer is None:
            self._sealer = Sealer(self.settings.secret, self.settings.old_secrets)
        return self._sealer

    async def aclose(self) -> None:
        """Release what the state holds beyond the database and the bus (the limits' Redis client).
        Called when the app stops, after everything that serves requests has stopped."""
        await self.limits.aclose()

    @asynccontextmanager
    async def uow(self) -> AsyncIterator[AsyncSession]:
        """A writing transaction whose events are notified after commit."""
        async with unit_of_work(self.db, self.bus) as session:
            yield session

    async def grouped(self, work: Callable[[AsyncSession], Awaitable[T]], *, key: int) -> T:
        """Like uow(), for hot paths (posting messages): concurrent calls share one commit.

        `key` is the id of the conversation the work writes to (see group_commit.py)."""
        if self.group is None:
            async with self.uow() as session:
                return await work(session)
        return await self.group.run(work, key=key)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.db.read() as session:
            yield session
