from __future__ import annotations

import httpx

from destek.bus.redis import RedisBus
from destek.db import Database
from destek.state import AppState


async def test_healthz_reports_database_and_bus(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "bus": "up"}


async def test_healthz_is_503_naming_what_is_down(client: httpx.AsyncClient, state: AppState) -> None:
    good_db, good_bus = state.db, state.bus
    # Nothing listens on port 1: both connections are refused at once.
    state.db = Database("postgresql+asyncpg://postgres@127.0.0.1:1/none")
    state.bus = RedisBus("redis://127.0.0.1:1/0")
    try:
        response = await client.get("/healthz")
    finally:
        await state.db.dispose()
        await state.bus.stop()
        state.db, state.bus = good_db, good_bus
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "down", "bus": "down"}
