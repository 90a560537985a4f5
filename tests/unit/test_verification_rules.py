"""The rules `picklock verify` applies (domain/verification.py), one by one, on public files made
by the service on fakes and then tampered with. tests/integration/test_verify.py runs every tamper
case end to end, over local files and HTTP."""
from __future__ import annotations

import copy
import json
from datetime import timedelta

from picklock.domain.chain import version_hash
from picklock.domain.verification import Version, check_chain, check_head, check_record, check_versions
from tests.harness.nba_paths import ALL_JSON, index_name

from builders import GAME_DATE, TIPOFF, signal
from fakes import make_service

INDEX = index_name(GAME_DATE)


def published():
    """Two versions of a date (a pick, then a second pick) and its files."""
    service, store, publisher, clock = make_service()
    store.signal[("nba", GAME_DATE)] = [signal("tatum")]
    service.export(GAME_DATE, "signal_updated")
    clock.advance(minutes=5)
    store.signal[("nba", GAME_DATE)] = [signal("tatum"), signal("brown", rank=2)]
    service.export(GAME_DATE, "signal_updated")
    index = json.loads(publisher.read(INDEX)[0])
    documents = [json.loads(publisher.read(entry["snapshot"])[0]) for entry in index["versions"]]
    return service, store, publisher, index["versions"], documents


def problems(violations) -> list[tuple[str, str | None]]:
    return [(v.problem, v.field) for v in violations]


def test_a_violation_says_where_it_is():
    from picklock.domain.verification import Violation

    full = Violation("v1/best-bets/2026-02-28.json", "a published pick disappeared", "e1", "p1", "line")
    assert str(full) == "v1/best-bets/2026-02-28.json: a published pick disappeared (export e1, pick p1, field line)"
    assert str(Violation("all.json", "bad")) == "all.json: bad"
    assert Violation("all.json", "bad", field="chain").as_dict() == {"file": "all.json", "problem": "bad", "field": "chain"}


def signed(document: dict) -> dict:
    return dict(document, sha256=version_hash(document))


def test_a_chain_as_published_holds_and_its_versions_become_known():
    _, _, _, entries, documents = published()
    known: dict[str, str] = {}
    assert list(check_chain(INDEX, [Version(e, d) for e, d in zip(entries, documents)], known)) == []
    assert known == {e["sha256"]: e["published_at"] for e in entries}


def test_a_missing_or_altered_snapshot_breaks_the_chain():
    _, _, _, entries, documents = published()
    missing = list(check_chain(INDEX, [Version(entries[0], None), Version(entries[1], documents[1])], {}))
    assert [v.as_dict() for v in missing] == [{"file": entries[0]["snapshot"], "export_id": entries[0]["export_id"],
                                                "problem": "snapshot listed in the index is missing"}]
    assert [v.file for v in check_chain(INDEX, [Version({k: v for k, v in entries[0].items() if k != "snapshot"},
                                                        None)], {})] == [INDEX]
    altered = copy.deepcopy(documents[0])
    altered["picks"][0]["line"] = 99.5
    assert [v.as_dict() for v in check_chain(INDEX, [Version(entries[0], altered)], {})] == [
        {"file": entries[0]["snapshot"], "problem": "content does not hash to its index entry",
         "export_id": entries[0]["export_id"], "field": "sha256"}]
    for name, value in (("prev", "f" * 64), ("seq", 7), ("export_id", "another")):
        relabelled = signed(dict(documents[0], **{name: value}))
        found = problems(check_chain(INDEX, [Version(dict(entries[0], sha256=relabelled["sha256"]), relabelled)], {}))
        assert found == [(f"{name} differs from its index entry", name)]


def test_each_entry_links_to_the_one_before_in_sequence_and_in_time():
    _, _, _, entries, documents = published()
    first, second = entries
    for tampered, expected in (
            (dict(second, prev="0" * 64), ("prev does not link to the version before (%s)" % first["export_id"], "prev")),
            (dict(second, seq=second["seq"] + 1), ("seq does not follow the version before", "seq")),
            (dict(second, published_at="2000-01-01T00:00:00.000Z"),
             ("published before the version it replaces", "published_at"))):
        found = [v.as_dict() for v in check_chain(INDEX, [Version(first, None), Version(tampered, None)], {})]
        assert {"file": INDEX, "problem": expected[0], "export_id": second["export_id"], "field": expected[1]} in found


def test_a_dates_first_version_links_to_a_version_verified_before_it():
    _, _, _, entries, _ = published()
    first = entries[0]
    earlier = {"a" * 64: "2026-02-27T17:00:00.000Z"}
    linked = dict(first, prev="a" * 64)
    assert problems(check_chain(INDEX, [Version(linked, None)], dict(earlier)))[1:] == []
    later = {"a" * 64: "2026-03-09T17:00:00.000Z"}
    assert {"file": INDEX, "problem": "links to a version published after it", "export_id": first["export_id"],
            "field": "prev"} in [v.as_dict() for v in check_chain(INDEX, [Version(linked, None)], later)]
    unlinked = Version(dict(first, prev="b" * 64), None)
    assert {"file": INDEX, "problem": "links to no version published before it", "export_id": first["export_id"],
            "field": "prev"} in [v.as_dict() for v in check_chain(INDEX, [unlinked], {**earlier, **{
                "c" * 64: "2026-03-09T17:00:00.000Z"}})]  # one version verified before it is enough to require a link
    assert problems(check_chain(INDEX, [unlinked], dict(later)))[1:] == []  # none before it: a new chain may start


