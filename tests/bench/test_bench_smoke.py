"""Smoke test of `make bench` (the package tools/bench/ and tools/bench_baseline.py) on tiny
inputs, so the benchmark cannot rot between runs. Asserts on counts and shapes, never on time:
benchmarks are not tests, and `make test` must not depend on how fast these machines are."""
from __future__ import annotations

import csv
import json
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

from bench.burst import bench_burst, count_bigquery_jobs, count_uploads  # noqa: E402
from bench.cold import parse_importtime, top_level_after  # noqa: E402
from bench.common import (NOW, SPORTS, TODAY, Results, percentile, signal_rows, sport_stat,  # noqa: E402
                          statement_kind, table, value_bytes)
from bench.core import time_core  # noqa: E402
from bench.history import (bench_all_json_size, bench_history_bigquery, bench_history_sqlite,  # noqa: E402
                           report_history, season_audit_rows)
from bench.jobs import Backends, run_jobs_scenarios  # noqa: E402
from bench.latency import bench_latency  # noqa: E402
from bench.report import markdown, write_csv  # noqa: E402
from bench.seed import AUDIT_CHUNK_BYTES, append_by_days, history  # noqa: E402
from bench.sports import bench_sports_bigquery, bench_sports_sqlite, report_sports  # noqa: E402
from picklock.domain.calendar import format_instant  # noqa: E402

# What a changed export writes to Cloud Storage: at least the per-date file, its immutable snapshot
# and all.json (then, as the service grows, the date's index of versions, the feeds of its events...).
# The exact count is the service's business (its own tests); the budget is on BigQuery jobs, and on
# no Cloud Storage write at all when nothing changed.
MIN_CHANGED_WRITES = 3


def budget(counts) -> tuple:
    """(reads, writes, at least the minimum of Cloud Storage writes?) of a changed export."""
    return counts[0], counts[1], counts[2] >= MIN_CHANGED_WRITES


# -- pure helpers -------------------------------------------------------------------------------

def test_percentile_is_nearest_rank():
    assert percentile(list(range(1, 101)), 95) == 95
    assert percentile(list(range(1, 101)), 50) == 50
    assert percentile([5, 1, 3], 95) == 5
    assert percentile([0.25], 95) == 0.25


def test_importtime_lines_give_cumulative_time_depth_and_the_lazy_imports():
    stderr = (
        "import time: self [us] | cumulative | imported package\n"
        "import time:       120 |        120 |   json.decoder\n"
        "import time:       168 |     188315 | main\n"
        "import time:        50 |        900 | picklock.adapters.gcs_publisher\n"
        "import time:        10 |         10 |   google.cloud.storage.blob\n"
    )
    entries = parse_importtime(stderr)
    assert entries[:2] == [(120, 120, 1, "json.decoder"), (168, 188315, 0, "main")]
    assert top_level_after(entries, "main") == 900  # top level only: nested time is inside it


def test_bytes_follow_bigquerys_logical_sizes():
    assert value_bytes("STRING", "abc") == 5
    assert value_bytes("STRING", "é") == 4  # UTF-8 bytes, not characters
    assert [value_bytes(t, v) for t, v in (("INT64", 3), ("FLOAT64", 1.5), ("DATE", TODAY),
                                           ("TIMESTAMP", NOW), ("BOOL", False))] == [8, 8, 8, 8, 1]
    assert value_bytes("ARRAY<STRING>", ["a", "bc"]) == 7
    assert value_bytes("STRING", None) == 0


def test_statements_are_classified_by_their_first_keyword():
    assert statement_kind("\nSELECT\n ARRAY(SELECT AS STRUCT ...)") == "read"
    assert statement_kind("WITH t AS (SELECT 1) SELECT * FROM t") == "read"
    assert [statement_kind(s) for s in ("INSERT INTO t", "DELETE FROM t", "CREATE TABLE t")] == ["write"] * 3


def test_each_signal_version_moves_exactly_one_pick():
    for version in range(1, 25):
        before = signal_rows(TODAY, version - 1)
        after = signal_rows(TODAY, version)
        assert sum(a != b for a, b in zip(before, after)) == 1


