"""Agent API: business-hours calendars, and which inbox or team follows which (administrators change
them; everyone reads them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from destek.db import MAX_ID
from destek.deps import ActorDep, StateDep
from destek.sla import calendars
from destek.sla.schemas import CalendarIn, CalendarLinkIn, CalendarOut, HolidayImport

router = APIRouter(prefix="/api/v1/accounts/{account_id}", tags=["business hours"])

CalendarId = Annotated[int, Path(ge=1, le=MAX_ID)]
InboxId = Annotated[int, Path(ge=1, le=MAX_ID)]
TeamId = Annotated[int, Path(ge=1, le=MAX_ID)]
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "A calendar of this name exists"}}


@router.get("/calendars", response_model=list[CalendarOut], summary="The account's business-hours calendars")
async def list_calendars(state: StateDep, actor: ActorDep) -> list[CalendarOut]:
    async with state.read() as session:
        rows = await calendars.list_calendars(session, account_id=actor.account_id)
    return [calendars.calendar_out(row) for row in rows]


@router.post(
    "/calendars",
    status_code=201,
    response_model=CalendarOut,
    responses=CONFLICT,
    summary="Create a calendar: time zone, weekly hours, holidays (administrators)",
)
async def create_calendar(body: CalendarIn, state: StateDep, actor: ActorDep) -> CalendarOut:
    async with state.uow() as session:
        row = await calendars.create_calendar(session, actor=actor, data=body)
    return calendars.calendar_out(row)


@router.get(
    "/calendars/{calendar_id}", response_model=CalendarOut, summary="One calendar, and whether it is open now"
)
async def get_calendar(calendar_id: CalendarId, state: StateDep, actor: ActorDep) -> CalendarOut:
    async with state.read() as session:
        row = await calendars.get_calendar(session, account_id=actor.account_id, calendar_id=calendar_id)
    return calendars.calendar_out(row)


@router.put(
    "/calendars/{calendar_id}",
    response_model=CalendarOut,
    responses=CONFLICT,
    summary="Replace a calendar's name, zone, hours and holidays (administrators)",
)
async def update_calendar(
    calendar_id: CalendarId, body: CalendarIn, state: StateDep, actor: ActorDep
) -> CalendarOut:
    async with state.uow() as session:
        row = await calendars.update_calendar(session, actor=actor, calendar_id=calendar_id, data=body)
    return calendars.calendar_out(row)


@router.delete(
    "/calendars/{calendar_id}",
    status_code=204,
    response_model=None,
    summary="Delete a calendar; its inboxes and teams follow the default calendar (administrators)",
)
async def delete_calendar(calendar_id: CalendarId, state: StateDep, actor: ActorDep) -> Response:
    async with state.uow() as session:
        await calendars.delete_calendar(session, actor=actor, calendar_id=calendar_id)
    return Response(status_code=204)


@router.post(
    "/calendars/{calendar_id}/holidays/import",
    response_model=CalendarOut,
    summary="Add holidays: Turkey's public holidays (`preset: tr`) or an iCalendar file's events",
)
async def import_holidays(
    calendar_id: CalendarId, body: HolidayImport, state: StateDep, actor: ActorDep
) -> CalendarOut:
    async with state.uow() as session:
        row = await calendars.import_holidays(session, actor=actor, calendar_id=calendar_id, data=body)
    return calendars.calendar_out(row)


@router.get(
    "/inboxes/{inbox_id}/calendar", response_model=CalendarLinkIn, summary="The calendar an inbox follows"
)
async def inbox_calendar(inbox_id: InboxId, state: StateDep, actor: ActorDep) -> CalendarLinkIn:
    async with state.read() as session:
        await calendars.visible_inbox(session, actor=actor, inbox_id=inbox_id)
        found = await calendars.linked(session, account_id=actor.account_id, inbox_id=inbox_id)
    return CalendarLinkIn(calendar_id=found)


@router.put(
    "/inboxes/{inbox_id}/calendar",
    response_model=CalendarLinkIn,
    summary="Make an inbox follow a calendar (null: the default) (administrators)",
)
async def link_inbox(
    inbox_id: InboxId, body: CalendarLinkIn, state: StateDep, actor: ActorDep
) -> CalendarLinkIn:
    async with state.uow() as session:
        await calendars.link(session, actor=actor, calendar_id=body.calendar_id, inbox_id=inbox_id)
    return body


@router.get("/teams/{team_id}/calendar", response_model=CalendarLinkIn, summary="The calendar a team follows")
async def team_calendar(team_id: TeamId, state: StateDep, actor: ActorDep) -> CalendarLinkIn:
    async with state.read() as session:
        await calendars.visible_team(session, actor=actor, team_id=team_id)
        found = await calendars.linked(session, account_id=actor.account_id, team_id=team_id)
    return CalendarLinkIn(calendar_id=found)


@router.put(
    "/teams/{team_id}/calendar",
    response_model=CalendarLinkIn,
    summary="Make a team follow a calendar (null: the default) (administrators)",
)
async def link_team(
    team_id: TeamId, body: CalendarLinkIn, state: StateDep, actor: ActorDep
) -> CalendarLinkIn:
    async with state.uow() as session:
        await calendars.link(session, actor=actor, calendar_id=body.calendar_id, team_id=team_id)
    return body
