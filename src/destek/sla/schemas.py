"""Calendars over the API: what an admin sends and reads."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from destek.db import MAX_ID
from destek.sla.hours import Interval

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
IntervalText = Annotated[str, Field(pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$", examples=["09:00-18:00"])]
Clock = Annotated[str, Field(pattern=r"^\d{2}:\d{2}$", examples=["13:00"])]


class Week(BaseModel):
    """Each day's opening intervals, local time, in order; an empty day is closed."""

    model_config = ConfigDict(extra="forbid")

    monday: list[IntervalText] = Field(default_factory=list, max_length=6)
    tuesday: list[IntervalText] = Field(default_factory=list, max_length=6)
    wednesday: list[IntervalText] = Field(default_factory=list, max_length=6)
    thursday: list[IntervalText] = Field(default_factory=list, max_length=6)
    friday: list[IntervalText] = Field(default_factory=list, max_length=6)
    saturday: list[IntervalText] = Field(default_factory=list, max_length=6)
    sunday: list[IntervalText] = Field(default_factory=list, max_length=6)

    def days(self) -> list[list[str]]:
        return [list(getattr(self, day)) for day in DAYS]


class HolidayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first: dt.date = Field(description="The first day closed (yearly: its month and day)")
    last: dt.date | None = Field(default=None, description="The last day closed (default: `first`)")
    name: str = Field(default="", max_length=100)
    yearly: StrictBool = Field(default=False, description="The same days every year")
    closes_at: Clock | None = Field(default=None, description="A half day: open until this time")

    @field_validator("first", "last", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        if isinstance(value, int | float):  # not a day count since 1970: a date as people write it
            raise ValueError("a date such as 2026-10-29")
        return value

    @field_validator("closes_at")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        if value is not None:
            hours, minutes = (int(part) for part in value.split(":"))
            if hours > 23 or minutes > 59:
                raise ValueError(f"{value!r} is not a time of day, such as 13:00")
        return value

    def closes_minutes(self) -> int | None:
        if self.closes_at is None:
            return None
        hours, minutes = (int(part) for part in self.closes_at.split(":"))
        return hours * 60 + minutes


class CalendarIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    timezone: str = Field(max_length=64, examples=["Europe/Istanbul"])
    week: Week
    holidays: list[HolidayIn] = Field(default_factory=list, max_length=1000)
    is_default: StrictBool = Field(
        default=False, description="For the inboxes and teams that follow no calendar"
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone name, such as Europe/Istanbul") from None
        return value


class CalendarOut(CalendarIn):
    id: int
    open_now: bool
    next_open: dt.datetime | None = Field(description="When it opens next (now, if open); null: never")
    created_at: dt.datetime
    updated_at: dt.datetime


class HolidayImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    preset: Literal["tr"] | None = Field(default=None, description="tr: Turkey's public holidays")
    ical: str | None = Field(
        default=None, max_length=1_000_000, description="An iCalendar (.ics) file's text"
    )
    replace: StrictBool = Field(default=False, description="Drop the calendar's holidays first")


class CalendarLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    calendar_id: int | None = Field(
        ge=1, le=MAX_ID, strict=True, description="null: follow the account's default calendar"
    )


def check_intervals(week: Week) -> None:
    """Each interval valid and in order (hours.Calendar says what is wrong)."""
    for day in week.days():
        for text in day:
            Interval.parse(text)
