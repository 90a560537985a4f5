"""Section `history`: NBA's export of today with 1 to 365 days of history in the tables, on
SQLite and on the emulators next to the naive baseline; all.json after a long season; the targets
of the issue "The public record"."""
from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Sequence

from picklock.adapters import rows
from picklock.domain.export import plan_export
from picklock.domain.record import details_start
from picklock.domain.render import PublishedDocument
from picklock.service_layer.services import new_export_id
from tests.harness.nba_paths import ALL_JSON, NBA

from .common import (NOW, PICKS_PER_DAY, TODAY, Results, TickingClock, Traffic, log, measure, median, ms,
                     picklock_read_bytes, row_bytes, season_dates, signal_rows, size, table, verdict)
from .jobs import Backends
from .seed import append_by_days, history, seed_history


HISTORY_LENGTHS = (1, 56, 180, 365)  # 56: 8 weeks, from where all.json has its full shape (WEEKS_SHOWN)
RATIO_TARGET = 1.25  # export of today with a year of history ÷ with 1 day (issue "The public record")
NAIVE_TARGET = 1.0  # picklock's changed export ÷ the naive baseline's, on the emulators at 180 days
ALL_JSON_TARGET = 200_000  # bytes of all.json after a 200-day season with 15 picks a day
ALL_JSON_SEASON = (200, 15)  # days, picks a day


def season_audit_rows(days: int, picks: int = PICKS_PER_DAY) -> int:
    """Audit rows of the season's earlier dates in a store seeded with `days` of history: the rows
    the season part of the read visits to keep the latest summary of each date."""
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
            m["season_days"] = season_dates(inputs)
            m["season_picks"] = sum(len(t.picks) for t in inputs.season_tallies)  # of the weeks shown pick by pick
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
    """How SQLite runs SqliteStore's season read, and its time alone: the latest tally of the dates
    shown pick by pick with the summary written beside it (_LATEST_TALLIES) and the latest day
    summary of every earlier date (_LATEST_SUMMARIES), each in SQL and then decoded."""
    import sqlite3

    from picklock.adapters import sqlite_store

    details_from = details_start(TODAY, NBA.season_start(TODAY)).isoformat()
    season = ("nba", NBA.season_start(TODAY).isoformat(), details_from)
    recent = ("nba", details_from, TODAY.isoformat())
    with contextlib.closing(sqlite3.connect(path)) as connection:
        plan = "; ".join(row[-1] for row in connection.execute(
            "EXPLAIN QUERY PLAN " + sqlite_store._LATEST_SUMMARIES, season).fetchall())
        sql, decoded = [], []
        for _ in range(runs):
            started = time.perf_counter()
            summaries = [text for (text,) in connection.execute(sqlite_store._LATEST_SUMMARIES, season)]
            details = connection.execute(sqlite_store._LATEST_TALLIES, recent).fetchall()
            middle = time.perf_counter()
            tallies, _ = rows.season_days(summaries, details)
            sql.append(middle - started)
            decoded.append(time.perf_counter() - middle)
    return {"plan": plan, "sql": median(sql), "decode": median(decoded), "rows": len(summaries),
            "tallies": len(tallies), "bytes": sum(map(len, summaries)) + sum(len(t) + len(s or "") for t, s in details)}


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
                    ("read with the season (latest summary per date, tallies of the weeks shown)", s["read_with"], "s"),
                    ("read without the season", s["read_without"], "s"),
                    ("plan_export on the inputs read (pure)", s["plan"], "s"),
                    ("naive baseline export, signal changed: wall time", naive, "s"),
                    ("season days read (summaries)", m["season_days"], "days"),
                    ("audit rows of the season's earlier dates", m["season_audit_rows"], "rows"),
                    ("all.json", m.get("all_json_bytes"), "bytes"),
                    ("audit row of a changed export (est. logical bytes)", m.get("audit_row_bytes"), "bytes"),
                    ("est. bytes: date partitions", est["date"] if est else None, "bytes"),
                    ("est. bytes: season part (audit: day summaries of the season, tallies of the weeks shown)",
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
            if backend == "BigQuery emulator":
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
                f"{backend}: cost flat in history length ({', '.join(str(d) for d in sorted(lengths))} days): jobs; est. bytes "
                "of the date partitions; of the season part (one day summary per earlier date, the tallies of the "
                "weeks shown)", "flat; season part small",
                "jobs " + " · ".join(f"{median([c['bq_read'] for c in m['counts']['changed']]):g}R/"
                                     f"{median([c['bq_write'] for c in m['counts']['changed']]):g}W"
                                     for _, m in sorted(lengths.items()))
                + "; date partitions " + " · ".join(size(m["bytes"]["date"]) for _, m in sorted(lengths.items()))
                + "; season part " + " · ".join(size(m["bytes"]["season"]) for _, m in sorted(lengths.items()))))
        if "tally_query" in section:
            q = section["tally_query"]
            results.notes.append(
                f"history / SQLite: the season read (`_LATEST_SUMMARIES`: {q['rows']} day summaries, and "
                f"`_LATEST_TALLIES`: {q['tallies']} tallies of the weeks shown pick by pick; {size(q['bytes'])}) runs "
                f"as `{q['plan']}`; at {longest['days']} days it takes {ms(q['sql'])} in SQL and {ms(q['decode'])} "
                f"to decode (median of 7, the read alone on the store's file).")
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
                f"({longest['season_days']} earlier days: a day summary each, or a tally in the weeks shown, "
                f"{longest['season_picks']:,} picks), the pure plan (record, "
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
