"""`make bench` (`python -m bench` with tools/ on the path): one module per section of the run.

    common    the bench's day and data, the figures and their formatting, requests and bytes counted
    seed      past game dates made by the pure core, for the sections that need history
    core      the pure core, 10 to 100,000 picks per date
    cold      cold start (-X importtime)
    jobs      cost per export on the emulators, next to the naive baseline (tools/bench_baseline.py)
    history   history length, all.json's size and the targets of "The public record"
    verify    `picklock verify` over a season of local files
    sports    one sport among many
    latency   message published -> all.json, through Pub/Sub push
    burst     a flood of messages through Pub/Sub push
    report    results.csv, the chart, docs/BENCHMARKS.md, the printed tables
    cli       main: the arguments, the order of the sections, the emulators

Importing the package puts shared/, the repository root and tools/ on sys.path, as its modules need.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for _path in (ROOT / "shared", ROOT, ROOT / "tools"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
