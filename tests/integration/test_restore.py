"""`picklock restore`: a wiped or damaged bucket rebuilt from the audit table, byte for byte.

A season is played (tests/integration/test_verify.py), every object is kept, the bucket is wiped
(the embedded directory, or a fake-gcs-server bucket written through google-cloud-storage) and
restored; every object but the feeds (not in the audit) comes back identical and verify passes.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from picklock.adapters.http_files import BucketFiles
from picklock.adapters.local_publisher import METADATA_DIR, LocalPublisher
from picklock.domain.chain import Link, sign
from picklock.domain.export import AuditRecord
from picklock.service_layer.restore import NothingToRestore, restore
from picklock.service_layer.verification import verify
from tests.integration.test_verify import DAYS, FIRST, NBA, SOURCE, play_season

LAST = FIRST + timedelta(days=DAYS)  # the season's final export is of the next day (grading re-exports today)
FEEDS = set(NBA.feed_names)


class LocalBucket:
    def __init__(self, root: Path):
        self.root = root
        self.publisher = LocalPublisher(root)

    def objects(self) -> dict[str, bytes]:
        return {path.relative_to(self.root).as_posix(): path.read_bytes() for path in self.root.rglob("*")
                if path.is_file() and METADATA_DIR not in path.relative_to(self.root).parts}

    def put(self, name: str, text: str) -> None:
        (self.root / name).write_text(text)

    def delete(self, name: str) -> None:
        (self.root / name).unlink()

    def wipe(self) -> None:
        shutil.rmtree(self.root)


class GcsBucket:
    def __init__(self, request):
        from google.cloud import storage

        from picklock.adapters.gcs_publisher import GcsPublisher

        request.getfixturevalue("emulators")
        client = storage.Client(project="picklock-local")
        self.bucket = client.create_bucket(request.getfixturevalue("unique_name")("restore"))
        self.publisher = GcsPublisher("picklock-local", self.bucket.name)

    def objects(self) -> dict[str, bytes]:
        return {blob.name: blob.download_as_bytes() for blob in self.bucket.list_blobs()}

    def metadata(self) -> dict[str, tuple]:
        return {blob.name: (blob.content_type, blob.cache_control) for blob in self.bucket.list_blobs()}

    def put(self, name: str, text: str) -> None:
        self.bucket.blob(name).upload_from_string(text, content_type="application/json")

    def delete(self, name: str) -> None:
        self.bucket.blob(name).delete()

    def wipe(self) -> None:
        for blob in list(self.bucket.list_blobs()):
            blob.delete()


@pytest.fixture(params=["embedded", pytest.param("fake-gcs", marks=pytest.mark.emulators)])
def season(request, tmp_path):
    """(bucket, store, every object after the season)."""
    bucket = LocalBucket(tmp_path / "bucket") if request.param == "embedded" else GcsBucket(request)
    service = play_season(bucket.publisher, tmp_path)
    before = bucket.objects()
    return bucket, service.store, before


def without_feeds(objects: dict) -> dict:
    return {name: data for name, data in objects.items() if name not in FEEDS}


def names(report, action: str) -> list[str]:
    return [step.name for step in report.steps if step.action == action]


def index_versions(bucket, day):
    return json.loads(bucket.objects()[NBA.index_name(day)])["versions"]


def test_a_wiped_bucket_is_restored_byte_for_byte_and_verifies(season):
    bucket, store, before = season
    assert FEEDS <= before.keys()
    kinds = {"snapshot": sum("/history/" in n for n in before), "index": sum("/ledger/" in n for n in before)}
    assert kinds["snapshot"] >= DAYS * 5 and kinds["index"] == DAYS + 1
    metadata = bucket.metadata() if isinstance(bucket, GcsBucket) else None
    bucket.wipe()

    report = restore(store, bucket.publisher, NBA)

    assert report.ok and report.dates == [FIRST + timedelta(days=n) for n in range(DAYS + 1)]
    assert bucket.objects() == without_feeds(before)
    assert sorted(names(report, "restored")) == sorted(without_feeds(before))
    assert {kind: sum(s.kind == kind for s in report.steps) for kind in kinds} == kinds
    assert report.summary() == (
        f"restore nba {FIRST}..{LAST}: {DAYS + 1} dates, {len(before) - 2} objects: {len(before) - 2} restored, "
        "0 left, 0 conflicts; v1/best-bets/feed.json and v1/best-bets/feed.xml are not in the audit and were "
        "not restored")
    if metadata is not None:  # written through the publisher: snapshots cached for good, live files a minute
        assert bucket.metadata() == {name: value for name, value in metadata.items() if name not in FEEDS}
    checked = verify(BucketFiles(bucket.publisher), NBA)
    assert checked.ok and checked.record_checked, [str(v) for v in checked.violations]

    again = restore(store, bucket.publisher, NBA)  # idempotent: everything is left
    assert (again.ok, again.count("restored"), again.count("left")) == (True, 0, len(before) - 2)


def test_a_dry_run_writes_nothing(season):
    bucket, store, before = season
    bucket.wipe()
    report = restore(store, bucket.publisher, NBA, dry_run=True)
    assert bucket.objects() == {}
    assert sorted(names(report, "would restore")) == sorted(without_feeds(before))
    assert report.summary().startswith(f"dry run: restore nba {FIRST}..{LAST}")
    assert report.summary().endswith("; nothing written")


def test_a_corrupted_snapshot_is_a_conflict_and_is_never_overwritten(season):
    bucket, store, before = season
    snapshot = index_versions(bucket, FIRST)[1]["snapshot"]
    corrupted = before[snapshot].decode().replace('"ann"', '"anna"')
    bucket.put(snapshot, corrupted)
    live = NBA.date_file_name(FIRST + timedelta(days=1))
    bucket.put(live, "{ truncated")

    report = restore(store, bucket.publisher, NBA)

    assert not report.ok
    assert [(s.name, s.kind) for s in report.conflicts] == [(snapshot, "snapshot")]
    assert "a snapshot is immutable" in report.conflicts[0].reason
    assert names(report, "restored") == [live]  # a live file is rewritten where it differs
    after = bucket.objects()
    assert after[snapshot] == corrupted.encode()
    assert {n: d for n, d in after.items() if n != snapshot} == {n: d for n, d in before.items() if n != snapshot}


def test_one_deleted_live_file_is_restored_alone_with_date(season):
    bucket, store, before = season
    day = FIRST + timedelta(days=1)
    bucket.delete(NBA.date_file_name(day))

    report = restore(store, bucket.publisher, NBA, game_date=day)

    assert report.dates == [day]
    assert names(report, "restored") == [NBA.date_file_name(day)]
    assert NBA.all_json_name not in {s.name for s in report.steps}  # all.json shows a later date: not in scope
    assert all(s.name.startswith((NBA.date_file_name(day), NBA.index_name(day), f"v1/best-bets/history/{day}/"))
               for s in report.steps)
    assert bucket.objects() == before
    with pytest.raises(NothingToRestore):
        restore(store, bucket.publisher, NBA, game_date=FIRST - timedelta(days=1))


def test_all_json_is_never_moved_backwards(season):
    bucket, store, before = season
    shown = json.loads(before[NBA.all_json_name])
    later = {**shown, "date": str(LAST + timedelta(days=1)), "generated_at": "2026-03-02T17:00:00Z"}
    bucket.put(NBA.all_json_name, json.dumps(later))
    report = restore(store, bucket.publisher, NBA)
    step = next(s for s in report.steps if s.name == NBA.all_json_name)
    assert (step.action, "never moved backwards" in step.reason) == ("left", True)

    older = {**shown, "generated_at": "2026-03-01T00:00:00Z", "chain": {**shown["chain"], "length": 1}}
    bucket.put(NBA.all_json_name, json.dumps(older))
    report = restore(store, bucket.publisher, NBA, game_date=LAST)  # the date all.json shows: in scope
    step = next(s for s in report.steps if s.name == NBA.all_json_name)
    assert (step.action, step.reason) == ("restored", "older than the audit's latest all.json")
    assert bucket.objects() == before


def test_an_unaudited_later_version_of_a_live_file_is_left(season):
    """A crash between an export's file write and its audit row: the next export recovers it, so
    restore must not take the date's file back to the audit's latest."""
    bucket, store, before = season
    name = NBA.date_file_name(LAST)
    latest = json.loads(before[name])
    unsigned = {k: v for k, v in latest.items() if k not in ("sha256", "prev", "seq")}
    following = sign({**unsigned, "export_id": f"{LAST}.20260302T000000000000.crashed"},
                     Link(latest["sha256"], latest["seq"] + 1))
    bucket.put(name, json.dumps(following))
    step = next(s for s in restore(store, bucket.publisher, NBA).steps if s.name == name)
    assert (step.action, "unaudited" in step.reason) == ("left", True)
    # A forged one (not signed) is not a later version: it is put back.
    bucket.put(name, json.dumps({**following, "generated_at": "2026-03-02T00:00:01Z"}))
    step = next(s for s in restore(store, bucket.publisher, NBA).steps if s.name == name)
    assert step.action == "restored" and bucket.objects()[name] == before[name]


def test_an_index_entry_contradicting_the_audit_is_a_conflict(season):
    bucket, store, before = season
    name = NBA.index_name(FIRST)
    index = json.loads(before[name])
    index["versions"][0]["snapshot"] = "elsewhere.json"
    bucket.put(name, json.dumps(index))
    bucket.delete(NBA.index_name(FIRST + timedelta(days=1)))
    report = restore(store, bucket.publisher, NBA)
    assert [s.name for s in report.conflicts] == [name]
    assert names(report, "restored") == [NBA.index_name(FIRST + timedelta(days=1))]
    assert json.loads(bucket.objects()[name]) == index  # left as it was


# ---------------------------------------------------------------- the CLI

def test_the_cli_restores_and_exits_0_1_or_2(tmp_path):
    home = tmp_path / "home"
    bucket = LocalBucket(home / "bucket")
    play_season(bucket.publisher, home)
    before = bucket.objects()

    def picklock(*argv):
        return subprocess.run([sys.executable, "-m", "picklock.entrypoints.cli", "--home", str(home), *argv],
                              capture_output=True, text=True, timeout=60,
                              env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(SOURCE)})

    bucket.wipe()
    dry = picklock("restore", "--all", "--dry-run")
    assert dry.returncode == 0 and bucket.objects() == {}, dry.stderr
    assert dry.stdout.count("would restore ") == len(before) - 2 and "nothing written" in dry.stdout

    done = picklock("restore", "--all")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(before) - 2 + 1
    assert re.fullmatch(r"restored\s+v1/best-bets/history/\S+\.json  \(missing\)", lines[0])
    assert "feed.json and v1/best-bets/feed.xml are not in the audit" in lines[-1]
    assert bucket.objects() == without_feeds(before)
    assert picklock("verify").returncode == 0

    single = picklock("restore", "--date", str(FIRST))
    assert single.returncode == 0 and "0 restored" in single.stdout and "left " in single.stdout

    snapshot = json.loads(before[NBA.index_name(FIRST)])["versions"][0]["snapshot"]
    bucket.put(snapshot, "{}")
    conflict = picklock("restore", "--date", str(FIRST))
    assert conflict.returncode == 1 and f"conflict      {snapshot}" in conflict.stdout, conflict.stdout

    for argv, error in ((("restore",), "one of the arguments --date --all is required"),
                        (("restore", "--all", "--date", str(FIRST)), "not allowed with argument"),
                        (("restore", "--date", "2026-02-30"), "--date: '2026-02-30' is not a date"),
                        (("restore", "--date", "2026-01-05"), "no audit rows for nba 2026-01-05")):
        refused = picklock(*argv)
        assert refused.returncode == 2 and error in refused.stderr, refused.stderr


# ---------------------------------------------------------------- audited_dates, each store

def audit_row(sport: str, day: date, export_id: str) -> AuditRecord:
    return AuditRecord(game_date=day, export_id=export_id, trigger_source="cli",
                       exported_at=datetime(2025, 1, 15, 15, tzinfo=timezone.utc), outcome="published",
                       content_hash="c" * 64, document_sha256="d" * 64, all_json_written=False,
                       all_json_sha256=None, count_total=0, count_active=0, count_locked=0, count_voided=0,
                       count_algorithm=0, count_manual=0, count_graded=0, events="[]", document='{"picks": []}',
                       all_json_document=None, sport=sport)


def test_audited_dates_lists_each_date_of_the_sport_once_in_order(store):
    days = [date(2025, 1, 16), date(2025, 1, 14), date(2025, 1, 16)]
    rows = [audit_row("nba", day, f"e{n}") for n, day in enumerate(days)]
    store.append_audit([*rows, replace(rows[0], sport="mlb", export_id="m1", game_date=date(2025, 4, 1))])
    assert store.audited_dates("nba") == [date(2025, 1, 14), date(2025, 1, 16)]
    assert store.audited_dates("mlb") == [date(2025, 4, 1)]
    assert store.audited_dates("nhl") == []


def test_the_bigquery_audited_dates_query_filters_the_partition_and_takes_parameters():
    pytest.importorskip("google.cloud.bigquery")
    from picklock.adapters.bigquery_store import BigQueryStore

    class Result(list):
        total_bytes_processed = 0

    class Recording:
        def __init__(self):
            self.statements = []

        def query_and_wait(self, sql, job_config=None, **limits):
            self.statements.append((sql, job_config))
            return Result([{"game_date": date(2025, 1, 14)}])

    client = Recording()
    assert BigQueryStore("proj", "picks", client=client).audited_dates("o'neal") == [date(2025, 1, 14)]
    [(sql, config)] = client.statements
    assert re.search(r"WHERE game_date >= @first_date AND sport = @sport", sql) and "o'neal" not in sql
    assert {p.name for p in config.query_parameters} == {"first_date", "sport"}
