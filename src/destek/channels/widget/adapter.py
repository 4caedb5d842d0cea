"""The in-app chat as a channel adapter. Its messages come and go through its own public client API
and sockets (api.py, realtime/), so the core never sends through it and it takes no webhooks; the
"api" kind is the same chat driven by a business's own client."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel

from destek.channels.base import (
    Capabilities,
    ChannelContext,
    Failed,
    InboundRequest,
    Outbound,
    Outcome,
    Parsed,
    Unverified,
)
from destek.channels.widget.channel import WidgetChannelSettings
from destek.channels.widget.reach import SECRET_FIELDS, ReachSettings, validate_reach

if TYPE_CHECKING:
    from fastapi import APIRouter
    from sqlalchemy.ext.asyncio import AsyncSession

    from destek.accounts.models import Inbox
    from destek.consumers.runner import Consumer

_CHAT = Capabilities(attachments=True, quick_replies=True, read_receipts=True)


class WidgetAdapter:
    kind: ClassVar[str] = "widget"
    label: ClassVar[str] = "In-app chat"
    capabilities: ClassVar[Capabilities] = _CHAT
    # The channel row holds the widget's look (settings.py) and how customers who left are reached
    # (reach.py).
    settings_model: ClassVar[type[BaseModel]] = WidgetChannelSettings
    secret_fields: ClassVar[tuple[str, ...]] = SECRET_FIELDS

    def routers(self) -> Sequence[APIRouter]:
        from destek.channels.widget.api import router as public_router
        from destek.channels.widget.articles_api import router as articles_router
        from destek.channels.widget.ratings_api import public_router as ratings_router

        return [public_router, articles_router, ratings_router]

    def consumers(self) -> Sequence[Consumer]:
        from destek.channels.widget.notify import Notifier

        return [Notifier()] if self.kind == "widget" else []  # one notifier serves both chat kinds

    async def validate(
        self, session: AsyncSession, *, inbox: Inbox, settings: BaseModel, secrets: Mapping[str, str]
    ) -> None:
        assert isinstance(settings, ReachSettings)
        await validate_reach(session, inbox=inbox, settings=settings, secrets=secrets)

    async def verify(self, request: InboundRequest, context: ChannelContext) -> None:
        raise Unverified(
            "the in-app chat takes messages through the public client API, not webhooks", status_code=403
        )

    def parse(self, request: InboundRequest, context: ChannelContext) -> Parsed:
        return Parsed(external_id=None, items=[])

    async def send(self, outbound: Outbound, context: ChannelContext) -> Outcome:
        return Failed("the in-app chat delivers over its own sockets")

    async def check(self, context: ChannelContext) -> str | None:
        return None


class ApiAdapter(WidgetAdapter):
    kind: ClassVar[str] = "api"
    label: ClassVar[str] = "API (your own client)"

    def routers(self) -> Sequence[APIRouter]:
        return []  # the widget's public client API serves both
