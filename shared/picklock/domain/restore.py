"""Planning `picklock restore`: which objects the audit table says the bucket holds, and what to do
with what is there now. Pure: the service layer (service_layer/restore.py) reads and writes.

The audit row of every export holds the exact text it published (domain/export.py), so a date's
versions, their history snapshots, the live file (the last version) and the public index (the
versions that carry a sha256) can all be rebuilt byte for byte; all.json is the latest all.json
text of the sport. The feeds (feed.json, feed.xml) are not in the audit: restore cannot rebuild them.

Rules: a snapshot is immutable (one that differs from the audit is a conflict, never overwritten);
the index is append-only (merged, never shortened; an entry that contradicts the audit is a
conflict); the live file and all.json are rewritten where missing or different, but never moved
back behind a newer version (an unaudited version left by a crash: the next export recovers it).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Literal

from .calendar import parse_instant
from .chain import index_entry, merged_index, version_hash
from .export import AuditRecord
from .render import to_text
from .sports import Sport

Kind = Literal["snapshot", "date_file", "index", "all_json"]
Action = Literal["restore", "left", "conflict"]
RESTORED_OUTCOMES = ("published", "recovered")


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str
    text: str | None = None  # what to write, for "restore"


@dataclass(frozen=True)
class Version:
    """One per-date version as the audit holds it."""
    export_id: str
    text: str

    @property
    def data(self) -> dict:
        return json.loads(self.text)


@dataclass(frozen=True)
class DatePlan:
    """What the audit says one date's objects are."""
    game_date: date
    versions: tuple[Version, ...]  # in chain order; the last is the live file

    def snapshots(self, sport: Sport) -> list[tuple[str, str]]:
        return [(sport.snapshot_name(self.game_date, v.export_id), v.text) for v in self.versions]

    def index_entries(self, sport: Sport) -> list[dict]:
        return [index_entry(v.data, sport.snapshot_name(self.game_date, v.export_id))
                for v in self.versions if "sha256" in v.data]

    @property
    def live(self) -> Version | None:
        return self.versions[-1] if self.versions else None


def plan_date(game_date: date, records: Iterable[AuditRecord]) -> DatePlan:
    """The date's versions from its audit records (one per export, as current_audit gives them).

    A published or recovered record's document is the per-date text it wrote; an export that wrote
    only all.json holds the text of the version it left in place, which is that version's own text
    (its own record wins when both are there). Order: the chain's (seq), versions made before the
    chain first, in audit order."""
    found: dict[str, tuple[bool, str]] = {}  # export id of the version -> (from its own record, text)
    for record in records:
        if record.outcome not in RESTORED_OUTCOMES or not record.document_is_date_file:
            continue
        data = json.loads(record.document)
        if data.get("date") != game_date.isoformat():
            continue
        own = data["export_id"] == record.export_id
        if data["export_id"] not in found or (own and not found[data["export_id"]][0]):
            found[data["export_id"]] = (own, record.document)
    versions = [Version(export_id, text) for export_id, (_, text) in found.items()]
    position = {v.export_id: n for n, v in enumerate(versions)}
    versions.sort(key=lambda v: ("sha256" in v.data, v.data.get("seq") or 0, position[v.export_id]))
    return DatePlan(game_date, tuple(versions))


# ---------------------------------------------------------------- all.json

def all_json_order(data: dict) -> tuple:
    """Where an all.json stands in time: its date, then the version of the date's file it shows
    (the chain's length: exports of one date write it in chain order whatever their clocks), then
    when it was generated."""
    chain = data.get("chain") or {}
    return (date.fromisoformat(data["date"]), chain.get("length") or 0, parse_instant(data["generated_at"]))


def latest_all_json(records: Iterable[AuditRecord]) -> AuditRecord | None:
    """The record of the latest all.json text written by these exports, or None."""
    written = [r for r in records if r.outcome in RESTORED_OUTCOMES and r.all_json_document is not None]
    if not written:
        return None
    return max(written, key=lambda r: (all_json_order(json.loads(r.all_json_document)), r.export_id))


# ---------------------------------------------------------------- decisions

def decide_snapshot(wanted: str, existing: str | None) -> Decision:
    if existing is None:
        return Decision("restore", "missing", wanted)
    if existing == wanted:
        return Decision("left", "identical to the audit")
    return Decision("conflict", "differs from the audit's text; a snapshot is immutable and is never overwritten")


def decide_date_file(wanted: str, existing: str | None) -> Decision:
    if existing is None:
        return Decision("restore", "missing", wanted)
    if existing == wanted:
        return Decision("left", "identical to the audit's latest version")
    if _next_version(existing, wanted):
        return Decision("left", "a later version than the audit's latest (unaudited, after a crash: "
                                "the next export of the date recovers it)")
    return Decision("restore", "differs from the audit's latest version", wanted)


def _next_version(existing: str, wanted: str) -> bool:
    """The existing file is a correctly signed version that follows the audit's latest."""
    try:
        current, latest = json.loads(existing), json.loads(wanted)
        return (isinstance(current, dict) and "sha256" in latest and current.get("prev") == latest["sha256"]
                and current.get("date") == latest["date"] and version_hash(current) == current["sha256"])
    except (ValueError, KeyError, TypeError):
        return False


def decide_all_json(wanted: str, existing: str | None) -> Decision:
    if existing is None:
        return Decision("restore", "missing", wanted)
    if existing == wanted:
        return Decision("left", "identical to the audit's latest all.json")
    try:
        current = all_json_order(json.loads(existing))
    except (ValueError, KeyError, TypeError, AttributeError):
        return Decision("restore", "unreadable", wanted)
    latest = all_json_order(json.loads(wanted))
    if current > latest:
        return Decision("left", f"newer than the audit's latest all.json ({latest[0]}); never moved backwards")
    return Decision("restore", "older than the audit's latest all.json" if current < latest
                    else "differs from the audit's latest all.json", wanted)


def decide_index(sport: Sport, game_date: date, entries: list[dict], existing: str | None) -> Decision:
    """The index with the audit's versions merged in (append-only)."""
    if not entries and existing is None:
        return Decision("left", "no chained version in the audit")
    current = None
    if existing is not None:
        try:
            current = json.loads(existing)
            listed = {entry["sha256"]: entry for entry in current["versions"]}
        except (ValueError, KeyError, TypeError):
            return Decision("conflict", "not an index; it is append-only and is never overwritten "
                                        "(move it aside and restore again)")
        contradicted = [e["export_id"] for e in entries if e["sha256"] in listed and listed[e["sha256"]] != e]
        if contradicted:
            return Decision("conflict", f"lists {', '.join(contradicted)} differently from the audit; "
                                        "it is append-only and is never overwritten")
    text = to_text(merged_index(sport.id, game_date.isoformat(), current, entries))
    if text == existing:
        return Decision("left", "lists every version in the audit")
    if current is None:
        return Decision("restore", "missing", text)
    added = len({e["sha256"] for e in entries} - set(listed))
    return Decision("restore", f"{added} versions added" if added else "rewritten in chain order", text)
