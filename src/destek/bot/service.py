"""The bot's rows and its steps that change a conversation: settings, sessions, saying things,
handing over. Nothing here commits; consumers and routes own the unit of work."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.accounts import teams as team_service
from destek.accounts.models import Inbox
from destek.accounts.service import Actor
from destek.bot import texts
from destek.bot.models import BotSession
from destek.bot.settings import BotSettings, BotSettingsOut, BotSettingsUpdate
from destek.contacts import service as contacts
from destek.contacts.models import Contact
from destek.contacts.schemas import ContactFields
from destek.conversations import posting
from destek.conversations.models import Conversation, Message
from destek.db import utcnow
from destek.deliveries import netguard
from destek.errors import Invalid
from destek.helpcenter import service as helpcenter
from destek.web import i18n

if TYPE_CHECKING:
    pass

PERSON_VALUE = "person"
TOPIC_PREFIX = "topic:"
SOLVED_YES = "solved:yes"
SOLVED_NO = "solved:no"


# --- settings -------------------------------------------------------------------------------------


def settings_out(inbox: Inbox) -> BotSettingsOut:
    current = BotSettings.of(inbox.settings)
    data = current.model_dump()
    data["webhook_secret"] = None
    return BotSettingsOut(**data, webhook_secret_set=bool(current.webhook_secret))


async def update_settings(
    session: AsyncSession,
    *,
    actor: Actor,
    inbox_id: int,
    change: BotSettingsUpdate,
    allow_private_webhook: bool = False,
) -> Inbox:
    """Apply a partial change to an inbox's bot (admins); the result must be a valid BotSettings.

    A new webhook URL, and that of an external bot, must resolve to public addresses (deliveries/netguard.py)
    unless private ones are allowed; the unchanged URL kept by a builtin bot is not resolved again.
    """
    accounts.require_admin(actor)
    inbox = await inbox_service.access_inbox(session, actor=actor, inbox_id=inbox_id)
    # The merge starts from the stored bot settings: read them afresh under the row lock, so a token
    # issued or revoked meanwhile (bot/tokens.py) is not written back as it was.
    await session.refresh(inbox, with_for_update=True)
    stored = BotSettings.of(inbox.settings)
    current = stored.model_dump()
    given = change.model_dump(exclude_unset=True, exclude={"clear_webhook"})
    if given.get("webhook_secret") is None:
        given.pop("webhook_secret", None)  # null keeps the secret: it is never sent back to be echoed
    if change.clear_webhook:
        current["webhook_url"] = None
        current["webhook_secret"] = None
    merged = {**current, **given}
    if merged.get("enabled") and not current.get("enabled"):
        merged["enabled_since"] = utcnow()
    # `topics: null` is refused by the validation below (422), not here.
    for team_id in {t["team_id"] for t in merged.get("topics") or [] if t.get("team_id")}:
        await team_service.get_team(session, account_id=actor.account_id, team_id=team_id)
    if merged.get("mode") == "external":  # named by field, so that a form says it beside the field
        if merged.get("webhook_url") is None:
            raise Invalid(
                "an external bot needs webhook_url: the address each customer message is sent to",
                field="webhook_url",
            )
        if not merged.get("webhook_secret"):
            raise Invalid(
                "an external bot needs webhook_secret (at least 16 characters): it signs what is sent",
                field="webhook_secret",
            )
    try:
        validated = BotSettings.model_validate(merged)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise Invalid(_first_error(exc), field="bot") from None
    if (
        validated.webhook_url is not None
        and "webhook_url" in given
        and (validated.mode == "external" or validated.webhook_url != stored.webhook_url)
    ):
        try:
            await netguard.check(str(validated.webhook_url), allow_private=allow_private_webhook)
        except netguard.BlockedAddress as exc:
            raise Invalid(str(exc), field="webhook_url") from None
    return await inbox_service.update_inbox(
        session, actor=actor, inbox_id=inbox.id, settings={"bot": validated.to_settings()}
    )


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        found = errors()
        if found:
            where = ".".join(str(p) for p in found[0].get("loc", ()))
            message = str(found[0].get("msg", "invalid")).removeprefix("Value error, ")
            return f"{where}: {message}" if where else message
    return str(exc)


async def enable_builtin(session: AsyncSession, *, inbox: Inbox, **changes: Any) -> None:
    """Turn the builtin bot on for an inbox (the demo; setup scripts)."""
    current = BotSettings.of(inbox.settings).model_dump()
    since = current.get("enabled_since") if current.get("enabled") else utcnow()
    bot = BotSettings.model_validate(
        {**current, "enabled": True, "mode": "builtin", "enabled_since": since, **changes}
    )
    inbox.settings = {**inbox.settings, "bot": bot.to_settings()}
    await session.flush()


# --- sessions and languages -----------------------------------------------------------------------


async def get_session(session: AsyncSession, *, conversation_id: int) -> BotSession | None:
    found: BotSession | None = await session.scalar(
        select(BotSession).where(BotSession.conversation_id == conversation_id)
    )
    return found


async def open_session(session: AsyncSession, *, conversation: Conversation, language: str) -> BotSession:
    found = await get_session(session, conversation_id=conversation.id)
    if found is not None:
        return found
    bot_session = BotSession(
        account_id=conversation.account_id,
        conversation_id=conversation.id,
        stage="greeted",
        language=language,
        failures=0,
        last_question="",
        offered=[],
        awaiting_email=False,
    )
    session.add(bot_session)
    await session.flush()
    return bot_session


def _base(locale: str | None) -> str | None:
    """ "tr-TR" -> "tr"; None for anything that is not a language code."""
    if not locale:
        return None
    base = locale.strip().replace("_", "-").split("-", 1)[0].lower()
    return base if 2 <= len(base) <= 3 and base.isalpha() else None


def account_languages(account_locale: str | None, *others: str | None) -> list[str]:
    """The languages the bot may speak in this account: its own first, then the others given (the help
    center's published languages, the contact's locale). Only the account's language when none."""
    found = [b for b in (_base(x) for x in (account_locale, *others)) if b]
    return list(dict.fromkeys(found)) or ["en"]


