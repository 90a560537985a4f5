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
    """
    versions: dict[str, list[LedgerRow]] = {}
    for row in rows:
        versions.setdefault(row.pick.pick_id, []).append(row)
    picks: dict[str, Pick] = {}
    for pick_id, history in versions.items():
        history.sort(key=lambda row: row.order)
        current = history[-1].pick.with_published_fields_of(history[0].pick)
        first_void = next((row.pick for row in history if row.pick.status == "voided"), None)
        if first_void is not None:
            current = replace(current, status="voided", void_reason=first_void.void_reason)
        picks[pick_id] = current
    return picks
