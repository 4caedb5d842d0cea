"""Canned responses: the only code that changes their rows. None of these commits.

Admins and owners write them; every agent of the account lists, searches and renders them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import service as accounts
from destek.accounts.service import Actor, require_admin
from destek.canned.models import CannedResponse
from destek.contacts import service as contacts
from destek.conversations.models import Conversation
from destek.db import utcnow
from destek.errors import Conflict, NotFound

VARIABLES = (
    "contact.name",
    "contact.first_name",
    "contact.email",
    "agent.name",
    "conversation.number",
    "account.name",
)
# {{ contact.name }}: spaces inside the braces are allowed, as most template languages allow them.
_VARIABLE = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")


# --- rendering ------------------------------------------------------------------------------------


def render(content: str, values: Mapping[str, str]) -> str:
    """Fill in the variables: a known one with its value ("" when missing), an unknown one left as
    typed (a typo stays visible to the agent instead of silently vanishing)."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in VARIABLES:
            return match.group(0)
        return values.get(name, "")

    return _VARIABLE.sub(fill, content)


async def variables_for(
    session: AsyncSession, *, conversation: Conversation, agent_name: str
) -> dict[str, str]:
    """The values of every variable for a reply by `agent_name` in `conversation`."""
    contact = await contacts.get_contact(
        session, account_id=conversation.account_id, contact_id=conversation.contact_id
    )
    account = await accounts.get_account(session, account_id=conversation.account_id)
    name = (contact.name or "").strip()
    return {
        "contact.name": name,
        "contact.first_name": name.split()[0] if name else "",
        "contact.email": contact.email or "",
        "agent.name": agent_name,
        "conversation.number": str(conversation.number),
        "account.name": account.name,
    }


# --- reading ----------------------------------------------------------------------------------------


def _like(text: str) -> str:
    # The searcher's % and _ are plain characters, not wildcards.
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search(
    session: AsyncSession, *, account_id: int, q: str | None = None, limit: int = 20
) -> list[CannedResponse]:
    """The account's canned responses matching `q` (all without it), best first: short codes starting
    with q (a leading / is ignored, as typed in the composer), then q anywhere in the code, title or
    content; alphabetical by short code within each group."""
    query = select(CannedResponse).where(CannedResponse.account_id == account_id)
    text = (q or "").strip().lstrip("/").strip().lower()
    if not text:
        return list(await session.scalars(query.order_by(CannedResponse.short_code).limit(limit)))
    escaped = _like(text)
    prefix = CannedResponse.short_code.like(f"{escaped}%", escape="\\")
    anywhere = f"%{escaped}%"
    query = query.where(
        or_(
            prefix,
            CannedResponse.short_code.like(anywhere, escape="\\"),
            func.lower(CannedResponse.title).like(anywhere, escape="\\"),
            func.lower(CannedResponse.content).like(anywhere, escape="\\"),
        )
    )
    rank = case((prefix, 0), else_=1)
    return list(await session.scalars(query.order_by(rank, CannedResponse.short_code).limit(limit)))


async def get(session: AsyncSession, *, account_id: int, canned_id: int) -> CannedResponse:
    found = await session.get(CannedResponse, canned_id)
    if found is None or found.account_id != account_id:
        raise NotFound(f"canned response {canned_id} not found")
    return found


async def visible_conversation(session: AsyncSession, *, actor: Actor, conversation_id: int) -> Conversation:
    """The conversation (by id) if the actor may see it; NotFound naming the field otherwise."""
    conversation = await session.get(Conversation, conversation_id)
    if (
        conversation is None
        or conversation.account_id != actor.account_id
        or not actor.can_see_inbox(conversation.inbox_id)
    ):
        raise NotFound(f"conversation {conversation_id} not found", field="conversation_id")
    return conversation


# --- changing ---------------------------------------------------------------------------------------


async def _flush_unique(
    session: AsyncSession, row: CannedResponse, short_code: str, /, **changes: object
) -> None:
    """Write the row (with `changes`) in a savepoint: a taken short code is 409 and leaves the
    transaction usable. The changes are made inside it, as begin_nested() first flushes what is dirty."""
    try:
        async with session.begin_nested():
            for attribute, value in changes.items():
                setattr(row, attribute, value)
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise Conflict(
            f"the short code /{short_code} is already used by another canned response", field="short_code"
        ) from None


async def create(
    session: AsyncSession, *, actor: Actor, short_code: str, title: str, content: str
) -> CannedResponse:
    require_admin(actor)
    now = utcnow()
    row = CannedResponse(
        account_id=actor.account_id,
        short_code=short_code,
        title=title,
        content=content,
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    await _flush_unique(session, row, short_code)
    return row


async def update(
    session: AsyncSession,
    *,
    actor: Actor,
    canned_id: int,
    short_code: str | None = None,
    title: str | None = None,
    content: str | None = None,
) -> CannedResponse:
    require_admin(actor)
    row = await get(session, account_id=actor.account_id, canned_id=canned_id)
    changes: dict[str, object] = {"updated_at": utcnow()}
    if short_code is not None:
        changes["short_code"] = short_code
    if title is not None:
        changes["title"] = title
    if content is not None:
        changes["content"] = content
    await _flush_unique(session, row, str(changes.get("short_code", row.short_code)), **changes)
    return row


async def delete(session: AsyncSession, *, actor: Actor, canned_id: int) -> None:
    require_admin(actor)
    row = await get(session, account_id=actor.account_id, canned_id=canned_id)
    await session.delete(row)
    await session.flush()
