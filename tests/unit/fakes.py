"""In-memory ports for unit tests of the service layer (the real adapters have contract tests)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from picklock.domain.calendar import season_start
from picklock.domain.export import ExportInputs
from picklock.domain.merge import MergeInputs
from picklock.service_layer.ports import PreconditionFailed
from picklock.service_layer.services import PicklockService


@dataclass
class FakeStore:
    signal: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)
    ledger: list = field(default_factory=list)
    manual: list = field(default_factory=list)
    audit: list = field(default_factory=list)

    def load_export_inputs(self, game_date, *, with_season, all_json_date=None):
        season = tuple(r for r in self.ledger if season_start(game_date) <= r.pick.game_date <= game_date)
        return ExportInputs(
            merge=MergeInputs(
                game_date=game_date,
                signal=tuple(self.signal.get(game_date, ())),
                ledger=tuple(r for r in self.ledger if r.pick.game_date == game_date),
                manual=tuple(c for c in self.manual if c.game_date == game_date),
                results=tuple(self.results.get(game_date, ())),
            ),
            season_ledger=season if with_season else (),
            audited_export_ids=frozenset(a.export_id for a in self.audit
                                         if a.game_date in (game_date, all_json_date or game_date)),
        )

    def append_ledger(self, rows):
        self.ledger.extend(rows)

    def append_audit(self, records):
        self.audit.extend(records)

    def record_manual(self, command):
        if any(c.request_id == command.request_id for c in self.manual):
            return False
        self.manual.append(command)
        return True

    def audit_records(self, game_date):
        return sorted((a for a in self.audit if a.game_date == game_date), key=lambda a: (a.exported_at, a.export_id))

    def replace_signal(self, game_date, rows):
        self.signal[game_date] = list(rows)

    def replace_results(self, game_date, rows):
        self.results[game_date] = list(rows)


@dataclass
class FakePublisher:
    objects: dict = field(default_factory=dict)  # name -> (text, generation)
    history: list = field(default_factory=list)  # every (name, text) written, in order

    def read(self, name):
        return self.objects.get(name, (None, 0))

    def write(self, name, text, *, if_generation_match):
        current = self.objects.get(name, (None, 0))[1]
        if current != if_generation_match:
            raise PreconditionFailed(name)
        self.objects[name] = (text, current + 1)
        self.history.append((name, text))
        return current + 1


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += timedelta(**kwargs)


def make_service(start=datetime(2026, 2, 28, 17, 0, tzinfo=timezone.utc)):
    store, publisher, clock = FakeStore(), FakePublisher(), Clock(start)
    counter = iter(range(10**9))
    service = PicklockService(store, publisher, clock=clock, token=lambda: f"{next(counter):08x}", sleep=lambda s: None)
    return service, store, publisher, clock
