"""The public record of a sport's season: windows, streaks, weeks and splits, built from one
tally per day, so its cost does not grow with the season's picks (DESIGN.md, "Record").

A day's tally is the compact form of every pick of that date as last exported (the export's audit
row keeps it); today's comes from today's merge. Regrading a past date re-exports that date, which
writes a new tally for it; the latest tally of each date is the one that counts.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Iterable, Mapping, Sequence

from .grading import grade
from .picks import GameResult, Pick
from .pricing import units

WEEKS_SHOWN = 8
LAST_DECIDED = 10
SPLITS = ("stat", "source", "tier", "system_id")
NO_TIER = "none"
_TALLY_VERSION = 1


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
        return self.result in ("WIN", "LOSS", "PUSH")

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


@dataclass
class Window:
    """A win-loss record with units and closing line value, over some of the season's picks."""
    wins: int = 0
    losses: int = 0
    pushes: int = 0
    voids: int = 0
    units: float = 0.0
    priced: int = 0  # decided picks with posted odds: what `units` covers
    priced_wins_losses: int = 0
    clv_total: float = 0.0
    clv_count: int = 0
    clv_beats: int = 0

    def add(self, pick: CompactPick) -> None:
        if pick.result is None:
            return
        if pick.result == "VOID":
            self.voids += 1
            return
        self.wins += pick.result == "WIN"
        self.losses += pick.result == "LOSS"
        self.pushes += pick.result == "PUSH"
        if pick.odds is not None and pick.units is not None:
            self.priced += 1
            self.units += pick.units
            self.priced_wins_losses += pick.result != "PUSH"
        if pick.clv is not None:
            self.clv_count += 1
            self.clv_total += pick.clv
            self.clv_beats += pick.clv > 0

    def to_json(self) -> dict:
        decided = self.wins + self.losses
        return {
            "wins": self.wins, "losses": self.losses, "pushes": self.pushes, "voids": self.voids,
            "total": decided + self.pushes,
            "pct": round(self.wins / decided, 3) if decided else None,
            "units": round(self.units, 2), "priced": self.priced,
            "roi": round(self.units / self.priced_wins_losses, 3) if self.priced_wins_losses else None,
            "clv_avg": round(self.clv_total / self.clv_count, 2) if self.clv_count else None,
            "clv_beat_pct": round(self.clv_beats / self.clv_count, 3) if self.clv_count else None,
            "clv_count": self.clv_count,
        }


def window(picks: Iterable[CompactPick]) -> dict:
    tally = Window()
    for pick in picks:
        tally.add(pick)
    return tally.to_json()


def week_start(day: date) -> date:
    """Monday of the week (Monday to Sunday) holding `day`."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class SeasonRecord:
    season: str
    today: date
    days: tuple[DayTally, ...] = field(default=())  # the season's days with picks, in date order

    def picks(self, first: date | None = None) -> list[CompactPick]:
        return [p for day in self.days if first is None or day.game_date >= first for p in day.picks]

    def to_json(self) -> dict:
        """all.json's `record` and the fields beside it (see schemas/files/all.schema.json)."""
        season = self.picks()
        decided = [p for p in season if p.decided]
        today = next((day for day in self.days if day.game_date == self.today), None)
        return {
            "record": {
                "season": window(season),
                "month": window(self.picks(self.today.replace(day=1))),
                "week": window(self.picks(week_start(self.today))),
                "last_10": window(decided[-LAST_DECIDED:]),
                **_by_day(self.days),
            },
            "streak": _streak(decided),
            "best_streak": _best_streak(self.days),
            "weeks": _weeks(self.days, self.today),
            "splits": {split: {value: window(picks) for value, picks in sorted(_grouped(season, split).items())}
                       for split in SPLITS},
            "influence": _influence(season),
            "total_today": sum(p.result != "VOID" for p in today.picks) if today else 0,
            "total_picks": sum(p.result != "VOID" for p in season),
            "graded": sum(p.decided for p in season),
            "voided": sum(p.result == "VOID" for p in season),
        }


