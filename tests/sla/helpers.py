"""Business hours for tests elsewhere (the widget, the bot): a team that is away now."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import httpx

from tests.support.factories import Tenant

IST = ZoneInfo("Europe/Istanbul")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TR_DAYS = ("Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi", "Pazar")


async def away_until_tomorrow_nine(client: httpx.AsyncClient, tenant: Tenant) -> dt.datetime:
    """The account's default calendar opens one hour a week, tomorrow 09:00-10:00 İstanbul time (so
    it is closed now); returns that opening."""
    tomorrow = (dt.datetime.now(IST) + dt.timedelta(days=1)).date()
    made = await client.post(
        tenant.url("/calendars"),
        json={
            "name": "One hour a week",
            "timezone": "Europe/Istanbul",
            "week": {DAYS[tomorrow.weekday()]: ["09:00-10:00"]},
            "is_default": True,
        },
        headers=tenant.owner.headers,
    )
    assert made.status_code == 201, made.text
    return dt.datetime.combine(tomorrow, dt.time(9), tzinfo=IST)
