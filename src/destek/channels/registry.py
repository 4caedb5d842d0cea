"""The channel adapters this server knows, by kind. The one place that imports channel packages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from destek.channels.base import ChannelAdapter
from destek.errors import Invalid

if TYPE_CHECKING:
    from fastapi import APIRouter

    from destek.consumers.runner import Consumer
    from destek.state import AppState

_ADAPTERS: dict[str, ChannelAdapter] = {}


def adapters() -> dict[str, ChannelAdapter]:
    if not _ADAPTERS:
        from destek.channels.email.adapter import EmailAdapter
        from destek.channels.widget.adapter import ApiAdapter, WidgetAdapter

        for adapter in (WidgetAdapter(), ApiAdapter(), EmailAdapter()):
            _ADAPTERS[adapter.kind] = adapter
    return _ADAPTERS


def kinds() -> tuple[str, ...]:
    return tuple(adapters())


def get(kind: str) -> ChannelAdapter:
    adapter = adapters().get(kind)
    if adapter is None:
        raise Invalid(f"channel_type must be one of {', '.join(kinds())}", field="channel_type")
    return adapter


def routers() -> Sequence[APIRouter]:
    return [router for adapter in adapters().values() for router in adapter.routers()]


def consumers() -> list[Consumer]:
    """The channels' consumers: replies delivered through the channels, and each adapter's own."""
    from destek.channels.outbound import ChannelDelivery

    return [ChannelDelivery(), *(c for adapter in adapters().values() for c in adapter.consumers())]


async def load_demos(state: AppState, *, account_id: int, owner_user_id: int, agent_ids: list[int]) -> None:
    """The channels' demo inboxes (an e-mail inbox with mail in it), through their real ingest paths."""
    from destek.channels.email.demo import load_demo_mail

    await load_demo_mail(state, account_id=account_id, owner_user_id=owner_user_id, agent_ids=agent_ids)
