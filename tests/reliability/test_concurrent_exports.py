"""G1, G2, G4, G6 under concurrency: 8 exports of one date at once, with mixed triggers, on the
real BigQuery and Cloud Storage adapters (emulators), round after round: the signal changes before
each round and, every other round, again while its exports run; an operator voids or adds a pick
every third round. Every accepted write is recorded (fake-gcs-server keeps no versions) and every
version is checked."""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from picklock.domain.export import TRIGGERS
from picklock.domain.picks import ManualCommand
from picklock.service_layer.services import ExportConflict, PicklockService
from tests.harness.nba_paths import ALL_JSON

from tests.reliability.support import (
    DATE_FILE, GAME_DATE, RecordingPublisher, RunningClock, WriteLog, changed_published_fields,
    cross_file_gaps, date_versions, entries, generation_chain, live_duplicates, lost_locks, record_figures,
    scaled, signal_run, unaudited,
)

pytestmark = pytest.mark.emulators

EXPORTERS = 8
EXPORT_TIMEOUT_SECONDS = 120


def operator_command(rng: random.Random, round_number: int, clock, published: list[dict]) -> ManualCommand | None:
    """Every third round an operator acts: voids a live published pick, or adds a manual one."""
    if round_number % 3 != 2:
        return None
    submitted_at = clock() - timedelta(milliseconds=1)
    live = [e for e in published if e["status"] != "voided"]
    request_id = f"chaos-{round_number}"
    if live and rng.random() < 0.5:
        target = rng.choice(live)
        return ManualCommand(request_id, submitted_at, "void", GAME_DATE, target["player_lookup"], "ops",
                             stat=target["stat"], reason="chaos void")
    return ManualCommand(request_id, submitted_at, "add", GAME_DATE, f"bench{round_number}", "ops",
                         team="LAL", opponent="GSW", direction="OVER", line=12.5, player_name=f"Bench {round_number}")


def test_concurrent_exports_never_lose_a_lock_nor_overwrite_a_newer_file(cloud):
    rounds = scaled(2, 50)
    rng = random.Random(6)
    clock = RunningClock()
    log = WriteLog()
    exporters = [PicklockService(cloud.store(), RecordingPublisher(cloud.publisher(), log), clock=clock)
                 for _ in range(EXPORTERS)]
    operator = PicklockService(cloud.store(), RecordingPublisher(cloud.publisher(), log), clock=clock)
    outcomes: Counter[str] = Counter()
    lost_races = 0
    started = time.monotonic()

    def rewrite_signal(rows, delay: float, start: threading.Barrier):
        start.wait(timeout=EXPORT_TIMEOUT_SECONDS)
        time.sleep(delay)
        operator.load_signal(GAME_DATE, rows)
        return "signal", 0

    def export(service: PicklockService, trigger: str, start: threading.Barrier):
        start.wait(timeout=EXPORT_TIMEOUT_SECONDS)
        try:
            report = service.export(GAME_DATE, trigger)
        except ExportConflict:  # lost every race: Pub/Sub would redeliver it
            return "conflict", 0
        return report.plan.outcome, report.attempts - 1

    with ThreadPoolExecutor(EXPORTERS + 1) as pool:
        for round_number in range(rounds):
            operator.load_signal(GAME_DATE, signal_run(rng, round_number))
            published = operator.published(GAME_DATE)
            command = operator_command(rng, round_number, clock, published.data["picks"] if published else [])
            if command is not None:
                operator.submit_manual(command, check=False)
            # Every other round, a second pipeline run lands while the exports are under way.
            rewrites = round_number % 2
            start = threading.Barrier(EXPORTERS + rewrites)
            futures = [pool.submit(export, service, TRIGGERS[(round_number + i) % len(TRIGGERS)], start)
                       for i, service in enumerate(exporters)]
            if rewrites:
                futures.append(pool.submit(rewrite_signal, signal_run(rng, round_number), rng.uniform(0, 0.5), start))
            for future in futures:
                outcome, races = future.result(timeout=EXPORT_TIMEOUT_SECONDS)
                outcomes[outcome] += 1
                lost_races += races

    operator.export(GAME_DATE, "scheduled")  # whatever the last round left to do
    date_writes, all_json_writes = date_versions(log)
    date_chain, date_problems = generation_chain(date_writes)
    all_chain, all_problems = generation_chain(all_json_writes)
    final_date, final_date_generation = operator.publisher.read(DATE_FILE)
    final_all, final_all_generation = operator.publisher.read(ALL_JSON)
    stale = date_problems + all_problems
    if (date_chain[-1].text, date_chain[-1].generation) != (final_date, final_date_generation):
        stale.append("the per-date file is not its last accepted write")
    if (all_chain[-1].text, all_chain[-1].generation) != (final_all, final_all_generation):
        stale.append("all.json is not its last accepted write")
    texts = [w.text for w in date_chain], [w.text for w in all_chain]
    locks_lost = lost_locks(texts[0]) + lost_locks(texts[1])
    ever_shown = {e["pick_id"] for text in texts[0] + texts[1] for e in entries(text)}
    missing_at_end = [pick_id for pick_id in ever_shown
                      if pick_id not in {e["pick_id"] for e in entries(final_date)}
                      or pick_id not in {e["pick_id"] for e in entries(final_all)}]
    duplicates = live_duplicates(texts[0] + texts[1])
    refrozen = changed_published_fields(texts[0] + texts[1])
    not_audited = unaudited(date_writes + all_json_writes, operator.audit_records(GAME_DATE))
    gaps = cross_file_gaps(date_writes + all_json_writes)

    record_figures(
        "concurrency", rounds=rounds, exports=sum(outcomes.values()) - outcomes["signal"] + 2, exporters=EXPORTERS,
        published=outcomes["published"], unchanged=outcomes["unchanged"], conflicts=outcomes["conflict"],
        lost_races=lost_races, versions_checked=len(date_writes) + len(all_json_writes),
        picks_ever_shown=len(ever_shown), locks_lost=len(locks_lost) + len(missing_at_end),
        live_duplicates=len(duplicates), published_fields_changed=len(refrozen), stale_overwrites=len(stale),
        unaudited_versions=len(not_audited), cross_file_gaps=len(gaps), seconds=round(time.monotonic() - started, 1),
    )
    assert not stale, stale
    assert not locks_lost and not missing_at_end, (locks_lost, missing_at_end)
    assert not duplicates, duplicates
    assert not refrozen, refrozen
    assert not not_audited, not_audited
    assert operator.export(GAME_DATE, "scheduled").plan.outcome == "unchanged"  # converged (G5)
    assert outcomes["published"] >= rounds // 2  # the input did change: this was not a run of no-ops
