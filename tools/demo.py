"""`make demo`: a whole game day on the embedded backend, driven through the real CLI.

Every step prints the exact `picklock` command it runs, so the timeline doubles as a CLI tutorial.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import sys
from pathlib import Path

from picklock.entrypoints.cli import main as picklock

GAME_DATE = "2026-02-28"
GSW_LAL = "2026-03-01T01:30:00Z"  # 20:30 Eastern on Feb 28
BOS_NYK = "2026-03-01T00:30:00Z"  # 19:30 Eastern on Feb 28


def signal_row(player, name, team, opponent, direction, line, rank, edge, tip, version, angles=()):
    return {
        "player_lookup": player, "player_name": name, "team_abbr": team, "opponent_team_abbr": opponent,
        "game_id": f"20260228_{min(team, opponent)}_{max(team, opponent)}", "game_time": tip,
        "stat": "PTS", "recommendation": direction, "line_value": line, "edge": edge, "rank": rank,
        "pick_angles": list(angles), "system_id": "catboost_v9", "algorithm_version": version,
    }


RUN_1 = [
    signal_row("stephencurry", "Stephen Curry", "GSW", "LAL", "OVER", 26.5, 1, 4.1, GSW_LAL, "v9.3", ["home rest edge"]),
    signal_row("lebronjames", "LeBron James", "LAL", "GSW", "UNDER", 24.5, 2, 3.2, GSW_LAL, "v9.3"),
    signal_row("jaysontatum", "Jayson Tatum", "BOS", "NYK", "OVER", 27.5, 3, 2.9, BOS_NYK, "v9.3"),
    signal_row("jalenbrunson", "Jalen Brunson", "NYK", "BOS", "OVER", 25.5, 4, 2.5, BOS_NYK, "v9.3"),
]
RUN_2 = [  # curry dropped, lebron flipped, tatum refreshed, brown new
    signal_row("lebronjames", "LeBron James", "LAL", "GSW", "OVER", 24.5, 1, 2.0, GSW_LAL, "v9.4"),
    signal_row("jaysontatum", "Jayson Tatum", "BOS", "NYK", "OVER", 27.5, 2, 3.6, BOS_NYK, "v9.4", ["pace up"]),
    signal_row("jalenbrunson", "Jalen Brunson", "NYK", "BOS", "OVER", 25.5, 3, 2.4, BOS_NYK, "v9.4"),
    signal_row("jaylenbrown", "Jaylen Brown", "BOS", "NYK", "OVER", 22.0, 4, 2.2, BOS_NYK, "v9.4"),
]
RUN_3 = RUN_2 + [  # after the BOS-NYK tip-off: a new pick for that game must be refused
    signal_row("derrickwhite", "Derrick White", "BOS", "NYK", "OVER", 14.5, 5, 2.1, BOS_NYK, "v9.4"),
]
RESULTS = [
    {"player_lookup": "stephencurry", "actual_value": 31},  # OVER 26.5: WIN
    {"player_lookup": "jaysontatum", "actual_value": 24},   # OVER 27.5: LOSS
    {"player_lookup": "jaylenbrown", "actual_value": 22},   # OVER 22.0: PUSH
    {"player_lookup": "lebronjames", "actual_value": None},  # did not play: VOID
    {"player_lookup": "guisantos", "actual_value": 15},     # OVER 13.5: WIN
    {"player_lookup": "jalenbrunson", "actual_value": 30},  # voided by the operator: not graded
]


class Demo:
    def __init__(self, home: Path):
        self.home = home
        self.inputs = home / "inputs"

    def run(self, now: str, *argv: str, expect: int = 0) -> str:
        shown = " ".join(a if " " not in a else repr(a) for a in argv)
        print(f"\n  $ picklock --now {now} {shown}")
        out = io.StringIO()
        with contextlib.redirect_stderr(out):
            code = picklock(["--home", str(self.home), "--now", now, *argv], out=out)
        for line in out.getvalue().splitlines():
            print(f"    {line}")
        if code != expect:
            raise SystemExit(f"demo step failed: exit {code}, expected {expect}")
        if code:
            print(f"    (exit {code}: refused, nothing changed)")
        return out.getvalue()

    def file(self, name: str, rows) -> str:
        path = self.inputs / name
        path.write_text(json.dumps(rows, indent=1))
        return str(path)

    def step(self, clock: str, title: str) -> None:
        print(f"\n{clock}  {title}")


def play(home: Path) -> None:
    if home.exists():
        shutil.rmtree(home)
    demo = Demo(home)
    demo.inputs.mkdir(parents=True)

    demo.step("10:00 ET", "Signal run 1 (model v9.3): four picks. The first export publishes and locks them.")
    demo.run("2026-02-28T15:00:00Z", "signal", "load", "--date", GAME_DATE, "--file", demo.file("run1.json", RUN_1))
    demo.run("2026-02-28T15:00:05Z", "export", "--date", GAME_DATE, "--trigger", "signal_updated")

    demo.step("12:00 ET", "Signal run 2 (v9.4): Curry dropped, LeBron flipped to OVER, Tatum's edge moved, Brown new.")
    demo.run("2026-02-28T17:00:00Z", "signal", "load", "--date", GAME_DATE, "--file", demo.file("run2.json", RUN_2))
    demo.run("2026-02-28T17:00:05Z", "export", "--date", GAME_DATE, "--trigger", "signal_updated")
    print("    -> Curry stays (locked); LeBron stays UNDER 24.5 as published (locked, flip recorded).")

    demo.step("13:00 ET", "The operator adds Gui Santos OVER 13.5 (GSW vs LAL) by hand, and runs it twice.")
    manual = ["manual", "add", "--date", GAME_DATE, "--player", "guisantos", "--player-name", "Gui Santos",
              "--team", "GSW", "--opponent", "LAL", "--direction", "OVER", "--line", "13.5", "--by", "ops@picklock"]
    demo.run("2026-02-28T18:00:00Z", *manual, "--export")
    demo.run("2026-02-28T18:01:00Z", *manual, "--export")
    print("    -> the second run changes nothing: no duplicate pick, no new all.json version.")

    demo.step("14:00 ET", "A manual pick over a published one is refused until the operator voids it.")
    demo.run("2026-02-28T19:00:00Z", "manual", "add", "--date", GAME_DATE, "--player", "jaysontatum",
             "--team", "BOS", "--opponent", "NYK", "--direction", "UNDER", "--line", "27.5", expect=2)

    demo.step("15:00 ET", "Brunson is ruled out: the operator voids his pick. It stays visible, marked voided.")
    demo.run("2026-02-28T20:00:00Z", "void", "--date", GAME_DATE, "--player", "jalenbrunson",
             "--reason", "ruled out (ankle)", "--by", "ops@picklock", "--export")

    demo.step("19:45 ET", "After the BOS-NYK tip-off, signal run 3 adds Derrick White: refused, the game has started.")
    demo.run("2026-03-01T00:45:00Z", "signal", "load", "--date", GAME_DATE, "--file", demo.file("run3.json", RUN_3))
    demo.run("2026-03-01T00:45:05Z", "export", "--date", GAME_DATE, "--trigger", "signal_updated")
    demo.run("2026-03-01T00:46:00Z", "manual", "add", "--date", GAME_DATE, "--player", "paytonpritchard",
             "--team", "BOS", "--opponent", "NYK", "--direction", "OVER", "--line", "9.5", expect=2)

    demo.step("Mar 1, 09:00 ET", "Actuals arrive; grading: a win, a loss, a push and a DNP (void).")
    demo.run("2026-03-01T14:00:00Z", "results", "load", "--date", GAME_DATE, "--file", demo.file("results.json", RESULTS))
    demo.run("2026-03-01T14:00:05Z", "grade", "--date", GAME_DATE)
    print("    -> the Feb 28 file is graded; all.json moved to Mar 1 (Eastern) and carries the season record.")

    demo.step("Result", "What users see for Feb 28, and the audit trail of every export.")
    demo.run("2026-03-01T14:01:00Z", "status", "--date", GAME_DATE)
    listing = demo.run("2026-03-01T14:01:00Z", "audit", "list", "--date", GAME_DATE)
    exports = [line.split()[0] for line in listing.splitlines() if " published " in line]
    demo.run("2026-03-01T14:01:00Z", "audit", "diff", exports[0], exports[1])

    bucket = home / "bucket" / "v1" / "best-bets"
    print(f"""
Done. Everything is on disk under {home}/:
  {bucket}/all.json            what the website reads (today, Eastern, and the season record)
  {bucket}/{GAME_DATE}.json     every pick ever published for {GAME_DATE}
  {bucket}/history/             one immutable snapshot per published export
  {home}/picklock.sqlite3      ledger, manual commands, audit (same shapes as the BigQuery DDL)
Try:  .venv/bin/picklock --home {home} audit list --date {GAME_DATE}
      .venv/bin/picklock --home {home} audit show {exports[-1]}
Dashboard:  .venv/bin/picklock --home {home} dashboard   then open http://127.0.0.1:8765/?date={GAME_DATE}""")


def entry() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=Path(".picklock-demo"))
    play(parser.parse_args().home.resolve())


if __name__ == "__main__":
    sys.exit(entry())
