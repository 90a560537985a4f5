"""One day of the record: every pick of a date in compact form (DayTally), and the sums the season
record needs of it (DaySummary), small enough that a season of them reads like a handful of picks.

An export keeps both in its audit row. The season record reads the full tally only of the days it
shows pick by pick (the last 8 weeks); every earlier day counts through its summary, so the cost of
the record does not grow with the season's picks.

Units and CLV are summed as integers (1/10,000 of a unit, 1/100 of a point: the precision they are
rounded to), so a sum of daily sums equals the sum over picks exactly, in any order.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Iterable, Mapping, Sequence

from .grading import grade
from .picks import GameResult, Pick
from .pricing import units

LAST_DECIDED = 10
SPLITS = ("stat", "source", "tier", "system_id")
NO_TIER = "none"
_TALLY_VERSION = 1
_SUMMARY_VERSION = 1
_UNITS_SCALE = 10_000  # pricing.units rounds to 4 decimals
_CLV_SCALE = 100  # pricing.closing_line_value rounds to 2
_LETTER = {"WIN": "W", "LOSS": "L", "PUSH": "P"}


def _scaled(value: float | None, scale: int) -> int | None:
    return None if value is None else round(value * scale)


@dataclass
class Window:
    """A win-loss record with units and closing line value, over some of the season's picks."""
    wins: int = 0
    losses: int = 0
    pushes: int = 0
    voids: int = 0
    units: int = 0  # in 1/10,000 of a unit
    priced: int = 0  # decided picks with posted odds: what `units` covers
    priced_wins_losses: int = 0
    clv_total: int = 0  # in 1/100 of a point
    clv_count: int = 0
    clv_beats: int = 0

    def add(self, pick: CompactPick) -> None:
        if pick.result == "VOID":
            self.voids += 1
        elif pick.result is not None:
            self.add_decided(*pick.decided_counts)

    def add_decided(self, letter: str, scaled_units: int | None, scaled_clv: int | None) -> None:
        self.wins += letter == "W"
        self.losses += letter == "L"
        self.pushes += letter == "P"
        if scaled_units is not None:
            self.priced += 1
            self.units += scaled_units
            self.priced_wins_losses += letter != "P"
        if scaled_clv is not None:
            self.clv_count += 1
            self.clv_total += scaled_clv
            self.clv_beats += scaled_clv > 0

    @property
    def counts(self) -> list[int]:
        """The fields in order: what a day summary stores and Window.sum adds up. (Not
        dataclasses.astuple: it deep-copies every field, and a season's record calls this
        thousands of times.)"""
        return [getattr(self, name) for name in _WINDOW_FIELDS]

    @classmethod
    def sum(cls, windows: Iterable[Sequence[int]]) -> Window:
        """The window of several days, from their `counts`."""
        columns = list(zip(*windows))
        return cls(*map(sum, columns)) if columns else cls()

    def to_json(self) -> dict:
        decided = self.wins + self.losses
        return {
            "wins": self.wins, "losses": self.losses, "pushes": self.pushes, "voids": self.voids,
            "total": decided + self.pushes,
            "pct": round(self.wins / decided, 3) if decided else None,
            "units": round(self.units / _UNITS_SCALE, 2), "priced": self.priced,
            "roi": round(self.units / _UNITS_SCALE / self.priced_wins_losses, 3) if self.priced_wins_losses else None,
            "clv_avg": round(self.clv_total / _CLV_SCALE / self.clv_count, 2) if self.clv_count else None,
            "clv_beat_pct": round(self.clv_beats / self.clv_count, 3) if self.clv_count else None,
            "clv_count": self.clv_count,
        }


_WINDOW_FIELDS = tuple(field.name for field in fields(Window))


def window(picks: Iterable[CompactPick]) -> Window:
    tally = Window()
    for pick in picks:
        tally.add(pick)
    return tally


