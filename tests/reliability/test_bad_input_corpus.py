"""G9: bad input gets a specific error, is parked (messages) or refused with exit 2 (the CLI), and
changes nothing; no process crashes. The corpus is a table (bad_input_corpus.py); a hypothesis
fuzz of the message path (the push envelope's decoding, strict JSON, the schemas) checks that
nothing but well-formed values get past it and nothing raises except to park the message."""
from __future__ import annotations

import base64
import inspect
import json
import math
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import fields
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from picklock.adapters.local_message_publisher import LocalMessagePublisher
from picklock.bootstrap import bootstrap
from picklock.config import Config
from picklock.domain.calendar import END_OF_RANGE, FIRST_DATE, FIRST_INSTANT, LAST_DATE
from picklock.domain.picks import HaltCommand, ManualCommand, SignalRow
from picklock.domain.sports import DEFAULT_SPORT
from picklock.service_layer.services import PicklockService
from picklock.entrypoints.functions import MAX_ATTRIBUTE_BYTES, Handlers
from picklock.topics import GRADING_COMPLETE, MANUAL_PICKS, SIGNAL_UPDATED, TOPICS, dead_letter_topic
from picklock.validation import manual_command, parse_json

from tests.reliability.bad_input_corpus import DATE, FILES, INVOCATIONS, MESSAGES, manual
from tests.reliability.support import GAME_DATE, TIP_OFF, full_run, record_figures, scaled

NOW = "2026-03-10T17:00:00Z"
SOURCE = Path(__file__).resolve().parents[2] / "shared"  # the CLI under test, not whichever is installed
CLI_TIMEOUT_SECONDS = 60
HANDLER = {SIGNAL_UPDATED: "on_signal_updated", GRADING_COMPLETE: "on_grading_complete", MANUAL_PICKS: "on_manual_pick"}
# The CLI cases run in their own processes: all of them in the full run, every third in `make test`.
CLI_CASES = [*FILES, *INVOCATIONS] if full_run() else [*FILES, *INVOCATIONS][::3]


@pytest.fixture(scope="module")
def day_under_way(tmp_path_factory) -> Path:
    """An embedded home where the day is under way: a signal exported, a manual pick added."""
    home = tmp_path_factory.mktemp("bad-input") / "home"
    service = bootstrap(Config(home=home, now=NOW))
    service.load_signal(GAME_DATE, [
        SignalRow(GAME_DATE, "jokic", "DEN", "UTA", "OVER", 24.5, "catboost_v9", "v9", game_time=TIP_OFF, rank=1),
        SignalRow(GAME_DATE, "tatum", "BOS", "NYK", "UNDER", 27.5, "catboost_v9", "v9", game_time=TIP_OFF, rank=2)])
    service.submit_manual(manual_command(parse_json(manual(request_id="seed-1"), "seed"), "seed"))
    service.export(GAME_DATE, "scheduled")
    return home


def home_bytes(home: Path) -> dict[str, bytes]:
    """Every file of the home, byte for byte (the outbox of parked messages aside), the database
    with its write-ahead log folded in first: a refused input has not written even a page. (The
    log's index, -shm, is SQLite's scratch space, and an emptied log is no content.)"""
    with closing(sqlite3.connect(home / "picklock.sqlite3")) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*"))
            if p.is_file() and p.relative_to(home).parts[0] != "messages" and not p.name.endswith("-shm")
            and not (p.name.endswith("-wal") and p.stat().st_size == 0)}


def state(home: Path) -> dict:
    """Every row of every table and every object of the bucket (the outbox of parked messages aside)."""
    tables = {}
    with sqlite3.connect(home / "picklock.sqlite3") as connection:
        names = [n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in names:
            tables[name] = connection.execute(f"SELECT * FROM {name} ORDER BY rowid").fetchall()
    objects = {str(p.relative_to(home)): p.read_bytes() for p in sorted((home / "bucket").rglob("*")) if p.is_file()}
    return {"tables": tables, "objects": objects}


@pytest.mark.parametrize("case", MESSAGES, ids=lambda case: case.id)
def test_a_bad_message_is_parked_with_its_reason_and_changes_nothing(day_under_way, case):
    before, before_bytes = state(day_under_way), home_bytes(day_under_way)
    service = bootstrap(Config(home=day_under_way, now=NOW))
    dead_letters = LocalMessagePublisher(day_under_way / "messages")
    parked_before = len(dead_letters.messages(dead_letter_topic(case.topic)))

    getattr(Handlers(service, dead_letters), HANDLER[case.topic])(SimpleNamespace(data=case.event_data()))

    parked = dead_letters.messages(dead_letter_topic(case.topic))[parked_before:]
    assert len(parked) == 1, "not parked"
    assert case.error in parked[0]["attributes"]["error"]
    assert state(day_under_way) == before
    assert home_bytes(day_under_way) == before_bytes


@pytest.mark.parametrize("case", CLI_CASES, ids=lambda case: case.id)
def test_a_bad_file_or_invocation_exits_2_with_its_reason_and_changes_nothing(day_under_way, case, tmp_path):
    if hasattr(case, "argv"):
        argv = case.argv
    else:
        path = tmp_path / f"{case.id}.json"
        path.write_bytes(case.content)
        argv = (case.kind, "load", "--date", case.date, "--file", str(path))
    before, before_bytes = state(day_under_way), home_bytes(day_under_way)

    process = subprocess.run([sys.executable, "-m", "picklock.entrypoints.cli", *argv], capture_output=True,
                             env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(SOURCE), "PICKLOCK_HOME": str(day_under_way),
                                  "PICKLOCK_NOW": NOW, **dict(getattr(case, "env", ()))},
                             timeout=CLI_TIMEOUT_SECONDS)

    stderr = process.stderr.decode("utf-8", errors="replace")
    assert (process.returncode, "Traceback" in stderr) == (2, False), stderr
    assert case.error in stderr
    assert state(day_under_way) == before
    assert home_bytes(day_under_way) == before_bytes