def test_the_emulators_access_logs_are_counted_per_bucket_and_project():
    gcs = [
        'time=x level=INFO msg="127.0.0.1 - - [t] \\"POST /upload/storage/v1/b/bkt/o?uploadType=multipart&ifGenerationMatch=0 HTTP/1.1\\" 200 982\\n"',
        'time=x level=INFO msg="127.0.0.1 - - [t] \\"POST /upload/storage/v1/b/bkt/o?uploadType=multipart&ifGenerationMatch=7 HTTP/1.1\\" 412 10\\n"',
        'time=x level=INFO msg="127.0.0.1 - - [t] \\"POST /upload/storage/v1/b/other/o?uploadType=multipart HTTP/1.1\\" 200 9\\n"',
        'time=x level=INFO msg="127.0.0.1 - - [t] \\"GET /download/storage/v1/b/bkt/o/x?alt=media HTTP/1.1\\" 200 0\\n"',
    ]
    assert count_uploads(gcs, "bkt") == {"200": 1, "412": 1}
    bq = [
        '{"method": "POST", "path": "/bigquery/v2/projects/p1/queries", "status": 200}',
        '{"method": "POST", "path": "/bigquery/v2/projects/p1/jobs", "status": 200}',
        '{"method": "GET", "path": "/bigquery/v2/projects/p1/queries/j1", "status": 200}',
        '{"method": "POST", "path": "/bigquery/v2/projects/p2/queries", "status": 200}',
        "Uvicorn running on http://127.0.0.1:1",
    ]
    assert count_bigquery_jobs(bq, "p1") == 2


def test_the_core_timing_measures_a_publishing_export():
    measured = time_core(10, runs=1)
    assert (measured["n"], measured["runs"]) == (10, 1)
    assert measured["date_file_bytes"] > 0


def test_seeded_history_is_three_exports_a_day():
    ledger, audit = history(2, picks=3)
    assert len(audit) == 2 * 3
    assert {r.pick.game_date for r in ledger} == {TODAY - timedelta(days=2), TODAY - timedelta(days=1)}
    assert sum(r.pick.result is not None for r in ledger) == 2 * 3  # every pick graded once


def test_seeded_audit_rows_carry_each_days_tally_and_a_season_long_all_json():
    """The season read measures something only if the past days' audit rows hold real tallies."""
    from picklock.domain.tally import DayTally

    ledger, audit = history(3, picks=4)
    assert all(record.tally for record in audit)
    graded = [record for record in audit if record.trigger_source == "post_grading"]
    assert [DayTally.from_text(r.tally).game_date for r in graded] == [TODAY - timedelta(days=k) for k in (3, 2, 1)]
    picks = DayTally.from_text(graded[-1].tally).picks
    assert len(picks) == 4 and all(p.result for p in picks) and all(p.odds and p.tier for p in picks)
    assert any(p.clv for p in picks)  # graded with the closing lines
    # Each day's all.json carries the season's earlier days, as the store would have handed them over
    # (the last one, of the day before TODAY, was written before that day was graded).
    last_all_json = json.loads([r for r in audit if r.all_json_document][-1].all_json_document)
    assert [d["date"] for d in last_all_json["record"]["by_day"]] == [
        (TODAY - timedelta(days=k)).isoformat() for k in (3, 2)]
    assert season_audit_rows(3, picks=4) == 9  # every date is in the season (TODAY: its last day)


def test_audit_rows_are_appended_in_jobs_of_bounded_size():
    calls = []

    class Store:
        def append_ledger(self, rows_):
            calls.append(("ledger", len(rows_)))

        def append_audit(self, records):
            calls.append(("audit", sum(len(r.document) + len(r.all_json_document or "") for r in records)))

    ledger, audit = history(30)
    assert append_by_days(Store(), ledger, audit, 30, chunk_days=10) == (900, 90)
    assert [n for kind, n in calls if kind == "ledger"] == [300, 300, 300]  # 10 days of 30 rows
    audit_jobs = [n for kind, n in calls if kind == "audit"]
    assert len(audit_jobs) >= 3 and max(audit_jobs) <= AUDIT_CHUNK_BYTES


def test_outputs_are_written_from_the_figures(tmp_path):
    results = Results()
    results.add("jobs", "BigQuery read jobs per export, signal changed", "picklock", 1, "count", 1)
    results.tables["jobs"] = table(("a", "b"), [(1, 2)])
    write_csv(results, tmp_path / "results.csv")
    text = markdown(results, runtime=60, load_at_start="load average 0", chart=None, quick=True)
    with open(tmp_path / "results.csv", newline="") as f:
        assert list(csv.reader(f))[1] == ["jobs", "BigQuery read jobs per export, signal changed", "picklock",
                                         "1", "count", "1", ""]
    assert text.startswith("## Benchmarks") and "`make bench`" in text and "| a | b |" in text


# -- on the emulators ---------------------------------------------------------------------------

