"""Static checks of every statement the BigQuery store sends (the emulator enforces none of them):
partition filters on every partitioned table read, parameters for every value, and the job budget
of an export (at most 1 read and 2 writes)."""
import re
from pathlib import Path
from datetime import date, datetime, timezone

import pytest

pytest.importorskip("google.cloud.bigquery")
from google.api_core.exceptions import NotFound  # noqa: E402

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
    """Stands in for bigquery.Client: records statements and the routines looked up; a call of
    the read's table function returns `signal`, once a statement has created that function."""

    def __init__(self, signal=()):
        self.statements = []
        self.routines_looked_up = []
        self.routines = set()
        self.signal = [rows.signal_to_row(s) for s in signal]

    def query_and_wait(self, sql, job_config=None, **limits):
        self.statements.append((sql, job_config))
        created = re.match(r"CREATE OR REPLACE TABLE FUNCTION `([^`]+)`", sql)
        if created:
            self.routines.add(created.group(1))
        called = re.match(r"SELECT \* FROM `([^`]+)`\(", sql)
        if called:
            if called.group(1) not in self.routines:
                raise NotFound(f"Table-valued function not found: {called.group(1)}")
            empty = {name: [] for name in ("ledger", "manual", "results", "closing", "audited", "tallies", "summaries", "halts")}
            return EmptyResult([{**empty, "signal": self.signal}])
        return EmptyResult()

    def get_routine(self, name, **limits):
        self.routines_looked_up.append(name)
        if name not in self.routines:
            raise NotFound(f"Routine not found: {name}")


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


def test_the_first_read_creates_the_read_function_once_and_then_only_calls_it():
    store = BigQueryStore("proj", "picks", client=(client := RecordingClient()))
    for _ in range(3):
        store.load_export_inputs(D)
    assert client.routines_looked_up == [store.read_function_name]  # once per instance, not per export
    ddl = [sql for sql, _ in client.statements if sql.startswith("CREATE")]
    assert len(ddl) == 1 and store.jobs["ddl"] == 1 and store.jobs["read"] == 3
    assert [sql for sql, _ in client.statements[1:]] == [store.read_function_call] * 3


def test_a_read_that_fails_makes_the_store_look_for_its_function_again():
    store = BigQueryStore("proj", "picks", client=(client := RecordingClient()))
    store.load_export_inputs(D)
    client.routines.clear()  # dropped by someone while the instance runs
    with pytest.raises(NotFound):
        store.load_export_inputs(D)
    store.load_export_inputs(D)  # the next delivery re-creates it
    assert client.routines_looked_up == [store.read_function_name] * 2
    assert store.jobs["ddl"] == 2


def test_the_read_function_is_the_read_statement_named_after_its_text():
    store = BigQueryStore("proj", "picks", client=RecordingClient())
    ddl = store.read_function_ddl()
    assert "@" not in ddl  # every parameter is an argument of the function
    assert "game_date = arg_game_date AND sport = arg_sport" in ddl
    assert ddl.count("arg_") == store.export_inputs_sql().count("@") + 7
    elsewhere = BigQueryStore("other-project", "other_dataset", client=RecordingClient())
    assert elsewhere.read_function_name.split(".")[-1] == store.read_function_name.split(".")[-1]
    assert elsewhere.read_function_name.startswith("other-project.other_dataset.export_inputs_")


def test_a_changed_read_is_a_new_function(monkeypatch):
    before = BigQueryStore("proj", "picks", client=RecordingClient()).read_function_name
    monkeypatch.setattr(bigquery_store, "_VERSIONS_TO_FOLD", bigquery_store._VERSIONS_TO_FOLD.replace("DESC", "ASC"))
    assert BigQueryStore("proj", "picks", client=RecordingClient()).read_function_name != before
