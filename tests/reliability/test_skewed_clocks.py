"""Operators' intent and G1/G2 when the machines' clocks disagree: several exporters and operators
over the same store and bucket, each a PicklockService with its own clock, up to MAX_CLOCK_SKEW
(10 minutes) off the true time either way (so two of them up to 20 minutes apart), two of them
frozen (a pinned --now / PICKLOCK_NOW).

Round after round, at once: 2-4 exporters export the date with mixed triggers (the signal rewritten
before every other round and, every fourth round, while it runs), and operators act on what they see in
the per-date file: void a live pick, remove a live manual pick, add a manual pick on a fresh key,
or re-add one on a key whose pick they voided or removed earlier. Each command goes through the
operator CLI on the operator's machine (`picklock void|manual ...`, checked, sometimes with
--export) or as a manual-picks message through the Cloud Function handler, on an exporter's
machine (its submitted_at stamped by the operator's clock, the export by the function's). A handler
whose export lost every race is redelivered, as Pub/Sub would.

`submitted_at` comes from one clock and `first_published_at` from another, so without the targets
a void or remove records (the pick ids and add request ids live on its key when it was recorded)
a void stamped by a slow clock would miss a pick a fast exporter published before it; without the
CLI restamping a command after those already recorded on its key, a re-add from a slow clock would
land before the remove it follows. The negative controls at the end show the checks notice both.

Checked at the end, over every version of the per-date file and all.json:
- every void and remove issued while its pick was visible took effect (0 voids lost), and a void
  is never undone in a later version;
- every add and re-add the CLI accepted or a message carried is published (0 adds lost);
- no published pick disappeared (0 locks lost), none of their published fields changed, no two
  live picks on a key, every version audited; no command refused, no message parked.
"""
from __future__ import annotations

import base64
import functools
import io
import itertools
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from picklock.domain.calendar import MAX_CLOCK_SKEW, format_instant
from picklock.domain.export import TRIGGERS
from picklock.entrypoints.cli import build_parser, run
from picklock.entrypoints.functions import Handlers
from picklock.service_layer import services
from picklock.service_layer.errors import InvalidCommand
from picklock.service_layer.services import ExportConflict, PicklockService
from picklock.topics import MANUAL_PICKS, encode_message

from tests.harness.nba_paths import ALL_JSON
from tests.reliability.conftest import Backend
from tests.reliability.support import (
    DATE_FILE, GAME_DATE, OPENING, RecordingPublisher, WriteLog, changed_published_fields, date_versions, entries,
    live_duplicates, lost_locks, record_figures, scaled, signal_run, unaudited,
)

MINUTE = timedelta(minutes=1)
# True time runs over SPAN in the run; the frozen clocks sit in its middle, so that they too stay
# within MAX_CLOCK_SKEW of it.
SPAN = 12 * MINUTE
FROZEN_AT = OPENING + SPAN / 2
EXPORTER_CLOCKS = (-MAX_CLOCK_SKEW, -6 * MINUTE, -2 * MINUTE, 3 * MINUTE, 7 * MINUTE, MAX_CLOCK_SKEW, None)  # None: frozen
OPERATOR_CLOCKS = (-MAX_CLOCK_SKEW, -4 * MINUTE, 5 * MINUTE, MAX_CLOCK_SKEW, None)
ACTION_TIMEOUT_SECONDS = 120
REDELIVERIES = 5


class Timeline:
    """The true time: the slate's morning, moved on between rounds. Each machine's clock reads it
    through its offset, a millisecond later at each reading (distinct instants, as a real clock)."""

    def __init__(self):
        self.now = OPENING

    def clock(self, offset: timedelta | None):
        if offset is None:
            return lambda: FROZEN_AT  # a pinned --now: every reading the same instant
        ticks = itertools.count()
        return lambda: self.now + offset + next(ticks) * timedelta(milliseconds=1)


class Outbox:
    """The dead-letter publisher of the handlers (thread-safe)."""

    def __init__(self):
        self.parked: list[tuple[str, bytes, dict]] = []
        self.lock = threading.Lock()

    def publish_bytes(self, topic, data, attributes=None):
        with self.lock:
            self.parked.append((topic, data, dict(attributes or {})))
            return str(len(self.parked))


