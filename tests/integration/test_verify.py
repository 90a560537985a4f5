"""`picklock verify` on a season's public files: clean, then each kind of tampering, detected and named.

Two ways of reading, as a reader would: the embedded bucket directory, and fake-gcs-server over
plain HTTP GET (no credentials, no Google client), the bucket written through the real
google-cloud-storage client.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from picklock.adapters.http_files import BucketFiles, HttpFiles
from picklock.adapters.local_publisher import LocalPublisher
from picklock.adapters.sports_file import default_catalogue
from picklock.adapters.sqlite_store import SqliteStore
from picklock.domain.chain import sign, version_hash
from picklock.domain.picks import ClosingLine, GameResult, ManualCommand, SignalRow
from picklock.service_layer.services import PicklockService
from picklock.service_layer.verification import verify

NBA = default_catalogue().get("nba")
FIRST = date(2026, 2, 26)
DAYS = 3
SOURCE = Path(__file__).resolve().parents[2] / "shared"


class Clock:
    def __init__(self):
        self.now = datetime(2026, 2, 26, 16, tzinfo=timezone.utc)

    def __call__(self):
        return self.now


def play_season(publisher, tmp_path) -> PicklockService:
    """Three days: priced signal picks refreshed and flipped, a manual pick, a void, grading the
    next morning, a closing line late; then today's export."""
    clock = Clock()
    service = PicklockService(SqliteStore(tmp_path / "picklock.sqlite3"), publisher, clock=clock)
    for n in range(DAYS):
        day = FIRST + timedelta(days=n)
        noon = datetime(day.year, day.month, day.day, 17, tzinfo=timezone.utc)
        tip = noon + timedelta(hours=7)
        rows = [SignalRow(day, p, "BOS", "NYK", "OVER", 20.5 + i, "s", "v1", game_time=tip, rank=i + 1,
                          odds_american=-110 - i, player_name=p.title()) for i, p in enumerate(("ann", "bob", "cy"))]
        clock.now = noon
        service.load_signal(day, rows)
        service.export(day, "signal_updated")
        clock.now = noon + timedelta(hours=1)
        service.load_signal(day, [rows[0], SignalRow(day, "bob", "BOS", "NYK", "UNDER", 21.5, "s", "v1", game_time=tip)])
        service.export(day, "signal_updated")
        service.submit_manual(ManualCommand(f"m{n}", clock.now, "add", day, "dee", "ops", team="LAL", opponent="GSW",
                                            direction="UNDER", line=9.5, game_time=tip, odds_american=130))
        service.submit_manual(ManualCommand(f"v{n}", clock.now, "void", day, "cy", "ops", reason="ruled out"))
        service.export(day, "manual")
        clock.now = noon + timedelta(hours=21)
        service.load_results(day, [GameResult(day, p, "PTS", v) for p, v in (("ann", 30.0), ("bob", 12.0), ("dee", 9.0))])
        service.grade(day)
        clock.now += timedelta(minutes=30)
        service.load_closing(day, [ClosingLine(day, "ann", "PTS", 22.5, tip - timedelta(minutes=1))])
        service.grade(day)
    return service


def make_local(tmp_path):
    root = tmp_path / "bucket"

    class Bucket:
        publisher = LocalPublisher(root)
        files = BucketFiles(publisher)

        @staticmethod
        def get(name):
            path = root / name
            return path.read_text() if path.exists() else None

        @staticmethod
        def put(name, text):
            (root / name).write_text(text)

        @staticmethod
        def delete(name):
            (root / name).unlink()
    return Bucket


def make_gcs(tmp_path, request):
    from google.cloud import storage

    from picklock.adapters.gcs_publisher import GcsPublisher

    request.getfixturevalue("emulators")
    bucket = storage.Client(project="picklock-local").create_bucket(request.getfixturevalue("unique_name")("verify"))

    class Bucket:
        publisher = GcsPublisher("picklock-local", bucket.name)
        # What any reader can do: plain GET, here on the emulator's download path.
        files = HttpFiles(f"{os.environ['STORAGE_EMULATOR_HOST']}/download/storage/v1/b/{bucket.name}/o")

        @staticmethod
        def get(name):
            blob = bucket.get_blob(name)
            return None if blob is None else blob.download_as_text()

        @staticmethod
        def put(name, text):
            bucket.blob(name).upload_from_string(text, content_type="application/json")

        @staticmethod
        def delete(name):
            bucket.blob(name).delete()
    return Bucket


@pytest.fixture(params=["embedded", pytest.param("fake-gcs", marks=pytest.mark.emulators)])
def season(request, tmp_path):
    bucket = make_local(tmp_path) if request.param == "embedded" else make_gcs(tmp_path, request)
    play_season(bucket.publisher, tmp_path)
    return bucket


def load(bucket, name):
    return json.loads(bucket.get(name))


def versions(bucket, day=FIRST):
    return load(bucket, NBA.index_name(day))["versions"]


def edit(bucket, name, change):
    document = load(bucket, name)
    change(document)
    bucket.put(name, json.dumps(document))


def pick_of(document, player):
    return next(p for p in document["picks"] if p["player_lookup"] == player)


# ---------------------------------------------------------------- tampering, each kind

def delete_a_pick(bucket):
    snapshot = versions(bucket)[-2]["snapshot"]
    edit(bucket, snapshot, lambda d: d["picks"].remove(pick_of(d, "ann")))


def change_field(field, value):
    def tamper(bucket):
        edit(bucket, versions(bucket)[1]["snapshot"], lambda d: pick_of(d, "ann").update({field: value}))
    return tamper


def change_a_result(bucket):
    for name in (versions(bucket)[-1]["snapshot"], NBA.date_file_name(FIRST)):
        edit(bucket, name, lambda d: pick_of(d, "bob").update(result="WIN"))


