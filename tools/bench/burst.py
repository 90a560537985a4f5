"""Section `burst`: a flood of signal-updated messages through Pub/Sub push on the local stack;
messages handled (exported or covered), exports, writes and jobs counted from the functions' and the
emulators' logs, beside the targets of coalescing."""
from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Iterable

from .common import TODAY, Results, log, ms, signal_rows, table, verdict
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


BURST_TARGETS = {"exports": 10, "jobs": 30, "seconds": 10.0}  # for 200 messages (issue "The fast path")


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
    ids = {future.result(timeout=60) for future in futures}
    published_in = time.perf_counter() - started
    drained_in = None
    deadline = started + max(120.0, count * 1.5)
    while time.perf_counter() < deadline:
        # Every message ends in one log line with its outcome: published, unchanged or covered.
        if ids <= {e.get("message_id") for e in json_lines(function_log.new_lines()) if e.get("outcome")}:
            drained_in = time.perf_counter() - started
            break
        time.sleep(0.1)
    time.sleep(1.0)  # the last export's log lines, and the emulators' access logs
    entries = json_lines(function_log.new_lines())
    handled = {e["message_id"]: e["outcome"] for e in entries if e.get("outcome") and e.get("message_id") in ids}
    outcomes = Counter(handled.values())
    covered = outcomes.pop("covered", 0)
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
            ("messages handled (exported or covered)", len(handled), count, "count"),
            ("messages covered by an export that started after them", covered, 0, "count"),
            ("exports run", exports, count, "count"),
            ("exports that published a new version", outcomes.get("published", 0), count, "count"),
            ("Cloud Storage writes", writes, naive_writes, "count"),
            ("Cloud Storage writes refused (412, lost a race)", refused, None, "count"),
            ("BigQuery jobs", jobs, naive_jobs, "count"),
            ("seconds until every message was handled", drained_in, None, "s")):
        results.add("burst", metric, "picklock", p, unit, count)
        if b is not None:
            results.add("burst", metric, "baseline", b, unit, count,
                        "derived: the naive export's measured per-export counts × messages" if "published" not in metric else "")
    results.notes.append(f"burst: {races} publish race(s) lost and retried, {errors} error log line(s); "
                         f"outcomes {dict(outcomes)}.")
    body = [("messages published", f"{count} in {ms(published_in)}", f"{count}"),
            ("messages handled (acknowledged)", len(handled), count),
            ("… covered by an export that started after they were published", covered, 0),
            ("exports run (each reads BigQuery once)", exports, count),
            ("… that published a new all.json", outcomes.get("published", 0), f"{count} (always writes)"),
            ("Cloud Storage writes (succeeded)", writes, f"{naive_writes:g} (to 2 object names)"),
            ("Cloud Storage writes refused (412: a concurrent export won)", refused, "n/a (no preconditions)"),
            ("BigQuery jobs (from the emulator's log)", jobs, f"{naive_jobs:g}"),
            ("time until the last message was handled", f"{drained_in:.1f} s" if drained_in else "timed out", "")]
    if count == 200:
        for what, value, limit, unit in (
                ("exports that read BigQuery", exports, BURST_TARGETS["exports"], ""),
                ("BigQuery jobs", jobs, BURST_TARGETS["jobs"], ""),
                ("seconds until the last message was handled", drained_in, BURST_TARGETS["seconds"], " s")):
            results.targets.append((f"burst of 200 signal-updated messages: {what}",
                                    f"{value:.3g}{unit}" if value is not None else "timed out", f"≤ {limit:g}{unit}",
                                    verdict(value, limit)))
        results.targets.append(("burst of 200: every message handled", f"{len(handled)} of {count}", "all",
                                "PASS" if len(handled) == count else "FAIL"))
    results.tables["burst"] = table(("200-message burst" if count == 200 else f"{count}-message burst",
                                     "picklock (measured)", "naive baseline (derived)"), body)
