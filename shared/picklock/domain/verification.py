"""What `picklock verify` checks, over public files already read (pure; README, "Verifying").

The chain: every listed version hashes to its entry, links to the one before, and the live file and
all.json's head are the last. Across versions of a date: no pick disappears or changes a published
field (G1, G3), a void has a reason and stays. Timing: no pick first published at or after its
tip-off, no result shown before it. The record: all.json's equals the record recomputed from the
per-date files.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Iterator

from .calendar import parse_instant
from .chain import version_hash
from .record import season_record
from .tally import DayTally
from .render import pick_from_json

# The fields a reader may rely on once a pick is shown (as the files name them).
FROZEN_FIELDS = ("player_lookup", "stat", "direction", "line", "odds", "source", "first_published_at")
RECORD_FIELDS = ("record", "streak", "best_streak", "weeks", "splits", "total_today", "total_picks", "graded",
                 "voided")


@dataclass(frozen=True)
class Violation:
    file: str
    problem: str
    export_id: str | None = None
    pick: str | None = None
    field: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def __str__(self) -> str:
        where = ", ".join(f"{name} {value}" for name, value in (("export", self.export_id), ("pick", self.pick),
                                                                ("field", self.field)) if value)
        return f"{self.file}: {self.problem}" + (f" ({where})" if where else "")


@dataclass(frozen=True)
class Version:
    """One listed version: its index entry, and its snapshot as read (None: missing)."""
    entry: dict
    document: dict | None


def check_chain(index_file: str, versions: list[Version], known: dict[str, str]) -> Iterator[Violation]:
    """`known`: sha256 -> published_at of every version already verified (earlier dates), which a
    date's first version may link to; this date's versions are added to it."""
    previous = None
    for version in versions:
        entry, document = version.entry, version.document
        export_id = entry.get("export_id")
        if document is None:
            yield Violation(entry.get("snapshot", index_file), "snapshot listed in the index is missing", export_id)
        else:
            if version_hash(document) != entry["sha256"] or document.get("sha256") != entry["sha256"]:
                yield Violation(entry["snapshot"], "content does not hash to its index entry", export_id, field="sha256")
            for name in ("prev", "seq", "export_id"):
                if document.get(name) != entry.get(name):
                    yield Violation(entry["snapshot"], f"{name} differs from its index entry", export_id, field=name)
        if previous is not None:
            if entry["prev"] != previous["sha256"]:
                yield Violation(index_file, f"prev does not link to the version before ({previous['export_id']})",
                                export_id, field="prev")
            if entry["seq"] != previous["seq"] + 1:
                yield Violation(index_file, "seq does not follow the version before", export_id, field="seq")
            if entry["published_at"] < previous["published_at"]:
                yield Violation(index_file, "published before the version it replaces", export_id, field="published_at")
        elif entry["prev"] in known:
            if known[entry["prev"]] > entry["published_at"]:
                yield Violation(index_file, "links to a version published after it", export_id, field="prev")
        elif entry["prev"] is not None and any(at < entry["published_at"] for at in known.values()):
            # Versions were verified before this date's first: it must link to one of them.
            yield Violation(index_file, "links to no version published before it", export_id, field="prev")
        known[entry["sha256"]] = entry["published_at"]
        previous = entry


def check_versions(documents: list[tuple[str, dict]]) -> Iterator[Violation]:
    """G1 and G3 across consecutive versions of one date (file name, content), voids, and timing
    in each version."""
    before: dict[str, dict] = {}
    for name, document in documents:
        export_id = document.get("export_id")
        published_at = document.get("generated_at")
        picks = {pick["pick_id"]: pick for pick in document.get("picks", [])}
        for pick_id, old in before.items():
            new = picks.get(pick_id)
            if new is None:
                yield Violation(name, "a published pick disappeared", export_id, pick_id)
                continue
            for field in FROZEN_FIELDS:
                if old.get(field) != new.get(field):
                    yield Violation(name, f"published {field} changed from {old.get(field)!r} to {new.get(field)!r}",
                                    export_id, pick_id, field)
            if old["status"] == "voided" and new["status"] != "voided":
                yield Violation(name, "a void was undone", export_id, pick_id, "status")
        for pick_id, pick in picks.items():
            yield from _check_pick(name, export_id, published_at, pick_id, pick)
        before = picks


def _check_pick(name: str, export_id, published_at, pick_id: str, pick: dict) -> Iterator[Violation]:
    if pick["status"] == "voided" and not pick.get("void_reason"):
        yield Violation(name, "voided without a reason", export_id, pick_id, "void_reason")
    tip_off = pick.get("game_time")
    if tip_off is None:
        return
    if parse_instant(pick["first_published_at"]) >= parse_instant(tip_off):
        yield Violation(name, f"first published at or after tip-off ({tip_off})", export_id, pick_id,
                        "first_published_at")
    if pick.get("result") is not None and published_at is not None and parse_instant(published_at) < parse_instant(tip_off):
        yield Violation(name, f"a result shown before tip-off ({tip_off})", export_id, pick_id, "result")


def check_head(name: str, all_json: dict, last: dict | None) -> Iterator[Violation]:
    """all.json's chain head is the last listed version of the date it shows."""
    chain = all_json.get("chain")
    if last is None:
        if chain is not None:
            yield Violation(name, f"names a chain head but {all_json['date']} lists no version", field="chain")
        return
    if chain is None or chain.get("head") != last["sha256"] or chain.get("length") != last["seq"]:
        yield Violation(name, f"chain head is not the last version listed for {all_json['date']} "
                              f"({last['export_id']})", all_json.get("export_id"), field="chain")


def check_record(name: str, all_json: dict, season: str, latest: dict[date, dict]) -> Iterator[Violation]:
    """all.json's record against the one recomputed from the latest version of each date."""
    today = date.fromisoformat(all_json["date"])
    tallies = {day: DayTally.of(day, (pick_from_json(day, p) for p in document.get("picks", [])))
               for day, document in latest.items() if day <= today}
    todays = tallies.pop(today, DayTally(today, ()))
    recomputed = season_record(season, today, tallies, todays).to_json()
    for field in RECORD_FIELDS:
        yield from _differences(name, all_json.get("export_id"), field, all_json.get(field), recomputed[field])
    # The withdrawn picks' shadow record needs actuals, which are not public: the rest is checked.
    for field in ("model", "manual", "withdrawn_picks"):
        yield from _differences(name, all_json.get("export_id"), f"influence.{field}",
                                (all_json.get("influence") or {}).get(field), recomputed["influence"][field])


def _differences(name: str, export_id, path: str, published, recomputed) -> Iterable[Violation]:
    if isinstance(published, dict) and isinstance(recomputed, dict):
        for key in sorted(published.keys() | recomputed.keys()):
            yield from _differences(name, export_id, f"{path}.{key}", published.get(key), recomputed.get(key))
    elif published != recomputed:
        yield Violation(name, f"says {published!r}; the per-date files give {recomputed!r}", export_id, field=path)
