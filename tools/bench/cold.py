"""Section `cold`: import time of functions/main.py and of what the first message loads, in a
fresh interpreter (`python -X importtime`); and how fast `picklock --help` and `picklock status`
start beside a bare interpreter."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time

from . import ROOT
from .common import TODAY, Results, log, median, ms, table, verdict

# Issue 15: `picklock --help` and `picklock status` start within this many times a bare interpreter.
CLI_START_TARGET = 2.0
# What the `picklock` console script runs (pyproject.toml, [project.scripts]).
_PICKLOCK = "import sys; from picklock.entrypoints.cli import main; sys.exit(main())"


_COLD_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
import main
t1 = time.perf_counter()
clients = ("google.cloud.bigquery", "google.cloud.storage", "google.cloud.pubsub_v1")
at_import = [m for m in clients if m in sys.modules]
if sys.argv[1] == "eager":
    import google.cloud.bigquery, google.cloud.storage, google.cloud.pubsub_v1
    print(json.dumps({"import": time.perf_counter() - t0}))
    sys.exit(0)
from picklock.entrypoints import functions
handlers = functions.handlers()
from picklock.validation import trigger_message
trigger_message("signal-updated", {"game_date": "2026-09-30"}, "message")  # what a handler does first
t2 = time.perf_counter()
at_first_message = [m for m in clients if m in sys.modules]
handlers.service.store.client
handlers.service.publisher.bucket
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first_message": t2 - t1, "clients": t3 - t2,
                  "at_import": at_import, "at_first_message": at_first_message,
                  "at_first_use": [m for m in clients if m in sys.modules]}))
"""


