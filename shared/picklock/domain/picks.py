"""Value types of the pure core: signal rows, manual commands, results, published picks, events."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal

from .sports import DEFAULT_SPORT

DEFAULT_STAT = "PTS"
DIRECTIONS = ("OVER", "UNDER")

Source = Literal["algorithm", "manual"]
Status = Literal["active", "locked", "voided"]
Result = Literal["WIN", "LOSS", "PUSH", "VOID"]
ManualAction = Literal["add", "remove", "void"]
HaltAction = Literal["halt", "resume"]

# Fields frozen once a pick is shown to users (DESIGN.md, "published fields").
PUBLISHED_FIELDS = (
    "pick_id", "sport", "game_date", "player_lookup", "stat", "team", "opponent", "direction", "line",
    "source", "system_id", "algorithm_version", "manual_request_id", "submitted_by",
    "first_published_at", "game_id", "game_time", "notes", "odds_american", "home",
)


@dataclass(frozen=True, order=True)
class PickKey:
    game_date: date
    player_lookup: str
    stat: str = DEFAULT_STAT
    sport: str = DEFAULT_SPORT

    def __str__(self) -> str:
        sport = "" if self.sport == DEFAULT_SPORT else f"{self.sport} "
        return f"{sport}{self.game_date.isoformat()} {self.player_lookup} {self.stat}"


@dataclass(frozen=True)
class SignalRow:
    """One row of the upstream signal table (volatile: rewritten on every pipeline run)."""
    game_date: date
    player_lookup: str
    team: str
    opponent: str
    direction: str
    line: float
    system_id: str
    algorithm_version: str
    stat: str = DEFAULT_STAT
    player_name: str | None = None
    game_id: str | None = None
    game_time: datetime | None = None
    edge: float | None = None
    rank: int | None = None
    angles: tuple[str, ...] = ()
    sport: str = DEFAULT_SPORT
    odds_american: int | None = None  # the posted price; None: not priced (never assumed)
    tier: str | None = None
    home: bool | None = None  # the player's team plays at home

    @property
    def key(self) -> PickKey:
        return PickKey(self.game_date, self.player_lookup, self.stat, self.sport)


@dataclass(frozen=True)
class ManualCommand:
    """An operator command. `request_id` makes it idempotent; `submitted_at` orders it."""
    request_id: str
    submitted_at: datetime
    action: ManualAction
    game_date: date
    player_lookup: str
    submitted_by: str
    stat: str = DEFAULT_STAT
    player_name: str | None = None
    team: str | None = None
    opponent: str | None = None
    direction: str | None = None
    line: float | None = None
    edge: float | None = None
    game_time: datetime | None = None
    notes: str | None = None
    reason: str | None = None
    # remove / void: the pick ids and add request ids it withdraws, as seen when it was recorded.
    targets: tuple[str, ...] = ()
    sport: str = DEFAULT_SPORT
    odds_american: int | None = None
    tier: str | None = None
    home: bool | None = None

    @property
    def key(self) -> PickKey:
        return PickKey(self.game_date, self.player_lookup, self.stat, self.sport)

    @property
    def order(self) -> tuple[datetime, str]:
        return (self.submitted_at, self.request_id)

    def intent(self) -> tuple:
        """What the operator asked for: a re-run of the command (same request_id) restamps
        `submitted_at` and may see other targets, but asks for the same thing."""
        return tuple(getattr(self, name) for name in _COMMAND_INTENT)


_COMMAND_INTENT = ("request_id", "action", "sport", "game_date", "player_lookup", "stat", "submitted_by", "player_name",
                   "team", "opponent", "direction", "line", "edge", "game_time", "notes", "reason",
                   "odds_american", "tier", "home")


@dataclass(frozen=True)
class GameResult:
    """Upstream actual value; `actual_value` is None when the player did not play."""
    game_date: date
    player_lookup: str
    stat: str
    actual_value: float | None
    sport: str = DEFAULT_SPORT

    @property
    def key(self) -> PickKey:
        return PickKey(self.game_date, self.player_lookup, self.stat, self.sport)


@dataclass(frozen=True)
class ClosingLine:
    """The market's last line on a pick's key before tip-off (upstream input, for CLV)."""
    game_date: date
    player_lookup: str
    stat: str
    line_value: float
    captured_at: datetime
    odds_american: int | None = None
    sport: str = DEFAULT_SPORT

    @property
    def key(self) -> PickKey:
        return PickKey(self.game_date, self.player_lookup, self.stat, self.sport)


@dataclass(frozen=True)
class Pick:
    """A published pick: what users see. Published fields never change after first publication."""
    pick_id: str
    game_date: date
    player_lookup: str
    stat: str
    team: str
    opponent: str
    direction: str
    line: float
    source: Source
    first_published_at: datetime
    status: Status
    system_id: str | None = None
    algorithm_version: str | None = None
    manual_request_id: str | None = None
    submitted_by: str | None = None
    game_id: str | None = None
    game_time: datetime | None = None
    notes: str | None = None
    player_name: str | None = None
    edge: float | None = None
    rank: int | None = None
    angles: tuple[str, ...] = ()
    void_reason: str | None = None
    result: Result | None = None
    actual: float | None = None
    sport: str = DEFAULT_SPORT
    odds_american: int | None = None  # published: frozen when first shown
    tier: str | None = None  # refreshed until tip-off
    home: bool | None = None  # published
    units: float | None = None  # at a 1-unit stake at the posted odds, once graded
    closing_line: float | None = None
    clv: float | None = None  # closing line value in points: positive = beat the close

    @property
    def key(self) -> PickKey:
        return PickKey(self.game_date, self.player_lookup, self.stat, self.sport)

    @property
    def live(self) -> bool:
        return self.status != "voided"

    def published_fields(self) -> tuple:
        return tuple(getattr(self, name) for name in PUBLISHED_FIELDS)

    def with_published_fields_of(self, original: Pick) -> Pick:
        return replace(self, **{name: getattr(original, name) for name in PUBLISHED_FIELDS})


@dataclass(frozen=True)
class LedgerRow:
    """One append-only version of a published pick, with why it was written."""
    pick: Pick
    change: str
    export_id: str
    recorded_at: datetime
    change_detail: str | None = None

    @property
    def order(self) -> tuple[datetime, str]:
        return (self.recorded_at, self.export_id)


@dataclass(frozen=True)
class Event:
    """Something an export decided that an operator may want to know about."""
    kind: str
    player_lookup: str
    stat: str
    detail: str
    pick_id: str | None = None
    request_id: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def pick_id_for(key: PickKey, source: str, direction: str, line: float, origin: str) -> str:
    """Deterministic id: concurrent exports that create the same pick create the same id.

    `origin` is the system id for algorithm picks and the request id for manual ones, so a pick
    re-added after a void gets a new identity while a repeated command does not. An NBA pick's id
    does not name its sport: ids published before there were several sports stay what they were.
    """
    sport = "" if key.sport == DEFAULT_SPORT else f"{key.sport}|"
    digest = hashlib.sha256(f"{sport}{source}|{direction}|{line!r}|{origin}".encode()).hexdigest()[:10]
    return f"{key.game_date.isoformat()}/{key.player_lookup}/{key.stat}/{digest}"


@dataclass(frozen=True)
class HaltCommand:
    """An operator halting or resuming a sport's publishing; idempotent on `request_id`."""
    request_id: str
    submitted_at: datetime
    action: HaltAction
    sport: str
    submitted_by: str
    reason: str | None = None

    @property
    def order(self) -> tuple[datetime, str]:
        return (self.submitted_at, self.request_id)