async def candidate_languages(
    session: AsyncSession, *, account_id: int, account_locale: str | None, contact_locale: str | None = None
) -> list[str]:
    """The account's language, the languages its help center is published in, the contact's locale, then
    the languages the bot has built-in texts for (web/locale)."""
    published = await helpcenter.published_locales(session, account_id=account_id)
    return account_languages(account_locale, *published, contact_locale, *i18n.BOT_LOCALES)


def choose_language(
    text: str | None, *, fallbacks: list[str | None], candidates: list[str]
) -> tuple[str, bool]:
    """(language, detected): the text's language when detection is reliable (a bare greeting such as
    "merhaba" names its language), else the first fallback (contact's locale, conversation's
    language...) the account speaks."""
    if text and text.strip():
        from destek.bot.intents import greeting_language
        from destek.nlp.registry import get_language_detector

        hello = greeting_language(text)
        if hello is not None and hello in candidates:
            return hello, True
        if len(candidates) > 1:
            found = get_language_detector().detect(text, candidates)
            if found.reliable and found.language in candidates:
                return found.language, True
    for fallback in fallbacks:
        language = _base(fallback)
        if language in candidates:
            return language, False
    return candidates[0], False


# --- saying things --------------------------------------------------------------------------------


async def say(
    session: AsyncSession,
    *,
    conversation: Conversation,
    text: str,
    key: str,
    quick_replies: list[dict[str, str]] | None = None,
    private: bool = False,
    attributes: dict[str, Any] | None = None,
) -> Message:
    """Post as the bot. `key` makes it idempotent: the same key never posts twice."""
    content_attributes = dict(attributes or {})
    if quick_replies:
        content_attributes["quick_replies"] = quick_replies
    message, _new = await posting.post_message(
        session,
        conversation=conversation,
        sender_type="bot",
        sender_id=None,
        content=text,
        private=private,
        client_message_id=f"bot-{key}"[:64],
        content_type="quick_replies" if quick_replies else "text",
        content_attributes=content_attributes,
    )
    return message


async def first_contact_text(session: AsyncSession, *, conversation_id: int) -> str | None:
    """The customer's first message in the conversation (None before they have written)."""
    found: str | None = await session.scalar(
        select(Message.content)
        .where(Message.conversation_id == conversation_id, Message.sender_type == "contact")
        .order_by(Message.id)
        .limit(1)
    )
    return found


async def first_contact_automatic(session: AsyncSession, *, conversation_id: int) -> bool:
    """Whether the customer's first message is one never answered automatically (an auto-reply)."""
    attributes = await session.scalar(
        select(Message.content_attributes)
        .where(Message.conversation_id == conversation_id, Message.sender_type == "contact")
        .order_by(Message.id)
        .limit(1)
    )
    return bool((attributes or {}).get("automatic"))


async def last_options(session: AsyncSession, *, conversation_id: int) -> list[dict[str, str]]:
    """The buttons of the bot's latest message with quick replies (what the customer may pick)."""
    message = await session.scalar(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.sender_type == "bot",
            Message.content_type == "quick_replies",
        )
        .order_by(Message.id.desc())
        .limit(1)
    )
    if message is None:
        return []
    options = message.content_attributes.get("quick_replies", [])
    return [o for o in options if isinstance(o, dict)]


def topic_menu(settings: BotSettings, language: str) -> list[dict[str, str]]:
    menu = [{"title": t.label(language), "value": f"{TOPIC_PREFIX}{t.id}"} for t in settings.topics]
    menu.append({"title": texts.t(language, texts.TALK_TO_PERSON), "value": PERSON_VALUE})
    return menu[:10]


def solved_menu(language: str, *, person: bool = False) -> list[dict[str, str]]:
    """Did the answer solve it: yes, no, and for an urgent problem a person at once."""
    menu = [
        {"title": texts.t(language, texts.YES), "value": SOLVED_YES},
        {"title": texts.t(language, texts.NO), "value": SOLVED_NO},
    ]
    if person:
        menu.append({"title": texts.t(language, texts.TALK_TO_PERSON), "value": PERSON_VALUE})
    return menu


async def capture_email(
    session: AsyncSession, *, conversation: Conversation, bot_session: BotSession, text: str, key: str
) -> None:
    """A message after "leave your email": store the first address the customer writes (a message
    without one, "wait, let me check", keeps the bot waiting, silently, until a person replies)."""
    from destek.bot.intents import find_email

    email = find_email(text)
    if email is None:
        return
    bot_session.awaiting_email = False
    contact = await session.get(Contact, conversation.contact_id)
    if contact is None or contact.email:
        return
    try:
        fields = ContactFields(email=email)
    except ValueError:
        return
    await contacts.update_contact(session, contact=contact, data=fields)
    language = bot_session.language or "en"
    await say(
        session,
        conversation=conversation,
        text=texts.t(language, texts.EMAIL_SAVED).replace("{email}", email),
        key=f"{key}-email",
    )