def season_record(season: str, today: date, tallies: Mapping[date, DayTally], today_tally: DayTally) -> SeasonRecord:
    """The record up to and including today: earlier days from their latest tallies, today from
    today's merge (it replaces any stored tally of today)."""
    days = {day: tally for day, tally in tallies.items() if day < today}
    days[today] = today_tally
    return SeasonRecord(season, today, tuple(days[day] for day in sorted(days) if days[day].picks))


def _by_day(days: Sequence[DayTally]) -> dict:
    """The season totals and per-day win-loss that all.json carried before the windows (kept
    for readers of that shape)."""
    totals = window(p for day in days for p in day.picks)
    by_day = []
    for day in days:
        counts = window(day.picks)
        if counts["total"] or counts["voids"]:
            by_day.append({"date": day.game_date.isoformat(), **{k: counts[k] for k in ("wins", "losses", "pushes", "voids")}})
    return {**{k: totals[k] for k in ("wins", "losses", "pushes", "voids", "pct")}, "by_day": by_day}


def _influence(season: list[CompactPick]) -> dict:
    """How much operators changed the record: the model's picks and the manual ones apart, and
    the picks they withdrew after users saw them, graded as if they had stood."""
    withdrawn = [p for p in season if p.withdrawn]
    shadow = window(p.as_if_it_stood() for p in withdrawn if p.shadow is not None)
    return {
        "model": window(p for p in season if p.source == "algorithm"),
        "manual": window(p for p in season if p.source == "manual"),
        "withdrawn": shadow,
        "withdrawn_picks": len(withdrawn),
        "summary": (f"picks withdrawn by operators went {shadow['wins']}-{shadow['losses']}"
                    + (f"-{shadow['pushes']}" if shadow["pushes"] else "")
                    + (f" ({len(withdrawn) - shadow['total'] - shadow['voids']} not graded)"
                       if len(withdrawn) > shadow["total"] + shadow["voids"] else "")),
    }


def _streak(decided: Sequence[CompactPick]) -> dict:
    """The current run of wins or losses; pushes neither extend nor break it."""
    kind, length = None, 0
    for pick in reversed([p for p in decided if p.result != "PUSH"]):
        symbol = "W" if pick.result == "WIN" else "L"
        if kind is None:
            kind = symbol
        if symbol != kind:
            break
        length += 1
    return {"kind": kind, "length": length}


def _best_streak(days: Sequence[DayTally]) -> dict:
    """The season's longest run of wins (the first, on a tie), with the dates it began and ended."""
    best = {"length": 0, "start": None, "end": None}
    length, start = 0, None
    for day in days:
        for pick in day.picks:
            if pick.result == "WIN":
                length, start = length + 1, start if length else day.game_date
                if length > best["length"]:
                    best = {"length": length, "start": start.isoformat(), "end": day.game_date.isoformat()}
            elif pick.result == "LOSS":
                length, start = 0, None
    return best


def _weeks(days: Sequence[DayTally], today: date) -> list[dict]:
    """The most recent WEEKS_SHOWN weeks (Monday to Sunday) that have picks, newest first; their
    days in calendar order."""
    first_week = week_start(today) - timedelta(weeks=WEEKS_SHOWN - 1)
    by_week: dict[date, list[DayTally]] = {}
    for day in days:
        if day.game_date >= first_week:
            by_week.setdefault(week_start(day.game_date), []).append(day)
    return [{
        "week_start": start.isoformat(),
        "record": window(p for day in week for p in day.picks),
        "days": [{"date": day.game_date.isoformat(), "status": day.status, "record": window(day.picks),
                  "picks": [p.to_json() for p in day.picks]} for day in week],
    } for start, week in sorted(by_week.items(), reverse=True)]


def _grouped(picks: Iterable[CompactPick], split: str) -> dict[str, list[CompactPick]]:
    groups: dict[str, list[CompactPick]] = {}
    for pick in picks:
        groups.setdefault(pick.split_value(split), []).append(pick)
    return groups
