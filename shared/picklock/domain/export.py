"""Planning one export: merge, render, decide what to write, and what to audit. Pure."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Iterable, Literal

from .calendar import MAX_CLOCK_SKEW, format_instant, parse_instant, to_utc
from .chain import head_of, link_after, sign
from .feed import PickEvent, halt_events, pick_events
from .halts import HaltState, fold_halts
from .merge import MergeInputs, MergeResult, merge_and_lock
from .picks import HaltCommand, Pick
from .record import SeasonRecord, season_record
from .render import PublishedDocument, all_json_document, content_hash, date_document, sha256, to_text
from .sports import DEFAULT_SPORT, Sport
from .tally import DaySummary, DayTally
from .triggers import TRIGGERS

Outcome = Literal["published", "unchanged", "recovered"]


@dataclass(frozen=True)
class ExportInputs:
    """Everything an export reads from the store, in one read."""
    merge: MergeInputs
    season_tallies: tuple[DayTally, ...] = ()  # the latest tally of each earlier date the record details
    # The latest summary of each earlier date before those, and of a detailed date the one written
    # with its tally (when that row has one).
    season_summaries: tuple[DaySummary, ...] = ()
    audited_export_ids: frozenset[str] = frozenset()
    halt_commands: tuple[HaltCommand, ...] = ()  # the sport's halts and resumes

    @property
    def halt(self) -> HaltState:
        return fold_halts(self.halt_commands, self.merge.sport)

    def season_record(self, season: str, today: DayTally) -> SeasonRecord:
        """The season's record up to the date read, with that date's tally as `today`."""
        return season_record(season, today.game_date, {day.game_date: day for day in self.season_tallies}, today,
                             {day.game_date: day for day in self.season_summaries})

    def merge_inputs(self, shown: tuple[Pick, ...] = ()) -> MergeInputs:
        """What the merge needs: the store's rows, what users can see, and the halt in force."""
        return replace(self.merge, shown=shown, halt=self.halt)


@dataclass(frozen=True)
class AuditRecord:
    game_date: date
    export_id: str
    trigger_source: str
    exported_at: datetime
    outcome: Outcome
    content_hash: str
    document_sha256: str
    all_json_written: bool
    all_json_sha256: str | None
    count_total: int
    count_active: int
    count_locked: int
    count_voided: int
    count_algorithm: int
    count_manual: int
    count_graded: int
    events: str
    document: str
    all_json_document: str | None
    sport: str = DEFAULT_SPORT
    tally: str | None = None  # DayTally.to_text() of the version exported (tally.py)
    day_summary: str | None = None  # DaySummary.to_text() of that tally
    # An unchanged export refers to the version it found (that version's export id) instead of
    # repeating it: `document` is then empty, and current_audit() gives it back.
    same_as: str | None = None

    @property
    def document_is_date_file(self) -> bool:
        return "picks" in json.loads(self.document)


@dataclass(frozen=True)
class ExportPlan:
    export_id: str
    outcome: Outcome
    merge: MergeResult
    date_text: str | None  # per-date file to write, None when unchanged
    all_json_text: str | None  # all.json to write, None when unchanged or not today's date
    audit: tuple[AuditRecord, ...]  # recovered records first, then this export's
    notices: tuple[dict, ...] = ()  # export-level events (also in the audit record's events)
    pick_events: tuple[PickEvent, ...] = ()  # the public events of this export's changes (feed.py)

    @property
    def recovered_snapshots(self) -> tuple[AuditRecord, ...]:
        """Recovered per-date versions: a crash may also have cost them their history snapshot."""
        return tuple(r for r in self.audit[:-1] if r.document_is_date_file)