def test_versions_as_published_keep_every_pick_and_its_published_fields():
    _, _, _, entries, documents = published()
    assert list(check_versions([(e["snapshot"], d) for e, d in zip(entries, documents)])) == []


def test_a_pick_that_disappears_or_changes_a_published_field_or_unvoids_is_reported():
    _, _, _, entries, documents = published()
    first, second = documents
    tatum = first["picks"][0]["pick_id"]
    gone = dict(second, picks=[p for p in second["picks"] if p["player_lookup"] != "tatum"])
    assert [v.as_dict() for v in check_versions([("a", first), ("b", gone)])] == [
        {"file": "b", "problem": "a published pick disappeared", "export_id": second["export_id"], "pick": tatum}]
    moved = copy.deepcopy(second)
    next(p for p in moved["picks"] if p["player_lookup"] == "tatum")["line"] = 21.5
    assert [v.as_dict() for v in check_versions([("a", first), ("b", moved)])] == [
        {"file": "b", "problem": "published line changed from 20.5 to 21.5", "export_id": second["export_id"],
         "pick": tatum, "field": "line"}]
    voided = copy.deepcopy(first)
    voided["picks"][0].update(status="voided", void_reason="injury")
    unvoided = copy.deepcopy(second)
    assert {"file": "b", "problem": "a void was undone", "export_id": second["export_id"], "pick": tatum,
            "field": "status"} in [v.as_dict() for v in check_versions([("a", voided), ("b", unvoided)])]
    still_voided = copy.deepcopy(second)
    next(p for p in still_voided["picks"] if p["pick_id"] == tatum).update(status="voided", void_reason="injury")
    assert list(check_versions([("a", voided), ("b", still_voided)])) == []


def test_timing_and_voids_are_checked_in_every_version():
    _, _, _, _, documents = published()
    document = copy.deepcopy(documents[0])
    pick = document["picks"][0]
    pick.update(status="voided", void_reason=None)
    assert [v.as_dict() for v in check_versions([("a", document)])] == [
        {"file": "a", "problem": "voided without a reason", "export_id": document["export_id"],
         "pick": pick["pick_id"], "field": "void_reason"}]
    pick["void_reason"] = "injury"
    assert list(check_versions([("a", document)])) == []
    late = copy.deepcopy(documents[0])
    late["picks"][0]["first_published_at"] = late["picks"][0]["game_time"]
    assert problems(check_versions([("a", late)])) == [
        (f"first published at or after tip-off ({late['picks'][0]['game_time']})", "first_published_at")]
    early = copy.deepcopy(documents[0])
    early["picks"][0]["result"] = "WIN"  # generated before TIPOFF
    assert problems(check_versions([("a", early)])) == [
        (f"a result shown before tip-off ({early['picks'][0]['game_time']})", "result")]
    early["generated_at"] = (TIPOFF + timedelta(hours=3)).isoformat().replace("+00:00", "Z")
    assert list(check_versions([("a", early)])) == []


def test_all_json_names_the_last_version_as_its_head():
    _, _, publisher, entries, _ = published()
    all_json = json.loads(publisher.read(ALL_JSON)[0])
    assert list(check_head(ALL_JSON, all_json, entries[-1])) == []
    assert [v.as_dict() for v in check_head(ALL_JSON, all_json, entries[0])] == [
        {"file": ALL_JSON, "problem": f"chain head is not the last version listed for {GAME_DATE} "
                                      f"({entries[0]['export_id']})", "export_id": all_json["export_id"], "field": "chain"}]
    assert problems(check_head(ALL_JSON, all_json, None)) == [
        (f"names a chain head but {GAME_DATE} lists no version", "chain")]
    assert list(check_head(ALL_JSON, dict(all_json, chain=None), None)) == []


def test_all_json_record_is_the_one_the_per_date_files_give():
    service, _, publisher, _, documents = published()
    all_json = json.loads(publisher.read(ALL_JSON)[0])
    season = service.sports.get("nba").season(GAME_DATE).name
    assert list(check_record(ALL_JSON, all_json, season, {GAME_DATE: documents[-1]})) == []
    inflated = copy.deepcopy(all_json)
    inflated["total_today"] += 1
    inflated["influence"]["withdrawn_picks"] = 5
    inflated["record"]["season"]["wins"] = 7
    found = [v.as_dict() for v in check_record(ALL_JSON, inflated, season, {GAME_DATE: documents[-1]})]
    exported = {"file": ALL_JSON, "export_id": all_json["export_id"]}
    assert found == [
        {**exported, "problem": f"says 7; the per-date files give {all_json['record']['season']['wins']}",
         "field": "record.season.wins"},
        {**exported, "problem": f"says {all_json['total_today'] + 1}; the per-date files give {all_json['total_today']}",
         "field": "total_today"},
        {**exported, "problem": "says 5; the per-date files give 0", "field": "influence.withdrawn_picks"}]
