"""Section `latency`: signal-updated / manual-picks published -> all.json's generation changes,
through Pub/Sub push on the local stack (LocalStack), p50/p95, beside the floor measured in the same
run: Pub/Sub push delivery to an endpoint that does nothing, one read job, one write job and one
object write on the same emulators."""
from __future__ import annotations

import http.server
import json
import os
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable

from tests.harness.nba_paths import ALL_JSON

from .common import (POLL_SECONDS, TODAY, Results, log, manual_payload, median, ms, percentile, signal_rows,
                     table, verdict)


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


def export_timings(log_path: Path) -> list[dict[str, float]]:
    """The step timings (ms) of every export a function logged, in order (its `timings_ms`)."""
    with open(log_path, "rb") as f:
        lines = [json.loads(line) for line in f if line.startswith(b"{") and b'"timings_ms"' in line]
    return [line["timings_ms"] for line in lines]


VISIBLE_STEP = "write all.json"  # the site sees the new all.json once this step is done


def steps_in_order(entries: Iterable[dict[str, float]]) -> list[str]:
    """Every step the entries name, in the order they first appear (the order the steps ran)."""
    steps: list[str] = []
    for entry in entries:
        steps += [step for step in entry if step not in steps]
    return steps


def step_medians(timings: list[dict[str, float]]) -> dict[str, float]:
    """Each step's median (ms) over exports, in the order the steps ran, up to all.json's write."""
    steps = steps_in_order(timings)
    visible = steps[:steps.index(VISIBLE_STEP) + 1] if VISIBLE_STEP in steps else steps
    return {step: median([entry.get(step, 0.0) for entry in timings]) for step in visible}


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


LATENCY_TARGETS = {"p50": 3.0, "p95": 6.0}  # publish -> all.json ÷ the floor (issue "The fast path")


