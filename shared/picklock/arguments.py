"""Single values checked at the edge: a date, an instant, a sport, given as a flag, a setting or a
message field; each becomes a domain value or an InputError naming where it came from. Apart from
validation.py (files and messages: JSON Schemas and the pick types), so that a command taking only
these, such as `picklock status`, starts without loading those."""
from __future__ import annotations

from datetime import date, datetime

from .adapters.sports_file import default_catalogue
from .domain.calendar import OutOfRange, checked_date, parse_checked_instant
from .domain.sports import Sport, UnknownSport


class InputError(ValueError):
    """Bad input, rejected before anything changed."""

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


def field_instant(value: str | None, where: str) -> datetime | None:
    """An instant of a message or file field (None stays None), in the range picklock keeps."""
    if value is None:
        return None
    try:
        return parse_checked_instant(value)
    except OutOfRange as error:
        raise InputError(where, str(error)) from None
    except ValueError:
        raise InputError(where, f"{value!r} is not an ISO-8601 timestamp with a time zone") from None


def instant_arg(text: str, where: str) -> datetime:
    """An instant given on the command line or in the configuration (--now, --game-time)."""
    return field_instant(text, where)


def field_date(text: str, where: str) -> date:
    """A date its schema already checked for shape (YYYY-MM-DD), in the range picklock keeps."""
    try:
        return checked_date(date.fromisoformat(text))
    except OutOfRange as error:
        raise InputError(where, str(error)) from None


def game_date_arg(text: str, where: str = "--date") -> date:
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or len(text) != 10:
        raise InputError(where, f"{text!r} is not a date (YYYY-MM-DD)")
    return field_date(text, where)


def sport_arg(sport_id: str, where: str = "--sport") -> Sport:
    try:
        return default_catalogue().get(sport_id)
    except UnknownSport as error:
        raise InputError(where, str(error)) from None