@pytest.mark.emulators
def test_jobs_and_writes_per_export_are_counted_from_the_clients(emulators):
    backends = Backends.create(f"bench-smoke-{uuid.uuid4().hex[:6]}")
    measured = run_jobs_scenarios(backends, uuid.uuid4().hex[:6], reps=1)

    def counts(system, scenario):
        (c,) = {tuple(c[k] for k in ("bq_read", "bq_write", "gcs_write")) for c in measured[system][scenario]["counts"]}
        return c

    # picklock: the budget (DESIGN.md, "Performance budget")
    assert budget(counts("picklock", "signal changed")) == (1, 2, True)  # ledger + audit; the files
    assert counts("picklock", "unchanged inputs") == (1, 1, 0)  # the audit row only
    # An add by message is recorded unread (its export says whether it is in effect): the command's
    # conditional INSERT, then the export's read and writes.
    assert budget(counts("picklock", "manual pick message")) == (1, 3, True)
    # the naive baseline: 3 reads, DELETE + INSERT, audit; both files every time
    assert counts("baseline", "signal changed") == (3, 3, 2)
    assert counts("baseline", "unchanged inputs") == (3, 3, 2)
    assert counts("baseline", "manual pick message") == (3, 4, 2)
    # No earlier date in these tables: the season part of the read (one tally per earlier date) is empty.
    assert measured["bytes"]["picklock"]["date"] > 0 and measured["bytes"]["picklock"]["season"] == 0
    assert measured["bytes"]["baseline"]["delete"] > 0
    assert measured["mismatches"] == []  # picklock's store.jobs agrees with the requests on the wire


@pytest.mark.emulators
def test_history_keeps_one_read_and_two_writes_next_to_the_baseline(emulators):
    backends = Backends.create(f"bench-smoke-{uuid.uuid4().hex[:6]}")
    measured = bench_history_bigquery(backends, (1, 2), reps=1)
    for days, m in measured["lengths"].items():
        (changed,), (unchanged,), (naive,) = (m["counts"][k] for k in ("changed", "unchanged", "naive"))
        assert budget((changed["bq_read"], changed["bq_write"], changed["gcs_write"])) == (1, 2, True)
        assert (unchanged["bq_read"], unchanged["bq_write"], unchanged["gcs_write"]) == (1, 1, 0)
        assert (changed["store_read"], changed["store_write"]) == (1, 2) and m["mismatches"] == []
        assert (naive["bq_read"], naive["bq_write"]) == (3, 3)
        assert (m["ledger_rows"], m["audit_rows"]) == (30 * days, 3 * days)
        assert (m["season_days"], m["season_audit_rows"]) == (days, 3 * days)  # one tally per earlier date
        assert m["bytes"]["season"] > 0 and m["all_json_bytes"] > 0
    assert measured["lengths"][2]["bytes"]["season"] > measured["lengths"][1]["bytes"]["season"]
    results = Results()
    report_history(results, {"BigQuery emulator": measured}, None)
    assert [outcome in ("PASS", "FAIL") for *_, outcome in results.targets] == [True] * 3
    assert results.targets[-1][3] == "PASS"  # 1 read, at most 2 writes


def test_history_on_sqlite_and_the_targets():
    measured = bench_history_sqlite((1, 3), reps=1)
    for days, m in measured["lengths"].items():
        assert m["outcomes"] == {"changed: published": 1, "unchanged: unchanged": 1}
        assert (m["season_days"], m["season_audit_rows"]) == (days, 3 * days)
        assert m["seconds"]["read_with"] and m["seconds"]["plan"] and not m["seconds"]["naive"]
    query = measured["tally_query"]  # 3 days of history: every one shown pick by pick, so tallies only
    assert (query["rows"], query["tallies"]) == (0, 3) and "best_bets_export_audit" in query["plan"]
    size = bench_all_json_size(3, 15)
    assert size["outcome"] == "published" and size["season_days"] == 3 and size["bytes"] > 0
    results = Results()
    report_history(results, {"SQLite": measured}, size)
    (ratio, all_json) = results.targets
    assert ratio[0].startswith("SQLite: export of today") and ratio[2] == "≤ 1.25×" and ratio[3] in ("PASS", "FAIL")
    assert all_json[2] == "≤ 200.0 kB" and all_json[3] == "PASS"
    text = markdown(results, runtime=1, load_at_start="load average 0", chart=None, quick=True)
    assert "### Targets" in text and "| SQLite | 3 |" in text and "Machine: " in text


