"""Ephemeral signals (typing, presence, viewing): over the bus only, never the log."""

from __future__ import annotations

from typing import Any, Literal

from destek.bus import Bus
from destek.conversations.models import Conversation


async def send_typing(
    bus: Bus,
    *,
    conversation: Conversation,
    sender_type: Literal["agent", "contact", "bot"],
    sender_id: int,
    name: str,
    typing: bool,
    private: bool = False,
) -> None:
    """Tell the other side someone is (or stopped) typing. `private`: an agent typing a note."""
    payload: dict[str, Any] = {
        "type": "typing",
        "conversation_id": conversation.id,
        "conversation_number": conversation.number,
        "contact_id": conversation.contact_id,
        "inbox_id": conversation.inbox_id,
        "sender": {"type": sender_type, "id": sender_id, "name": name},
        "typing": typing,
        "private": private,
    }
    await bus.signal(conversation.account_id, payload)


async def send_viewing(
    bus: Bus, *, conversation: Conversation, user_id: int, name: str, viewing: bool
) -> None:
    """Tell other agents that an agent has the conversation open (collision notice). Agents only:
    `private` keeps it from every contact's socket."""
    payload: dict[str, Any] = {
        "type": "viewing",
        "conversation_id": conversation.id,
        "conversation_number": conversation.number,
        "contact_id": conversation.contact_id,
        "inbox_id": conversation.inbox_id,
        "sender": {"type": "agent", "id": user_id, "name": name},
        "viewing": viewing,
        "private": True,
    }
    await bus.signal(conversation.account_id, payload)