def plan_export(
    inputs: ExportInputs,
    *,
    sport: Sport,
    date_file: PublishedDocument | None,
    all_json: PublishedDocument | None,
    now: datetime,
    export_id: str,
    trigger: str,
    all_json_date_file: PublishedDocument | None = None,
) -> ExportPlan:
    """`all_json_date_file` is the per-date file of the date all.json shows, when that is another
    date: if all.json's version is unaudited, its export wrote that file too."""
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown trigger {trigger!r}; expected one of {', '.join(TRIGGERS)}")
    now = to_utc(now)
    game_date = inputs.merge.game_date
    shown = tuple(date_file.picks()) if date_file else ()
    merged = merge_and_lock(inputs.merge_inputs(shown), now=now, export_id=export_id)

    recovered = tuple(_recover_unaudited(inputs, date_file, all_json, all_json_date_file))

    new_date_doc = date_document(sport.id, game_date, merged.picks, export_id=export_id, generated_at=now)
    date_text = None
    shown_version = date_file.data if date_file else None
    if date_file is None or date_file.content_hash != content_hash(new_date_doc):
        season_head = all_json.data.get("chain") if all_json else None
        shown_version = sign(new_date_doc, link_after(date_file.data if date_file else None, season_head))
        date_text = to_text(shown_version)

    tally = DayTally.of(game_date, merged.picks, inputs.merge.results)
    all_json_text = None
    notices = ()
    today = sport.today(now)
    reclaim = _reclaims_all_json(all_json, game_date, today, now)
    if reclaim:
        notices = ({"kind": "all_json_reclaimed", "detail": reclaim},)
    # G8: only an export of the current Eastern date writes all.json, and never over a later date
    # (an exporter whose clock just passed midnight), unless a clock far ahead wrote that date.
    if game_date == today and (all_json is None or all_json.game_date <= game_date or reclaim):
        record = inputs.season_record(sport.season(game_date).name, tally)
        new_all = all_json_document(sport.id, game_date, merged.picks, record, inputs.halt, head_of(shown_version),
                                    export_id=export_id, generated_at=now)
        if all_json is None or all_json.content_hash != content_hash(new_all):
            all_json_text = to_text(new_all, compact=True)

    disagreeing = {e.pick_id for e in merged.events if e.kind == "signal_disagrees"}
    events = pick_events(merged.ledger_rows, inputs.merge.manual, disagreeing)
    if all_json_text is not None:
        before = HaltState(all_json.data["halt_active"]) if all_json and "halt_active" in all_json.data else None
        events += halt_events(sport.id, before, inputs.halt, now)

    published = date_text is not None or all_json_text is not None
    document = date_text if date_text is not None else date_file.text
    record = _audit_record(
        sport.id, game_date, export_id, trigger, now, "published" if published else "unchanged",
        merged.picks, tally, [e.as_dict() for e in merged.events] + list(notices), document, all_json_text,
        same_as=None if published else date_file.export_id,
    )
    return ExportPlan(export_id, record.outcome, merged, date_text, all_json_text, recovered + (record,), notices,
                      tuple(events))


def _reclaims_all_json(all_json: PublishedDocument | None, game_date: date, today: date,
                       now: datetime) -> str | None:
    """Why this export of today takes all.json back from a later date, or None.

    A later date written within MAX_CLOCK_SKEW of this clock is an exporter past midnight: it
    stays. One written further ahead (a stray --now, a test run against production, a clock days
    fast) would freeze all.json until the real clock catches up: today takes it back."""
    if all_json is None or all_json.game_date <= game_date or game_date != today:
        return None
    generated_at = parse_instant(all_json.data["generated_at"])
    if generated_at <= now + MAX_CLOCK_SKEW:
        return None
    return (f"all.json showed {all_json.game_date} (export {all_json.export_id}, generated "
            f"{format_instant(generated_at)}, more than {MAX_CLOCK_SKEW} ahead of this exporter's clock "
            f"{format_instant(now)}); today {game_date} takes it back")


