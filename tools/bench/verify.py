"""Section `verify`: `picklock verify` over a season of local files."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.harness.nba_paths import NBA

from .common import TODAY, Results, TickingClock, log, median, signal_rows, verdict


VERIFY_SEASON = (200, 15)  # days, picks a day
VERIFY_TARGET_SECONDS = 10.0


def bench_verify(results: Results, days: int, picks: int, runs: int = 3) -> None:
    """`picklock verify` over a season of local files: every export of every day through the
    service (the per-date versions, snapshots, indexes and all.json a real season leaves), then
    the whole season verified `runs` times, as any reader would from the bucket directory."""
    import tempfile

    from picklock.adapters.http_files import BucketFiles
    from picklock.adapters.local_publisher import LocalPublisher
    from picklock.adapters.sqlite_store import SqliteStore
    from picklock.domain.picks import GameResult
    from picklock.service_layer.services import PicklockService
    from picklock.service_layer.verification import verify

    log(f"verify: a {days}-day season with {picks} picks a day, exported day by day")
    first = TODAY - timedelta(days=days)  # the last day's grading runs on TODAY, still in the season
    with tempfile.TemporaryDirectory(prefix="picklock-bench-verify-") as tmp:
        clock = TickingClock()
        service = PicklockService(SqliteStore(Path(tmp) / "picklock.sqlite3"), LocalPublisher(Path(tmp) / "bucket"),
                                  clock=clock)
        for n in range(days):
            day = first + timedelta(days=n)
            clock.at = datetime(day.year, day.month, day.day, 16, tzinfo=timezone.utc)
            service.store.replace_signal(day, signal_rows(day, 0, picks))
            service.export(day, "signal_updated")
            clock.at += timedelta(hours=22)  # the next morning, after the games
            service.store.replace_results(day, [GameResult(day, row.player_lookup, row.stat, row.line + (1 if i % 3 else -1))
                                                for i, row in enumerate(signal_rows(day, 0, picks))])
            service.grade(day)
        files = BucketFiles(LocalPublisher(Path(tmp) / "bucket"))
        seconds, report = [], None
        for _ in range(runs):
            started = time.perf_counter()
            report = verify(files, NBA)
            seconds.append(time.perf_counter() - started)
    assert report is not None and report.ok, report.summary()
    results.add("verify", f"picklock verify, {days}-day season of local files ({report.versions} versions, "
                          f"{report.picks} picks)", "picklock", median(seconds), "s", runs, "median")
    results.targets.append((f"verify a {days}-day season of local files, {picks} picks a day",
                            f"{median(seconds):.2f} s ({report.dates} dates, {report.versions} versions)",
                            f"≤ {VERIFY_TARGET_SECONDS:g} s", verdict(median(seconds), VERIFY_TARGET_SECONDS)))
