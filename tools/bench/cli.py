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
              history and sports run on the BigQuery emulator twice: as shipped, and without the copy
              of the whole table it makes after every DML to emulate time travel (BigQuery's writes
              do not grow with the table; tests/harness/bqemulator_without_table_copies.py)
    latency   signal-updated / manual-picks published -> all.json generation changes, p50/p95,
              beside the floor (push delivery to a no-op endpoint, SELECT 1, a 1-row INSERT, an
              object write on the same emulators) and the targets p50 ≤ 3×, p95 ≤ 6× the floor
    burst     200 signal-updated messages within a few seconds: messages handled, exports (coalesced), writes, jobs

Benchmarks are not tests: nothing here asserts on time. `--quick` runs every code path on small
counts (and writes to build/bench-quick/, never over the committed figures); `--sections a,b` runs
some sections only (and writes to build/bench-partial/); `--history-days 1,365` picks the lengths.
"""
from __future__ import annotations

import argparse
import os
import signal
import time
import uuid
from pathlib import Path
from contextlib import contextmanager, nullcontext
from typing import Any, Callable, ContextManager, Iterator, Sequence

from picklock.domain.calendar import format_instant

from . import ROOT
from .burst import bench_burst
from .cold import bench_cold
from .common import NOW, PICKS_PER_DAY, TODAY, Results, log, signal_rows
from .core import bench_core
from .history import (ALL_JSON_SEASON, HISTORY_LENGTHS, bench_all_json_size, bench_history_bigquery,
                      bench_history_sqlite, report_history)
from .jobs import Backends, bench_jobs
from .latency import bench_latency
from .report import draw, markdown, print_tables, write_csv
from .sports import bench_sports_bigquery, bench_sports_sqlite, report_sports
from .verify import VERIFY_SEASON, bench_verify


ALL_SECTIONS = ("core", "cold", "sports", "jobs", "history", "verify", "latency", "burst")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
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


WITHOUT_TABLE_COPIES = "BigQuery emulator, no table copy per DML"


def emulators_for_growth(backends: Backends, project: str) -> Iterator[tuple[str, ContextManager[Backends]]]:
    """Where what grows with the tables (season length, other sports) is measured: the emulator as
    shipped, then one that does not copy the whole table after every DML (its time-travel
    emulation; BigQuery's writes do not grow with the table: tests/harness/bqemulator_without_table_copies.py)."""
    yield "BigQuery emulator", nullcontext(backends)
    yield WITHOUT_TABLE_COPIES, _without_table_copies(project)


@contextmanager
def _without_table_copies(project: str) -> Iterator[Backends]:
    from tests.harness.emulators import start_bigquery

    log(f"starting a second BigQuery emulator: {WITHOUT_TABLE_COPIES}")
    emulator = start_bigquery(project, ROOT, table_copies=False)
    try:
        yield Backends.create(project, bigquery_endpoint=emulator.url)
    finally:
        emulator.stop()


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
            for label, growth in emulators_for_growth(backends, project):
                with growth as measured_on:
                    if "history" in sections and histories is not None:
                        guarded(results, f"history / {label}", lambda: histories.__setitem__(
                            label, bench_history_bigquery(measured_on, lengths, history_reps)))
                    if "sports" in sections and sports is not None:
                        guarded(results, f"sports / {label}", lambda: sports.__setitem__(
                            label, bench_sports_bigquery(measured_on, sports_days, PICKS_PER_DAY, sports_reps)))
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
