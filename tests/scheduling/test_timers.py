"""Durable timers: scheduled and cancelled with their transaction, fired once at their time (the clock
moved by the test), retried when their handler fails, never fired twice by two runners at once; a
snoozed conversation wakes up at its time or when the customer writes; the hourly housekeeping prunes
the event log and expired logins."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from destek.accounts import credentials
from destek.accounts.models import LoginSession, User
from destek.config import Settings
from destek.conversations.models import Conversation
from destek.db import utcnow
from destek.events.models import EventRow
from destek.scheduling import housekeeping
from destek.scheduling import service as timers
from destek.scheduling.models import SYSTEM, Timer
from destek.scheduling.runner import fire_due
from destek.state import AppState
from tests.support.factories import Tenant, make_contact, open_conversation, write
from tests.support.factories_fixtures import make_settings

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, run_consumers=False)  # the tests fire timers themselves


async def _all(state: AppState) -> list[Timer]:
    async with state.read() as session:
        return list(await session.scalars(select(Timer).where(Timer.account_id != SYSTEM).order_by(Timer.id)))


async def _conversation(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> dict[str, Any]:
    contact = await make_contact(state, tenant)
    opened = await open_conversation(client, contact, "Siparişim nerede?")
    conversation: dict[str, Any] = opened["conversation"]
    conversation["contact_id"] = contact.contact_id
    async with state.read() as session:
        found = await session.get(Conversation, conversation["id"])
        assert found is not None
        conversation["number"] = found.number  # what the agents call it
    return conversation


async def _snooze(client: httpx.AsyncClient, tenant: Tenant, number: int, until: dt.datetime) -> None:
    response = await client.post(
        tenant.url(f"/conversations/{number}/status"),
        json={"status": "snoozed", "snoozed_until": until.isoformat()},
        headers=tenant.agent.headers,
    )
    assert response.status_code == 200, response.text


async def _status(client: httpx.AsyncClient, tenant: Tenant, number: int) -> str:
    response = await client.get(tenant.url(f"/conversations/{number}"), headers=tenant.agent.headers)
    status: str = response.json()["status"]
    return status


async def _status_events(state: AppState, conversation_id: int) -> list[str]:
    async with state.read() as session:
        rows = await session.scalars(
            select(EventRow)
            .where(EventRow.conversation_id == conversation_id, EventRow.type == "conversation.updated")
            .order_by(EventRow.seq)
        )
        return [r.payload["conversation"]["status"] for r in rows if "status" in r.payload["changed"]]


async def test_a_timer_lives_and_dies_with_its_transaction(state: AppState) -> None:
    due = utcnow() + HOUR

    async def schedule_then_fail() -> None:
        async with state.uow() as session:
            await timers.schedule(session, account_id=7, kind="test.kind", key="a", due_at=due)
            raise RuntimeError("rolled back")

    async def cancel_then_fail() -> None:
        async with state.uow() as session:
            assert await timers.cancel(session, account_id=7, kind="test.kind", key="a")
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await schedule_then_fail()
    assert await _all(state) == []
    async with state.uow() as session:
        await timers.schedule(session, account_id=7, kind="test.kind", key="a", due_at=due)
    async with state.uow() as session:  # again: the one timer moves
        await timers.schedule(session, account_id=7, kind="test.kind", key="a", due_at=due + HOUR)
    [timer] = await _all(state)
    assert timer.due_at == due + HOUR
    with pytest.raises(RuntimeError):
        await cancel_then_fail()
    assert len(await _all(state)) == 1
    async with state.uow() as session:
        assert await timers.cancel(session, account_id=7, kind="test.kind", key="a")
    assert await _all(state) == []


async def test_a_snoozed_conversation_wakes_at_its_time_once(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    conversation = await _conversation(client, state, tenant)
    number, until = conversation["number"], utcnow() + HOUR
    await _snooze(client, tenant, number, until)
    assert await fire_due(state) == 0  # not yet
    assert await _status(client, tenant, number) == "snoozed"
    assert await fire_due(state, now=until + dt.timedelta(seconds=1)) == 1
    assert await _status(client, tenant, number) == "open"
    assert await fire_due(state, now=until + HOUR) == 0  # fired once, gone
    assert await _all(state) == []
    assert await _status_events(state, conversation["id"]) == ["snoozed", "open"]


async def test_snoozed_again_it_wakes_at_the_later_time(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    number = (await _conversation(client, state, tenant))["number"]
    first = utcnow() + HOUR
    await _snooze(client, tenant, number, first)
    await _snooze(client, tenant, number, first + HOUR)
    assert await fire_due(state, now=first + dt.timedelta(minutes=1)) == 0
    assert await _status(client, tenant, number) == "snoozed"
    assert await fire_due(state, now=first + 2 * HOUR) == 1
    assert await _status(client, tenant, number) == "open"


async def test_the_customer_writing_wakes_it_at_once(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    conversation = await _conversation(client, state, tenant)
    await _snooze(client, tenant, conversation["number"], utcnow() + HOUR)
    assert len(await _all(state)) == 1
    await write(state, conversation["id"], "Hâlâ bekliyorum", sender_id=conversation["contact_id"])
    assert await _status(client, tenant, conversation["number"]) == "open"
    assert await _all(state) == []  # its timer went with the snooze
    # An agent resolving a snoozed conversation takes its timer too.
    await _snooze(client, tenant, conversation["number"], utcnow() + HOUR)
    resolved = await client.post(
        tenant.url(f"/conversations/{conversation['number']}/status"),
        json={"status": "resolved"},
        headers=tenant.agent.headers,
    )
    assert resolved.status_code == 200
    assert await _all(state) == []


async def test_a_failing_timer_is_tried_again_later_and_the_others_fire(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    now = utcnow()
    async with state.uow() as session:  # a kind no handler knows: it fails every time
        await timers.schedule(session, account_id=tenant.account_id, kind="nobody.knows", key="x", due_at=now)
    number = (await _conversation(client, state, tenant))["number"]
    await _snooze(client, tenant, number, now + dt.timedelta(minutes=1))
    later = now + dt.timedelta(minutes=2)
    assert await fire_due(state, now=later) == 1
    assert await _status(client, tenant, number) == "open"
    [failed] = await _all(state)
    assert (failed.kind, failed.attempts) == ("nobody.knows", 1)
    assert failed.last_error == "LookupError: no handler for timers of kind 'nobody.knows'"
    assert failed.due_at == later + dt.timedelta(seconds=10)  # kept, and tried again later
    assert await fire_due(state, now=later + dt.timedelta(seconds=5)) == 0
    assert await fire_due(state, now=later + dt.timedelta(seconds=11)) == 0
    [failed] = await _all(state)
    assert failed.attempts == 2 and failed.due_at == later + dt.timedelta(seconds=31)


async def test_two_runners_at_once_fire_each_timer_once(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    until = utcnow() + HOUR
    conversations = [await _conversation(client, state, tenant) for _ in range(12)]
    for conversation in conversations:
        await _snooze(client, tenant, conversation["number"], until)
    fired = await asyncio.gather(*(fire_due(state, now=until + HOUR) for _ in range(3)))
    assert sum(fired) == 12
    for conversation in conversations:
        assert await _status_events(state, conversation["id"]) == ["snoozed", "open"]


async def test_housekeeping_prunes_old_events_and_expired_logins_every_hour(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    await _conversation(client, state, tenant)
    async with state.uow() as session:  # an agent logged in for 30 days
        owner = await session.get(User, tenant.owner.user_id)
        assert owner is not None
        await credentials.create_login_session(session, user=owner, days=30)
    await housekeeping.ensure(state)
    await housekeeping.ensure(state)  # a second node starting: still one standing timer
    async with state.read() as session:
        [standing] = list(await session.scalars(select(Timer).where(Timer.account_id == SYSTEM)))
        events = int(await session.scalar(select(func.count()).select_from(EventRow)) or 0)
        logins = int(await session.scalar(select(func.count()).select_from(LoginSession)) or 0)
    assert events > 0 and logins > 0
    now = utcnow()
    assert await fire_due(state, now=now) == 1  # within the retention: nothing to prune
    async with state.read() as session:
        assert int(await session.scalar(select(func.count()).select_from(EventRow)) or 0) == events
        [standing] = list(await session.scalars(select(Timer).where(Timer.account_id == SYSTEM)))
    assert standing.due_at == now + HOUR
    later = now + dt.timedelta(days=state.settings.event_retention_days + 60)  # logins expired too
    assert await fire_due(state, now=later) == 1
    async with state.read() as session:
        assert int(await session.scalar(select(func.count()).select_from(EventRow)) or 0) == 0
        assert int(await session.scalar(select(func.count()).select_from(LoginSession)) or 0) == 0
        [standing] = list(await session.scalars(select(Timer).where(Timer.account_id == SYSTEM)))
    assert standing.due_at == later + HOUR


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_a_conversation_being_changed_is_woken_a_moment_later_without_waiting(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, db_url: str
) -> None:
    conversation = await _conversation(client, state, tenant)
    until = utcnow() + HOUR
    await _snooze(client, tenant, conversation["number"], until)
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as holder:  # someone is changing the conversation right now
            await holder.execute(
                text("SELECT id FROM conversations WHERE id = :id FOR UPDATE"), {"id": conversation["id"]}
            )
            assert await asyncio.wait_for(fire_due(state, now=until), 5) == 0  # no wait, no deadlock
            [timer] = await _all(state)
            assert timer.due_at == until + dt.timedelta(seconds=2) and timer.attempts == 0
    finally:
        await engine.dispose()
    assert await fire_due(state, now=until + dt.timedelta(seconds=3)) == 1
    assert await _status(client, tenant, conversation["number"]) == "open"
