"""`make bench`: what an export costs and how long it takes, next to a naive baseline.

One self-contained run: starts the emulators (Pub/Sub, Cloud Storage, BigQuery) and the local
stack (the three functions under functions-framework behind Pub/Sub push subscriptions), measures,
stops everything it started, prints the tables, and writes

    docs/bench/results.csv    every figure, one per line
    docs/bench/scaling.png    the scaling curves (pure core; history length)
    docs/BENCHMARKS.md        the tables below `## Benchmarks`, with the command that made them

Sections (in this order, the CPU-bound ones before any emulator runs):
    core      plan_export (merge_and_lock + render + audit, no I/O) from 10 to 100,000 picks per date
    cold      import time of functions/main.py and of what the first message loads (-X importtime)
    jobs      BigQuery jobs, bytes and Cloud Storage writes per export, picklock vs the naive
              baseline (tools/bench_baseline.py), counted from the clients' HTTP requests
    history   NBA's export of today with 1, 30, 180 and 365 days of history in the tables, on SQLite
              (before the emulators start) and on the emulators next to the naive baseline; and
              all.json after a 200-day season with 15 picks a day. Prints the targets of the issue
              "The public record" (measured, target, PASS/FAIL) with the machine's load
    sports    one sport among many: NBA's export with NBA alone in the tables vs all five sports
              (180 days of history each), on SQLite (before the emulators start) and the emulators
    latency   signal-updated / manual-picks published -> all.json generation changes, p50/p95
    burst     200 signal-updated messages within a few seconds: exports, writes, jobs

Benchmarks are not tests: nothing here asserts on time. `--quick` runs every code path on small
counts (and writes to build/bench-quick/, never over the committed figures); `--sections a,b` runs
some sections only (and writes to build/bench-partial/); `--history-days 1,365` picks the lengths.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import functools
import json
import math
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time as clock_time, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT / "shared", ROOT, ROOT / "tools"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from picklock.adapters import rows  # noqa: E402
from picklock.adapters.sports_file import default_catalogue  # noqa: E402
from picklock.adapters.ddl import default_schema  # noqa: E402
from picklock.domain.calendar import FIRST_DATE, format_instant  # noqa: E402
from picklock.domain.export import ExportInputs, plan_export  # noqa: E402
from picklock.domain.merge import MergeInputs, merge_and_lock  # noqa: E402
from picklock.domain.picks import ClosingLine, GameResult, ManualCommand, SignalRow  # noqa: E402
from picklock.domain.record import DayTally  # noqa: E402
from picklock.domain.render import PublishedDocument  # noqa: E402
from picklock.service_layer.services import new_export_id  # noqa: E402
from tests.harness.nba_paths import ALL_JSON, NBA

# The bench's game day: the last day of NBA's 2025-26 season in schemas/sports.json (2025-10-01 to
# 2026-09-30), so a whole season of history fits before it: of 365 days of history, 364 are in the
# season (the first is the last day of the season before). Every clock is fixed at noon in New
# York, before the 19:30 tip-offs.
TODAY = date(2026, 9, 30)
NOW = datetime(2026, 9, 30, 16, 0, tzinfo=timezone.utc)
PICKS_PER_DAY = 10
TEAMS = ("BOS", "NYK", "MIL", "PHI", "DEN", "LAL", "GSW", "PHX", "DAL", "MIA")
ODDS = (-110, -115, 105, -120, 120, -105, -125, 110)  # posted prices, American (units are priced)
TIERS = ("ultra", "strong", "lean")
POLL_SECONDS = 0.02
SPORTS = default_catalogue()  # schemas/sports.json: NBA first, then MLB, NFL, NHL, WNBA


def sport_stat(sport: str) -> str:
    """The stat the bench's picks of `sport` are on: its first (NBA PTS, MLB K, NFL PASS_YDS, ...)."""
    return SPORTS.get(sport).stats[0]


def tip_off(game_date: date) -> datetime:
    """19:30 in New York (EDT in April): 23:30 UTC."""
    return datetime.combine(game_date, clock_time(23, 30), tzinfo=timezone.utc)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass
class Figure:
    section: str
    metric: str
    system: str  # "picklock" or "baseline"
    value: float | None
    unit: str
    n: int | None = None
    note: str = ""


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)
    tables: dict[str, str] = field(default_factory=dict)  # section -> Markdown
    notes: list[str] = field(default_factory=list)
    budget: list[tuple[str, str, Any]] = field(default_factory=list)  # (what, target, measured)
    targets: list[tuple[str, str, str, str]] = field(default_factory=list)  # (what, measured, target, PASS/FAIL)
    machine: list[str] = field(default_factory=list)  # the load while the targets were measured
    started: float = field(default_factory=time.monotonic)

    def add(self, section: str, metric: str, system: str, value: float | None, unit: str,
            n: int | None = None, note: str = "") -> float | None:
        self.figures.append(Figure(section, metric, system, value, unit, n, note))
        return value

    def get(self, section: str, metric: str, system: str = "picklock") -> float | None:
        for f in self.figures:
            if (f.section, f.metric, f.system) == (section, metric, system):
                return f.value
        return None


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): a value that was actually observed."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    value = seconds * 1000
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms" if value >= 1 else f"{value:.3f} ms"


def size(count: float | None) -> str:
    if count is None:
        return "n/a"
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:,.1f} {unit}"
    return f"{count:,.0f} B"


def ratio(baseline: float | None, picklock: float | None) -> str:
    if baseline is None or picklock is None:
        return ""
    if picklock == 0:
        return "∞" if baseline else "="
    return f"{baseline / picklock:.2g}×"


