"""Regressions for two races between exports found on Cloud Storage: a version written just before
a lost all.json race must still get its snapshot, and a version recovered by a concurrent export
while its own export was finishing must count as one audited version (G4)."""
from __future__ import annotations

import json

from tests.harness.nba_paths import ALL_JSON, date_file_name, snapshot_name

from builders import GAME_DATE, losing_once, patched, racers, signal
from fakes import make_service


def test_a_per_date_version_keeps_its_snapshot_when_the_all_json_write_loses_a_race():
    service, store, publisher, clock = make_service()
    store.replace_signal(GAME_DATE, [signal("jokic")])
    with patched(publisher, "write", losing_once(ALL_JSON)):
        service.export(GAME_DATE, "signal_updated")
    date_file_versions = [text for name, text in publisher.history if name == date_file_name(GAME_DATE)]
    snapshots = {name for name, _ in publisher.history if "/history/" in name}
    assert len(date_file_versions) == 1  # the retry found the per-date file unchanged
    export_id = json.loads(date_file_versions[0])["export_id"]
    assert snapshot_name(GAME_DATE, export_id) in snapshots


def test_a_version_recovered_while_its_export_finishes_is_audited_once():
    a, b, store, publisher, racing, clock = racers()
    store.replace_signal(GAME_DATE, [signal("jokic")])

    def append_audit(original):
        def late(records):
            if not raced:  # b's own audit rows go straight through
                raced.append(True)
                b.export(GAME_DATE, "scheduled")  # runs between a's file writes and a's audit row
            return original(records)
        return late

    raced = []

    with patched(store, "append_audit", append_audit):
        report = a.export(GAME_DATE, "signal_updated")
    rows_of_a = [r for r in store.audit if r.export_id == report.plan.export_id]
    assert sorted(r.outcome for r in rows_of_a) == ["published", "recovered"]  # both rows landed
    current = [r for r in a.audit_records(GAME_DATE) if r.export_id == report.plan.export_id]
    assert [(r.outcome, r.trigger_source) for r in current] == [("published", "signal_updated")]
    assert current[0].document == rows_of_a[0].document == rows_of_a[1].document
