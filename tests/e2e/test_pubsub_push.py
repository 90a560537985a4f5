"""End to end on the emulators: the three functions served by functions-framework, Pub/Sub push
subscriptions (with dead-letter policies) delivering to them, BigQuery and Cloud Storage behind.

One game day, 2026-02-28, with the functions' clock fixed at noon in New York: yesterday's slate
was published the day before; a signal update, a manual pick, its redelivery, a poison message
and yesterday's grading each arrive through Pub/Sub, and the bucket and the audit table show it.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, time as clock_time, timedelta, timezone
from functools import cached_property
from pathlib import Path

import pytest

from picklock.adapters.pubsub import pull
from picklock.adapters.sports_file import default_catalogue
from picklock.bootstrap import bootstrap
from picklock.config import Config
from picklock.domain.picks import GameResult, SignalRow
from picklock.domain.render import sha256
from tests.harness.nba_paths import ALL_JSON, date_file_name
from picklock.topics import GRADING_COMPLETE, MANUAL_PICKS, SIGNAL_UPDATED, dead_letter_subscription
from tests.harness.localstack import LocalStack

pytestmark = pytest.mark.emulators

TODAY, YESTERDAY = date(2026, 2, 28), date(2026, 2, 27)
NOW = "2026-02-28T17:00:00Z"  # noon in New York, before tip-off


def tip_off(game_date: date) -> datetime:
    """19:30 in New York."""
    return datetime.combine(game_date + timedelta(days=1), clock_time(0, 30), tzinfo=timezone.utc)


def signal_row(game_date: date, player: str, direction: str, line: float, rank: int) -> SignalRow:
    return SignalRow(game_date, player, "BOS", "NYK", direction, line, "catboost_v9", "v9",
                     game_time=tip_off(game_date), rank=rank, edge=2.5, player_name=player.title())


GUI_SANTOS = {
    "request_id": "req-gui-santos-1", "submitted_at": "2026-02-28T16:30:00Z", "action": "add",
    "game_date": "2026-02-28", "player_lookup": "guisantos", "stat": "PTS", "submitted_by": "ops",
    "player_name": "Gui Santos", "team": "GSW", "opponent": "LAL", "direction": "OVER", "line": 13.5,
}


@pytest.fixture(scope="module")
def stack(emulators, tmp_path_factory):
    local = LocalStack(emulators.env, tmp_path_factory.mktemp("functions"), project=f"e2e-{os.urandom(4).hex()}",
                       now=NOW)
    with local:
        publish_yesterdays_slate(local.config)
        yield local


def publish_yesterdays_slate(config: Config) -> None:
    """What the functions did the day before, done here with yesterday's clock."""
    service = bootstrap(config._replace(now="2026-02-27T17:00:00Z"))
    service.load_signal(YESTERDAY, [signal_row(YESTERDAY, "jaysontatum", "OVER", 27.5, 1),
                                    signal_row(YESTERDAY, "jalenbrunson", "UNDER", 25.5, 2)])
    service.export(YESTERDAY, "signal_updated")


def picks_of(document: dict) -> dict[str, dict]:
    """The picks of all.json (`today`) or of a per-date file (`picks`), by player."""
    return {p["player_lookup"]: p for p in document.get("today", document.get("picks"))}


