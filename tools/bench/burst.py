"""Section `burst`: a flood of signal-updated messages through Pub/Sub push on the local stack;
exports, writes and jobs counted from the functions' and the emulators' logs."""
from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Iterable

from .common import TODAY, Results, log, ms, signal_rows, table
from .latency import all_json_generation, latency_run


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
