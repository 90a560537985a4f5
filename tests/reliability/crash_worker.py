"""Runs one export and SIGKILLs its own process at a named step: the crash half of
test_crash_recovery.py. Configured like any picklock process (PICKLOCK_BACKEND, PICKLOCK_HOME or
the GCP variables, PICKLOCK_NOW).

    python tests/reliability/crash_worker.py STEP GAME_DATE

Exits 0 only if the export finished without reaching STEP, which the test reports as a failure.
"""
from __future__ import annotations

import os
import signal
import sys
from datetime import date

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # run as a script

from picklock.bootstrap import bootstrap  # noqa: E402
from tests.harness.nba_paths import ALL_JSON, date_file_name  # noqa: E402

STEPS = ("after_read", "after_date_file", "after_all_json", "after_ledger", "before_audit")  # in the order they run


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class CrashingStore:
    def __init__(self, inner, step: str):
        self.inner = inner
        self.step = step

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def load_export_inputs(self, game_date, **options):
        inputs = self.inner.load_export_inputs(game_date, **options)
        if self.step == "after_read":
            die()
        return inputs

    def append_ledger(self, rows):
        self.inner.append_ledger(rows)
        if self.step == "after_ledger":
            die()

    def append_audit(self, records):
        # The export's own record comes last; records of versions it recovers come before its writes.
        if self.step == "before_audit" and records[-1].outcome != "recovered":
            die()
        self.inner.append_audit(records)


class CrashingPublisher:
    def __init__(self, inner, step: str, game_date: date):
        self.inner = inner
        self.after = {"after_date_file": date_file_name(game_date), "after_all_json": ALL_JSON}.get(step)

    def read(self, name):
        return self.inner.read(name)

    def write(self, name, text, *, if_generation_match):
        generation = self.inner.write(name, text, if_generation_match=if_generation_match)
        if name == self.after:
            die()
        return generation


def main(step: str, game_date_text: str) -> int:
    if step not in STEPS:
        print(f"unknown step {step!r}; expected one of {', '.join(STEPS)}", file=sys.stderr)
        return 2
    game_date = date.fromisoformat(game_date_text)
    service = bootstrap()
    service.store = CrashingStore(service.store, step)
    service.publisher = CrashingPublisher(service.publisher, step, game_date)
    service.export(game_date, "signal_updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
