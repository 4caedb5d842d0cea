"""A real HTTP + websocket server in the test's event loop (uvicorn on a free port)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from destek.app import create_app
from destek.config import Settings
from destek.state import AppState


def node_environment(settings: Settings, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a `destek serve` / `destek worker` subprocess sharing the tests' database,
    bus and secret (another node of the same deployment)."""
    assert settings.secret_key is not None
    return {
        **os.environ,
        "DESTEK_DATABASE_URL": settings.database_url,
        "DESTEK_REDIS_URL": settings.redis_url or "",
        "DESTEK_SECRET_KEY": settings.secret_key.get_secret_value(),
        "DESTEK_BUS_CHANNEL": settings.bus_channel,
        "DESTEK_DATA_DIR": str(data_dir),
        "DESTEK_CATCHUP_SECONDS": "1",
        **extra,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def serving(state: AppState) -> AsyncIterator[str]:
    """Serve the (already started) state; yields the base URL http://127.0.0.1:PORT."""
    port = free_port()
    config = uvicorn.Config(
        create_app(state=state), host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


class WsClient:
    """A websocket client that remembers the last seq it saw, as a real client would."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.last_seq: int | None = None

    async def recv(self, timeout: float = 5.0) -> dict[str, Any]:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), timeout=timeout))
        if frame.get("type") in ("event", "caught_up") or (
            frame.get("type") == "subscribed" and self.last_seq is None
        ):
            self.last_seq = frame["seq"]
        return frame

    async def recv_type(self, kind: str, timeout: float = 5.0) -> dict[str, Any]:
        """The next frame of this type, skipping pings."""
        while True:
            frame = await self.recv(timeout)
            if frame.get("type") == kind:
                return frame

    async def events(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        found = []
        while len(found) < count:
            frame = await self.recv(timeout)
            if frame.get("type") == "event":
                found.append(frame)
        return found

    async def no_event_within(self, seconds: float, kind: str | None = None) -> bool:
        """True when no event (of this kind, if given) arrives before `seconds` of quiet."""
        try:
            while True:
                frame = await self.recv(seconds)
                if frame.get("type") == "event" and (kind is None or frame["event"]["type"] == kind):
                    return False
        except TimeoutError:
            return True

    async def close(self) -> None:
        await self.ws.close()


async def subscribe(base_url: str, path: str, frame: dict[str, Any]) -> tuple[WsClient, dict[str, Any]]:
    """Connect, subscribe, and return the client with the server's first answer."""
    ws = await connect(base_url.replace("http://", "ws://") + path, open_timeout=5)
    await ws.send(json.dumps(frame))
    client = WsClient(ws)
    first = await client.recv()
    return client, first
