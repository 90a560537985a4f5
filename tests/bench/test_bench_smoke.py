"""Smoke test of `make bench` (tools/bench.py and tools/bench_baseline.py) on tiny inputs, so the
benchmark cannot rot between runs. Asserts on counts and shapes, never on time: benchmarks are not
tests, and `make test` must not depend on how fast these machines are."""
from __future__ import annotations

import csv
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import bench  # noqa: E402


# -- pure helpers -------------------------------------------------------------------------------

def test_percentile_is_nearest_rank():
    assert bench.percentile(list(range(1, 101)), 95) == 95
    assert bench.percentile(list(range(1, 101)), 50) == 50
    assert bench.percentile([5, 1, 3], 95) == 5
    assert bench.percentile([0.25], 95) == 0.25


def test_importtime_lines_give_cumulative_time_depth_and_the_lazy_imports():
    stderr = (
        "import time: self [us] | cumulative | imported package\n"
        "import time:       120 |        120 |   json.decoder\n"
        "import time:       168 |     188315 | main\n"
        "import time:        50 |        900 | picklock.adapters.gcs_publisher\n"
        "import time:        10 |         10 |   google.cloud.storage.blob\n"
    )
    entries = bench.parse_importtime(stderr)
    assert entries[:2] == [(120, 120, 1, "json.decoder"), (168, 188315, 0, "main")]
    assert bench.top_level_after(entries, "main") == 900  # top level only: nested time is inside it


def test_bytes_follow_bigquerys_logical_sizes():
    assert bench.value_bytes("STRING", "abc") == 5
    assert bench.value_bytes("STRING", "é") == 4  # UTF-8 bytes, not characters
    assert [bench.value_bytes(t, v) for t, v in (("INT64", 3), ("FLOAT64", 1.5), ("DATE", bench.TODAY),
                                                 ("TIMESTAMP", bench.NOW), ("BOOL", False))] == [8, 8, 8, 8, 1]
    assert bench.value_bytes("ARRAY<STRING>", ["a", "bc"]) == 7
    assert bench.value_bytes("STRING", None) == 0


def test_statements_are_classified_by_their_first_keyword():
    assert bench.statement_kind("\nSELECT\n ARRAY(SELECT AS STRUCT ...)") == "read"
    assert bench.statement_kind("WITH t AS (SELECT 1) SELECT * FROM t") == "read"
    assert [bench.statement_kind(s) for s in ("INSERT INTO t", "DELETE FROM t", "CREATE TABLE t")] == ["write"] * 3


def test_each_signal_version_moves_exactly_one_pick():
    for version in range(1, 25):
        before = bench.signal_rows(bench.TODAY, version - 1)
        after = bench.signal_rows(bench.TODAY, version)
        assert sum(a != b for a, b in zip(before, after)) == 1


def test_the_emulators_access_logs_are_counted_per_bucket_and_project():
    gcs = [
        'time=x level=INFO msg="127.0.0.1 - - [t] \\"POST /upload/storage/v1/b/bkt/o?uploadType=multipart&ifGenerationMatch=0 HTTP/1.1\\" 200 982\\n"',
        'time=x level=INFO msg="127.0.0.1 - - [t] \\"POST /upload/storage/v1/b/bkt/o?uploadType=multipart&ifGenerationMatch=7 HTTP/1.1\\" 412 10\\n"',
        'time=x level=INFO msg="127.0.0.1 - - [t] \\"POST /upload/storage/v1/b/other/o?uploadType=multipart HTTP/1.1\\" 200 9\\n"',
        'time=x level=INFO msg="127.0.0.1 - - [t] \\"GET /download/storage/v1/b/bkt/o/x?alt=media HTTP/1.1\\" 200 0\\n"',
    ]
    assert bench.count_uploads(gcs, "bkt") == {"200": 1, "412": 1}
    bq = [
        '{"method": "POST", "path": "/bigquery/v2/projects/p1/queries", "status": 200}',
        '{"method": "POST", "path": "/bigquery/v2/projects/p1/jobs", "status": 200}',
        '{"method": "GET", "path": "/bigquery/v2/projects/p1/queries/j1", "status": 200}',
        '{"method": "POST", "path": "/bigquery/v2/projects/p2/queries", "status": 200}',
        "Uvicorn running on http://127.0.0.1:1",
    ]
    assert bench.count_bigquery_jobs(bq, "p1") == 2


