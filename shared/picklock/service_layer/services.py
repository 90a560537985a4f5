"""Use cases: export, manual commands, grading. Orchestrates the ports; holds no SQL and no rules."""
from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Callable, Sequence

from ..domain.calendar import to_utc
from ..domain.chain import index_entry, merged_index
from ..domain.commands import command_refusal, ordered_after, ordered_after_seen, reuse_conflict, with_targets
from ..domain.export import AuditRecord, ExportInputs, ExportPlan, current_audit, plan_export
from ..domain.halts import HaltState, redundant
from ..domain.ledger import fold_ledger
from ..domain.picks import ClosingLine, GameResult, HaltCommand, ManualCommand, SignalRow
from ..domain.render import PublishedDocument, to_text
from ..domain.sports import DEFAULT_SPORT, Catalogue, Sport
from ..domain.feed import PickEvent, atom_feed, events_of_feed, json_feed, merged_events
from ..topics import PICK_EVENTS
from .errors import InvalidCommand, PreconditionFailed
from .objects import rewrite
from .ports import MessagePublisher, PickStore, Publisher
from .stopwatch import Stopwatch

log = logging.getLogger("picklock")

def new_export_id(sport: str, game_date: date, now: datetime, token: str) -> str:
    """Sortable, and carries its game date (and sport, but NBA's) so an audit lookup can filter."""
    suffix = "" if sport == DEFAULT_SPORT else f".{sport}"
    return f"{game_date.isoformat()}.{to_utc(now):%Y%m%dT%H%M%S%f}.{token}{suffix}"


def export_id_parts(export_id: str) -> tuple[str, date]:
    """(sport, game date) of an export id."""
    parts = export_id.split(".")
    try:
        return (parts[3] if len(parts) == 4 else DEFAULT_SPORT), date.fromisoformat(parts[0])
    except ValueError:
        raise InvalidCommand(f"{export_id!r} is not an export id (expected YYYY-MM-DD.<time>.<token>[.<sport>])") from None


class ExportConflict(RuntimeError):
    """Concurrent exports kept winning the race for the published files; retry later."""


@dataclass(frozen=True)
class Submission:
    """The outcome of submit_manual: the command as recorded (or as found, for a re-run)."""
    command: ManualCommand
    recorded: bool  # False: its request_id was recorded before (a re-run, nothing new)
    refusal: str | None  # why it is not in effect now (messages only; the CLI refuses instead)

    def __bool__(self) -> bool:
        return self.recorded


@dataclass(frozen=True)
class ExportReport:
    plan: ExportPlan
    attempts: int
    # Seconds per step, over every attempt (stopwatch.py); all.json is visible to the site once
    # "write all.json" is done.
    timings: dict[str, float] = field(default_factory=dict)


