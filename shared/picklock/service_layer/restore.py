"""`picklock restore`: rebuild a sport's public files from the audit table (domain/restore.py plans).

Per date: the history snapshots (written only where missing: if_generation_match=0), the index
(merged, append-only), then the live file, as an export writes them; all.json last. Every write is
conditional on the generation just read, so a concurrent export is never overwritten: the object is
read again and decided again. A dry run reads and decides, and writes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from ..domain.export import AuditRecord, current_audit
from ..domain.restore import (
    Decision, decide_all_json, decide_date_file, decide_index, decide_snapshot, latest_all_json, plan_date,
)
from ..domain.sports import Sport
from .objects import rewrite
from .ports import PickStore, Publisher


class NothingToRestore(ValueError):
    """The audit has no row for what was asked; nothing was read from or written to the bucket."""


class RestoreConflict(RuntimeError):
    """An object kept changing under the restore (exports running): try again later."""


@dataclass(frozen=True)
class Step:
    name: str
    kind: str  # snapshot | date_file | index | all_json
    action: str  # restored | would restore | left | conflict
    reason: str

    def __str__(self) -> str:
        return f"{self.action:<13} {self.name}  ({self.reason})"


@dataclass
class RestoreReport:
    sport: Sport
    dates: list[date]
    dry_run: bool
    steps: list[Step] = field(default_factory=list)

    def count(self, *actions: str) -> int:
        return sum(step.action in actions for step in self.steps)

    @property
    def conflicts(self) -> list[Step]:
        return [step for step in self.steps if step.action == "conflict"]

    @property
    def ok(self) -> bool:
        return not self.conflicts

    def summary(self) -> str:
        scope = f"{self.dates[0]}..{self.dates[-1]}" if self.dates else "(no audited dates)"
        written = f"{self.count('would restore')} to restore" if self.dry_run else f"{self.count('restored')} restored"
        feeds = " and ".join(self.sport.feed_names)
        return (f"{'dry run: ' if self.dry_run else ''}restore {self.sport.id} {scope}: {len(self.dates)} dates, "
                f"{len(self.steps)} objects: {written}, {self.count('left')} left, {len(self.conflicts)} conflicts; "
                f"{feeds} are not in the audit and were not restored"
                + ("; nothing written" if self.dry_run else ""))


def restore(store: PickStore, publisher: Publisher, sport: Sport, *, game_date: date | None = None,
            dry_run: bool = False, max_attempts: int = 6) -> RestoreReport:
    """Restore one date (`game_date`) or every audited date of the sport (None). all.json is
    restored when its latest audited version is of a date restored."""
    dates = store.audited_dates(sport.id) if game_date is None else [game_date]
    report = RestoreReport(sport, dates, dry_run)
    records: dict[date, list[AuditRecord]] = {}
    for day in dates:
        records[day] = current_audit(store.audit_records(day, sport.id))
        if game_date is not None and not records[day]:
            raise NothingToRestore(f"no audit rows for {sport.id} {day}: nothing to restore")
    put = _Putter(publisher, report, dry_run, max_attempts)
    for day in dates:
        plan = plan_date(day, records[day])
        for name, text in plan.snapshots(sport):
            put(name, "snapshot", lambda existing, text=text: decide_snapshot(text, existing))
        entries = plan.index_entries(sport)
        if entries:
            put(sport.index_name(day), "index", lambda existing: decide_index(sport, day, entries, existing))
        if plan.live is not None:
            put(sport.date_file_name(day), "date_file", lambda existing: decide_date_file(plan.live.text, existing))
    latest = _latest_all_json(store, sport, records, game_date)
    if latest is not None:
        put(sport.all_json_name, "all_json", lambda existing: decide_all_json(latest.all_json_document, existing))
    return report


def _latest_all_json(store: PickStore, sport: Sport, records: dict[date, list[AuditRecord]],
                     game_date: date | None) -> AuditRecord | None:
    """The audit's latest all.json when it is of a date being restored. For one date, the later
    audited dates are read too (latest first, usually one): all.json is theirs if any wrote it."""
    if game_date is not None:
        for later in sorted((d for d in store.audited_dates(sport.id) if d > game_date), reverse=True):
            if latest_all_json(current_audit(store.audit_records(later, sport.id))) is not None:
                return None
    return latest_all_json(record for day_records in records.values() for record in day_records)


class _Putter:
    """Read, decide, write conditionally on the generation read; on a lost race, again."""

    def __init__(self, publisher: Publisher, report: RestoreReport, dry_run: bool, max_attempts: int):
        self.publisher = publisher
        self.report = report
        self.dry_run = dry_run
        self.max_attempts = max_attempts

    def __call__(self, name: str, kind: str, decide: Callable[[str | None], Decision]) -> None:
        decided: list[Decision] = []

        def change(existing: str | None) -> str | None:
            decided[:] = [decide(existing)]  # written meanwhile (an export): decided again
            return decided[0].text if decided[0].action == "restore" and not self.dry_run else None

        written = rewrite(self.publisher, name, change, attempts=self.max_attempts, conflict=RestoreConflict,
                          purpose="restore it")
        decision = decided[0]
        action = "restored" if written else "would restore" if decision.action == "restore" else decision.action
        self.report.steps.append(Step(name, kind, action, decision.reason))
