"""Counts for the agents' left navigation: open conversations per team, inbox and label."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.service import Actor
from destek.conversations.models import Conversation, ConversationLabel, Label


@dataclass(slots=True)
class OpenCounts:
    """Open conversations the actor may see, grouped three ways."""

    by_team: dict[int, int] = field(default_factory=dict)
    by_inbox: dict[int, int] = field(default_factory=dict)
    by_label: dict[str, int] = field(default_factory=dict)


def _visible_open(actor: Actor) -> list[ColumnElement[bool]]:
    where = [Conversation.account_id == actor.account_id, Conversation.status == "open"]
    if actor.inbox_ids is not None:
        where.append(Conversation.inbox_id.in_(actor.inbox_ids))
    return where


async def open_counts(session: AsyncSession, *, actor: Actor) -> OpenCounts:
    counts = OpenCounts()
    by_team = (
        select(Conversation.team_id, func.count())
        .where(Conversation.team_id.is_not(None), *_visible_open(actor))
        .group_by(Conversation.team_id)
    )
    counts.by_team = {int(k): int(v) for k, v in (await session.execute(by_team)).all() if k is not None}
    by_inbox = (
        select(Conversation.inbox_id, func.count())
        .where(*_visible_open(actor))
        .group_by(Conversation.inbox_id)
    )
    counts.by_inbox = {int(k): int(v) for k, v in (await session.execute(by_inbox)).all()}
    by_label = (
        select(Label.name, func.count())
        .join(ConversationLabel, ConversationLabel.label_id == Label.id)
        .join(Conversation, Conversation.id == ConversationLabel.conversation_id)
        .where(Label.account_id == actor.account_id, *_visible_open(actor))
        .group_by(Label.name)
    )
    counts.by_label = {str(k): int(v) for k, v in (await session.execute(by_label)).all()}
    return counts
