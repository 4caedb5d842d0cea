"""Business hours on real calendars: weekends, Turkey's holidays and half-day eves, New York's two
daylight-saving changes, and holidays imported from an iCalendar file."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from destek.sla import holidays
from destek.sla.hours import ALWAYS, Calendar, Holiday, Interval, NeverOpen, weekdays

IST = ZoneInfo("Europe/Istanbul")
NYC = ZoneInfo("America/New_York")
H = dt.timedelta(hours=1)


def at(zone: ZoneInfo, text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


def local(zone: ZoneInfo, instant: dt.datetime) -> str:
    return instant.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")


OFFICE = weekdays(["09:00-12:30", "13:30-18:00"], timezone="Europe/Istanbul")


def test_open_time_skips_nights_lunch_and_the_weekend() -> None:
    friday = at(IST, "2026-12-04 17:00")
    assert OFFICE.is_open(friday) and OFFICE.closes(friday) == at(IST, "2026-12-04 18:00")
    assert local(IST, OFFICE.add(friday, 2 * H)) == "Mon 2026-12-07 10:00"
    assert local(IST, OFFICE.add(at(IST, "2026-12-07 12:00"), H)) == "Mon 2026-12-07 14:00"  # lunch
    assert not OFFICE.is_open(at(IST, "2026-12-05 11:00"))
    assert local(IST, OFFICE.next_open(at(IST, "2026-12-05 11:00"))) == "Mon 2026-12-07 09:00"
    assert OFFICE.between(friday, at(IST, "2026-12-07 10:00")) == 2 * H
    assert OFFICE.between(at(IST, "2026-12-07 10:00"), friday) == dt.timedelta(0)
    assert OFFICE.closes(at(IST, "2026-12-05 11:00")) is None
    assert ALWAYS.add(friday, 50 * H) == friday + 50 * H


def test_turkey_s_holidays_and_half_day_eves() -> None:
    calendar = Calendar("Europe/Istanbul", OFFICE.week, tuple(holidays.turkey()))
    eve = at(IST, "2026-10-28 11:00")  # Wednesday, Cumhuriyet Bayramı's eve: closed from 13:00
    assert calendar.is_open(eve) and calendar.closes(eve) == at(IST, "2026-10-28 12:30")  # then lunch
    assert not calendar.is_open(at(IST, "2026-10-28 14:00"))  # the afternoon is off
    # 2 h from the eve's 11:00: 1.5 h until 12:30, then the holiday on Thursday, 0.5 h on Friday.
    assert local(IST, calendar.add(eve, 2 * H)) == "Fri 2026-10-30 09:30"
    # Kurban Bayramı 2026: the eve Tuesday 26 May from 13:00, then Wednesday to Saturday.
    assert local(IST, calendar.next_open(at(IST, "2026-05-26 15:00"))) == "Mon 2026-06-01 09:00"
    # A yearly holiday comes back every year.
    assert not calendar.is_open(at(IST, "2031-05-19 10:00"))  # Monday, 19 Mayıs
    assert calendar.is_open(at(IST, "2031-05-20 10:00"))


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ("2026-03-07 12:00", "2026-03-08 12:00", 23),  # clocks forward: a 23-hour day
        ("2026-10-31 12:00", "2026-11-01 12:00", 25),  # clocks back: a 25-hour day
        ("2026-06-06 12:00", "2026-06-07 12:00", 24),
    ],
)
def test_a_day_lasts_what_new_york_s_clocks_say(start: str, end: str, hours: int) -> None:
    always_there = Calendar("America/New_York")
    assert always_there.between(at(NYC, start), at(NYC, end)) == hours * H


def test_office_hours_stay_nine_to_six_local_across_both_changes() -> None:
    office = weekdays(["09:00-18:00"], timezone="America/New_York")
    before = at(NYC, "2026-03-06 17:00")  # Friday, EST (UTC-5)
    due = office.add(before, 2 * H)
    assert local(NYC, due) == "Mon 2026-03-09 10:00"  # EDT now (UTC-4): still ten o'clock local
    assert due.astimezone(dt.UTC).hour == 14
    after = office.add(at(NYC, "2026-10-30 17:00"), 2 * H)  # across the change back
    assert local(NYC, after) == "Mon 2026-11-02 10:00" and after.astimezone(dt.UTC).hour == 15
    assert office.between(before, due) == 2 * H


def test_a_calendar_that_never_opens_says_so() -> None:
    closed = Calendar("UTC", ((),) * 7)
    with pytest.raises(NeverOpen):
        closed.add(at(IST, "2026-12-07 10:00"), H)
    with pytest.raises(NeverOpen):
        closed.next_open(at(IST, "2026-12-07 10:00"))
    assert closed.between(at(IST, "2026-12-07 10:00"), at(IST, "2026-12-09 10:00")) == dt.timedelta(0)


def test_bad_hours_are_refused() -> None:
    for text in ("18:00-09:00", "9-18", "09:00-24:30", "25:00-26:00"):
        with pytest.raises(ValueError, match="interval"):
            Interval.parse(text)
    assert str(Interval.parse("08:30-24:00")) == "08:30-24:00"
    with pytest.raises(ValueError, match="overlap"):
        Calendar("UTC", ((Interval(0, 600), Interval(500, 700)),) + ((),) * 6)
    with pytest.raises(Exception, match="Mars/Olympus"):
        Calendar("Mars/Olympus")
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICE.add(dt.datetime(2026, 12, 7, 10), H)


ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Lokanta//Tatiller//TR\r
BEGIN:VEVENT\r
DTSTART;VALUE=DATE:20261231\r
DTEND;VALUE=DATE:20270102\r
SUMMARY:Yıl sonu\\, envanter\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;VALUE=DATE:20260214\r
RRULE:FREQ=YEARLY\r
SUMMARY:Kuruluş\r
  günü\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART:20261224T130000\r
DTEND:20261225T000000\r
SUMMARY:Yarım gün\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_holidays_from_an_icalendar_file() -> None:
    read = holidays.from_ical(ICS)
    assert read == [
        Holiday(dt.date(2026, 12, 31), dt.date(2027, 1, 1), "Yıl sonu, envanter"),
        Holiday(dt.date(2026, 2, 14), dt.date(2026, 2, 14), "Kuruluş günü", yearly=True),
        Holiday(dt.date(2026, 12, 24), dt.date(2026, 12, 24), "Yarım gün", closes_at=13 * 60),
    ]
    calendar = Calendar("Europe/Istanbul", OFFICE.week, tuple(read))
    assert not calendar.is_open(at(IST, "2027-01-01 10:00"))
    assert not calendar.is_open(at(IST, "2028-02-14 10:00"))  # yearly: a Monday two years on
    assert calendar.is_open(at(IST, "2026-12-24 12:00")) and not calendar.is_open(at(IST, "2026-12-24 14:00"))


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("hello", "must begin with BEGIN:VCALENDAR"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\n", "line 4: an event without DTSTART"),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026-12-01\nEND:VEVENT\n",
            "line 3: '2026-12-01' is not a",
        ),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261340\nEND:VEVENT\n", "'20261340' is not a date"),
    ],
)
def test_a_bad_icalendar_file_is_refused_with_where(text: str, error: str) -> None:
    with pytest.raises(holidays.BadCalendarFile, match=error):
        holidays.from_ical(text)


def test_icalendar_details_from_real_exports() -> None:
    ics = (
        "\ufeffBEGIN:VCALENDAR\r\n"
        "BEGIN:VEVENT\r\nDTSTART:20261028T100000Z\r\nDTEND:20261030T210000Z\r\n"  # Outlook, in UTC
        "SUMMARY:Cumhuriyet \r\n Bayramı\r\n"  # folded after a space: the space stays
        "BEGIN:VALARM\r\nSUMMARY:Reminder\r\nEND:VALARM\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    read = holidays.from_ical(ics, timezone="Europe/Istanbul")
    assert read == [  # 13:00 İstanbul on the 28th, then the 29th and 30th whole (until 00:00 on the 31st)
        Holiday(dt.date(2026, 10, 28), dt.date(2026, 10, 28), "Cumhuriyet Bayramı", closes_at=13 * 60),
        Holiday(dt.date(2026, 10, 29), dt.date(2026, 10, 30), "Cumhuriyet Bayramı"),
    ]
    for bad, error in (
        ("DTSTART:20261028T250000", "is not a date and time"),
        ("DTSTART;VALUE=DATE:20261126\r\nRRULE:FREQ=YEARLY;BYDAY=4TH", "line 4: only a plain yearly repeat"),
    ):
        text = f"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n{bad}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        with pytest.raises(holidays.BadCalendarFile, match=error):
            holidays.from_ical(text)


def test_hours_in_the_hour_the_clocks_skip_begin_when_they_jump() -> None:
    # New York, 8 March 2026: 02:00 EST becomes 03:00 EDT; 02:30 never happens that night.
    hours = tuple(Interval.parse(i) for i in ("00:00-02:30", "03:00-12:00"))
    night = Calendar("America/New_York", (hours,) * 7)
    start, noon = at(NYC, "2026-03-08 00:00"), at(NYC, "2026-03-08 12:00")
    assert night.between(start, noon) == 11 * H  # 00:00-02:00 EST, then 03:00-12:00 EDT: no overlap
    late = Calendar("America/New_York", ((Interval.parse("02:30-05:00"),),) * 7)
    assert local(NYC, late.next_open(at(NYC, "2026-03-08 00:00"))) == "Sun 2026-03-08 03:00"
    assert late.between(start, noon) == 2 * H  # opens at the jump (03:00 EDT), closes at 05:00
