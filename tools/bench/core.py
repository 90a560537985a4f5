"""Section `core`: plan_export (merge_and_lock + render + audit, no I/O) from 10 to 100,000 picks
per date."""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta
from typing import Any, Sequence

from picklock.domain.export import ExportInputs, plan_export
from picklock.domain.merge import MergeInputs, merge_and_lock
from picklock.domain.render import PublishedDocument
from picklock.service_layer.services import new_export_id
from tests.harness.nba_paths import NBA

from .common import NOW, TODAY, Results, log, median, ms, signal_rows, size, table


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
