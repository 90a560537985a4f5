"""Values a migration cannot compute in SQL, filled from what the rows already hold.

A migration (schemas/bigquery/migrations/) adds the column; each store then fills the rows that
read NULL: an embedded home when it adds the column, BigQuery in `picklock migrate`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..domain.tally import DaySummary, DayTally
from ..domain.render import PublishedDocument


def audit_tally(document: str) -> str:
    """The day tally of the version an audit row holds (a per-date file or an all.json)."""
    published = PublishedDocument.parse(document)
    return DayTally.of(published.game_date, published.picks()).to_text()


def audit_day_summary(tally: str) -> str:
    """The day summary of an audit row's tally (filled just before, if the row predates both)."""
    return DaySummary.of(DayTally.from_text(tally)).to_text()


@dataclass(frozen=True)
class Backfill:
    table: str
    column: str  # filled where NULL
    source: str  # the column it is computed from
    keys: tuple[str, ...]  # identify the rows to update (BigQuery has no row id)
    compute: Callable[[str], str]


BACKFILLS = (
    Backfill("best_bets_export_audit", "tally", "document", ("game_date", "sport", "export_id"), audit_tally),
    Backfill("best_bets_export_audit", "day_summary", "tally", ("game_date", "sport", "export_id"), audit_day_summary),
)
