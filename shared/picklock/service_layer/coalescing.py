"""Bursts of triggers cost a few exports, not one each.

An export reads every input after it starts, and upstream writes its rows before it publishes, so
an export that started after a message was published covers that message. In one process (a
function instance), exports of one (sport, date) run one at a time; a message whose date was
exported, to the end, by an export that started after the message was published needs no export of
its own and is acknowledged as covered by it. Across instances exports stay correct (G5), only not
coalesced with each other.

Pub/Sub stamps the publish time on its clock and this process reads its own, so an export covers a
message only if it started CLOCK_MARGIN after it. Both are wall clocks: the service's clock may be
pinned (tests, `--now`) and is not used here.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable

from .services import ExportReport, PicklockService

CLOCK_MARGIN = timedelta(seconds=1)


@dataclass(frozen=True)
class Covered:
    """A message that an export which started after it, and finished, already covered."""
    game_date: date
    sport: str
    export_id: str
    started_at: datetime


class CoalescedExports:
    def __init__(self, service: PicklockService, clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.service = service
        self.clock = clock
        self._guard = threading.Lock()
        self._in_flight: dict[tuple[str, date], threading.Lock] = {}
        self._latest: dict[tuple[str, date], tuple[datetime, str]] = {}  # start and id of the last finished

    def export(self, game_date: date, trigger: str, sport: str, published_at: datetime | None) -> ExportReport | Covered:
        """Export the date unless an export that started CLOCK_MARGIN after `published_at` has
        finished (None: always export)."""
        key = (sport, game_date)
        with self._guard:
            in_flight = self._in_flight.setdefault(key, threading.Lock())
        with in_flight:
            latest = self._latest.get(key)
            if published_at is not None and latest is not None and latest[0] >= published_at + CLOCK_MARGIN:
                return Covered(game_date, sport, latest[1], latest[0])
            started = self.clock()
            report = self.service.export(game_date, trigger, sport)
            self._latest[key] = (started, report.plan.export_id)
            return report

    def grade(self, game_date: date, sport: str, trigger: str,
              published_at: datetime | None) -> list[ExportReport | Covered]:
        return [self.export(day, trigger, sport, published_at) for day in self.service.grading_dates(game_date, sport)]