def test_the_core_timing_measures_a_publishing_export():
    measured = bench.time_core(10, runs=1)
    assert (measured["n"], measured["runs"]) == (10, 1)
    assert measured["date_file_bytes"] > 0


def test_seeded_history_is_three_exports_a_day():
    ledger, audit = bench.history(2, picks=3)
    assert len(audit) == 2 * 3
    assert {r.pick.game_date for r in ledger} == {bench.TODAY.replace(day=8), bench.TODAY.replace(day=9)}
    assert sum(r.pick.result is not None for r in ledger) == 2 * 3  # every pick graded once


def test_outputs_are_written_from_the_figures(tmp_path):
    results = bench.Results()
    results.add("jobs", "BigQuery read jobs per export, signal changed", "picklock", 1, "count", 1)
    results.tables["jobs"] = bench.table(("a", "b"), [(1, 2)])
    bench.write_csv(results, tmp_path / "results.csv")
    text = bench.markdown(results, runtime=60, load_at_start="load average 0", chart=None, quick=True)
    with open(tmp_path / "results.csv", newline="") as f:
        assert list(csv.reader(f))[1] == ["jobs", "BigQuery read jobs per export, signal changed", "picklock",
                                         "1", "count", "1", ""]
    assert text.startswith("## Benchmarks") and "`make bench`" in text and "| a | b |" in text


# -- on the emulators ---------------------------------------------------------------------------

@pytest.mark.emulators
def test_jobs_and_writes_per_export_are_counted_from_the_clients(emulators):
    backends = bench.Backends.create(f"bench-smoke-{uuid.uuid4().hex[:6]}")
    measured = bench.run_jobs_scenarios(backends, uuid.uuid4().hex[:6], reps=1)

    def counts(system, scenario):
        (c,) = {tuple(c[k] for k in ("bq_read", "bq_write", "gcs_write")) for c in measured[system][scenario]["counts"]}
        return c

    # picklock: the budget (DESIGN.md, "Performance budget")
    assert counts("picklock", "signal changed") == (1, 2, 3)  # ledger + audit; date file, snapshot, all.json
    assert counts("picklock", "unchanged inputs") == (1, 1, 0)  # the audit row only
    # The command is checked against what is published (its targets, a reused request id) before it
    # is recorded: one read more than the export itself.
    assert counts("picklock", "manual pick message") == (2, 3, 3)
    # the naive baseline: 3 reads, DELETE + INSERT, audit; both files every time
    assert counts("baseline", "signal changed") == (3, 3, 2)
    assert counts("baseline", "unchanged inputs") == (3, 3, 2)
    assert counts("baseline", "manual pick message") == (3, 4, 2)
    assert measured["bytes"]["picklock"]["date"] > 0 and measured["bytes"]["picklock"]["season"] > 0
    assert measured["bytes"]["baseline"]["delete"] > 0
    assert measured["mismatches"] == []  # picklock's store.jobs agrees with the requests on the wire


@pytest.mark.emulators
def test_history_keeps_one_read_and_two_writes(emulators):
    backends = bench.Backends.create(f"bench-smoke-{uuid.uuid4().hex[:6]}")
    (measured,) = bench.bench_history(bench.Results(), backends, (2,), reps=1)
    assert measured["jobs"] == (1, 2)
    assert (measured["ledger_rows"], measured["audit_rows"]) == (60, 6)
    assert measured["season_rows"] > measured["ledger_rows"]  # the past days and today's rows


