"""Shared by the reliability tests and tools/chaos.py: the scale of a run and its figures, the game
day the tests play, a publisher that records every version written, and the checks of G1-G4 over
those versions (each returns the violations it found, so a run can report counts before failing).
"""
from __future__ import annotations

import json
import os
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from picklock.domain.picks import SignalRow
from picklock.domain.render import sha256
from tests.harness.nba_paths import ALL_JSON, date_file_name

SCALE_ENV = "PICKLOCK_CHAOS_SCALE"  # "quick" (make test, the default) or "full" (make chaos)
FIGURES_ENV = "PICKLOCK_CHAOS_FIGURES"  # a JSON-lines file each test appends its figures to

UTC = timezone.utc
GAME_DATE = date(2026, 3, 10)
OPENING = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)  # 11:00 in New York, the slate's morning
TIP_OFF = datetime(2026, 3, 11, 0, 30, tzinfo=UTC)  # 19:30 in New York
DATE_FILE = date_file_name(GAME_DATE)
PLAYERS = ("jokic", "tatum", "brunson", "curry", "doncic", "embiid", "edwards", "haliburton",
           "gilgeousalexander", "wembanyama", "banchero", "sabonis")
BASE_LINES = {player: 10.5 + 2 * index for index, player in enumerate(PLAYERS)}
# Fields frozen once shown, as rendered in a file (G3).
PUBLISHED_JSON_FIELDS = ("player_lookup", "stat", "team", "opponent", "direction", "line", "source",
                         "system_id", "algorithm_version", "manual_request_id", "submitted_by",
                         "first_published_at", "game_id", "game_time", "notes")


def full_run() -> bool:
    return os.environ.get(SCALE_ENV, "quick") == "full"


def scaled(quick, full):
    return full if full_run() else quick


def record_figures(test: str, **figures) -> None:
    """Hand a test's figures to tools/chaos.py (a no-op inside `make test`)."""
    path = os.environ.get(FIGURES_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"test": test, "scale": scaled("quick", "full"), **figures}) + "\n")


class RunningClock:
    """The slate's morning, moving with the wall clock: thread-safe, and exports get distinct instants."""

    def __init__(self, start: datetime = OPENING):
        self.start = start
        self.started = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.started)


def signal_run(rng: random.Random, run_id: int, *, size: tuple[int, int] = (4, 8)) -> list[SignalRow]:
    """One upstream pipeline run: a random slate where lines move and directions flip between runs."""
    players = rng.sample(PLAYERS, rng.randint(*size))
    rows = []
    for rank, player in enumerate(players, start=1):
        rows.append(SignalRow(
            game_date=GAME_DATE, player_lookup=player, team="BOS", opponent="NYK",
            direction=rng.choice(("OVER", "OVER", "UNDER")), line=BASE_LINES[player] + rng.choice((0, 0, 1)),
            system_id=rng.choice(("catboost_v9", "catboost_v9", "catboost_v10")), algorithm_version="v9",
            player_name=player.title(), game_id="0022500900", game_time=TIP_OFF,
            edge=round(rng.uniform(1, 6), 2), rank=rank, angles=(f"run {run_id}",),
        ))
    return rows


# -- every version written -----------------------------------------------------------------

@dataclass(frozen=True)
class Write:
    """One accepted write of an object: what was written, on top of which generation."""
    name: str
    text: str
    generation: int
    if_generation_match: int
    started: float  # time.monotonic() when the write was sent
    finished: float  # ... and when it was accepted


@dataclass
class WriteLog:
    writes: list[Write] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of(self, name: str) -> list[Write]:
        with self.lock:
            return [w for w in self.writes if w.name == name]


class RecordingPublisher:
    """Records every accepted write (fake-gcs-server keeps no object versions)."""

    def __init__(self, inner, log: WriteLog):
        self.inner = inner
        self.log = log

    def read(self, name):
        return self.inner.read(name)

    def write(self, name, text, *, if_generation_match):
        started = time.monotonic()
        generation = self.inner.write(name, text, if_generation_match=if_generation_match)
        with self.log.lock:
            self.log.writes.append(Write(name, text, generation, if_generation_match, started, time.monotonic()))
        return generation


