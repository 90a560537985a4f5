"""Small builders and checks shared by the unit tests (plain values; no I/O beyond the schemas)."""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from picklock.domain.export import current_audit
from picklock.domain.merge import MergeInputs, merge_and_lock
from picklock.domain.picks import GameResult, LedgerRow, ManualCommand, Pick, SignalRow
from picklock.domain.render import PublishedDocument, render_picks, sha256
from picklock.service_layer.errors import PreconditionFailed
from picklock.service_layer.services import PicklockService
from tests.harness.nba_paths import ALL_JSON, NBA, date_file_name, index_name

from fakes import make_service

UTC = timezone.utc
ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"

GAME_DATE = date(2026, 2, 28)
# make_service() starts at 2026-02-28T17:00Z (noon in New York); tip-off is 19:30 Eastern.
START = datetime(2026, 2, 28, 17, 0, tzinfo=UTC)
TIPOFF = datetime(2026, 3, 1, 0, 30, tzinfo=UTC)
MS = timedelta(milliseconds=1)

# Published fields as they appear in a rendered pick (G3 compares these across versions).
JSON_PUBLISHED_FIELDS = (
    "pick_id", "player_lookup", "stat", "team", "opponent", "direction", "line", "source", "system_id",
    "algorithm_version", "manual_request_id", "submitted_by", "first_published_at", "game_id",
    "game_time", "notes", "odds", "home",
)


def at(hours: float = 0, minutes: float = 0) -> datetime:
    """An instant relative to START."""
    return START + timedelta(hours=hours, minutes=minutes)


def signal(player: str, direction: str = "OVER", line: float = 20.5, *, rank: int | None = 1,
           team: str = "BOS", opponent: str = "NYK", system_id: str = "catboost_v9",
           algorithm_version: str = "v9", stat: str = "PTS", game_time: datetime | None = TIPOFF,
           edge: float | None = 3.5, angles: tuple[str, ...] = ("hot hand",), player_name: str | None = None,
           game_id: str | None = "0022500800", game_date: date = GAME_DATE, sport: str = "nba",
           odds: int | None = None, tier: str | None = None, home: bool | None = None) -> SignalRow:
    return SignalRow(
        sport=sport, game_date=game_date, player_lookup=player, team=team, opponent=opponent, direction=direction,
        line=line, system_id=system_id, algorithm_version=algorithm_version, stat=stat,
        player_name=player_name if player_name is not None else player.title(), game_id=game_id,
        game_time=game_time, edge=edge, rank=rank, angles=angles, odds_american=odds, tier=tier, home=home,
    )


def add(player: str, request_id: str, submitted_at: datetime = START, direction: str = "OVER",
        line: float = 24.5, *, team: str = "LAL", opponent: str = "GSW", stat: str = "PTS",
        game_time: datetime | None = None, game_date: date = GAME_DATE, notes: str | None = "operator pick",
        edge: float | None = None, by: str = "ops", sport: str = "nba", odds: int | None = None,
        tier: str | None = None, home: bool | None = None) -> ManualCommand:
    return ManualCommand(
        sport=sport, request_id=request_id, submitted_at=submitted_at, action="add", game_date=game_date,
        player_lookup=player, submitted_by=by, stat=stat, player_name=player.title(), team=team,
        opponent=opponent, direction=direction, line=line, edge=edge, game_time=game_time, notes=notes,
        odds_american=odds, tier=tier, home=home,
    )


def remove(player: str, request_id: str, submitted_at: datetime = START, *, stat: str = "PTS",
           game_date: date = GAME_DATE) -> ManualCommand:
    return ManualCommand(request_id=request_id, submitted_at=submitted_at, action="remove",
                         game_date=game_date, player_lookup=player, submitted_by="ops", stat=stat)


def void(player: str, request_id: str, submitted_at: datetime = START, reason: str = "injury news",
         *, stat: str = "PTS", game_date: date = GAME_DATE) -> ManualCommand:
    return ManualCommand(request_id=request_id, submitted_at=submitted_at, action="void",
                         game_date=game_date, player_lookup=player, submitted_by="ops", stat=stat,
                         reason=reason)


def result(player: str, actual: float | None, *, stat: str = "PTS", game_date: date = GAME_DATE,
           sport: str = "nba") -> GameResult:
    return GameResult(game_date, player, stat, actual, sport)


def pick(player: str = "jokic", direction: str = "OVER", line: float = 20.5, **overrides) -> Pick:
    values = dict(
        pick_id=f"{GAME_DATE.isoformat()}/{player}/PTS/x", game_date=GAME_DATE, player_lookup=player,
        stat="PTS", team="DEN", opponent="UTA", direction=direction, line=line, source="algorithm",
        first_published_at=START, status="active", system_id="catboost_v9", algorithm_version="v9",
    )
    values.update(overrides)
    return Pick(**values)


