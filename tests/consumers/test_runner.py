"""The consumer runner: cursor, restart, one active runner per consumer, history, failures."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from destek.bot.engine import BuiltinBot
from destek.config import Settings
from destek.consumers.models import ConsumerLease
from destek.consumers.registry import start_consumers
from destek.consumers.runner import Consumers, Step
from destek.events.models import ConsumerCursor, EventRow
from destek.state import AppState
from tests.bot.helpers import add_articles, bot_texts, enable_bot, seen
from tests.support.factories import Tenant, make_contact
from tests.support.factories_fixtures import make_settings


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, run_consumers=True, catchup_seconds=0.2)


async def _post(
    client: httpx.AsyncClient, tenant: Tenant, headers: dict[str, str], cid: int, text: str
) -> None:
    response = await client.post(
        tenant.public(f"/conversations/{cid}/messages"), json={"content": text}, headers=headers
    )
    assert response.status_code == 201


async def test_resumes_from_its_cursor_after_a_restart_without_answering_twice(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    await add_articles(state, tenant)
    await enable_bot(state, tenant)
    contact = await make_contact(state, tenant)
    response = await client.post(tenant.public("/conversations"), json={}, headers=contact.headers)
    cid = response.json()["conversation"]["id"]
    assert state.consumers is not None
    await state.consumers.settle()
    assert len(bot_texts(await seen(client, contact, cid))) == 1  # the greeting
    # The node stops; the customer writes meanwhile.
    await state.consumers.stop()
    await _post(client, tenant, contact.headers, cid, "How long does a refund take to reach my card?")
    await asyncio.sleep(0.3)
    assert len(bot_texts(await seen(client, contact, cid))) == 1  # nobody answered while down
    # It starts again (a fresh runner, as after a restart): the question is answered, once.
    state.consumers = await start_consumers(state)
    await state.consumers.settle()
    await state.consumers.settle()
    texts = bot_texts(await seen(client, contact, cid))
    assert len(texts) == 3  # greeting, the answer, "did this solve it?"
    assert texts[0].startswith("Hi!") and texts[2] == "Did this solve it?"
    async with state.read() as session:
        cursor = await session.scalar(
            select(ConsumerCursor.seq).where(
                ConsumerCursor.name == "bot", ConsumerCursor.account_id == tenant.account_id
            )
        )
        head = await session.scalar(
            select(EventRow.seq)
            .where(EventRow.account_id == tenant.account_id)
            .order_by(EventRow.seq.desc())
            .limit(1)
        )
    assert cursor == head


async def test_one_active_runner_per_consumer(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    await enable_bot(state, tenant)
    assert state.consumers is not None
    await state.consumers.settle()
    # A second node starts the same consumer against the same database: it must wait.
    other = Consumers(state, [BuiltinBot()])
    await other.start()
    try:
        contact = await make_contact(state, tenant)
        first = await client.post(tenant.public("/conversations"), json={}, headers=contact.headers)
        await state.consumers.settle()
        await other.settle()
        assert len(bot_texts(await seen(client, contact, first.json()["conversation"]["id"]))) == 1
        async with state.read() as session:
            lease = await session.get(ConsumerLease, "bot")
            assert lease is not None
            assert lease.holder == state.consumers.runners["bot"].holder
        # The first node stops: the second takes over (the lease was released) and answers alone.
        await state.consumers.stop()
        state.consumers = None
        second = await client.post(tenant.public("/conversations"), json={}, headers=contact.headers)
        await other.settle()
        assert len(bot_texts(await seen(client, contact, second.json()["conversation"]["id"]))) == 1
        async with state.read() as session:
            lease = await session.get(ConsumerLease, "bot", populate_existing=True)
            assert lease is not None and lease.holder == other.runners["bot"].holder
    finally:
        await other.stop()


@dataclass
class Recorder:
    """A test consumer: remembers what it applied; fails some events a given number of times."""

    name: str = "recorder"
    failures: dict[int, int] = field(default_factory=dict)  # seq -> times to fail
    applied: list[int] = field(default_factory=list)

    def wants(self, event: EventRow) -> bool:
        return event.type == "message.created"

    async def tick(self, state: AppState) -> None:
        return None

    async def handle(self, step: Step) -> None:
        left = self.failures.get(step.event.seq, 0)
        if left:
            self.failures[step.event.seq] = left - 1
            raise RuntimeError("flaky")
        async with step.uow():
            self.applied.append(step.event.seq)


async def test_history_is_not_replayed_and_failures_are_retried(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    contact = await make_contact(state, tenant)
    response = await client.post(
        tenant.public("/conversations"), json={"message": {"content": "before"}}, headers=contact.headers
    )
    cid = response.json()["conversation"]["id"]
    recorder = Recorder()
    consumers = Consumers(state, [recorder])
    await consumers.start()
    try:
        await consumers.settle()
        assert recorder.applied == []  # events from before the consumer existed are history
        assert state.consumers is not None
        await state.consumers.settle()  # the other consumers' writes are in the log before `head`
        async with state.read() as session:
            head = int(await session.scalar(select(EventRow.seq).order_by(EventRow.seq.desc()).limit(1)) or 0)
        recorder.failures[head + 1] = 2  # the next message fails twice, then works
        await _post(client, tenant, contact.headers, cid, "one")
        await _post(client, tenant, contact.headers, cid, "two")
        await consumers.settle()
        messages = [seq for seq in recorder.applied]
        assert len(messages) == 2 and messages[0] == head + 1  # in order, once each
        assert "failed (attempt 1)" in caplog.text
    finally:
        await consumers.stop()
