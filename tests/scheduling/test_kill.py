"""A timer survives a SIGKILL of the worker that was firing it, and fires once: on PostgreSQL, with two
`destek worker` processes one after the other, as a real deployment restarts."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from destek.config import Settings
from destek.db import utcnow
from destek.state import AppState
from tests.scheduling.test_timers import _conversation, _snooze, _status_events
from tests.support.factories import Tenant
from tests.support.factories_fixtures import make_settings
from tests.test_worker import Worker

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("db_url", ["postgresql"], indirect=True),
    pytest.mark.parametrize("bus_url", ["redis"], indirect=True),
]


@pytest.fixture
def settings(db_url: str, bus_url: str | None, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, bus_url, catchup_seconds=0.5)


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.close()


async def test_a_timer_being_fired_when_its_worker_is_killed_fires_once_after(
    client: httpx.AsyncClient,
    state: AppState,
    settings: Settings,
    tenant: Tenant,
    db_url: str,
    workers: list[Worker],
) -> None:
    conversation = await _conversation(client, state, tenant)
    await _snooze(client, tenant, conversation["number"], utcnow() + dt.timedelta(seconds=1))
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as holder:
            # Hold the account's sequence (not its key: other writers' foreign keys pass): the worker
            # claims the timer, wakes the conversation, then waits to number the event it recorded,
            # its transaction open.
            await holder.execute(
                text("SELECT id FROM accounts WHERE id = :id FOR NO KEY UPDATE"), {"id": tenant.account_id}
            )
            first = Worker(settings, settings.data_dir, "first")
            workers.append(first)
            await first.wait_ready()
            await _until_waiting(engine, "UPDATE accounts SET last_event_seq%")
            first.process.kill()  # SIGKILL, mid-firing: its transaction never commits
            first.process.wait(10)
            await holder.rollback()  # the row is free: the dead worker's claim goes with its connection
        second = Worker(settings, settings.data_dir, "second")
        workers.append(second)
        await second.wait_ready()
        deadline = time.monotonic() + 40  # the dead worker's lease runs out first (15 s)
        while await _status_events(state, conversation["id"]) != ["snoozed", "open"]:
            assert time.monotonic() < deadline, second.output
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.5)  # a few more rounds of the runner: nothing fires twice
        assert await _status_events(state, conversation["id"]) == ["snoozed", "open"]
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT count(*) FROM timers WHERE account_id <> 0")) == 0
    finally:
        await engine.dispose()


async def _until_waiting(engine: AsyncEngine, pattern: str, timeout: float = 30) -> None:
    """Until a session running a query like `pattern` waits for a lock (the worker, blocked). Each look
    in a transaction of its own: PostgreSQL shows one snapshot of pg_stat_activity per transaction."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with engine.connect() as connection:
            waiting = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query ILIKE :pattern"
                ),
                {"pattern": pattern},
            )
        if waiting:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the worker never came to fire the timer")
