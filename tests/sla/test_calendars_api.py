"""Business-hours calendars through the agent API: an admin keeps them (hours, Turkey's holidays, an
iCalendar file), inboxes and teams follow them, and the clocks read the right one: the team's, else the
inbox's, else the account's default, else round the clock."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from destek.sla import calendars
from destek.sla.hours import ALWAYS
from destek.state import AppState
from tests.support.factories import Tenant

IST = ZoneInfo("Europe/Istanbul")
OFFICE: dict[str, Any] = {
    "name": "Istanbul office",
    "timezone": "Europe/Istanbul",
    "week": {
        day: ["09:00-12:30", "13:30-18:00"]
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
    },
}
ICS = (
    "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261231\r\nSUMMARY:Sayım\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


async def test_an_admin_keeps_calendars_and_agents_read_them(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    owner, agent = tenant.owner.headers, tenant.agent.headers
    made = await client.post(tenant.url("/calendars"), json=OFFICE, headers=owner)
    assert made.status_code == 201, made.text
    calendar = made.json()
    assert calendar["week"]["monday"] == ["09:00-12:30", "13:30-18:00"] and calendar["week"]["sunday"] == []
    assert isinstance(calendar["open_now"], bool) and calendar["next_open"] is not None
    url = tenant.url(f"/calendars/{calendar['id']}")

    imported = await client.post(f"{url}/holidays/import", json={"preset": "tr"}, headers=owner)
    assert imported.status_code == 200, imported.text
    names = [h["name"] for h in imported.json()["holidays"]]
    assert "Cumhuriyet Bayramı" in names and "Kurban Bayramı" in names
    eve = next(h for h in imported.json()["holidays"] if h["name"] == "Cumhuriyet Bayramı arifesi")
    assert eve == {
        "first": "2000-10-28",
        "last": None,
        "name": "Cumhuriyet Bayramı arifesi",
        "yearly": True,
        "closes_at": "13:00",
    }
    again = await client.post(f"{url}/holidays/import", json={"preset": "tr"}, headers=owner)
    assert len(again.json()["holidays"]) == len(names)  # the same set twice is kept once
    ics = await client.post(f"{url}/holidays/import", json={"ical": ICS}, headers=owner)
    assert [h["name"] for h in ics.json()["holidays"]][-1] == "Sayım"
    replaced = await client.post(f"{url}/holidays/import", json={"ical": ICS, "replace": True}, headers=owner)
    assert [h["name"] for h in replaced.json()["holidays"]] == ["Sayım"]

    listed = await client.get(tenant.url("/calendars"), headers=agent)
    assert [c["name"] for c in listed.json()] == ["Istanbul office"]
    refused = await client.post(tenant.url("/calendars"), json={**OFFICE, "name": "Mine"}, headers=agent)
    assert refused.status_code == 403
    twice = await client.post(tenant.url("/calendars"), json=OFFICE, headers=owner)
    assert twice.status_code == 409 and twice.json()["error"]["field"] == "name"


async def test_bad_calendars_are_refused_with_the_reason(client: httpx.AsyncClient, tenant: Tenant) -> None:
    owner = tenant.owner.headers

    async def refused(body: dict[str, Any], url: str = "/calendars") -> dict[str, Any]:
        response = await client.post(tenant.url(url), json=body, headers=owner)
        assert response.status_code == 422, response.text
        error: dict[str, Any] = response.json()["error"]
        return error

    zone = await refused({**OFFICE, "timezone": "Europe/Istanbull"})
    assert "'Europe/Istanbull' is not a time zone name" in str(zone)
    backwards = await refused({**OFFICE, "week": {"monday": ["18:00-09:00"]}})
    assert backwards["field"] == "week.monday" and "18:00-09:00" in backwards["message"]
    overlap = await refused({**OFFICE, "week": {"friday": ["09:00-13:00", "12:00-18:00"]}})
    assert overlap["field"] == "week.friday" and "overlap" in overlap["message"]
    holiday = await refused({**OFFICE, "holidays": [{"first": "2026-12-31", "last": "2026-12-01"}]})
    assert holiday["field"] == "holidays.0.last"
    made = (await client.post(tenant.url("/calendars"), json=OFFICE, headers=owner)).json()
    bad_file = await refused({"ical": "not a calendar"}, f"/calendars/{made['id']}/holidays/import")
    assert bad_file["field"] == "ical" and "BEGIN:VCALENDAR" in bad_file["message"]
    neither = await refused({}, f"/calendars/{made['id']}/holidays/import")
    assert neither["message"] == "send either `preset` or `ical`"


async def test_the_clock_follows_the_team_then_the_inbox_then_the_default(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    owner = tenant.owner.headers

    async def hours_for(team_id: int | None) -> str:
        async with state.read() as session:
            found = await calendars.calendar_for(
                session, account_id=tenant.account_id, inbox_id=tenant.inbox_id, team_id=team_id
            )
        return "always" if found is ALWAYS else found.timezone

    team = (await client.post(tenant.url("/teams"), json={"name": "L2"}, headers=owner)).json()
    assert await hours_for(team["id"]) == "always"  # nothing set: round the clock
    default = await client.post(
        tenant.url("/calendars"), json={**OFFICE, "name": "Default", "is_default": True}, headers=owner
    )
    assert await hours_for(team["id"]) == "Europe/Istanbul"
    inbox_hours = (
        await client.post(
            tenant.url("/calendars"),
            json={**OFFICE, "name": "Inbox", "timezone": "Europe/Berlin"},
            headers=owner,
        )
    ).json()
    team_hours = (
        await client.post(
            tenant.url("/calendars"),
            json={**OFFICE, "name": "Team", "timezone": "America/New_York"},
            headers=owner,
        )
    ).json()
    linked = await client.put(
        tenant.url(f"/inboxes/{tenant.inbox_id}/calendar"),
        json={"calendar_id": inbox_hours["id"]},
        headers=owner,
    )
    assert linked.status_code == 200 and linked.json() == {"calendar_id": inbox_hours["id"]}
    assert await hours_for(team["id"]) == "Europe/Berlin"
    await client.put(
        tenant.url(f"/teams/{team['id']}/calendar"), json={"calendar_id": team_hours["id"]}, headers=owner
    )
    assert await hours_for(team["id"]) == "America/New_York"
    assert await hours_for(None) == "Europe/Berlin"
    shown = await client.get(tenant.url(f"/teams/{team['id']}/calendar"), headers=tenant.agent.headers)
    assert shown.json() == {"calendar_id": team_hours["id"]}
    # Deleting a calendar sends its followers back to the default.
    deleted = await client.delete(tenant.url(f"/calendars/{team_hours['id']}"), headers=owner)
    assert deleted.status_code == 204
    assert await hours_for(team["id"]) == "Europe/Berlin"
    await client.put(
        tenant.url(f"/inboxes/{tenant.inbox_id}/calendar"), json={"calendar_id": None}, headers=owner
    )
    assert await hours_for(team["id"]) == "Europe/Istanbul"
    # One default: a new default takes the place of the old.
    await client.put(
        tenant.url(f"/calendars/{inbox_hours['id']}"),
        json={**OFFICE, "name": "Inbox", "timezone": "Europe/Berlin", "is_default": True},
        headers=owner,
    )
    assert await hours_for(None) == "Europe/Berlin"
    assert (await client.get(tenant.url(f"/calendars/{default.json()['id']}"), headers=owner)).json()[
        "is_default"
    ] is False


def test_open_now_is_true_in_office_hours() -> None:
    monday = dt.datetime(2026, 12, 7, 10, tzinfo=IST)
    from destek.sla.models import BusinessCalendar

    row = BusinessCalendar(
        id=1,
        name="x",
        timezone="Europe/Istanbul",
        week=[["09:00-18:00"]] * 5 + [[], []],
        holidays=[],
        is_default=False,
        created_at=monday,
        updated_at=monday,
    )
    assert calendars.calendar_out(row, now=monday).open_now is True
    saturday = monday + dt.timedelta(days=5)
    shown = calendars.calendar_out(row, now=saturday)
    assert shown.open_now is False and shown.next_open == dt.datetime(2026, 12, 14, 9, tzinfo=IST)
