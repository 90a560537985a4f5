"""The eight holes an adversarial run found (issue 10): hostile clocks, edge values, a lost
snapshot. Each test is named after its hole and failed on the code before the fix."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from picklock.adapters.local_publisher import LocalPublisher
from picklock.domain.calendar import MAX_CLOCK_SKEW, format_instant, parse_instant
from picklock.entrypoints import cli
from picklock.entrypoints.functions import Handlers
from picklock.adapters.local_message_publisher import LocalMessagePublisher
from picklock.service_layer.errors import InvalidCommand
from picklock.service_layer.services import PicklockService
from tests.harness.nba_paths import snapshot_name
from picklock.structured_log import configure
from picklock.topics import MANUAL_PICKS, dead_letter_topic

from builders import GAME_DATE, START, TIPOFF, add, crashing, Crash, current_picks, remove, signal, void
from fakes import Clock, make_service
from test_functions import message

REPO = Path(__file__).resolve().parents[2]
DAY = GAME_DATE.isoformat()
UTC = timezone.utc


def picklock(home: Path, *argv: str, now: str | None = "2026-02-28T17:00:00Z") -> tuple[int, str, str]:
    """The CLI in-process against an embedded home: (exit status, stdout, stderr)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        status = cli.main(["--home", str(home), *(["--now", now] if now else []), *argv], out=out)
    return status, out.getvalue(), err.getvalue()


def home_bytes(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


def signal_file(tmp_path: Path, **row) -> Path:
    path = tmp_path / "signal.json"
    base = {"player_lookup": "curry", "team_abbr": "GSW", "opponent_team_abbr": "LAL", "recommendation": "OVER",
            "line_value": 25.5, "system_id": "s1", "algorithm_version": "v1", "rank": 1,
            "game_time": "2026-03-01T00:30:00Z"}
    path.write_text(json.dumps([{**base, **row}]))
    return path


# ---------------------------------------------------------------- 1. instants before year 1000

def test_instant_before_year_1000_cannot_poison_a_date(tmp_path):
    home = tmp_path / "home"
    assert picklock(home, "export", "--date", DAY)[0] == 0
    before = home_bytes(home)
    attempts = [
        ("export", "--date", DAY),
        ("signal", "load", "--date", DAY, "--file", str(signal_file(tmp_path, game_time="0999-06-01T12:00:00Z"))),
    ]
    for argv in attempts:
        status, _, error = picklock(home, *argv, now="0999-06-01T12:00:00Z" if argv[0] == "export" else None)
        assert status == 2 and "outside the accepted range" in error, error
    assert home_bytes(home) == before
    # The date still publishes, and every instant is written with four year digits.
    assert picklock(home, "export", "--date", DAY)[0] == 0
    assert format_instant(datetime(2000, 1, 1, tzinfo=UTC)) == "2000-01-01T00:00:00.000Z"
    assert parse_instant(format_instant(datetime(2099, 12, 31, 23, 59, 59, 999000, tzinfo=UTC))).year == 2099


def test_instant_before_year_1000_in_a_manual_message_is_parked_and_stores_nothing(tmp_path):
    service, store, publisher, clock = make_service()
    dead = LocalMessagePublisher(tmp_path / "messages")
    configure()
    handlers = Handlers(service, dead)
    payload = {"request_id": "r-999", "submitted_at": "0999-06-01T12:00:00Z", "action": "add", "game_date": DAY,
               "player_lookup": "curry", "submitted_by": "ops", "team": "GSW", "opponent": "LAL",
               "direction": "OVER", "line": 25.5}
    handlers.on_manual_pick(message(payload))
    assert store.manual == [] and store.audit == []
    (parked,) = dead.messages(dead_letter_topic(MANUAL_PICKS))
    assert "message.submitted_at" in parked["attributes"]["error"]
    assert "outside the accepted range" in parked["attributes"]["error"]


# ---------------------------------------------------------------- 2. voids under clock skew

@pytest.mark.parametrize("skew_minutes", [-10, -2, 2, 10])
def test_void_issued_while_a_pick_is_visible_takes_effect_whatever_the_clock_skew(skew_minutes):
    """The exporter's clock and the operator's differ by up to 10 minutes either way."""
    service, store, publisher, exporter_clock = make_service()
    service.load_signal(GAME_DATE, [signal("curry")])
    service.export(GAME_DATE, "signal_updated")
    operator_clock = Clock(exporter_clock.now - timedelta(minutes=skew_minutes))
    operator = PicklockService(store, publisher, clock=operator_clock, sleep=lambda s: None)

    assert operator.submit_manual(void("curry", "v1", operator_clock(), reason="injury")).recorded
    exporter_clock.advance(seconds=1)
    service.export(GAME_DATE, "signal_updated")

    (curry,) = current_picks(publisher)
    assert (curry["status"], curry["void_reason"]) == ("voided", "injury")


@pytest.mark.parametrize("skew_minutes", [-10, 10])
def test_void_message_issued_while_a_pick_is_visible_takes_effect_whatever_the_clock_skew(tmp_path, skew_minutes):
    service, store, publisher, clock = make_service()
    handlers = Handlers(service, LocalMessagePublisher(tmp_path / "messages"))
    configure()
    service.load_signal(GAME_DATE, [signal("curry")])
    service.export(GAME_DATE, "signal_updated")
    stamped = format_instant(clock.now - timedelta(minutes=skew_minutes))
    handlers.on_manual_pick(message({"request_id": "v1", "submitted_at": stamped, "action": "void", "game_date": DAY,
                                     "player_lookup": "curry", "submitted_by": "ops", "reason": "injury"}))
    (curry,) = current_picks(publisher)
    assert curry["status"] == "voided"
    assert handlers.dead_letters.messages(dead_letter_topic(MANUAL_PICKS)) == []


def test_void_message_that_cannot_take_effect_is_parked_with_the_reason_not_acknowledged_as_done(tmp_path):
    service, store, publisher, clock = make_service()
    handlers = Handlers(service, LocalMessagePublisher(tmp_path / "messages"))
    configure()
    handlers.on_manual_pick(message({"request_id": "v1", "submitted_at": format_instant(clock.now), "action": "void",
                                     "game_date": DAY, "player_lookup": "curry", "submitted_by": "ops",
                                     "reason": "injury"}))
    (parked,) = handlers.dead_letters.messages(dead_letter_topic(MANUAL_PICKS))
    assert parked["attributes"]["error"] == f"recorded, not in effect: nothing published on {DAY} curry PTS to void"


def test_add_from_a_clock_behind_a_recorded_remove_is_ordered_after_it():
    """Two operators, the second's clock 10 minutes behind: its add, issued after the first's remove,
    still wins (the CLI orders a command after every command already recorded on its key)."""
    service, store, publisher, clock = make_service()
    service.submit_manual(add("m", "a1", clock()))
    service.export(GAME_DATE, "cli")
    service.submit_manual(remove("m", "r1", clock()))
    slow = PicklockService(store, publisher, clock=Clock(clock.now - MAX_CLOCK_SKEW), sleep=lambda s: None)
    slow.submit_manual(add("m", "a2", slow.now(), line=26.5))
    service.export(GAME_DATE, "cli")
    live = [p for p in current_picks(publisher) if p["status"] != "voided"]
    assert [(p["manual_request_id"], p["line"]) for p in live] == [("a2", 26.5)]


# ---------------------------------------------------------------- 3. snapshot lost to a crash

def test_crash_between_the_date_file_and_its_snapshot_is_completed_by_the_next_export():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("curry")])
    with crashing("after_date_file_write", store, publisher), pytest.raises(Crash):
        service.export(GAME_DATE, "signal_updated")
    shown = json.loads(publisher.read(f"v1/best-bets/{DAY}.json")[0])
    assert publisher.read(snapshot_name(GAME_DATE, shown["export_id"]))[0] is None

    clock.advance(minutes=1)
    service.export(GAME_DATE, "signal_updated")
    text, _ = publisher.read(snapshot_name(GAME_DATE, shown["export_id"]))
    assert json.loads(text) == shown