@dataclass(frozen=True)
class CompactPick:
    """What the record needs of a pick. `result` is "VOID" for a pick an operator voided too:
    it was withdrawn, so it neither won nor lost; `shadow` is how it would have done had it stood
    (the operator-influence report), once its actual is known."""
    player: str
    stat: str
    direction: str
    line: float
    odds: int | None
    result: str | None  # None: not graded yet
    units: float | None
    clv: float | None
    source: str
    tier: str | None
    system_id: str | None
    withdrawn: bool = False  # voided or removed by an operator after it was shown
    shadow: str | None = None

    @classmethod
    def of(cls, pick: Pick, actual: GameResult | None = None) -> CompactPick:
        if pick.live:
            result, earned, clv, shadow = pick.result, pick.units, pick.clv, None
        else:
            result, earned, clv = "VOID", units("VOID", pick.odds_american), None
            shadow = grade(pick, actual)[0] if actual is not None else None
        return cls(pick.player_name or pick.player_lookup, pick.stat, pick.direction, pick.line, pick.odds_american,
                   result, earned, clv, pick.source, pick.tier, pick.system_id, not pick.live, shadow)

    def as_if_it_stood(self) -> CompactPick:
        return replace(self, result=self.shadow, units=units(self.shadow, self.odds), clv=None)

    @property
    def decided(self) -> bool:
        """A bet that was settled: won, lost or pushed (a void was never a bet)."""
        return self.result in _LETTER

    @property
    def decided_counts(self) -> tuple[str, int | None, int | None]:
        """(W, L or P; units if priced; clv), scaled to integers, of a decided pick."""
        priced = self.odds is not None and self.units is not None
        return _LETTER[self.result], _scaled(self.units, _UNITS_SCALE) if priced else None, _scaled(self.clv, _CLV_SCALE)

    def split_value(self, split: str) -> str:
        value = getattr(self, split)
        return NO_TIER if value is None else value

    def to_json(self) -> dict:
        return {"player": self.player, "stat": self.stat, "direction": self.direction, "line": self.line,
                "odds": self.odds, "result": self.result, "units": self.units}