@dataclass(frozen=True)
class Command:
    """One operator action, planned from what the operator saw."""
    kind: str  # void, remove, add (a fresh key), readd (a key the operators withdrew)
    operator: int  # index in OPERATOR_CLOCKS
    via: str  # cli, or message (run by the function on exporter `handler`)
    request_id: str
    player: str
    stat: str = "PTS"
    target: str | None = None  # void / remove: the pick id the operator saw live
    export: bool = False  # cli: --export
    handler: int = 0  # message: index in EXPORTER_CLOCKS

    @property
    def action(self) -> str:
        return "add" if self.kind == "readd" else self.kind


@dataclass
class Run:
    """Figures and problems of one skewed-clock run."""
    outcomes: Counter = field(default_factory=Counter)
    commands: Counter = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)
    redelivered: int = 0
    voids_lost: list[str] = field(default_factory=list)
    adds_lost: list[str] = field(default_factory=list)
    unvoided: list[str] = field(default_factory=list)
    locks_lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    refrozen: list[str] = field(default_factory=list)
    not_audited: list[str] = field(default_factory=list)
    parked: list[str] = field(default_factory=list)
    versions: int = 0
    audited: Counter = field(default_factory=Counter)  # every export of the date, by outcome
    converged: bool = False

    def violations(self) -> int:
        return sum(map(len, (self.voids_lost, self.adds_lost, self.unvoided, self.duplicates, self.refrozen,
                             self.not_audited, self.parked, self.refused))) + (not self.converged)


def cli(service: PicklockService, *argv: str) -> str:
    """`picklock ...` on the operator's machine: its own clock stamps the command."""
    out = io.StringIO()
    run(build_parser().parse_args(list(argv)), service, out)
    return out.getvalue()


def message(command: Command, submitted_at: datetime) -> SimpleNamespace:
    """The manual-picks push a Cloud Function receives; submitted_at from the operator's clock."""
    payload = {"request_id": command.request_id, "submitted_at": format_instant(submitted_at),
               "action": command.action, "game_date": GAME_DATE.isoformat(), "player_lookup": command.player,
               "stat": command.stat, "submitted_by": f"operator{command.operator}"}
    if command.action == "void":
        payload["reason"] = "skewed void"
    elif command.action == "add":
        payload.update(team="LAL", opponent="GSW", direction="OVER", line=12.5, player_name=command.player.title())
    data = base64.b64encode(encode_message(payload)).decode("ascii")
    return SimpleNamespace(data={"message": {"data": data, "messageId": f"m-{command.request_id}", "attributes": {}},
                                 "subscription": f"projects/p/subscriptions/{MANUAL_PICKS}-push"})


def cli_argv(command: Command) -> list[str]:
    key = ["--date", GAME_DATE.isoformat(), "--player", command.player, "--stat", command.stat]
    common = ["--by", f"operator{command.operator}", "--request-id", command.request_id] + (
        ["--export"] if command.export else [])
    if command.action == "void":
        return ["void", *key, "--reason", "skewed void", *common]
    if command.action == "remove":
        return ["manual", "remove", *key, *common]
    return ["manual", "add", *key, "--team", "LAL", "--opponent", "GSW", "--direction", "UNDER", "--line", "9.5",
            "--player-name", command.player.title(), *common]


