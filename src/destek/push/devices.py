"""Registering and forgetting a contact's push tokens. A token moves with its device: registered again
by another contact of the inbox (a logout and a login on the same phone), it is theirs from then on."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.db import utcnow
from destek.push.models import PushDevice


async def register(
    session: AsyncSession, *, account_id: int, inbox_id: int, contact_id: int, provider: str, token: str
) -> PushDevice:
    device = await session.scalar(
        select(PushDevice).where(PushDevice.inbox_id == inbox_id, PushDevice.token == token).with_for_update()
    )
    if device is None:
        device = PushDevice(
            account_id=account_id, inbox_id=inbox_id, contact_id=contact_id, provider=provider, token=token
        )
        session.add(device)
    else:
        device.contact_id = contact_id
        device.provider = provider
        device.updated_at = utcnow()
    await session.flush()
    return device


async def forget(session: AsyncSession, *, inbox_id: int, token: str, contact_id: int | None = None) -> int:
    query = delete(PushDevice).where(PushDevice.inbox_id == inbox_id, PushDevice.token == token)
    if contact_id is not None:
        query = query.where(PushDevice.contact_id == contact_id)
    result = await session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)


async def of_contact(session: AsyncSession, *, inbox_id: int, contact_id: int) -> list[PushDevice]:
    return list(
        await session.scalars(
            select(PushDevice)
            .where(PushDevice.inbox_id == inbox_id, PushDevice.contact_id == contact_id)
            .order_by(PushDevice.id)
        )
    )