class PushProbe:
    """An HTTP endpoint that only notes when each pushed message arrives: push delivery's floor."""

    def __init__(self):
        self.arrived: dict[bytes, float] = {}
        probe = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                probe.arrived.setdefault(body, time.perf_counter())
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/push"

    def wait(self, count: int, timeout: float = 10.0) -> float | None:
        """When the `count`-th distinct message arrived; None if it did not within `timeout`."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if len(self.arrived) >= count:
                return sorted(self.arrived.values())[count - 1]
            time.sleep(0.002)
        return None


def measure_floor(stack, count: int) -> dict[str, list[float]]:
    """`count` samples of each step of the floor on the stack's emulators: publish -> push arrival
    at a no-op endpoint, SELECT 1, a 1-row INSERT, a small object write."""
    from google.cloud import bigquery

    from picklock.adapters.pubsub import provision_topic

    probe, topic = PushProbe(), f"floor-{uuid.uuid4().hex[:6]}"
    provision_topic(stack.project, topic, probe.url)
    client, table = stack.store.client, f"{stack.store.dataset}.floor_probe"
    client.query_and_wait(f"CREATE TABLE IF NOT EXISTS `{table}` (x INT64)")
    blob = stack.bucket.blob("floor-probe.json")
    steps = {
        "read job (SELECT 1)": lambda: list(client.query_and_wait("SELECT 1")),
        "write job (1-row INSERT)": lambda: client.query_and_wait(
            f"INSERT INTO `{table}` (x) VALUES (@x)",
            job_config=bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("x", "INT64", 1)])),
        "object write": lambda: blob.upload_from_string('{"x": 1}', content_type="application/json"),
    }
    samples: dict[str, list[float]] = {"push delivery": [], **{name: [] for name in steps}}
    try:
        for k in range(1, count + 1):
            started = time.perf_counter()
            stack.pubsub.publish(topic, {"k": k})
            arrived = probe.wait(k)
            if arrived is not None:
                samples["push delivery"].append(arrived - started)
            for name, step in steps.items():
                started = time.perf_counter()
                step()
                samples[name].append(time.perf_counter() - started)
    finally:
        probe.server.shutdown()
    return samples


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
    logged_cold = {name: len(export_timings(logs[name])) for name in paths}
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
    log(f"latency: {count} samples of the floor on the same emulators")
    floor = measure_floor(stack, count)
    floor_p50 = sum(median(v) for v in floor.values() if v)
    floor_p95 = sum(percentile(v, 95) for v in floor.values() if v)
    results.add("latency", "floor p50 (push delivery + read job + write job + object write)", "floor", floor_p50, "s", count)
    results.add("latency", "floor p95", "floor", floor_p95, "s", count)
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
        ratios = {"p50": p50 / floor_p50 if p50 else None, "p95": p95 / floor_p95 if p95 else None}
        for q, value in ratios.items():
            results.add("latency", f"{name} -> all.json {q} ÷ floor {q}", "picklock", value, "ratio", len(samples))
            results.targets.append((f"`{name}` → all.json {q} ÷ the floor's {q} (local stack)",
                                    f"{value:.2f}×" if value else "—", f"≤ {LATENCY_TARGETS[q]:g}×",
                                    verdict(value, LATENCY_TARGETS[q])))
        rows_out.append((f"`{name}` published → all.json generation changes", len(samples), ms(p50), ms(p95),
                         ms(max(samples) if samples else None), ms(first[0] if first else None),
                         f"{ratios['p50']:.1f}× · {ratios['p95']:.1f}×" if p50 and p95 else "—"))
    rows_out.append(("floor: push delivery to a no-op endpoint + SELECT 1 + 1-row INSERT + object write", count,
                     ms(floor_p50), ms(floor_p95), "—", "—", "1×"))
    results.tables["latency"] = table(
        ("path (Pub/Sub emulator push → functions-framework → BigQuery + GCS emulators)", "n", "p50", "p95", "max",
         "first message (cold function)", "÷ floor (p50 · p95)"), rows_out)
    results.tables["latency"] += "\n\nThe floor, step by step (p50 · p95): " + "; ".join(
        f"{name} {ms(median(v))} · {ms(percentile(v, 95))}" for name, v in floor.items() if v) + "."
    results.tables["latency"] += f"\n\nMachine during the warm samples: {load}."
    results.tables["latency"] += "\n\n" + latency_breakdown(
        results, {name: export_timings(logs[name])[logged_cold[name]:] for name in paths}, warm, floor)
    if in_process is not None:
        results.tables["latency"] += (f" For reference, the export itself takes {ms(in_process)} (median, in-process "
                                      "on the same emulators, first table); the rest is Pub/Sub push delivery, "
                                      "the HTTP hop and the 20 ms polling of the bucket.")


def latency_breakdown(results: Results, timings: dict[str, list[dict[str, float]]], warm: dict[str, list[float]],
                      floor: dict[str, list[float]]) -> str:
    """publish -> all.json, step by step: push delivery (the floor's), the export's steps up to
    all.json's write (medians of what the functions logged for the warm samples), and the rest of
    the p50."""
    push = median(floor["push delivery"]) * 1000 if floor["push delivery"] else 0.0
    header = ["step (median, ms)", *(f"`{name}`" for name in timings), "floor"]
    medians = {name: step_medians(entries) for name, entries in timings.items() if entries}
    steps = steps_in_order(medians.values())
    floor_steps = {"read store": "read job (SELECT 1)", "write ledger": "write job (1-row INSERT)",
                   VISIBLE_STEP: "object write"}
    floor_of = lambda step: (f"{median(floor[floor_steps[step]]) * 1000:.1f}"  # noqa: E731
                             if step in floor_steps and floor[floor_steps[step]] else "—")
    rows = [("push delivery (Pub/Sub emulator → endpoint)", *(f"{push:.1f}" for _ in timings), f"{push:.1f}")]
    rows += [(f"export: {step}", *(f"{medians.get(name, {}).get(step, 0.0):.1f}" for name in timings), floor_of(step))
             for step in steps]
    rest = []
    for name in timings:
        visible = sum(medians.get(name, {}).values())
        results.add("latency", f"{name}: export steps up to all.json's write, median sum", "picklock",
                    visible / 1000, "s", len(timings[name]))
        rest.append(f"{median(warm[name]) * 1000 - push - visible:.1f}" if warm[name] else "—")
    rows.append(("the rest: the HTTP hop into the function, the 20 ms poll; for `manual-picks`, recording the "
                  "command first (an add: one conditional insert job, no read)", *rest, "—"))
    return ("publish → all.json, step by step: push delivery as the floor measured it, then the export's steps "
            "up to all.json's write as the functions logged them (`timings_ms`, medians over the warm samples), "
            "then what remains of the p50.\n\n" + table(header, rows))