def plan(rng: random.Random, round_number: int, view: list[dict], issued: list[Command],
         fresh: itertools.count) -> list[Command]:
    """1-3 operators act on the per-date file they read: never twice on one pick, nor on one key
    in a round, nor re-add a key twice (then every command is one the rules accept, and a refusal
    is a finding). A key may be re-added once the file shows what the operators withdrew there
    voided, with no live pick, and no add on it still waiting for an export."""
    targeted = {c.target for c in issued if c.target}
    live = [e for e in view if e["status"] != "voided" and e["pick_id"] not in targeted]
    shown_requests = {e["manual_request_id"] for e in view}
    waiting = {c.player for c in issued if c.action == "add" and c.request_id not in shown_requests}
    withdrawn = {e["player_lookup"] for e in view if e["status"] == "voided" and e["pick_id"] in targeted}
    readdable = sorted(withdrawn - {e["player_lookup"] for e in view if e["status"] != "voided"} - waiting)
    commands, busy = [], set()
    for index, operator in enumerate(rng.sample(range(len(OPERATOR_CLOCKS)), rng.randint(1, 3))):
        choices = ["add"]
        if [e for e in live if e["player_lookup"] not in busy]:
            choices += ["void", "void"]
        if [e for e in live if e["source"] == "manual" and e["player_lookup"] not in busy]:
            choices += ["remove"]
        if [k for k in readdable if k not in busy]:
            choices += ["readd"]
        kind = rng.choice(choices)
        # Messages keep their stamp, so a re-add from a slow clock would rightly lose to the
        # remove before it: re-adds go through the CLI, which orders them after it.
        via = "cli" if kind == "readd" else rng.choice(("cli", "message"))
        common = dict(export=via == "cli" and rng.random() < 0.3, handler=rng.randrange(len(EXPORTER_CLOCKS)))
        request_id = f"r{round_number}-{index}-{kind}"
        if kind in ("void", "remove"):
            entry = rng.choice([e for e in live if e["player_lookup"] not in busy
                                and (kind == "void" or e["source"] == "manual")])
            command = Command(kind, operator, via, request_id, entry["player_lookup"], entry["stat"],
                              target=entry["pick_id"], **common)
        elif kind == "readd":
            command = Command(kind, operator, via, request_id, rng.choice([k for k in readdable if k not in busy]),
                              **common)
        else:
            command = Command(kind, operator, via, request_id, f"bench{next(fresh)}", **common)
        busy.add(command.player)
        commands.append(command)
    return commands


class Together:
    """Releases a round's actions at once (concurrent), or lets each run when called (in turn)."""

    def __init__(self, parties: int, concurrent: bool):
        self.barrier = threading.Barrier(parties) if concurrent else None

    def wait(self):
        if self.barrier is not None:
            self.barrier.wait(timeout=ACTION_TIMEOUT_SECONDS)