@dataclass(frozen=True)
class DayTally:
    """Every pick of one date, in the order they were played (tip-off, then first shown)."""
    game_date: date
    picks: tuple[CompactPick, ...]

    @classmethod
    def of(cls, game_date: date, picks: Iterable[Pick], results: Iterable[GameResult] = ()) -> DayTally:
        """`results`: the date's actuals, to grade withdrawn picks as if they had stood."""
        actuals = {result.key: result for result in results}
        ordered = sorted(picks, key=lambda p: (p.game_time is None, p.game_time or p.first_published_at,
                                               p.first_published_at, p.pick_id))
        return cls(game_date, tuple(CompactPick.of(pick, actuals.get(pick.key)) for pick in ordered))

    def to_text(self) -> str:
        """Compact text for the audit row's `tally` column (one row per export, ~1 kB at 15 picks)."""
        rows = [[p.player, p.stat, p.direction, p.line, p.odds, p.result, p.units, p.clv, p.source, p.tier,
                 p.system_id, p.withdrawn, p.shadow] for p in self.picks]
        return json.dumps({"v": _TALLY_VERSION, "date": self.game_date.isoformat(), "picks": rows},
                          separators=(",", ":"), ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_text(cls, text: str) -> DayTally:
        data = json.loads(text)
        if data.get("v") != _TALLY_VERSION:
            raise ValueError(f"tally version {data.get('v')!r} is not {_TALLY_VERSION}")
        return cls(date.fromisoformat(data["date"]), tuple(CompactPick(*row) for row in data["picks"]))

    @property
    def status(self) -> str:
        """pending (a pick not graded yet), sweep (every decided pick won), miss (every decided
        pick lost), split (some of each), void (nothing but voids and pushes)."""
        if any(p.result is None for p in self.picks):
            return "pending"
        results = {p.result for p in self.picks if p.result in ("WIN", "LOSS")}
        if results == {"WIN"}:
            return "sweep"
        if results == {"LOSS"}:
            return "miss"
        return "split" if results else "void"


@dataclass(frozen=True)
class DaySummary:
    """What the season record needs of a day it does not show pick by pick: the day's window, its
    splits, the withdrawn picks' shadow record, the results in play order (streaks) and its last
    decided picks (the `last_10` window when the recent weeks hold fewer than ten)."""
    game_date: date
    window: list[int]  # Window.counts
    splits: Mapping[str, Mapping[str, list[int]]]
    withdrawn: list[int]  # Window.counts of the withdrawn picks, as if they had stood
    withdrawn_picks: int
    pending: int  # picks not graded yet
    results: str  # the decided picks in play order: W, L, P
    last_decided: list[list]  # [letter, units, clv] scaled, of the last LAST_DECIDED decided picks, oldest first

    @classmethod
    def of(cls, tally: DayTally) -> DaySummary:
        groups: dict[str, dict[str, Window]] = {split: {} for split in SPLITS}
        for pick in tally.picks:
            for split in SPLITS:
                groups[split].setdefault(pick.split_value(split), Window()).add(pick)
        withdrawn = [p for p in tally.picks if p.withdrawn]
        decided = [p for p in tally.picks if p.decided]
        return cls(
            tally.game_date, window(tally.picks).counts,
            {split: {value: w.counts for value, w in sorted(values.items())} for split, values in groups.items()},
            window(p.as_if_it_stood() for p in withdrawn if p.shadow is not None).counts, len(withdrawn),
            sum(p.result is None for p in tally.picks), "".join(_LETTER[p.result] for p in decided),
            [list(p.decided_counts) for p in decided[-LAST_DECIDED:]],
        )

    def to_text(self) -> str:
        """Compact text for the audit row's `day_summary` column (a few hundred bytes a day). A
        season of them is decoded at every export of today, so what is usual is left out: a split
        with one value (its window is the day's) is that value alone, no withdrawn or pending picks
        is no key."""
        data: dict = {"v": _SUMMARY_VERSION, "date": self.game_date.isoformat(), "window": self.window,
                      "splits": {split: next(iter(values)) if len(values) == 1 else values
                                 for split, values in self.splits.items()},
                      "results": self.results, "last": self.last_decided}
        if self.withdrawn_picks:
            data.update(withdrawn=self.withdrawn, withdrawn_picks=self.withdrawn_picks)
        if self.pending:
            data["pending"] = self.pending
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> list[DaySummary]:
        """Many at once: one parse of the season's summaries is cheaper than one per day."""
        return [cls._from_json(data) for data in json.loads("[" + ",".join(texts) + "]")]

    @classmethod
    def from_text(cls, text: str) -> DaySummary:
        return cls._from_json(json.loads(text))

    @classmethod
    def _from_json(cls, data: dict) -> DaySummary:
        if data.get("v") != _SUMMARY_VERSION:
            raise ValueError(f"day summary version {data.get('v')!r} is not {_SUMMARY_VERSION}")
        day = data["window"]
        return cls(date.fromisoformat(data["date"]), day,
                   {split: {values: day} if isinstance(values, str) else values
                    for split, values in data["splits"].items()},
                   data.get("withdrawn") or Window().counts, data.get("withdrawn_picks", 0), data.get("pending", 0),
                   data["results"], data["last"])


def last_decided_window(days: Sequence[DaySummary]) -> Window:
    """The last LAST_DECIDED decided picks of the season (days in date order)."""
    latest: list[list] = []
    for day in reversed(days):
        latest[:0] = day.last_decided[-(LAST_DECIDED - len(latest)):]
        if len(latest) == LAST_DECIDED:
            break
    total = Window()
    for letter, scaled_units, scaled_clv in latest:
        total.add_decided(letter, scaled_units, scaled_clv)
    return total