def _recover_unaudited(inputs: ExportInputs, date_file, all_json, all_json_date_file):
    """A crash after a file write and before its audit row leaves an unaudited version (G4, G7):
    rebuild its record from the published text itself."""
    audited = inputs.audited_export_ids
    if date_file is not None and date_file.export_id not in audited:
        same_export_all = all_json if all_json and all_json.export_id == date_file.export_id else None
        yield _recovered(date_file, same_export_all)
    if (all_json is not None and all_json.export_id not in audited
            and (date_file is None or all_json.export_id != date_file.export_id)):
        same_export = all_json_date_file and all_json_date_file.export_id == all_json.export_id
        yield _recovered(all_json_date_file if same_export else all_json, all_json)


def current_audit(records: Iterable[AuditRecord]) -> list[AuditRecord]:
    """One record per export, in order, each with its document. A version can be recovered by a
    concurrent export while its own export is still between its file writes and its audit row;
    both rows then describe the same text, and the export's own row (which knows its trigger) is
    the one kept. An unchanged export's row gets the document of the version it refers to."""
    chosen: dict[str, AuditRecord] = {}
    for record in records:
        kept = chosen.get(record.export_id)
        if kept is None or (kept.outcome == "recovered" and record.outcome != "recovered"):
            chosen[record.export_id] = record
    found = {r.export_id: r for r in chosen.values() if r.same_as is None}
    return sorted((replace(r, document=found[r.same_as].document) if r.same_as in found else r
                   for r in chosen.values()), key=lambda r: (r.exported_at, r.export_id))


def _recovered(document: PublishedDocument, all_json: PublishedDocument | None) -> AuditRecord:
    generated_at = parse_instant(document.data["generated_at"])
    return _audit_record(
        document.sport, document.game_date, document.export_id, "recovery", generated_at, "recovered",
        document.picks(), DayTally.of(document.game_date, document.picks()), [], document.text,
        all_json.text if all_json else None,
    )


def _audit_record(sport: str, game_date, export_id, trigger, now, outcome, picks: tuple[Pick, ...] | list[Pick],
                  tally: DayTally, events, document: str, all_json_text: str | None, *,
                  same_as: str | None = None) -> AuditRecord:
    live = [p for p in picks if p.live]
    # A reference's tally is that of the version it found, unless picks withdrawn since were
    # graded as if they had stood (their actuals are not in the document): then it is its own.
    keeps_tally = same_as is None or any(p.withdrawn for p in tally.picks)
    return AuditRecord(
        sport=sport, game_date=game_date, export_id=export_id, trigger_source=trigger, exported_at=now,
        outcome=outcome, content_hash=content_hash(json.loads(document)),
        document_sha256=sha256(document), all_json_written=all_json_text is not None,
        all_json_sha256=sha256(all_json_text) if all_json_text is not None else None,
        count_total=len(picks),
        count_active=sum(p.status == "active" for p in picks),
        count_locked=sum(p.status == "locked" for p in picks),
        count_voided=sum(p.status == "voided" for p in picks),
        count_algorithm=sum(p.source == "algorithm" for p in live),
        count_manual=sum(p.source == "manual" for p in live),
        count_graded=sum(p.result is not None for p in picks),
        events=json.dumps(events, sort_keys=True),
        document="" if same_as else document, all_json_document=all_json_text, same_as=same_as,
        tally=tally.to_text() if keeps_tally else None,
        day_summary=DaySummary.of(tally).to_text() if keeps_tally else None,
    )


def describe(plan: ExportPlan) -> str:
    record = plan.audit[-1]
    return (f"export {plan.export_id} {plan.outcome}: {record.count_total} picks "
            f"({record.count_active} active, {record.count_locked} locked, {record.count_voided} voided; "
            f"{record.count_algorithm} algorithm, {record.count_manual} manual, {record.count_graded} graded) "
            f"at {format_instant(record.exported_at)}"
            + "".join(f"\n  {e.kind}: {e.player_lookup} {e.stat}: {e.detail}" for e in plan.merge.events)
            + "".join(f"\n  {n['kind']}: {n['detail']}" for n in plan.notices))