def test_the_corpus_covers_what_the_issue_lists():
    record_figures("bad input corpus", messages=len(MESSAGES), files=len(FILES), invocations=len(INVOCATIONS),
                   cli_cases_run=len(CLI_CASES))
    assert len(MESSAGES) + len(FILES) + len(INVOCATIONS) >= 40
    ids = " ".join(case.id for case in [*MESSAGES, *FILES, *INVOCATIONS])
    for kind in ("unknown-field", "nan", "infinity", "negative", "impossible-date", "huge", "not-utf8", "sql", "path",
                 "duplicate-key-in-run", "duplicate-json-key", "bad-base64", "missing", "as-string",
                 # value ranges (years 0001/0999/9999 with offsets, 2100, integers beyond 2**63, 1e300, clocks)
                 "year-0001-offset", "year-0999", "year-9999-offset", "2100", "beyond-2-63", "1e300",
                 "now-year", "picklock-now"):
        assert kind in ids, f"no {kind} case"
    # Each value-range class on each path: messages (parked), files and invocations (exit 2).
    for cases, classes in ((MESSAGES, ("year-0001", "year-0999", "year-9999", "2100", "beyond-2-63", "1e300")),
                           (FILES, ("year-0001", "year-0999", "year-9999", "2100", "beyond-2-63", "1e300")),
                           (INVOCATIONS, ("year-0001", "year-0999", "year-9999", "2100", "beyond-2-63", "1e300",
                                          "now-year", "picklock-now"))):
        ids = " ".join(case.id for case in cases)
        for kind in classes:
            assert kind in ids, f"no {kind} case among {type(cases[0]).__name__}s"


# -- fuzz ----------------------------------------------------------------------------------

class Accepted(Exception):
    """The message got past validation: the service would now act on it."""

    def __init__(self, value):
        super().__init__(repr(value))
        self.value = value


class AcceptingService:
    """Stands in for the service behind the handlers: stops at the first thing it is asked to do."""

    def export(self, game_date, trigger, sport=DEFAULT_SPORT):
        raise Accepted(game_date)

    def grade(self, game_date, sport=DEFAULT_SPORT, trigger="post_grading"):
        raise Accepted(game_date)

    def grading_dates(self, game_date, sport=DEFAULT_SPORT):
        return [game_date]  # its export then stops at the first date

    def submit_manual(self, command, *, check=True):
        raise Accepted(command)

    def submit_halt(self, command, *, check=True):
        raise Accepted(command)


def test_the_stand_in_takes_what_the_real_service_takes():
    """The fuzz only proves the handlers if its stand-in is called exactly as the service is."""
    for name in ("export", "grade", "grading_dates", "submit_manual", "submit_halt"):
        real = list(inspect.signature(getattr(PicklockService, name)).parameters)
        assert list(inspect.signature(getattr(AcceptingService, name)).parameters) == real, name


class Outbox:
    """The dead-letter publisher, as strict as Pub/Sub: a body of bytes, attributes of text."""

    def __init__(self):
        self.parked = []

    def publish_bytes(self, topic, data, attributes=None):
        assert isinstance(data, bytes)
        for name, value in (attributes or {}).items():
            assert isinstance(name, str) and isinstance(value, str), f"attribute {name!r}: {value!r} is not text"
            assert len(value.encode("utf-8")) <= MAX_ATTRIBUTE_BYTES
        self.parked.append((topic, data, attributes))
        return str(len(self.parked))


# Any characters; half of the texts hold unpaired surrogates (what a JSON \\ud800 escape makes).
characters = st.characters(codec=None, categories=["L", "M", "N", "P", "S", "Z", "Cc", "Cf"])
texts = st.text(characters, max_size=20) | st.builds(
    lambda before, surrogate, after: before + surrogate + after,
    st.text(characters, max_size=8), st.characters(codec=None, categories=["Cs"]), st.text(characters, max_size=8))