def generation_chain(writes: list[Write], initial_generation: int = 0) -> tuple[list[Write], list[str]]:
    """The accepted writes of one object in order, each on top of the previous one, and the
    problems: two writes accepted on the same generation (one overwrote the other unseen) or a
    write based on a generation that was never the latest (a stale overwrite)."""
    by_base: dict[int, list[Write]] = {}
    for write in writes:
        by_base.setdefault(write.if_generation_match, []).append(write)
    problems = [f"{len(found)} writes accepted on generation {base}" for base, found in by_base.items() if len(found) > 1]
    chain, base = [], initial_generation
    while base in by_base and len(chain) < len(writes):
        chain.append(by_base[base][0])
        base = chain[-1].generation
    if len(chain) != len(writes):
        problems.append(f"{len(writes) - len(chain)} of {len(writes)} writes not based on the latest generation")
    return chain, problems


def entries(text: str) -> list[dict]:
    data = json.loads(text)
    return data["picks"] if "picks" in data else data["today"]


def export_id(text: str) -> str:
    return json.loads(text)["export_id"]


def lost_locks(texts: list[str]) -> list[str]:
    """G1: pick ids missing from a version after they appeared in an earlier one."""
    seen: set[str] = set()
    lost = []
    for index, text in enumerate(texts):
        ids = {e["pick_id"] for e in entries(text)}
        lost += [f"version {index} lost {pick_id}" for pick_id in sorted(seen - ids)]
        seen |= ids
    return lost


def live_duplicates(texts: list[str]) -> list[str]:
    """G2: two live picks on one key (or one pick listed twice) in a version."""
    found = []
    for index, text in enumerate(texts):
        keys = [(e["player_lookup"], e["stat"]) for e in entries(text) if e["status"] != "voided"]
        ids = [e["pick_id"] for e in entries(text)]
        if len(keys) != len(set(keys)) or len(ids) != len(set(ids)):
            found.append(f"version {index} ({export_id(text)})")
    return found


def changed_published_fields(texts: list[str]) -> list[str]:
    """G3: a pick whose published fields differ between two versions."""
    first: dict[str, dict] = {}
    changed = []
    for text in texts:
        for e in entries(text):
            fields = {k: e[k] for k in PUBLISHED_JSON_FIELDS}
            if first.setdefault(e["pick_id"], fields) != fields:
                changed.append(e["pick_id"])
    return sorted(set(changed))


def unaudited(writes: list[Write], records) -> list[str]:
    """G4: versions of the per-date file or all.json with no audit record of their export whose
    hash matches the text (records: service.audit_records(date), one per export)."""
    by_export = {r.export_id: r for r in records}
    missing = []
    for write in writes:
        record = by_export.get(export_id(write.text))
        digest = sha256(write.text)
        if write.name == ALL_JSON:
            ok = record is not None and record.all_json_sha256 == digest
        else:
            ok = record is not None and record.document_sha256 == digest
        if not ok:
            missing.append(f"{write.name} {export_id(write.text)}")
    return missing


def cross_file_gaps(writes: list[Write]) -> list[str]:
    """G1 across the two files of a date: a pick in a per-date file or all.json version, absent
    from a version of the other file whose write was sent after the first was accepted."""
    gaps = []
    for earlier in writes:
        ids = {e["pick_id"] for e in entries(earlier.text)}
        for later in writes:
            if later.name != earlier.name and later.started > earlier.finished:
                missing = ids - {e["pick_id"] for e in entries(later.text)}
                gaps += [f"{pick_id}: in {earlier.name} {export_id(earlier.text)}, not in later "
                         f"{later.name} {export_id(later.text)}" for pick_id in sorted(missing)]
    return gaps


def date_versions(log: WriteLog) -> tuple[list[Write], list[Write]]:
    """The accepted versions of the per-date file and of all.json (while it shows GAME_DATE)."""
    showing_date = [w for w in log.of(ALL_JSON) if json.loads(w.text)["date"] == GAME_DATE.isoformat()]
    return log.of(DATE_FILE), showing_date


def history_violations(journal, service) -> list[str]:
    """G1, G2 and G4 over every version a backend accepted (a fault proxy's journal), and every
    pick ever shown in the ledger."""
    versions = [entry for entry in journal if entry.name in (DATE_FILE, ALL_JSON)]
    by_name = [[v.text for v in versions if v.name == name] for name in (DATE_FILE, ALL_JSON)]
    ledger = {row.pick.pick_id for row in service.store.load_export_inputs(GAME_DATE).merge.ledger}
    shown = {e["pick_id"] for v in versions for e in entries(v.text)}
    return (lost_locks(by_name[0]) + lost_locks(by_name[1]) + live_duplicates(by_name[0] + by_name[1])
            + unaudited(versions, service.audit_records(GAME_DATE))
            + [f"{pick_id} shown but not in the ledger" for pick_id in sorted(shown - ledger)])
