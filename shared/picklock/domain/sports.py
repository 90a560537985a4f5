"""The sport catalogue: which sports exist, their stats, seasons, file paths and "today".

Sports are data (schemas/sports.json), not code: adding one is an entry there and nothing else.
Pure: the catalogue is parsed from plain values; reading the file is the adapters' job.
"""
from __future__ import annotations

from collections import namedtuple
from datetime import date, datetime

# `picklock status` loads this module and asks no sport for its "today": typing is for type
# checkers, the values are named tuples, not dataclasses (dataclasses imports inspect), and the
# zone database loads when a zone is first asked for (bootstrap checks every zone at start).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping
    from zoneinfo import ZoneInfo

DEFAULT_SPORT = "nba"


class CatalogueError(ValueError):
    """A sports file that cannot be used."""


class UnknownSport(ValueError):
    pass


class Season(namedtuple("Season", "name start end")):
    """name: e.g. "2025-26" or "2026"; start, end: dates."""
    __slots__ = ()


class Sport(namedtuple("Sport", "id name path_prefix time_zone stats seasons")):
    """path_prefix: where its files live in the bucket ("v1/best-bets" for NBA, "v1/mlb/best-bets");
    stats: a tuple of stat codes; seasons: a tuple of Season, in order, not overlapping."""
    __slots__ = ()

    def today(self, now: datetime) -> date:
        """The game date an instant belongs to in this sport's zone (never the UTC date)."""
        if now.tzinfo is None:
            raise ValueError("naive datetime: every instant in picklock carries a time zone")
        return now.astimezone(self.zone).date()

    @property
    def zone(self) -> ZoneInfo:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(self.time_zone)  # cached by zoneinfo: one load per zone and process
        except (ZoneInfoNotFoundError, ValueError):
            raise CatalogueError(f"sport {self.id!r}: unknown time zone {self.time_zone!r}") from None

    def season(self, game_date: date) -> Season:
        """The season a date belongs to; between two seasons, the one that ended last (its record
        stands until the next one starts); before the first, the first."""
        started = [season for season in self.seasons if season.start <= game_date]
        return started[-1] if started else self.seasons[0]

    def season_start(self, game_date: date) -> date:
        return min(self.season(game_date).start, game_date)

    @property
    def all_json_name(self) -> str:
        return f"{self.path_prefix}/all.json"

    def date_file_name(self, game_date: date) -> str:
        return f"{self.path_prefix}/{game_date.isoformat()}.json"

    def snapshot_name(self, game_date: date, export_id: str) -> str:
        return f"{self.path_prefix}/history/{game_date.isoformat()}/{export_id}.json"

    @property
    def feed_names(self) -> tuple[str, str]:
        """The public event feeds: JSON Feed 1.1 and Atom 1.0 (domain/feed.py)."""
        return f"{self.path_prefix}/feed.json", f"{self.path_prefix}/feed.xml"

    def index_name(self, game_date: date) -> str:
        """The public, append-only list of a date's versions (domain/chain.py)."""
        return f"{self.path_prefix}/ledger/{game_date.isoformat()}.json"

    def refusal_of_stat(self, stat: str) -> str | None:
        if stat in self.stats:
            return None
        return f"{stat!r} is not a {self.name} stat; expected one of {', '.join(self.stats)}"


class Catalogue(namedtuple("Catalogue", "sports")):
    __slots__ = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(sport.id for sport in self.sports)

    def check_zones(self) -> None:
        """Every sport's time zone is in the zone database (CatalogueError otherwise): what
        bootstrap asks before any command or function works with "today"."""
        for sport in self.sports:
            sport.zone

    def get(self, sport_id: str) -> Sport:
        for sport in self.sports:
            if sport.id == sport_id:
                return sport
        raise UnknownSport(f"unknown sport {sport_id!r}; expected one of {', '.join(self.ids)}")


def catalogue_from_json(data: Mapping[str, Any], where: str = "sports") -> Catalogue:
    """Parse the sports file; every mistake names its entry and field."""
    try:
        entries = data["sports"]
        sports = tuple(_sport(entry, f"{where}[{index}]") for index, entry in enumerate(entries))
    except (KeyError, TypeError) as error:
        raise CatalogueError(f"{where}: missing or malformed field {error}") from None
    ids = [sport.id for sport in sports]
    if not sports or len(set(ids)) != len(ids) or ids[0] != DEFAULT_SPORT:
        raise CatalogueError(f"{where}: sport ids must be unique, starting with {DEFAULT_SPORT!r}; got {ids}")
    prefixes = [sport.path_prefix for sport in sports]
    if len(set(prefixes)) != len(prefixes):
        raise CatalogueError(f"{where}: two sports share a path_prefix: {prefixes}")
    return Catalogue(sports)


def _sport(entry: Mapping[str, Any], where: str) -> Sport:
    seasons = tuple(Season(s["name"], date.fromisoformat(s["start"]), date.fromisoformat(s["end"]))
                    for s in entry["seasons"])
    for earlier, later in zip(seasons, seasons[1:]):
        if not earlier.start <= earlier.end < later.start:
            raise CatalogueError(f"{where}.seasons: {earlier.name} and {later.name} overlap or are out of order")
    if not seasons or not entry["stats"]:
        raise CatalogueError(f"{where}: a sport needs at least one season and one stat")
    return Sport(entry["id"], entry["name"], entry["path_prefix"].strip("/"), entry["time_zone"],
                 tuple(entry["stats"]), seasons)
