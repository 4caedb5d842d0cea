"""Concurrent units of work share commits, fail alone, and keep the event sequence gap-free."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.bus import BusMessage, Notification
from destek.contacts import service as contacts
from destek.contacts.models import Contact
from destek.contacts.schemas import ContactCreate
from destek.errors import Invalid
from destek.events.models import EventRow
from destek.state import AppState
from tests.support.factories import Tenant


async def test_concurrent_units_commit_with_gap_free_events_and_fail_alone(
    state: AppState, tenant: Tenant
) -> None:
    heard: list[BusMessage] = []
    state.bus.listen(heard.append)

    def work(i: int):  # type: ignore[no-untyped-def]
        async def run(session: AsyncSession) -> int:
            contact = await contacts.create_contact(
                session, account_id=tenant.account_id, data=ContactCreate(name=f"c{i}", identifier=f"id-{i}")
            )
            if i % 10 == 7:
                raise Invalid(f"unit {i} fails after writing", field="name")
            return contact.id

        return run

    results = await asyncio.gather(
        *(state.grouped(work(i), key=i) for i in range(40)), return_exceptions=True
    )
    failed = [i for i, r in enumerate(results) if isinstance(r, Exception)]
    assert failed == [7, 17, 27, 37]
    assert all(isinstance(results[i], Invalid) for i in failed)

    async with state.read() as session:
        names = set(
            await session.scalars(select(Contact.name).where(Contact.account_id == tenant.account_id))
        )
        seqs = list(
            await session.scalars(
                select(EventRow.seq).where(EventRow.account_id == tenant.account_id).order_by(EventRow.seq)
            )
        )
    assert names == {f"c{i}" for i in range(40) if i not in failed}
    assert seqs == list(range(1, len(seqs) + 1))  # gap-free, failed units left no event behind
    notified = [m.seq for m in heard if isinstance(m, Notification) and m.account_id == tenant.account_id]
    assert notified and max(notified) == seqs[-1]


async def test_a_unit_sees_its_own_result_only_after_commit(state: AppState, tenant: Tenant) -> None:
    async def create(session: AsyncSession) -> int:
        contact = await contacts.create_contact(
            session, account_id=tenant.account_id, data=ContactCreate(name="committed")
        )
        return contact.id

    contact_id = await state.grouped(create, key=1)
    async with state.read() as session:
        assert (await session.get(Contact, contact_id)) is not None


async def test_a_stopped_committer_refuses_work(state: AppState) -> None:
    assert state.group is not None
    await state.group.stop()

    async def nothing(session: AsyncSession) -> None:
        return None

    with pytest.raises(RuntimeError, match="start"):
        await state.group.run(nothing, key=1)
    await state.group.start()


async def test_a_hung_bus_does_not_hold_up_writers(state: AppState, tenant: Tenant) -> None:
    """A notification is only a hint: a publish that never returns must not stall commits."""
    hang = asyncio.Event()

    async def stuck_notify(account_id: int, seq: int) -> None:
        await hang.wait()

    state.bus.notify = stuck_notify  # type: ignore[method-assign]

    async def create(session: AsyncSession) -> int:
        made = await contacts.create_contact(
            session, account_id=tenant.account_id, data=ContactCreate(name="x")
        )
        return made.id

    async with asyncio.timeout(5):
        first = await state.grouped(create, key=1)
        second = await state.grouped(create, key=1)  # the same lane: it must not wait on the first
        async with state.uow() as session:
            await create(session)
    assert second != first