def play(backend: Backend, rounds: int, seed: int, *, concurrent: bool = True) -> Run:
    """The skewed-clock day. `concurrent`: each round's actions at once, on threads; otherwise one
    after another in a shuffled order (deterministic for a seed: the negative controls)."""
    rng = random.Random(seed)
    timeline = Timeline()
    log = WriteLog()

    def service(offset):
        return PicklockService(backend.store(), RecordingPublisher(backend.publisher(), log),
                               clock=timeline.clock(offset))

    exporters = [service(offset) for offset in EXPORTER_CLOCKS]
    operators = [service(offset) for offset in OPERATOR_CLOCKS]
    pipeline = operators[0]  # loads the signal (upstream; no clock involved)
    outbox = Outbox()
    result = Run()
    fresh = itertools.count()
    issued: list[Command] = []
    accepted_adds: list[Command] = []
    lock = threading.Lock()

    def export(exporter: PicklockService, trigger: str, start: Together):
        start.wait()
        try:
            return exporter.export(GAME_DATE, trigger).plan.outcome
        except ExportConflict:  # lost every race: a later export covers it
            return "conflict"

    def rewrite(rows, delay: float, start: Together):
        start.wait()
        time.sleep(delay)
        pipeline.load_signal(GAME_DATE, rows)
        return "signal"

    def act(command: Command, start: Together):
        start.wait()
        operator = operators[command.operator]
        if command.via == "cli":
            try:
                cli(operator, *cli_argv(command))
            except InvalidCommand as refusal:
                with lock:
                    result.refused.append(f"{command.request_id}: {refusal}")
                return "command refused"
            except ExportConflict:  # recorded; its --export lost every race: a later export applies it
                return "command recorded, its export gave up"
            return "command recorded"
        submitted_at = operator.now()
        function = Handlers(exporters[command.handler], outbox)
        for _ in range(REDELIVERIES):
            try:
                function.on_manual_pick(message(command, submitted_at))
                return "command delivered"
            except ExportConflict:  # the function failed after recording: Pub/Sub redelivers
                with lock:
                    result.redelivered += 1
        return "command delivered, every export gave up"

    with ThreadPoolExecutor(len(exporters) + 4) as pool:
        for round_number in range(rounds):
            timeline.now = OPENING + SPAN * round_number / max(1, rounds - 1)
            if round_number % 2 == 0:  # a pipeline run every other round; another one lands during every fourth
                pipeline.load_signal(GAME_DATE, signal_run(rng, round_number))
            published = pipeline.published(GAME_DATE)
            view = published.data["picks"] if published else []  # what the operators see
            commands = plan(rng, round_number, view, issued, fresh)
            tasks = [functools.partial(export, exporter, rng.choice(TRIGGERS))
                     for exporter in rng.sample(exporters, rng.randint(2, 4))]
            tasks += [functools.partial(act, command) for command in commands]
            if round_number % 4 == 1:
                tasks.append(functools.partial(rewrite, signal_run(rng, round_number),
                                               rng.uniform(0, 0.3) if concurrent else 0))
            start = Together(len(tasks), concurrent)
            if concurrent:
                futures = [pool.submit(task, start) for task in tasks]
                outcomes = [future.result(timeout=ACTION_TIMEOUT_SECONDS) for future in futures]
            else:
                order = rng.sample(range(len(tasks)), len(tasks))
                done = {index: tasks[index](start) for index in order}
                outcomes = [done[index] for index in range(len(tasks))]
            result.outcomes.update(outcomes)
            for command in commands:
                result.commands[f"{command.kind} by {command.via}"] += 1
                issued.append(command)
            accepted_adds += [c for c in commands if c.action == "add" and
                              not any(r.startswith(f"{c.request_id}:") for r in result.refused)]

    # The day goes on: the next scheduled export, on the slowest clock, applies whatever the last
    # round left to do; a further one, on the fastest, finds nothing to change.
    timeline.now = OPENING + SPAN
    result.outcomes[exporters[0].export(GAME_DATE, "scheduled").plan.outcome] += 1
    result.converged = exporters[EXPORTER_CLOCKS.index(MAX_CLOCK_SKEW)].export(
        GAME_DATE, "scheduled").plan.outcome == "unchanged"

    date_writes, all_json_writes = date_versions(log)
    texts = [w.text for w in date_writes], [w.text for w in all_json_writes]
    final_date = pipeline.publisher.read(DATE_FILE)[0]
    final_all = pipeline.publisher.read(ALL_JSON)[0]
    final = {e["pick_id"]: e for e in entries(final_date)}
    result.versions = len(date_writes) + len(all_json_writes)
    result.locks_lost = lost_locks(texts[0]) + lost_locks(texts[1])
    ever_shown = {e["pick_id"] for text in texts[0] + texts[1] for e in entries(text)}
    result.locks_lost += [f"{pick_id} not in the final files" for pick_id in sorted(ever_shown)
                          if pick_id not in final or pick_id not in {e["pick_id"] for e in entries(final_all)}]
    result.duplicates = live_duplicates(texts[0] + texts[1])
    result.refrozen = changed_published_fields(texts[0] + texts[1])
    records = pipeline.audit_records(GAME_DATE)
    result.audited.update(record.outcome for record in records)
    result.not_audited = unaudited(date_writes + all_json_writes, records)
    result.voids_lost = [f"{c.action} {c.request_id} of {c.target} (seen live): {final.get(c.target, {}).get('status')}"
                         for c in issued if c.target is not None and final.get(c.target, {}).get("status") != "voided"]
    published_requests = {e["manual_request_id"] for e in final.values()}
    result.adds_lost = [f"add {c.request_id} on {c.player} ({c.via})" for c in accepted_adds
                        if c.request_id not in published_requests]
    for texts_of_file in texts:
        voided: set[str] = set()
        for index, text in enumerate(texts_of_file):
            status = {e["pick_id"]: e["status"] for e in entries(text)}
            result.unvoided += [f"version {index}: {pick_id} live again" for pick_id in sorted(voided)
                                if status.get(pick_id) != "voided"]
            voided |= {pick_id for pick_id, s in status.items() if s == "voided"}
    result.parked = [attributes["error"] for _, _, attributes in outbox.parked]
    return result