class Core:
    """Runs merge_and_lock export after export on one date, keeping the append-only ledger: the
    service without files, so the merge rules can be tested one by one."""

    def __init__(self, game_date: date = GAME_DATE):
        self.game_date = game_date
        self.ledger: list[LedgerRow] = []
        self.count = 0

    def run(self, *, signal=(), manual=(), results=(), shown=(), closing=(), now: datetime = START):
        self.count += 1
        inputs = MergeInputs(self.game_date, tuple(signal), tuple(self.ledger), tuple(manual),
                             tuple(results), tuple(shown), closing=tuple(closing))
        merged = merge_and_lock(inputs, now=now, export_id=f"e{self.count:03d}")
        self.ledger.extend(merged.ledger_rows)
        return merged


def only(picks, player: str) -> Pick:
    found = [p for p in picks if p.player_lookup == player]
    assert len(found) == 1, f"expected one pick for {player}, got {found}"
    return found[0]


def events_of(merged, kind: str) -> list:
    return [e for e in merged.events if e.kind == kind]


# ---------------------------------------------------------------- published files and audit

@lru_cache(maxsize=None)
def _registry() -> Registry:
    resources = []
    for path in sorted((SCHEMAS / "files").glob("*.schema.json")):
        resource = Resource.from_contents(json.loads(path.read_text()))
        base = resource.id().rsplit("/", 1)[0]
        # $ref "pick.schema.json" resolves against the referring schema's $id directory.
        resources += [(resource.id(), resource), (f"{base}/{path.name}", resource)]
    return Registry().with_resources(resources)


@lru_cache(maxsize=None)
def file_validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / "files" / f"{name}.schema.json").read_text())
    return Draft202012Validator(schema, registry=_registry(), format_checker=FormatChecker())


def assert_valid(name: str, document: dict) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in file_validator(name).iter_errors(document)]
    assert not errors, errors


def versions(publisher, name: str) -> list[str]:
    """Every text written to one object, in order."""
    return [text for written, text in publisher.history if written == name]


def date_versions(publisher, game_date: date = GAME_DATE) -> list[str]:
    """Every version users could see for a date: the per-date file, and all.json while it showed that date,
    in the order written."""
    out = []
    for name, text in publisher.history:
        if name == date_file_name(game_date):
            out.append(text)
        elif name == ALL_JSON and json.loads(text)["date"] == game_date.isoformat():
            out.append(text)
    return out


def current_picks(publisher, game_date: date = GAME_DATE) -> list[dict]:
    text, _ = publisher.read(date_file_name(game_date))
    return json.loads(text)["picks"] if text else []


def entries(text: str) -> list[dict]:
    data = json.loads(text)
    return data["picks"] if "picks" in data else data["today"]


def live_keys(entries_: list[dict]) -> list[tuple[str, str]]:
    return [(e["player_lookup"], e["stat"]) for e in entries_ if e["status"] != "voided"]


def is_version(name: str) -> bool:
    """all.json or a per-date file: not a snapshot, an index or a feed."""
    return name == ALL_JSON or (name.startswith(NBA.path_prefix + "/") and "/" not in name[len(NBA.path_prefix) + 1:]
                                and name.endswith(".json") and name[len(NBA.path_prefix) + 1:-5].count("-") == 2)


def assert_every_version_audited(publisher, store) -> None:
    """G4: each per-date file and all.json version written has exactly one current audit record
    (published or recovered) of the export that wrote it, whose hash matches and whose stored text is
    the text; rows stored for one export never disagree about its document."""
    for row in store.audit:
        assert {a.document_sha256 for a in store.audit if a.export_id == row.export_id} == {row.document_sha256}
    audit = [a for a in current_audit(store.audit) if a.outcome in ("published", "recovered")]
    for name, text in publisher.history:
        if not is_version(name):
            continue
        export_id = json.loads(text)["export_id"]
        mine = [a for a in audit if a.export_id == export_id]
        assert len(mine) == 1, f"{name} version {export_id}: {len(mine)} audit records"
        record = mine[0]
        if name == ALL_JSON:
            assert record.all_json_written
            assert record.all_json_sha256 == sha256(text)
            assert record.all_json_document == text
            assert [a for a in audit if a.all_json_sha256 == sha256(text)] == [record]
        else:
            assert record.document_sha256 == sha256(text)
            assert record.document == text
    export_ids = [a.export_id for a in audit]
    assert len(export_ids) == len(set(export_ids)), "an export audited twice"