def parse_importtime(stderr: str) -> list[tuple[int, int, int, str]]:
    """(self µs, cumulative µs, depth, module) per line of `python -X importtime` output."""
    entries = []
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            entries.append((int(match.group(1)), int(match.group(2)), len(match.group(3)) // 2, match.group(4)))
    return entries


def top_level_after(entries, module: str) -> int:
    """Cumulative µs of the top-level imports that came after `module` (the lazy ones)."""
    names = [e[3] for e in entries]
    start = names.index(module) + 1
    return sum(e[1] for e in entries[start:] if e[2] == 0)


def cold_once(mode: str) -> dict:
    env = {**os.environ, "PICKLOCK_BACKEND": "gcp", "PICKLOCK_PROJECT": "bench-cold", "PICKLOCK_BUCKET": "bench-cold",
           "PICKLOCK_BIGQUERY_ENDPOINT": "http://127.0.0.1:9", "STORAGE_EMULATOR_HOST": "http://127.0.0.1:9",
           "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", _COLD_SCRIPT, mode], cwd=ROOT / "functions",
                          env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"cold start probe failed:\n{done.stderr[-3000:]}")
    entries = parse_importtime(done.stderr)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["main_us"] = next(e[1] for e in entries if e[3] == "main" and e[2] == 0)
    out["lazy_us"] = top_level_after(entries, "main")
    return out


def bench_cold(results: Results, runs: int) -> None:
    log(f"cold start: {runs} runs of python -X importtime")
    cold_once("lazy")  # compile and warm the page cache once, unmeasured
    lazy = [cold_once("lazy") for _ in range(runs)]
    eager = [cold_once("eager") for _ in range(runs)]
    main_import = median([r["main_us"] for r in lazy]) / 1e6
    lazy_imports = median([r["lazy_us"] for r in lazy]) / 1e6
    first_message = median([r["first_message"] for r in lazy])
    clients = median([r["clients"] for r in lazy])
    eager_import = median([r["main_us"] + r["lazy_us"] for r in eager]) / 1e6
    at_import = lazy[0]["at_import"]
    at_first = lazy[0]["at_first_message"]
    at_use = lazy[0]["at_first_use"]
    results.add("cold", "import functions/main.py (cumulative, -X importtime)", "picklock", main_import, "s", runs)
    results.add("cold", "import functions/main.py + client libraries", "baseline", eager_import, "s", runs,
                "eager: main + google.cloud.bigquery, storage, pubsub_v1 at module load")
    results.add("cold", "first message and first client use: lazy imports (cumulative)", "picklock", lazy_imports, "s", runs)
    results.add("cold", "first message: building the handlers, validating the message (wall)", "picklock",
                first_message, "s", runs)
    results.add("cold", "first use: creating the BigQuery and Storage clients (wall)", "picklock", clients, "s", runs)
    shown = lambda mods: ", ".join(m.removeprefix("google.cloud.") for m in mods) or "none"  # noqa: E731
    results.tables["cold"] = table(
        ("step (median of %d runs)" % runs, "picklock (lazy clients)", "baseline: eager imports"),
        [("`import main` (functions/main.py; all three functions)", ms(main_import), ms(eager_import)),
         ("client libraries loaded by `import main`", shown(at_import), "bigquery, storage, pubsub_v1"),
         ("lazy imports on the first message and first client use (cumulative)", ms(lazy_imports), "(paid at import)"),
         ("first message: building the handlers, validating the message (wall, incl. imports)",
          ms(first_message), ""),
         ("before the first export can start (import + first message)", ms(main_import + first_message),
          ms(eager_import) + " + handlers"),
         ("client libraries loaded after the first message", shown(at_first), ""),
         ("first BigQuery / Storage use: creating the clients (wall)", ms(clients), ""),
         ("client libraries loaded after first use", shown(at_use), "")])
    if "pubsub_v1" not in shown(at_use):
        results.notes.append("The Pub/Sub client library is never loaded on the export path: a function "
                             "imports it only to park a poison message.")
    bench_cli_start(results, 4 * runs)  # a start is short: more rounds, for a steadier median


def cli_starts(rounds: int) -> dict[str, list[float]]:
    """Wall seconds of a bare interpreter's start, `picklock --help` and `picklock status` on a home
    with nothing published, interleaved round by round so that the machine's load weighs on them
    alike. A first round, unmeasured, writes the .pyc files and the home."""
    env = {name: value for name, value in os.environ.items()
           if name != "PYTHONDONTWRITEBYTECODE" and not name.startswith("PICKLOCK_")}
    env["PYTHONPATH"] = str(ROOT / "shared")
    with tempfile.TemporaryDirectory() as home:
        commands = {"bare": [sys.executable, "-c", "pass"],
                    "help": [sys.executable, "-c", _PICKLOCK, "--help"],
                    "status": [sys.executable, "-c", _PICKLOCK, "--home", home, "status", "--date", TODAY.isoformat()]}
        seconds: dict[str, list[float]] = {name: [] for name in commands}
        for round_number in range(rounds + 1):
            for name, argv in commands.items():
                started = time.perf_counter()
                subprocess.run(argv, cwd=home, env=env, capture_output=True, check=True, timeout=60)
                if round_number:
                    seconds[name].append(time.perf_counter() - started)
    return seconds


def bench_cli_start(results: Results, rounds: int) -> None:
    log(f"CLI start: {rounds} rounds of python -c pass, picklock --help, picklock status")
    load = f"load average {os.getloadavg()[0]:.2f} at the start"
    seconds = cli_starts(rounds)
    results.machine.append(f"CLI start: {load}, {os.getloadavg()[0]:.2f} at the end")
    bare = results.add("cold", "start: bare interpreter, python -c pass (wall)", "baseline", median(seconds["bare"]),
                       "s", rounds)
    rows = [("bare interpreter (`python -c pass`)", ms(bare), "1×")]
    for name, command in (("help", "`picklock --help`"), ("status", "`picklock status`")):
        value = results.add("cold", f"start: {command.strip('`')} (wall)", "picklock", median(seconds[name]), "s",
                            rounds)
        paired = median([c / b for b, c in zip(seconds["bare"], seconds[name])])
        rows.append((command, ms(value), f"{value / bare:.2f}×"))
        results.targets.append((f"{command} start ÷ a bare interpreter's (`python -c pass`)",
                                f"{value / bare:.2f}× (paired {paired:.2f}×; {ms(value)} vs {ms(bare)})",
                                f"≤ {CLI_START_TARGET:g}×", verdict(value / bare, CLI_START_TARGET)))
    results.tables["cold"] += (
        "\n\nThe CLI's start, as its console script runs it, beside a bare interpreter: the three interleaved "
        "round by round; `status` on a home with nothing published.\n\n"
        + table((f"start (median of {rounds} rounds, wall)", "time", "÷ bare interpreter"), rows))