def test_killed_writer_leaves_no_temporary_files_after_the_next_write(tmp_path):
    bucket = LocalPublisher(tmp_path / "bucket")
    bucket.write("v1/best-bets/all.json", "{}", if_generation_match=0)
    leftover = tmp_path / "bucket" / "v1" / "best-bets" / ".all.json.k1ll3d_x.tmp"
    other = tmp_path / "bucket" / "v1" / "best-bets" / ".all.json.x.abcdefgh.tmp"  # another object's
    leftover.write_text("half a file")
    other.write_text("in flight")
    bucket.write("v1/best-bets/all.json", "{}\n", if_generation_match=1)
    assert not leftover.exists() and other.exists()


# ---------------------------------------------------------------- 4. future-dated export

def test_one_future_dated_export_does_not_freeze_all_json(tmp_path):
    home = tmp_path / "home"
    future = "2026-03-03"
    assert picklock(home, "export", "--date", future, now="2026-03-03T15:00:00Z")[0] == 0
    status, out, _ = picklock(home, "export", "--date", DAY)
    assert status == 0 and "all_json_reclaimed" in out
    shown = json.loads((home / "bucket" / "v1" / "best-bets" / "all.json").read_text())
    assert shown["date"] == DAY
    (audit_line,) = [line for line in picklock(home, "audit", "list", "--date", DAY)[1].splitlines()]
    assert "all.json=yes" in audit_line