def table(header: Sequence[str], body: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Test data: a realistic slate (10 picks a day), changed one pick at a time
# --------------------------------------------------------------------------------------------


def signal_rows(game_date: date, version: int = 0, n: int = PICKS_PER_DAY, sport: str = "nba") -> list[SignalRow]:
    """The signal of `game_date` after `version` upstream runs; each run moves one pick's edge.
    Every sport's slate has the same player ids, on that sport's first stat. Each pick carries a
    posted price, a tier and a venue, as the signal does (names of a real player's length)."""
    out = []
    stat = sport_stat(sport)
    for i in range(n):
        bumps = (version - 1 - i) // n + 1 if version > i else 0  # run k bumps pick (k - 1) % n
        out.append(SignalRow(
            game_date, f"player{i:06d}", TEAMS[i % len(TEAMS)], TEAMS[(i + 1) % len(TEAMS)],
            "OVER" if i % 2 == 0 else "UNDER", 14.5 + i % 20, "catboost_v9", "v9",
            player_name=f"Bench Player {i:02d}", game_id=f"{game_date:%Y%m%d}_{i // 2:04d}",
            game_time=tip_off(game_date), edge=round(1.5 + 0.1 * (i % 30) + 0.001 * bumps, 4), rank=i + 1,
            angles=("pace up", "minutes trend"), stat=stat, sport=sport,
            odds_american=ODDS[i % len(ODDS)], tier=TIERS[i % len(TIERS)], home=i % 2 == 0,
        ))
    return out


def manual_payload(game_date: date, k: int) -> dict:
    """A manual-picks `add` message for a new player (so each one publishes)."""
    return {
        "request_id": f"bench-{uuid.uuid4().hex[:12]}", "action": "add",
        "submitted_at": format_instant(NOW - timedelta(hours=1) + timedelta(milliseconds=k)),
        "game_date": game_date.isoformat(), "player_lookup": f"manual{k:05d}", "stat": "PTS",
        "submitted_by": "bench", "player_name": f"Manual {k}", "team": "GSW", "opponent": "LAL",
        "direction": "OVER", "line": 12.5,
    }


def manual_command(game_date: date, k: int) -> ManualCommand:
    from picklock.validation import manual_command as parse

    return parse(manual_payload(game_date, k), "message")


class TickingClock:
    """Fixed start, one second further at each call: no two exports tie on exported_at."""

    def __init__(self, start: datetime = NOW):
        self.at = start

    def __call__(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


# --------------------------------------------------------------------------------------------
# Counting requests from the clients (requests response hooks on client._http)
# --------------------------------------------------------------------------------------------


def statement_kind(sql: str) -> str:
    word = re.match(r"\s*(\w+)", sql)
    return "read" if word and word.group(1).upper() in ("SELECT", "WITH") else "write"


class Traffic:
    """Counts BigQuery jobs (jobs.query / jobs.insert calls, read or write by their statement) and
    Cloud Storage requests (uploads by status, downloads) of the clients it is attached to."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.seconds: dict[str, list[float]] = {}

    def attach_bigquery(self, client) -> None:
        def hook(response, *args, **kwargs):
            request = response.request
            path = urlsplit(request.url).path
            if request.method == "POST" and path.endswith(("/queries", "/jobs")):
                body = json.loads(request.body or b"{}")
                sql = body.get("query") or body.get("configuration", {}).get("query", {}).get("query", "")
                kind = f"bq_{statement_kind(sql)}"
                self.counts[kind] += 1
                if path.endswith("/jobs"):  # jobs.insert: not the short-query path
                    self.counts["bq_jobs_insert"] += 1
                self.seconds.setdefault(kind, []).append(response.elapsed.total_seconds())
            return response

        # First: the emulator guard after it raises on a failed query, and that job counts too.
        client._http.hooks.setdefault("response", []).insert(0, hook)

    def attach_storage(self, client) -> None:
        def hook(response, *args, **kwargs):
            request = response.request
            path = urlsplit(request.url).path
            if request.method == "POST" and path.startswith("/upload/"):
                self.counts["gcs_write" if response.status_code < 300 else f"gcs_write_{response.status_code}"] += 1
            elif request.method == "GET" and path.startswith("/download/"):
                self.counts["gcs_read"] += 1
            self.seconds.setdefault("gcs", []).append(response.elapsed.total_seconds())
            return response

        client._http.hooks.setdefault("response", []).insert(0, hook)

    def snapshot(self) -> Counter[str]:
        return Counter(self.counts)

    def mark(self) -> dict[str, int]:
        return {kind: len(values) for kind, values in self.seconds.items()}

    def seconds_since(self, mark: dict[str, int]) -> dict[str, float]:
        """Wall time of the requests since `mark`, summed by kind (bq_read, bq_write, gcs)."""
        return {kind: sum(values[mark.get(kind, 0):]) for kind, values in self.seconds.items()}

    def since(self, before: Counter[str]) -> Counter[str]:
        after = self.snapshot()
        after.subtract(before)
        return +after


# --------------------------------------------------------------------------------------------
# Bytes processed: the emulator reports 0, so estimate them from the rows each statement scans
# --------------------------------------------------------------------------------------------

# BigQuery's documented logical sizes (on-demand query size calculation).
_FIXED_SIZES = {"INT64": 8, "FLOAT64": 8, "DATE": 8, "TIMESTAMP": 8, "BOOL": 1}


def value_bytes(column_type: str, value: Any) -> int:
    if value is None:
        return 0
    if column_type == "STRING":
        return 2 + len(value.encode("utf-8"))
    if column_type == "ARRAY<STRING>":
        return sum(2 + len(v.encode("utf-8")) for v in value)
    return _FIXED_SIZES[column_type]


def row_bytes(table: str, row: dict[str, Any]) -> int:
    schema = default_schema()[table]
    return sum(value_bytes(schema.column(name).type, value) for name, value in row.items())


def written_bytes(system: str, value: Any) -> int | None:
    """Estimated bytes of the rows an export inserted: picklock appends the changed picks' versions
    and an audit row; the naive export re-inserts every pick of the date and an audit row."""
    from picklock.domain.export import ExportPlan
    from picklock.domain.picks import LedgerRow

    plan = getattr(value, "plan", value)
    if not isinstance(plan, ExportPlan):
        return None
    if system == "picklock":
        ledger = plan.merge.ledger_rows
        audit = plan.audit
    else:
        ledger = [LedgerRow(p, "exported", plan.export_id, plan.audit[-1].exported_at) for p in plan.merge.picks]
        audit = plan.audit[-1:]
    return (sum(row_bytes(rows.LEDGER_TABLE, rows.ledger_to_row(r)) for r in ledger)
            + sum(row_bytes(rows.AUDIT_TABLE, rows.audit_to_row(a)) for a in audit))


def scan_bytes(client, dataset: str, table: str, columns: Sequence[str] | None,
               first: date, last: date, *, before_last: bool = False) -> tuple[int, int]:
    """(estimated bytes, rows) that a statement referencing `columns` of `table` scans over the
    partitions first..last (first..last - 1 with `before_last`). Read with an uncounted client;
    only for the estimate."""
    from google.cloud import bigquery

    schema = default_schema()[table]
    names = tuple(columns or schema.column_names)
    result = client.query_and_wait(
        f"SELECT {', '.join(names)} FROM `{dataset}.{table}` "
        f"WHERE game_date >= @first AND game_date {'<' if before_last else '<='} @last",
        job_config=bigquery.QueryJobConfig(query_parameters=[
            bigquery.ScalarQueryParameter("first", "DATE", first),
            bigquery.ScalarQueryParameter("last", "DATE", last)]))
    types = {name: schema.column(name).type for name in names}
    total = count = 0
    for row in result:
        count += 1
        total += sum(value_bytes(types[name], row[name]) for name in names)
    return total, count


# The columns of the audit table that the season part of the read references (the latest tally of
# each earlier date: ARRAY_AGG(tally ORDER BY exported_at DESC, export_id DESC) ... GROUP BY game_date).
SEASON_COLUMNS = ("game_date", "sport", "tally", "exported_at", "export_id")


def picklock_read_bytes(client, dataset: str, game_date: date, *, with_season: bool) -> dict[str, int]:
    """What BigQueryStore.export_inputs_sql references: every column of the date's signal, ledger,
    manual, results and closing partitions, the audit's export ids of the date, every partition of
    the halts table, and (for today) the audit columns of the season's earlier dates that hold
    their tallies."""
    date_part = 0
    for table in (rows.SIGNAL_TABLE, rows.LEDGER_TABLE, rows.MANUAL_TABLE, rows.RESULTS_TABLE, rows.CLOSING_TABLE):
        date_part += scan_bytes(client, dataset, table, None, game_date, game_date)[0]
    date_part += scan_bytes(client, dataset, rows.AUDIT_TABLE, ("game_date", "sport", "export_id"), game_date, game_date)[0]
    date_part += scan_bytes(client, dataset, rows.HALTS_TABLE, None, FIRST_DATE, game_date)[0]
    season_part, season_rows = (scan_bytes(client, dataset, rows.AUDIT_TABLE, SEASON_COLUMNS, NBA.season_start(game_date),
                                           game_date, before_last=True)
                                if with_season else (0, 0))
    return {"date": date_part, "season": season_part, "season_rows": season_rows}


def naive_bytes(client, dataset: str, game_date: date) -> dict[str, int]:
    """Three full-row reads of the date; a DELETE processes the filter column plus every column of
    the partition it rewrites; INSERTs of parameter values scan no table."""
    reads = sum(scan_bytes(client, dataset, t, None, game_date, game_date)[0]
                for t in (rows.SIGNAL_TABLE, rows.LEDGER_TABLE, rows.MANUAL_TABLE))
    ledger_partition = scan_bytes(client, dataset, rows.LEDGER_TABLE, None, game_date, game_date)
    delete = ledger_partition[0] + 8 * ledger_partition[1]
    return {"reads": reads, "delete": delete}


# --------------------------------------------------------------------------------------------
# Section: the pure core
# --------------------------------------------------------------------------------------------


def core_inputs(n: int):
    """A date with `n` published picks, the next signal run moving one of them, and the files the
    previous export wrote (so the merge, render, hashing and unchanged checks all do real work)."""
    signal = tuple(signal_rows(TODAY, 0, n))
    first = plan_export(sport=NBA, inputs=ExportInputs(MergeInputs(TODAY, signal)), date_file=None, all_json=None, now=NOW,
                        export_id=new_export_id("nba", TODAY, NOW, "core0000"), trigger="signal_updated")
    inputs = ExportInputs(MergeInputs(TODAY, tuple(signal_rows(TODAY, 1, n)), first.merge.ledger_rows),
                          audited_export_ids=frozenset({first.export_id}))
    return inputs, PublishedDocument.parse(first.date_text), PublishedDocument.parse(first.all_json_text)


def time_core(n: int, runs: int) -> dict[str, Any]:
    inputs, date_file, all_json = core_inputs(n)
    later = NOW + timedelta(minutes=5)
    export_id = new_export_id("nba", TODAY, later, "core0001")
    plan_times, merge_times, plan = [], [], None
    for _ in range(runs):
        started = time.perf_counter()
        plan = plan_export(sport=NBA, inputs=inputs, date_file=date_file, all_json=all_json, now=later, export_id=export_id,
                           trigger="signal_updated")
        plan_times.append(time.perf_counter() - started)
    merge_inputs = replace(inputs.merge, shown=tuple(date_file.picks()))
    for _ in range(max(3, runs // 2)):
        started = time.perf_counter()
        merge_and_lock(merge_inputs, now=later, export_id=export_id)
        merge_times.append(time.perf_counter() - started)
    assert plan.outcome == "published" and len(plan.merge.picks) == n, (plan.outcome, len(plan.merge.picks))
    return {"n": n, "runs": runs, "plan": median(plan_times), "merge": median(merge_times),
            "merge_runs": len(merge_times), "date_file_bytes": len(plan.date_text.encode("utf-8"))}


def bench_core(results: Results, sizes: Sequence[int]) -> list[dict]:
    runs_for = {10: 15, 100: 11, 1_000: 7, 10_000: 5, 100_000: 3}
    measured = []
    for n in sizes:
        log(f"core: {n:,} picks per date")
        m = time_core(n, runs_for.get(n, 3))
        measured.append(m)
        results.add("core", f"plan_export {n} picks", "picklock", m["plan"], "s", m["runs"],
                    "merge_and_lock + render + hashes + audit record, median")
        results.add("core", f"merge_and_lock {n} picks", "picklock", m["merge"], "s", m["merge_runs"], "median")
        results.add("core", f"per-date file {n} picks", "picklock", m["date_file_bytes"], "bytes")
    base = measured[0]
    body = [(f"{m['n']:,}", ms(m["plan"]), ms(m["merge"]), f"{m['plan'] / m['n'] * 1e6:,.0f} µs",
             f"{(m['plan'] / m['n']) / (base['plan'] / base['n']):.2f}", size(m["date_file_bytes"]), m["runs"])
            for m in measured]
    per_pick_bytes = measured[-1]["date_file_bytes"] / measured[-1]["n"]
    results.notes.append(
        f"The per-date file takes about {per_pick_bytes:,.0f} bytes per pick, so it passes 8 MiB (where "
        f"`upload_from_string` switches to resumable uploads, on which fake-gcs-server does not enforce "
        f"`if_generation_match`) at about {8 * 2**20 / per_pick_bytes:,.0f} picks per date. A real slate is ~10.")
    results.tables["core"] = table(
        ("picks per date", "plan_export (median)", "of which merge_and_lock", "per pick",
         f"per pick ÷ at {base['n']:,}", "per-date file", "runs"), body)
    return measured


# --------------------------------------------------------------------------------------------
# Section: cold start
# --------------------------------------------------------------------------------------------

_COLD_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
import main
t1 = time.perf_counter()
clients = ("google.cloud.bigquery", "google.cloud.storage", "google.cloud.pubsub_v1")
at_import = [m for m in clients if m in sys.modules]
if sys.argv[1] == "eager":
    import google.cloud.bigquery, google.cloud.storage, google.cloud.pubsub_v1
    print(json.dumps({"import": time.perf_counter() - t0}))
    sys.exit(0)
from picklock.entrypoints import functions
handlers = functions.handlers()
t2 = time.perf_counter()
at_first_message = [m for m in clients if m in sys.modules]
handlers.service.store.client
handlers.service.publisher.bucket
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first_message": t2 - t1, "clients": t3 - t2,
                  "at_import": at_import, "at_first_message": at_first_message,
                  "at_first_use": [m for m in clients if m in sys.modules]}))
"""


def parse_importtime(stderr: str) -> list[tuple[int, int, int, str]]:
    """(self µs, cumulative µs, depth, module) per line of `python -X importtime` output."""
    entries = []
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            entries.append((int(match.group(1)), int(match.group(2)), len(match.group(3)) // 2, match.group(4)))
    return entries


def top_level_after(entries, module: str) -> int:
    """Cumulative µs of the top-level imports that came after `module` (the lazy ones)."""
    names = [e[3] for e in entries]
    start = names.index(module) + 1
    return sum(e[1] for e in entries[start:] if e[2] == 0)


def cold_once(mode: str) -> dict:
    env = {**os.environ, "PICKLOCK_BACKEND": "gcp", "PICKLOCK_PROJECT": "bench-cold", "PICKLOCK_BUCKET": "bench-cold",
           "PICKLOCK_BIGQUERY_ENDPOINT": "http://127.0.0.1:9", "STORAGE_EMULATOR_HOST": "http://127.0.0.1:9",
           "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", _COLD_SCRIPT, mode], cwd=ROOT / "functions",
                          env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"cold start probe failed:\n{done.stderr[-3000:]}")
    entries = parse_importtime(done.stderr)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["main_us"] = next(e[1] for e in entries if e[3] == "main" and e[2] == 0)
    out["lazy_us"] = top_level_after(entries, "main")
    return out


def bench_cold(results: Results, runs: int) -> None:
    log(f"cold start: {runs} runs of python -X importtime")
    cold_once("lazy")  # compile and warm the page cache once, unmeasured
    lazy = [cold_once("lazy") for _ in range(runs)]
    eager = [cold_once("eager") for _ in range(runs)]
    main_import = median([r["main_us"] for r in lazy]) / 1e6
    lazy_imports = median([r["lazy_us"] for r in lazy]) / 1e6
    first_message = median([r["first_message"] for r in lazy])
    clients = median([r["clients"] for r in lazy])
    eager_import = median([r["main_us"] + r["lazy_us"] for r in eager]) / 1e6
    at_import = lazy[0]["at_import"]
    at_first = lazy[0]["at_first_message"]
    at_use = lazy[0]["at_first_use"]
    results.add("cold", "import functions/main.py (cumulative, -X importtime)", "picklock", main_import, "s", runs)
    results.add("cold", "import functions/main.py + client libraries", "baseline", eager_import, "s", runs,
                "eager: main + google.cloud.bigquery, storage, pubsub_v1 at module load")
    results.add("cold", "first message and first client use: lazy imports (cumulative)", "picklock", lazy_imports, "s", runs)
    results.add("cold", "first message: building the handlers (wall)", "picklock", first_message, "s", runs)
    results.add("cold", "first use: creating the BigQuery and Storage clients (wall)", "picklock", clients, "s", runs)
    shown = lambda mods: ", ".join(m.removeprefix("google.cloud.") for m in mods) or "none"  # noqa: E731
    results.tables["cold"] = table(
        ("step (median of %d runs)" % runs, "picklock (lazy clients)", "baseline: eager imports"),
        [("`import main` (functions/main.py; all three functions)", ms(main_import), ms(eager_import)),
         ("client libraries loaded by `import main`", shown(at_import), "bigquery, storage, pubsub_v1"),
         ("lazy imports on the first message and first client use (cumulative)", ms(lazy_imports), "(paid at import)"),
         ("first message: building the handlers (wall, incl. imports)", ms(first_message), ""),
         ("before the first export can start (import + first message)", ms(main_import + first_message),
          ms(eager_import) + " + handlers"),
         ("client libraries loaded after the first message", shown(at_first), ""),
         ("first BigQuery / Storage use: creating the clients (wall)", ms(clients), ""),
         ("client libraries loaded after first use", shown(at_use), "")])
    if "pubsub_v1" not in shown(at_use):
        results.notes.append("The Pub/Sub client library is never loaded on the export path: a function "
                             "imports it only to park a poison message.")


# --------------------------------------------------------------------------------------------
# Section: jobs, bytes and writes per export (in-process, on the emulators)
# --------------------------------------------------------------------------------------------


@dataclass
class Backends:
    project: str
    traffic: Traffic
    bq: Any  # counted BigQuery client
    gcs: Any  # counted Storage client
    plain_bq: Any  # uncounted: seeding and estimates only
    plain_gcs: Any

    @classmethod
    def create(cls, project: str) -> Backends:
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage

        from picklock.adapters.bigquery_store import make_client

        endpoint = os.environ["PICKLOCK_BIGQUERY_ENDPOINT"]
        traffic = Traffic()
        bq, gcs = make_client(project, endpoint=endpoint), storage.Client(project=project, credentials=AnonymousCredentials())
        traffic.attach_bigquery(bq)
        traffic.attach_storage(gcs)
        return cls(project, traffic, bq, gcs, make_client(project, endpoint=endpoint),
                   storage.Client(project=project, credentials=AnonymousCredentials()))

    def picklock(self, name: str):
        """A service on a fresh dataset and bucket, through the counted clients."""
        from picklock.adapters.bigquery_store import BigQueryStore
        from picklock.adapters.gcs_publisher import GcsPublisher
        from picklock.service_layer.services import PicklockService

        store = BigQueryStore(self.project, name, client=self.bq)
        store.create_tables()
        self.plain_gcs.create_bucket(name.replace("_", "-"))
        publisher = GcsPublisher(self.project, name.replace("_", "-"), client=self.gcs)
        return PicklockService(store, publisher, clock=TickingClock())

    def naive(self, name: str):
        from picklock.adapters.bigquery_store import BigQueryStore

        from bench_baseline import NaiveExporter

        store = BigQueryStore(self.project, name, client=self.plain_bq)  # upstream writes and seeding
        store.create_tables()
        self.plain_gcs.create_bucket(name.replace("_", "-"))
        exporter = NaiveExporter(self.bq, store.dataset, self.gcs.bucket(name.replace("_", "-")), clock=TickingClock())
        return exporter, store


def measure(traffic: Traffic, action: Callable[[], Any]) -> tuple[Counter[str], float, Any]:
    before = traffic.snapshot()
    started = time.perf_counter()
    value = action()
    return traffic.since(before), time.perf_counter() - started, value


def run_jobs_scenarios(backends: Backends, suffix: str, reps: int) -> dict[str, dict[str, Any]]:
    """The same story for both systems: first publish, `reps` signal changes, `reps` unchanged
    re-exports, and manual picks arriving as messages. Returns counts and times per scenario."""
    service = backends.picklock(f"bench_pk_{suffix}")
    naive, naive_store = backends.naive(f"bench_nv_{suffix}")
    store = service.store
    out: dict[str, dict[str, Any]] = {"picklock": {}, "baseline": {}}
    mismatches: list[str] = []
    version = 0
    for upstream in (store, naive_store):
        upstream.replace_signal(TODAY, signal_rows(TODAY, version))
        upstream.record_manual(manual_command(TODAY, 0))

    def scenario(system: str, name: str, action: Callable[[], Any], prepare: Callable[[], Any] | None = None):
        if prepare:
            prepare()
        jobs_before = Counter(store.jobs)
        counts, seconds, value = measure(backends.traffic, action)
        if system == "picklock":  # the store's own counter must agree with the HTTP count
            own = Counter(store.jobs)
            own.subtract(jobs_before)
            if (own["read"], own["write"]) != (counts["bq_read"], counts["bq_write"]):  # a retried call, say
                mismatches.append(f"{name}: store.jobs {own['read']}R/{own['write']}W, "
                                  f"on the wire {counts['bq_read']}R/{counts['bq_write']}W")
        entry = out[system].setdefault(name, {"counts": [], "seconds": [], "outcomes": [], "written": []})
        entry["counts"].append(counts)
        entry["seconds"].append(seconds)
        entry["written"].append(written_bytes(system, value))
        if value is not None and hasattr(value, "plan"):
            entry["outcomes"].append(value.plan.outcome)
        return value

    scenario("picklock", "first publish", lambda: service.export(TODAY, "signal_updated"))
    scenario("baseline", "first publish", lambda: naive.export(TODAY))
    bytes_estimates: dict[str, Any] = {}
    for rep in range(reps):
        version += 1
        v = version
        if rep == reps - 1:  # the state both read in the last measured run
            store.replace_signal(TODAY, signal_rows(TODAY, v))
            naive_store.replace_signal(TODAY, signal_rows(TODAY, v))
            bytes_estimates["picklock"] = picklock_read_bytes(backends.plain_bq, store.dataset, TODAY, with_season=True)
            bytes_estimates["baseline"] = naive_bytes(backends.plain_bq, naive_store.dataset, TODAY)
        scenario("picklock", "signal changed", lambda: service.export(TODAY, "signal_updated"),
                 prepare=lambda: store.replace_signal(TODAY, signal_rows(TODAY, v)))
        scenario("baseline", "signal changed", lambda: naive.export(TODAY),
                 prepare=lambda: naive_store.replace_signal(TODAY, signal_rows(TODAY, v)))
    for _ in range(reps):
        scenario("picklock", "unchanged inputs", lambda: service.export(TODAY, "signal_updated"))
        scenario("baseline", "unchanged inputs", lambda: naive.export(TODAY))
    for k in range(1, max(2, reps // 2) + 1):
        command = manual_command(TODAY, k)
        scenario("picklock", "manual pick message",
                 lambda: (service.submit_manual(command, check=False), service.export(TODAY, "manual"))[1])
        scenario("baseline", "manual pick message", lambda: (naive.record_manual(command), naive.export(TODAY, "manual"))[1])
    out["bytes"] = bytes_estimates
    out["mismatches"] = mismatches
    return out


def bench_jobs(results: Results, backends: Backends, reps: int) -> dict:
    log(f"jobs: picklock and the naive baseline, {reps} runs per scenario")
    load = f"load average {os.getloadavg()[0]:.2f} at the start"
    measured = run_jobs_scenarios(backends, uuid.uuid4().hex[:6], reps)
    load += f", {os.getloadavg()[0]:.2f} at the end"
    for mismatch in measured["mismatches"]:
        results.notes.append(f"jobs: picklock's own counter and the HTTP count disagree ({mismatch}).")
    body = []

    def per_export(system: str, scenario: str, key: str) -> float:
        values = [c[key] for c in measured[system][scenario]["counts"]]
        if len(set(values)) != 1:
            results.notes.append(f"{system} / {scenario}: {key} varied between runs: {values}")
        return median(values)

    for scenario in ("signal changed", "unchanged inputs", "manual pick message"):
        outcomes = Counter(measured["picklock"][scenario]["outcomes"])
        for key, label in (("bq_read", "BigQuery read jobs"), ("bq_write", "BigQuery write jobs"),
                           ("gcs_write", "Cloud Storage writes")):
            p, b = per_export("picklock", scenario, key), per_export("baseline", scenario, key)
            n = len(measured["picklock"][scenario]["counts"])
            results.add("jobs", f"{label} per export, {scenario}", "picklock", p, "count", n,
                        "picklock outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
            results.add("jobs", f"{label} per export, {scenario}", "baseline", b, "count", n)
            body.append((scenario, label, f"{p:g}", f"{b:g}", ratio(b, p)))
        p_written = median(measured["picklock"][scenario]["written"])
        b_written = median(measured["baseline"][scenario]["written"])
        results.add("jobs", f"est. bytes inserted per export, {scenario}", "picklock", p_written, "bytes", n,
                    "ledger versions of changed picks + audit row")
        results.add("jobs", f"est. bytes inserted per export, {scenario}", "baseline", b_written, "bytes", n,
                    "every pick of the date (after a DELETE of them) + audit row")
        body.append((scenario, "est. bytes inserted (ledger + audit rows)", size(p_written), size(b_written),
                     ratio(b_written, p_written)))
        p_time = median(measured["picklock"][scenario]["seconds"])
        b_time = median(measured["baseline"][scenario]["seconds"])
        results.add("jobs", f"wall time per export, {scenario}", "picklock", p_time, "s", n, "median, in-process on the emulators")
        results.add("jobs", f"wall time per export, {scenario}", "baseline", b_time, "s", n, "median, in-process on the emulators")
        body.append((scenario, f"wall time (median of {n}, emulators)", ms(p_time), ms(b_time), ratio(b_time, p_time)))
    est = measured["bytes"]
    p_bytes = est["picklock"]["date"] + est["picklock"]["season"]
    b_bytes = est["baseline"]["reads"] + est["baseline"]["delete"]
    results.add("jobs", "bytes processed reported by the emulator", "picklock", None, "bytes", note="n/a: bqemulator reports 0")
    results.add("jobs", "estimated bytes processed per export, signal changed", "picklock", p_bytes, "bytes",
                note=f"read: date partitions {est['picklock']['date']} + season tallies {est['picklock']['season']}; inserts 0")
    results.add("jobs", "estimated bytes processed per export, signal changed", "baseline", b_bytes, "bytes",
                note=f"3 reads {est['baseline']['reads']} + DELETE {est['baseline']['delete']}; inserts 0")
    body.insert(3, ("signal changed", "est. bytes processed (logical; emulator reports 0)",
                    f"{size(p_bytes)} (season part {size(est['picklock']['season'])})", size(b_bytes), ratio(b_bytes, p_bytes)))
    results.tables["jobs"] = table(("export", "measure", "picklock", "naive baseline", "baseline ÷ picklock"), body)
    results.tables["jobs"] += f"\n\nMachine during this section: {load}."
    changed = measured["picklock"]["signal changed"]["counts"]
    unchanged = measured["picklock"]["unchanged inputs"]["counts"]
    inserts = sum(c["bq_jobs_insert"] for s in measured["picklock"].values() for c in s["counts"])
    worst = lambda runs, key: max(c[key] for c in runs)  # noqa: E731
    results.add("budget", "jobs.insert calls (all picklock scenarios)", "picklock", inserts, "count")
    results.budget = [
        ("BigQuery read jobs per export", "≤ 1", worst(changed + unchanged, "bq_read")),
        ("BigQuery write jobs per export", "≤ 2", worst(changed + unchanged, "bq_write")),
        ("Cloud Storage writes, export with unchanged inputs", "0", worst(unchanged, "gcs_write")),
        ("statements on the short-query path (`query_and_wait`, job creation optional): `jobs.insert` calls", "0", inserts),
    ]
    audit_share = [w for w in measured["picklock"]["unchanged inputs"]["written"] if w]
    if audit_share:
        results.notes.append(
            f"An unchanged export writes no file but still inserts its audit row, about {size(median(audit_share))} "
            "at 10 picks: the row carries the full per-date document (G4). A burst of unchanged triggers grows the "
            "audit table by that much per message.")
    return measured


# --------------------------------------------------------------------------------------------
# Section: history length
# --------------------------------------------------------------------------------------------


def history(days: int, *, picks: int = PICKS_PER_DAY, sport: str = "nba"):
    """Ledger rows and audit records of `days` past game dates of `sport`, made by the pure core as
    the functions would have: a first publish, a signal refresh, then grading the next morning
    (with the closing lines). Each day's exports see the season's earlier days as the store would
    hand them over (the latest tally of each date), so every audit row carries the day's real tally
    and, where the export wrote all.json, the season-long all.json of that day.
    Cached: the same history seeds several stores."""
    ledger, audit = _history(days, picks, sport)
    return list(ledger), list(audit)


def closing_lines(game_date: date, picks: int, sport: str = "nba") -> tuple[ClosingLine, ...]:
    """The market's last line before tip-off: half a point either way (CLV of +-0.5), or unmoved."""
    stat = sport_stat(sport)
    return tuple(ClosingLine(game_date, f"player{i:06d}", stat, 14.5 + i % 20 + (0.5, -0.5, 0.0)[i % 3],
                             tip_off(game_date) - timedelta(minutes=5), ODDS[(i + 1) % len(ODDS)], sport=sport)
                 for i in range(picks))


@functools.lru_cache(maxsize=None)
def _history(days: int, picks: int, sport: str):
    spec, stat = SPORTS.get(sport), sport_stat(sport)
    ledger, audit = [], []
    tallies: dict[date, DayTally] = {}  # the latest tally of each past date, as the audit table holds it
    for back in range(days, 0, -1):
        d = TODAY - timedelta(days=back)
        start = spec.season_start(d)
        season = tuple(tally for day, tally in sorted(tallies.items()) if start <= day < d)
        t1, t2, t3 = (datetime.combine(d, clock_time(h), tzinfo=timezone.utc) for h in (16, 20, 23))
        graded_at = t3 + timedelta(hours=9)  # 04:00 in New York the next day
        runs = [(signal_rows(d, 0, picks, sport), (), (), t1, "signal_updated"),
                (signal_rows(d, picks, picks, sport), (), (), t2, "signal_updated"),
                (signal_rows(d, picks, picks, sport),
                 tuple(GameResult(d, f"player{i:06d}", stat, 14.5 + i % 20 + (3 if i % 3 else -3) if i % 7 else None,
                                  sport=sport)
                       for i in range(picks)), closing_lines(d, picks, sport), graded_at, "post_grading")]
        day_ledger, date_file, all_json, audited = [], None, None, set()
        for signal, results, closes, now, trigger in runs:
            plan = plan_export(sport=spec, inputs=
                ExportInputs(MergeInputs(d, tuple(signal), tuple(day_ledger), (), results, sport=sport, closing=closes),
                             season_tallies=season, audited_export_ids=frozenset(audited)),
                date_file=date_file, all_json=all_json, now=now,
                export_id=new_export_id(sport, d, now, f"hist{len(audit):04d}"), trigger=trigger)
            day_ledger += plan.merge.ledger_rows
            audit += plan.audit
            audited |= {r.export_id for r in plan.audit}
            date_file = PublishedDocument.parse(plan.date_text) if plan.date_text else date_file
            all_json = PublishedDocument.parse(plan.all_json_text) if plan.all_json_text else all_json
        tallies[d] = DayTally.from_text(audit[-1].tally)
        ledger += day_ledger
    return tuple(ledger), tuple(audit)


def seed_history(store, days: int, chunk_days: int = 30, *, picks: int = PICKS_PER_DAY,
                 sport: str = "nba") -> tuple[int, int]:
    ledger, audit = history(days, picks=picks, sport=sport)
    return append_by_days(store, ledger, audit, days, chunk_days)


AUDIT_CHUNK_BYTES = 4_000_000  # per insert job: audit rows carry all.json (up to ~150 kB each)
LEDGER_CHUNK_ROWS = 300  # per insert job: a bigger DML insert can pass the store's 10 s call limit on the emulator


def append_by_days(store, ledger: Sequence, audit: Sequence, days: int, chunk_days: int = 30) -> tuple[int, int]:
    """Ledger rows of `days` game dates, appended `chunk_days` dates (at most LEDGER_CHUNK_ROWS rows)
    per job; audit records in jobs of `chunk_days` dates or AUDIT_CHUNK_BYTES of documents,
    whichever is smaller."""
    per_day_ledger = max(1, len(ledger) // max(days, 1))
    per_day_audit = max(1, len(audit) // max(days, 1))
    step = max(1, min(chunk_days * per_day_ledger, LEDGER_CHUNK_ROWS))
    for i in range(0, len(ledger), step):
        store.append_ledger(ledger[i:i + step])
    chunk: list = []
    weight = 0
    for record in audit:
        size_of = len(record.document) + len(record.all_json_document or "") + len(record.tally or "")
        if chunk and (len(chunk) >= chunk_days * per_day_audit or weight + size_of > AUDIT_CHUNK_BYTES):
            store.append_audit(chunk)
            chunk, weight = [], 0
        chunk.append(record)
        weight += size_of
    if chunk:
        store.append_audit(chunk)
    return len(ledger), len(audit)


HISTORY_LENGTHS = (1, 56, 180, 365)  # 56: 8 weeks, from where all.json has its full shape (WEEKS_SHOWN)
RATIO_TARGET = 1.25  # export of today with a year of history ÷ with 1 day (issue "The public record")
NAIVE_TARGET = 1.0  # picklock's changed export ÷ the naive baseline's, on the emulators at 180 days
ALL_JSON_TARGET = 200_000  # bytes of all.json after a 200-day season with 15 picks a day
ALL_JSON_SEASON = (200, 15)  # days, picks a day


def season_audit_rows(days: int, picks: int = PICKS_PER_DAY) -> int:
    """Audit rows of the season's earlier dates in a store seeded with `days` of history: the rows
    the season part of the read visits to keep the latest tally of each date."""
    start = NBA.season_start(TODAY)
    return sum(start <= record.game_date < TODAY for record in history(days, picks=picks)[1])


def run_history(make_service: Callable[[int], Any], lengths: Sequence[int], reps: int, *,
                traffic: Traffic | None = None, make_naive: Callable[[int], tuple[Any, Any]] | None = None
                ) -> dict[int, dict[str, Any]]:
    """NBA's export of today on one store per history length (and, with `make_naive`, the naive
    baseline on its own tables holding the same history). Every store is seeded first; then `reps`
    rounds of a changed export on each store (the order of the stores rotates each round, picklock
    and the baseline alternate), `reps` unchanged exports, and `reps` reads alone with and without
    the season part, so every length sees the same machine."""
    traffic = traffic or Traffic()  # nothing attached (SQLite): the counts stay empty
    out: dict[int, dict[str, Any]] = {}
    for days in lengths:
        log(f"history: seeding {days} day(s) of history")
        service = make_service(days)
        seeded = seed_history(service.store, days)
        service.store.replace_signal(TODAY, signal_rows(TODAY, 0))
        first = service.export(TODAY, "signal_updated")
        assert first.plan.outcome == "published", first.plan.outcome
        m = {"days": days, "service": service, "ledger_rows": seeded[0], "audit_rows": seeded[1],
             "season_audit_rows": season_audit_rows(days),
             "seconds": {"changed": [], "unchanged": [], "naive": [], "read_with": [], "read_without": [], "plan": []},
             "counts": {"changed": [], "unchanged": [], "naive": []}, "outcomes": Counter(), "mismatches": [],
             "requests": {"changed": [], "unchanged": [], "naive": []}}
        if make_naive is not None:
            naive, naive_store = make_naive(days)
            ledger, audit = history(days)
            append_by_days(naive_store, ledger, audit, days)
            naive_store.replace_signal(TODAY, signal_rows(TODAY, 0))
            naive.export(TODAY)
            m["naive"], m["naive_store"] = naive, naive_store
        out[days] = m

    def rotated(rep: int) -> list[int]:
        k = rep % len(lengths)
        return list(lengths[k:]) + list(lengths[:k])

    def picklock_export(m: dict[str, Any], kind: str) -> None:
        store = m["service"].store
        jobs_before = Counter(getattr(store, "jobs", {}))
        mark = traffic.mark()
        counts, seconds, report = measure(traffic, lambda: m["service"].export(TODAY, "signal_updated"))
        m["requests"][kind].append(traffic.seconds_since(mark))
        if hasattr(store, "jobs"):  # BigQueryStore counts its own jobs: it must agree with the wire
            own = Counter(store.jobs)
            own.subtract(jobs_before)
            if (own["read"], own["write"]) != (counts["bq_read"], counts["bq_write"]):
                m["mismatches"].append(f"{kind}: store.jobs {own['read']}R/{own['write']}W, "
                                       f"on the wire {counts['bq_read']}R/{counts['bq_write']}W")
            counts["store_read"], counts["store_write"] = own["read"], own["write"]
        m["seconds"][kind].append(seconds)
        m["counts"][kind].append(counts)
        m["outcomes"][f"{kind}: {report.plan.outcome}"] += 1
        if report.plan.all_json_text is not None:
            m["all_json_bytes"] = len(report.plan.all_json_text.encode("utf-8"))
            m["audit_row_bytes"] = row_bytes(rows.AUDIT_TABLE, rows.audit_to_row(report.plan.audit[-1]))

    def naive_export(m: dict[str, Any]) -> None:
        mark = traffic.mark()
        counts, seconds, _ = measure(traffic, lambda: m["naive"].export(TODAY))
        m["requests"]["naive"].append(traffic.seconds_since(mark))
        m["seconds"]["naive"].append(seconds)
        m["counts"]["naive"].append(counts)

    log(f"history: {reps} rounds of a changed export of today on each store, interleaved")
    for rep in range(reps):
        for days in rotated(rep):
            m = out[days]
            m["service"].store.replace_signal(TODAY, signal_rows(TODAY, rep + 1))
            if "naive" in m:
                m["naive_store"].replace_signal(TODAY, signal_rows(TODAY, rep + 1))
                steps = [lambda: picklock_export(m, "changed"), lambda: naive_export(m)]
                for step in steps[::1 if rep % 2 == 0 else -1]:
                    step()
            else:
                picklock_export(m, "changed")
    for rep in range(reps):
        for days in rotated(rep):
            picklock_export(out[days], "unchanged")
    for rep in range(reps):
        for days in rotated(rep):
            m = out[days]
            store = m["service"].store
            _, seconds, inputs = measure(traffic, lambda: store.load_export_inputs(
                TODAY, season_from=NBA.season_start(TODAY)))
            m["seconds"]["read_with"].append(seconds)
            m["season_days"] = len(inputs.season_tallies)
            m["season_picks"] = sum(len(t.picks) for t in inputs.season_tallies)
            _, seconds, _ = measure(traffic, lambda: store.load_export_inputs(TODAY))
            m["seconds"]["read_without"].append(seconds)
            # The pure part of the export on what the read returned (record, render, hashes, audit).
            publisher = m["service"].publisher
            date_file = PublishedDocument.parse(publisher.read(NBA.date_file_name(TODAY))[0])
            all_json = PublishedDocument.parse(publisher.read(ALL_JSON)[0])
            started = time.perf_counter()
            plan_export(inputs, sport=NBA, date_file=date_file, all_json=all_json, now=NOW + timedelta(hours=1),
                        export_id=new_export_id("nba", TODAY, NOW, "plan0000"), trigger="signal_updated")
            m["seconds"]["plan"].append(time.perf_counter() - started)
    for m in out.values():
        m.pop("service")
        m.pop("naive", None)
        m.pop("naive_store", None)
    return out


def bench_history_sqlite(lengths: Sequence[int], reps: int) -> dict[str, Any]:
    """The history section on the embedded backend (SqliteStore + LocalPublisher in a temporary
    home), before the emulators start."""
    import tempfile

    from picklock.adapters.local_publisher import LocalPublisher
    from picklock.adapters.sqlite_store import SqliteStore
    from picklock.service_layer.services import PicklockService

    load = f"load average {os.getloadavg()[0]:.2f} at the start"
    with tempfile.TemporaryDirectory(prefix="picklock-bench-history-") as tmp:
        def make(days: int):
            home = Path(tmp) / f"h{days}"
            return PicklockService(SqliteStore(home / "picklock.sqlite3"), LocalPublisher(home / "bucket"),
                                   clock=TickingClock())

        measured = run_history(make, lengths, reps)
        for days, m in measured.items():
            m["file_bytes"] = (Path(tmp) / f"h{days}" / "picklock.sqlite3").stat().st_size
        measured_tallies = sqlite_tally_query(Path(tmp) / f"h{max(lengths)}" / "picklock.sqlite3")
    return {"lengths": measured, "load": load + f", {os.getloadavg()[0]:.2f} at the end", "tally_query": measured_tallies}


def sqlite_tally_query(path: Path, runs: int = 7) -> dict[str, Any]:
    """How SQLite runs SqliteStore's season read (_LATEST_TALLIES), and its time alone: the SQL,
    then the SQL plus DayTally.from_text on every row."""
    import sqlite3

    from picklock.adapters import sqlite_store

    parameters = ("nba", NBA.season_start(TODAY).isoformat(), TODAY.isoformat())
    with contextlib.closing(sqlite3.connect(path)) as connection:
        plan = "; ".join(row[-1] for row in connection.execute(
            "EXPLAIN QUERY PLAN " + sqlite_store._LATEST_TALLIES, parameters).fetchall())
        sql, decoded = [], []
        for _ in range(runs):
            started = time.perf_counter()
            found = connection.execute(sqlite_store._LATEST_TALLIES, parameters).fetchall()
            middle = time.perf_counter()
            [DayTally.from_text(text) for (text,) in found]
            sql.append(middle - started)
            decoded.append(time.perf_counter() - middle)
    return {"plan": plan, "sql": median(sql), "decode": median(decoded), "rows": len(found)}


def bench_history_bigquery(backends: Backends, lengths: Sequence[int], reps: int) -> dict[str, Any]:
    """The history section on the BigQuery + Cloud Storage emulators, picklock next to the naive
    baseline (each on its own tables holding the same history), through the counted clients."""
    tag = uuid.uuid4().hex[:6]
    load = f"load average {os.getloadavg()[0]:.2f} at the start"
    services: dict[int, Any] = {}

    def make(days: int):
        services[days] = backends.picklock(f"bench_h{days}_{tag}")
        return services[days]

    measured = run_history(make, lengths, reps, traffic=backends.traffic,
                           make_naive=lambda days: backends.naive(f"bench_hn{days}_{tag}"))
    for days, m in measured.items():
        m["bytes"] = picklock_read_bytes(backends.plain_bq, services[days].store.dataset, TODAY, with_season=True)
    return {"lengths": measured, "load": load + f", {os.getloadavg()[0]:.2f} at the end"}


def bench_all_json_size(days: int, picks: int) -> dict[str, Any]:
    """all.json after a `days`-day season with `picks` picks a day: seeded on SQLite, then today's
    export (a real one, through the store's read of the tallies), and the published file's size."""
    import tempfile

    from picklock.adapters.local_publisher import LocalPublisher
    from picklock.adapters.sqlite_store import SqliteStore
    from picklock.service_layer.services import PicklockService

    log(f"all.json: a {days}-day season with {picks} picks a day")
    with tempfile.TemporaryDirectory(prefix="picklock-bench-all-json-") as tmp:
        service = PicklockService(SqliteStore(Path(tmp) / "picklock.sqlite3"), LocalPublisher(Path(tmp) / "bucket"),
                                  clock=TickingClock())
        seed_history(service.store, days, picks=picks)
        service.store.replace_signal(TODAY, signal_rows(TODAY, 0, picks))
        report = service.export(TODAY, "signal_updated")
        text, _ = service.publisher.read(ALL_JSON)
    data = json.loads(text)
    parts = {key: len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
             for key, value in data.items()}
    weeks = data.get("weeks", [])
    return {"days": days, "picks": picks, "bytes": len(text.encode("utf-8")), "parts": parts,
            "season_days": sum(1 for _ in data.get("record", {}).get("by_day", [])),
            "weeks": len(weeks), "week_days": sum(len(w["days"]) for w in weeks),
            "outcome": report.plan.outcome}


VERIFY_SEASON = (200, 15)  # days, picks a day
VERIFY_TARGET_SECONDS = 10.0


def bench_verify(results: Results, days: int, picks: int, runs: int = 3) -> None:
    """`picklock verify` over a season of local files: every export of every day through the
    service (the per-date versions, snapshots, indexes and all.json a real season leaves), then
    the whole season verified `runs` times, as any reader would from the bucket directory."""
    import tempfile

    from picklock.adapters.http_files import BucketFiles
    from picklock.adapters.local_publisher import LocalPublisher
    from picklock.adapters.sqlite_store import SqliteStore
    from picklock.domain.picks import GameResult
    from picklock.service_layer.services import PicklockService
    from picklock.service_layer.verification import verify

    log(f"verify: a {days}-day season with {picks} picks a day, exported day by day")
    first = TODAY - timedelta(days=days)  # the last day's grading runs on TODAY, still in the season
    with tempfile.TemporaryDirectory(prefix="picklock-bench-verify-") as tmp:
        clock = TickingClock()
        service = PicklockService(SqliteStore(Path(tmp) / "picklock.sqlite3"), LocalPublisher(Path(tmp) / "bucket"),
                                  clock=clock)
        for n in range(days):
            day = first + timedelta(days=n)
            clock.at = datetime(day.year, day.month, day.day, 16, tzinfo=timezone.utc)
            service.store.replace_signal(day, signal_rows(day, 0, picks))
            service.export(day, "signal_updated")
            clock.at += timedelta(hours=22)  # the next morning, after the games
            service.store.replace_results(day, [GameResult(day, row.player_lookup, row.stat, row.line + (1 if i % 3 else -1))
                                                for i, row in enumerate(signal_rows(day, 0, picks))])
            service.grade(day)
        files = BucketFiles(LocalPublisher(Path(tmp) / "bucket"))
        seconds, report = [], None
        for _ in range(runs):
            started = time.perf_counter()
            report = verify(files, NBA)
            seconds.append(time.perf_counter() - started)
    assert report is not None and report.ok, report.summary()
    results.add("verify", f"picklock verify, {days}-day season of local files ({report.versions} versions, "
                          f"{report.picks} picks)", "picklock", median(seconds), "s", runs, "median")
    results.targets.append((f"verify a {days}-day season of local files, {picks} picks a day",
                            f"{median(seconds):.2f} s ({report.dates} dates, {report.versions} versions)",
                            f"≤ {VERIFY_TARGET_SECONDS:g} s", verdict(median(seconds), VERIFY_TARGET_SECONDS)))


def verdict(value: float | None, limit: float) -> str:
    return "n/a" if value is None else "PASS" if value <= limit else "FAIL"


def report_history(results: Results, measured: dict[str, dict[str, Any]], all_json: dict[str, Any] | None) -> list[dict]:
    """One table for both stores (keys "SQLite", "BigQuery emulator"), the targets, the budget
    line and notes. Returns the emulator's rows for the chart."""
    body, loads, chart = [], [], []
    for backend, section in measured.items():
        lengths = section["lengths"]
        first = lengths[min(lengths)]
        base = median(first["seconds"]["changed"])
        for days, m in sorted(lengths.items()):
            s = {k: median(v) if v else None for k, v in m["seconds"].items()}
            jobs = ""
            if any(m["counts"]["changed"]):
                jobs = " · ".join(f"{median([c['bq_read'] for c in m['counts'][k]]):g}R/"
                                  f"{median([c['bq_write'] for c in m['counts'][k]]):g}W" for k in ("changed", "unchanged"))
            naive = s["naive"]
            paired_naive = (median([p / n for p, n in zip(m["seconds"]["changed"], m["seconds"]["naive"])])
                            if m["seconds"]["naive"] else None)
            est = m.get("bytes")
            body.append((
                backend, days, f"{m['ledger_rows']:,} / {m['audit_rows']:,}",
                f"{m['season_audit_rows']:,} → {m['season_days']}", jobs or "—",
                ms(s["changed"]), ms(s["read_with"]), ms(s["read_without"]), ms(s["plan"]), size(m.get("all_json_bytes")),
                f"{size(est['date'])} · {size(est['season'])}" if est else "—",
                ms(naive) if naive is not None else "—",
                f"{s['changed'] / naive:.2f} (paired {paired_naive:.2f})" if naive else "—",
                f"**{s['changed'] / base:.2f}**"))
            for metric, value, unit in (
                    ("export of today, signal changed: wall time", s["changed"], "s"),
                    ("export of today, unchanged inputs: wall time", s["unchanged"], "s"),
                    ("read with the season (latest tally per date)", s["read_with"], "s"),
                    ("read without the season", s["read_without"], "s"),
                    ("plan_export on the inputs read (pure)", s["plan"], "s"),
                    ("naive baseline export, signal changed: wall time", naive, "s"),
                    ("season days read (tallies)", m["season_days"], "days"),
                    ("audit rows of the season's earlier dates", m["season_audit_rows"], "rows"),
                    ("all.json", m.get("all_json_bytes"), "bytes"),
                    ("audit row of a changed export (est. logical bytes)", m.get("audit_row_bytes"), "bytes"),
                    ("est. bytes: date partitions", est["date"] if est else None, "bytes"),
                    ("est. bytes: season part (audit: game_date, sport, tally, exported_at, export_id)",
                     est["season"] if est else None, "bytes"),
                    ("export ÷ at 1 day", s["changed"] / base, "ratio")):
                if value is not None:
                    results.add("history", f"{backend}: {metric}, {days} days", "picklock", value, unit,
                                len(m["seconds"]["changed"]))
            if m["mismatches"]:
                results.notes.append(f"history / {backend} / {days} days: store.jobs and the wire disagree: "
                                     + "; ".join(m["mismatches"]))
            expected = {"changed: published": len(m["seconds"]["changed"]),
                        "unchanged: unchanged": len(m["seconds"]["unchanged"])}
            if dict(m["outcomes"]) != expected:
                results.notes.append(f"history / {backend} / {days} days: unexpected outcomes {dict(m['outcomes'])}")
            if backend != "SQLite":
                chart.append({"days": days, "export": s["changed"], "read_with": s["read_with"],
                              "read_without": s["read_without"], "naive": naive,
                              "bytes_season": est["season"] if est else 0, "bytes_date": est["date"] if est else 0})
        loads.append(f"{backend}: {section['load']}")
        results.machine.append(f"history on {backend}: {section['load']}")

        # Targets: a year of history vs a day, per store; the emulators vs the naive baseline at 180 days.
        longest = lengths[max(lengths)]
        if len(lengths) > 1:
            value = median(longest["seconds"]["changed"]) / base
            paired = median([y / x for x, y in zip(first["seconds"]["changed"], longest["seconds"]["changed"])])
            results.targets.append((
                f"{backend}: export of today (signal changed), {longest['days']} days of history ÷ 1 day",
                f"{value:.2f}× (paired {paired:.2f}×; {ms(median(longest['seconds']['changed']))} vs {ms(base)})",
                f"≤ {RATIO_TARGET:g}×", verdict(value, RATIO_TARGET)))
        at = [d for d in lengths if d <= 180 and lengths[d]["seconds"]["naive"]]
        if at:
            m = lengths[max(at)]
            p, n = median(m["seconds"]["changed"]), median(m["seconds"]["naive"])
            paired = median([x / y for x, y in zip(m["seconds"]["changed"], m["seconds"]["naive"])])
            results.targets.append((
                f"{backend}: changed export at {m['days']} days of history, picklock ÷ naive baseline",
                f"{p / n:.2f}× (paired {paired:.2f}×; {ms(p)} vs {ms(n)})", f"≤ {NAIVE_TARGET:g}×",
                verdict(p / n, NAIVE_TARGET)))
        if any(c for m in lengths.values() for c in m["counts"]["changed"]):
            worst_read = max(c["bq_read"] for m in lengths.values() for k in ("changed", "unchanged") for c in m["counts"][k])
            worst_write = max(c["bq_write"] for m in lengths.values() for k in ("changed", "unchanged") for c in m["counts"][k])
            agree = not any(m["mismatches"] for m in lengths.values())
            results.targets.append((
                f"{backend}: BigQuery jobs per export (changed and unchanged, every history length; "
                "`BigQueryStore.jobs` checked against the wire)",
                f"≤ {worst_read}R/{worst_write}W" + ("" if agree else " (store.jobs disagrees with the wire)"),
                "1 read, ≤ 2 writes", "PASS" if worst_read == 1 and worst_write <= 2 and agree else "FAIL"))
            results.budget.append((
                f"cost flat in history length ({', '.join(str(d) for d in sorted(lengths))} days): jobs; est. bytes "
                "of the date partitions; of the season part (one tally per earlier date)", "flat; season part small",
                "jobs " + " · ".join(f"{median([c['bq_read'] for c in m['counts']['changed']]):g}R/"
                                     f"{median([c['bq_write'] for c in m['counts']['changed']]):g}W"
                                     for _, m in sorted(lengths.items()))
                + "; date partitions " + " · ".join(size(m["bytes"]["date"]) for _, m in sorted(lengths.items()))
                + "; season part " + " · ".join(size(m["bytes"]["season"]) for _, m in sorted(lengths.items()))))
        if "tally_query" in section:
            q = section["tally_query"]
            results.notes.append(
                f"history / SQLite: the season read (`_LATEST_TALLIES`, {q['rows']} dates) runs as `{q['plan']}`; "
                f"at {longest['days']} days it takes {ms(q['sql'])} in SQL and {ms(q['decode'])} to decode the tallies "
                f"(median of 7, the read alone on the store's file).")
        full = [d for d in lengths if d >= 56 and d != longest["days"]]
        if full:
            m56 = lengths[min(full)]
            results.notes.append(
                f"history / {backend}: {longest['days']} days ÷ {m56['days']} days (all.json at its full shape in "
                f"both: {size(m56.get('all_json_bytes'))} and {size(longest.get('all_json_bytes'))}): "
                f"{median(longest['seconds']['changed']) / median(m56['seconds']['changed']):.2f}×.")
        if len(lengths) > 1:
            s1 = {k: median(v) for k, v in first["seconds"].items() if v}
            sn = {k: median(v) for k, v in longest["seconds"].items() if v}
            extra = sn["changed"] - s1["changed"]
            season_read = (sn["read_with"] - sn["read_without"]) - (s1["read_with"] - s1["read_without"])
            plan_extra = sn["plan"] - s1["plan"]
            results.notes.append(
                f"history / {backend}: from 1 to {longest['days']} days the changed export grows by {ms(extra)} "
                f"({ms(s1['changed'])} → {ms(sn['changed'])}): the season part of the read by {ms(season_read)} "
                f"({longest['season_days']} tallies, {longest['season_picks']:,} picks), the pure plan (record, "
                f"render, hashes) by {ms(plan_extra)}, the rest (writes: all.json {size(first.get('all_json_bytes'))} → "
                f"{size(longest.get('all_json_bytes'))}, its audit row {size(first.get('audit_row_bytes'))} → "
                f"{size(longest.get('audit_row_bytes'))}) by {ms(extra - season_read - plan_extra)}.")
    split_body = []
    for backend, section in measured.items():
        for days, m in sorted(section["lengths"].items()):
            if not any(r for r in m["requests"]["changed"]):
                continue
            for system, kind in (("picklock", "changed"), ("naive baseline", "naive")):
                spent = m["requests"][kind]
                if not spent:
                    continue
                part = {key: median([r.get(key, 0.0) for r in spent]) for key in ("bq_read", "bq_write", "gcs")}
                total = median(m["seconds"][kind])
                rest = median([seconds - sum(r.get(key, 0.0) for key in ("bq_read", "bq_write", "gcs"))
                               for seconds, r in zip(m["seconds"][kind], spent)])  # per export, then the median
                split_body.append((backend, days, system, ms(total), ms(part["bq_read"]), ms(part["bq_write"]),
                                   ms(part["gcs"]), ms(rest)))
                for key, label in (("bq_read", "BigQuery read jobs"), ("bq_write", "BigQuery write jobs"),
                                   ("gcs", "Cloud Storage requests")):
                    results.add("history", f"{backend}: {label} of a changed export, wall (sum), {days} days",
                                "picklock" if system == "picklock" else "baseline", part[key], "s", len(spent),
                                "median of the per-export sums of the requests' elapsed times")
    if all_json:
        results.targets.append((
            f"all.json after a {all_json['days']}-day season with {all_json['picks']} picks a day (compact; "
            f"{all_json['season_days']} days in by_day, {all_json['weeks']} weeks with {all_json['week_days']} days of picks)",
            size(all_json["bytes"]), f"≤ {size(ALL_JSON_TARGET)}", verdict(all_json["bytes"], ALL_JSON_TARGET)))
        results.add("history", f"all.json after a {all_json['days']}-day season, {all_json['picks']} picks a day",
                    "picklock", all_json["bytes"], "bytes", note="target ≤ 200 kB")
        biggest = sorted(all_json["parts"].items(), key=lambda kv: -kv[1])[:4]
        results.notes.append(
            f"all.json after {all_json['days']} days × {all_json['picks']} picks: {size(all_json['bytes'])}, of which "
            + ", ".join(f"`{k}` {size(v)}" for k, v in biggest) + ".")
    if body:
        results.tables["history"] = table(
            ("store", "days of history", "ledger / audit rows seeded", "season: audit rows → dates (tallies) read",
             "jobs: changed · unchanged", "export, signal changed (median)", "read with season", "read without season",
             "plan_export (pure)", "all.json", "est. bytes: date partitions · season part", "naive baseline export",
             "picklock ÷ naive", "export ÷ at 1 day"), body) + (
            "\n\nMachine during this section: " + "; ".join(loads) + ".")
    if split_body:
        results.tables["history"] += "\n\nWhere a changed export's time goes on the emulators (medians; requests timed by the " \
            "clients' response hooks, `rest` is the process's own time, export by export: the pure core, decoding, the client libraries):\n\n" + table(
            ("store", "days of history", "system", "export", "BigQuery read jobs", "BigQuery write jobs",
             "Cloud Storage requests", "rest"), split_body)
    return chart


# --------------------------------------------------------------------------------------------
# Section: one sport among many (NBA alone vs every sport in the same tables)
# --------------------------------------------------------------------------------------------

SPORT_CONFIGS = {"alone": ("nba",), "all": SPORTS.ids}
CONFIG_LABELS = {"alone": "NBA alone", "all": f"{len(SPORTS.ids)} sports"}


def first_publish(sport: str, picks: int):
    """The ledger rows and audit record of `sport`'s first export of today, from the pure core."""
    plan = plan_export(ExportInputs(MergeInputs(TODAY, tuple(signal_rows(TODAY, 0, picks, sport)), sport=sport)),
                       sport=SPORTS.get(sport), date_file=None, all_json=None, now=NOW,
                       export_id=new_export_id(sport, TODAY, NOW, "today000"), trigger="signal_updated")
    return list(plan.merge.ledger_rows), list(plan.audit)


def seed_sports(service, sports: Sequence[str], days: int, picks: int) -> dict[str, int]:
    """`days` of graded history of each sport and its signal and first publish of today, so the
    tables hold every sport's rows, today's partitions included. NBA's first publish is a real
    export (its files are then in the bucket); the other sports' rows go straight in through the
    store (`append_ledger` / `append_audit` / `replace_signal`), which is quicker."""
    store = service.store
    seeded = Counter()
    for sport in sports:
        ledger, audit = history(days, picks=picks, sport=sport)
        if sport != "nba":
            today_ledger, today_audit = first_publish(sport, picks)
            ledger, audit = ledger + today_ledger, audit + today_audit
        append_by_days(store, ledger, audit, days)
        store.replace_signal(TODAY, signal_rows(TODAY, 0, picks, sport), sport)
        if sport == "nba":
            report = service.export(TODAY, "signal_updated", sport)
            assert report.plan.outcome == "published", report.plan.outcome
            ledger, audit = ledger + list(report.plan.merge.ledger_rows), audit + list(report.plan.audit)
        seeded.update(ledger=len(ledger), audit=len(audit))
    return dict(seeded)


def foreign_rows(inputs: ExportInputs, sport: str) -> int:
    """Rows of another sport in what the store read for `sport` (the core would ignore them). The
    season's tallies carry no sport: the store's filter is checked by their count instead."""
    merge = inputs.merge
    found = [*merge.signal, *merge.manual, *merge.results, *merge.closing, *(r.pick for r in merge.ledger),
             *inputs.halt_commands]
    return sum(row.sport != sport for row in found)


def run_sports_scenarios(make_service: Callable[[str], Any], *, days: int, picks: int, reps: int,
                         traffic: Traffic | None = None) -> dict[str, Any]:
    """NBA's export of today on two stores: one holding NBA's history alone, one holding every
    sport's. `reps` changed exports, then `reps` unchanged ones, then `reps` reads alone, the two
    stores interleaved (which goes first alternates) so both see the same machine."""
    traffic = traffic or Traffic()  # nothing attached (SQLite): the counts stay empty
    services: dict[str, Any] = {}
    out: dict[str, Any] = {}
    for config, sports in SPORT_CONFIGS.items():
        log(f"sports: seeding {CONFIG_LABELS[config]} ({days} days of history each)")
        services[config] = make_service(config)
        out[config] = {"seeded": seed_sports(services[config], sports, days, picks), "sports": len(sports),
                       "seconds": {"changed": [], "unchanged": [], "read": []},
                       "counts": {"changed": [], "unchanged": []}, "outcomes": Counter(),
                       "season_rows": set(), "foreign_rows": 0}
    order = lambda rep: list(SPORT_CONFIGS)[::1 if rep % 2 == 0 else -1]  # noqa: E731
    log(f"sports: {reps} changed and {reps} unchanged exports of NBA's today on each store, interleaved")
    for rep in range(reps):
        for config in order(rep):
            service = services[config]
            service.store.replace_signal(TODAY, signal_rows(TODAY, rep + 1, picks), "nba")
            counts, seconds, report = measure(traffic, lambda: service.export(TODAY, "signal_updated", "nba"))
            out[config]["seconds"]["changed"].append(seconds)
            out[config]["counts"]["changed"].append(counts)
            out[config]["outcomes"][f"changed: {report.plan.outcome}"] += 1
    for rep in range(reps):
        for config in order(rep):
            service = services[config]
            counts, seconds, report = measure(traffic, lambda: service.export(TODAY, "signal_updated", "nba"))
            out[config]["seconds"]["unchanged"].append(seconds)
            out[config]["counts"]["unchanged"].append(counts)
            out[config]["outcomes"][f"unchanged: {report.plan.outcome}"] += 1
    for rep in range(reps):
        for config in order(rep):
            store = services[config].store
            _, seconds, inputs = measure(traffic, lambda: store.load_export_inputs(
                TODAY, sport="nba", season_from=NBA.season_start(TODAY)))
            out[config]["seconds"]["read"].append(seconds)
            out[config]["season_rows"].add(len(inputs.season_tallies))
            out[config]["foreign_rows"] += foreign_rows(inputs, "nba")
    out["services"] = services
    return out


def sqlite_query_plans(path: Path, sport: str = "nba") -> dict[str, Any]:
    """How SQLite runs SqliteStore's reads of one sport: a date's read (its `_select`: sport = ?
    AND game_date BETWEEN ? AND ?) and the season's (`_LATEST_TALLIES` on the audit table), and
    how many audit rows of the season's earlier dates it visits, of every sport and of this one."""
    import sqlite3

    from picklock.adapters import sqlite_store

    first, today = NBA.season_start(TODAY).isoformat(), TODAY.isoformat()
    with contextlib.closing(sqlite3.connect(path)) as connection:
        def explain(sql: str, parameters: tuple) -> str:
            return "; ".join(row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, parameters).fetchall())

        def count(sport_only: bool) -> int:
            where = "game_date >= ? AND game_date < ?" + (" AND sport = ?" if sport_only else "")
            return connection.execute(f"SELECT COUNT(*) FROM {rows.AUDIT_TABLE} WHERE {where}",
                                      (first, today, *((sport,) if sport_only else ()))).fetchone()[0]

        return {"season": explain(sqlite_store._LATEST_TALLIES, (sport, first, today)),
                "date": explain(f"SELECT * FROM {rows.LEDGER_TABLE} WHERE sport = ? AND game_date BETWEEN ? AND ? "
                                "ORDER BY rowid", (sport, today, today)),
                "season_rows_in_range": count(False), "season_rows_of_sport": count(True)}


def bench_sports_sqlite(days: int, picks: int, reps: int) -> dict[str, Any]:
    """The section on the embedded backend (SqliteStore + LocalPublisher in a temporary home)."""
    import tempfile

    from picklock.adapters.local_publisher import LocalPublisher
    from picklock.adapters.sqlite_store import SqliteStore
    from picklock.service_layer.services import PicklockService

    load = f"load average {os.getloadavg()[0]:.2f} at the start"
    with tempfile.TemporaryDirectory(prefix="picklock-bench-sports-") as tmp:
        def make(config: str):
            home = Path(tmp) / config
            return PicklockService(SqliteStore(home / "picklock.sqlite3"), LocalPublisher(home / "bucket"),
                                   clock=TickingClock())

        measured = run_sports_scenarios(make, days=days, picks=picks, reps=reps)
        measured["plans"] = sqlite_query_plans(measured["services"]["all"].store.path)
        measured["file_bytes"] = {config: service.store.path.stat().st_size
                                  for config, service in measured.pop("services").items()}
    measured["load"] = load + f", {os.getloadavg()[0]:.2f} at the end"
    return measured


def bench_sports_bigquery(backends: Backends, days: int, picks: int, reps: int) -> dict[str, Any]:
    """The section on the BigQuery + Cloud Storage emulators, through the counted clients."""
    tag = uuid.uuid4().hex[:6]
    load = f"load average {os.getloadavg()[0]:.2f} at the start"
    measured = run_sports_scenarios(lambda config: backends.picklock(f"bench_s{config}_{tag}"),
                                    days=days, picks=picks, reps=reps, traffic=backends.traffic)
    for config, service in measured.pop("services").items():
        # Partition pruning only (the tables are partitioned by game_date, not clustered by sport):
        # the bytes BigQuery would bill for the one read, whatever the sport filter keeps. The
        # season part is the audit columns of the season's earlier dates (one tally per export).
        measured[config]["bytes"] = picklock_read_bytes(backends.plain_bq, service.store.dataset, TODAY,
                                                        with_season=True)
    measured["load"] = load + f", {os.getloadavg()[0]:.2f} at the end"
    return measured


def report_sports(results: Results, measured: dict[str, dict[str, Any]], days: int) -> None:
    """One table for both stores (keys: "SQLite", "BigQuery emulator"), the budget line and notes."""
    alone, many = CONFIG_LABELS["alone"], CONFIG_LABELS["all"]
    body, ratios, loads = [], {}, []
    for backend, m in measured.items():
        a, b = m["alone"], m["all"]
        body.append((backend, "rows in the tables: ledger / audit (history and today)",
                     f"{a['seeded']['ledger']:,} / {a['seeded']['audit']:,}",
                     f"{b['seeded']['ledger']:,} / {b['seeded']['audit']:,}",
                     f"{b['seeded']['ledger'] / a['seeded']['ledger']:.2f}"))
        for key, label, short in (("changed", "export, signal changed", "export, signal changed"),
                                  ("unchanged", "export, unchanged inputs", "export, unchanged inputs"),
                                  ("read", "the read alone (`load_export_inputs` with the season)", "read alone")):
            ta, tb = median(a["seconds"][key]), median(b["seconds"][key])
            n = len(a["seconds"][key])
            ratios[(backend, key)] = tb / ta
            # Round by round the two stores ran back to back: the median of those ratios is less
            # sensitive to the load of the machine drifting during the section.
            paired = median([y / x for x, y in zip(a["seconds"][key], b["seconds"][key])])
            for config, value in (("alone", ta), ("all", tb)):
                results.add("sports", f"{backend}: NBA {short} wall time, {CONFIG_LABELS[config]}",
                            "picklock", value, "s", n, f"median; {days} days of history per sport")
            results.add("sports", f"{backend}: NBA {short} wall time, {many} ÷ {alone}", "picklock",
                        tb / ta, "ratio", n, "ratio of the medians; target ≤ 1.2")
            results.add("sports", f"{backend}: NBA {short} wall time, {many} ÷ {alone}, paired",
                        "picklock", paired, "ratio", n, "median of the per-round ratios")
            body.append((backend, f"{label}: wall time (median of {n})", ms(ta), ms(tb),
                         f"**{tb / ta:.2f}** (paired {paired:.2f})"))
        season = {config: ", ".join(f"{v:,}" for v in sorted(m[config]["season_rows"])) for config in ("alone", "all")}
        body.append((backend, "NBA season dates read: latest tallies (other sports' rows returned)",
                     f"{season['alone']} ({a['foreign_rows']})", f"{season['all']} ({b['foreign_rows']})",
                     "=" if season["alone"] == season["all"] else "differ"))
        outcomes = {config: dict(m[config]["outcomes"]) for config in ("alone", "all")}
        expected = {"changed: published": len(a["seconds"]["changed"]), "unchanged: unchanged": len(a["seconds"]["unchanged"])}
        if any(o != expected for o in outcomes.values()):
            results.notes.append(f"sports / {backend}: unexpected export outcomes {outcomes}")
        if m["alone"]["counts"]["changed"] and any(c for c in m["alone"]["counts"]["changed"]):
            jobs = {config: " · ".join(
                f"{median([c['bq_read'] for c in m[config]['counts'][k]]):g}R/"
                f"{median([c['bq_write'] for c in m[config]['counts'][k]]):g}W" for k in ("changed", "unchanged"))
                for config in ("alone", "all")}
            body.append((backend, "BigQuery jobs per export: changed · unchanged", jobs["alone"], jobs["all"],
                         "=" if jobs["alone"] == jobs["all"] else "differ"))
        if "bytes" in a:
            est = {config: m[config]["bytes"]["date"] + m[config]["bytes"]["season"] for config in ("alone", "all")}
            for config in ("alone", "all"):
                results.add("sports", f"{backend}: est. bytes processed by NBA's read, {CONFIG_LABELS[config]}",
                            "picklock", est[config], "bytes",
                            note="partitions scanned (tables partitioned by game_date, not clustered by sport)")
            body.append((backend, "est. bytes BigQuery would bill for the read (partition pruning only; "
                         "not clustered by sport)",
                         f"{size(est['alone'])} (season {size(a['bytes']['season'])})",
                         f"{size(est['all'])} (season {size(b['bytes']['season'])})", f"{est['all'] / est['alone']:.2f}"))
            ratios[(backend, "bytes")] = est["all"] / est["alone"]
        if "file_bytes" in m:
            body.append((backend, "database file", size(m["file_bytes"]["alone"]), size(m["file_bytes"]["all"]),
                         f"{m['file_bytes']['all'] / m['file_bytes']['alone']:.2f}"))
        loads.append(f"{backend}: {m['load']}")
        if "plans" in m:
            plans = m["plans"]
            results.notes.append(
                f"sports / SQLite: the season read (`_LATEST_TALLIES`: the latest tally of each earlier date, on the "
                f"audit table) runs as `{plans['season']}`; a date's read as `{plans['date']}`. The index stands in "
                f"for the partition only (game_date), so with {many} in the tables the season read visits "
                f"{plans['season_rows_in_range']:,} audit rows of the date range to keep NBA's "
                f"{plans['season_rows_of_sport']:,} (then one per date).")
    over = {k: v for k, v in ratios.items() if k[1] != "bytes" and v > 1.2}
    if over:
        results.notes.append("sports: above the 1.2 target: " + ", ".join(
            f"{backend} {key} {value:.2f}" for (backend, key), value in over.items()) + ".")
    results.budget.append((
        f"export of one sport flat in the number of sports in the tables ({alone} vs {many}, {days} days each): "
        "wall time ratio, changed · unchanged", "≤ 1.2",
        "; ".join(f"{backend} {ratios[(backend, 'changed')]:.2f} · {ratios[(backend, 'unchanged')]:.2f}"
                  for backend in measured)))
    results.tables["sports"] = table(
        ("store", "measure (NBA's export of today)", alone, many, f"{many} ÷ {alone}"), body) + (
        "\n\nMachine during this section: " + "; ".join(loads) + ".")


# --------------------------------------------------------------------------------------------
# Sections: latency and bursts through Pub/Sub push (LocalStack)
# --------------------------------------------------------------------------------------------


class LogTail:
    """Reads what a log file gained since the last mark: lets several processes' logs be counted."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def mark(self) -> None:
        self.offset = self.path.stat().st_size

    def new_lines(self) -> list[str]:
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            return f.read().decode("utf-8", errors="replace").splitlines()


def json_lines(lines: Iterable[str]) -> list[dict]:
    out = []
    for line in lines:
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def count_uploads(lines: Iterable[str], bucket: str) -> Counter[str]:
    """Uploads to `bucket` by HTTP status, from fake-gcs-server's access log."""
    pattern = re.compile(rf'"POST /upload/storage/v1/b/{re.escape(bucket)}/o\S* HTTP/[\d.]+\\?" (\d+)')
    uploads: Counter[str] = Counter()
    for line in lines:
        match = pattern.search(line)
        if match:
            uploads[match.group(1)] += 1
    return uploads


def count_bigquery_jobs(lines: Iterable[str], project: str) -> int:
    """jobs.query / jobs.insert calls of `project`, from bqemulator's JSON access log."""
    return sum(1 for e in json_lines(lines)
               if e.get("method") == "POST" and f"/projects/{project}/" in e.get("path", "")
               and e["path"].endswith(("/queries", "/jobs")))


def all_json_generation(bucket) -> int:
    blob = bucket.get_blob(ALL_JSON)
    return blob.generation if blob else 0


def wait_for_generation(bucket, previous: int, timeout: float = 30.0) -> float | None:
    """Seconds until all.json's generation moves past `previous` (polling every 20 ms); None on timeout."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if all_json_generation(bucket) != previous:
            return time.perf_counter() - started
        time.sleep(POLL_SECONDS)
    return None


def exports_logged(log_path: Path) -> int:
    """How many exports a function has logged (its last step, after the audit row)."""
    with open(log_path, "rb") as f:
        return f.read().count(b'"outcome": ')


def latency_run(stack, publish: Callable[[int], None], prepare: Callable[[int], None], count: int,
                start: int, log_path: Path | None = None) -> tuple[list[float], int]:
    """Each sample: prepare the input, publish, time until all.json's generation changes; then
    (with `log_path`) wait until that export has logged, so samples never overlap."""
    samples, misses = [], 0
    for k in range(start, start + count):
        prepare(k)
        generation = all_json_generation(stack.bucket)
        logged = exports_logged(log_path) if log_path else 0
        started = time.perf_counter()
        publish(k)
        waited = wait_for_generation(stack.bucket, generation)
        if waited is None:
            misses += 1
        else:
            samples.append(time.perf_counter() - started)
        deadline = time.perf_counter() + 10
        while log_path and exports_logged(log_path) <= logged and time.perf_counter() < deadline:
            time.sleep(POLL_SECONDS)
    return samples, misses


def bench_latency(results: Results, stack, count: int, in_process: float | None) -> None:
    """The first message to each function (cold), then `count` warm samples of each path,
    interleaved so that both see the same load on this shared machine."""
    from picklock.topics import MANUAL_PICKS, SIGNAL_UPDATED

    version = [0]

    def change_signal(k: int) -> None:
        version[0] += 1
        stack.store.replace_signal(TODAY, signal_rows(TODAY, version[0]))

    def publish_signal(k: int) -> None:
        stack.pubsub.publish(SIGNAL_UPDATED, {"game_date": TODAY.isoformat(), "run_id": f"bench-{k}"})

    def publish_manual(k: int) -> None:
        stack.pubsub.publish(MANUAL_PICKS, manual_payload(TODAY, k))

    paths = {"signal-updated": (publish_signal, change_signal), "manual-picks": (publish_manual, lambda k: None)}
    logs = {name: stack.functions[name].log for name in paths}  # path names are the topic names
    log("latency: the first message to each function (cold)")
    cold = {name: latency_run(stack, publish, prepare, 1, 0, logs[name]) for name, (publish, prepare) in paths.items()}
    log(f"latency: {count} warm samples of each path, interleaved")
    load = os.getloadavg()[0]
    warm: dict[str, list[float]] = {name: [] for name in paths}
    misses = Counter({name: cold[name][1] for name in paths})
    for k in range(1, count + 1):
        for name, (publish, prepare) in paths.items():
            samples, missed = latency_run(stack, publish, prepare, 1, k, logs[name])
            warm[name] += samples
            misses[name] += missed
    load = f"load average {load:.2f} at the start of the warm samples, {os.getloadavg()[0]:.2f} at the end"
    rows_out = []
    for name in paths:
        samples, first = warm[name], cold[name][0]
        p50, p95 = (median(samples), percentile(samples, 95)) if samples else (None, None)
        results.add("latency", f"{name} -> all.json p50", "picklock", p50, "s", len(samples), load)
        results.add("latency", f"{name} -> all.json p95", "picklock", p95, "s", len(samples), load)
        results.add("latency", f"{name} -> all.json max", "picklock", max(samples) if samples else None, "s", len(samples))
        results.add("latency", f"{name} -> all.json, first message to a fresh function (cold)", "picklock",
                    first[0] if first else None, "s", 1)
        if misses[name]:
            results.notes.append(f"latency {name}: {misses[name]} message(s) did not change all.json within 30 s")
        rows_out.append((f"`{name}` published → all.json generation changes", len(samples), ms(p50), ms(p95),
                         ms(max(samples) if samples else None), ms(first[0] if first else None)))
    results.tables["latency"] = table(
        ("path (Pub/Sub emulator push → functions-framework → BigQuery + GCS emulators)", "n", "p50", "p95", "max",
         "first message (cold function)"), rows_out)
    results.tables["latency"] += f"\n\nMachine during the warm samples: {load}."
    if in_process is not None:
        results.tables["latency"] += (f" For reference, the export itself takes {ms(in_process)} (median, in-process "
                                      "on the same emulators, first table); the rest is Pub/Sub push delivery, "
                                      "the HTTP hop and the 20 ms polling of the bucket.")


def bench_burst(results: Results, stack, emulators, count: int, per_export: dict) -> None:
    from picklock.topics import SIGNAL_UPDATED, encode_message

    log(f"burst: {count} signal-updated messages")
    if all_json_generation(stack.bucket) == 0:  # the slate as published before the burst
        stack.store.replace_signal(TODAY, signal_rows(TODAY, 0))
        latency_run(stack, lambda k: stack.pubsub.publish(SIGNAL_UPDATED, {"game_date": TODAY.isoformat()}),
                    lambda k: None, 1, 0, stack.functions[SIGNAL_UPDATED].log)
    stack.store.replace_signal(TODAY, signal_rows(TODAY, 10_000))  # one real change, then the flood
    time.sleep(1.0)  # let the logs of earlier exports land
    function_log = LogTail(stack.functions[SIGNAL_UPDATED].log)
    gcs_log, bq_log = LogTail(emulators.gcs.log_path), LogTail(emulators.bigquery.log_path)
    client = stack.pubsub.client
    topic = client.topic_path(stack.project, SIGNAL_UPDATED)
    started = time.perf_counter()
    futures = [client.publish(topic, encode_message({"game_date": TODAY.isoformat(), "run_id": f"burst-{i}"}))
               for i in range(count)]
    for future in futures:
        future.result(timeout=60)
    published_in = time.perf_counter() - started
    drained_in = None
    deadline = started + max(120.0, count * 1.5)
    while time.perf_counter() < deadline:
        done = [e for e in json_lines(function_log.new_lines()) if e.get("outcome") and e.get("trigger") == "signal_updated"]
        if len(done) >= count:
            drained_in = time.perf_counter() - started
            break
        time.sleep(0.1)
    time.sleep(1.0)  # the last export's log lines, and the emulators' access logs
    entries = json_lines(function_log.new_lines())
    outcomes = Counter(e["outcome"] for e in entries if e.get("outcome") and e.get("trigger") == "signal_updated")
    races = sum("lost a publish race" in e.get("message", "") for e in entries)
    errors = sum(e.get("severity") == "ERROR" for e in entries)
    uploads = count_uploads(gcs_log.new_lines(), stack.config.bucket)
    jobs = count_bigquery_jobs(bq_log.new_lines(), stack.project)
    exports = sum(outcomes.values())
    writes = uploads.get("200", 0)
    refused = sum(v for k, v in uploads.items() if k != "200")
    naive_jobs = per_export["baseline"]["bq"] * count
    naive_writes = per_export["baseline"]["gcs"] * count
    for metric, p, b, unit in (
            ("messages published", count, count, "count"),
            ("seconds to publish them", published_in, None, "s"),
            ("exports run", exports, count, "count"),
            ("exports that published a new version", outcomes.get("published", 0), count, "count"),
            ("Cloud Storage writes", writes, naive_writes, "count"),
            ("Cloud Storage writes refused (412, lost a race)", refused, None, "count"),
            ("BigQuery jobs", jobs, naive_jobs, "count"),
            ("seconds until every export had finished", drained_in, None, "s")):
        results.add("burst", metric, "picklock", p, unit, count)
        if b is not None:
            results.add("burst", metric, "baseline", b, unit, count,
                        "derived: the naive export's measured per-export counts × messages" if "published" not in metric else "")
    results.notes.append(f"burst: {races} publish race(s) lost and retried, {errors} error log line(s); "
                         f"outcomes {dict(outcomes)}.")
    body = [("messages published", f"{count} in {ms(published_in)}", f"{count}"),
            ("exports run (one per message)", exports, count),
            ("… that published a new all.json", outcomes.get("published", 0), f"{count} (always writes)"),
            ("Cloud Storage writes (succeeded)", writes, f"{naive_writes:g} (to 2 object names)"),
            ("Cloud Storage writes refused (412: a concurrent export won)", refused, "n/a (no preconditions)"),
            ("BigQuery jobs (from the emulator's log)", jobs, f"{naive_jobs:g}"),
            ("time until the last export finished", f"{drained_in:.1f} s" if drained_in else "timed out", "")]
    results.tables["burst"] = table(("200-message burst" if count == 200 else f"{count}-message burst",
                                     "picklock (measured)", "naive baseline (derived)"), body)


# --------------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------------


ALL_SECTIONS = ("core", "cold", "sports", "jobs", "history", "verify", "latency", "burst")

SECTION_TITLES = {
    "jobs": "Cost per export: BigQuery jobs, bytes and Cloud Storage writes",
    "latency": "Latency on the local stack",
    "core": "Scaling: the pure core (no I/O)",
    "history": "Scaling: history length (export of today on SQLite and on the BigQuery + GCS emulators)",
    "sports": "One sport among many: NBA's export with NBA alone vs every sport in the tables",
    "cold": "Cold start",
    "burst": "Bursts",
}


def write_csv(results: Results, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("section", "metric", "system", "value", "unit", "n", "note"))
        for fig in results.figures:
            value = "" if fig.value is None else (f"{fig.value:.6g}" if isinstance(fig.value, float) else fig.value)
            writer.writerow((fig.section, fig.metric, fig.system, value, fig.unit, "" if fig.n is None else fig.n, fig.note))


def draw(core: list[dict], hist: list[dict], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib is not installed: no chart (make bench installs it)")
        return False
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), dpi=80)
    if core:
        n = [m["n"] for m in core]
        left.loglog(n, [m["plan"] * 1000 for m in core], "o-", label="plan_export (merge + render + audit)")
        left.loglog(n, [m["merge"] * 1000 for m in core], "s--", label="merge_and_lock alone")
        per_pick = core[0]["plan"] * 1000 / core[0]["n"]
        left.loglog(n, [per_pick * x for x in n], ":", color="grey", label="linear from the smallest size")
        left.set_xlabel("picks per date")
        left.set_ylabel("ms (median)")
        left.set_title("Pure core")
        left.grid(True, which="both", alpha=0.3)
        left.legend(fontsize=8)
    if hist:
        days = [m["days"] for m in hist]
        x = range(len(days))
        right.bar([i - 0.2 for i in x], [m["read_without"] * 1000 for m in hist], 0.4, label="read job without season")
        right.bar([i + 0.2 for i in x], [m["read_with"] * 1000 for m in hist], 0.4, label="read job with season")
        right.plot(list(x), [m["export"] * 1000 for m in hist], "ko-", label="whole export")
        if all(m.get("naive") for m in hist):
            right.plot(list(x), [m["naive"] * 1000 for m in hist], "s:", color="grey", label="naive baseline export")
        right.set_xticks(list(x), [f"{d} day{'s' if d > 1 else ''}" for d in days])
        right.set_xlabel("history in the tables")
        right.set_ylabel("ms (median, emulators)")
        right.set_title("Export of today vs history length (emulators)")
        twin = right.twinx()
        twin.plot(list(x), [m["bytes_season"] / 1e3 for m in hist], "r^--", label="est. kB: season part (tallies)")
        twin.plot(list(x), [m["bytes_date"] / 1e3 for m in hist], "gv--", label="est. kB: date partitions")
        twin.set_ylabel("estimated kB processed")
        handles = right.get_legend_handles_labels()
        twin_handles = twin.get_legend_handles_labels()
        right.legend(handles[0] + twin_handles[0], handles[1] + twin_handles[1], fontsize=7, loc="upper left")
        right.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return True


def environment() -> str:
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"load average {load} at the end")


def markdown(results: Results, *, runtime: float, load_at_start: str, chart: str | None, quick: bool,
             csv_link: str = "bench/results.csv") -> str:
    parts = ["## Benchmarks", "",
             "Reproduce with `make bench`: it starts the emulators and the local stack, measures, stops them, "
             f"and rewrites this section (this run took {runtime // 60:.0f} min {runtime % 60:.0f} s). Every figure "
             f"below was printed by that run and is also in [`{csv_link}`]({csv_link}). Medians and ratios are the "
             "figures to quote: absolute times come from emulators, not Google Cloud, on shared 2-core machines "
             "with other work running.",
             "", f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {environment()}; {load_at_start}."
             f"{' QUICK RUN: small counts, not for quoting.' if quick else ''}", ""]
    if results.targets:
        parts += ["### Targets (issue \"The public record\")", "",
                  table(("target", "measured", "limit", "verdict"), results.targets), "",
                  f"Machine: {os.cpu_count()} cores; " + "; ".join(results.machine) + ".", "", TARGETS_NOTE, ""]
    if results.budget:
        parts += ["### Performance budget (DESIGN.md)", "",
                  table(("budget", "target", "measured"), results.budget), ""]
    for section, title in SECTION_TITLES.items():
        if section in results.tables:
            parts += [f"### {title}", "", results.tables[section], ""]
            parts += [EXPLANATIONS[section], ""]
            if section == "history" and chart:
                parts += [f"![scaling curves]({chart})", ""]
    if results.notes:
        parts += ["### Observations from this run", ""] + [f"- {n}" for n in results.notes] + [""]
    parts += ["### How it is measured", "", METHOD]
    return "\n".join(parts).rstrip() + "\n"


EXPLANATIONS = {
    "jobs": (
        "Counted from the clients: a `requests` response hook on each client's HTTP session counts every "
        "`jobs.query` / `jobs.insert` call (read or write by its statement) and every Cloud Storage upload; "
        "picklock's own `store.jobs` counter is checked against it. Budget (DESIGN.md): at most 1 read and 2 "
        "write jobs per export, and no Cloud Storage write when the inputs did not change. A changed export "
        "writes the per-date file, its immutable history snapshot (G4/G7), the date's public index of versions "
        "(the hash chain), all.json, and the public feeds when it made pick events. A manual "
        "pick message also records the command (one conditional INSERT) before its export. The naive baseline "
        "(`tools/bench_baseline.py`) reads three tables, deletes then re-inserts the date's picks, inserts an "
        "audit row and uploads both live files unconditionally; it reads no results and no season tallies."),
    "latency": (
        "Each sample changes the input first (a new signal edge, or a new manual player), then times from "
        "`publish` to the moment all.json's generation changes, polling the bucket every 20 ms; the next sample "
        "starts once that export has logged (after its audit row), so samples never overlap. The two paths are "
        "interleaved so both see the same machine load. Each manual message adds a pick (G1 keeps every pick "
        "shown), so the slate grows from 11 to about 110 picks over the run. The first message to each function "
        "is reported apart: it pays the imports and the client creation. Of all the figures here these are the "
        "most sensitive to other work on the machine (five processes share two cores: three emulators, the "
        "functions and this driver), so compare them with the load printed beside them."),
    "core": (
        "`plan_export` is the whole pure export: merge_and_lock, rendering both files, content hashes, the "
        "unchanged checks and the audit record; the inputs are a date already published once, with one pick "
        "refreshed. A real slate is about 10 picks per date; 100,000 is a stress point."),
    "history": (
        "Each history length gets its own store (SQLite: a fresh home; emulators: fresh tables, and the naive "
        "baseline beside them on tables holding the same history) with that many past game dates of ledger and "
        "audit rows: 10 picks a day, published, refreshed and graded with closing lines, made by the pure core "
        "and written with the store's `append_ledger` / `append_audit`. Each past day's exports saw the "
        "season's earlier days as the store hands them over, so every audit row carries the day's real tally "
        "and, where it wrote all.json, that day's season-long all.json (as production accumulates them). The "
        "bench's day is the last of NBA's 2025-26 season, so 364 of 365 days of history are in the season read. "
        "Every store is seeded first; then rounds of NBA's export of today after a signal change, the order of "
        "the stores rotating each round and picklock alternating with the baseline, then unchanged exports, "
        "then the read alone with and without the season and `plan_export` alone on what it returned. Past "
        "dates' signal and results are not seeded: no statement reads them. Bytes (emulators): the date "
        "partitions of every table the one read references, and its season part (the audit columns `game_date, "
        "sport, tally, exported_at, export_id` of the season's earlier dates). \"paired\": the median of the "
        "per-round ratios."),
    "sports": (
        "Two stores of each kind, measured side by side: one holds NBA's history alone, the other the same "
        "history for each of the five sports of schemas/sports.json (NBA, MLB, NFL, NHL, WNBA) in the same "
        "tables — as one deployment does. Each sport gets 10 picks a day over the same past game dates "
        "(published, refreshed, graded; made by the pure core and appended with the store's `append_ledger` / "
        "`append_audit`), then today's signal (`replace_signal`) and first publish: NBA's through a real export, "
        "the other sports' as rows from the pure core, appended the same way. The same NBA player ids "
        "are used in every sport, each on its own stat (MLB K, NFL PASS_YDS, NHL SOG, WNBA PTS), so only "
        "`sport` tells their rows apart. Measured: NBA's export of today after a signal change (publishes) "
        "and with unchanged inputs, then the read alone; the two stores alternate (which goes first flips "
        "each round) so both see the same machine; the ratio is that of the medians, and \"paired\" the median "
        "of the per-round ratios. Target: five sports ÷ NBA alone within 1.2 — the export "
        "of one sport must not grow with the number of sports. SQLite runs before the emulators start "
        "(SqliteStore and LocalPublisher in a temporary home); the emulator rows use the counted clients. "
        "The byte estimate is what BigQuery would bill for the one read: every row of the partitions it "
        "scans, whatever the `sport` filter keeps, since the tables are partitioned by game_date and not "
        "clustered."),
    "cold": (
        "`python -X importtime` in a fresh interpreter, from `functions/` as functions-framework loads it; the "
        "cumulative time of the top-level `main` import, then what the first message imports and builds "
        "(`picklock.entrypoints.functions.handlers()`), then the first use of the clients. The baseline imports "
        "the three client libraries at module load, as a design without lazy clients would."),
    "burst": (
        "On a fresh local stack with a published 10-pick slate, the signal changes once, then the messages are "
        "published as fast as the client can (batched). The "
        "functions' logs give the exports and outcomes; the emulators' access logs give the Cloud Storage "
        "uploads to this bucket and the BigQuery jobs of this project during the burst. The baseline column is "
        "derived: messages × the naive export's measured per-export counts (it writes on every export, to the "
        "same two object names, which Cloud Storage rate-limits to about one write per second per object)."),
}

TARGETS_NOTE = (
    "Measured in this run, side by side: the history section seeds one store per length and interleaves the "
    "exports of every length round by round (see below), on SQLite before the emulators start and then on the "
    "BigQuery + Cloud Storage emulators, where the naive baseline (tools/bench_baseline.py) runs beside picklock "
    "on its own tables holding the same history. A ratio is that of the medians; \"paired\" the median of the "
    "per-round ratios. all.json: a real export of today on SQLite after a season seeded as below (15 picks a "
    "day), the published file's bytes. Jobs: counted on the wire and by `BigQueryStore.jobs`, which must agree. "
    "Times are from a shared 2-core machine: compare them with the load beside them.")

METHOD = """- Bytes: bqemulator reports `total_bytes_processed = 0` for every job, so the figures are
  **estimates**, not measurements: for each statement, the rows of the partitions it scans are read back
  and sized with BigQuery's documented logical sizes (STRING 2 B + UTF-8 length, INT64/FLOAT64/DATE/
  TIMESTAMP 8 B, BOOL 1 B, ARRAY the sum of its elements, NULL 0), over the columns the statement
  references. A DELETE adds every column of the partition it rewrites; an INSERT of parameter values scans
  no table. On-demand billing also applies a minimum per query (10 MB at the time of writing; see
  BigQuery's pricing page), which dominates at these sizes: compare jobs and scanned bytes, not bills.
  Real BigQuery's figure is the one its job statistics report.
- Jobs: counted on the wire from the client, not from the code. The Cloud Functions run in their own
  processes, so the burst counts come from the emulators' access logs instead.
- Times: `time.perf_counter()` medians; p95 is nearest-rank. Emulators are not Google Cloud: BigQuery on
  DuckDB answers a small query in tens of milliseconds, while real BigQuery takes longer per job — which
  is why the job count matters more than these milliseconds.
- `make test` never depends on timing: tests/bench/test_bench_smoke.py runs these code paths on tiny
  inputs and asserts on counts only."""


def print_tables(results: Results) -> None:
    if results.targets:
        print("\n## Targets\n\n" + table(("target", "measured", "limit", "verdict"), results.targets))
        print(f"\nMachine: {environment()}; " + "; ".join(results.machine))
    if results.budget:
        print("\n## Performance budget (DESIGN.md)\n\n" + table(("budget", "target", "measured"), results.budget))
    for section, title in SECTION_TITLES.items():
        if section in results.tables:
            print(f"\n## {title}\n\n{results.tables[section]}")
    if results.notes:
        print("\nObservations:\n" + "\n".join(f"- {n}" for n in results.notes))


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts, every code path (for development)")
    parser.add_argument("--out", type=Path, help="where results.csv and scaling.png go (default docs/bench)")
    parser.add_argument("--doc", type=Path, help="the Markdown file to write (default docs/BENCHMARKS.md)")
    parser.add_argument("--sections", default=",".join(ALL_SECTIONS),
                        help="comma-separated, of: " + ", ".join(ALL_SECTIONS) + " (a subset writes to "
                        "build/bench-partial/ unless --out/--doc say otherwise: the committed figures stay whole)")
    parser.add_argument("--history-days", help="history lengths, comma-separated (default 1,30,180,365)")
    args = parser.parse_args(argv)
    quick = args.quick
    sections = set(args.sections.split(","))
    unknown = sections - set(ALL_SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    partial = sections != set(ALL_SECTIONS)
    out = args.out or (ROOT / ("build/bench-quick" if quick else "build/bench-partial" if partial else "docs/bench"))
    doc = args.doc or (out / "BENCHMARKS.md" if quick or partial else ROOT / "docs" / "BENCHMARKS.md")
    sizes = (10, 100, 1_000) if quick else (10, 100, 1_000, 10_000, 100_000)
    lengths = (tuple(int(d) for d in args.history_days.split(",")) if args.history_days else
               (1, 5) if quick else HISTORY_LENGTHS)
    reps, latency_n, burst_n, cold_runs = (2, 5, 20, 2) if quick else (5, 100, 200, 5)
    history_reps = {"SQLite": 3 if quick else 15, "BigQuery emulator": 2 if quick else 9}
    all_json_season = (5, 15) if quick else ALL_JSON_SEASON
    sports_days = 5 if quick else 180
    sports_reps = {"SQLite": 3 * reps, "BigQuery emulator": reps + 2}  # SQLite exports are cheap: more runs

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, on_signal)
    results = Results()
    load_at_start = "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg()) + " at the start"
    core, hist = [], []
    if "core" in sections:
        core = bench_core(results, sizes)
    if "cold" in sections:
        bench_cold(results, cold_runs)
    sports: dict[str, dict] = {}
    histories: dict[str, dict] = {}
    all_json = None
    if "sports" in sections:  # the SQLite half: no emulator needed, so before they start
        guarded(results, "sports / SQLite", lambda: sports.__setitem__(
            "SQLite", bench_sports_sqlite(sports_days, PICKS_PER_DAY, sports_reps["SQLite"])))
    if "history" in sections:  # likewise
        all_json = guarded(results, "all.json size", lambda: bench_all_json_size(*all_json_season))
        guarded(results, "history / SQLite", lambda: histories.__setitem__(
            "SQLite", bench_history_sqlite(lengths, history_reps["SQLite"])))
    if "verify" in sections:
        guarded(results, "verify", lambda: bench_verify(results, *((10, 5) if quick else VERIFY_SEASON)))
    if sections & {"jobs", "history", "sports", "latency", "burst"}:
        run_on_emulators(results, sections, reps=reps, lengths=lengths, latency_n=latency_n, burst_n=burst_n,
                         sports=sports, sports_days=sports_days, sports_reps=sports_reps["BigQuery emulator"],
                         histories=histories, history_reps=history_reps["BigQuery emulator"])
    if histories:
        hist = report_history(results, histories, all_json)
    if sports:
        report_sports(results, sports, sports_days)
    for what, measured, target, outcome in results.targets:
        log(f"target: {what}: {measured} (target {target}) {outcome}")
    runtime = time.monotonic() - results.started
    chart = draw(core, hist, out / "scaling.png") if (core or hist) else False
    write_csv(results, out / "results.csv")
    chart_link = os.path.relpath(out / "scaling.png", doc.parent) if chart else None
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(markdown(results, runtime=runtime, load_at_start=load_at_start, chart=chart_link, quick=quick,
                            csv_link=os.path.relpath(out / "results.csv", doc.parent)))
    print_tables(results)
    print(f"\n[bench] {runtime:.0f} s; wrote {os.path.relpath(out / 'results.csv', ROOT)}"
          f"{', ' + os.path.relpath(out / 'scaling.png', ROOT) if chart else ''} and {os.path.relpath(doc, ROOT)}")
    return 0


def guarded(results: Results, section: str, action: Callable[[], Any]) -> Any:
    """Run one section; if it fails, say so in the notes and go on: one section's failure (an
    emulator timing out on a loaded machine, say) must not cost the figures of the others."""
    import traceback

    try:
        return action()
    except Exception as error:  # noqa: BLE001 (KeyboardInterrupt still stops the run)
        log(f"{section}: FAILED, going on with the other sections\n{traceback.format_exc()}")
        results.notes.append(f"{section}: the section failed ({type(error).__name__}: {str(error)[:200]}); "
                             "no figures from it in this run.")
        return None


def run_on_emulators(results: Results, sections: set[str], *, reps: int, lengths: Sequence[int],
                     latency_n: int, burst_n: int, sports: dict[str, dict] | None = None, sports_days: int = 180,
                     sports_reps: int = 5, histories: dict[str, dict] | None = None, history_reps: int = 7) -> None:
    from tests.harness.emulators import EmulatorStack, ensure_installed
    from tests.harness.localstack import LocalStack

    os.environ["PYTHONUNBUFFERED"] = "1"  # the emulators' access logs are read while they run
    ensure_installed(ROOT)
    emulators = EmulatorStack(ROOT)
    log("starting the emulators")
    try:
        env = emulators.start()
        os.environ.update(env)
        project = f"bench-{uuid.uuid4().hex[:6]}"
        if sections & {"jobs", "history", "sports"}:
            backends = Backends.create(project)
            if "jobs" in sections:
                guarded(results, "jobs", lambda: bench_jobs(results, backends, reps))
            if "history" in sections and histories is not None:
                guarded(results, "history / BigQuery emulator", lambda: histories.__setitem__(
                    "BigQuery emulator", bench_history_bigquery(backends, lengths, history_reps)))
            if "sports" in sections and sports is not None:
                guarded(results, "sports / BigQuery emulator", lambda: sports.__setitem__(
                    "BigQuery emulator", bench_sports_bigquery(backends, sports_days, PICKS_PER_DAY, sports_reps)))
        stack_logs = ROOT / ".emulators" / "logs" / "bench-functions"
        if "latency" in sections:
            log("starting the local stack (functions-framework x3, push subscriptions)")
            with LocalStack(env, stack_logs, project=f"{project}-latency", now=format_instant(NOW)) as stack:
                stack.store.replace_signal(TODAY, signal_rows(TODAY, 0))
                bench_latency(results, stack, latency_n, results.get("jobs", "wall time per export, signal changed"))
        if "burst" in sections:
            # A fresh stack: a published 10-pick slate, as before any burst, whatever latency left behind.
            log("starting a fresh local stack for the burst")
            with LocalStack(env, stack_logs, project=f"{project}-burst", now=format_instant(NOW)) as stack:
                per_export = {"baseline": {
                    "bq": (results.get("jobs", "BigQuery read jobs per export, signal changed", "baseline") or 3)
                    + (results.get("jobs", "BigQuery write jobs per export, signal changed", "baseline") or 3),
                    "gcs": results.get("jobs", "Cloud Storage writes per export, signal changed", "baseline") or 2}}
                bench_burst(results, stack, emulators, burst_n, per_export)
    except KeyboardInterrupt:
        log("interrupted; stopping everything this run started")
        raise
    finally:
        emulators.stop()


if __name__ == "__main__":
    sys.exit(main())
