"""Business hours: when a team is open, and how much open time lies between two moments.

A calendar is a time zone, opening intervals for each day of the week, and holidays (a date, a range
of dates, the same date every year; a holiday may close only from a time on, as Turkey's half-day eves
do). Everything is computed on real instants: a day's 09:00-18:00 is taken in the calendar's zone on
that date, so a daylight-saving change (America/New_York twice a year) moves the UTC times, never the
local ones, and an interval across the change lasts what the clocks say it lasts. Times are
timezone-aware in and out. Pure functions: the SLA clocks and the customer-facing "we open at" use them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

DAY_MINUTES = 24 * 60
HORIZON_DAYS = 800  # a calendar that opens less than once in this long is treated as never open


class NeverOpen(ValueError):
    """The calendar has no open time within the horizon (no intervals, or holidays all year)."""


@dataclass(frozen=True, slots=True)
class Interval:
    """Open from `start` to `end` minutes after local midnight (end 1440: until midnight)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= DAY_MINUTES:
            raise ValueError(
                f"an opening interval runs forward within a day: {self.start}-{self.end} minutes"
            )

    @classmethod
    def parse(cls, text: str) -> Interval:
        """From "09:00-18:00" (24:00 for midnight)."""
        try:
            start, end = (part.strip() for part in text.split("-"))
            return cls(_minutes(start), _minutes(end))
        except ValueError as exc:
            raise ValueError(f"{text!r} is not an interval like 09:00-18:00") from exc

    def __str__(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"


@dataclass(frozen=True, slots=True)
class Holiday:
    """Closed on `first` to `last` (inclusive); `yearly`: on those month-days every year; `closes_at`
    (minutes): a half day, open as usual until then."""

    first: dt.date
    last: dt.date
    name: str = ""
    yearly: bool = False
    closes_at: int | None = None

    def covers(self, day: dt.date) -> bool:
        if self.yearly:
            key = (day.month, day.day)
            start, end = (self.first.month, self.first.day), (self.last.month, self.last.day)
            return start <= key <= end if start <= end else key >= start or key <= end
        return self.first <= day <= self.last


@dataclass(frozen=True, slots=True)
class Calendar:
    timezone: str = "UTC"
    # Monday first; each day's intervals in order, not overlapping.
    week: tuple[tuple[Interval, ...], ...] = field(default_factory=lambda: ((Interval(0, DAY_MINUTES),),) * 7)
    holidays: tuple[Holiday, ...] = ()

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # an unknown zone fails here, not at the first use
        if len(self.week) != 7:
            raise ValueError("a week has seven days, Monday first")
        for day in self.week:
            for before, after in itertools.pairwise(day):
                if after.start < before.end:
                    raise ValueError(f"opening intervals {before} and {after} overlap or are out of order")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def intervals_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's open intervals as UTC instants (the holidays taken out)."""
        limit = DAY_MINUTES  # a holiday closes the day (0) or from its half-day time on
        for holiday in self.holidays:
            if holiday.covers(day):
                limit = min(limit, holiday.closes_at if holiday.closes_at is not None else 0)
        out = []
        for interval in self.week[day.weekday()]:
            end = min(interval.end, limit)
            if end > interval.start:
                out.append((self._instant(day, interval.start), self._instant(day, end)))
        return out

    def _instant(self, day: dt.date, minutes: int) -> dt.datetime:
        if minutes == DAY_MINUTES:  # 24:00 is the next day's midnight
            day, minutes = day + dt.timedelta(days=1), 0
        # Wall-clock time: 09:00 is 09:00 local whatever the offset did earlier that day.
        wall = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))
        instant = wall.replace(tzinfo=self.zone).astimezone(dt.UTC)
        if instant.astimezone(self.zone).replace(tzinfo=None) == wall:
            return instant
        # A time the clocks skip (spring forward): it begins when they jump, the first instant whose
        # local time is past it. fold=1 reads it before the jump, fold=0 after: the jump lies between.
        before = wall.replace(tzinfo=self.zone, fold=1).astimezone(dt.UTC)
        after = instant
        while after - before > dt.timedelta(seconds=1):
            middle = before + (after - before) / 2
            if middle.astimezone(self.zone).replace(tzinfo=None) >= wall:
                after = middle
            else:
                before = middle
        return after.replace(second=0, microsecond=0)

    def _open_from(self, at: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """The open intervals that end after `at`, in order, clipped to start no earlier than it."""
        _aware(at)
        day = at.astimezone(self.zone).date()
        for _ in range(HORIZON_DAYS):
            for start, end in self.intervals_on(day):
                if end > at:
                    yield max(start, at), end
            day += dt.timedelta(days=1)

    def is_open(self, at: dt.datetime) -> bool:
        return any(start <= at for start, _end in _first(self._open_from(at)))

    def next_open(self, at: dt.datetime) -> dt.datetime:
        """`at` itself when open, else when it opens next."""
        for start, _end in self._open_from(at):
            return start
        raise NeverOpen("the calendar does not open within the next two years")

    def closes(self, at: dt.datetime) -> dt.datetime | None:
        """When the open interval around `at` ends (None: closed at `at`)."""
        for start, end in _first(self._open_from(at)):
            return end if start <= at else None
        return None

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The instant when `duration` of open time has passed after `start` (a due time)."""
        left = duration
        if left <= dt.timedelta(0):
            return start
        for begin, end in self._open_from(start):
            if end - begin >= left:
                return begin + left
            left -= end - begin
        raise NeverOpen("the calendar does not open within the next two years")

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Open time from `start` to `end` (zero when end is not after start)."""
        total = dt.timedelta(0)
        if end <= start:
            return total
        for begin, finish in self._open_from(start):
            if begin >= end:
                break
            total += min(finish, end) - begin
        return total


ALWAYS = Calendar()


def weekdays(intervals: Sequence[str], *, timezone: str, days: int = 5) -> Calendar:
    """The same hours on the first `days` days of the week (Monday to Friday by default), closed after."""
    hours = tuple(Interval.parse(i) for i in intervals)
    return Calendar(timezone=timezone, week=tuple(hours if d < days else () for d in range(7)))


def _first(items: Iterator[tuple[dt.datetime, dt.datetime]]) -> list[tuple[dt.datetime, dt.datetime]]:
    return [item for item, _ in zip(items, range(1), strict=False)]


def _aware(at: dt.datetime) -> None:
    if at.tzinfo is None:
        raise ValueError("business-hours arithmetic needs timezone-aware times")


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    value = int(hours) * 60 + int(minutes)
    if not (0 <= int(minutes) < 60 and 0 <= value <= DAY_MINUTES):
        raise ValueError(f"{text!r} is not a time of day")
    return value


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
