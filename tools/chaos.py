"""make chaos: the full reliability run (tests/reliability at full scale) against the emulators,
the local stack and the embedded backend; prints its figures and, when every check passed, writes
them to docs/RELIABILITY.md (its `## Reliability` section). Exits non-zero on any violation.

    python tools/chaos.py            # full: 50 concurrency rounds, 200-message burst, ... (~10 min)
    python tools/chaos.py --quick    # the scale `make test` runs, figures printed, docs untouched

The tests start what they need: the emulators (tests/harness/emulators.py, installed here first so
an install shows its progress) and, for the Pub/Sub scenarios, the local stack of functions.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "shared"), str(REPO)]

from tests.harness.emulators import ensure_installed  # noqa: E402
from tests.reliability.support import FIGURES_ENV, SCALE_ENV  # noqa: E402

DOC = REPO / "docs" / "RELIABILITY.md"
SECTION = "## Reliability"
RUN_TIMEOUT_SECONDS = 30 * 60


# Run side by side: the concurrency rounds keep both cores busy, while the other scenarios mostly
# wait (on retry budgets, redelivery backoff, a draining burst). Each group starts its own emulators.
GROUPS = {
    "concurrency": ["tests/reliability/test_concurrent_exports.py"],
    "the other scenarios": ["tests/reliability", "--ignore=tests/reliability/test_concurrent_exports.py"],
}


def run_tests(scale: str, figures: Path, scratch: Path) -> int:
    """Both groups at once; their outputs are printed as each finishes. The worst exit code."""
    env = {**os.environ, SCALE_ENV: scale, FIGURES_ENV: str(figures)}
    running = {}
    for name, arguments in GROUPS.items():
        log = open(scratch / f"{name}.log", "wb")
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:logging", *arguments]
        running[name] = (subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT), log)
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    codes = []
    for name, (process, log) in running.items():
        try:
            codes.append(process.wait(timeout=max(0.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            print(f"chaos: {name} took over {RUN_TIMEOUT_SECONDS // 60} minutes; stopped", file=sys.stderr)
            codes.append(1)
        log.close()
        print(f"--- {name}\n" + (scratch / f"{name}.log").read_text(encoding="utf-8", errors="replace"))
    return next((code for code in codes if code), 0)


def load(figures: Path) -> list[dict]:
    if not figures.exists():
        return []
    return [json.loads(line) for line in figures.read_text(encoding="utf-8").splitlines()]


def rows(results: list[dict]) -> list[tuple[str, str]]:
    """(scenario, figures) lines of the table, in the order of the issue."""
    by_test = {r["test"]: r for r in results}
    out = []
    if c := by_test.get("concurrency"):
        out.append(("Concurrency: 8 exports at once, mixed triggers, the signal rewritten between and during rounds (emulators)",
                    f"{c['rounds']} rounds, {c['exports']} exports ({c['published']} published, {c['unchanged']} "
                    f"unchanged, {c['conflicts']} gave up after 6 lost races), {c['lost_races']} lost races retried; "
                    f"{c['versions_checked']} versions checked: {c['locks_lost']} locks lost, {c['live_duplicates']} "
                    f"live duplicates, {c['stale_overwrites']} stale overwrites, {c['unaudited_versions']} unaudited, "
                    f"{c['published_fields_changed']} published fields changed, {c['cross_file_gaps']} cross-file gaps; "
                    f"{c['seconds']} s"))
    if s := by_test.get("staged two-file race"):
        out.append(("Two-file race, staged: all.json written after a per-date file it lags (embedded)",
                    f"picks shown in the per-date file before all.json caught up: {s['cross_file_gaps']}; "
                    f"{s['locks_lost']} locks lost in either file, both converged"))
    crashes = [r for r in results if r["test"].startswith("crash ")]
    if crashes:
        backends = sorted({r["backend"] for r in crashes})
        steps = list(dict.fromkeys(r["step"] for r in crashes))
        out.append(("Crash: SIGKILL at each step, then the next export (" + " and ".join(backends) + ")",
                    f"{sum(r['crashes'] for r in crashes)} crashes at {len(steps)} steps ({', '.join(steps)}); "
                    f"{sum(r['recovered'] for r in crashes)} unaudited versions recovered; 0 locks lost, "
                    f"0 unaudited, every end equal to a crash-free twin; "
                    f"{round(sum(r['seconds'] for r in crashes), 1)} s"))
    for backend in ("embedded", "emulators"):
        if r := by_test.get(f"redelivery ({backend})"):
            out.append((f"Redelivery: 1-3 deliveries each, shuffled, vs once in order ({backend})",
                        f"{r['orders']} orders of {r['messages']} messages, {r['deliveries']} deliveries; "
                        f"{r['differences']} differences in manual state and live picks; {r['seconds']} s"))
    for backend in ("embedded", "emulators"):
        if k := by_test.get(f"skewed clocks ({backend})"):
            out.append((f"Skewed clocks: {k['exporters']} exporters and {k['operators']} operators, each clock up to "
                        f"±{k['max_skew_minutes']} min off (2 frozen); exports beside voids, removes and adds by CLI "
                        f"and by Pub/Sub message ({backend})",
                        f"{k['rounds']} rounds, {k['exports']} exports ({k['published']} published, {k['unchanged']} "
                        f"unchanged, {k['gave_up']} gave up after 6 lost races), {k['commands']} commands "
                        f"({k['voids']} voids, {k['removes']} removes, {k['adds']} adds, {k['readds']} re-adds; "
                        f"{k['by_cli']} by CLI, {k['by_message']} by message); {k['versions_checked']} versions "
                        f"checked: {k['voids_lost']} voids lost, {k['locks_lost']} locks lost, {k['live_duplicates']} "
                        f"live duplicates, {k['adds_lost']} adds lost, {k['refused'] + k['parked']} commands refused "
                        f"or parked; {k['seconds']} s"))
    if t := by_test.get("transient faults"):
        out.append(("Transient faults: 15% of requests 503, 10% of write replies lost, 5% delayed (emulators)",
                    f"{t['exports']} exports, {t['requests']} requests, {t['faults_injected']} faults injected "
                    f"({t['unavailable']} 503, {t['lost_replies']} lost replies, {t['delayed']} delays), "
                    f"{t['retried']} retried by the clients, {t['redelivered']} deliveries repeated after a failure; "
                    f"{t['versions_checked']} versions checked, {t['violations']} violations; longest export "
                    f"{t['longest_export_seconds']} s; {t['seconds']} s"))
    for r in results:
        if r["test"].startswith("persistent fault: "):
            out.append((f"Persistent fault: {r['placement']}",
                        f"every attempt failed ({r['failed_attempts']}), the longest after {r['longest_failure_seconds']} s "
                        f"({r['faults_injected']} faults); after healing: {r['healed_outcome']}, "
                        f"{r['violations']} violations"))
    if p := by_test.get("persistent fault through Pub/Sub"):
        out.append(("Persistent fault through Pub/Sub (local stack): audit inserts refused",
                    f"parked on the dead-letter topic after {p['deliveries']} deliveries, {p['parked_after_seconds']} s; "
                    f"{p['faults_injected']} faults; after healing {p['violations']} violations"))
    if b := by_test.get("burst"):
        out.append(("Burst: signal-updated messages for one date (local stack)",
                    f"{b['messages']} messages published in {b['published_within_seconds']} s, drained in "
                    f"{b['drained_in_seconds']} s: {b['published']} published, {b['unchanged']} unchanged; "
                    f"{b['storage_writes']} Cloud Storage writes ({b['date_file_writes']} per-date file, "
                    f"{b['all_json_writes']} all.json, {b['snapshot_writes']} snapshots); {b['violations']} violations"))
    if i := by_test.get("bad input corpus"):
        fuzz = [r for r in results if r["test"].startswith("fuzz ")]
        out.append(("Bad input: corpus and fuzz",
                    f"{i['messages']} messages parked, {i['cli_cases_run']} of {i['files'] + i['invocations']} files "
                    f"and CLI invocations refused with exit 2, each with its specific error and nothing changed; "
                    f"fuzz: {sum(r['examples'] for r in fuzz)} messages, {sum(r['parked'] for r in fuzz)} parked, "
                    f"{sum(r['accepted'] for r in fuzz)} accepted well-formed, 0 other exceptions"))
    return out


def data_lost(results: list[dict]) -> int:
    return sum(r.get("locks_lost", 0) + r.get("violations", 0) for r in results)


def table(lines: list[tuple[str, str]]) -> str:
    return "\n".join(["| Scenario | Figures |", "|---|---|"] + [f"| {a} | {b} |" for a, b in lines])


def section(results: list[dict], seconds: float) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"{SECTION}\n\nFigures of the latest full run, {when}: {seconds / 60:.1f} minutes on "
            f"{os.cpu_count()} cores (the concurrency rounds beside the other scenarios; a scenario's "
            f"seconds are its own). Reproduce them with `make chaos`; the quick version of every "
            f"scenario runs inside `make test`.\n\n{table(rows(results))}\n\n"
            f"**Data lost: {data_lost(results)}.**\n")


def write_doc(text: str) -> None:
    """Replace the `## Reliability` section of the doc (up to the next `## ` heading), keeping the rest."""
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Reliability\n\n"
    if SECTION + "\n" in doc:
        before, rest = doc.split(SECTION + "\n", 1)
        after = rest[rest.index("\n## ") + 1:] if "\n## " in rest else ""
        doc = before + text + ("\n" + after if after else "")
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(doc, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the scale of `make test`; docs untouched")
    args = parser.parse_args()
    scale = "quick" if args.quick else "full"
    ensure_installed(REPO)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="picklock-chaos-") as scratch:
        figures = Path(scratch) / "figures.jsonl"
        code = run_tests(scale, figures, Path(scratch))
        results = load(figures)
    seconds = time.monotonic() - started
    lines = rows(results)
    width = max((len(a) for a, _ in lines), default=0)
    print(f"\nchaos ({scale}): {seconds / 60:.1f} minutes, pytest exit {code}")
    for scenario, figures_text in lines:
        print(f"  {scenario.ljust(width)}  {figures_text}")
    print(f"  {'Data lost'.ljust(width)}  {data_lost(results)}")
    if code != 0 or data_lost(results):
        print("chaos: violations or failures above; docs/RELIABILITY.md left as it was", file=sys.stderr)
        return code or 1
    if scale == "full":
        write_doc(section(results, seconds))
        print(f"chaos: figures written to {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
