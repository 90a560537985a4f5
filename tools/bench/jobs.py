"""Section `jobs`: BigQuery jobs, bytes and Cloud Storage writes per export, picklock next to the
naive baseline (tools/bench_baseline.py), in-process on the emulators and counted from the clients'
HTTP requests. `Backends` (the counted clients) serves every section on the emulators."""
from __future__ import annotations

import os
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from .common import (TODAY, Results, TickingClock, Traffic, log, manual_command, measure, median, ms,
                     naive_bytes, picklock_read_bytes, ratio, signal_rows, size, table, written_bytes)


@dataclass
class Backends:
    project: str
    traffic: Traffic
    bq: Any  # counted BigQuery client
    gcs: Any  # counted Storage client
    plain_bq: Any  # uncounted: seeding and estimates only
    plain_gcs: Any

    @classmethod
    def create(cls, project: str, bigquery_endpoint: str | None = None) -> Backends:
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage

        from picklock.adapters.bigquery_store import make_client

        endpoint = bigquery_endpoint or os.environ["PICKLOCK_BIGQUERY_ENDPOINT"]
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
            "at 10 picks: the row names the version it found (`same_as`) instead of repeating its document; "
            "`audit show` gives that version's document back (G4). Coalesced messages insert nothing.")
    return measured
