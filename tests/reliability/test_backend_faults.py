"""Backend faults: a fault-injecting proxy (tests/reliability/fault_proxy.py) sits in front of the
BigQuery and Cloud Storage emulators and answers some requests with 503, delays some, and loses the
reply of some writes the backend did apply.

- Transient faults are retried by the clients with bounded backoff: every export succeeds within
  the function timeout (the rare streak of faults that outlasts a call's retries fails the
  function, and Pub/Sub's redelivery succeeds).
- A persistent fault makes the export raise within the function timeout (so Pub/Sub redelivers it,
  and parks it after five attempts), and leaves nothing half-written: once the backend heals, the
  next export audits what the failed attempts published (G4) and nothing shown is lost (G1).

The proxy journals every upload the backend accepted, so the versions checked include those whose
reply the client never saw.
"""
from __future__ import annotations

import json
import os
import random
import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest

from picklock.adapters.bigquery_store import BigQueryStore
from picklock.adapters.gcs_publisher import GcsPublisher
from picklock.adapters.pubsub import pull
from picklock.adapters.rows import AUDIT_TABLE
from picklock.bootstrap import bootstrap
from picklock.domain.calendar import format_instant
from picklock.domain.export import TRIGGERS
from picklock.domain.picks import ManualCommand
from picklock.service_layer.services import PicklockService
from tests.harness.nba_paths import ALL_JSON
from picklock.topics import MAX_DELIVERY_ATTEMPTS, SIGNAL_UPDATED, dead_letter_subscription

from tests.infra.terraform_config import load as load_terraform
from tests.reliability.conftest import PROJECT
from tests.reliability.fault_proxy import Fault, FaultProxy, Request
from tests.reliability.support import (
    DATE_FILE, GAME_DATE, OPENING, RunningClock, full_run, history_violations, record_figures, scaled, signal_run,
)

pytestmark = pytest.mark.emulators

# How long one push may take before the platform gives up on it (and the push's ack deadline).
FUNCTION_TIMEOUT_SECONDS = int(load_terraform().variables["function_timeout_seconds"]["default"])


def is_write(request: Request) -> bool:
    return request.is_gcs_upload or request.bigquery_sql().lstrip().startswith("INSERT")


TRANSIENT = (Fault("unavailable", 0.15), Fault("lost_response", 0.1, is_write), Fault("delay", 0.05, delay_seconds=0.5))
HALF_WRITTEN = {"all.json uploads refused", "audit inserts refused"}  # faults after a file was written
PERSISTENT = {  # where the fault sits -> (which backend, the fault)
    "bigquery unavailable": ("bigquery", Fault("unavailable")),
    "cloud storage hangs": ("storage", Fault("delay", delay_seconds=FUNCTION_TIMEOUT_SECONDS)),
    "all.json uploads refused": ("storage", Fault("unavailable", matches=lambda request: request.uploads(ALL_JSON))),
    "audit inserts refused": ("bigquery", Fault("unavailable", matches=lambda request: request.inserts_into(AUDIT_TABLE))),
}


@pytest.fixture
def proxies(emulators):
    with FaultProxy(os.environ["PICKLOCK_BIGQUERY_ENDPOINT"], seed=1) as bigquery, \
            FaultProxy(os.environ["STORAGE_EMULATOR_HOST"], seed=2) as storage:
        yield SimpleNamespace(bigquery=bigquery, storage=storage)


