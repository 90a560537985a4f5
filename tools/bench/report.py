"""The outputs of a run: results.csv, the scaling chart, the Markdown of docs/BENCHMARKS.md and the
tables printed at the end."""
from __future__ import annotations

import csv
import os
import platform
import time
from pathlib import Path

from .common import Results, log, table


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
        twin.plot(list(x), [m["bytes_season"] / 1e3 for m in hist], "r^--", label="est. kB: season part (day summaries, recent tallies)")
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
        parts += ["### Targets (issues \"The public record\" and \"The fast path\")", "",
                  table(("target", "measured", "limit", "verdict"), results.targets), "",
                  "Why the targets that fail do, what was tried and what it would take: "
                  "[PERFORMANCE.md](PERFORMANCE.md).", "",
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
        "and day summary "
        "and, where it wrote all.json, that day's season-long all.json (as production accumulates them). The "
        "bench's day is the last of NBA's 2025-26 season, so 364 of 365 days of history are in the season read. "
        "Every store is seeded first; then rounds of NBA's export of today after a signal change, the order of "
        "the stores rotating each round and picklock alternating with the baseline, then unchanged exports, "
        "then the read alone with and without the season and `plan_export` alone on what it returned. Past "
        "dates' signal and results are not seeded: no statement reads them. Bytes (emulators): the date "
        "partitions of every table the one read references, and its season part (the audit columns `game_date, "
        "sport, exported_at, export_id` with `day_summary` of the season's earlier dates, and with `tally` of "
        "the dates shown pick by pick). \"paired\": the median of the "
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
        "functions' logs give each message's outcome (an export's, or `covered` when an export that started after "
        "the message was published had already run: service_layer/coalescing.py); the emulators' access logs give the Cloud Storage "
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
