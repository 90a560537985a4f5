"""Section `latency`: signal-updated / manual-picks published -> all.json's generation changes,
through Pub/Sub push on the local stack (LocalStack), p50/p95."""
from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path
from typing import Callable

from tests.harness.nba_paths import ALL_JSON

from .common import (POLL_SECONDS, TODAY, Results, log, manual_payload, median, ms, percentile, signal_rows,
                     table)


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