@pytest.mark.emulators
def test_latency_and_burst_through_pubsub_push(emulators, tmp_path):
    from tests.harness.localstack import LocalStack

    results = bench.Results()
    with LocalStack(emulators.env, tmp_path / "functions", project=f"bench-smoke-{uuid.uuid4().hex[:6]}",
                    now=bench.format_instant(bench.NOW)) as stack:
        stack.store.replace_signal(bench.TODAY, bench.signal_rows(bench.TODAY, 0))
        bench.bench_latency(results, stack, 2, None)
        bench.bench_burst(results, stack, emulators, 3, {"baseline": {"bq": 6, "gcs": 2}})
    assert results.get("latency", "signal-updated -> all.json p50") is not None  # every message changed all.json
    assert results.get("latency", "manual-picks -> all.json p50") is not None
    assert not [n for n in results.notes if "did not change all.json" in n]
    assert results.get("burst", "exports run") == 3
    assert results.get("burst", "exports that published a new version") == 1
    assert results.get("burst", "Cloud Storage writes") == 3  # one new version: date file, snapshot, all.json
    assert results.get("burst", "Cloud Storage writes", "baseline") == 6


# -- one sport among many -----------------------------------------------------------------------

def test_every_sports_slate_and_history_is_on_its_own_stat():
    assert [bench.sport_stat(s) for s in bench.SPORTS.ids] == ["PTS", "K", "PASS_YDS", "SOG", "PTS"]
    assert {(r.sport, r.stat) for r in bench.signal_rows(bench.TODAY, 0, 3, "mlb")} == {("mlb", "K")}
    ledger, audit = bench.history(1, picks=2, sport="nhl")
    assert {(r.pick.sport, r.pick.stat) for r in ledger} == {("nhl", "SOG")}
    assert {a.sport for a in audit} == {"nhl"} and all(a.export_id.endswith(".nhl") for a in audit)
    assert sum(r.pick.result is not None for r in ledger) == 2  # graded, as NBA's


def test_one_sport_among_many_on_sqlite():
    measured = bench.bench_sports_sqlite(days=2, picks=3, reps=1)
    alone, every = measured["alone"], measured["all"]
    # 2 days x 3 picks x 3 versions + today's first publish (3 rows); 3 exports a day + today's
    assert alone["seeded"] == {"ledger": 21, "audit": 7}
    assert every["seeded"] == {"ledger": 5 * 21, "audit": 5 * 7} and every["sports"] == len(bench.SPORTS.ids)
    for m in (alone, every):
        assert m["outcomes"] == {"changed: published": 1, "unchanged: unchanged": 1}
        assert m["foreign_rows"] == 0  # the store hands NBA's export NBA's rows only
    assert alone["season_rows"] == every["season_rows"] == {21 + 1}  # and the refreshed pick's new version
    assert measured["plans"]["season_rows_of_sport"] == 22 and measured["plans"]["season_rows_in_range"] == 5 * 21 + 1
    results = bench.Results()
    bench.report_sports(results, {"SQLite": measured}, 2)
    assert "| SQLite | export, signal changed" in results.tables["sports"]
    assert results.get("sports", "SQLite: NBA export, signal changed wall time, 5 sports ÷ NBA alone") > 0
    assert results.budget[-1][1] == "≤ 1.2"


@pytest.mark.emulators
def test_one_sport_among_many_on_the_emulators(emulators):
    backends = bench.Backends.create(f"bench-smoke-{uuid.uuid4().hex[:6]}")
    measured = bench.bench_sports_bigquery(backends, days=1, picks=2, reps=1)
    alone, every = measured["alone"], measured["all"]
    for m in (alone, every):
        (changed,), (unchanged,) = m["counts"]["changed"], m["counts"]["unchanged"]
        assert (changed["bq_read"], changed["bq_write"], changed["gcs_write"]) == (1, 2, 3)
        assert (unchanged["bq_read"], unchanged["bq_write"], unchanged["gcs_write"]) == (1, 1, 0)
        assert m["foreign_rows"] == 0
    assert alone["season_rows"] == every["season_rows"]
    # Partitioned by game_date, not clustered by sport: the read bills every sport's rows of its partitions.
    assert every["bytes"]["season"] > 4 * alone["bytes"]["season"]
