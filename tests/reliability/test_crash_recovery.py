"""G1, G4, G7 after a real crash: a subprocess running an export SIGKILLs itself at a step
boundary (tests/reliability/crash_worker.py), then the next export runs in a healthy process.

Afterwards every pick any file showed is still shown, every version written (the crashed export's
included) has an audit record whose hash matches it — recovered from the published text when the
crash came between a file write and the audit write — and the date ends where a crash-free twin
of the same run ends: the same picks, with the same statuses."""
from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from picklock.domain.calendar import format_instant
from picklock.domain.render import sha256
from tests.harness.nba_paths import ALL_JSON

from tests.reliability.conftest import embedded_backend
from tests.reliability.crash_worker import STEPS
from tests.reliability.support import (
    DATE_FILE, GAME_DATE, OPENING, entries, export_id, record_figures, scaled, signal_run,
)

WORKER = Path(__file__).with_name("crash_worker.py")
WORKER_TIMEOUT_SECONDS = 120
# A file was written and no audit row: every step after the files (the ledger follows them).
UNAUDITED_AFTER = {"after_date_file", "after_all_json", "after_ledger", "before_audit"}


def shown(texts) -> set[str]:
    return {e["pick_id"] for text in texts if text for e in entries(text)}


def outcome(text: str) -> list[tuple]:
    """What a twin must agree on: each pick with its status (first_published_at may differ)."""
    return sorted((e["pick_id"], e["status"], e["void_reason"], e["direction"], e["line"], e["source"])
                  for e in entries(text))


def crash(backend, step: str, now: str) -> None:
    process = subprocess.run([sys.executable, str(WORKER), step, GAME_DATE.isoformat()],
                             env=backend.env(PICKLOCK_NOW=now), capture_output=True, text=True,
                             timeout=WORKER_TIMEOUT_SECONDS)
    assert process.returncode == -signal.SIGKILL, (
        f"the worker did not die at {step} (exit {process.returncode}):\n{process.stderr[-3000:]}")


@pytest.mark.parametrize("step", STEPS)
def test_the_next_export_completes_what_a_crashed_export_left(backend, step, tmp_path):
    cycles = scaled(1, 2)
    rng = random.Random(f"{step}-{backend.name}")
    twin = embedded_backend(tmp_path / "twin")
    started = time.monotonic()
    for cycle in range(cycles):
        at = OPENING + timedelta(hours=cycle)
        clock = {label: format_instant(at + timedelta(minutes=minutes))
                 for label, minutes in (("before", 0), ("crash", 10), ("next", 20))}
        first_run, second_run = signal_run(rng, 2 * cycle), signal_run(rng, 2 * cycle + 1)
        # A player never seen before: the crashing export always has something to publish.
        second_run.append(replace(second_run[0], player_lookup=f"rookie{cycle}", player_name=f"Rookie {cycle}",
                                  rank=len(second_run) + 1))
        for target in (backend, twin):
            target.service(clock["before"]).load_signal(GAME_DATE, first_run)
            target.service(clock["before"]).export(GAME_DATE, "scheduled")
            target.service(clock["before"]).load_signal(GAME_DATE, second_run)
        before_date, before_all = (backend.publisher().read(name)[0] for name in (DATE_FILE, ALL_JSON))

        crash(backend, step, clock["crash"])
        left_date, left_all = (backend.publisher().read(name)[0] for name in (DATE_FILE, ALL_JSON))
        twin.service(clock["crash"]).export(GAME_DATE, "signal_updated")  # the same export, not killed

        service = backend.service(clock["next"])
        report = service.export(GAME_DATE, "signal_updated")
        final_date, final_all = (service.publisher.read(name)[0] for name in (DATE_FILE, ALL_JSON))
        records = {r.export_id: r for r in service.audit_records(GAME_DATE)}

        # G1: nothing shown before, or by the crashed export, is missing now.
        ever = shown([before_date, before_all, left_date, left_all])
        assert ever <= shown([final_date]) and ever <= shown([final_all])
        # G4: every version seen has its audit record, with the hash of its text.
        for name, text in ((DATE_FILE, before_date), (ALL_JSON, before_all), (DATE_FILE, left_date), (ALL_JSON, left_all),
                           (DATE_FILE, final_date), (ALL_JSON, final_all)):
            record = records.get(export_id(text))
            digest = record and (record.all_json_sha256 if name == ALL_JSON else record.document_sha256)
            assert digest == sha256(text), f"{name} version {export_id(text)} is not audited"
        crashed = {export_id(text) for text in (left_date, left_all)} - {export_id(before_date), export_id(before_all)}
        if step in UNAUDITED_AFTER:
            assert [records[e].outcome for e in crashed] == ["recovered"]
            assert report.plan.audit[0].outcome == "recovered"  # recovered by this very export
        else:
            assert not crashed  # nothing was published by the crashed export
        # G7: the same end as the crash-free twin, and nothing left to do.
        assert outcome(final_date) == outcome(twin.publisher().read(DATE_FILE)[0])
        assert service.export(GAME_DATE, "scheduled").plan.outcome == "unchanged"
        ledger_ids = {row.pick.pick_id for row in service.store.load_export_inputs(
            GAME_DATE).merge.ledger}
        assert shown([final_date]) <= ledger_ids
    record_figures(f"crash {step} ({backend.name})", step=step, backend=backend.name, crashes=cycles,
                   recovered=cycles if step in UNAUDITED_AFTER else 0, locks_lost=0, unaudited_versions=0,
                   seconds=round(time.monotonic() - started, 1))