def behind(proxies, backend, clock) -> PicklockService:
    """A service whose clients talk to the emulators through the proxies."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    client = storage.Client(project=PROJECT, credentials=AnonymousCredentials(),
                            client_options={"api_endpoint": proxies.storage.url})
    return PicklockService(BigQueryStore(PROJECT, backend.config.dataset, endpoint=proxies.bigquery.url),
                           GcsPublisher(PROJECT, backend.config.bucket, client=client), clock=clock)


def timed(action, timeout: float):
    """(seconds, what `action` returned or raised); fails the test if it outlives `timeout`."""
    result = {}

    def run():
        try:
            result["value"] = action()
        except Exception as error:  # noqa: BLE001 - what the function would raise to Pub/Sub
            result["value"] = error

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)  # left behind if it hangs: the test has failed
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"still running after {timeout:.0f}s (the function timeout)"
    return time.monotonic() - started, result["value"]


def delivered(action) -> tuple[float, int]:
    """Run `action` as Pub/Sub delivers a message to a function: again after a failure, at most
    MAX_DELIVERY_ATTEMPTS times. (longest attempt in seconds, redeliveries); fails if every one fails."""
    longest = 0.0
    for attempt in range(MAX_DELIVERY_ATTEMPTS):
        seconds, result = timed(action, FUNCTION_TIMEOUT_SECONDS)
        longest = max(longest, seconds)
        if not isinstance(result, Exception):
            return longest, attempt
    raise AssertionError(f"every delivery failed, the last with {result!r}")


def test_transient_faults_are_retried_and_every_export_succeeds(cloud, proxies):
    exports = scaled(4, 15)
    rng = random.Random(11)
    clock = RunningClock()
    service = behind(proxies, cloud, clock)
    upstream = cloud.service()  # the signal pipeline writes its table directly
    for proxy in (proxies.bigquery, proxies.storage):
        proxy.inject(*TRANSIENT)
    longest, redelivered = 0.0, 0
    started = time.monotonic()
    for number in range(exports):
        if number % 2 == 0:
            upstream.load_signal(GAME_DATE, signal_run(rng, number))
        # A streak of faults can outlast a call's retries: the function fails and Pub/Sub redelivers.
        if number % 5 == 4:  # an operator command: a lost reply and its retry must record it once
            command = ManualCommand(f"faults-{number}", clock() - timedelta(seconds=1), "add", GAME_DATE,
                                    f"bench{number}", "ops", team="LAL", opponent="GSW", direction="OVER", line=11.5)
            redelivered += delivered(lambda: service.submit_manual(command, check=False))[1]
        seconds, redeliveries = delivered(lambda: service.export(GAME_DATE, TRIGGERS[number % len(TRIGGERS)]))
        longest, redelivered = max(longest, seconds), redelivered + redeliveries
    for proxy in (proxies.bigquery, proxies.storage):
        proxy.heal()
    violations = history_violations(proxies.storage.journal, service)
    manual = [c.request_id for c in service.manual_commands(GAME_DATE)]
    injected = proxies.bigquery.injected + proxies.storage.injected
    record_figures(
        "transient faults", exports=exports, redelivered=redelivered,
        requests=proxies.bigquery.counts["requests"] + proxies.storage.counts["requests"],
        faults_injected=injected, retried=proxies.bigquery.counts["retried"] + proxies.storage.counts["retried"],
        unavailable=proxies.bigquery.counts["unavailable"] + proxies.storage.counts["unavailable"],
        lost_replies=proxies.bigquery.counts["lost_response"] + proxies.storage.counts["lost_response"],
        delayed=proxies.bigquery.counts["delay"] + proxies.storage.counts["delay"],
        versions_checked=sum(e.name in (DATE_FILE, ALL_JSON) for e in proxies.storage.journal),
        violations=len(violations), longest_export_seconds=round(longest, 1),
        seconds=round(time.monotonic() - started, 1))
    assert not violations, violations
    assert len(manual) == len(set(manual)) == exports // 5
    assert injected >= exports  # the faults did happen: a run without any proves nothing
    assert service.export(GAME_DATE, "scheduled").plan.outcome == "unchanged"


@pytest.mark.parametrize("placement", scaled(["audit inserts refused"], list(PERSISTENT)))
def test_a_persistent_fault_fails_the_export_in_time_and_half_writes_nothing(cloud, proxies, placement):
    # A redelivery first recovers what a failed attempt published, where one could publish.
    attempts = scaled(1, 2) if placement in HALF_WRITTEN else 1
    clock = RunningClock()
    service = behind(proxies, cloud, clock)
    upstream = cloud.service()
    rng = random.Random(placement)
    upstream.load_signal(GAME_DATE, signal_run(rng, 0))
    service.export(GAME_DATE, "scheduled")
    upstream.load_signal(GAME_DATE, signal_run(rng, 1))
    where, fault = PERSISTENT[placement]
    getattr(proxies, where).inject(fault)
    started = time.monotonic()
    longest = 0.0
    for _ in range(attempts):
        seconds, outcome = timed(lambda: service.export(GAME_DATE, "signal_updated"), FUNCTION_TIMEOUT_SECONDS)
        assert isinstance(outcome, Exception), f"the export succeeded despite: {placement}"
        longest = max(longest, seconds)
    getattr(proxies, where).heal()

    healed = service.export(GAME_DATE, "signal_updated")
    violations = history_violations(proxies.storage.journal, service)
    record_figures(f"persistent fault: {placement}", placement=placement, failed_attempts=attempts,
                   faults_injected=getattr(proxies, where).injected, longest_failure_seconds=round(longest, 1),
                   healed_outcome=healed.plan.outcome, violations=len(violations),
                   seconds=round(time.monotonic() - started, 1))
    assert longest < FUNCTION_TIMEOUT_SECONDS / 2  # room for the rest of the export in the function's time
    assert not violations, violations
    assert service.export(GAME_DATE, "scheduled").plan.outcome == "unchanged"


@pytest.mark.skipif(not full_run(), reason="full run only (make chaos): five failing pushes take a minute")
def test_a_persistent_fault_parks_the_message_after_five_deliveries(emulators, monkeypatch, tmp_path):
    from tests.harness.localstack import LocalStack

    with FaultProxy(os.environ["PICKLOCK_BIGQUERY_ENDPOINT"], seed=3) as bigquery, \
            FaultProxy(os.environ["STORAGE_EMULATOR_HOST"], seed=4) as storage:
        through_proxies = {**emulators.env, "PICKLOCK_BIGQUERY_ENDPOINT": bigquery.url,
                           "STORAGE_EMULATOR_HOST": storage.url}
        for name, value in through_proxies.items():
            monkeypatch.setenv(name, value)  # LocalStack points this process at them too; restored after
        now = format_instant(OPENING + timedelta(hours=1))
        stack = LocalStack(through_proxies, tmp_path / "functions", project=f"faults-{os.urandom(4).hex()}", now=now)
        with stack:
            rng = random.Random(5)
            stack.store.replace_signal(GAME_DATE, signal_run(rng, 0))
            stack.pubsub.publish(SIGNAL_UPDATED, {"game_date": GAME_DATE.isoformat(), "run_id": "healthy"})
            stack.wait_for("the first export", lambda: stack.store.audit_records(GAME_DATE))
            stack.store.replace_signal(GAME_DATE, signal_run(rng, 1))
            bigquery.inject(Fault("unavailable", 1.0, lambda request: request.inserts_into(AUDIT_TABLE)))
            started = time.monotonic()
            stack.pubsub.publish(SIGNAL_UPDATED, {"game_date": GAME_DATE.isoformat(), "run_id": "sick"})
            parked = stack.wait_for("the message on the dead-letter subscription", lambda: pull(
                stack.project, dead_letter_subscription(SIGNAL_UPDATED), timeout=2.0), timeout=6 * FUNCTION_TIMEOUT_SECONDS)
            parked_after = time.monotonic() - started
            bigquery.heal()
            stack.pubsub.publish(SIGNAL_UPDATED, {"game_date": GAME_DATE.isoformat(), "run_id": "healed"})
            stack.wait_for("the export after healing", lambda: [
                r for r in stack.store.audit_records(GAME_DATE) if r.outcome == "recovered"], timeout=60)
            violations = history_violations(storage.journal, bootstrap(stack.config))
        record_figures("persistent fault through Pub/Sub", deliveries=int(parked[0].attributes.get(
            "CloudPubSubDeadLetterSourceDeliveryCount", 0)), faults_injected=bigquery.injected,
            parked_after_seconds=round(parked_after, 1), violations=len(violations))
        assert [json.loads(m.data)["run_id"] for m in parked] == ["sick"]  # parked with its own body
        assert parked[0].attributes["CloudPubSubDeadLetterSourceDeliveryCount"] == str(MAX_DELIVERY_ATTEMPTS)
        assert not violations, violations
