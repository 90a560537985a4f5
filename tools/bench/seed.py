"""Past game dates for the sections that need history in the tables: made by the pure core as the
functions would have (published, refreshed, graded), and appended to a store in jobs of bounded
size."""
from __future__ import annotations

import functools
from datetime import date, datetime, time as clock_time, timedelta, timezone
from typing import Sequence

from picklock.domain.export import ExportInputs, plan_export
from picklock.domain.merge import MergeInputs
from picklock.domain.picks import ClosingLine, GameResult
from picklock.domain.record import details_start
from picklock.domain.tally import DaySummary, DayTally
from picklock.domain.render import PublishedDocument
from picklock.service_layer.services import new_export_id

from .common import ODDS, PICKS_PER_DAY, SPORTS, TODAY, signal_rows, sport_stat, tip_off


def history(days: int, *, picks: int = PICKS_PER_DAY, sport: str = "nba"):
    """Ledger rows and audit records of `days` past game dates of `sport`, made by the pure core as
    the functions would have: a first publish, a signal refresh, then grading the next morning
    (with the closing lines). Each day's exports see the season's earlier days as the store would
    hand them over (the latest tally of each date), so every audit row carries the day's real tally
    and, where the export wrote all.json, the season-long all.json of that day.
    Cached: the same history seeds several stores."""
    ledger, audit = _history(days, picks, sport)
    return list(ledger), list(audit)


def closing_lines(game_date: date, picks: int, sport: str = "nba") -> tuple[ClosingLine, ...]:
    """The market's last line before tip-off: half a point either way (CLV of +-0.5), or unmoved."""
    stat = sport_stat(sport)
    return tuple(ClosingLine(game_date, f"player{i:06d}", stat, 14.5 + i % 20 + (0.5, -0.5, 0.0)[i % 3],
                             tip_off(game_date) - timedelta(minutes=5), ODDS[(i + 1) % len(ODDS)], sport=sport)
                 for i in range(picks))


@functools.lru_cache(maxsize=None)
def _history(days: int, picks: int, sport: str):
    spec, stat = SPORTS.get(sport), sport_stat(sport)
    ledger, audit = [], []
    # The latest tally and day summary of each past date, as the audit table holds them.
    tallies: dict[date, DayTally] = {}
    summaries: dict[date, DaySummary] = {}
    for back in range(days, 0, -1):
        d = TODAY - timedelta(days=back)
        start = spec.season_start(d)
        season = tuple(tally for day, tally in sorted(tallies.items()) if details_start(d, start) <= day < d)
        season_summaries = tuple(summary for day, summary in sorted(summaries.items()) if start <= day < d)
        t1, t2, t3 = (datetime.combine(d, clock_time(h), tzinfo=timezone.utc) for h in (16, 20, 23))
        graded_at = t3 + timedelta(hours=9)  # 04:00 in New York the next day
        runs = [(signal_rows(d, 0, picks, sport), (), (), t1, "signal_updated"),
                (signal_rows(d, picks, picks, sport), (), (), t2, "signal_updated"),
                (signal_rows(d, picks, picks, sport),
                 tuple(GameResult(d, f"player{i:06d}", stat, 14.5 + i % 20 + (3 if i % 3 else -3) if i % 7 else None,
                                  sport=sport)
                       for i in range(picks)), closing_lines(d, picks, sport), graded_at, "post_grading")]
        day_ledger, date_file, all_json, audited = [], None, None, set()
        for signal, results, closes, now, trigger in runs:
            plan = plan_export(sport=spec, inputs=
                ExportInputs(MergeInputs(d, tuple(signal), tuple(day_ledger), (), results, sport=sport, closing=closes),
                             season_tallies=season, season_summaries=season_summaries,
                             audited_export_ids=frozenset(audited)),
                date_file=date_file, all_json=all_json, now=now,
                export_id=new_export_id(sport, d, now, f"hist{len(audit):04d}"), trigger=trigger)
            day_ledger += plan.merge.ledger_rows
            audit += plan.audit
            audited |= {r.export_id for r in plan.audit}
            date_file = PublishedDocument.parse(plan.date_text) if plan.date_text else date_file
            all_json = PublishedDocument.parse(plan.all_json_text) if plan.all_json_text else all_json
        tallies[d] = DayTally.from_text(audit[-1].tally)
        summaries[d] = DaySummary.from_text(audit[-1].day_summary)
        ledger += day_ledger
    return tuple(ledger), tuple(audit)


def seed_history(store, days: int, chunk_days: int = 30, *, picks: int = PICKS_PER_DAY,
                 sport: str = "nba") -> tuple[int, int]:
    ledger, audit = history(days, picks=picks, sport=sport)
    return append_by_days(store, ledger, audit, days, chunk_days)


AUDIT_CHUNK_BYTES = 4_000_000  # per insert job: audit rows carry all.json (up to ~150 kB each)
LEDGER_CHUNK_ROWS = 300  # per insert job: a bigger DML insert can pass the store's 10 s call limit on the emulator


def append_by_days(store, ledger: Sequence, audit: Sequence, days: int, chunk_days: int = 30) -> tuple[int, int]:
    """Ledger rows of `days` game dates, appended `chunk_days` dates (at most LEDGER_CHUNK_ROWS rows)
    per job; audit records in jobs of `chunk_days` dates or AUDIT_CHUNK_BYTES of documents,
    whichever is smaller."""
    per_day_ledger = max(1, len(ledger) // max(days, 1))
    per_day_audit = max(1, len(audit) // max(days, 1))
    step = max(1, min(chunk_days * per_day_ledger, LEDGER_CHUNK_ROWS))
    for i in range(0, len(ledger), step):
        store.append_ledger(ledger[i:i + step])
    chunk: list = []
    weight = 0
    for record in audit:
        size_of = len(record.document) + len(record.all_json_document or "") + len(record.tally or "")
        if chunk and (len(chunk) >= chunk_days * per_day_audit or weight + size_of > AUDIT_CHUNK_BYTES):
            store.append_audit(chunk)
            chunk, weight = [], 0
        chunk.append(record)
        weight += size_of
    if chunk:
        store.append_audit(chunk)
    return len(ledger), len(audit)