def report(name: str, backend: str, rounds: int, result: Run, seconds: float) -> None:
    commands = result.commands
    by_kind = Counter()
    for kind_via, count in commands.items():
        by_kind[kind_via.split(" by ")[0]] += count
    record_figures(
        name, backend=backend, rounds=rounds, exporters=len(EXPORTER_CLOCKS), operators=len(OPERATOR_CLOCKS),
        max_skew_minutes=int(MAX_CLOCK_SKEW / MINUTE),
        exports=result.audited["published"] + result.audited["unchanged"], published=result.audited["published"],
        unchanged=result.audited["unchanged"],
        gave_up=result.outcomes["conflict"] + result.outcomes["command recorded, its export gave up"]
        + result.outcomes["command delivered, every export gave up"],
        commands=sum(commands.values()),
        voids=by_kind["void"], removes=by_kind["remove"], adds=by_kind["add"], readds=by_kind["readd"],
        by_cli=sum(n for k, n in commands.items() if k.endswith("by cli")),
        by_message=sum(n for k, n in commands.items() if k.endswith("by message")),
        redelivered=result.redelivered, versions_checked=result.versions,
        voids_lost=len(result.voids_lost), adds_lost=len(result.adds_lost), locks_lost=len(result.locks_lost),
        live_duplicates=len(result.duplicates), refused=len(result.refused), parked=len(result.parked),
        violations=result.violations(), seconds=round(seconds, 1),
    )


def check(result: Run) -> None:
    assert not result.voids_lost, result.voids_lost
    assert not result.refused, result.refused
    assert not result.parked, result.parked
    assert not result.adds_lost, result.adds_lost
    assert not result.unvoided, result.unvoided
    assert not result.locks_lost, result.locks_lost
    assert not result.duplicates, result.duplicates
    assert not result.refrozen, result.refrozen
    assert not result.not_audited, result.not_audited
    assert result.converged
    assert result.commands and result.audited["published"] >= 2  # this was not a run of no-ops


def test_skewed_clocks_lose_no_void_and_no_lock(embedded):
    rounds = scaled(8, 40)
    started = time.monotonic()
    result = play(embedded, rounds, seed=11)
    report("skewed clocks (embedded)", "embedded", rounds, result, time.monotonic() - started)
    check(result)


@pytest.mark.emulators
def test_skewed_clocks_lose_no_void_and_no_lock_on_the_emulators(cloud):
    rounds = scaled(2, 10)
    started = time.monotonic()
    result = play(cloud, rounds, seed=12)
    report("skewed clocks (emulators)", "emulators", rounds, result, time.monotonic() - started)
    check(result)


# -- negative controls: the checks notice the mechanisms' absence ---------------------------------
# The rounds run in turn here, so each seed plays one fixed interleaving in which the mechanism matters.

def test_without_targets_a_void_from_a_slow_clock_is_lost(embedded, monkeypatch):
    monkeypatch.setattr(services, "with_targets", lambda inputs, command: command)
    result = play(embedded, 6, seed=3, concurrent=False)
    assert result.voids_lost, result
    assert any("nothing published" in refusal for refusal in result.refused), result.refused  # by the CLI
    assert any("recorded, not in effect" in error for error in result.parked), result.parked  # by message


def test_without_restamping_a_re_add_from_a_slow_clock_is_refused(embedded, monkeypatch):
    monkeypatch.setattr(services, "ordered_after_seen", lambda inputs, command: command)
    result = play(embedded, 6, seed=1, concurrent=False)
    assert any("superseded by a later command" in refusal for refusal in result.refused), result.refused


def test_the_same_interleavings_with_the_mechanisms_lose_nothing(embedded, tmp_path):
    from tests.reliability.conftest import embedded_backend

    for seed, backend in ((3, embedded), (1, embedded_backend(tmp_path / "seed-1"))):
        check(play(backend, 6, seed=seed, concurrent=False))
