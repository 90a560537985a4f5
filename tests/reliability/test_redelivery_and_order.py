"""G5 and order-independence: a game day of messages delivered through the function handlers
(picklock.entrypoints.functions.Handlers over a real service), once each in order, against the
same messages each delivered 1-3 times in shuffled order.

The day has phases; each phase starts with a signal rewrite and holds that phase's messages:
`signal-updated` triggers and operator commands (add, remove, void, and remove-then-re-add).
Pub/Sub may deliver a phase's messages in any order, any number of times, and redeliver some late,
in the next phase. Every export of a phase runs at the same instant, and commands are submitted
during their phase.

What "the same final state" means. Publishing is irreversible, so the runs may legitimately differ
in what was shown on the way: a manual pick added then removed within one phase is shown (then
voided) when the add arrives first, and never shown when the remove arrives first. The runs must
agree, after a final export with every command delivered, on:
1. the manual state: the same commands recorded, each exactly once (idempotency on request_id),
   and the same fold of them (the latest command per key by submitted_at);
2. the live picks: the same pick ids, each with the same rendered entry (published fields,
   status, refreshable fields, display rank);
3. and, in each run, G1 (every pick shown stays shown) and G2 (one live pick per key) across every
   version written, with no message parked.
The scenario never adds a manual pick on a key the signal holds: which of the two is shown first
is then a race with no order-independent answer (the rules keep whichever users saw).

The first shuffle reverses each phase, so every pair of commands on a key arrives inverted at
least once; the negative controls show that the comparison fails without idempotency on
request_id and with commands ordered by arrival instead of submitted_at.
"""
from __future__ import annotations

import base64
import random
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from picklock.adapters.local_message_publisher import LocalMessagePublisher
from picklock.adapters.sqlite_store import SqliteStore
from picklock.adapters import rows
from picklock.domain import merge
from picklock.domain.calendar import format_instant
from picklock.domain.manual import fold_manual
from picklock.domain.picks import SignalRow
from picklock.entrypoints.functions import Handlers
from picklock.service_layer.services import PicklockService
from picklock.topics import MANUAL_PICKS, SIGNAL_UPDATED, TOPICS, dead_letter_topic, encode_message

from tests.reliability.support import (
    DATE_FILE, GAME_DATE, OPENING, TIP_OFF, RecordingPublisher, WriteLog, date_versions, entries,
    live_duplicates, lost_locks, record_figures, scaled,
)

EXPORT_DELAY = timedelta(minutes=30)  # a phase's exports run after its commands were submitted


def algorithm(player: str, direction: str, line: float, rank: int) -> SignalRow:
    return SignalRow(GAME_DATE, player, "BOS", "NYK", direction, line, "catboost_v9", "v9",
                     player_name=player.title(), game_id="0022500900", game_time=TIP_OFF, edge=3.0, rank=rank)


@dataclass(frozen=True)
class Message:
    message_id: str
    topic: str
    payload: dict


@dataclass(frozen=True)
class Phase:
    signal: tuple[SignalRow, ...]
    messages: tuple[Message, ...]


def phase_start(index: int) -> datetime:
    return OPENING + timedelta(hours=index)


def trigger(phase: int, run: str) -> Message:
    return Message(f"t-{phase}-{run}", SIGNAL_UPDATED, {"game_date": GAME_DATE.isoformat(), "run_id": run})


def command(phase: int, minute: int, request_id: str, action: str, player: str, **fields) -> Message:
    payload = {"request_id": request_id, "submitted_at": format_instant(phase_start(phase) + timedelta(minutes=minute)),
               "action": action, "game_date": GAME_DATE.isoformat(), "player_lookup": player,
               "submitted_by": "ops", **fields}
    return Message(f"c-{request_id}", MANUAL_PICKS, payload)


def add(phase: int, minute: int, request_id: str, player: str, line: float) -> Message:
    return command(phase, minute, request_id, "add", player, team="GSW", opponent="LAL", direction="OVER",
                   line=line, player_name=player.title())


