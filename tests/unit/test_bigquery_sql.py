"""Static checks of every statement the BigQuery store sends (the emulator enforces none of them):
partition filters on every partitioned table read, parameters for every value, and the job budget
of an export (at most 1 read and 2 writes)."""
import re
from pathlib import Path
from datetime import date, datetime, timezone

import pytest

pytest.importorskip("google.cloud.bigquery")

from picklock.adapters import bigquery_store, rows  # noqa: E402
from picklock.adapters.bigquery_store import BigQueryStore  # noqa: E402
from picklock.adapters.ddl import default_schema  # noqa: E402
from picklock.domain.picks import ClosingLine, HaltCommand, GameResult, ManualCommand, SignalRow  # noqa: E402
from picklock.service_layer.services import PicklockService  # noqa: E402

from fakes import FakePublisher  # noqa: E402

D = date(2026, 2, 28)
HOSTILE = "o'neal_x--drop"  # a value that must never reach SQL text
PARTITIONED = sorted(t.name for t in default_schema().values() if t.require_partition_filter)


class EmptyResult(list):
    num_dml_affected_rows = 1
    total_bytes_processed = 0


class RecordingClient:
    """Stands in for bigquery.Client: records statements; the export read returns `signal`."""

    def __init__(self, signal=()):
        self.statements = []
        self.signal = [rows.signal_to_row(s) for s in signal]

    def query_and_wait(self, sql, job_config=None, **limits):
        self.statements.append((sql, job_config))
        if "AS signal" in sql:
            empty = {name: [] for name in ("ledger", "manual", "results", "closing", "audited", "tallies", "summaries", "halts")}
            return EmptyResult([{**empty, "signal": self.signal}])
        return EmptyResult()


def unfiltered_reads(sql: str) -> list[str]:
    """Partitioned tables read (FROM/JOIN/DELETE) without a game_date filter in the same scope."""
    problems = []
    for match in re.finditer(r"\b(FROM|JOIN)\s+`[^`]*\.(\w+)`", sql, re.IGNORECASE):
        table = match.group(2)
        if table not in PARTITIONED:
            continue
        scope = re.split(r"\)|\bFROM\b", sql[match.end():], maxsplit=1, flags=re.IGNORECASE)[0]
        if not re.search(r"\bWHERE\b[^)]*\bgame_date\s*(=|>=|BETWEEN)", scope, re.IGNORECASE):
            problems.append(f"{table}: {sql[match.start():match.end() + len(scope)].strip()}")
    return problems


@pytest.fixture
def recorded():
    client = RecordingClient()
    store = BigQueryStore("proj", "picks", client=client)
    at = datetime(2026, 2, 28, 15, tzinfo=timezone.utc)
    store.load_export_inputs(D, sport="mlb", season_from=D.replace(day=1))
    store.record_halt(HaltCommand("req-2", at, "halt", "mlb", "ops", reason=HOSTILE), D)
    store.replace_signal(D, [SignalRow(D, HOSTILE, "GSW", "LAL", "OVER", 20.5, "sys", "v1", game_time=at)])
    store.replace_results(D, [GameResult(D, HOSTILE, "PTS", None)])
    store.replace_closing(D, [ClosingLine(D, HOSTILE, "PTS", 21.5, at, -110)])
    store.record_manual(ManualCommand("req-1", at, "void", D, HOSTILE, "ops", reason=HOSTILE))
    store.audit_records(D)
    return client.statements


def test_every_partitioned_read_filters_on_game_date(recorded):
    problems = [p for sql, _ in recorded for p in unfiltered_reads(sql)]
    assert problems == []


def test_the_checker_catches_a_missing_filter():
    assert unfiltered_reads("SELECT x FROM `p.d.best_bets_published_picks` WHERE pick_id = @p")
    assert not unfiltered_reads("SELECT x FROM `p.d.best_bets_published_picks` WHERE game_date = @d")


def test_values_travel_as_parameters_never_as_sql_text(recorded):
    assert all(HOSTILE not in sql for sql, _ in recorded)
    assert any(config and config.query_parameters for _, config in recorded)


def test_no_streaming_inserts_or_load_jobs():
    text = Path(bigquery_store.__file__).read_text()
    for forbidden in ("insert_rows", "load_table_from"):
        assert forbidden not in text


def test_export_uses_one_read_and_at_most_two_write_jobs():
    tip = datetime(2026, 3, 1, 1, 30, tzinfo=timezone.utc)
    client = RecordingClient([SignalRow(D, "stephencurry", "GSW", "LAL", "OVER", 26.5, "sys", "v1", game_time=tip)])
    store = BigQueryStore("proj", "picks", client=client)
    clock = lambda: datetime(2026, 2, 28, 15, tzinfo=timezone.utc)  # noqa: E731
    service = PicklockService(store, FakePublisher(), clock=clock, sleep=lambda s: None)
    report = service.export(D, "signal_updated")
    assert report.plan.merge.ledger_rows  # a real export: a new pick locked and published
    assert store.jobs["read"] == 1
    assert store.jobs["write"] == 2  # ledger insert + audit insert
