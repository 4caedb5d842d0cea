"""The bus across nodes: Redis pub/sub on one channel. Local handlers are called at once; other
nodes hear it from Redis (a node ignores its own echo)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis

from destek.bus.base import BusMessage, Handler, Listeners, Notification, Signal

log = logging.getLogger(__name__)
CHANNEL = "destek:bus"


class RedisBus:
    def __init__(self, url: str, *, channel: str = CHANNEL) -> None:
        self._url = url
        self._channel = channel
        self._node = uuid.uuid4().hex
        self._listeners = Listeners()
        # Publishing must fail fast on a half-open connection rather than hold up a writer; the
        # subscriber waits on its own connection, with health checks instead of a read timeout.
        self._redis: aioredis.Redis = aioredis.from_url(
            url, health_check_interval=10, socket_timeout=2.0, socket_connect_timeout=2.0
        )
        self._sub: aioredis.Redis = aioredis.from_url(
            url, health_check_interval=10, socket_connect_timeout=2.0
        )
        self._reader: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def start(self) -> None:
        await self._redis.ping()  # fail at start-up, loudly, when Redis is not there
        self._reader = asyncio.create_task(self._read_forever(), name="redis-bus-reader")
        await asyncio.wait_for(self._subscribed.wait(), timeout=10)

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        await self._redis.aclose()
        await self._sub.aclose()

    async def notify(self, account_id: int, seq: int) -> None:
        message = Notification(account_id, seq)
        self._listeners.dispatch(message)
        await self._publish({"k": "n", "a": account_id, "s": seq})

    async def signal(self, account_id: int, payload: dict[str, Any]) -> None:
        self._listeners.dispatch(Signal(account_id, payload))
        await self._publish({"k": "s", "a": account_id, "p": payload})

    def listen(self, handler: Handler) -> Callable[[], None]:
        return self._listeners.add(handler)

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except Exception:
            return False

    async def _publish(self, body: dict[str, Any]) -> None:
        body["o"] = self._node
        await self._redis.publish(self._channel, json.dumps(body, separators=(",", ":")))

    async def _read_forever(self) -> None:
        delay = 0.2
        while True:
            try:
                async with self._sub.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self._channel)
                    self._subscribed.set()
                    delay = 0.2
                    while True:
                        raw = await pubsub.get_message(timeout=5.0)
                        if raw is not None:
                            self._receive(raw["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("redis bus connection lost; reconnecting in %.1fs", delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _receive(self, data: bytes | str) -> None:
        try:
            body = json.loads(data)
            if body.get("o") == self._node:
                return
            message: BusMessage
            if body["k"] == "n":
                message = Notification(int(body["a"]), int(body["s"]))
            else:
                message = Signal(int(body["a"]), dict(body["p"]))
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed bus message: %r", data)
            return
        self._listeners.dispatch(message)
