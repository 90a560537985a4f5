"""Game dates are US/Eastern calendar dates; a season runs from October 1 to September 30."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
SEASON_START_MONTH = 10


def eastern_date(now: datetime) -> date:
    """The game date an instant belongs to (never the UTC date)."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: every instant in picklock carries a time zone")
    return now.astimezone(EASTERN).date()


def season_start(game_date: date) -> date:
    year = game_date.year if game_date.month >= SEASON_START_MONTH else game_date.year - 1
    return date(year, SEASON_START_MONTH, 1)


def season_label(game_date: date) -> str:
    start = season_start(game_date).year
    return f"{start}-{(start + 1) % 100:02d}"


def to_utc(moment: datetime) -> datetime:
    """Normalise to UTC at millisecond precision: what every adapter stores and every file shows."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every instant in picklock carries a time zone")
    moment = moment.astimezone(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def format_instant(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return to_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.") + f"{to_utc(moment).microsecond // 1000:03d}Z"


def parse_instant(text: str) -> datetime:
    """ISO-8601 with an explicit offset or Z; naive text is refused rather than guessed."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    return to_utc(moment)