class PicklockService:
    def __init__(
        self,
        store: PickStore,
        publisher: Publisher,
        *,
        clock: Callable[[], datetime],
        token: Callable[[], str] = lambda: f"{random.getrandbits(32):08x}",
        sleep: Callable[[float], None] = time.sleep,
        timer: Callable[[], float] = time.perf_counter,  # durations of the export's steps only
        max_attempts: int = 6,
        sports: Catalogue | None = None,
        events: MessagePublisher | None = None,
    ):
        if sports is None:
            from ..adapters.sports_file import default_catalogue  # bootstrap passes it; tests may not

            sports = default_catalogue()
        self.sports = sports
        self.store = store
        self.publisher = publisher
        self.clock = clock
        self.token = token
        self.sleep = sleep
        self.timer = timer
        self.max_attempts = max_attempts
        self.events = events  # where pick events go (the pick-events topic); None: the feeds only

    def now(self) -> datetime:
        return to_utc(self.clock())

    def today(self, sport: str = DEFAULT_SPORT) -> date:
        return self.sports.get(sport).today(self.now())

    def export(self, game_date: date, trigger: str, sport: str = DEFAULT_SPORT) -> ExportReport:
        """Merge, lock, publish and audit one date of one sport. Safe to run concurrently and to
        re-run (G5-G7).

        Order matters. Generations are read before the store, so a write that wins its
        precondition replaces the version this export read, and the merge keeps every pick that
        version shows (G1): the per-date file is the lock users can see. The ledger follows the
        files, off the path to all.json (on BigQuery a DML job takes 0.5-2 s); a crash before it
        leaves picks the file shows and the ledger lacks, which the next export locks again from
        the file (merge.py), as does an export that reads the file before this one's rows land.
        """
        spec = self.sports.get(sport)
        watch = Stopwatch(self.timer)  # over every attempt: a lost race's steps count where they ran
        for attempt in range(1, self.max_attempts + 1):
            now = self.now()
            date_text, date_generation = self.publisher.read(spec.date_file_name(game_date))
            writes_all_json = game_date == spec.today(now)
            # Read even when not ours to write: a crashed export of this date may have left an
            # unaudited all.json version that only this export can recover (G4, G7).
            all_text, all_generation = self.publisher.read(spec.all_json_name)
            all_json = PublishedDocument.parse(all_text)
            other_date = all_json.game_date if all_json and all_json.game_date != game_date else None
            other_date_file = self.published(other_date, sport) if other_date else None
            watch.lap("read files")
            inputs = self.store.load_export_inputs(
                game_date, sport=sport, all_json_date=other_date,
                season_from=spec.season_start(game_date) if writes_all_json else None)
            watch.lap("read store")
            plan = plan_export(
                inputs,
                sport=spec,
                date_file=PublishedDocument.parse(date_text),
                all_json=all_json,
                all_json_date_file=other_date_file,
                now=now,
                export_id=new_export_id(sport, game_date, now, self.token()),
                trigger=trigger,
            )
            watch.lap("plan")
            *recovered, record = plan.audit
            for version in plan.recovered_snapshots:  # a crash may have come before its snapshot or index entry
                self._snapshot(spec, version.game_date, version.export_id, version.document)
                self._list_versions(spec, version.game_date, [json.loads(version.document)])
            if recovered:  # before this export overwrites the unaudited version they describe (G4, G7)
                self.store.append_audit(recovered)
            watch.lap("recover")
            try:
                if plan.date_text is not None:
                    self.publisher.write(spec.date_file_name(game_date), plan.date_text,
                                         if_generation_match=date_generation)
                    # At once: a lost all.json race below must not leave this version without one.
                    self._snapshot(spec, game_date, plan.export_id, plan.date_text)
                    # Listed before all.json names it as the head; the version it replaced too, in
                    # case a crash kept that one out of the index.
                    replaced = [json.loads(date_text)] if date_text is not None else []
                    self._list_versions(spec, game_date, [*replaced, json.loads(plan.date_text)])
                watch.lap("write date file")
                if plan.all_json_text is not None:
                    self.publisher.write(spec.all_json_name, plan.all_json_text, if_generation_match=all_generation)
                watch.lap("write all.json")
            except PreconditionFailed:
                log.info("export %s lost a publish race (attempt %d); re-reading", plan.export_id, attempt)
                self.sleep(min(2.0, 0.05 * 2 ** attempt) * random.uniform(0.5, 1.0))
                watch.lap("lost races")  # the losing write and the backoff
                continue
            if plan.merge.ledger_rows:
                self.store.append_ledger(plan.merge.ledger_rows)
            watch.lap("write ledger")
            self.store.append_audit([record])
            watch.lap("write audit")
            self._publish_events(spec, list(plan.pick_events), now)
            watch.lap("publish events")
            return ExportReport(plan, attempt, watch.steps)
        raise ExportConflict(f"export of {sport} {game_date} lost {self.max_attempts} publish races in a row")

    def _snapshot(self, spec: Sport, game_date: date, export_id: str, text: str) -> None:
        try:
            self.publisher.write(spec.snapshot_name(game_date, export_id), text, if_generation_match=0)
        except PreconditionFailed:
            pass  # the snapshot exists already: it is immutable, and this text is the same

    def _publish_events(self, spec: Sport, events: list[PickEvent], now: datetime) -> None:
        """Into the public feeds (the latest FEED_SIZE events), then to the pick-events topic."""
        if not events:
            return
        json_name, atom_name = spec.feed_names
        merged: list[PickEvent] = []

        def extended(text: str | None) -> str:
            merged[:] = merged_events(events_of_feed(text), events)
            return json_feed(spec.id, merged)

        rewrite(self.publisher, json_name, extended, attempts=self.max_attempts, conflict=ExportConflict,
                purpose="extend it")
        # Atom follows the JSON feed it is made from; the last writer's is the newest.
        _, atom_generation = self.publisher.read(atom_name)
        try:
            self.publisher.write(atom_name, atom_feed(spec.id, merged, now), if_generation_match=atom_generation)
        except PreconditionFailed:
            pass  # a concurrent export wrote a newer one
        if self.events is None:
            return
        for event in events:
            try:
                self.events.publish(PICK_EVENTS, event.as_dict(),
                                    {"event_type": event.type, "event_id": event.id, "sport": event.sport})
            except Exception as error:  # noqa: BLE001 - the export is done and the feeds have the events
                log.error("pick events from %s on not published to %s: %s", event.id, PICK_EVENTS, error)
                return

    def _list_versions(self, spec: Sport, game_date: date, documents: list[dict]) -> None:
        """Add versions to the date's public index (append-only; a concurrent writer is merged)."""
        entries = [index_entry(d, spec.snapshot_name(game_date, d["export_id"])) for d in documents if "sha256" in d]

        def extended(text: str | None) -> str | None:
            current = json.loads(text) if text is not None else None
            listed = merged_index(spec.id, game_date.isoformat(), current, entries)
            return None if listed == current else to_text(listed)

        rewrite(self.publisher, spec.index_name(game_date), extended, attempts=self.max_attempts,
                conflict=ExportConflict, purpose="extend it")

    def submit_manual(self, command: ManualCommand, *, check: bool = True) -> Submission:
        """Record an operator command, idempotent on its request_id (G5).

        A remove or void is recorded with the ids of what it withdraws (see domain/commands.py).
        With `check` (the CLI), the command is ordered after every command on its key already
        recorded, and one that would not take effect raises InvalidCommand, recording nothing.
        Without it (Pub/Sub delivery, which may arrive out of order) it is recorded as stamped and
        each export decides, so the final state does not depend on delivery order; the returned
        refusal says why it is not in effect now. A request_id reused for another command is
        refused either way.

        An unchecked add is recorded without a read first (the manual path's latency): it withdraws
        nothing and keeps its stamp, so what is recorded does not depend on the state, and the
        export that follows says whether it is in effect (`add_refusal` on that export's merge);
        its refusal here is None.
        """
        if not check and command.action == "add":
            if not self.store.record_manual(command):  # recorded before: a re-run, or a reused request_id
                return self._rerun(self._recorded(command), command)
            return Submission(command, recorded=True, refusal=None)
        spec = self.sports.get(command.sport)
        date_text, _ = self.publisher.read(spec.date_file_name(command.game_date))
        shown = PublishedDocument.parse(date_text)
        inputs = self.store.load_export_inputs(command.game_date, sport=command.sport).merge_inputs(
            tuple(shown.picks()) if shown else ())
        recorded = next((c for c in inputs.manual if c.request_id == command.request_id), None)
        if recorded is not None:
            return self._rerun(recorded, command)
        if check:
            command = ordered_after_seen(inputs, command)
        command = with_targets(inputs, command)
        refusal = command_refusal(inputs, command, now=self.now())
        if refusal and check:
            raise InvalidCommand(refusal)
        if not self.store.record_manual(command):  # a concurrent delivery of the same request won
            return self._rerun(self._recorded(command), command)
        return Submission(command, recorded=True, refusal=refusal)

    def _rerun(self, recorded: ManualCommand, command: ManualCommand) -> Submission:
        conflict = reuse_conflict(recorded, command)
        if conflict:
            raise InvalidCommand(conflict)
        return Submission(recorded, recorded=False, refusal=None)

    def _recorded(self, command: ManualCommand) -> ManualCommand:
        commands = self.store.load_export_inputs(command.game_date, sport=command.sport).merge.manual
        return next(c for c in commands if c.request_id == command.request_id)

    def halt_state(self, sport: str) -> HaltState:
        return self._sport_inputs(sport).halt

    def submit_halt(self, command: HaltCommand, *, check: bool = True) -> Submission:
        """Halt or resume a sport's publishing; idempotent on request_id. A halt of a halted sport
        (or a resume of a running one) records nothing: `refusal` says why. With `check` (the CLI)
        the command is ordered after every halt/resume already recorded, as operator commands are;
        a message keeps its stamp (reordered delivery must not matter)."""
        inputs = self._sport_inputs(command.sport)
        if check:
            command = ordered_after(command, (c.submitted_at for c in inputs.halt_commands))
        recorded = next((c for c in inputs.halt_commands if c.request_id == command.request_id), None)
        if recorded is not None:
            if recorded != replace(command, submitted_at=recorded.submitted_at):
                raise InvalidCommand(f"request id {command.request_id} was already used for {recorded.action} "
                                     f"{recorded.sport}; use a new request id")
            return Submission(command, recorded=False, refusal=None)
        unchanged = redundant(inputs.halt, command)
        if unchanged:
            return Submission(command, recorded=False, refusal=unchanged)
        recorded_now = self.store.record_halt(command, self.sports.get(command.sport).today(command.submitted_at))
        return Submission(command, recorded=recorded_now, refusal=None)

    def _sport_inputs(self, sport: str) -> ExportInputs:
        return self.store.load_export_inputs(self.today(sport), sport=sport)

    def grade(self, game_date: date, sport: str = DEFAULT_SPORT, trigger: str = "post_grading") -> list[ExportReport]:
        """Grading is an export: results are an input of the merge. A past date's grading also
        re-exports today so all.json's season record moves, while all.json keeps showing today.
        `trigger`: "scheduled" for the morning catch-up, so the audit tells it from upstream's."""
        return [self.export(day, trigger, sport) for day in self.grading_dates(game_date, sport)]

    def grading_dates(self, game_date: date, sport: str = DEFAULT_SPORT) -> list[date]:
        """What grading `game_date` exports: the date, and today when the date is past."""
        today = self.today(sport)
        return [game_date, today] if game_date < today else [game_date]

    def load_signal(self, game_date: date, rows: Sequence[SignalRow], sport: str = DEFAULT_SPORT) -> None:
        self.store.replace_signal(game_date, rows, sport)

    def load_results(self, game_date: date, rows: Sequence[GameResult], sport: str = DEFAULT_SPORT) -> None:
        self.store.replace_results(game_date, rows, sport)

    def load_closing(self, game_date: date, lines: Sequence[ClosingLine], sport: str = DEFAULT_SPORT) -> list[ClosingLine]:
        """Replace the date's closing lines with those that name a published pick; returns the
        others (ignored: nothing was published on their key)."""
        date_file = self.published(game_date, sport)
        published = set(fold_ledger(self.store.load_export_inputs(game_date, sport=sport).merge.ledger).values())
        keys = {pick.key for pick in (*published, *(date_file.picks() if date_file else ()))}
        self.store.replace_closing(game_date, [line for line in lines if line.key in keys], sport)
        return [line for line in lines if line.key not in keys]

    def manual_commands(self, game_date: date, sport: str = DEFAULT_SPORT) -> list[ManualCommand]:
        commands = self.store.load_export_inputs(game_date, sport=sport).merge.manual
        return sorted(commands, key=lambda c: c.order)

    def audit_records(self, game_date: date, sport: str = DEFAULT_SPORT) -> list[AuditRecord]:
        return current_audit(self.store.audit_records(game_date, sport))

    def audit_record(self, export_id: str) -> AuditRecord:
        sport, game_date = export_id_parts(export_id)
        for record in self.audit_records(game_date, sport):
            if record.export_id == export_id:
                return record
        raise InvalidCommand(f"no audit record for export {export_id}")

    def published(self, game_date: date, sport: str = DEFAULT_SPORT) -> PublishedDocument | None:
        return PublishedDocument.parse(self.publisher.read(self.sports.get(sport).date_file_name(game_date))[0])
