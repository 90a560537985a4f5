"""In-memory ports for unit tests of the service layer (the real adapters have contract tests)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from picklock.domain.sports import DEFAULT_SPORT
from picklock.domain.export import ExportInputs
from picklock.domain.ledger import versions_to_fold
from picklock.domain.record import first_detailed_day
from picklock.domain.tally import DaySummary, DayTally
from picklock.domain.merge import MergeInputs
from picklock.service_layer.errors import PreconditionFailed
from picklock.service_layer.services import PicklockService


@dataclass
class FakeStore:
    signal: dict = field(default_factory=dict)  # (sport, date) -> rows
    results: dict = field(default_factory=dict)
    ledger: list = field(default_factory=list)
    manual: list = field(default_factory=list)
    audit: list = field(default_factory=list)
    halts: list = field(default_factory=list)
    closing: dict = field(default_factory=dict)

    def load_export_inputs(self, game_date, *, sport=DEFAULT_SPORT, season_from=None, all_json_date=None):
        latest = {}
        for record in sorted(self.audit, key=lambda a: (a.exported_at, a.export_id)):
            if (record.sport == sport and season_from is not None and season_from <= record.game_date < game_date
                    and record.tally is not None):  # an export writes its tally and day summary together
                latest[record.game_date] = record
        return ExportInputs(
            merge=MergeInputs(
                game_date=game_date,
                sport=sport,
                signal=tuple(self.signal.get((sport, game_date), ())),
                ledger=tuple(versions_to_fold(r for r in self.ledger
                                              if (r.pick.game_date, r.pick.sport) == (game_date, sport))),
                manual=tuple(c for c in self.manual if (c.game_date, c.sport) == (game_date, sport)),
                results=tuple(self.results.get((sport, game_date), ())),
                closing=tuple(self.closing.get((sport, game_date), ())),
            ),
            season_tallies=tuple(DayTally.from_text(latest[day].tally) for day in sorted(latest)
                                 if day >= first_detailed_day(game_date)),
            # Each date's summary comes from the row of its tally, as the stores read them.
            season_summaries=tuple(DaySummary.from_texts([latest[day].day_summary for day in sorted(latest)
                                                          if latest[day].day_summary is not None])),
            audited_export_ids=frozenset(a.export_id for a in self.audit if a.sport == sport
                                         and a.game_date in (game_date, all_json_date or game_date)),
            halt_commands=tuple(h for h in self.halts if h.sport == sport),
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

    def record_halt(self, command, game_date):
        if any(h.request_id == command.request_id for h in self.halts):
            return False
        self.halts.append(command)
        return True

    def audit_records(self, game_date, sport=DEFAULT_SPORT):
        return sorted((a for a in self.audit if (a.game_date, a.sport) == (game_date, sport)),
                      key=lambda a: (a.exported_at, a.export_id))

    def ledger_history(self, game_date, sport=DEFAULT_SPORT):
        return sorted((r for r in self.ledger if (r.pick.game_date, r.pick.sport) == (game_date, sport)),
                      key=lambda r: r.order)

    def audited_dates(self, sport=DEFAULT_SPORT):
        return sorted({a.game_date for a in self.audit if a.sport == sport})

    def migrate(self):
        return []

    def replace_signal(self, game_date, rows, sport=DEFAULT_SPORT):
        self.signal[(sport, game_date)] = list(rows)

    def replace_results(self, game_date, rows, sport=DEFAULT_SPORT):
        self.results[(sport, game_date)] = list(rows)

    def replace_closing(self, game_date, rows, sport=DEFAULT_SPORT):
        self.closing[(sport, game_date)] = list(rows)


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