@pytest.mark.emulators
def test_latency_and_burst_through_pubsub_push(emulators, tmp_path):
    from tests.harness.localstack import LocalStack

    results = Results()
    with LocalStack(emulators.env, tmp_path / "functions", project=f"bench-smoke-{uuid.uuid4().hex[:6]}",
                    now=format_instant(NOW)) as stack:
        stack.store.replace_signal(TODAY, signal_rows(TODAY, 0))
        bench_latency(results, stack, 2, None)
        bench_burst(results, stack, emulators, 3, {"baseline": {"bq": 6, "gcs": 2}})
    assert results.get("latency", "signal-updated -> all.json p50") is not None  # every message changed all.json
    assert results.get("latency", "manual-picks -> all.json p50") is not None
    assert not [n for n in results.notes if "did not change all.json" in n]
    assert results.get("burst", "messages handled (exported or covered)") == 3
    assert 1 <= results.get("burst", "exports run") <= 3  # coalesced: covered messages run none
    assert results.get("burst", "exports run") + results.get("burst", "messages covered by an export that started "
                                                             "after them") == 3
    assert results.get("burst", "exports that published a new version") == 1
    assert results.get("latency", "floor p50 (push delivery + read job + write job + object write)", "floor") > 0
    assert results.get("burst", "Cloud Storage writes") >= MIN_CHANGED_WRITES  # one new version
    assert results.get("burst", "Cloud Storage writes", "baseline") == 6


# -- one sport among many -----------------------------------------------------------------------

def test_every_sports_slate_and_history_is_on_its_own_stat():
    assert [sport_stat(s) for s in SPORTS.ids] == ["PTS", "K", "PASS_YDS", "SOG", "PTS"]
    assert {(r.sport, r.stat) for r in signal_rows(TODAY, 0, 3, "mlb")} == {("mlb", "K")}
    ledger, audit = history(1, picks=2, sport="nhl")
    assert {(r.pick.sport, r.pick.stat) for r in ledger} == {("nhl", "SOG")}
    assert {a.sport for a in audit} == {"nhl"} and all(a.export_id.endswith(".nhl") for a in audit)
    assert sum(r.pick.result is not None for r in ledger) == 2  # graded, as NBA's


def test_one_sport_among_many_on_sqlite():
    measured = bench_sports_sqlite(days=2, picks=3, reps=1)
    alone, every = measured["alone"], measured["all"]
    # 2 days x 3 picks x 3 versions + today's first publish (3 rows); 3 exports a day + today's
    assert alone["seeded"] == {"ledger": 21, "audit": 7}
    assert every["seeded"] == {"ledger": 5 * 21, "audit": 5 * 7} and every["sports"] == len(SPORTS.ids)
    for m in (alone, every):
        assert m["outcomes"] == {"changed: published": 1, "unchanged: unchanged": 1}
        assert m["foreign_rows"] == 0  # the store hands NBA's export NBA's rows only
    assert alone["season_rows"] == every["season_rows"] == {2}  # the latest tally of each earlier date
    # the audit rows of the earlier dates: NBA's 6, and every sport's
    assert measured["plans"]["season_rows_of_sport"] == 6 and measured["plans"]["season_rows_in_range"] == 5 * 6
    assert "best_bets_export_audit" in measured["plans"]["season"]
    results = Results()
    report_sports(results, {"SQLite": measured}, 2)
    assert "| SQLite | export, signal changed" in results.tables["sports"]
    assert results.get("sports", "SQLite: NBA export, signal changed wall time, 5 sports ÷ NBA alone") > 0
    assert results.budget[-1][1] == "≤ 1.2"


@pytest.mark.emulators
def test_one_sport_among_many_on_the_emulators(emulators):
    backends = Backends.create(f"bench-smoke-{uuid.uuid4().hex[:6]}")
    measured = bench_sports_bigquery(backends, days=1, picks=2, reps=1)
    alone, every = measured["alone"], measured["all"]
    for m in (alone, every):
        (changed,), (unchanged,) = m["counts"]["changed"], m["counts"]["unchanged"]
        assert budget((changed["bq_read"], changed["bq_write"], changed["gcs_write"])) == (1, 2, True)
        assert (unchanged["bq_read"], unchanged["bq_write"], unchanged["gcs_write"]) == (1, 1, 0)
        assert m["foreign_rows"] == 0
    assert alone["season_rows"] == every["season_rows"]
    # Partitioned by game_date, not clustered by sport: the read bills every sport's rows of its partitions.
    assert every["bytes"]["season"] > 4 * alone["bytes"]["season"]


@pytest.mark.emulators
def test_the_bigquery_emulator_without_table_copies_serves_the_store():
    """What the bench measures growth on (cli.emulators_for_growth): the same emulator, DML and all."""
    from picklock.adapters.bigquery_store import BigQueryStore
    from tests.harness.emulators import start_bigquery

    emulator = start_bigquery("bench-no-copies", table_copies=False)
    try:
        store = BigQueryStore("bench-no-copies", "smoke", endpoint=emulator.url)
        store.create_tables()
        store.replace_signal(TODAY, signal_rows(TODAY, 0, 2))
        store.replace_signal(TODAY, signal_rows(TODAY, 1, 3))
        assert len(store.load_export_inputs(TODAY).merge.signal) == 3
    finally:
        emulator.stop()
