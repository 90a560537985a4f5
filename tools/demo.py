"""`make demo`: a whole game day on the embedded backend, driven through the real CLI: an NBA slate
and, beside it on the same date, an MLB slate that the operator halts and resumes.

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
NYY_BOS = "2026-02-28T23:05:00Z"  # MLB, 18:05 Eastern on Feb 28
LAD_SF = "2026-03-01T02:10:00Z"   # MLB, 21:10 Eastern on Feb 28


HOME_TEAMS = {"LAL", "NYK", "BOS", "SF"}  # tonight's hosts (GSW at LAL, BOS at NYK; NYY at BOS, LAD at SF)


def signal_row(player, name, team, opponent, direction, line, rank, edge, tip, version, angles=(), stat="PTS",
               system="catboost_v9", odds=None, tier=None):
    """`odds`: the posted American price (None: not priced, and never assumed)."""
    return {
        "player_lookup": player, "player_name": name, "team_abbr": team, "opponent_team_abbr": opponent,
        "game_id": f"20260228_{min(team, opponent)}_{max(team, opponent)}", "game_time": tip,
        "stat": stat, "recommendation": direction, "line_value": line, "edge": edge, "rank": rank,
        "pick_angles": list(angles), "system_id": system, "algorithm_version": version,
        "odds_american": odds, "tier": tier, "home": team in HOME_TEAMS,
    }


def mlb_row(player, name, team, opponent, stat, direction, line, rank, edge, tip, angles=(), odds=None):
    return signal_row(player, name, team, opponent, direction, line, rank, edge, tip, "m2.1", angles,
                      stat=stat, system="mlb_props_v2", odds=odds)


RUN_1 = [
    signal_row("stephencurry", "Stephen Curry", "GSW", "LAL", "OVER", 26.5, 1, 4.1, GSW_LAL, "v9.3", ["home rest edge"],
               odds=-115, tier="ultra"),
    signal_row("lebronjames", "LeBron James", "LAL", "GSW", "UNDER", 24.5, 2, 3.2, GSW_LAL, "v9.3", odds=105, tier="high"),
    signal_row("jaysontatum", "Jayson Tatum", "BOS", "NYK", "OVER", 27.5, 3, 2.9, BOS_NYK, "v9.3", odds=-110, tier="high"),
    signal_row("jalenbrunson", "Jalen Brunson", "NYK", "BOS", "OVER", 25.5, 4, 2.5, BOS_NYK, "v9.3", odds=-120),
]
RUN_2 = [  # curry dropped, lebron flipped, tatum refreshed (and repriced: published odds stay), brown new, unpriced
    signal_row("lebronjames", "LeBron James", "LAL", "GSW", "OVER", 24.5, 1, 2.0, GSW_LAL, "v9.4", odds=-105),
    signal_row("jaysontatum", "Jayson Tatum", "BOS", "NYK", "OVER", 27.5, 2, 3.6, BOS_NYK, "v9.4", ["pace up"],
               odds=-130, tier="ultra"),
    signal_row("jalenbrunson", "Jalen Brunson", "NYK", "BOS", "OVER", 25.5, 3, 2.4, BOS_NYK, "v9.4", odds=-120),
    signal_row("jaylenbrown", "Jaylen Brown", "BOS", "NYK", "OVER", 22.0, 4, 2.2, BOS_NYK, "v9.4"),
]
RUN_3 = RUN_2 + [  # after the BOS-NYK tip-off: a new pick for that game must be refused
    signal_row("derrickwhite", "Derrick White", "BOS", "NYK", "OVER", 14.5, 5, 2.1, BOS_NYK, "v9.4", odds=-110),
]
RESULTS = [
    {"player_lookup": "stephencurry", "actual_value": 31},  # OVER 26.5: WIN
    {"player_lookup": "jaysontatum", "actual_value": 24},   # OVER 27.5: LOSS
    {"player_lookup": "jaylenbrown", "actual_value": 22},   # OVER 22.0: PUSH
    {"player_lookup": "lebronjames", "actual_value": None},  # did not play: VOID
    {"player_lookup": "guisantos", "actual_value": 15},     # OVER 13.5: WIN
    {"player_lookup": "jalenbrunson", "actual_value": 30},  # voided by the operator: not graded
]
CLOSING = [  # the market's last line before tip-off: CLV = how far the published line beat it
    {"player_lookup": "stephencurry", "line_value": 27.5, "odds_american": -110, "captured_at": "2026-03-01T01:29:00Z"},
    {"player_lookup": "jaysontatum", "line_value": 27.0, "odds_american": -110, "captured_at": "2026-03-01T00:29:00Z"},
    {"player_lookup": "guisantos", "line_value": 14.5, "captured_at": "2026-03-01T01:29:00Z"},
    {"player_lookup": "jaylenbrown", "line_value": 22.5, "captured_at": "2026-03-01T00:29:00Z"},
    {"player_lookup": "derrickwhite", "line_value": 14.5, "captured_at": "2026-03-01T00:29:00Z"},  # never published
]

MLB_RUN_1 = [
    mlb_row("gerritcole", "Gerrit Cole", "NYY", "BOS", "K", "OVER", 6.5, 1, 1.3, NYY_BOS, ["whiff rate up"], odds=-135),
    mlb_row("aaronjudge", "Aaron Judge", "NYY", "BOS", "H", "OVER", 0.5, 2, 0.9, NYY_BOS, odds=-210),
    mlb_row("shoheiohtani", "Shohei Ohtani", "LAD", "SF", "H", "OVER", 0.5, 3, 0.8, LAD_SF, odds=-190),
]
MLB_RUN_2 = MLB_RUN_1 + [  # the same picks and a new one, while MLB is halted
    mlb_row("yoshinobuyamamoto", "Yoshinobu Yamamoto", "LAD", "SF", "K", "OVER", 5.5, 4, 1.1, LAD_SF, odds=120),
]
MLB_RESULTS = [
    {"player_lookup": "gerritcole", "stat": "K", "actual_value": 8},         # OVER 6.5: WIN
    {"player_lookup": "aaronjudge", "stat": "H", "actual_value": 0},         # OVER 0.5: LOSS
    {"player_lookup": "shoheiohtani", "stat": "H", "actual_value": 2},       # OVER 0.5: WIN
    {"player_lookup": "yoshinobuyamamoto", "stat": "K", "actual_value": 7},  # OVER 5.5: WIN
]


class Demo:
    def __init__(self, home: Path):
        self.home = home
        self.inputs = home / "inputs"

    def run(self, now: str, *argv: str, expect: int = 0, sport: str | None = None) -> str:
        chosen = ["--sport", sport] if sport else []
        shown = " ".join(a if " " not in a else repr(a) for a in [*chosen, *argv])
        print(f"\n  $ picklock --now {now} {shown}")
        out = io.StringIO()
        with contextlib.redirect_stderr(out):
            code = picklock(["--home", str(self.home), "--now", now, *chosen, *argv], out=out)
        for line in out.getvalue().splitlines():
            print(f"    {line}")
        if code != expect:
            raise SystemExit(f"demo step failed: exit {code}, expected {expect}")
        if code:
            print(f"    (exit {code}: {'refused, nothing changed' if code == 2 else 'violations found'})")
        return out.getvalue()

    def file(self, name: str, rows) -> str:
        path = self.inputs / name
        path.write_text(json.dumps(rows, indent=1))
        return str(path)

    def mlb(self, now: str, *argv: str, expect: int = 0) -> str:
        return self.run(now, *argv, expect=expect, sport="mlb")

    def all_json(self, prefix: str) -> Path:
        return self.home / "bucket" / prefix / "all.json"

    def banner(self, prefix: str) -> dict:
        """Show what the site reads from a sport's all.json: its sport, season, halt fields and picks."""
        data = json.loads(self.all_json(prefix).read_text())
        picks = ", ".join(f"{p['player']} {p['stat']} {p['direction']} {p['line']}" for p in data["today"]) or "none"
        print(f"    -> {prefix}/all.json: sport={data['sport']} season={data['season']} date={data['date']}"
              f" halt_active={json.dumps(data['halt_active'])} halt_reason={json.dumps(data['halt_reason'])}"
              f" halt_since={json.dumps(data['halt_since'])}")
        print(f"       today: {picks}")
        return data

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

    demo.step("10:30 ET", "MLB, same date: signal run 1 has three picks, strikeouts (K) and hits (H), for tonight.")
    demo.mlb("2026-02-28T15:30:00Z", "signal", "load", "--date", GAME_DATE,
             "--file", demo.file("mlb-run1.json", MLB_RUN_1))
    demo.mlb("2026-02-28T15:30:05Z", "export", "--date", GAME_DATE, "--trigger", "signal_updated")
    print("    -> MLB publishes under v1/mlb/best-bets/, NBA keeps v1/best-bets/; each has its own ledger and audit.")

    demo.step("11:00 ET", "The operator halts MLB (its model is under review). The halt exports MLB's today at once.")
    demo.mlb("2026-02-28T16:00:00Z", "halt", "--reason", "model under review", "--by", "ops@picklock")
    demo.banner("v1/mlb/best-bets")
    print("    -> the site shows a banner; the three picks already published stay.")

    demo.step("11:30 ET", "MLB signal run 2 adds Yamamoto K OVER 5.5 while halted: nothing new is published.")
    demo.mlb("2026-02-28T16:30:00Z", "signal", "load", "--date", GAME_DATE,
             "--file", demo.file("mlb-run2.json", MLB_RUN_2))
    demo.mlb("2026-02-28T16:30:05Z", "export", "--date", GAME_DATE, "--trigger", "signal_updated")
    demo.banner("v1/mlb/best-bets")
    demo.mlb("2026-02-28T16:31:00Z", "manual", "add", "--date", GAME_DATE, "--player", "rafaeldevers",
             "--player-name", "Rafael Devers", "--team", "BOS", "--opponent", "NYY", "--stat", "TB",
             "--direction", "OVER", "--line", "1.5", "--by", "ops@picklock", expect=2)
    print("    -> exports keep running (all.json keeps updating, banner on), but no new MLB pick, signal or manual.")

    demo.step("12:00 ET", "Signal run 2 (v9.4): Curry dropped, LeBron flipped to OVER, Tatum's edge moved, Brown new.")
    demo.run("2026-02-28T17:00:00Z", "signal", "load", "--date", GAME_DATE, "--file", demo.file("run2.json", RUN_2))
    demo.run("2026-02-28T17:00:05Z", "export", "--date", GAME_DATE, "--trigger", "signal_updated")
    print("    -> Curry stays (locked); LeBron stays UNDER 24.5 as published (locked, flip recorded).")
    demo.banner("v1/best-bets")
    print("    -> NBA is unaffected by MLB's halt: no banner, Brown is published as usual.")

    demo.step("13:00 ET", "The operator adds Gui Santos OVER 13.5 (GSW vs LAL) by hand, and runs it twice.")
    manual = ["manual", "add", "--date", GAME_DATE, "--player", "guisantos", "--player-name", "Gui Santos",
              "--team", "GSW", "--opponent", "LAL", "--direction", "OVER", "--line", "13.5", "--odds", "+120",
              "--tier", "high", "--venue", "away", "--by", "ops@picklock"]
    demo.run("2026-02-28T18:00:00Z", *manual, "--export")
    demo.run("2026-02-28T18:01:00Z", *manual, "--export")
    print("    -> the second run changes nothing: no duplicate pick, no new all.json version.")

    demo.step("14:00 ET", "A manual pick over a published one is refused until the operator voids it.")
    demo.run("2026-02-28T19:00:00Z", "manual", "add", "--date", GAME_DATE, "--player", "jaysontatum",
             "--team", "BOS", "--opponent", "NYK", "--direction", "UNDER", "--line", "27.5", expect=2)

    demo.step("15:00 ET", "Brunson is ruled out: the operator voids his pick. It stays visible, marked voided.")
    demo.run("2026-02-28T20:00:00Z", "void", "--date", GAME_DATE, "--player", "jalenbrunson",
             "--reason", "ruled out (ankle)", "--by", "ops@picklock", "--export")

    demo.step("16:00 ET", "The operator resumes MLB. The resume exports MLB's today at once.")
    demo.mlb("2026-02-28T21:00:00Z", "resume", "--by", "ops@picklock")
    demo.banner("v1/mlb/best-bets")
    print("    -> the banner is gone and Yamamoto (LAD-SF, first pitch 21:10 ET, not started) is published.")
    demo.mlb("2026-02-28T21:00:05Z", "export", "--date", GAME_DATE, "--trigger", "signal_updated")
    print("    -> the next export has nothing more to add: every MLB signal pick is published.")

    demo.step("19:45 ET", "After the BOS-NYK tip-off, signal run 3 adds Derrick White: refused, the game has started.")
    demo.run("2026-03-01T00:45:00Z", "signal", "load", "--date", GAME_DATE, "--file", demo.file("run3.json", RUN_3))
    demo.run("2026-03-01T00:45:05Z", "export", "--date", GAME_DATE, "--trigger", "signal_updated")
    demo.run("2026-03-01T00:46:00Z", "manual", "add", "--date", GAME_DATE, "--player", "paytonpritchard",
             "--team", "BOS", "--opponent", "NYK", "--direction", "OVER", "--line", "9.5", expect=2)

    demo.step("Mar 1, 09:00 ET", "Actuals arrive; grading: a win, a loss, a push and a DNP (void).")
    demo.run("2026-03-01T14:00:00Z", "results", "load", "--date", GAME_DATE, "--file", demo.file("results.json", RESULTS))
    demo.run("2026-03-01T14:00:05Z", "grade", "--date", GAME_DATE)
    print("    -> the Feb 28 file is graded; all.json moved to Mar 1 (Eastern) and carries the season record.")

    demo.step("Mar 1, 09:00 ET", "MLB actuals: three wins and a loss, Yamamoto (held back while halted) included.")
    demo.mlb("2026-03-01T14:00:30Z", "results", "load", "--date", GAME_DATE, "--file",
             demo.file("mlb-results.json", MLB_RESULTS))
    demo.mlb("2026-03-01T14:00:35Z", "grade", "--date", GAME_DATE)
    print("    -> MLB's all.json moved to Mar 1 too; its record counts in MLB's season 2026, apart from NBA's.")

    demo.step("Mar 1, 09:30 ET", "Closing lines arrive: each graded pick gets its closing line value (CLV).")
    demo.run("2026-03-01T14:30:00Z", "closing", "load", "--date", GAME_DATE, "--file", demo.file("closing.json", CLOSING))
    print("    -> Curry bought OVER 26.5, closed 27.5: +1 point of CLV. White was never published: ignored.")

    demo.step("Result", "What users see for Feb 28, and the audit trail of every export.")
    demo.run("2026-03-01T14:31:00Z", "status", "--date", GAME_DATE)
    demo.mlb("2026-03-01T14:31:00Z", "status", "--date", GAME_DATE)
    listing = demo.run("2026-03-01T14:31:00Z", "audit", "list", "--date", GAME_DATE)
    exports = [line.split()[0] for line in listing.splitlines() if " published " in line]
    demo.run("2026-03-01T14:31:00Z", "audit", "diff", exports[0], exports[1])

    demo.step("Verify", "Anyone can check the public files: the hash chain, no pick dropped or changed, the record.")
    demo.run("2026-03-01T14:31:00Z", "verify")
    demo.mlb("2026-03-01T14:31:00Z", "verify")
    tampered = tamper_copy(home)
    print(f"\n    A copy of the bucket where Curry's published line was edited in one snapshot ({tampered.name}/):")
    Demo(tampered).run("2026-03-01T14:31:00Z", "verify", expect=1)

    bucket = home / "bucket" / "v1" / "best-bets"
    mlb_bucket = home / "bucket" / "v1" / "mlb" / "best-bets"
    for prefix in ("v1/best-bets", "v1/mlb/best-bets"):
        print_record(prefix, json.loads(demo.all_json(prefix).read_text()))
    print(f"""
Done. Everything is on disk under {home}/:
  {bucket}/all.json            what the website reads for NBA (today, Eastern, and the season record)
  {mlb_bucket}/all.json        the same for MLB (with halt_active, halt_reason, halt_since)
  {bucket}/{GAME_DATE}.json     every pick ever published for {GAME_DATE} (MLB: {mlb_bucket}/{GAME_DATE}.json)
  {bucket}/history/             one immutable snapshot per published export
  {home}/picklock.sqlite3      ledger, manual commands, audit (same shapes as the BigQuery DDL)
Try:  .venv/bin/picklock --home {home} audit list --date {GAME_DATE}
      .venv/bin/picklock --home {home} audit show {exports[-1]}
      .venv/bin/picklock --home {home} --sport mlb audit list --date {GAME_DATE}
Dashboard:  .venv/bin/picklock --home {home} dashboard   then open http://127.0.0.1:8765/?date={GAME_DATE}
            (MLB: http://127.0.0.1:8765/?sport=mlb&date={GAME_DATE})""")


