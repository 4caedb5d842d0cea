"""What the bot and the language consumer change on a conversation (docs/bot.md): its language,
sentiment and urgency, its topic, the hand-over to people, and a resolution by the bot. None of these
commits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from destek.conversations.models import Conversation
from destek.conversations.service import _record_update
from destek.db import utcnow
from destek.errors import Invalid


async def set_insights(
    session: AsyncSession,
    *,
    conversation: Conversation,
    language: str | None = None,
    sentiment: str | None = None,
    urgency: float | None = None,
) -> list[str]:
    """Store what was learnt from the contact's last message; None leaves a field as it is."""
    changed: list[str] = []
    if language is not None and language != conversation.language:
        conversation.language = language[:16]
        changed.append("language")
    if sentiment is not None and sentiment != conversation.sentiment:
        if sentiment not in ("negative", "neutral", "positive"):
            raise Invalid("sentiment must be negative, neutral or positive", field="sentiment")
        conversation.sentiment = sentiment
        changed.append("sentiment")
    if urgency is not None and (conversation.urgency is None or abs(urgency - conversation.urgency) >= 0.01):
        conversation.urgency = round(min(max(urgency, 0.0), 1.0), 3)
        changed.append("urgency")
    if changed:
        await _record_update(session, conversation, changed)
    return changed


async def set_topic(session: AsyncSession, *, conversation: Conversation, topic: str | None) -> None:
    if topic == conversation.topic:
        return
    conversation.topic = topic[:40] if topic else None
    await _record_update(session, conversation, ["topic"])


async def hand_over(session: AsyncSession, *, conversation: Conversation) -> bool:
    """The conversation leaves the bot for a person; the person's clock starts now. False: it had
    already been handed over."""
    if conversation.handed_over_at is not None:
        return False
    now = utcnow()
    conversation.handed_over_at = now
    changed = ["handed_over_at"]
    if conversation.bot_resolved:  # it came back after "solved": not the bot's success after all
        conversation.bot_resolved = False
        changed.append("bot_resolved")
    if conversation.first_reply_at is None:
        conversation.waiting_since = now
        changed.append("waiting_since")
    if conversation.status != "open":
        conversation.status = "open"
        conversation.resolved_at = None
        conversation.snoozed_until = None
        changed.append("status")
    await _record_update(session, conversation, changed)
    return True


async def resolve_by_bot(session: AsyncSession, *, conversation: Conversation) -> None:
    """The customer said the bot's answer solved it."""
    conversation.bot_resolved = True
    if conversation.status == "resolved":
        await _record_update(session, conversation, ["bot_resolved"])
        return
    conversation.status = "resolved"
    conversation.snoozed_until = None
    conversation.resolved_at = utcnow()
    conversation.waiting_since = None
    await _record_update(session, conversation, ["status", "bot_resolved"])
