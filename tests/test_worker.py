"""`destek worker`: the consumers in a process of their own, beside web nodes that do not run them."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from destek.bot import texts
from destek.config import Settings
from destek.consumers.models import ConsumerLease
from destek.db import utcnow
from destek.state import AppState
from tests.bot.helpers import bot_texts, enable_bot, seen
from tests.support.factories import ContactSession, Tenant, make_contact
from tests.support.factories_fixtures import make_settings
from tests.support.server import node_environment

NOT_MIGRATED = "database is not migrated: run `destek migrate`"

# A split deployment (web nodes + workers) shares PostgreSQL and Redis: the end-to-end tests run on them.
postgres = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
redis = pytest.mark.parametrize("bus_url", ["redis"], indirect=True)


@pytest.fixture
def settings(db_url: str, bus_url: str | None, tmp_path: Path) -> Settings:
    # The in-process app is a web node: run_consumers=False (make_settings' default).
    return make_settings(db_url, tmp_path, bus_url, catchup_seconds=1.0)


class Worker:
    """`python -m destek worker` in a subprocess, configured as the web node is."""

    def __init__(self, settings: Settings, tmp_path: Path, name: str) -> None:
        # The environment file shared with the web nodes turns consumers off; a worker runs them anyway.
        env = node_environment(settings, tmp_path, DESTEK_RUN_CONSUMERS="false")
        self.log_path = tmp_path / f"worker-{name}.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "destek", "worker"], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    @property
    def output(self) -> str:
        return self.log_path.read_text()

    async def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "worker ready: consumers insights, bot, bot_webhook" in self.output:
                return
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited with {self.process.returncode}:\n{self.output}")
            await asyncio.sleep(0.1)
        raise AssertionError(f"worker not ready within {timeout}s:\n{self.output}")

    def terminate(self) -> tuple[int, float]:
        """SIGTERM, as systemd stops a unit; the exit code and how long the worker took to exit."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(30)
        return code, time.monotonic() - started

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.log.close()


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.close()


async def _open(client: httpx.AsyncClient, contact: ContactSession) -> int:
    response = await client.post(contact.tenant.public("/conversations"), json={}, headers=contact.headers)
    assert response.status_code == 201, response.text
    conversation_id: int = response.json()["conversation"]["id"]
    return conversation_id


async def _bot_says(
    client: httpx.AsyncClient, contact: ContactSession, cid: int, timeout: float = 30
) -> list[dict[str, Any]]:
    """The conversation as the customer's app shows it, once the bot has said something."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = await seen(client, contact, cid)
        if bot_texts(messages):
            return messages
        await asyncio.sleep(0.1)
    raise AssertionError(f"no bot message in conversation {cid} within {timeout}s")


async def _leases(state: AppState) -> list[ConsumerLease]:
    async with state.read() as session:
        return list(await session.scalars(select(ConsumerLease).order_by(ConsumerLease.name)))


@pytest.mark.slow
@postgres
@redis
async def test_the_worker_answers_for_web_nodes_that_run_no_consumers(
    state: AppState, settings: Settings, client: httpx.AsyncClient, tenant: Tenant, workers: list[Worker]
) -> None:
    assert state.consumers is None, "the web node must not answer itself"
    await enable_bot(state, tenant)
    worker = Worker(settings, settings.data_dir, "a")
    workers.append(worker)
    await worker.wait_ready()

    contact = await make_contact(state, tenant)
    cid = await _open(client, contact)
    [greeting] = await _bot_says(client, contact, cid)
    assert greeting["sender"]["type"] == "bot"
    assert greeting["content"] == texts.GREETING
    # Written by the worker process: it holds every consumer's lease.
    leases = await _leases(state)
    assert [lease.name for lease in leases] == [
        "bot",
        "bot_webhook",
        "channel_delivery",
        "email_fetch",
        "insights",
        "notify",
        "question_suggestions",
        "timers",
    ]
    assert all(f":{worker.process.pid}:" in lease.holder for lease in leases), leases

    code, took = worker.terminate()
    assert code == 0, worker.output
    assert took < 10, f"the worker took {took:.1f}s to stop"
    assert "worker stopped" in worker.output
    assert "Traceback" not in worker.output, worker.output
    # Released on the way out: a worker started next takes over at once, not after the lease runs out.
    now = utcnow()
    assert all(lease.expires_at <= now for lease in await _leases(state))


@pytest.mark.slow
@postgres
@redis
async def test_two_workers_answer_once_and_one_carries_on_alone(
    state: AppState, settings: Settings, client: httpx.AsyncClient, tenant: Tenant, workers: list[Worker]
) -> None:
    await enable_bot(state, tenant)
    workers += [Worker(settings, settings.data_dir, "a"), Worker(settings, settings.data_dir, "b")]
    await asyncio.gather(*(worker.wait_ready() for worker in workers))
    contact = await make_contact(state, tenant)

    first = await _open(client, contact)
    await _bot_says(client, contact, first)
    bot_holder = next(lease.holder for lease in await _leases(state) if lease.name == "bot")
    holding, other = workers if f":{workers[0].process.pid}:" in bot_holder else workers[::-1]

    # The worker that answered stops; the other one answers the next customer.
    assert holding.terminate()[0] == 0, holding.output
    second = await _open(client, contact)
    await _bot_says(client, contact, second, timeout=15)
    bot_holder = next(lease.holder for lease in await _leases(state) if lease.name == "bot")
    assert f":{other.process.pid}:" in bot_holder
    assert other.terminate()[0] == 0, other.output

    # Everything stopped: each conversation got one greeting, never two.
    for cid in (first, second):
        assert bot_texts(await seen(client, contact, cid)) == [texts.GREETING]


def _worker(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "destek", "worker"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("file", ["missing", "not Destek's"])
def test_the_worker_refuses_an_unmigrated_sqlite_file(tmp_path: Path, file: str) -> None:
    path = tmp_path / "destek.db"
    if file != "missing":
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE notes (body TEXT)")
    done = _worker({"DESTEK_DATABASE_URL": f"sqlite+aiosqlite:///{path}", "DESTEK_DATA_DIR": str(tmp_path)})
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: {NOT_MIGRATED}"), done.stderr
    assert "worker ready" not in done.stderr and "Traceback" not in done.stderr
    assert path.exists() == (file != "missing"), "checking must not create a database file"


def test_the_worker_says_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    done = _worker(
        {
            "DESTEK_DATABASE_URL": "postgresql+asyncpg://destek:pw@127.0.0.1:1/destek",  # nothing listens
            "DESTEK_DATA_DIR": str(tmp_path),
        }
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: cannot use the database:"), done.stderr
    assert "not migrated" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_worker_says_when_redis_cannot_be_reached(db_url: str, tmp_path: Path) -> None:
    done = _worker(
        {
            "DESTEK_DATABASE_URL": db_url,
            "DESTEK_DATA_DIR": str(tmp_path),
            "DESTEK_REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens
        }
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: cannot use Redis at redis://127.0.0.1:1/0:"), done.stderr
    assert "worker ready" not in done.stderr and "Traceback" not in done.stderr
