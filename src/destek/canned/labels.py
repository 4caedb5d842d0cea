"""The account's labels as administrators manage them: create, rename, recolour, delete.

Agents put labels on conversations through conversations.labels.set_labels (which also creates new
names on the fly); this module is the settings side. A rename or a deletion changes the label list of
every conversation that carries it, so each of those gets a conversation.updated event: open
dashboards redraw their chips and webhooks see the change.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.service import Actor, require_admin
from destek.conversations import labels as conversation_labels
from destek.conversations import outputs
from destek.conversations.models import Conversation, ConversationLabel, Label
from destek.db import utcnow
from destek.errors import Conflict, Invalid, NotFound
from destek.events import log
from destek.events.schemas import ConversationUpdated


async def get_label(session: AsyncSession, *, account_id: int, label_id: int) -> Label:
    label = await session.get(Label, label_id)
    if label is None or label.account_id != account_id:
        raise NotFound(f"label {label_id} not found")
    return label


def _name(name: str) -> str:
    try:
        return conversation_labels.normalize_label(name)
    except Invalid as exc:
        raise Invalid(exc.message, field="name") from None


async def _flush_unique(session: AsyncSession, label: Label, **changes: str) -> None:
    """Write the label (with `changes`) in a savepoint: a taken name is 409 and leaves the transaction
    usable. The changes are made inside it, as begin_nested() first flushes what is already dirty."""
    name = changes.get("name", label.name)
    try:
        async with session.begin_nested():
            for attribute, value in changes.items():
                setattr(label, attribute, value)
            session.add(label)
            await session.flush()
    except IntegrityError:
        raise Conflict(f"a label named {name!r} already exists", field="name") from None


async def create_label(
    session: AsyncSession, *, actor: Actor, name: str, color: str = "#6b7280", description: str = ""
) -> Label:
    require_admin(actor)
    label = Label(account_id=actor.account_id, name=_name(name), color=color, description=description.strip())
    await _flush_unique(session, label)
    return label


async def _carrying(session: AsyncSession, label: Label) -> list[Conversation]:
    return list(
        await session.scalars(
            select(Conversation)
            .join(ConversationLabel, ConversationLabel.conversation_id == Conversation.id)
            .where(ConversationLabel.label_id == label.id)
            .order_by(Conversation.id)
        )
    )


async def _announce(session: AsyncSession, rows: list[Conversation]) -> None:
    now = utcnow()
    for conversation in rows:
        conversation.updated_at = now
    await session.flush()
    for out, conversation in zip(await outputs.conversations_out(session, rows), rows, strict=True):
        log.record(
            session,
            ConversationUpdated(conversation=out, changed=["labels"]),
            account_id=conversation.account_id,
            conversation_id=conversation.id,
            contact_id=conversation.contact_id,
            inbox_id=conversation.inbox_id,
        )


async def update_label(
    session: AsyncSession,
    *,
    actor: Actor,
    label_id: int,
    name: str | None = None,
    color: str | None = None,
    description: str | None = None,
) -> Label:
    require_admin(actor)
    label = await get_label(session, account_id=actor.account_id, label_id=label_id)
    renamed = name is not None and _name(name) != label.name
    changes: dict[str, str] = {}
    if name is not None:
        changes["name"] = _name(name)
    if color is not None:
        changes["color"] = color
    if description is not None:
        changes["description"] = description.strip()
    await _flush_unique(session, label, **changes)
    if renamed:
        await _announce(session, await _carrying(session, label))
    return label


async def delete_label(session: AsyncSession, *, actor: Actor, label_id: int) -> None:
    """Remove the label from the account and from every conversation carrying it."""
    require_admin(actor)
    label = await get_label(session, account_id=actor.account_id, label_id=label_id)
    carrying = await _carrying(session, label)
    for link in await session.scalars(
        select(ConversationLabel).where(ConversationLabel.label_id == label.id)
    ):
        await session.delete(link)
    await session.delete(label)
    await session.flush()
    await _announce(session, carrying)
