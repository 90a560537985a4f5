"""merge_and_lock: the one place the publishing rules live (DESIGN.md, "Merge rules").

Pure: plain values in, plain values out; `now` and `export_id` are arguments, never read here.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Iterable

from .calendar import format_instant, to_utc
from .grading import grade
from .halts import RUNNING, HaltState
from .ledger import fold_ledger
from .manual import ManualState, fold_manual
from .picks import (
    ClosingLine, Event, GameResult, LedgerRow, ManualCommand, Pick, PickKey, SignalRow, pick_id_for,
)
from .pricing import closing_line_value, units
from .sports import DEFAULT_SPORT

REFRESHABLE_FIELDS = ("player_name", "edge", "rank", "angles", "tier")


@dataclass(frozen=True)
class MergeInputs:
    game_date: date
    signal: tuple[SignalRow, ...] = ()
    ledger: tuple[LedgerRow, ...] = ()
    manual: tuple[ManualCommand, ...] = ()
    results: tuple[GameResult, ...] = ()
    shown: tuple[Pick, ...] = ()  # picks of the per-date file users can see right now
    sport: str = DEFAULT_SPORT
    halt: HaltState = RUNNING  # while halted, nothing new is published
    closing: tuple[ClosingLine, ...] = ()  # closing lines of the date, for CLV


@dataclass(frozen=True)
class MergeResult:
    picks: tuple[Pick, ...]  # in display order
    ledger_rows: tuple[LedgerRow, ...]  # versions to append: new or changed picks only
    events: tuple[Event, ...]


def has_started(game_time: datetime | None, at: datetime) -> bool:
    return game_time is not None and at >= game_time


def merge_and_lock(inputs: MergeInputs, *, now: datetime, export_id: str) -> MergeResult:
    now = to_utc(now)
    events: list[Event] = []
    before = fold_ledger(row for row in inputs.ledger if _ours(inputs, row.pick))
    picks = dict(before)
    for shown in inputs.shown:  # a pick users saw but the ledger lost (G1 safety net)
        if shown.pick_id not in picks:
            picks[shown.pick_id] = shown
            events.append(_event("relocked", shown, "in the published file but missing from the ledger"))
        elif picks[shown.pick_id].published_fields() != shown.published_fields():
            # Two exports created this pick concurrently; the one that lost the publish race may have
            # the earlier ledger row. Users saw the file's version: it stays (G3).
            picks[shown.pick_id] = picks[shown.pick_id].with_published_fields_of(shown)
    signal = _signal_by_key(inputs, events)
    manual = fold_manual(c for c in inputs.manual if _ours(inputs, c))
    results = {r.key: r for r in inputs.results if _ours(inputs, r)}
    closing = _latest_closing(c for c in inputs.closing if _ours(inputs, c))
    schedule = _schedule(signal.values())
    shown_ids = {p.pick_id for p in inputs.shown}

    by_key: dict[PickKey, list[Pick]] = {}
    for pick in picks.values():
        by_key.setdefault(pick.key, []).append(pick)
    merged: list[Pick] = []
    for key in sorted(set(by_key) | set(signal) | set(manual)):
        key_picks = _merge_key(
            key, by_key.get(key, []), signal.get(key), manual.get(key), schedule, shown_ids, now, events, inputs.halt
        )
        merged.extend(_close(_grade(pick, results.get(key), now, events), closing.get(key)) for pick in key_picks)

    ordered = tuple(sorted(merged, key=_display_order))
    ledger_rows = tuple(_ledger_rows(ordered, before, events, export_id, now))
    return MergeResult(ordered, ledger_rows, tuple(events))


def _ours(inputs: MergeInputs, row) -> bool:
    """A row of the date and sport being merged (the store reads no others; the core checks)."""
    return row.game_date == inputs.game_date and row.sport == inputs.sport


def _signal_by_key(inputs: MergeInputs, events: list[Event]) -> dict[PickKey, SignalRow]:
    """One signal row per key: upstream duplicates resolve to the best-ranked row, reported."""
    chosen: dict[PickKey, SignalRow] = {}
    rows = sorted(
        (r for r in inputs.signal if _ours(inputs, r)),
        key=lambda r: (r.rank is None, r.rank or 0, r.system_id, r.direction, r.line),
    )
    for row in rows:
        if row.key in chosen:
            events.append(Event("duplicate_signal_row", row.player_lookup, row.stat,
                                f"ignored {row.direction} {row.line} from {row.system_id}; kept rank {chosen[row.key].rank}"))
        else:
            chosen[row.key] = row
    return chosen


def _latest_closing(lines: Iterable[ClosingLine]) -> dict[PickKey, ClosingLine]:
    latest: dict[PickKey, ClosingLine] = {}
    for line in lines:
        if line.key not in latest or line.captured_at > latest[line.key].captured_at:
            latest[line.key] = line
    return latest


def _schedule(rows: Iterable[SignalRow]) -> dict[str, tuple[str | None, datetime | None]]:
    """Team -> (game_id, tip-off), learnt from the signal, for manual picks that do not say."""
    schedule = {}
    for row in rows:
        if row.game_time is not None:
            schedule[row.team] = schedule[row.opponent] = (row.game_id, row.game_time)
    return schedule


def _merge_key(
    key: PickKey,
    published: list[Pick],
    sig: SignalRow | None,
    manual: ManualState | None,
    schedule: dict[str, tuple[str | None, datetime | None]],
    shown_ids: set[str],
    now: datetime,
    events: list[Event],
    halt: HaltState,
) -> list[Pick]:
    picks = [_apply_tombstones(pick, manual, events) for pick in published]

    # No two live picks on a key (G2). Only a lost race can produce two; the one users see wins.
    live = sorted((p for p in picks if p.live), key=lambda p: (p.pick_id not in shown_ids, p.first_published_at, p.pick_id))
    for extra in live[1:]:
        picks[picks.index(extra)] = replace(extra, status="voided", void_reason="duplicate")
        events.append(_event("voided", extra, f"second live pick on {key}; kept {live[0].pick_id}"))
    holder = live[0] if live else None

    if holder is not None:
        picks[picks.index(holder)] = holder = _overlay_signal(holder, sig, now, events)

    wanted = manual.wanted if manual else None
    added_manual = False
    if wanted is not None:
        game_id, game_time = _wanted_game(wanted, schedule)
        if holder is not None:
            if not (holder.source == "manual" and same_pick(holder, wanted)):
                events.append(Event(
                    "manual_refused", key.player_lookup, key.stat,
                    f"{key} is held by published {holder.source} pick {holder.direction} {holder.line}; "
                    "void it first", pick_id=holder.pick_id, request_id=wanted.request_id))
        elif has_started(game_time, wanted.submitted_at):
            events.append(Event("late_pick_refused", key.player_lookup, key.stat,
                                f"manual pick submitted after tip-off ({format_instant(game_time)})",
                                request_id=wanted.request_id))
        elif halt.active:
            events.append(Event("halted", key.player_lookup, key.stat, halt.describe(key.sport),
                                request_id=wanted.request_id))
        else:
            pick = _new_manual_pick(wanted, game_id, game_time, now)
            # Already published (and since voided), or withdrawn before it was ever published.
            if all(p.pick_id != pick.pick_id for p in picks) and manual.tombstone_for(pick) is None:
                picks.append(pick)
                added_manual = True

    if sig is not None and holder is None and not added_manual:
        if picks:
            events.append(Event("signal_suppressed", key.player_lookup, key.stat,
                                "key was voided by an operator; only a manual pick may replace it"))
        elif has_started(sig.game_time, now):
            events.append(Event("late_pick_refused", key.player_lookup, key.stat,
                                f"signal pick after tip-off ({format_instant(sig.game_time)})"))
        elif halt.active:
            events.append(Event("halted", key.player_lookup, key.stat, f"signal pick not published: "
                                f"{halt.describe(key.sport)}"))
        elif manual is not None and (tombstone := manual.tombstone_for(_new_algorithm_pick(sig, now))):
            # A void covers picks first published at or before it, so also one this export would
            # create: otherwise the next export would void it (G5).
            events.append(Event("signal_suppressed", key.player_lookup, key.stat,
                                f"an operator void ({tombstone.reason}) covers picks published until "
                                f"{format_instant(tombstone.order[0])}"))
        else:
            picks.append(_new_algorithm_pick(sig, now))
    return picks


def _wanted_game(wanted: ManualCommand, schedule) -> tuple[str | None, datetime | None]:
    if wanted.game_time is not None:
        return schedule.get(wanted.team, (None, None))[0], wanted.game_time
    return schedule.get(wanted.team, (None, None))


def _apply_tombstones(pick: Pick, manual: ManualState | None, events: list[Event]) -> Pick:
    if not pick.live or manual is None:
        return pick
    tombstone = manual.tombstone_for(pick)
    if tombstone is None:
        return pick
    events.append(_event("voided", pick, tombstone.reason))
    return replace(pick, status="voided", void_reason=tombstone.reason)


def _overlay_signal(pick: Pick, sig: SignalRow | None, now: datetime, events: list[Event]) -> Pick:
    if pick.source == "manual":
        return replace(pick, status="active")
    if sig is None:
        return replace(pick, status="locked")
    if (sig.direction, sig.line) != (pick.direction, pick.line):
        if pick.status == "active":
            events.append(_event("signal_disagrees", pick,
                                 f"signal now says {sig.direction} {sig.line}; published {pick.direction} {pick.line} kept"))
        return replace(pick, status="locked")
    if has_started(pick.game_time, now):
        return replace(pick, status="active")  # frozen after tip-off: no refresh
    return replace(pick, status="active", player_name=sig.player_name or pick.player_name,
                   edge=sig.edge, rank=sig.rank, angles=sig.angles, tier=sig.tier)


def same_pick(pick: Pick, wanted: ManualCommand) -> bool:
    return (pick.direction, pick.line, pick.team, pick.opponent) == (
        wanted.direction, wanted.line, wanted.team, wanted.opponent)


def _new_algorithm_pick(sig: SignalRow, now: datetime) -> Pick:
    return Pick(
        pick_id=pick_id_for(sig.key, "algorithm", sig.direction, sig.line, sig.system_id),
        sport=sig.sport, game_date=sig.game_date, player_lookup=sig.player_lookup, stat=sig.stat, team=sig.team,
        opponent=sig.opponent, direction=sig.direction, line=sig.line, source="algorithm",
        first_published_at=now, status="active", system_id=sig.system_id,
        algorithm_version=sig.algorithm_version, game_id=sig.game_id, game_time=sig.game_time,
        player_name=sig.player_name, edge=sig.edge, rank=sig.rank, angles=sig.angles,
        odds_american=sig.odds_american, tier=sig.tier, home=sig.home,
    )


def _new_manual_pick(wanted: ManualCommand, game_id, game_time, now: datetime) -> Pick:
    return Pick(
        pick_id=pick_id_for(wanted.key, "manual", wanted.direction, wanted.line, wanted.request_id),
        sport=wanted.sport, game_date=wanted.game_date, player_lookup=wanted.player_lookup, stat=wanted.stat,
        team=wanted.team, opponent=wanted.opponent, direction=wanted.direction, line=wanted.line,
        source="manual", first_published_at=now, status="active", system_id="manual",
        manual_request_id=wanted.request_id, submitted_by=wanted.submitted_by, game_id=game_id,
        game_time=game_time, notes=wanted.notes, player_name=wanted.player_name, edge=wanted.edge,
        odds_american=wanted.odds_american, tier=wanted.tier, home=wanted.home,
    )


def _grade(pick: Pick, result: GameResult | None, now: datetime, events: list[Event]) -> Pick:
    if result is None or not pick.live:
        return pick
    if pick.game_time is not None and not has_started(pick.game_time, now):
        # An actual before the game is upstream's mistake; shown, it would be a result before tip-off.
        events.append(_event("result_before_tipoff", pick, f"actual {result.actual_value} ignored until tip-off "
                                                           f"({format_instant(pick.game_time)})"))
        return pick
    outcome, actual = grade(pick, result)
    if (outcome, actual) != (pick.result, pick.actual):
        events.append(_event("graded", pick, f"{outcome} (actual {actual})"))
    return replace(pick, result=outcome, actual=actual, units=units(outcome, pick.odds_american))


def _close(pick: Pick, closing: ClosingLine | None) -> Pick:
    """A closing line may arrive before or after grading: the pick carries it when known."""
    if closing is None or not pick.live:
        return pick
    return replace(pick, closing_line=closing.line_value, clv=closing_line_value(pick, closing))


def _display_order(pick: Pick):
    """Active algorithm picks by signal rank, then locked, then manual, then voided; stable."""
    if not pick.live:
        group = 3
    elif pick.source == "manual":
        group = 2
    else:
        group = 0 if pick.status == "active" else 1
    return (group, pick.rank is None, pick.rank or 0, pick.first_published_at, pick.player_lookup, pick.stat, pick.pick_id)


def _ledger_rows(picks, before: dict[str, Pick], events: list[Event], export_id: str, now: datetime):
    for pick in picks:
        previous = before.get(pick.pick_id)
        # Published fields are the first row's for good: a difference in them alone is no new version.
        if previous is not None and pick == previous.with_published_fields_of(pick):
            continue
        kinds = _changes(previous, pick)
        details = [e.detail for e in events if e.pick_id == pick.pick_id]
        kinds += [e.kind for e in events if e.pick_id == pick.pick_id and e.kind not in kinds]
        yield LedgerRow(pick, ",".join(kinds) or "updated", export_id, now, "; ".join(details) or None)


def _changes(previous: Pick | None, pick: Pick) -> list[str]:
    if previous is None:
        return ["published"]
    kinds = []
    if previous.status != pick.status:
        kinds.append({"active": "reactivated", "locked": "locked", "voided": "voided"}[pick.status])
    if (previous.result, previous.actual, previous.units) != (pick.result, pick.actual, pick.units):
        kinds.append("graded")
    if (previous.closing_line, previous.clv) != (pick.closing_line, pick.clv):
        kinds.append("closing_line")
    if any(getattr(previous, f) != getattr(pick, f) for f in REFRESHABLE_FIELDS):
        kinds.append("refreshed")
    return kinds


def _event(kind: str, pick: Pick, detail: str) -> Event:
    return Event(kind, pick.player_lookup, pick.stat, detail, pick_id=pick.pick_id)
