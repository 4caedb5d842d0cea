"""What the bot says, in the customer's language: the inbox's override, else the built-in text
translated through the `bot` catalog (web/locale/<lang>/bot.po; i18n.BOT_LOCALES: the UI's languages,
and German, Spanish and Arabic for customers)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_timedelta

from destek.bot.settings import BotSettings
from destek.web import i18n

# The built-in texts (message ids of bot.po).
GREETING = "Hi! I'm the virtual assistant. Choose a topic below, or type your question."
GREETING_SHORT = "Hi! I'm the virtual assistant."
HOW_CAN_I_HELP = "How can I help? Choose a topic below, or type your question."
TOPIC_CHOSEN = "Got it: {topic}. What is your question?"
ANSWER_INTRO = "This article should help:"
ASK_SOLVED = "Did this solve it?"
YES = "Yes, thanks"
NO = "No"
RESOLVED = "Great, glad it helped! Write again any time."
HANDOFF = "I'm passing you to a person from our team. They will answer here."
OFFLINE = "Our team is not online right now. A person will answer within {reply_time}."
# Out of the inbox's business hours (sla/): when the team is back, in the customer's time zone.
AWAY = "Our team is away now. We are back {when}, and a person will answer here."
ASK_EMAIL = "If you leave your email address, we can reply there too."
EMAIL_SAVED = "Thanks! We will also reply to {email}."
TALK_TO_PERSON = "Talk to a person"
# An answer from an article in another language than the customer's (the help center lacks theirs).
ONLY_IN = {
    "en": "This article is only available in English for now.",
    "tr": "This article is only available in Turkish for now.",
}
ONLY_IN_ANOTHER = "This article is not available in your language yet."

# Private note for agents (in the account's language).
NOTE_TITLE = "Handed over by the bot"
NOTE_REASON = "Reason"
NOTE_LANGUAGE = "Language"
NOTE_TOPIC = "Topic"
NOTE_SENTIMENT = "Sentiment"
NOTE_URGENCY = "Urgency"
NOTE_QUESTION = "Question"
NOTE_ARTICLES = "Articles offered"
NOTE_NONE = "none"
NOTE_CLOSEST = "Closest article"
NOTE_SURE = "{sure}% sure; the bot answers from {threshold}%"
SENTIMENTS = {"negative": "negative", "neutral": "neutral", "positive": "positive"}
REASONS = {
    "asked": "the customer asked for a person",
    "low_confidence": "no help-center article answers the question confidently",
    "angry": "the customer is angry",
    "negative": "the customer is upset",
    "urgent": "the message is urgent",
    "not_solved": "the customer said the answer did not solve it",
    "repeated": "a second answer did not help",
    "external": "the external bot handed over",
    "bot_unreachable": "the external bot could not be reached",
    "bot_silent": "the external bot did not answer in time",
    "bot_failed": "the bot failed to handle the message",
}


def t(language: str, message: str) -> str:
    return i18n.bot_gettext(language, message)


def pick(table: dict[str, str], language: str, default: str) -> str:
    """The inbox's text in this language, else the built-in one translated."""
    return table.get(language) or t(language, default)


def reply_time(minutes: int, language: str) -> str:
    """ "1 hour" / "1 saat": the expected reply time in words."""
    locale = language if language in i18n.BOT_LOCALES else i18n.DEFAULT_LOCALE
    return str(format_timedelta(dt.timedelta(minutes=minutes), locale=locale))


def greeting(settings: BotSettings, language: str, *, with_menu: bool) -> str:
    return pick(settings.greeting, language, GREETING if with_menu else GREETING_SHORT)


def handoff(settings: BotSettings, language: str) -> str:
    return pick(settings.handoff_message, language, HANDOFF)


def offline(settings: BotSettings, language: str) -> str:
    text = pick(settings.offline_message, language, OFFLINE)
    return text.replace("{reply_time}", reply_time(settings.expected_reply_minutes, language))


def away(language: str, back: dt.datetime, timezone: str) -> str:
    """The out-of-hours notice: "back Monday 09:00" (within the week), else with the date."""
    locale = language if language in i18n.BOT_LOCALES else i18n.DEFAULT_LOCALE
    local = back.astimezone(ZoneInfo(timezone))
    soon = local - dt.datetime.now(local.tzinfo) < dt.timedelta(days=6)
    when = format_datetime(local, "EEEE HH:mm" if soon else "EEEE d MMMM HH:mm", locale=locale)
    return t(language, AWAY).replace("{when}", str(when))


def only_in(article_locale: str, language: str) -> str:
    """Said with an answer from an article in another language than the customer's."""
    return t(language, ONLY_IN.get(article_locale, ONLY_IN_ANOTHER))
