"""The dashboard's read models on the in-memory fakes, after a day of real exports."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from picklock.adapters.http_files import BucketFiles
from picklock.service_layer import views
from picklock.service_layer.verification import verify
from tests.harness.nba_paths import ALL_JSON, date_file_name, index_name
from picklock.validation import InputError

from builders import GAME_DATE, TIPOFF, add, result, signal, void
from fakes import make_service

NEXT_DAY = GAME_DATE + timedelta(days=1)


def played_day():
    """Run 1 publishes a and b; run 2 drops a (locked), refreshes b, adds c; the operator adds m
    (twice: the second export is unchanged) and voids c; then the day is graded."""
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a", rank=1), signal("b", rank=2, edge=2.0)])
    service.export(GAME_DATE, "signal_updated")
    clock.advance(hours=1)
    service.load_signal(GAME_DATE, [signal("b", rank=1, edge=3.0), signal("c", rank=2)])
    service.export(GAME_DATE, "signal_updated")
    clock.advance(hours=1)
    service.submit_manual(add("m", "r-add", clock.now, game_time=TIPOFF))
    service.export(GAME_DATE, "manual")
    service.export(GAME_DATE, "manual")
    clock.advance(hours=1)
    service.submit_manual(void("c", "r-void", clock.now, reason="ruled out"))
    service.export(GAME_DATE, "manual")
    clock.now = TIPOFF + timedelta(hours=14)
    service.load_results(GAME_DATE, [result("a", 30.0), result("b", 10.0), result("m", 24.5)])
    service.grade(GAME_DATE)
    return service, store, publisher, clock


def by_player(entries) -> dict[str, dict]:
    return {entry["player_lookup"]: entry for entry in entries}


def pick_id(service, player: str) -> str:
    return by_player(views.picks(service, GAME_DATE)["picks"])[player]["pick_id"]


# ---------------------------------------------------------------- picks

def test_picks_are_the_published_file_with_the_tipoff_state_at_the_service_clock():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a"), signal("b", rank=2, game_time=None)])
    service.export(GAME_DATE, "signal_updated")
    published = service.published(GAME_DATE)

    before = views.picks(service, GAME_DATE)
    assert [{k: v for k, v in entry.items() if k != "tipoff"} for entry in before["picks"]] == published.data["picks"]
    assert before["export_id"] == published.export_id
    assert {e["player_lookup"]: e["tipoff"] for e in before["picks"]} == {"a": "upcoming", "b": "unknown"}

    clock.now = TIPOFF  # game_time <= now: started
    after = views.picks(service, GAME_DATE)
    assert after["now"] == "2026-03-01T00:30:00.000Z"
    assert by_player(after["picks"])["a"]["tipoff"] == "started"


def test_picks_show_source_status_void_reason_and_result():
    service, *_ = played_day()
    picks = by_player(views.picks(service, GAME_DATE)["picks"])
    assert {p: (e["source"], e["status"], e["void_reason"], e["result"]) for p, e in picks.items()} == {
        "a": ("algorithm", "locked", None, "WIN"),
        "b": ("algorithm", "active", None, "LOSS"),
        "c": ("algorithm", "voided", "ruled out", None),
        "m": ("manual", "active", None, "PUSH"),
    }


def test_a_date_with_nothing_published_has_no_picks():
    service, *_ = make_service()
    assert views.picks(service, NEXT_DAY) == {
        "date": NEXT_DAY.isoformat(), "now": "2026-02-28T17:00:00.000Z", "export_id": None,
        "generated_at": None, "picks": [],
    }


def test_today_is_the_eastern_date_of_the_service_clock():
    service, store, publisher, clock = make_service()
    clock.now = TIPOFF  # 00:30 UTC on Mar 1 is still Feb 28 in New York
    assert views.today(service) == {"date": "2026-02-28", "now": "2026-03-01T00:30:00.000Z", "sport": "nba",
                                    "sports": ["nba", "mlb", "nfl", "nhl", "wnba"], "halt_active": False,
                                    "halt_reason": None, "halt_since": None}


# ---------------------------------------------------------------- timeline

def test_timeline_has_every_export_in_order_with_its_counts_and_what_changed():
    service, *_ = played_day()
    ids = {player: pick_id(service, player) for player in "abcm"}
    timeline = views.timeline(service, GAME_DATE)["exports"]
    records = service.audit_records(GAME_DATE)

    assert [e["export_id"] for e in timeline] == [r.export_id for r in records]
    assert [(e["trigger"], e["outcome"]) for e in timeline] == [
        ("signal_updated", "published"), ("signal_updated", "published"), ("manual", "published"),
        ("manual", "unchanged"), ("manual", "published"), ("post_grading", "published"),
    ]
    assert timeline[1]["counts"] == {"total": 3, "active": 2, "locked": 1, "voided": 0, "algorithm": 3,
                                     "manual": 0, "graded": 0}

    def changed(entry):
        return {kind: sorted(ids) for kind, ids in entry["changes"].items() if ids}

    assert [changed(e) for e in timeline] == [
        {"added": sorted([ids["a"], ids["b"]])},
        {"added": [ids["c"]], "locked": [ids["a"]], "refreshed": [ids["b"]]},
        {"added": [ids["m"]]},
        {},
        {"voided": [ids["c"]]},
        {"graded": sorted([ids["a"], ids["b"], ids["m"]])},
    ]
    assert timeline[1]["changed_fields"][ids["b"]]["edge"] == [2.0, 3.0]
    assert [e["kind"] for e in timeline[4]["events"]] == [e["kind"] for e in json.loads(records[4].events)]


def test_a_locked_pick_back_in_the_signal_shows_as_reactivated():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    service.export(GAME_DATE, "signal_updated")
    service.load_signal(GAME_DATE, [])
    service.export(GAME_DATE, "signal_updated")
    service.load_signal(GAME_DATE, [signal("a")])
    service.export(GAME_DATE, "signal_updated")
    locked, reactivated = views.timeline(service, GAME_DATE)["exports"][1:]
    assert locked["changes"]["locked"] == reactivated["changes"]["reactivated"] == [pick_id(service, "a")]


def test_a_pick_missing_from_a_later_version_shows_as_removed():
    """G1 makes this impossible; if it ever broke, the timeline must say so rather than hide it."""
    diff = {"added": [], "removed": ["p1"], "changed": []}
    assert views.summarise_diff(diff)["removed"] == ["p1"]


# ---------------------------------------------------------------- lineage

def test_lineage_of_an_algorithm_pick_is_its_origin_and_every_version_since():
    service, *_ = played_day()
    lineage = views.lineage(service, pick_id(service, "a"))
    assert (lineage["source"], lineage["system_id"], lineage["algorithm_version"]) == ("algorithm", "catboost_v9", "v9")
    assert lineage["first_published_at"] == "2026-02-28T17:00:00.000Z"
    assert lineage["first_export_id"] == service.audit_records(GAME_DATE)[0].export_id
    assert [(row["change"], row["status"], row["result"]) for row in lineage["history"]] == [
        ("published", "active", None), ("locked", "locked", None), ("graded", "locked", "WIN"),
    ]
    assert lineage["history"][-1]["detail"] == "WIN (actual 30.0)"
    assert (lineage["status"], lineage["result"], lineage["actual"]) == ("locked", "WIN", 30.0)


def test_lineage_of_manual_and_voided_picks_names_the_operator_and_the_reason():
    service, *_ = played_day()
    manual = views.lineage(service, pick_id(service, "m"))
    assert (manual["source"], manual["submitted_by"], manual["manual_request_id"]) == ("manual", "ops", "r-add")
    voided = views.lineage(service, pick_id(service, "c"))
    assert (voided["status"], voided["void_reason"]) == ("voided", "ruled out")
    assert [row["change"] for row in voided["history"]] == ["published", "voided"]
    assert voided["history"][-1]["detail"] == "ruled out"


def test_lineage_refuses_a_malformed_pick_id_and_reports_an_unknown_one():
    service, *_ = played_day()
    with pytest.raises(InputError, match="pick_id"):
        views.lineage(service, "not-a-pick")
    with pytest.raises(views.PickNotFound):
        views.lineage(service, f"{GAME_DATE.isoformat()}/nobody/PTS/0000000000")


# ---------------------------------------------------------------- season

AFTER_TIPOFF = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)  # 21:00 in New York: still Feb 28, games under way

def test_season_is_the_record_all_json_carries():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a"), signal("b", rank=2)])
    service.export(GAME_DATE, "signal_updated")
    service.load_results(GAME_DATE, [result("a", 30), result("b", None)])
    clock.now = AFTER_TIPOFF
    service.export(GAME_DATE, "post_grading")
    all_json = json.loads(publisher.read(ALL_JSON)[0])
    season = views.season(service, GAME_DATE)
    assert {k: v for k, v in season.items() if k != "date"} == {k: all_json[k] for k in season if k != "date"}
    record = season["record"]
    assert (record["season"]["wins"], record["season"]["voids"], record["by_day"]) == (
        1, 1, [{"date": "2026-02-28", "wins": 1, "losses": 0, "pushes": 0, "voids": 1}])


def test_season_has_results_by_day_up_to_the_date():
    service, *_ = played_day()
    service.load_signal(NEXT_DAY, [signal("d", game_date=NEXT_DAY, game_time=None)])
    service.export(NEXT_DAY, "signal_updated")
    service.load_results(NEXT_DAY, [result("d", 30, game_date=NEXT_DAY)])
    service.grade(NEXT_DAY)

    season = views.season(service, NEXT_DAY)
    assert season["season"] == "2025-26"
    assert [(d["date"], d["wins"], d["losses"], d["pushes"]) for d in season["record"]["by_day"]] == [
        ("2026-02-28", 1, 1, 1), ("2026-03-01", 1, 0, 0)]
    assert [d["date"] for d in views.season(service, GAME_DATE)["record"]["by_day"]] == ["2026-02-28"]


def test_season_grades_the_withdrawn_picks_as_all_json_does():
    """The influence report of the date itself: its results grade the picks operators voided."""
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a"), signal("b", rank=2), signal("c", rank=3)])
    service.export(GAME_DATE, "signal_updated")
    service.submit_manual(void("c", "r-void", clock.now, reason="ruled out"))
    service.export(GAME_DATE, "manual")
    service.load_results(GAME_DATE, [result("a", 30), result("b", 10), result("c", 30)])
    clock.now = AFTER_TIPOFF
    service.export(GAME_DATE, "post_grading")
    influence = views.season(service, GAME_DATE)["influence"]
    assert influence == json.loads(publisher.read(ALL_JSON)[0])["influence"]
    assert (influence["withdrawn_picks"], influence["withdrawn"]["wins"], influence["summary"]) == (
        1, 1, "picks withdrawn by operators went 1-0")
    assert (influence["model"]["wins"], influence["model"]["losses"], influence["model"]["voids"]) == (1, 1, 1)


# ---------------------------------------------------------------- chain and verify

def test_chain_is_the_dates_public_index_and_all_jsons_head():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    service.export(GAME_DATE, "signal_updated")
    service.load_signal(GAME_DATE, [signal("a"), signal("b", rank=2)])
    service.export(GAME_DATE, "signal_updated")
    chain = views.chain(service, GAME_DATE)
    index = json.loads(publisher.read(index_name(GAME_DATE))[0])
    assert chain["versions"] == index["versions"] and chain["index"] == index_name(GAME_DATE)
    first, second = chain["versions"]
    assert (first["seq"], first["prev"], second["seq"], second["prev"]) == (1, None, 2, first["sha256"])
    assert second["sha256"] == json.loads(publisher.read(date_file_name(GAME_DATE))[0])["sha256"]
    all_json = json.loads(publisher.read(ALL_JSON)[0])
    assert (chain["head"], chain["head_date"]) == ({"head": second["sha256"], "length": 2}, all_json["date"])


def test_chain_of_a_date_with_nothing_published_is_empty():
    service, *_ = make_service()
    assert views.chain(service, NEXT_DAY) == {"date": NEXT_DAY.isoformat(), "index": index_name(NEXT_DAY),
                                              "versions": [], "head": None, "head_date": None}


def test_verification_is_verifys_report_on_the_bucket():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a"), signal("b", rank=2)])
    service.export(GAME_DATE, "signal_updated")
    report = verify(BucketFiles(publisher), service.sports.get("nba"))
    assert report.ok
    assert views.verification(service) == {**report.as_dict(), "summary": report.summary()}


def test_verification_names_a_tampered_version():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    service.export(GAME_DATE, "signal_updated")
    [entry] = json.loads(publisher.read(index_name(GAME_DATE))[0])["versions"]
    text, generation = publisher.read(entry["snapshot"])
    tampered = text.replace('"line": 20.5', '"line": 19.5')
    assert tampered != text
    publisher.write(entry["snapshot"], tampered, if_generation_match=generation)
    shown = views.verification(service)
    assert shown["ok"] is False and shown["violations"]
    assert shown["summary"].startswith(f"{len(shown['violations'])} violations in nba")
    assert {v["file"] for v in shown["violations"]} == {entry["snapshot"]}


def test_verification_without_all_json_says_there_is_nothing_to_verify():
    service, *_ = make_service()
    assert views.verification(service, "mlb") == {
        "ok": None, "sport": "mlb", "summary": "nothing to verify: no v1/mlb/best-bets/all.json yet", "violations": []}