def test_a_game_day_through_pubsub_push(stack):
    # Signal update: the function exports today's picks.
    stack.store.replace_signal(TODAY, [signal_row(TODAY, "nikolajokic", "OVER", 24.5, 1),
                                       signal_row(TODAY, "stephcurry", "UNDER", 28.5, 2)])
    stack.pubsub.publish(SIGNAL_UPDATED, {"game_date": "2026-02-28", "run_id": "run-1"})
    # The audit row is an export's last step: once it is there, the files are written.
    (audit,) = stack.wait_for("the signal_updated export's audit row", lambda: [
        a for a in stack.store.audit_records(TODAY) if a.trigger_source == "signal_updated"])
    document, _ = stack.read(ALL_JSON)
    assert (document["date"], set(picks_of(document))) == ("2026-02-28", {"nikolajokic", "stephcurry"})
    assert audit.outcome == "published" and audit.all_json_written
    assert audit.all_json_sha256 == sha256(stack.bucket.blob(ALL_JSON).download_as_text())

    # A manual pick sent through Pub/Sub.
    stack.pubsub.publish(MANUAL_PICKS, GUI_SANTOS)
    stack.wait_for("the manual export's audit row", lambda: [a for a in stack.store.audit_records(TODAY) if a.trigger_source == "manual"])
    document, generation = stack.read(ALL_JSON)
    gui = picks_of(document)["guisantos"]
    assert (gui["source"], gui["direction"], gui["line"], gui["team"], gui["opponent"]) == (
        "manual", "OVER", 13.5, "GSW", "LAL")
    assert set(picks_of(document)) == {"nikolajokic", "stephcurry", "guisantos"}

    # The same command redelivered: recorded once, exported as unchanged, no new all.json version.
    stack.pubsub.publish(MANUAL_PICKS, GUI_SANTOS)
    stack.wait_for("the redelivery's unchanged export", lambda: [
        a for a in stack.store.audit_records(TODAY) if a.trigger_source == "manual" and a.outcome == "unchanged"])
    assert stack.read(ALL_JSON)[1] == generation
    assert len(stack.store.load_export_inputs(TODAY).merge.manual) == 1
    # (in any order: with the clock fixed, audit rows of one date tie on exported_at)
    assert sorted(a.outcome for a in stack.store.audit_records(TODAY) if a.trigger_source == "manual") == ["published", "unchanged"]

    # Grading yesterday: its file is graded, all.json still shows today (G8) with the season record.
    stack.store.replace_results(YESTERDAY, [GameResult(YESTERDAY, "jaysontatum", "PTS", 31.0),
                                            GameResult(YESTERDAY, "jalenbrunson", "PTS", None)])
    stack.pubsub.publish(GRADING_COMPLETE, {"game_date": "2026-02-27", "status": "complete", "graded_count": 2})
    graded, _ = stack.wait_for("yesterday's file graded", lambda: (d := stack.read(date_file_name(YESTERDAY)))
                               and all(p["result"] for p in d[0]["picks"]) and d)
    assert {k: (p["result"], p["actual"]) for k, p in picks_of(graded).items()} == {
        "jaysontatum": ("WIN", 31.0), "jalenbrunson": ("VOID", None)}
    stack.wait_for("the post-grading export of today", lambda: [
        a for a in stack.store.audit_records(TODAY) if a.trigger_source == "post_grading"])
    document, _ = stack.read(ALL_JSON)
    assert document["date"] == "2026-02-28"
    assert set(picks_of(document)) == {"nikolajokic", "stephcurry", "guisantos"}
    assert [a.trigger_source for a in stack.store.audit_records(YESTERDAY)] == ["signal_updated", "post_grading"]


def test_a_poison_message_is_parked_on_the_dead_letter_topic_and_changes_nothing(stack):
    before = (stack.read(ALL_JSON), len(stack.store.audit_records(TODAY)),
              len(stack.store.load_export_inputs(TODAY).merge.manual))

    message_id = stack.pubsub.publish_bytes(MANUAL_PICKS, json.dumps({**GUI_SANTOS, "line": "13.5"}).encode())

    (parked,) = stack.wait_for("the dead letter", lambda: pull(stack.project, dead_letter_subscription(MANUAL_PICKS),
                                                               timeout=1.0))
    assert json.loads(parked.data)["line"] == "13.5"  # the original body
    assert parked.attributes["source_topic"] == MANUAL_PICKS
    assert parked.attributes["message_id"] == message_id
    assert "message.line: '13.5' is not of type 'number'" in parked.attributes["error"]
    assert "CloudPubSubDeadLetterSourceDeliveryCount" not in parked.attributes  # the handler parked it: no retries
    after = (stack.read(ALL_JSON), len(stack.store.audit_records(TODAY)),
             len(stack.store.load_export_inputs(TODAY).merge.manual))
    assert after == before
    log_lines = [json.loads(line) for line in stack.functions[MANUAL_PICKS].log_text().splitlines()
                 if line.startswith("{")]
    assert any(entry["severity"] == "ERROR" and entry.get("message_id") == message_id
               and entry.get("topic") == MANUAL_PICKS and "13.5" in entry["error"] for entry in log_lines)


