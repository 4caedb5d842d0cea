"""Business-hours calendars: kept per account, followed by inboxes and teams, and read as
sla.hours.Calendar wherever a clock needs them. None of these commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import inboxes as inbox_service
from destek.accounts import teams as team_service
from destek.accounts.service import Actor, require_admin
from destek.db import utcnow
from destek.errors import Conflict, Invalid, NotFound
from destek.sla import holidays as holiday_sets
from destek.sla.hours import ALWAYS, Calendar, Holiday, Interval, NeverOpen
from destek.sla.models import BusinessCalendar, CalendarLink
from destek.sla.schemas import DAYS, CalendarIn, CalendarOut, HolidayImport, HolidayIn, Week


def hours_of(row: BusinessCalendar) -> Calendar:
    week = tuple(tuple(Interval.parse(text) for text in day) for day in row.week)
    return Calendar(row.timezone, week, tuple(_holiday(h) for h in row.holidays))


def calendar_out(row: BusinessCalendar, *, now: dt.datetime | None = None) -> CalendarOut:
    hours, now = hours_of(row), now or utcnow()
    try:
        next_open: dt.datetime | None = hours.next_open(now)
    except NeverOpen:
        next_open = None
    return CalendarOut(
        id=row.id,
        name=row.name,
        timezone=row.timezone,
        week=Week.model_validate(dict(zip(DAYS, row.week, strict=True))),
        holidays=[HolidayIn.model_validate(h) for h in row.holidays],
        is_default=row.is_default,
        open_now=next_open is not None and next_open <= now,
        next_open=next_open,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def list_calendars(session: AsyncSession, *, account_id: int) -> list[BusinessCalendar]:
    return list(
        await session.scalars(
            select(BusinessCalendar)
            .where(BusinessCalendar.account_id == account_id)
            .order_by(BusinessCalendar.name)
        )
    )


async def get_calendar(session: AsyncSession, *, account_id: int, calendar_id: int) -> BusinessCalendar:
    row = await session.get(BusinessCalendar, calendar_id)
    if row is None or row.account_id != account_id:
        raise NotFound(f"calendar {calendar_id} not found")
    return row


async def create_calendar(session: AsyncSession, *, actor: Actor, data: CalendarIn) -> BusinessCalendar:
    require_admin(actor)
    row = BusinessCalendar(account_id=actor.account_id, created_at=utcnow())
    await _write(session, row, data)
    return row


async def update_calendar(
    session: AsyncSession, *, actor: Actor, calendar_id: int, data: CalendarIn
) -> BusinessCalendar:
    require_admin(actor)
    row = await get_calendar(session, account_id=actor.account_id, calendar_id=calendar_id)
    await _write(session, row, data)
    return row


async def delete_calendar(session: AsyncSession, *, actor: Actor, calendar_id: int) -> None:
    """Its inboxes and teams follow the account's default calendar again."""
    require_admin(actor)
    row = await get_calendar(session, account_id=actor.account_id, calendar_id=calendar_id)
    await session.execute(delete(CalendarLink).where(CalendarLink.calendar_id == row.id))
    await session.delete(row)


async def import_holidays(
    session: AsyncSession, *, actor: Actor, calendar_id: int, data: HolidayImport
) -> BusinessCalendar:
    """Add a preset's or an iCalendar file's holidays (or put them in place of the old ones)."""
    require_admin(actor)
    if (data.preset is None) == (data.ical is None):
        raise Invalid("send either `preset` or `ical`", field="ical")
    row = await get_calendar(session, account_id=actor.account_id, calendar_id=calendar_id)
    if data.preset is not None:
        found = holiday_sets.PRESETS[data.preset]()
    else:
        try:
            found = holiday_sets.from_ical(data.ical or "", timezone=row.timezone)
        except holiday_sets.BadCalendarFile as exc:
            raise Invalid(f"the iCalendar file cannot be read: {exc}", field="ical") from None
    kept = [] if data.replace else list(row.holidays)
    added = [_holiday_json(h) for h in found]
    row.holidays = kept + [h for h in added if h not in kept]
    if len(row.holidays) > 1000:
        raise Invalid("a calendar keeps at most 1000 holidays: import with `replace`", field="ical")
    row.updated_at = utcnow()
    await session.flush()
    return row


async def link(
    session: AsyncSession,
    *,
    actor: Actor,
    calendar_id: int | None,
    inbox_id: int | None = None,
    team_id: int | None = None,
) -> None:
    """Make the inbox (or the team) follow the calendar; None: the account's default again."""
    require_admin(actor)
    if inbox_id is not None:
        await inbox_service.get_inbox(session, account_id=actor.account_id, inbox_id=inbox_id)
        await session.execute(delete(CalendarLink).where(CalendarLink.inbox_id == inbox_id))
    else:
        assert team_id is not None
        await team_service.get_team(session, account_id=actor.account_id, team_id=team_id)
        await session.execute(delete(CalendarLink).where(CalendarLink.team_id == team_id))
    if calendar_id is not None:
        await get_calendar(session, account_id=actor.account_id, calendar_id=calendar_id)
        session.add(
            CalendarLink(
                account_id=actor.account_id, calendar_id=calendar_id, inbox_id=inbox_id, team_id=team_id
            )
        )
        await session.flush()


