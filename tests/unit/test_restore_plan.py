"""The pure planning of `picklock restore` (domain/restore.py) on exports made by the service on
fakes: which versions the audit holds for a date, which all.json is the latest, and what to do
with each object found in the bucket. tests/integration/test_restore.py runs it end to end."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from picklock.domain.chain import version_hash
from picklock.domain.export import current_audit
from picklock.domain.render import to_text
from picklock.domain.restore import (Decision, all_json_order, decide_all_json, decide_date_file, decide_index,
                                     decide_snapshot, latest_all_json, plan_date)
from tests.harness.nba_paths import ALL_JSON, NBA, date_file_name, index_name

from builders import GAME_DATE, signal
from fakes import make_service


def exported_three_times():
    """A version, an unchanged export (its audit row refers to the version), then a second version."""
    service, store, publisher, clock = make_service()
    store.signal[("nba", GAME_DATE)] = [signal("tatum")]
    service.export(GAME_DATE, "signal_updated")
    clock.advance(minutes=5)
    service.export(GAME_DATE, "signal_updated")
    clock.advance(minutes=5)
    store.signal[("nba", GAME_DATE)] = [signal("tatum"), signal("brown", rank=2)]
    service.export(GAME_DATE, "signal_updated")
    return service, store, publisher, current_audit(r for r in store.audit if r.game_date == GAME_DATE)


def test_a_dates_versions_are_its_published_documents_in_chain_order_the_last_live():
    service, store, publisher, records = exported_three_times()
    plan = plan_date(GAME_DATE, records)
    published = [r for r in records if r.outcome == "published"]
    assert [v.export_id for v in plan.versions] == [r.export_id for r in published]
    assert [v.text for v in plan.versions] == [r.document for r in published]
    assert plan.live.text == publisher.read(date_file_name(GAME_DATE))[0]
    assert plan.snapshots(NBA) == [(NBA.snapshot_name(GAME_DATE, v.export_id), v.text) for v in plan.versions]
    index = json.loads(publisher.read(index_name(GAME_DATE))[0])
    assert plan.index_entries(NBA) == index["versions"]


def test_versions_are_ordered_by_the_chain_whatever_order_the_audit_rows_come_in():
    _, _, _, records = exported_three_times()
    assert plan_date(GAME_DATE, reversed(records)).versions == plan_date(GAME_DATE, records).versions


def test_a_version_is_taken_from_its_own_record_before_another_exports_copy_of_it():
    _, _, _, records = exported_three_times()
    first = next(r for r in records if r.outcome == "published")
    copy = replace(first, export_id="a-later-export-that-wrote-only-all.json", outcome="recovered",
                   document=first.document.replace('"tatum"', '"tatum" '))  # a copy that differs
    assert copy.document != first.document
    for order in ([copy, *records], [*records, copy]):
        assert plan_date(GAME_DATE, order).versions[0].text == first.document


def test_another_dates_documents_and_unpublished_outcomes_are_no_version_of_the_date():
    _, _, _, records = exported_three_times()
    assert plan_date(GAME_DATE + timedelta(days=1), records).versions == ()
    # A record of another outcome or holding no date file, anywhere in the audit, hides no version.
    other_date = replace(records[0], document=records[0].document.replace(
        f'"date": "{GAME_DATE}"', f'"date": "{GAME_DATE + timedelta(days=1)}"'))
    assert other_date.document != records[0].document
    for hidden in (replace(records[0], outcome="unchanged"), other_date):
        assert plan_date(GAME_DATE, [hidden, *records]).versions == plan_date(GAME_DATE, records).versions
    assert plan_date(GAME_DATE, [replace(r, outcome="unchanged") for r in records]).live is None


def test_the_latest_all_json_is_the_one_of_the_latest_date_and_version():
    _, _, publisher, records = exported_three_times()
    latest = latest_all_json(records)
    assert latest.all_json_document == publisher.read(ALL_JSON)[0]
    assert latest_all_json([replace(r, outcome="unchanged") for r in records]) is None
    data = json.loads(latest.all_json_document)
    assert all_json_order(data)[:2] == (GAME_DATE, data["chain"]["length"])


def test_a_snapshot_is_written_when_missing_left_when_identical_and_never_overwritten():
    assert decide_snapshot("v1", None) == Decision("restore", "missing", "v1")
    assert decide_snapshot("v1", "v1") == Decision("left", "identical to the audit")
    conflict = decide_snapshot("v1", "tampered")
    assert (conflict.action, conflict.text) == ("conflict", None)


def test_the_date_file_is_restored_unless_it_is_the_audits_or_a_correctly_signed_next_version():
    _, _, publisher, records = exported_three_times()
    plan = plan_date(GAME_DATE, records)
    first, latest = plan.versions[0].text, plan.live.text
    assert decide_date_file(latest, None) == Decision("restore", "missing", latest)
    assert decide_date_file(latest, latest) == Decision("left", "identical to the audit's latest version")
    assert decide_date_file(latest, first) == Decision("restore", "differs from the audit's latest version", latest)
    # A version after the audit's latest (written before its audit row, then a crash): left alone.
    following = json.loads(latest)
    following.update(prev=following["sha256"], seq=following["seq"] + 1, export_id="unaudited")
    following["sha256"] = version_hash(following)
    assert decide_date_file(latest, to_text(following)) == Decision(
        "left", "a later version than the audit's latest (unaudited, after a crash: the next export of the date "
                "recovers it)")
    forged = dict(following, sha256="0" * 64)  # a next version whose hash does not hold
    assert decide_date_file(latest, to_text(forged)).action == "restore"
    assert decide_date_file(latest, "not json").action == "restore"


def test_all_json_is_never_moved_back_behind_a_newer_one():
    _, _, _, records = exported_three_times()
    wanted = latest_all_json(records).all_json_document
    older = next(r.all_json_document for r in records if r.all_json_document and r.all_json_document != wanted)
    assert decide_all_json(wanted, None) == Decision("restore", "missing", wanted)
    assert decide_all_json(wanted, wanted) == Decision("left", "identical to the audit's latest all.json")
    assert decide_all_json(wanted, older) == Decision("restore", "older than the audit's latest all.json", wanted)
    assert decide_all_json(older, wanted) == Decision(  # newer than what the audit says: kept
        "left", f"newer than the audit's latest all.json ({GAME_DATE}); never moved backwards")
    assert decide_all_json(wanted, "{") == Decision("restore", "unreadable", wanted)
    same_place = json.loads(wanted)
    same_place["total_today"] = 99  # the same date, version and instant, other content
    assert decide_all_json(wanted, to_text(same_place)) == Decision(
        "restore", "differs from the audit's latest all.json", wanted)


def test_the_index_is_merged_append_only_and_a_contradiction_is_a_conflict():
    _, _, publisher, records = exported_three_times()
    entries = plan_date(GAME_DATE, records).index_entries(NBA)
    live_index = publisher.read(index_name(GAME_DATE))[0]
    assert decide_index(NBA, GAME_DATE, [], None) == Decision("left", "no chained version in the audit")
    restored = decide_index(NBA, GAME_DATE, entries, None)
    assert (restored.action, restored.reason, restored.text) == ("restore", "missing", live_index)
    assert decide_index(NBA, GAME_DATE, entries, live_index) == Decision("left", "lists every version in the audit")
    reordered = json.loads(live_index)
    reordered["versions"].reverse()
    assert decide_index(NBA, GAME_DATE, entries, to_text(reordered)) == Decision(
        "restore", "rewritten in chain order", live_index)
    shortened = json.loads(live_index)
    shortened["versions"] = shortened["versions"][:1]
    assert decide_index(NBA, GAME_DATE, entries, to_text(shortened)) == Decision(
        "restore", "1 versions added", live_index)
    contradicting = json.loads(live_index)
    contradicting["versions"][0] = dict(contradicting["versions"][0], export_id="someone-else")
    conflict = decide_index(NBA, GAME_DATE, entries, to_text(contradicting))
    assert conflict.action == "conflict" and entries[0]["export_id"] in conflict.reason
    assert decide_index(NBA, GAME_DATE, entries, "[]") == Decision(
        "conflict", "not an index; it is append-only and is never overwritten (move it aside and restore again)")