def test_nba_and_mlb_side_by_side_through_the_same_functions_with_an_mlb_halt(stack):
    """One deployment, two sports: separate files and records, a halt of MLB shown in its all.json
    while NBA is unaffected, then a resume."""
    mlb = default_catalogue().get("mlb")
    mlb_all = mlb.all_json_name

    def mlb_row(player: str, stat: str, line: float, rank: int) -> SignalRow:
        return replace(signal_row(TODAY, player, "OVER", line, rank), stat=stat, team="NYY", opponent="BOS",
                       sport="mlb")

    def exports(sport: str, trigger: str) -> list:
        return [a for a in stack.store.audit_records(TODAY, sport) if a.trigger_source == trigger]

    stack.store.replace_signal(TODAY, [mlb_row("garritcole", "K", 6.5, 1)], "mlb")
    stack.pubsub.publish(SIGNAL_UPDATED, {"game_date": "2026-02-28", "sport": "mlb", "run_id": "mlb-1"})
    stack.wait_for("MLB's first export", lambda: exports("mlb", "signal_updated"))
    document, _ = stack.read(mlb_all)
    assert (document["sport"], document["season"], set(picks_of(document))) == ("mlb", "2026", {"garritcole"})
    assert picks_of(document)["garritcole"]["stat"] == "K"
    nba_before, _ = stack.read(ALL_JSON)
    assert "garritcole" not in picks_of(nba_before) and nba_before["sport"] == "nba"

    stack.pubsub.publish(MANUAL_PICKS, {"request_id": "halt-mlb-1", "submitted_at": "2026-02-28T16:45:00Z",
                                        "action": "halt", "sport": "mlb", "submitted_by": "ops",
                                        "reason": "bad stretch"})
    halted, _ = stack.wait_for("MLB's halt banner", lambda: (d := stack.read(mlb_all)) and d[0]["halt_active"] and d)
    assert (halted["halt_reason"], halted["halt_since"]) == ("bad stretch", "2026-02-28T16:45:00.000Z")

    stack.store.replace_signal(TODAY, [mlb_row("garritcole", "K", 6.5, 1), mlb_row("aaronjudge", "H", 1.5, 2)],
                               "mlb")
    stack.pubsub.publish(SIGNAL_UPDATED, {"game_date": "2026-02-28", "sport": "mlb", "run_id": "mlb-2"})
    stack.wait_for("MLB's export while halted", lambda: len(exports("mlb", "signal_updated")) == 2)
    assert set(picks_of(stack.read(mlb_all)[0])) == {"garritcole"}  # nothing new while halted
    assert stack.read(ALL_JSON)[0]["halt_active"] is False  # NBA unaffected

    stack.pubsub.publish(MANUAL_PICKS, {"request_id": "resume-mlb-1", "submitted_at": "2026-02-28T16:50:00Z",
                                        "action": "resume", "sport": "mlb", "submitted_by": "ops"})
    resumed, _ = stack.wait_for("MLB resumed", lambda: (d := stack.read(mlb_all)) and not d[0]["halt_active"]
                                and "aaronjudge" in picks_of(d[0]) and d)
    assert (resumed["halt_reason"], resumed["halt_since"]) == (None, None)


# ---------------------------------------------------------------- the CLI against the stack

def cli(stack, tmp_path, *argv, env_file: bool = True) -> subprocess.CompletedProcess:
    """`picklock` in its own process, pointed at the stack by the file `make dev` writes (--env)."""
    dev_env = tmp_path / "dev.env"
    dev_env.write_text("".join(f"export {name}={value}\n" for name, value in sorted(stack.env.items())))
    options = ["--env", str(dev_env)] if env_file else ["--home", str(tmp_path / "embedded")]
    return subprocess.run([sys.executable, "-m", "picklock.entrypoints.cli", *options, *argv], capture_output=True,
                          text=True, timeout=120, env={"PATH": os.environ["PATH"], "PYTHONPATH": str(SOURCE)})


