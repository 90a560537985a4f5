"""Dates and instants: the accepted range, the clock skew allowed, and ISO-8601 in and out. (A
sport's "today" and its seasons are the sport's: domain/sports.py.)"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

# The one accepted range for every date and instant that enters picklock (flags, files, messages).
# Outside it, arithmetic and formatting of years < 1000 or near 9999 break (G9, G10).
FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2099, 12, 31)
FIRST_INSTANT = datetime(2000, 1, 1, tzinfo=timezone.utc)
END_OF_RANGE = datetime(2100, 1, 1, tzinfo=timezone.utc)  # exclusive
# Clocks of different machines (operators, exporters) may disagree by up to this much.
MAX_CLOCK_SKEW = timedelta(minutes=10)


class OutOfRange(ValueError):
    """A date or instant outside FIRST_DATE..LAST_DATE."""


def to_utc(moment: datetime) -> datetime:
    """Normalise to UTC at millisecond precision: what every adapter stores and every file shows."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every instant in picklock carries a time zone")
    moment = moment.astimezone(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def format_instant(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    # isoformat, not strftime: it always writes four year digits.
    return to_utc(moment).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_instant(text: str) -> datetime:
    """ISO-8601 with an explicit offset or Z; naive text is refused rather than guessed."""
    return to_utc(_from_iso(text))


def _from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)  # Python 3.11, the floor, reads a trailing Z itself


def checked_date(day: date) -> date:
    if not FIRST_DATE <= day <= LAST_DATE:
        raise OutOfRange(f"{day.isoformat()} is outside the accepted range {FIRST_DATE} to {LAST_DATE}")
    return day


def parse_checked_instant(text: str) -> datetime:
    """parse_instant, refusing instants outside the accepted range (also those whose conversion
    to UTC would overflow, such as year 1 with a positive offset)."""
    moment = _from_iso(text)
    if not FIRST_DATE.year - 1 <= moment.year <= LAST_DATE.year + 1 or not (
            FIRST_INSTANT <= to_utc(moment) < END_OF_RANGE):
        raise OutOfRange(f"{text!r} is outside the accepted range {format_instant(FIRST_INSTANT)} "
                         f"to {format_instant(END_OF_RANGE - timedelta(milliseconds=1))}")
    return to_utc(moment)