def tamper_copy(home: Path) -> Path:
    """A copy of the home whose bucket has one snapshot edited: Curry's line 26.5 -> 25.5."""
    copy = home.with_name(home.name + "-tampered")
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(home, copy)
    index = json.loads((copy / "bucket" / "v1" / "best-bets" / "ledger" / f"{GAME_DATE}.json").read_text())
    snapshot = copy / "bucket" / index["versions"][0]["snapshot"]
    snapshot.write_text(snapshot.read_text().replace('"line": 26.5', '"line": 25.5'))
    return copy


def print_record(prefix: str, document: dict) -> None:
    """The season record as the site shows it: win-loss, units and ROI at the posted odds, CLV."""
    def percent(value):
        return "—" if value is None else f"{value:.1%}"

    season, streak = document["record"]["season"], document["streak"]
    print(f"\n  {prefix}/all.json, season {document['season']}: {season['wins']}-{season['losses']}-{season['pushes']}"
          f" ({season['voids']} void), {percent(season['pct'])} won")
    clv = "—" if season["clv_avg"] is None else f"{season['clv_avg']:+.2f}"
    print(f"    units {season['units']:+.2f} over {season['priced']} priced picks, ROI {percent(season['roi'])};"
          f" CLV {clv} points on average,"
          f" beat the close {percent(season['clv_beat_pct'])} of {season['clv_count']}")
    print(f"    streak {streak['kind'] or '—'}{streak['length']}, best {document['best_streak']['length']} wins;"
          f" by tier: " + ", ".join(f"{tier} {w['wins']}-{w['losses']}" for tier, w in document["splits"]["tier"].items()))


def entry() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=Path(".picklock-demo"))
    play(parser.parse_args().home.resolve())


if __name__ == "__main__":
    sys.exit(entry())
