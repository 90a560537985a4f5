"""`picklock example …`: input files for a walk-through that work on any day. Dates default to the
sport's today; tip-offs are in the evening, and never less than two hours from now, so a slate
made now can be published now."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ..domain.calendar import format_instant
from ..domain.sports import Sport

# (player_lookup, name, team, opponent, direction, line, odds, tier); the stat is the sport's n-th.
SLATE = (
    ("exampleplayera", "Example Player A", "HOM", "AWY", "OVER", 24.5, -115, "ultra"),
    ("exampleplayerb", "Example Player B", "AWY", "HOM", "UNDER", 18.5, 105, "high"),
    ("exampleplayerc", "Example Player C", "HOM", "AWY", "OVER", 9.5, -110, None),
    ("exampleplayerd", "Example Player D", "AWY", "HOM", "OVER", 11.5, None, None),
)
SECOND_RUN_NEW = ("exampleplayere", "Example Player E", "HOM", "AWY", "OVER", 7.5, 120, "high")
ACTUALS = (31.0, 18.5, 6.0, None)  # WIN, PUSH, LOSS, did not play
CLOSING_MOVES = (1.0, -0.5, 0.5)  # the market after the picks: two beaten, one not


def tip_offs(sport: Sport, game_date: date, now: datetime) -> tuple[datetime, datetime]:
    zone = sport.zone
    evening = datetime.combine(game_date, time(19, 0), zone)
    first = max(evening, now + timedelta(hours=2)) if game_date == sport.today(now) else evening
    return first, first + timedelta(hours=1)


def signal_run(sport: Sport, game_date: date, now: datetime, run: int) -> list[dict]:
    """Run 1: four picks. Run 2: the first flipped, the third dropped, a new one."""
    first, second = tip_offs(sport, game_date, now)
    picks = list(SLATE) if run == 1 else [_flipped(SLATE[0]), SLATE[1], SLATE[3], SECOND_RUN_NEW]
    return [{
        "game_date": game_date.isoformat(), "sport": sport.id, "player_lookup": lookup, "player_name": name,
        "team_abbr": team, "opponent_team_abbr": opponent, "game_time": format_instant(first if n % 2 == 0 else second),
        "stat": _stat(sport, lookup), "recommendation": direction, "line_value": line,
        "odds_american": odds, "tier": tier, "home": team == "HOM", "edge": round(3.0 - n * 0.4, 1), "rank": n + 1,
        "system_id": "example_model", "algorithm_version": f"v{run}",
    } for n, (lookup, name, team, opponent, direction, line, odds, tier) in enumerate(picks)]


def results(sport: Sport, game_date: date) -> list[dict]:
    return [{"game_date": game_date.isoformat(), "sport": sport.id, "player_lookup": pick[0],
             "stat": _stat(sport, pick[0]), "actual_value": actual}
            for pick, actual in zip(SLATE, ACTUALS)]


def closing_lines(sport: Sport, game_date: date, now: datetime) -> list[dict]:
    first, _ = tip_offs(sport, game_date, now)
    captured = min(first - timedelta(minutes=1), now)
    return [{"game_date": game_date.isoformat(), "sport": sport.id, "player_lookup": pick[0],
             "stat": _stat(sport, pick[0]), "line_value": pick[5] + move, "odds_american": -110,
             "captured_at": format_instant(captured)}
            for pick, move in zip(SLATE, CLOSING_MOVES)]


def _stat(sport: Sport, player: str) -> str:
    """Each example player keeps one stat of the sport (the first ones of its list)."""
    players = [pick[0] for pick in (*SLATE, SECOND_RUN_NEW)]
    return sport.stats[players.index(player) % len(sport.stats)]


def _flipped(pick: tuple) -> tuple:
    lookup, name, team, opponent, direction, line, odds, tier = pick
    return lookup, name, team, opponent, "UNDER" if direction == "OVER" else "OVER", line, odds, tier