# ---------------------------------------------------------------- 5. same-millisecond remove

def test_remove_in_the_same_millisecond_as_its_add_wins(tmp_path):
    home = tmp_path / "home"
    add_args = ("manual", "add", "--date", DAY, "--player", "curry", "--team", "GSW", "--opponent", "LAL",
                "--direction", "OVER", "--line", "25.5", "--game-time", "2026-03-01T00:30:00Z")
    assert picklock(home, *add_args, "--request-id", "b-add")[0] == 0
    assert picklock(home, "manual", "remove", "--date", DAY, "--player", "curry", "--request-id", "a-remove")[0] == 0
    assert picklock(home, "export", "--date", DAY)[0] == 0
    shown = json.loads((home / "bucket" / "v1" / "best-bets" / f"{DAY}.json").read_text())
    assert shown["picks"] == []


def test_remove_message_in_the_same_millisecond_as_its_add_wins():
    service, store, publisher, clock = make_service()
    service.submit_manual(add("curry", "b-add", START), check=False)
    service.submit_manual(remove("curry", "a-remove", START), check=False)
    service.export(GAME_DATE, "manual")
    assert current_picks(publisher) == []


# ---------------------------------------------------------------- 6. request_id reused

def test_request_id_reused_for_another_command_is_refused_naming_the_first(tmp_path):
    service, store, publisher, clock = make_service()
    service.submit_manual(add("kd", "fix-1", clock()))
    with pytest.raises(InvalidCommand, match=r"request id fix-1 was already used for add 2026-02-28 kd PTS"):
        service.submit_manual(add("booker", "fix-1", clock()))
    assert [c.player_lookup for c in store.manual] == ["kd"]
    # The same command again is a re-run: nothing new, no error (its stamp may differ).
    clock.advance(minutes=1)
    assert service.submit_manual(add("kd", "fix-1", clock())).recorded is False

    handlers = Handlers(service, LocalMessagePublisher(tmp_path / "messages"))
    configure()
    handlers.on_manual_pick(message({"request_id": "fix-1", "submitted_at": format_instant(clock()), "action": "add",
                                     "game_date": DAY, "player_lookup": "booker", "submitted_by": "ops",
                                     "team": "PHX", "opponent": "LAL", "direction": "OVER", "line": 27.5}))
    (parked,) = handlers.dead_letters.messages(dead_letter_topic(MANUAL_PICKS))
    assert "request id fix-1 was already used for add" in parked["attributes"]["error"]
    assert [c.player_lookup for c in store.manual] == ["kd"]


# ---------------------------------------------------------------- 7. values that overflow

@pytest.mark.parametrize("argv, flag", [
    (("--now", "0001-01-01T00:00:00+01:00", "export", "--date", DAY), "--now"),
    (("--now", "2026-02-28T17:00:00Z", "export", "--date", "0001-01-01"), "--date"),
    (("--now", "2026-02-28T17:00:00Z", "manual", "add", "--date", DAY, "--player", "x", "--team", "GSW",
      "--opponent", "LAL", "--direction", "OVER", "--line", "3", "--game-time", "9999-12-31T23:59:59-05:00"),
     "game_time"),
    (("--now", "2026-02-28T17:00:00Z", "publish", "grading-complete", "--date", DAY, "--graded-count", str(10**30)),
     "graded_count"),
])
def test_values_that_overflow_are_bad_input_not_a_crash(tmp_path, argv, flag):
    home = tmp_path / "home"
    home.mkdir()
    status, _, error = picklock(home, *argv, now=None)
    assert status == 2 and flag in error, error


@pytest.mark.parametrize("row, field", [({"rank": 10**30}, "rank"), ({"rank": 1e300}, "rank"),
                                        ({"game_time": "0001-01-01T00:00:00+01:00"}, "game_time")])
def test_signal_values_that_overflow_are_bad_input_not_a_crash(tmp_path, row, field):
    home = tmp_path / "home"
    assert picklock(home, "export", "--date", DAY)[0] == 0
    before = home_bytes(home)
    status, _, error = picklock(home, "signal", "load", "--date", DAY, "--file", str(signal_file(tmp_path, **row)))
    assert status == 2 and f"[0].{field}" in error, error
    assert home_bytes(home) == before


# ---------------------------------------------------------------- 8. closed standard output

def test_closed_stdout_is_not_a_failure(tmp_path):
    home = tmp_path / "home"
    assert picklock(home, "export", "--date", DAY)[0] == 0
    command = [sys.executable, "-m", "picklock.entrypoints.cli", "--home", str(home), "audit", "list", "--date", DAY]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={"PYTHONPATH": str(REPO / "shared"), "PATH": "/usr/bin:/bin"})
    process.stdout.close()  # the reader went away, as `| head -0` does
    error = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0 and error == "", error