def assert_monotonic(texts: list[str]) -> None:
    """G1: a pick_id seen in any version appears in every later one."""
    seen: set[str] = set()
    for index, text in enumerate(texts):
        ids = {e["pick_id"] for e in entries(text)}
        missing = seen - ids
        assert not missing, f"version {index} lost {sorted(missing)}"
        seen |= ids


def assert_one_live_per_key(texts: list[str]) -> None:
    """G2."""
    for text in texts:
        keys = live_keys(entries(text))
        assert len(keys) == len(set(keys)), f"two live picks on one key in {keys}"
        ids = [e["pick_id"] for e in entries(text)]
        assert len(ids) == len(set(ids)), "a pick listed twice"


def assert_published_fields_frozen(texts: list[str]) -> dict[str, dict]:
    """G3: the published fields of each pick_id are the same in every version. Returns them."""
    first: dict[str, dict] = {}
    for text in texts:
        for e in entries(text):
            fields = {k: e[k] for k in JSON_PUBLISHED_FIELDS}
            assert first.setdefault(e["pick_id"], fields) == fields, (
                f"published fields of {e['pick_id']} changed: {first[e['pick_id']]} -> {fields}")
    return first


def assert_round_trip(text: str) -> None:
    """G10: what is read back renders to the same content."""
    document = PublishedDocument.parse(text)
    assert render_picks(document.picks()) == entries(text)


# ---------------------------------------------------------------- fault injection on the fakes

class Crash(Exception):
    """The process died here."""


def losing_once(target: str):
    """A wrapper of publisher.write for `patched`: the first write of `target` loses its race."""
    lost: list[str] = []

    def wrap(method):
        def wrapper(name, text, *, if_generation_match):
            if name == target and not lost:
                lost.append(name)
                raise PreconditionFailed(name)
            return method(name, text, if_generation_match=if_generation_match)
        return wrapper
    return wrap


@contextmanager
def patched(obj, name, wrapper_factory):
    """Replace one bound method of one fake instance for the duration of the block."""
    original = getattr(obj, name)
    setattr(obj, name, wrapper_factory(original))
    try:
        yield
    finally:
        delattr(obj, name)


def _after(method):
    def wrapper(*args, **kwargs):
        method(*args, **kwargs)
        raise Crash
    return wrapper


def _before(method):
    def wrapper(*args, **kwargs):
        raise Crash
    return wrapper


def _after_write_of(target):
    def factory(method):
        def wrapper(name, text, *, if_generation_match):
            generation = method(name, text, if_generation_match=if_generation_match)
            if name == target or (target == "snapshot" and "/history/" in name):
                raise Crash
            return generation
        return wrapper
    return factory


# Step boundaries of an export where the process can die: (fake, method, wrapper factory).
CRASH_POINTS = {
    "after_ledger_write": ("store", "append_ledger", _after),
    "after_date_file_write": ("publisher", "write", _after_write_of(date_file_name(GAME_DATE))),
    "after_all_json_write": ("publisher", "write", _after_write_of(ALL_JSON)),
    "after_snapshot_write": ("publisher", "write", _after_write_of("snapshot")),
    "after_index_write": ("publisher", "write", _after_write_of(index_name(GAME_DATE))),
    "before_audit_write": ("store", "append_audit", _before),
}


@contextmanager
def crashing(step: str, store, publisher):
    """Within the block, the export dies at `step` (raises Crash)."""
    where, name, factory = CRASH_POINTS[step]
    with patched(store if where == "store" else publisher, name, factory):
        yield


class RacingPublisher:
    """A publisher whose next write is preceded by `before_next_write` (another export that wins)."""

    def __init__(self, inner):
        self.inner = inner
        self.before_next_write = None

    def read(self, name):
        return self.inner.read(name)

    def write(self, name, text, *, if_generation_match):
        hook, self.before_next_write = self.before_next_write, None
        if hook is not None:
            hook()
        return self.inner.write(name, text, if_generation_match=if_generation_match)


def racers():
    """Two services on one store and bucket; the first one's writes can be overtaken by the second."""
    service, store, publisher, clock = make_service()
    racing = RacingPublisher(publisher)
    counter = iter(range(10**6))
    a = PicklockService(store, racing, clock=clock, token=lambda: f"a{next(counter):07x}", sleep=lambda s: None)
    b = PicklockService(store, publisher, clock=clock, token=lambda: f"b{next(counter):07x}", sleep=lambda s: None)
    return a, b, store, publisher, racing, clock
