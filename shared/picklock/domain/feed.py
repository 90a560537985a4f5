"""Every pick's life as public events: published, signal disagrees or retracted, voided (with its
reason), graded (with result and units), manual add and remove (who, note), halt and resume.

An event's id is derived from the change itself, so an export that runs again (a redelivered
message) yields the same ids: subscribers of `pick-events` and readers of the feeds never see
a change twice. The feeds (JSON Feed 1.1 and Atom 1.0) hold the latest FEED_SIZE events.
"""
from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ElementTree
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Iterable, Sequence

from .calendar import format_instant
from .halts import HaltState
from .picks import LedgerRow, ManualCommand, Pick

FEED_SIZE = 200
EVENT_TYPES = ("published", "manual_add", "signal_disagrees", "retracted", "voided", "manual_remove", "graded",
               "halt", "resume")
_ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class PickEvent:
    id: str
    type: str  # one of EVENT_TYPES
    sport: str
    at: str  # instant of the export that made the change (ISO-8601, UTC)
    title: str
    game_date: str | None = None
    pick_id: str | None = None
    detail: str | None = None
    by: str | None = None  # the operator, for manual picks, removes, voids, halts
    result: str | None = None
    units: float | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict) -> PickEvent:
        return cls(**data)


def _event_id(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:24]


def pick_events(rows: Sequence[LedgerRow], manual: Iterable[ManualCommand], signal_disagrees: set[str]) -> list[PickEvent]:
    """The events of the ledger rows one export appends. `signal_disagrees`: pick ids the signal
    now contradicts (a lock with a disagreement; a lock without one: the signal dropped the pick)."""
    commands = sorted(manual, key=lambda c: c.order)
    events = []
    for row in rows:
        pick, changes = row.pick, row.change.split(",")
        at = format_instant(row.recorded_at)
        if "published" in changes:
            kind = "manual_add" if pick.source == "manual" else "published"
            events.append(_event(kind, pick, at, f"{_describe(pick)} published", detail=pick.notes,
                                 by=pick.submitted_by))
        if "locked" in changes:
            kind = "signal_disagrees" if pick.pick_id in signal_disagrees else "retracted"
            events.append(_event(kind, pick, at, f"{_describe(pick)}: the signal "
                                 + ("now disagrees; the published pick stands" if kind == "signal_disagrees"
                                    else "dropped it; the published pick stands"), detail=row.change_detail))
        if "voided" in changes:
            command = _withdrawing(commands, pick)
            kind = "manual_remove" if pick.void_reason == "removed" else "voided"
            events.append(_event(kind, pick, at, f"{_describe(pick)} {'removed' if kind == 'manual_remove' else 'voided'}"
                                 f": {pick.void_reason}", detail=pick.void_reason,
                                 by=command.submitted_by if command else None))
        if "graded" in changes and pick.result is not None:
            units = "" if pick.units is None else f" ({pick.units:+.2f}u)"
            events.append(_event("graded", pick, at, f"{_describe(pick)} graded {pick.result}{units}",
                                 detail=None if pick.actual is None else f"actual {pick.actual:g}",
                                 result=pick.result, units=pick.units))
    return events


def halt_events(sport: str, before: HaltState | None, after: HaltState, at: datetime) -> list[PickEvent]:
    """A halt or resume, once, when all.json's halt state changes."""
    if before is not None and before.active == after.active:
        return []
    if before is None and not after.active:
        return []
    if after.active:
        return [PickEvent(_event_id(sport, "halt", format_instant(after.since)), "halt", sport, format_instant(at),
                          f"{sport.upper()} publishing halted: {after.reason}", detail=after.reason, by=after.by)]
    return [PickEvent(_event_id(sport, "resume", format_instant(at)), "resume", sport, format_instant(at),
                      f"{sport.upper()} publishing resumed")]


def _event(kind: str, pick: Pick, at: str, title: str, **fields) -> PickEvent:
    state = (fields.get("result"), fields.get("units"), fields.get("detail")) if kind in ("graded", "voided") else ()
    return PickEvent(_event_id(pick.sport, pick.pick_id, kind, *state), kind, pick.sport, at, title,
                     game_date=pick.game_date.isoformat(), pick_id=pick.pick_id, **fields)


def _describe(pick: Pick) -> str:
    odds = "" if pick.odds_american is None else f" ({pick.odds_american:+d})"
    return f"{pick.player_name or pick.player_lookup} {pick.stat} {pick.direction} {pick.line:g}{odds}"


def _withdrawing(commands: list[ManualCommand], pick: Pick) -> ManualCommand | None:
    """The latest remove or void that names the pick (or, recorded before targets, its key)."""
    found = [c for c in commands if c.action in ("remove", "void")
             and (pick.pick_id in c.targets or (not c.targets and c.key == pick.key))]
    return found[-1] if found else None


def merged_events(current: Sequence[PickEvent], new: Iterable[PickEvent]) -> list[PickEvent]:
    """The latest FEED_SIZE events, newest first; an event already there is not added again."""
    known = {event.id for event in current}
    added = [event for event in dict((event.id, event) for event in new).values() if event.id not in known]
    # Newest first; of one instant (one export), the last made first. The sort is stable.
    return sorted([*reversed(added), *current], key=lambda event: event.at, reverse=True)[:FEED_SIZE]


def events_of_feed(text: str | None) -> list[PickEvent]:
    if text is None:
        return []
    return [PickEvent.from_dict(item["_picklock"]) for item in json.loads(text)["items"]]


def json_feed(sport: str, events: Sequence[PickEvent]) -> str:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1); each item keeps its event in `_picklock`."""
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"picklock {sport.upper()} pick events",
        "description": "Every published pick's life: published, locked, voided, graded; halts and resumes.",
        "items": [{
            "id": event.id,
            "title": event.title,
            "content_text": event.title + (f" — {event.detail}" if event.detail else "")
                            + (f" (by {event.by})" if event.by else ""),
            "date_published": event.at,
            "tags": [event.type],
            "_picklock": event.as_dict(),
        } for event in events],
    }
    return json.dumps(feed, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"


def atom_feed(sport: str, events: Sequence[PickEvent], updated: datetime) -> str:
    """Atom 1.0 (RFC 4287) of the same events."""
    ElementTree.register_namespace("", _ATOM)

    def child(parent, tag: str, text: str | None = None, **attributes):
        element = ElementTree.SubElement(parent, f"{{{_ATOM}}}{tag}", attributes)
        element.text = text
        return element

    feed = ElementTree.Element(f"{{{_ATOM}}}feed")
    child(feed, "id", f"urn:picklock:{sport}:pick-events")
    child(feed, "title", f"picklock {sport.upper()} pick events")
    child(feed, "updated", events[0].at if events else format_instant(updated))
    child(child(feed, "author"), "name", "picklock")
    for event in events:
        entry = child(feed, "entry")
        child(entry, "id", f"urn:picklock:{sport}:event:{event.id}")
        child(entry, "title", event.title)
        child(entry, "updated", event.at)
        child(entry, "category", term=event.type)
        child(entry, "content", event.title + (f" — {event.detail}" if event.detail else "")
              + (f" (by {event.by})" if event.by else ""), type="text")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(feed, encoding="unicode") + "\n"
