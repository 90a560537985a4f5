"""GcsPublisher against fake-gcs-server through the real google-cloud-storage client, beyond the
Publisher contract it shares with the local directory (test_publisher_contract.py): the object
metadata, the lazy client, and the service's concurrent-export guarantee (G6) over Cloud Storage."""
from __future__ import annotations

import json
import random
import threading
from datetime import date, datetime, timezone

import pytest

from picklock.adapters.gcs_publisher import (
    CONTENT_TYPE, IMMUTABLE_CACHE_CONTROL, LIVE_CACHE_CONTROL, GcsPublisher,
)
from picklock.adapters.sqlite_store import SqliteStore
from picklock.domain.picks import SignalRow
from picklock.service_layer.errors import PreconditionFailed
from picklock.service_layer.services import ExportConflict, PicklockService
from tests.harness.nba_paths import ALL_JSON, date_file_name, snapshot_name

pytestmark = pytest.mark.emulators

PROJECT = "picklock-local"
GAME_DATE = date(2026, 2, 28)
NOON_IN_NEW_YORK = datetime(2026, 2, 28, 17, 0, tzinfo=timezone.utc)
TIP_OFF = datetime(2026, 3, 1, 0, 30, tzinfo=timezone.utc)


@pytest.fixture
def bucket(emulators, unique_name):
    from google.cloud import storage

    return storage.Client(project=PROJECT).create_bucket(unique_name("picklock"))


@pytest.fixture
def publisher(bucket):
    return GcsPublisher(PROJECT, bucket.name)


# ---------------------------------------------------------------- what only Cloud Storage has

@pytest.mark.parametrize("name, cache_control", [
    (ALL_JSON, LIVE_CACHE_CONTROL),
    (date_file_name(GAME_DATE), LIVE_CACHE_CONTROL),
    (snapshot_name(GAME_DATE, "2026-02-28.20260228T170000000000.abc"), IMMUTABLE_CACHE_CONTROL),
])
def test_objects_are_json_in_utf8_with_a_cache_policy_by_name(publisher, bucket, name, cache_control):
    generation = publisher.write(name, '{"ok": true}', if_generation_match=0)

    blob = bucket.get_blob(name)
    assert (blob.content_type, blob.cache_control, blob.generation) == (CONTENT_TYPE, cache_control, generation)
    assert blob.download_as_bytes() == b'{"ok": true}'


def test_the_client_is_created_on_first_use_only(bucket):
    publisher = GcsPublisher(PROJECT, bucket.name)
    assert publisher._client is None  # cold start: constructing the service costs no client
    publisher.read("v1/best-bets/all.json")
    assert publisher._client is not None


# ---------------------------------------------------------------- G6 over Cloud Storage

class RecordingPublisher:
    """Records each write that Cloud Storage accepted, with its generation, and each one it refused."""

    def __init__(self, inner: GcsPublisher, log: list, refused: list):
        self.inner, self.log, self.refused = inner, log, refused

    def read(self, name):
        return self.inner.read(name)

    def write(self, name, text, *, if_generation_match):
        try:
            generation = self.inner.write(name, text, if_generation_match=if_generation_match)
        except PreconditionFailed:
            self.refused.append(name)
            raise
        self.log.append((name, generation, text))
        return generation


PLAYERS = [f"player{i}" for i in range(12)]


def signal_run(rng: random.Random) -> list[SignalRow]:
    """One upstream run: a different subset of players, some flipping direction or line."""
    chosen = rng.sample(PLAYERS, k=rng.randint(2, 6))
    return [SignalRow(GAME_DATE, player, "BOS", "NYK", rng.choice(["OVER", "UNDER"]), rng.choice([18.5, 20.5]),
                      "catboost_v9", "v9", game_time=TIP_OFF, rank=rank, edge=1.5)
            for rank, player in enumerate(chosen, start=1)]


def test_concurrent_exports_over_gcs_never_lose_a_pick_or_overwrite_a_newer_file(bucket, tmp_path):
    database = tmp_path / "picklock.sqlite3"
    SqliteStore(database)
    written, refused, conflicts, errors = [], [], [], []
    start = threading.Barrier(8)

    def exporter(index: int) -> None:
        rng, store = random.Random(index), SqliteStore(database)
        gcs = RecordingPublisher(GcsPublisher(PROJECT, bucket.name), written, refused)
        service = PicklockService(store, gcs, clock=lambda: NOON_IN_NEW_YORK)
        start.wait()
        for _ in range(3):
            store.replace_signal(GAME_DATE, signal_run(rng))  # upstream re-ran: picks come and go
            try:
                service.export(GAME_DATE, "signal_updated")
            except ExportConflict:
                conflicts.append(index)  # allowed: Pub/Sub would redeliver; no guarantee may break
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

    threads = [threading.Thread(target=exporter, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    final = PicklockService(SqliteStore(database), RecordingPublisher(GcsPublisher(PROJECT, bucket.name),
                            written, refused), clock=lambda: NOON_IN_NEW_YORK)
    final.export(GAME_DATE, "scheduled")

    assert refused, "the exports never raced: this test proves nothing"
    published_anywhere: set[str] = set()
    for name, key in ((date_file_name(GAME_DATE), "picks"), (ALL_JSON, "today")):
        versions = sorted((generation, text) for written_name, generation, text in written if written_name == name)
        ever_shown: set[str] = set()
        for generation, text in versions:  # in the order Cloud Storage accepted them
            picks = json.loads(text)[key]
            shown = {p["pick_id"] for p in picks}
            assert ever_shown <= shown, f"{name} generation {generation} lost {sorted(ever_shown - shown)}"
            live = [(p["player_lookup"], p["stat"]) for p in picks if p["status"] != "voided"]
            assert len(live) == len(set(live)), f"{name} generation {generation}: two live picks on a key"
            ever_shown |= shown
        assert final.publisher.read(name) == (versions[-1][1], versions[-1][0]), f"{name}: not the newest version"
        published_anywhere |= ever_shown
    for name, key in ((date_file_name(GAME_DATE), "picks"), (ALL_JSON, "today")):
        final_ids = {p["pick_id"] for p in json.loads(final.publisher.read(name)[0])[key]}
        assert published_anywhere <= final_ids, f"final {name} lacks {sorted(published_anywhere - final_ids)}"

    # Snapshots are immutable copies of published per-date versions, one per export that completed.
    snapshots = {blob.name: blob.download_as_bytes().decode("utf-8")
                 for blob in bucket.client.list_blobs(bucket.name, prefix=f"v1/best-bets/history/{GAME_DATE}/")}
    date_versions = {json.loads(text)["export_id"]: text for name, _, text in written if name == date_file_name(GAME_DATE)}
    assert snapshots.items() <= {snapshot_name(GAME_DATE, e): text for e, text in date_versions.items()}.items()
    completed = {a.export_id for a in SqliteStore(database).audit_records(GAME_DATE) if a.outcome == "published"}
    for export_id in completed & date_versions.keys():
        assert snapshots[snapshot_name(GAME_DATE, export_id)] == date_versions[export_id]