async def visible_inbox(session: AsyncSession, *, actor: Actor, inbox_id: int) -> None:
    """NotFound unless the actor may see the inbox."""
    await inbox_service.get_inbox(session, account_id=actor.account_id, inbox_id=inbox_id)
    if not actor.can_see_inbox(inbox_id):
        raise NotFound(f"inbox {inbox_id} not found")


async def visible_team(session: AsyncSession, *, actor: Actor, team_id: int) -> None:
    await team_service.get_team(session, account_id=actor.account_id, team_id=team_id)


async def linked(
    session: AsyncSession, *, account_id: int, inbox_id: int | None = None, team_id: int | None = None
) -> int | None:
    """The calendar the inbox (or team) follows itself, if any."""
    column = CalendarLink.inbox_id if inbox_id is not None else CalendarLink.team_id
    found: int | None = await session.scalar(
        select(CalendarLink.calendar_id).where(
            CalendarLink.account_id == account_id, column == (inbox_id if inbox_id is not None else team_id)
        )
    )
    return found


async def calendar_for(
    session: AsyncSession, *, account_id: int, inbox_id: int | None = None, team_id: int | None = None
) -> Calendar:
    """The hours that count for a conversation: its team's calendar, else its inbox's, else the
    account's default, else always open."""
    found = None
    if team_id is not None:
        found = await linked(session, account_id=account_id, team_id=team_id)
    if found is None and inbox_id is not None:
        found = await linked(session, account_id=account_id, inbox_id=inbox_id)
    if found is not None:
        return hours_of(await get_calendar(session, account_id=account_id, calendar_id=found))
    default = await session.scalar(
        select(BusinessCalendar).where(
            BusinessCalendar.account_id == account_id, BusinessCalendar.is_default.is_(True)
        )
    )
    return hours_of(default) if default is not None else ALWAYS


async def _write(session: AsyncSession, row: BusinessCalendar, data: CalendarIn) -> None:
    week = data.week.days()
    for day, intervals in zip(DAYS, week, strict=True):
        try:
            parsed = [Interval.parse(text) for text in intervals]
            Calendar(data.timezone, tuple((tuple(parsed),) * 7))
        except ValueError as exc:
            raise Invalid(f"week.{day}: {exc}", field=f"week.{day}") from None
    for index, holiday in enumerate(data.holidays):
        if holiday.last is not None and holiday.last < holiday.first:
            raise Invalid("a holiday's last day comes after its first", field=f"holidays.{index}.last")
    if data.is_default:  # one default per account
        await session.execute(
            update(BusinessCalendar)
            .where(BusinessCalendar.account_id == row.account_id, BusinessCalendar.id != row.id)
            .values(is_default=False)
        )
    if not data.name.strip():
        raise Invalid("a calendar needs a name", field="name")
    row.name = data.name.strip()
    row.timezone = data.timezone
    row.week = week
    row.holidays = [h.model_dump(mode="json", exclude_none=True) for h in data.holidays]
    row.is_default = data.is_default
    row.updated_at = utcnow()
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise Conflict(f"a calendar named {data.name!r} already exists", field="name") from None


def _holiday(data: dict[str, Any]) -> Holiday:
    held = HolidayIn.model_validate(data)
    return Holiday(
        held.first, held.last or held.first, held.name, yearly=held.yearly, closes_at=held.closes_minutes()
    )


def _holiday_json(holiday: Holiday) -> dict[str, Any]:
    held = HolidayIn(
        first=holiday.first,
        last=holiday.last if holiday.last != holiday.first else None,
        name=holiday.name,
        yearly=holiday.yearly,
        closes_at=f"{holiday.closes_at // 60:02d}:{holiday.closes_at % 60:02d}"
        if holiday.closes_at
        else None,
    )
    return held.model_dump(mode="json", exclude_none=True)


@dataclass(frozen=True, slots=True)
class Availability:
    """What the customer is told about the team's hours (the widget, the public API)."""

    open_now: bool
    opens_at: dt.datetime | None  # closed now: when it opens next (None: open, or never)


async def availability(
    session: AsyncSession, *, account_id: int, inbox_id: int, now: dt.datetime | None = None
) -> Availability:
    """Whether the inbox's hours are open now, and if not when they open (round the clock when no
    calendar applies)."""
    hours, now = await calendar_for(session, account_id=account_id, inbox_id=inbox_id), now or utcnow()
    try:
        opens = hours.next_open(now)
    except NeverOpen:
        return Availability(open_now=False, opens_at=None)
    return Availability(open_now=opens <= now, opens_at=None if opens <= now else opens)