scalars = st.none() | st.booleans() | st.integers() | st.floats() | texts
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=5), max_leaves=12)
VALID = {MANUAL_PICKS: json.loads(manual()), SIGNAL_UPDATED: {"game_date": DATE, "run_id": "r1"},
         GRADING_COMPLETE: {"game_date": DATE, "status": "complete", "graded_count": 2}}
# Out of the accepted range, or at its edges: years 1, 999, 1999, 2100, 9999, offsets across them; huge numbers.
OUT_OF_RANGE = ["0001-01-01", "0999-06-01", "1999-12-31", "2000-01-01", "2099-12-31", "2100-01-01", "9999-12-31",
                "0001-01-01T00:00:00+01:00", "0999-06-01T12:00:00Z", "9999-12-31T23:59:59-05:00",
                "1999-12-31T23:59:59.999Z", "2000-01-01T00:00:00.000Z", "2099-12-31T23:59:59.999Z",
                "2100-01-01T00:00:00Z", "2099-12-31T23:00:00-05:00", "2000-01-01T00:30:00+01:00",
                10 ** 30, 2 ** 63, -(2 ** 63) - 1, 1e300, -1e300]
FREE_TEXT = {MANUAL_PICKS: ["submitted_by", "player_name", "notes"], SIGNAL_UPDATED: ["run_id", "algorithm_version"],
             GRADING_COMPLETE: ["status"]}


@st.composite
def mutated(draw, topic: str) -> dict:
    """A valid message with a few fields dropped, replaced by any JSON value, or added."""
    payload = dict(VALID[topic])
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(sorted(payload)) | st.text(max_size=12) if payload else st.text(max_size=12))
        if draw(st.booleans()):
            payload.pop(key, None)
        else:
            payload[key] = draw(json_values | st.sampled_from(["2026-02-30", "2026-03-10T15:00:00", "NaN", "", "x" * 300])
                                | st.sampled_from(OUT_OF_RANGE))
    return payload


def with_free_text(topic: str):
    """A valid message with one free-text field set to any text."""
    return st.builds(lambda field, text: {**VALID[topic], field: text}, st.sampled_from(FREE_TEXT[topic]), texts)


def dumped(value) -> bytes:
    return json.dumps(value, allow_nan=True).encode("utf-8")


def event_data(topic: str):
    bodies = (st.binary(max_size=200) | json_values.map(dumped) | mutated(topic).map(dumped)
              | with_free_text(topic).map(dumped)
              | mutated(topic).map(lambda p: dumped(p).replace(b'"2026', b'NaN, "x": "2026', 1)))
    pushes = bodies.map(lambda body: {"message": {"data": base64.b64encode(body).decode(), "messageId": "m"}})
    raw_data = (texts | json_values).map(lambda data: {"message": {"data": data, "messageId": "m"}})
    envelopes = st.builds(lambda data, message_id: {"message": {"data": data, "messageId": message_id}},
                          st.sampled_from(["", "e30=", "%%%"]), json_values)
    return pushes | raw_data | envelopes | json_values


def check_accepted(value) -> None:
    """What gets past validation is well formed: valid Unicode, finite numbers, real dates and
    instants, all within the accepted range."""
    if isinstance(value, (ManualCommand, HaltCommand)):
        for field in fields(value):
            item = getattr(value, field.name)
            if isinstance(item, str):
                item.encode("utf-8")
            elif isinstance(item, float):
                assert math.isfinite(item), field.name
            elif isinstance(item, datetime):
                assert item.tzinfo is not None and FIRST_INSTANT <= item < END_OF_RANGE, field.name
        if isinstance(value, ManualCommand):
            assert isinstance(value.game_date, date) and FIRST_DATE <= value.game_date <= LAST_DATE
    else:
        assert isinstance(value, date) and FIRST_DATE <= value <= LAST_DATE


@pytest.mark.parametrize("topic", TOPICS)
def test_fuzzed_messages_are_accepted_well_formed_or_parked_never_raised(topic):
    started = time.monotonic()
    examples = scaled(150, 500)
    counts = {"accepted": 0, "parked": 0}

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(data=event_data(topic))
    def fuzz(data):
        outbox = Outbox()
        handlers = Handlers(AcceptingService(), outbox)
        try:
            getattr(handlers, HANDLER[topic])(SimpleNamespace(data=data))
        except Accepted as accepted:
            check_accepted(accepted.value)
            counts["accepted"] += 1
            return
        ((parked_topic, _, attributes),) = outbox.parked
        assert parked_topic == dead_letter_topic(topic) and attributes["error"]
        counts["parked"] += 1

    fuzz()
    record_figures(f"fuzz {topic}", topic=topic, examples=sum(counts.values()), **counts,
                   seconds=round(time.monotonic() - started, 1))