GAME_DAY = (
    Phase((algorithm("jokic", "OVER", 20.5, 1), algorithm("tatum", "UNDER", 25.5, 2),
           algorithm("brunson", "OVER", 24.5, 3), algorithm("curry", "OVER", 28.5, 4)),
          (trigger(0, "run-0"), add(0, 1, "add-santos", "guisantos", 13.5), add(0, 2, "add-kuminga", "kuminga", 15.5),
           add(0, 3, "add-podz", "podziemski", 9.5), command(0, 4, "remove-podz", "remove", "podziemski"))),
    # tatum flips (locked), brunson leaves the signal (locked), doncic is new; santos is removed and re-added.
    Phase((algorithm("jokic", "OVER", 20.5, 1), algorithm("tatum", "OVER", 26.5, 2),
           algorithm("doncic", "OVER", 30.5, 3), algorithm("curry", "OVER", 28.5, 4)),
          (trigger(1, "run-1"), command(1, 1, "void-brunson", "void", "brunson", reason="injury"),
           command(1, 2, "remove-santos", "remove", "guisantos"), add(1, 3, "readd-santos", "guisantos", 14.5),
           trigger(1, "run-1b"))),
    # jokic's line moves (locked), embiid is new; kuminga and curry are voided, hield is added.
    Phase((algorithm("jokic", "OVER", 21.5, 1), algorithm("doncic", "OVER", 30.5, 2),
           algorithm("embiid", "UNDER", 27.5, 3), algorithm("curry", "OVER", 28.5, 4)),
          (trigger(2, "run-2"), command(2, 1, "void-kuminga", "void", "kuminga", reason="scratched"),
           add(2, 2, "add-hield", "hield", 11.5), command(2, 3, "void-curry", "void", "curry", reason="minutes limit"))),
    Phase((algorithm("jokic", "OVER", 21.5, 1), algorithm("doncic", "OVER", 30.5, 2),
           algorithm("embiid", "UNDER", 27.5, 3), algorithm("curry", "OVER", 28.5, 4)),
          (trigger(3, "final"),)),  # the final export, every command delivered
)


def in_order() -> list[list[Message]]:
    return [list(phase.messages) for phase in GAME_DAY]


def shuffled(seed: int) -> list[list[Message]]:
    """Seed 0: each phase reversed, once each. Otherwise each message 1-3 times, shuffled within
    its phase, and a redelivery may come late, in the next phase (never after the final one)."""
    if seed == 0:
        return [list(reversed(phase.messages)) for phase in GAME_DAY]
    rng = random.Random(seed)
    plan: list[list[Message]] = [[] for _ in GAME_DAY]
    for index, phase in enumerate(GAME_DAY):
        for message in phase.messages:
            plan[index].append(message)
            for _ in range(rng.randint(0, 2)):
                late = index + 1 < len(GAME_DAY) - 1 and rng.random() < 0.3
                plan[index + late].append(message)
    for index, deliveries in enumerate(plan):
        final = [m for m in deliveries if m.payload.get("run_id") == "final"]
        rng.shuffle(deliveries)
        if final:  # the final trigger stays last: it is the export after every command
            plan[index] = [m for m in deliveries if m not in final] + final
    return plan


def pushed(message: Message) -> SimpleNamespace:
    """A CloudEvent as functions-framework builds it from a Pub/Sub push (a redelivery keeps its id)."""
    data = base64.b64encode(encode_message(message.payload)).decode("ascii")
    return SimpleNamespace(data={"message": {"data": data, "messageId": message.message_id, "attributes": {}},
                                 "subscription": f"projects/p/subscriptions/{message.topic}-push"})


@dataclass
class Outcome:
    manual: list  # recorded commands, in submission order
    live: dict[str, dict]  # pick id -> rendered entry, after the final export
    lost_locks: list[str]
    duplicates: list[str]
    parked: int
    deliveries: int


def play(backend_factory, plan: list[list[Message]], home) -> Outcome:
    store, publisher = backend_factory(home)
    log = WriteLog()
    clock = SimpleNamespace(now=OPENING)
    service = PicklockService(store, RecordingPublisher(publisher, log), clock=lambda: clock.now)
    dead_letters = LocalMessagePublisher(home / "messages")
    handlers = Handlers(service, dead_letters)
    deliver = {SIGNAL_UPDATED: handlers.on_signal_updated, MANUAL_PICKS: handlers.on_manual_pick}
    for index, (phase, deliveries) in enumerate(zip(GAME_DAY, plan)):
        clock.now = phase_start(index) + EXPORT_DELAY
        service.load_signal(GAME_DATE, phase.signal)
        for message in deliveries:
            deliver[message.topic](pushed(message))
    date_writes, all_json_writes = date_versions(log)
    texts = [w.text for w in date_writes], [w.text for w in all_json_writes]
    final = publisher.read(DATE_FILE)[0]
    return Outcome(
        manual=service.manual_commands(GAME_DATE),
        live={e["pick_id"]: e for e in entries(final) if e["status"] != "voided"},
        lost_locks=lost_locks(texts[0]) + lost_locks(texts[1]),
        duplicates=live_duplicates(texts[0] + texts[1]),
        parked=sum(len(dead_letters.messages(dead_letter_topic(topic))) for topic in TOPICS),
        deliveries=sum(map(len, plan)),
    )


