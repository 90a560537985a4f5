"""Several sports from one deployment (issue 11): sport is part of every key, file and record; a
halt per sport; sports are data (schemas/sports.json)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from picklock.adapters.local_message_publisher import LocalMessagePublisher
from picklock.adapters.sports_file import default_catalogue
from picklock.bootstrap import bootstrap
from picklock.config import Config
from picklock.domain.picks import HaltCommand
from picklock.domain.sports import CatalogueError, catalogue_from_json
from picklock.entrypoints.functions import Handlers
from picklock.service_layer.errors import InvalidCommand
from picklock.structured_log import configure
from picklock.topics import MANUAL_PICKS, dead_letter_topic

from builders import GAME_DATE, START, add, result, signal
from fakes import make_service
from test_functions import message
from test_hostile_inputs import picklock

REPO = Path(__file__).resolve().parents[2]
DAY = GAME_DATE.isoformat()
MLB = default_catalogue().get("mlb")
NBA = default_catalogue().get("nba")


def mlb_signal(player: str, stat: str = "K", line: float = 6.5, **overrides):
    return signal(player, line=line, stat=stat, team="NYY", opponent="BOS", sport="mlb", **overrides)


def halt(request_id: str, at=START, action: str = "halt", reason: str | None = "bad stretch") -> HaltCommand:
    return HaltCommand(request_id, at, action, "mlb", "ops", reason if action == "halt" else None)


def read(publisher, name: str) -> dict:
    text, _ = publisher.read(name)
    return json.loads(text) if text else {}


# ---------------------------------------------------------------- the catalogue

def test_every_sport_of_the_catalogue_has_stats_seasons_and_its_own_paths():
    catalogue = default_catalogue()
    assert catalogue.ids == ("nba", "mlb", "nfl", "nhl", "wnba")
    assert NBA.all_json_name == "v1/best-bets/all.json"  # the live site's path does not move
    assert MLB.all_json_name == "v1/mlb/best-bets/all.json"
    assert {"PTS", "REB", "AST", "3PM", "PRA"} <= set(NBA.stats) and {"K", "H", "TB"} <= set(MLB.stats)
    assert MLB.season(date(2026, 5, 1)).name == "2026" and NBA.season(date(2026, 5, 1)).name == "2025-26"


def test_a_sports_file_naming_an_unknown_time_zone_is_refused_by_bootstrap_and_by_any_today(tmp_path, monkeypatch):
    """`picklock status` reads the catalogue without loading the zone database; everything that
    builds the service checks every zone first, and a sport asked for its "today" says which."""
    schemas = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas", schemas)
    data = json.loads((schemas / "sports.json").read_text())
    data["sports"][1].update(time_zone="Mars/Olympus")
    (schemas / "sports.json").write_text(json.dumps(data))
    catalogue = catalogue_from_json(data)
    with pytest.raises(CatalogueError, match="sport 'mlb': unknown time zone 'Mars/Olympus'"):
        catalogue.get("mlb").today(datetime(2026, 5, 1, tzinfo=timezone.utc))
    monkeypatch.setenv("PICKLOCK_SCHEMA_DIR", str(schemas))
    default_catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="sport 'mlb': unknown time zone"):
            bootstrap(Config(home=str(tmp_path / "home")))
    finally:
        default_catalogue.cache_clear()


@pytest.mark.parametrize("change, problem", [
    (lambda d: d["sports"].append(dict(d["sports"][0])), "unique"),
    (lambda d: d["sports"][1].update(path_prefix="v1/best-bets"), "share a path_prefix"),
    (lambda d: d["sports"][1]["seasons"].reverse(), "overlap or are out of order"),
    (lambda d: d["sports"][1].pop("stats"), "missing or malformed"),
])
def test_a_broken_sports_file_is_refused_naming_the_problem(change, problem):
    data = json.loads((REPO / "schemas" / "sports.json").read_text())
    change(data)
    with pytest.raises(CatalogueError, match=problem):
        catalogue_from_json(data)


def test_adding_a_sport_is_one_entry_in_the_sports_file_and_nothing_else(tmp_path):
    schemas = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas", schemas)
    data = json.loads((schemas / "sports.json").read_text())
    data["sports"].append({"id": "ncaab", "name": "NCAA basketball", "path_prefix": "v1/ncaab/best-bets",
                           "time_zone": "America/Chicago", "stats": ["PTS", "REB"],
                           "seasons": [{"name": "2025-26", "start": "2025-11-01", "end": "2026-04-30"}]})
    (schemas / "sports.json").write_text(json.dumps(data))
    signal_file = tmp_path / "signal.json"
    signal_file.write_text(json.dumps([{"player_lookup": "flagg", "team_abbr": "DUKE", "opponent_team_abbr": "UNC",
                                        "recommendation": "OVER", "line_value": 19.5, "system_id": "s",
                                        "algorithm_version": "v1", "stat": "REB", "game_time": "2026-03-01T01:00:00Z"}]))
    env = {**os.environ, "PICKLOCK_SCHEMA_DIR": str(schemas), "PYTHONPATH": str(REPO / "shared"),
           "PICKLOCK_SPORT": "ncaab", "PICKLOCK_NOW": "2026-02-28T17:00:00Z"}
    home = tmp_path / "home"
    for argv in (["signal", "load", "--date", DAY, "--file", str(signal_file)], ["export", "--date", DAY]):
        done = subprocess.run([sys.executable, "-m", "picklock.entrypoints.cli", "--home", str(home), *argv],
                              env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    shown = json.loads((home / "bucket" / "v1" / "ncaab" / "best-bets" / "all.json").read_text())
    assert (shown["sport"], shown["season"], [p["player_lookup"] for p in shown["today"]]) == (
        "ncaab", "2025-26", ["flagg"])
    assert not (home / "bucket" / "v1" / "best-bets" / "all.json").exists()


# ---------------------------------------------------------------- side by side

def test_nba_and_mlb_side_by_side_have_separate_files_records_and_a_halt_of_their_own():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("curry", rank=1), signal("tatum", stat="REB", line=8.5, rank=2)])
    service.load_signal(GAME_DATE, [mlb_signal("cole", rank=1)], "mlb")
    service.export(GAME_DATE, "signal_updated")
    service.export(GAME_DATE, "signal_updated", "mlb")
    nba, mlb = read(publisher, NBA.all_json_name), read(publisher, MLB.all_json_name)
    assert [(p["player_lookup"], p["stat"], p["sport"]) for p in nba["today"]] == [
        ("curry", "PTS", "nba"), ("tatum", "REB", "nba")]
    assert [(p["player_lookup"], p["stat"], p["sport"]) for p in mlb["today"]] == [("cole", "K", "mlb")]
    assert (nba["season"], mlb["season"]) == ("2025-26", "2026")

    # MLB halts: its all.json says so and keeps updating; NBA is untouched.
    clock.advance(minutes=5)
    assert service.submit_halt(halt("h1", clock())).recorded
    nba_before = publisher.read(NBA.all_json_name)
    late_game = datetime(2026, 3, 1, 3, 10, tzinfo=timezone.utc)  # judge's: 22:10 in New York
    service.load_signal(GAME_DATE, [mlb_signal("cole", rank=1),
                                    mlb_signal("judge", stat="H", line=1.5, rank=2, game_time=late_game)], "mlb")
    service.export(GAME_DATE, "signal_updated", "mlb")
    mlb = read(publisher, MLB.all_json_name)
    assert (mlb["halt_active"], mlb["halt_reason"], mlb["halt_since"]) == (True, "bad stretch", "2026-02-28T17:05:00.000Z")
    assert [p["player_lookup"] for p in mlb["today"]] == ["cole"]  # published stays, nothing new
    with pytest.raises(InvalidCommand, match=r"mlb is halted since 2026-02-28T17:05:00.000Z: bad stretch"):
        service.submit_manual(add("ohtani", "m1", clock(), stat="H", line=1.5, team="LAD", opponent="SF", sport="mlb"))
    service.export(GAME_DATE, "signal_updated")
    assert publisher.read(NBA.all_json_name) == nba_before  # an unchanged NBA export writes nothing

    # Grading and the record keep moving while halted.
    service.load_results(GAME_DATE, [result("cole", 9.0, stat="K", sport="mlb")], "mlb")
    clock.now = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)  # after first pitch, still Feb 28 in New York
    service.grade(GAME_DATE, "mlb")
    mlb = read(publisher, MLB.all_json_name)
    assert (mlb["today"][0]["result"], mlb["record"]["wins"]) == ("WIN", 1)
    assert read(publisher, NBA.all_json_name)["record"]["wins"] == 0

    # A resume clears the banner; games not started are published as usual.
    clock.advance(minutes=5)
    assert service.submit_halt(halt("r1", clock(), "resume")).recorded
    service.export(GAME_DATE, "signal_updated", "mlb")
    mlb = read(publisher, MLB.all_json_name)
    assert (mlb["halt_active"], mlb["halt_reason"], mlb["halt_since"]) == (False, None, None)
    assert [p["player_lookup"] for p in mlb["today"]] == ["cole", "judge"]


def test_a_halt_of_a_halted_sport_and_a_resume_of_a_running_one_record_nothing():
    service, store, publisher, clock = make_service()
    first = service.submit_halt(halt("h1"))
    again = service.submit_halt(halt("h2"))
    assert first.recorded and not again.recorded and again.refusal.startswith("nothing new: mlb is halted since")
    assert service.submit_halt(halt("h1")).recorded is False  # a re-run
    with pytest.raises(InvalidCommand, match="request id h1 was already used for halt mlb"):
        service.submit_halt(halt("h1", reason="another reason"))
    assert service.submit_halt(halt("r1", action="resume")).recorded
    assert service.submit_halt(halt("r2", action="resume")).refusal == "nothing new: mlb is not halted"
    assert [h.request_id for h in store.halts] == ["h1", "r1"]


def test_halt_and_resume_as_manual_picks_messages_and_old_publishers_without_sport(tmp_path):
    service, store, publisher, clock = make_service()
    handlers = Handlers(service, LocalMessagePublisher(tmp_path / "messages"))
    configure()
    handlers.on_manual_pick(message({"request_id": "h1", "submitted_at": "2026-02-28T16:00:00Z", "action": "halt",
                                     "sport": "mlb", "submitted_by": "ops", "reason": "bad stretch"}))
    assert read(publisher, MLB.all_json_name)["halt_active"] is True
    # A publisher older than sports: no `sport`, so NBA's, as before.
    handlers.on_manual_pick(message({"request_id": "a1", "submitted_at": "2026-02-28T16:01:00Z", "action": "add",
                                     "game_date": DAY, "player_lookup": "curry", "submitted_by": "ops",
                                     "team": "GSW", "opponent": "LAL", "direction": "OVER", "line": 25.5}, "m-2"))
    assert [p["player_lookup"] for p in read(publisher, NBA.all_json_name)["today"]] == ["curry"]
    handlers.on_manual_pick(message({"request_id": "r1", "submitted_at": "2026-02-28T16:02:00Z", "action": "resume",
                                     "sport": "mlb", "submitted_by": "ops"}, "m-3"))
    assert read(publisher, MLB.all_json_name)["halt_active"] is False
    assert handlers.dead_letters.messages(dead_letter_topic(MANUAL_PICKS)) == []


@pytest.mark.parametrize("payload, problem", [
    ({"sport": "cricket"}, "unknown sport 'cricket'"),
    ({"sport": "mlb", "stat": "PTS"}, "'PTS' is not a MLB stat"),
    ({"stat": "K"}, "'K' is not a NBA stat"),
])
def test_unknown_sport_or_a_stat_not_of_the_sport_is_parked_naming_it(tmp_path, payload, problem):
    service, store, publisher, clock = make_service()
    handlers = Handlers(service, LocalMessagePublisher(tmp_path / "messages"))
    configure()
    handlers.on_manual_pick(message({"request_id": "a1", "submitted_at": "2026-02-28T16:01:00Z", "action": "add",
                                     "game_date": DAY, "player_lookup": "x", "submitted_by": "ops", "team": "NYY",
                                     "opponent": "BOS", "direction": "OVER", "line": 5.5, **payload}))
    (parked,) = handlers.dead_letters.messages(dead_letter_topic(MANUAL_PICKS))
    assert problem in parked["attributes"]["error"] and store.manual == []


# ---------------------------------------------------------------- the CLI

def test_cli_plays_nba_and_mlb_side_by_side_with_a_halt(tmp_path):
    home = tmp_path / "home"
    mlb_file = tmp_path / "mlb.json"
    mlb_file.write_text(json.dumps([{"player_lookup": "cole", "team_abbr": "NYY", "opponent_team_abbr": "BOS",
                                     "recommendation": "OVER", "line_value": 6.5, "stat": "K", "system_id": "s",
                                     "algorithm_version": "v1", "game_time": "2026-02-28T23:05:00Z"}]))
    assert picklock(home, "--sport", "mlb", "signal", "load", "--date", DAY, "--file", str(mlb_file))[0] == 0
    assert picklock(home, "--sport", "mlb", "export", "--date", DAY)[0] == 0
    status, out, _ = picklock(home, "--sport", "mlb", "halt", "--reason", "bad stretch", "--by", "ops")
    assert status == 0 and "halt mlb: recorded" in out
    status, out, _ = picklock(home, "--sport", "mlb", "halt", "--reason", "again")
    assert status == 0 and "nothing new: mlb is halted since" in out
    status, _, error = picklock(home, "--sport", "mlb", "manual", "add", "--date", DAY, "--player", "judge",
                                "--stat", "H", "--team", "NYY", "--opponent", "BOS", "--direction", "OVER",
                                "--line", "1.5")
    assert status == 2 and "mlb is halted since 2026-02-28T17:00:00.000Z: bad stretch" in error
    status, _, error = picklock(home, "--sport", "cricket", "export", "--date", DAY)
    assert status == 2 and "--sport: unknown sport 'cricket'" in error
    status, _, error = picklock(home, "--sport", "mlb", "void", "--date", DAY, "--player", "cole", "--stat", "PTS",
                                "--reason", "x")
    assert status == 2 and "'PTS' is not a MLB stat" in error
    mlb = json.loads((home / "bucket" / "v1" / "mlb" / "best-bets" / "all.json").read_text())
    assert (mlb["sport"], mlb["halt_active"], [p["player_lookup"] for p in mlb["today"]]) == ("mlb", True, ["cole"])
    assert not (home / "bucket" / "v1" / "best-bets" / "all.json").exists()  # nothing of MLB in NBA's files
    status, out, _ = picklock(home, "--sport", "mlb", "resume")
    assert status == 0 and "resume mlb: recorded" in out
    assert picklock(home, "--sport", "mlb", "resume")[1].startswith("resume mlb: nothing new: mlb is not halted")
