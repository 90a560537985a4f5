"""`picklock verify`: read a sport's public files (no credentials) and check them (domain/verification.py)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from ..domain.chain import version_hash
from ..validation import InputError, validate
from ..domain.sports import Sport
from ..domain.verification import (
    Version, Violation, check_chain, check_head, check_record, check_versions,
)


class PublicFiles(Protocol):
    def get(self, name: str) -> str | None:
        """The object's text, None when there is none."""


@dataclass
class Verification:
    sport: str
    first: date
    last: date
    dates: int = 0  # dates with a listed version
    versions: int = 0
    picks: int = 0
    record_checked: bool = False
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        scope = f"{self.sport} {self.first}..{self.last}: {self.dates} dates, {self.versions} versions, {self.picks} picks"
        record = "record recomputed and equal" if self.record_checked else "record not checked (not the whole season)"
        if self.ok:
            return f"verified {scope}: chain unbroken, nothing dropped or changed, {record}"
        return f"{len(self.violations)} violations in {scope}"

    def as_dict(self) -> dict:
        return {"ok": self.ok, "sport": self.sport, "first": self.first.isoformat(), "last": self.last.isoformat(),
                "dates": self.dates, "versions": self.versions, "picks": self.picks,
                "record_checked": self.record_checked, "violations": [v.as_dict() for v in self.violations]}


def verify(files: PublicFiles, sport: Sport, *, first: date | None = None, last: date | None = None) -> Verification:
    """Check every date from `first` (default: the season's start) to `last` (default: the date
    all.json shows); the record too when the whole season up to all.json's date is covered."""
    unreadable: list[Violation] = []
    all_json = _read(files, sport.all_json_name, unreadable)
    if last is None:
        if all_json is None:
            raise ValueError(f"no {sport.all_json_name}: give --date or --since to verify dates without it")
        last = date.fromisoformat(all_json["date"])
    season_start = sport.season_start(last)
    first = first or season_start
    report = Verification(sport.id, first, last, violations=unreadable)
    known: dict[str, str] = {}
    latest: dict[date, dict] = {}
    day = first
    while day <= last:
        _verify_date(files, sport, day, report, known, latest)
        day += timedelta(days=1)
    if all_json is not None and date.fromisoformat(all_json["date"]) == last:
        last_index = _read(files, sport.index_name(last), report.violations)
        report.violations += check_head(sport.all_json_name, all_json,
                                        last_index["versions"][-1] if last_index and last_index["versions"] else None)
        if first <= season_start:
            report.record_checked = True
            report.violations += check_record(sport.all_json_name, all_json, sport.season(last).name, latest)
    return report


def _verify_date(files: PublicFiles, sport: Sport, day: date, report: Verification, known: dict,
                 latest: dict) -> None:
    index_name = sport.index_name(day)
    index = _read(files, index_name, report.violations)
    live_name = sport.date_file_name(day)
    live = _read(files, live_name, report.violations)
    if index is None:
        if live is not None and "sha256" in live:
            report.violations.append(Violation(index_name, "missing, though the date's file is chained",
                                               live.get("export_id")))
        if live is not None:
            latest[day] = live  # a date published before the chain existed: only its record counts
        return
    try:
        validate("ledger-index", index, index_name)
    except InputError as error:
        report.violations.append(Violation(index_name, f"not an index: {error}"))
        return
    versions = [Version(entry, _read(files, entry["snapshot"], report.violations)) for entry in index["versions"]]
    report.dates += 1
    report.versions += len(versions)
    report.violations += check_chain(index_name, versions, known)
    documents = [(v.entry["snapshot"], v.document) for v in versions if v.document is not None]
    report.violations += check_versions(documents)
    if documents:
        report.picks += len(documents[-1][1].get("picks", []))
    last_entry = index["versions"][-1] if index["versions"] else None
    if live is None or last_entry is None or live.get("sha256") != last_entry["sha256"]:
        report.violations.append(Violation(live_name, "the live file is not the last version listed",
                                           live.get("export_id") if live else None, field="sha256"))
    elif version_hash(live) != live["sha256"]:
        report.violations.append(Violation(live_name, "content does not hash to its sha256", live.get("export_id"),
                                           field="sha256"))
    if live is not None:
        latest[day] = live


def _read(files: PublicFiles, name: str, violations: list[Violation]) -> dict | None:
    """The object as JSON; None when it does not exist or is not a JSON object (a violation)."""
    text = files.get(name)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        violations.append(Violation(name, "not a JSON object"))
        return None
    return data
