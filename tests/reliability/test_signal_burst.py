"""A burst of `signal-updated` messages for one date, published within a few seconds through the
local stack (Pub/Sub push subscriptions -> functions-framework -> BigQuery and Cloud Storage
emulators), with a signal rewrite halfway through. Triggers are not payloads: each export reads the
current state, so the burst ends with the all.json a fresh export would write, and an export that
finds its content unchanged writes nothing to Cloud Storage (G5). Exports coalesce: every message is
handled (exported or covered by an export that started after it was published), with far fewer
exports than messages. A pass-through proxy in front of Cloud Storage counts every object write the
functions make."""
from __future__ import annotations

import json
import os
import random
import time
from datetime import timedelta

import pytest

from picklock.bootstrap import bootstrap
from picklock.domain.calendar import format_instant
from tests.harness.nba_paths import ALL_JSON
from picklock.topics import SIGNAL_UPDATED

from tests.harness.localstack import LocalStack
from tests.reliability.fault_proxy import FaultProxy
from tests.reliability.support import (
    DATE_FILE, GAME_DATE, OPENING, history_violations, record_figures, scaled, signal_run,
)

pytestmark = pytest.mark.emulators

DRAIN_SECONDS_PER_MESSAGE = 1.0  # generous: an unchanged export takes a fraction of that


def handled(stack: LocalStack) -> dict[str, str]:
    """message id -> outcome (published, unchanged, covered) of every message the signal function
    has finished with, from its structured log."""
    outcomes = {}
    for line in stack.functions[SIGNAL_UPDATED].log_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and "message_id" in entry and "outcome" in entry:
            outcomes[entry["message_id"]] = entry["outcome"]
    return outcomes


def test_a_burst_of_triggers_ends_correct_with_few_cloud_storage_writes(emulators, monkeypatch, tmp_path):
    messages = scaled(30, 200)
    rng = random.Random(200)
    with FaultProxy(os.environ["STORAGE_EMULATOR_HOST"], seed=200) as storage:
        env = {**emulators.env, "STORAGE_EMULATOR_HOST": storage.url}
        for name, value in env.items():
            monkeypatch.setenv(name, value)  # LocalStack points this process at the proxy too; restored after
        stack = LocalStack(env, tmp_path / "functions", project=f"burst-{os.urandom(4).hex()}",
                           now=format_instant(OPENING + timedelta(hours=2)))
        with stack:
            stack.store.replace_signal(GAME_DATE, signal_run(rng, 0))
            started = time.monotonic()
            ids = []
            for number in range(messages):
                if number == messages // 2:  # the pipeline runs again mid-burst
                    stack.store.replace_signal(GAME_DATE, signal_run(rng, 1))
                ids.append(stack.pubsub.publish(SIGNAL_UPDATED, {"game_date": GAME_DATE.isoformat(),
                                                                 "run_id": f"burst-{number}"}))
            published_in = time.monotonic() - started
            stack.wait_for(f"{messages} messages handled", lambda: set(ids) <= set(handled(stack)),
                           timeout=messages * DRAIN_SECONDS_PER_MESSAGE, poll=0.5)
            drained_in = time.monotonic() - started
            records = [r for r in stack.store.audit_records(GAME_DATE) if r.trigger_source == "signal_updated"]
            covered = sum(outcome == "covered" for outcome in handled(stack).values())
            fresh = bootstrap(stack.config).export(GAME_DATE, "scheduled")
            violations = history_violations(storage.journal, bootstrap(stack.config))

        writes = {name: sum(e.name == name for e in storage.journal) for name in (DATE_FILE, ALL_JSON)}
        snapshots = sum("/history/" in e.name for e in storage.journal)
        outcomes = [r.outcome for r in records]
        record_figures("burst", messages=messages, published_within_seconds=round(published_in, 1),
                       exports=len(records), covered=covered, published=outcomes.count("published"),
                       unchanged=outcomes.count("unchanged"), date_file_writes=writes[DATE_FILE],
                       all_json_writes=writes[ALL_JSON], snapshot_writes=snapshots,
                       storage_writes=len(storage.journal), violations=len(violations),
                       drained_in_seconds=round(drained_in, 1))
        assert fresh.plan.outcome == "unchanged"  # the burst left what a fresh export would write
        assert len(records) + covered >= messages and len(records) < messages / 4  # coalesced
        assert not violations, violations
        # Unchanged content is not rewritten: the writes are those of the few versions the burst
        # published (the per-date file, its snapshot and index entry, all.json, the two feeds).
        assert len(storage.journal) < messages / 2 and outcomes.count("published") < messages / 4, \
            [e.name for e in storage.journal]