def differences(expected: Outcome, actual: Outcome) -> list[str]:
    found = []
    request_ids = [c.request_id for c in actual.manual]
    if len(request_ids) != len(set(request_ids)):
        found.append(f"a command recorded twice: {sorted(request_ids)}")
    if sorted(c.request_id for c in expected.manual) != sorted(set(request_ids)):
        found.append("different commands recorded")
    # The add in force per key (targets are what each command saw when it arrived: they may differ).
    if wanted(expected.manual) != wanted(actual.manual):
        found.append("different manual state")
    if expected.live.keys() != actual.live.keys():
        found.append(f"live picks {sorted(expected.live)} != {sorted(actual.live)}")
    found += [f"{pick_id} differs" for pick_id in expected.live.keys() & actual.live.keys()
              if expected.live[pick_id] != actual.live[pick_id]]
    for outcome in (expected, actual):
        found += outcome.lost_locks + outcome.duplicates
    # Out of order, a command may arrive before what it acts on: it is recorded and parked as "not
    # in effect" (never acknowledged as done); in submission order nothing is parked.
    found += [f"{expected.parked} parked"] if expected.parked else []
    return found


def wanted(commands) -> dict:
    return {key: state.wanted.request_id if state.wanted else None for key, state in fold_manual(commands).items()}


def embedded_adapters(home):
    from picklock.adapters.local_publisher import LocalPublisher

    return SqliteStore(home / "picklock.sqlite3"), LocalPublisher(home / "bucket")


def test_shuffled_and_repeated_delivery_ends_in_the_state_of_one_ordered_delivery(tmp_path):
    seeds = scaled(4, 25)
    started = time.monotonic()
    expected = play(embedded_adapters, in_order(), tmp_path / "in-order")
    assert len(expected.live) >= 6 and not differences(expected, expected)
    deliveries = 0
    for seed in range(seeds):
        actual = play(embedded_adapters, shuffled(seed), tmp_path / f"seed-{seed}")
        deliveries += actual.deliveries
        assert not differences(expected, actual), (seed, differences(expected, actual))
    record_figures("redelivery (embedded)", backend="embedded", orders=seeds, messages=sum(map(len, in_order())),
                   deliveries=deliveries, differences=0, seconds=round(time.monotonic() - started, 1))


@pytest.mark.emulators
def test_shuffled_and_repeated_delivery_on_the_emulators(emulators, unique_name, tmp_path):
    from tests.reliability.conftest import cloud_backend

    def cloud_adapters(home):
        backend = cloud_backend(unique_name)
        return backend.store(), backend.publisher()

    seeds = scaled(1, 2)
    started = time.monotonic()
    expected = play(embedded_adapters, in_order(), tmp_path / "in-order")
    deliveries = 0
    for seed in range(seeds):
        actual = play(cloud_adapters, shuffled(seed + 1), tmp_path / f"seed-{seed}")
        deliveries += actual.deliveries
        assert not differences(expected, actual), (seed, differences(expected, actual))
    record_figures("redelivery (emulators)", backend="emulators", orders=seeds, messages=sum(map(len, in_order())),
                   deliveries=deliveries, differences=0, seconds=round(time.monotonic() - started, 1))


# -- negative controls: the comparison notices the mechanisms' absence -----------------------------

class StoreWithoutIdempotency(SqliteStore):
    def record_manual(self, command):
        self._insert(rows.MANUAL_TABLE, [rows.manual_to_row(command, recorded_at=command.submitted_at)])
        return True


def test_a_store_without_idempotency_records_a_redelivered_add_twice_and_the_comparison_notices(tmp_path):
    """An add by message is recorded unread (the manual path's latency), so its idempotency is the
    store's conditional INSERT alone, which the store contract holds on SQLite and the emulator; a
    remove or void is looked up first, and the service's own check still covers it."""
    expected = play(embedded_adapters, in_order(), tmp_path / "in-order")

    def adapters(home):
        _, publisher = embedded_adapters(home)
        return StoreWithoutIdempotency(home / "picklock.sqlite3"), publisher

    actual = play(adapters, shuffled(1), tmp_path / "broken")
    assert any("recorded twice" in d for d in differences(expected, actual))
    recorded = Counter(c.request_id for c in actual.manual)
    assert {c.action for c in actual.manual if recorded[c.request_id] > 1} == {"add"}


def test_with_commands_ordered_by_arrival_the_comparison_fails(tmp_path, monkeypatch):
    expected = play(embedded_adapters, in_order(), tmp_path / "in-order")

    def fold_by_arrival(commands):
        commands = list(commands)  # in the order the store recorded them
        instants = sorted(c.submitted_at for c in commands)
        return fold_manual([replace(c, submitted_at=at) for c, at in zip(commands, instants)])

    monkeypatch.setattr(merge, "fold_manual", fold_by_arrival)
    actual = play(embedded_adapters, shuffled(0), tmp_path / "broken")
    assert any(d.startswith("live picks") for d in differences(expected, actual))
