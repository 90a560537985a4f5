"""Folding the append-only lock ledger into the current state of each published pick."""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from .picks import LedgerRow, Pick


def fold_ledger(rows: Iterable[LedgerRow]) -> dict[str, Pick]:
    """Current pick per pick_id.

    Published fields come from the pick's first row (they are frozen), a void is permanent once
    any row carries it, and everything else comes from the latest row. The fold is monotone, so
    rows written by a concurrent export that lost its race can never un-publish or un-void a pick.
    It reads no other row: see versions_to_fold.
    """
    picks: dict[str, Pick] = {}
    for pick_id, history in _histories(rows).items():
        current = history[-1].pick.with_published_fields_of(history[0].pick)
        first_void = _first_void(history)
        if first_void is not None:
            current = replace(current, status="voided", void_reason=first_void.pick.void_reason)
        picks[pick_id] = current
    return picks


def versions_to_fold(rows: Iterable[LedgerRow]) -> list[LedgerRow]:
    """The rows fold_ledger reads of each pick: its first, its first voided and its latest (in
    `order`). What an export's read returns of the ledger (the stores select these in SQL), so the
    read is bounded by the date's picks, not by the versions every re-run of the signal appends."""
    kept: list[LedgerRow] = []
    for history in _histories(rows).values():
        first_void = _first_void(history)
        kept += [row for row in history if row is history[0] or row is history[-1] or row is first_void]
    return kept


def _histories(rows: Iterable[LedgerRow]) -> dict[str, list[LedgerRow]]:
    """Each pick's rows, in `order`."""
    versions: dict[str, list[LedgerRow]] = {}
    for row in rows:
        versions.setdefault(row.pick.pick_id, []).append(row)
    for history in versions.values():
        history.sort(key=lambda row: row.order)
    return versions


def _first_void(history: list[LedgerRow]) -> LedgerRow | None:
    return next((row for row in history if row.pick.status == "voided"), None)
