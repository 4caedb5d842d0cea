"""Holidays: Turkey's public holidays as a ready set, and holidays read from an iCalendar file (the
.ics a company calendar or a holiday feed exports).

Turkey's religious holidays follow the Hijri calendar: their dates come from the Presidency of
Religious Affairs' published calendar (Diyanet dini günler takvimi), here for 2025-2027; eves (arife)
are half days, closed from 13:00, as in the public sector. Later years are added as they are
published; until then an admin adds them or imports a feed.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from destek.sla.hours import Holiday

HALF_DAY = 13 * 60  # arife: closed from 13:00

_FIXED = [  # (month, day, name, closes_at)
    (1, 1, "Yılbaşı", None),
    (4, 23, "Ulusal Egemenlik ve Çocuk Bayramı", None),
    (5, 1, "Emek ve Dayanışma Günü", None),
    (5, 19, "Atatürk'ü Anma, Gençlik ve Spor Bayramı", None),
    (7, 15, "Demokrasi ve Millî Birlik Günü", None),
    (8, 30, "Zafer Bayramı", None),
    (10, 28, "Cumhuriyet Bayramı arifesi", HALF_DAY),
    (10, 29, "Cumhuriyet Bayramı", None),
]
_RELIGIOUS = [  # (eve, first day, last day, name)
    ("2025-03-29", "2025-03-30", "2025-04-01", "Ramazan Bayramı"),
    ("2025-06-05", "2025-06-06", "2025-06-09", "Kurban Bayramı"),
    ("2026-03-19", "2026-03-20", "2026-03-22", "Ramazan Bayramı"),
    ("2026-05-26", "2026-05-27", "2026-05-30", "Kurban Bayramı"),
    ("2027-03-08", "2027-03-09", "2027-03-11", "Ramazan Bayramı"),
    ("2027-05-15", "2027-05-16", "2027-05-19", "Kurban Bayramı"),
]


def turkey() -> list[Holiday]:
    """Turkey's public holidays: the national days every year, the religious ones by date."""
    out = [
        Holiday(dt.date(2000, month, day), dt.date(2000, month, day), name, yearly=True, closes_at=closes)
        for month, day, name, closes in _FIXED
    ]
    for eve, first, last, name in _RELIGIOUS:
        day = dt.date.fromisoformat(eve)
        out.append(Holiday(day, day, f"{name} arifesi", closes_at=HALF_DAY))
        out.append(Holiday(dt.date.fromisoformat(first), dt.date.fromisoformat(last), name))
    return out


PRESETS = {"tr": turkey}

MAX_EVENTS = 1000


class BadCalendarFile(ValueError):
    """The file is not an iCalendar file we can read; the message says where."""


def from_ical(text: str, *, timezone: str = "UTC") -> list[Holiday]:
    """The all-day events of an iCalendar file (RFC 5545) as holidays: a DATE start closes the whole
    day(s) up to DTEND (exclusive); a start with a time closes that day from then on (a half day) and
    any further days fully; UTC times ("...Z") are read in `timezone`; RRULE:FREQ=YEARLY repeats it
    every year (other repeats are refused). Cancelled and free ("transparent") events are left out."""
    lines = _unfolded(text.lstrip("\ufeff"))
    if not lines or lines[0][1].upper() != "BEGIN:VCALENDAR":
        raise BadCalendarFile("not an iCalendar file: it must begin with BEGIN:VCALENDAR")
    holidays: list[Holiday] = []
    event: dict[str, tuple[str, int]] | None = None  # property -> (value, line number)
    nested = 0  # inside a component of the event (an alarm): its properties are not the event's
    for number, line in lines:
        upper = line.upper()
        if upper == "BEGIN:VEVENT":
            event, nested = {}, 0
        elif event is not None and upper.startswith("BEGIN:"):
            nested += 1
        elif event is not None and nested and upper.startswith("END:"):
            nested -= 1
        elif upper == "END:VEVENT":
            if event is None:
                raise BadCalendarFile(f"line {number}: END:VEVENT without BEGIN:VEVENT")
            holidays.extend(_holidays(event, number, timezone))
            event = None
            if len(holidays) > MAX_EVENTS:
                raise BadCalendarFile(f"more than {MAX_EVENTS} events: import a shorter file")
        elif event is not None and not nested and ":" in line:
            head, value = line.split(":", 1)
            event[head.partition(";")[0].upper()] = (value.strip(), number)
    return holidays


def _holidays(event: dict[str, tuple[str, int]], number: int, timezone: str) -> list[Holiday]:
    if "DTSTART" not in event:
        raise BadCalendarFile(f"line {number}: an event without DTSTART")
    if event.get("STATUS", ("", 0))[0].upper() == "CANCELLED" or event.get("TRANSP", ("", 0))[0].upper() == (
        "TRANSPARENT"
    ):
        return []
    start, start_time = _date(*event["DTSTART"], timezone)
    last = start
    if "DTEND" in event:
        end, end_time = _date(*event["DTEND"], timezone)
        # DTEND is exclusive for dates; an event ending at 00:00 ends the day before too.
        last = end - dt.timedelta(days=1) if end_time in (None, 0) and end > start else end
    summary = event.get("SUMMARY", ("", 0))[0].replace("\\,", ",").replace("\\;", ";")[:100]
    yearly = False
    if "RRULE" in event:
        rule, line = event["RRULE"]
        parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
        if (
            parts.get("FREQ") != "YEARLY"
            or set(parts) - {"FREQ", "INTERVAL", "WKST"}
            or parts.get("INTERVAL", "1") != "1"
        ):
            raise BadCalendarFile(
                f"line {line}: only a plain yearly repeat (RRULE:FREQ=YEARLY) can be imported"
            )
        yearly = True
    last = max(last, start)
    if not start_time:
        return [Holiday(start, last, summary, yearly=yearly)]
    out = [Holiday(start, start, summary, yearly=yearly, closes_at=start_time)]  # the first day: from then on
    if last > start:
        out.append(Holiday(start + dt.timedelta(days=1), last, summary, yearly=yearly))
    return out


_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$")


def _date(value: str, number: int, timezone: str) -> tuple[dt.date, int | None]:
    found = _DATE.match(value.strip())
    if found is None:
        raise BadCalendarFile(f"line {number}: {value!r} is not a date (YYYYMMDD or YYYYMMDDTHHMMSS)")
    year, month, day, hour, minute, second, utc = found.groups()
    try:
        date = dt.date(int(year), int(month), int(day))
        if hour is None:
            return date, None
        moment = dt.datetime.combine(date, dt.time(int(hour), int(minute), int(second)))
    except ValueError:
        raise BadCalendarFile(f"line {number}: {value!r} is not a date and time") from None
    if utc:  # a UTC time: the day and hour it is where the calendar is
        moment = moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    return moment.date(), moment.hour * 60 + moment.minute


def _unfolded(text: str) -> list[tuple[int, str]]:
    """The content lines with their line numbers in the file, folded continuations (a line starting
    with a space or a tab) joined; the space after a fold is the fold's, the ones before are kept."""
    out: list[tuple[int, str]] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        raw = raw.rstrip("\r")
        if raw[:1] in (" ", "\t") and out:
            out[-1] = (out[-1][0], out[-1][1] + raw[1:])
        elif raw.strip():
            out.append((number, raw))
    return [(number, line.strip()) for number, line in out]
