"""Bursts of triggers for one date cost a few exports: an export that started after a message was
published (by more than the clock margin) and finished covers it; nothing else does."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from picklock.service_layer.coalescing import CLOCK_MARGIN, CoalescedExports, Covered

DAY, TODAY = date(2026, 3, 10), date(2026, 3, 11)
T0 = datetime(2026, 3, 11, 15, tzinfo=timezone.utc)


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


class CountingService:
    """Stands in for PicklockService: counts exports, and can be slow or fail."""

    def __init__(self, clock: Clock, seconds: float = 0.0):
        self.clock, self.seconds, self.exports, self.fail = clock, seconds, [], False

    def export(self, game_date, trigger, sport):
        if self.fail:
            raise RuntimeError("BigQuery 503")
        time.sleep(self.seconds)
        self.exports.append((sport, game_date))
        return SimpleNamespace(plan=SimpleNamespace(export_id=f"e{len(self.exports)}"))

    def grading_dates(self, game_date, sport):
        return [game_date, TODAY] if game_date < TODAY else [game_date]


def test_an_export_that_started_after_the_message_and_finished_covers_it():
    clock = Clock()
    service = CountingService(clock)
    exports = CoalescedExports(service, clock)
    exports.export(DAY, "signal_updated", "nba", None)  # started at T0
    covered = exports.export(DAY, "signal_updated", "nba", T0 - CLOCK_MARGIN)
    assert covered == Covered(DAY, "nba", "e1", T0) and len(service.exports) == 1


@pytest.mark.parametrize("published_at", [T0 - CLOCK_MARGIN + timedelta(microseconds=1), T0, T0 + timedelta(hours=1), None])
def test_a_message_published_after_the_last_export_started_or_within_the_margin_is_exported(published_at):
    clock = Clock()
    service = CountingService(clock)
    exports = CoalescedExports(service, clock)
    exports.export(DAY, "signal_updated", "nba", None)
    assert not isinstance(exports.export(DAY, "signal_updated", "nba", published_at), Covered)
    assert len(service.exports) == 2


def test_coverage_is_per_sport_and_date():
    clock = Clock()
    service = CountingService(clock)
    exports = CoalescedExports(service, clock)
    exports.export(DAY, "signal_updated", "nba", None)
    early = T0 - timedelta(minutes=5)
    for sport, day in (("mlb", DAY), ("nba", TODAY)):
        assert not isinstance(exports.export(day, "signal_updated", sport, early), Covered)
    assert service.exports == [("nba", DAY), ("mlb", DAY), ("nba", TODAY)]


def test_an_export_that_failed_covers_nothing():
    clock = Clock()
    service = CountingService(clock)
    exports = CoalescedExports(service, clock)
    service.fail = True
    with pytest.raises(RuntimeError):
        exports.export(DAY, "signal_updated", "nba", None)
    service.fail = False
    assert not isinstance(exports.export(DAY, "signal_updated", "nba", T0 - timedelta(minutes=5)), Covered)


def test_grading_a_past_date_coalesces_both_of_its_exports():
    clock = Clock()
    service = CountingService(clock)
    exports = CoalescedExports(service, clock)
    exports.grade(DAY, "nba", "post_grading", None)
    again = exports.grade(DAY, "nba", "post_grading", T0 - timedelta(minutes=5))
    assert [type(r) for r in again] == [Covered, Covered] and service.exports == [("nba", DAY), ("nba", TODAY)]


def test_a_burst_waiting_on_an_export_in_flight_costs_one_more_export_in_all():
    """Messages arriving while an export runs wait for it; the first of them then exports once
    for all (its export started after every one was published), and the rest are covered."""
    clock = Clock(T0 + timedelta(seconds=5))  # every message was published at T0, the burst before
    service = CountingService(clock, seconds=0.05)
    exports = CoalescedExports(service, clock)
    outcomes = []
    threads = [threading.Thread(target=lambda: outcomes.append(exports.export(DAY, "signal_updated", "nba", T0)))
               for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(service.exports) == 1 and sum(isinstance(o, Covered) for o in outcomes) == 39


def test_the_signal_handler_coalesces_on_pub_sub_publish_time_and_logs_the_covered_message(caplog):
    import base64
    import json
    import logging

    from fakes import make_service
    from picklock.entrypoints.functions import Handlers

    service, store, _, _ = make_service(T0)
    handlers = Handlers(service, dead_letters=None)

    def push(message_id: str, publish_time: str | None) -> SimpleNamespace:
        message = {"data": base64.b64encode(json.dumps({"game_date": DAY.isoformat()}).encode()).decode(),
                   "messageId": message_id}
        if publish_time is not None:
            message["publishTime"] = publish_time
        return SimpleNamespace(data={"message": message})

    # Published long before the exports start on this machine's wall clock.
    with caplog.at_level(logging.INFO, logger="picklock.functions"):
        handlers.on_signal_updated(push("m1", "2026-03-11T14:00:00.123456789Z"))  # nanoseconds, as Pub/Sub writes
        handlers.on_signal_updated(push("m2", "2026-03-11T14:00:00.5Z"))
        handlers.on_signal_updated(push("m3", None))  # no publish time: never covered
    assert len(store.audit) == 2
    assert [(r.message_id, r.outcome) for r in caplog.records if hasattr(r, "outcome")][1] == ("m2", "covered")