SOURCE = Path(__file__).resolve().parents[2] / "shared"


def test_the_cli_waits_for_outcomes_lists_and_replays_dead_letters(stack, tmp_path):
    day = "2026-02-28"
    published = cli(stack, tmp_path, "publish", SIGNAL_UPDATED, "--date", day, "--wait", "60")
    assert published.returncode == 0, published.stderr
    assert "published to signal-updated as message" in published.stdout and "  export 2026-02-28." in published.stdout

    # Over a published algorithm pick: recorded, not in effect, parked; --wait says so and exits 1.
    bootstrap(stack.config).load_signal(TODAY, [signal_row(TODAY, "kevindurant", "OVER", 26.5, 9)])
    bootstrap(stack.config).export(TODAY, "signal_updated")
    add = ("manual", "add", "--via", "pubsub", "--date", day, "--player", "kevindurant", "--team", "PHX",
           "--opponent", "DEN", "--direction", "UNDER", "--line", "26.5", "--request-id", "req-kd-1", "--wait", "60")
    refused = cli(stack, tmp_path, *add)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "parked on manual-picks-dead-letter: recorded, not in effect:" in refused.stdout
    message_id = refused.stdout.split("as message ")[1].split()[0]

    listed = cli(stack, tmp_path, "dead-letters", "list", "--topic", MANUAL_PICKS)
    assert listed.returncode == 0 and message_id in listed.stdout and "void it first" in listed.stdout
    assert message_id in cli(stack, tmp_path, "dead-letters", "list", "--topic", MANUAL_PICKS).stdout  # a peek

    # Replayed (say, after a fix): republished to its topic, taken off the dead-letter queue, and
    # delivered to the function again, which finds the command recorded and exports. Nothing was
    # fixed here, so that export refuses the add again and the replay is parked under its own id.
    replayed = cli(stack, tmp_path, "dead-letters", "replay", "--topic", MANUAL_PICKS, "--message-id", message_id)
    assert replayed.returncode == 0 and replayed.stdout.startswith(f"replayed {message_id} to {MANUAL_PICKS} as message ")
    new_id = replayed.stdout.split("as message ")[1].strip()
    log = stack.functions[MANUAL_PICKS].log
    deadline = time.monotonic() + 60
    def parked_again() -> list[dict]:
        return [json.loads(line) for line in log.read_text().splitlines()
                if line.startswith("{") and "message parked on" in line and f'"message_id": "{new_id}"' in line]
    while time.monotonic() < deadline and not parked_again():
        time.sleep(0.5)
    again = [json.loads(line) for line in log.read_text().splitlines() if "already recorded (request req-kd-1)" in line]
    assert [line["message_id"] for line in again] == [new_id] and len(parked_again()) == 1
    listed_ids = [line.split()[0] for line in cli(stack, tmp_path, "dead-letters", "list", "--topic",
                                                  MANUAL_PICKS).stdout.splitlines() if line.startswith("  ")
                  and not line.startswith("    ")]
    assert listed_ids == [new_id]  # ids are short numbers on the emulator: compared whole, not as substrings
    missing = cli(stack, tmp_path, "dead-letters", "replay", "--topic", MANUAL_PICKS, "--message-id", message_id)
    assert (missing.returncode, missing.stdout.strip()) == (1, f"not parked on {MANUAL_PICKS}-dead-letter: {message_id}")


def test_without_a_stack_the_cli_refuses_what_needs_one(stack, tmp_path):
    for argv in (("publish", SIGNAL_UPDATED, "--date", "2026-02-28"), ("dead-letters", "list"),
                 ("void", "--via", "pubsub", "--date", "2026-02-28", "--player", "x", "--reason", "r")):
        refused = cli(stack, tmp_path, *argv, env_file=False)
        assert refused.returncode == 2, refused.stderr
        assert "needs a running stack" in refused.stderr and "PICKLOCK_BACKEND=gcp" in refused.stderr
    assert not (tmp_path / "embedded" / "messages").exists()  # nothing published anywhere
