"""An inbox's bot token: what an external bot (Rasa, Dialogflow, an LLM service) sends to reply and to
hand over in that inbox, instead of an administrator's API token.

`dtb_<inbox_id>_<random>`: the inbox id says where to look, and only the token's SHA-256 is kept, in the
inbox's bot settings (`BotSettings.token_secret_sha256`), never returned by any GET. One per inbox:
making a new one replaces the old at once. It is accepted only by the two routes of the external bot
(bot/api.py: bot_messages and handoff), acting as an actor of role "bot" who sees that inbox alone;
everywhere else it is not an API token, so `current_actor` refuses it (401).
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.accounts.models import Inbox
from destek.accounts.service import Actor
from destek.bot.settings import BotSettings
from destek.db import MAX_ID, utcnow
from destek.errors import NotFound, Unauthorized
from destek.security import random_token, sha256_hex

PREFIX = "dtb_"
BOT_ROLE = "bot"
_SHOWN = 4  # random characters kept in the prefix, to recognise a token in a list
_REFUSED = "the bot token is invalid, or it has been replaced or revoked: ask an administrator for a new one"


def is_bot_token(token: str) -> bool:
    return token.startswith(PREFIX)


def is_bot(actor: Actor) -> bool:
    return actor.role == BOT_ROLE


async def _locked_inbox(session: AsyncSession, *, actor: Actor, inbox_id: int) -> Inbox:
    """The inbox, its row locked until commit and its settings read afresh: a concurrent change of the
    bot settings cannot write an old (rotated or revoked) token hash back over a new one."""
    accounts.require_admin(actor)
    inbox = await inbox_service.access_inbox(session, actor=actor, inbox_id=inbox_id)
    await session.refresh(inbox, with_for_update=True)
    return inbox


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str  # the plaintext: shown once, never stored
    prefix: str
    created_at: dt.datetime


async def issue(session: AsyncSession, *, actor: Actor, inbox_id: int) -> IssuedToken:
    """A new bot token for the inbox (admins), replacing the previous one at once."""
    inbox = await _locked_inbox(session, actor=actor, inbox_id=inbox_id)
    start = f"{PREFIX}{inbox.id}_"
    token = random_token(start, 32)
    issued = IssuedToken(token=token, prefix=token[: len(start) + _SHOWN], created_at=utcnow())
    changed = BotSettings.of(inbox.settings).model_copy(
        update={
            "token_secret_sha256": sha256_hex(issued.token),
            "token_prefix": issued.prefix,
            "token_created_at": issued.created_at,
        }
    )
    await _save(session, actor=actor, inbox=inbox, settings=changed)
    return issued


async def revoke(session: AsyncSession, *, actor: Actor, inbox_id: int) -> None:
    """The inbox has no bot token any more (admins); it stops working at once. Idempotent."""
    inbox = await _locked_inbox(session, actor=actor, inbox_id=inbox_id)
    current = BotSettings.of(inbox.settings)
    if current.token_secret_sha256 is None:
        return
    changed = current.model_copy(
        update={"token_secret_sha256": None, "token_prefix": None, "token_created_at": None}
    )
    await _save(session, actor=actor, inbox=inbox, settings=changed)


async def _save(session: AsyncSession, *, actor: Actor, inbox: Inbox, settings: BotSettings) -> None:
    await inbox_service.update_inbox(
        session, actor=actor, inbox_id=inbox.id, settings={"bot": settings.to_settings()}
    )


def _inbox_id(token: str) -> int | None:
    number, _, rest = token.removeprefix(PREFIX).partition("_")
    if not rest or not number.isascii() or not number.isdigit() or len(number) > len(str(MAX_ID)):
        return None
    value = int(number)
    return value if 1 <= value <= MAX_ID else None


async def bot_actor(session: AsyncSession, *, account_id: int, token: str) -> Actor:
    """The actor a bot token stands for in `account_id`: role "bot", seeing its inbox alone.

    Unauthorized (401) for anything but the current token of an inbox of this account: a malformed,
    replaced or revoked token, or one of another account's inbox (which is not revealed)."""
    inbox_id = _inbox_id(token) if is_bot_token(token) else None
    if inbox_id is None:
        raise Unauthorized(_REFUSED)
    try:
        inbox = await inbox_service.get_inbox(session, account_id=account_id, inbox_id=inbox_id)
    except NotFound:
        raise Unauthorized(_REFUSED) from None
    stored = BotSettings.of(inbox.settings).token_secret_sha256
    # Both are ASCII hex: compare bytes, in constant time.
    if stored is None or not hmac.compare_digest(stored.encode(), sha256_hex(token).encode()):
        raise Unauthorized(_REFUSED)
    return Actor(account_id=account_id, user_id=0, role=BOT_ROLE, name="Bot", inbox_ids=frozenset({inbox.id}))
