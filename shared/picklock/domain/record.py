"""The public record of a sport's season: windows, streaks, weeks and splits, built from one
entry per day, so its cost does not grow with the season's picks (DESIGN.md, "Record").

Each export keeps its date's tally and day summary in its audit row (tally.py); regrading a past
date re-exports that date, which writes new ones, and the latest of each date is the one that
counts. The record reads the full tallies only of the days it shows pick by pick, the last
WEEKS_SHOWN weeks (which hold the month and the week); the season-long figures, streaks and splits
are sums of day summaries. Today comes from today's merge.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping, Sequence

from .tally import SPLITS, DaySummary, DayTally, Window, last_decided_window, window

WEEKS_SHOWN = 8


def week_start(day: date) -> date:
    """Monday of the week (Monday to Sunday) holding `day`."""
    return day - timedelta(days=day.weekday())


def first_detailed_day(today: date) -> date:
    """The first date whose full tally the record needs: the Monday WEEKS_SHOWN - 1 weeks before
    this week's (the month starts later)."""
    return week_start(today) - timedelta(weeks=WEEKS_SHOWN - 1)


def details_start(today: date, season_start: date) -> date:
    """The first date a read of the season takes as a full tally (earlier dates: their day
    summary): the first detailed day, or the season's start when the season is younger."""
    return max(first_detailed_day(today), season_start)


@dataclass(frozen=True)
class SeasonRecord:
    season: str
    today: date
    summaries: tuple[DaySummary, ...] = ()  # every day of the season up to today, in date order
    details: tuple[DayTally, ...] = ()  # the days with picks from first_detailed_day(today), in date order

    def _recent(self, first: date) -> Window:
        return window(p for day in self.details if day.game_date >= first for p in day.picks)

    def to_json(self) -> dict:
        """all.json's `record` and the fields beside it (see schemas/files/all.schema.json)."""
        season = Window.sum(day.window for day in self.summaries)
        splits = _splits(self.summaries)
        today = next((day for day in self.details if day.game_date == self.today), None)
        return {
            "record": {
                "season": season.to_json(),
                "month": self._recent(self.today.replace(day=1)).to_json(),
                "week": self._recent(week_start(self.today)).to_json(),
                "last_10": last_decided_window(self.summaries).to_json(),
                **_by_day(self.summaries, season),
            },
            "streak": _streak(self.summaries),
            "best_streak": _best_streak(self.summaries),
            "weeks": _weeks(self.details),
            "splits": {split: {value: w.to_json() for value, w in values.items()} for split, values in splits.items()},
            "influence": _influence(self.summaries, splits["source"]),
            "total_today": sum(p.result != "VOID" for p in today.picks) if today else 0,
            "total_picks": season.wins + season.losses + season.pushes + sum(day.pending for day in self.summaries),
            "graded": season.wins + season.losses + season.pushes,
            "voided": season.voids,
        }


def season_record(season: str, today: date, tallies: Mapping[date, DayTally], today_tally: DayTally,
                  summaries: Mapping[date, DaySummary] | None = None) -> SeasonRecord:
    """The record up to and including today: the days from first_detailed_day(today) on from their
    latest tallies, earlier days from their latest summaries; today from today's merge (it
    replaces anything stored of today). A day read with its tally counts by it: a summary given
    for such a day must be the one written with that tally (the same audit row), and a day
    without one is summed from its tally."""
    days = {day: tally for day, tally in tallies.items() if day < today}
    days[today] = today_tally
    known = {day: summary for day, summary in (summaries or {}).items() if day < today}
    known.update({day: DaySummary.of(tally) for day, tally in days.items() if day not in known})
    first = first_detailed_day(today)
    missing = sorted(day for day in known if day >= first and day not in days)
    if missing:
        raise ValueError(f"the record shows {missing[0]} pick by pick and needs its tally, not only its summary")
    return SeasonRecord(season, today, tuple(known[day] for day in sorted(known)),
                        tuple(days[day] for day in sorted(days) if day >= first and days[day].picks))


