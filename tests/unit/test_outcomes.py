"""`picklock publish --wait`: what the waiter takes as a message's outcome (service_layer/outcomes.py)."""
from __future__ import annotations

from types import SimpleNamespace

from picklock.service_layer.outcomes import wait_for_outcome
from picklock.topics import MANUAL_PICKS

from builders import GAME_DATE, add, signal
from fakes import make_service


class Parked:
    def __init__(self):
        self.messages = []

    def peek(self, topic, *, max_messages=100):
        return list(self.messages)


def refused_add_exported():
    """A manual add over a published algorithm pick, recorded and exported: its export's audit row
    names the refusal; the function has not parked the message yet."""
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    service.export(GAME_DATE, "signal_updated")
    before = {record.export_id for record in store.audit}
    service.submit_manual(add("a", "req-1", clock(), "UNDER", 18.5), check=False)
    service.export(GAME_DATE, "manual")
    return service, before


def wait(service, parked, before, *, request_id, timeout=5.0, on_sleep=lambda: None):
    ticks = iter(range(10**6))
    return wait_for_outcome(service, parked, MANUAL_PICKS, "m-1", GAME_DATE, "nba", before, ("manual",),
                            timeout=timeout, request_id=request_id, sleep=lambda s: on_sleep(),
                            clock=lambda: float(next(ticks)))


def test_an_export_that_refuses_the_add_is_not_the_outcome_the_park_after_it_is():
    service, before = refused_add_exported()
    parked = Parked()
    park = SimpleNamespace(message_id="m-1", attributes={"error": "recorded, not in effect: void it first"})

    outcome = wait(service, parked, before, request_id="req-1", on_sleep=lambda: parked.messages.append(park))

    assert (outcome.parked, outcome.exports) == ("recorded, not in effect: void it first", ())


def test_without_a_park_the_refusing_export_is_the_outcome_at_the_timeout_and_other_messages_return_at_once():
    service, before = refused_add_exported()
    sleeps = []

    waited = wait(service, Parked(), before, request_id="req-1", timeout=3, on_sleep=lambda: sleeps.append(1))
    other = wait(service, Parked(), before, request_id=None)

    assert [r.trigger_source for r in waited.exports] == ["manual"] and waited.parked is None and len(sleeps) == 2  # to the deadline
    assert [r.trigger_source for r in other.exports] == ["manual"] and other.parked is None
