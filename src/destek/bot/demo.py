"""The demo café's bot: on for the in-app chat inbox, its topics routed to the demo's teams."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Inbox
from destek.bot import service as bot


async def enable_demo_bot(session: AsyncSession, *, inbox: Inbox, team_ids: dict[str, int]) -> None:
    """`team_ids` by team name; topics whose team is missing stay unrouted."""
    general = next((i for name, i in team_ids.items() if name.startswith("Genel")), None)
    technical = next((i for name, i in team_ids.items() if name.startswith("Teknik")), None)
    topics = [
        {"id": "payment", "labels": {"en": "Payment", "tr": "Ödeme"}, "team_id": general},
        {"id": "order", "labels": {"en": "Order", "tr": "Sipariş"}, "team_id": general},
        {
            "id": "technical",
            "labels": {"en": "App or QR menu problem", "tr": "Uygulama / QR menü sorunu"},
            "team_id": technical,
        },
        {"id": "account", "labels": {"en": "My account", "tr": "Hesabım"}, "team_id": general},
    ]
    await bot.enable_builtin(session, inbox=inbox, topics=topics, expected_reply_minutes=30)