def _by_day(days: Sequence[DaySummary], season: Window) -> dict:
    """The season totals and per-day win-loss that all.json carried before the windows (kept
    for readers of that shape)."""
    totals = season.to_json()
    by_day = []
    for day in days:
        counts = Window(*day.window)
        if counts.wins + counts.losses + counts.pushes + counts.voids:
            by_day.append({"date": day.game_date.isoformat(), "wins": counts.wins, "losses": counts.losses,
                           "pushes": counts.pushes, "voids": counts.voids})
    return {**{k: totals[k] for k in ("wins", "losses", "pushes", "voids", "pct")}, "by_day": by_day}


def _splits(days: Sequence[DaySummary]) -> dict[str, dict[str, Window]]:
    grouped: dict[str, dict[str, list]] = {split: {} for split in SPLITS}
    for day in days:
        for split, values in day.splits.items():
            for value, counts in values.items():
                grouped[split].setdefault(value, []).append(counts)
    return {split: {value: Window.sum(counts) for value, counts in sorted(values.items())}
            for split, values in grouped.items()}


def _influence(days: Sequence[DaySummary], by_source: Mapping[str, Window]) -> dict:
    """How much operators changed the record: the model's picks and the manual ones apart, and
    the picks they withdrew after users saw them, graded as if they had stood."""
    withdrawn = sum(day.withdrawn_picks for day in days)
    shadow = Window.sum(day.withdrawn for day in days).to_json()
    ungraded = withdrawn - shadow["total"] - shadow["voids"]
    return {
        "model": by_source.get("algorithm", Window()).to_json(),
        "manual": by_source.get("manual", Window()).to_json(),
        "withdrawn": shadow,
        "withdrawn_picks": withdrawn,
        "summary": (f"picks withdrawn by operators went {shadow['wins']}-{shadow['losses']}"
                    + (f"-{shadow['pushes']}" if shadow["pushes"] else "")
                    + (f" ({ungraded} not graded)" if ungraded > 0 else "")),
    }


def _streak(days: Sequence[DaySummary]) -> dict:
    """The current run of wins or losses; pushes neither extend nor break it."""
    kind, length = None, 0
    for day in reversed(days):
        results = day.results.replace("P", "")
        if not results:
            continue
        kind = kind or results[-1]
        run = len(results) - len(results.rstrip(kind))
        length += run
        if run < len(results):
            break
    return {"kind": kind, "length": length}


def _best_streak(days: Sequence[DaySummary]) -> dict:
    """The season's longest run of wins (the first, on a tie), with the dates it began and ended."""
    best = {"length": 0, "start": None, "end": None}
    length, start = 0, None
    for day in days:
        for broken, wins in enumerate(day.results.replace("P", "").split("L")):
            if broken:  # a loss ends the run
                length, start = 0, None
            if wins:
                length, start = length + len(wins), start or day.game_date
                if length > best["length"]:
                    best = {"length": length, "start": start.isoformat(), "end": day.game_date.isoformat()}
    return best


def _weeks(days: Sequence[DayTally]) -> list[dict]:
    """The most recent WEEKS_SHOWN weeks (Monday to Sunday) that have picks, newest first; their
    days in calendar order."""
    by_week: dict[date, list[DayTally]] = {}
    for day in days:  # from first_detailed_day(today): WEEKS_SHOWN weeks at most
        by_week.setdefault(week_start(day.game_date), []).append(day)
    return [{
        "week_start": start.isoformat(),
        "record": window(p for day in week for p in day.picks).to_json(),
        "days": [{"date": day.game_date.isoformat(), "status": day.status, "record": window(day.picks).to_json(),
                  "picks": [p.to_json() for p in day.picks]} for day in week],
    } for start, week in sorted(by_week.items(), reverse=True)]
