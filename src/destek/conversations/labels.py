"""Labels on conversations: named in the account, created when first used, set as a whole."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from destek.conversations.models import Conversation, ConversationLabel, Label
from destek.conversations.outputs import labels_of
from destek.conversations.service import _record_update
from destek.errors import Invalid

_LABEL_CHARS = re.compile(r"[\w .:/\-]+")


def normalize_label(name: str) -> str:
    label = " ".join(name.strip().lower().split())
    if not label or len(label) > 64:
        raise Invalid("a label has 1 to 64 characters", field="labels")
    if not _LABEL_CHARS.fullmatch(label):
        raise Invalid(
            f"label {name!r} may contain only letters, digits, spaces and . : / - _", field="labels"
        )
    return label


async def set_labels(session: AsyncSession, *, conversation: Conversation, labels: list[str]) -> None:
    """Make the conversation's labels exactly these (new names are created in the account)."""
    wanted = list(dict.fromkeys(normalize_label(n) for n in labels))
    current = (await labels_of(session, [conversation.id]))[conversation.id]
    if sorted(wanted) == current:
        return
    existing = {
        label.name: label
        for label in await session.scalars(
            select(Label).where(Label.account_id == conversation.account_id, Label.name.in_(wanted))
        )
    }
    for name in wanted:
        if name not in existing:
            existing[name] = await _create_label(session, account_id=conversation.account_id, name=name)
    await session.flush()
    for link in await session.scalars(
        select(ConversationLabel).where(ConversationLabel.conversation_id == conversation.id)
    ):
        await session.delete(link)
    await session.flush()
    for name in wanted:
        session.add(
            ConversationLabel(
                account_id=conversation.account_id,
                conversation_id=conversation.id,
                label_id=existing[name].id,
            )
        )
    await _record_update(session, conversation, ["labels"])


async def _create_label(session: AsyncSession, *, account_id: int, name: str) -> Label:
    """A new label; if another transaction created it meanwhile (two agents at once), that one."""
    label = Label(account_id=account_id, name=name)
    try:
        async with session.begin_nested():
            session.add(label)
            await session.flush()
    except IntegrityError:
        found = await session.scalar(select(Label).where(Label.account_id == account_id, Label.name == name))
        if found is None:  # the other transaction rolled back: nothing to share after all
            raise
        return found
    return label


async def list_labels(session: AsyncSession, *, account_id: int) -> list[Label]:
    return list(
        await session.scalars(select(Label).where(Label.account_id == account_id).order_by(Label.name))
    )