def remove_a_snapshot(bucket):
    bucket.delete(versions(bucket)[1]["snapshot"])


def swap_two_versions(bucket):
    def swap(index):
        index["versions"][1], index["versions"][2] = index["versions"][2], index["versions"][1]
    edit(bucket, NBA.index_name(FIRST), swap)


def insert_a_late_pick(bucket):
    """A careful forger: the pick added to the last version, re-signed, its index entry and the live
    file rewritten to match, so only the timing check can tell."""
    last_day = FIRST + timedelta(days=DAYS - 1)
    entry = versions(bucket, last_day)[-1]
    document = load(bucket, entry["snapshot"])
    late = {**pick_of(document, "ann"), "pick_id": f"{last_day}/eve/PTS/0000000000", "player_lookup": "eve",
            "player": "Eve", "first_published_at": pick_of(document, "ann")["game_time"], "result": "WIN"}
    document["picks"].append(late)
    forged = sign({k: v for k, v in document.items() if k != "sha256"}, _link(document))
    bucket.put(entry["snapshot"], json.dumps(forged))
    bucket.put(NBA.date_file_name(last_day), json.dumps(forged))
    edit(bucket, NBA.index_name(last_day), lambda i: i["versions"][-1].update(sha256=forged["sha256"]))


def _link(document):
    from picklock.domain.chain import Link
    return Link(document["prev"], document["seq"])


def show_a_result_before_tipoff(bucket):
    edit(bucket, versions(bucket)[0]["snapshot"], lambda d: pick_of(d, "ann").update(result="WIN", actual=30.0))


def drop_a_void_reason(bucket):
    edit(bucket, versions(bucket)[-1]["snapshot"], lambda d: pick_of(d, "cy").update(void_reason=None))


def undo_a_void(bucket):
    edit(bucket, versions(bucket)[-1]["snapshot"], lambda d: pick_of(d, "cy").update(status="active", void_reason=None))


def inflate_the_record(bucket):
    edit(bucket, NBA.all_json_name, lambda d: d["record"]["season"].update(wins=d["record"]["season"]["wins"] + 1))


TAMPERING = {
    "pick-deleted": (delete_a_pick, "a published pick disappeared"),
    "line-changed": (change_field("line", 19.5), "published line changed from 20.5 to 19.5"),
    "direction-changed": (change_field("direction", "UNDER"), "published direction changed from 'OVER' to 'UNDER'"),
    "odds-changed": (change_field("odds", 150), "published odds changed from -110 to 150"),
    "result-changed": (change_a_result, "content does not hash to its index entry"),
    "snapshot-removed": (remove_a_snapshot, "snapshot listed in the index is missing"),
    "versions-swapped": (swap_two_versions, "prev does not link to the version before"),
    "late-pick-inserted": (insert_a_late_pick, "first published at or after tip-off"),
    "record-inflated": (inflate_the_record, "says 7; the per-date files give 6"),
    "result-before-tipoff": (show_a_result_before_tipoff, "a result shown before tip-off"),
    "void-reason-dropped": (drop_a_void_reason, "voided without a reason"),
    "void-undone": (undo_a_void, "a void was undone"),
}


def test_an_untouched_season_verifies(season):
    report = verify(season.files, NBA)
    assert report.ok, [str(v) for v in report.violations]
    assert (report.dates, report.record_checked) == (DAYS + 1, True)
    assert report.versions >= DAYS * 5
    assert report.summary().startswith(f"verified nba 2025-10-01..{FIRST + timedelta(days=DAYS)}: {DAYS + 1} dates")


@pytest.mark.parametrize("kind", TAMPERING)
def test_tampering_is_detected_and_named(season, kind):
    tamper, problem = TAMPERING[kind]
    tamper(season)
    report = verify(season.files, NBA)
    assert not report.ok
    assert any(problem in v.problem for v in report.violations), [str(v) for v in report.violations]
    if kind == "record-inflated":
        assert [v.field for v in report.violations] == ["record.season.wins"]
    if kind == "late-pick-inserted":
        late = [v for v in report.violations if "tip-off" in v.problem]
        assert {(v.pick, v.field) for v in late} >= {(f"{FIRST + timedelta(days=DAYS - 1)}/eve/PTS/0000000000",
                                                        "first_published_at")}


def test_the_cli_exits_0_1_or_2(tmp_path):
    home = tmp_path / "home"
    play_season(LocalPublisher(home / "bucket"), home)

    def picklock(*argv):
        return subprocess.run([sys.executable, "-m", "picklock.entrypoints.cli", "--home", str(home), *argv],
                              capture_output=True, text=True, timeout=60,
                              env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(SOURCE)})

    clean = picklock("verify")
    assert (clean.returncode, clean.stdout.startswith("verified nba")) == (0, True), clean.stderr
    one_day = picklock("verify", "--date", str(FIRST), "--json")
    report = json.loads(one_day.stdout)
    assert (one_day.returncode, report["ok"], report["dates"], report["record_checked"]) == (0, True, 1, False)
    inflate_the_record(make_local(home))
    tampered = picklock("verify")
    assert tampered.returncode == 1 and "1 violations" in tampered.stdout and "record.season.wins" in tampered.stdout
    for argv, error in ((("verify", "--date", "2026-02-30"), "--date: '2026-02-30' is not a date"),
                        (("verify", "--base", "ftp://example.com"), "--base: 'ftp://example.com' is not an http(s) URL"),
                        (("verify", "--date", str(FIRST), "--since", str(FIRST)), "not allowed with argument")):
        refused = picklock(*argv)
        assert refused.returncode == 2 and error in refused.stderr, refused.stderr
