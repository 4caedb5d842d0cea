"""Handing a conversation from the bot to a person: routed to its topic's team, a private note for
agents (why, what the bot understood, the closest article and how sure it was), the customer told who
answers and when. Used by the builtin bot, the external bot's API and the bot-failure path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import service as accounts
from destek.accounts.models import Inbox
from destek.bot import texts
from destek.bot.service import get_session, open_session, say
from destek.bot.settings import BotSettings
from destek.channels import service as channels
from destek.contacts.models import Contact
from destek.conversations import bot_writes
from destek.conversations import service as conversations
from destek.conversations.models import Conversation
from destek.db import utcnow
from destek.errors import NotFound
from destek.realtime import presence
from destek.sla import calendars
from destek.web import i18n

if TYPE_CHECKING:
    from destek.state import AppState


@dataclass
class Handoff:
    reason: str  # a key of texts.REASONS
    language: str
    question: str = ""
    sentiment: str | None = None
    urgency: float | None = None
    offered: list[dict[str, Any]] = field(default_factory=list)
    # The help center's best article for the question and how sure the bot was of it, when it looked:
    # {"article_id", "title", "url", "confidence", "threshold"}.
    closest: dict[str, Any] | None = None


async def agents_online(state: AppState, *, account_id: int, inbox_id: int) -> bool:
    """Someone who can see the inbox has the dashboard open: a live agent websocket on any node
    (realtime/presence.py), of a user still active in the account."""
    async with state.read() as session:
        for user_id in await presence.online_user_ids(session, account_id=account_id):
            try:
                actor = await accounts.actor_for(session, account_id=account_id, user_id=user_id)
            except NotFound:
                continue  # deactivated (or removed) while the socket stays open
            if actor.can_see_inbox(inbox_id):
                return True
    return False


async def hand_over(
    session: AsyncSession,
    *,
    conversation: Conversation,
    settings: BotSettings,
    handoff: Handoff,
    online: bool,
    key: str,
    account_locale: str,
    tell_customer: bool = True,
) -> bool:
    """The conversation leaves the bot: routed to its topic's team, a note for agents, the customer
    told who answers and when. False when it had already been handed over (nothing is done)."""
    if not await bot_writes.hand_over(session, conversation=conversation):
        return False
    topic = settings.topic(conversation.topic)
    if topic is not None and topic.team_id and conversation.team_id is None:
        await conversations.assign(session, conversation=conversation, team_id=topic.team_id)
    bot_session = await get_session(session, conversation_id=conversation.id)
    if bot_session is None:
        bot_session = await open_session(session, conversation=conversation, language=handoff.language)
    bot_session.stage = "handed_over"
    bot_session.updated_at = utcnow()
    offered = handoff.offered or list(bot_session.offered)
    await say(
        session,
        conversation=conversation,
        text=_note(
            handoff,
            topic_label=topic.label(account_locale) if topic else None,
            offered=offered,
            locale=account_locale,
        ),
        key=f"{key}-note",
        private=True,
        attributes={
            "bot_handoff": {
                "reason": handoff.reason,
                "language": handoff.language,
                **({"closest": handoff.closest} if handoff.closest else {}),
            }
        },
    )
    if not tell_customer:
        return True
    language = handoff.language
    await say(
        session, conversation=conversation, text=texts.handoff(settings, language), key=f"{key}-handoff"
    )
    if not online:
        contact = await session.get(Contact, conversation.contact_id)
        text = await _nobody_here(session, conversation, settings, language, contact)
        inbox = await session.get(Inbox, conversation.inbox_id)
        # "Leave your e-mail and we will reply there" only when the inbox can mail replies.
        mails = inbox is not None and await channels.can_email(session, inbox=inbox)
        if settings.collect_email and mails and contact is not None and not contact.email:
            text = f"{text} {texts.t(language, texts.ASK_EMAIL)}"
            bot_session.awaiting_email = True
        await say(session, conversation=conversation, text=text, key=f"{key}-offline")
    return True


async def _nobody_here(
    session: AsyncSession,
    conversation: Conversation,
    settings: BotSettings,
    language: str,
    contact: Contact | None,
) -> str:
    """Out of business hours: when the team is back (the same hours the widget shows); in hours,
    when a person usually answers."""
    hours = await calendars.availability(
        session, account_id=conversation.account_id, inbox_id=conversation.inbox_id
    )
    if hours.open_now or hours.opens_at is None:
        return texts.offline(settings, language)
    zone = str((contact.device if contact is not None else {}).get("timezone") or "")
    try:
        ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        hours_zone = await calendars.calendar_for(
            session, account_id=conversation.account_id, inbox_id=conversation.inbox_id
        )
        zone = hours_zone.timezone  # the customer's own zone is unknown: the team's
    return texts.away(language, hours.opens_at, zone)


def _note(handoff: Handoff, *, topic_label: str | None, offered: list[dict[str, Any]], locale: str) -> str:
    def t(message: str) -> str:
        return texts.t(locale, message)

    articles = ", ".join(f"{a.get('title', '')} ({a.get('url', '')})" for a in offered) or t(texts.NOTE_NONE)
    lines = [
        f"🤖 {t(texts.NOTE_TITLE)}",
        f"{t(texts.NOTE_REASON)}: {t(texts.REASONS.get(handoff.reason, handoff.reason))}",
        f"{t(texts.NOTE_LANGUAGE)}: {i18n.BOT_LANGUAGE_NAMES.get(handoff.language, handoff.language)}",
        f"{t(texts.NOTE_TOPIC)}: {topic_label or t(texts.NOTE_NONE)}",
        f"{t(texts.NOTE_SENTIMENT)}: {t(texts.SENTIMENTS.get(handoff.sentiment or '', texts.NOTE_NONE))}",
        f"{t(texts.NOTE_URGENCY)}: {'' if handoff.urgency is None else f'{handoff.urgency:.2f}'}",
        f"{t(texts.NOTE_QUESTION)}: {handoff.question.strip()[:500] or t(texts.NOTE_NONE)}",
        f"{t(texts.NOTE_ARTICLES)}: {articles}",
    ]
    closest = handoff.closest
    if closest:
        sure = t(texts.NOTE_SURE).format(
            sure=round(100 * float(closest["confidence"])), threshold=round(100 * float(closest["threshold"]))
        )
        lines.append(f"{t(texts.NOTE_CLOSEST)}: {closest['title']} ({closest['url']}) — {sure}")
    return "\n".join(lines)
