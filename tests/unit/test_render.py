"""Rendering the published files, reading them back, and the season record."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from picklock.adapters.sports_file import default_catalogue
from picklock.domain.halts import RUNNING
from tests.harness.nba_paths import NBA

from picklock.domain.calendar import format_instant
from picklock.domain.picks import SeasonRecord
from picklock.domain.render import (
    PublishedDocument, all_json_document, content_hash, date_document, diff_documents, pick_from_json,
    pick_to_json, record_to_json, render_picks, season_record, to_text,
)

from builders import (
    GAME_DATE, START, TIPOFF, Core, add, assert_valid, at, file_validator, pick, result, signal, void,
)


def _varied_picks():
    """Active, locked, voided, manual, graded (WIN/PUSH/VOID), nullable fields empty."""
    core = Core()
    core.run(signal=[signal("a", rank=1), signal("b", rank=2, edge=None, angles=()),
                     signal("c", rank=3, game_time=None, game_id=None, player_name="")],
             manual=[add("m", "r1", notes=None, edge=1.25, game_time=TIPOFF)])
    merged = core.run(signal=[signal("a", rank=1)],
                      manual=[add("m", "r1", notes=None, edge=1.25, game_time=TIPOFF), void("c", "v1", at(1))],
                      results=[result("a", 25.0), result("b", 20.5), result("m", None)], now=at(8))
    return merged.picks


def test_date_document_matches_its_schema():
    picks = _varied_picks()
    assert {p.status for p in picks} == {"active", "locked", "voided"}
    assert {p.result for p in picks} == {"WIN", "PUSH", "VOID", None}
    document = date_document("nba", GAME_DATE, picks, export_id="e1", generated_at=at(8))
    assert_valid("date-file", document)
    assert_valid("date-file", json.loads(to_text(document)))


def test_all_json_document_matches_its_schema():
    picks = _varied_picks()
    document = all_json_document("nba", "2025-26", GAME_DATE, picks, season_record((), picks), RUNNING, export_id="e1", generated_at=at(8))
    assert_valid("all", document)
    assert document["record"]["season"] == "2025-26"


def test_empty_documents_match_their_schemas():
    assert_valid("date-file", date_document("nba", GAME_DATE, (), export_id="e", generated_at=START))
    assert_valid("all", all_json_document("nba", "2025-26", GAME_DATE, (), SeasonRecord(), RUNNING, export_id="e", generated_at=START))


@pytest.mark.parametrize("field, bad", [
    ("line", "20.5"), ("direction", "over"), ("source", "signal"), ("status", "pending"), ("rank", 0),
    ("first_published_at", "yesterday"), ("result", "DNP"),
])
def test_schema_check_catches_a_wrong_field(field, bad):
    """The schema check above is a real check: a wrong value fails it."""
    document = date_document("nba", GAME_DATE, _varied_picks(), export_id="e1", generated_at=START)
    document["picks"][0][field] = bad
    assert list(file_validator("date-file").iter_errors(document))


def test_timestamps_are_utc_iso_with_milliseconds():
    eastern = timezone(timedelta(hours=-5))
    p = pick(first_published_at=datetime(2026, 2, 28, 12, 0, 1, 234567, tzinfo=eastern))
    assert pick_to_json(p, 1)["first_published_at"] == "2026-02-28T17:00:01.234Z"
    assert format_instant(None) is None


def test_pick_json_round_trip():
    for p in _varied_picks():
        back = pick_from_json(GAME_DATE, pick_to_json(p, 1))
        assert back == replace(p, player_name=p.player_name or p.player_lookup)


def test_text_is_canonical_and_refuses_nan():
    document = date_document("nba", GAME_DATE, _varied_picks(), export_id="e1", generated_at=START)
    shuffled = json.loads(json.dumps(document), object_pairs_hook=lambda pairs: dict(reversed(pairs)))
    assert to_text(shuffled) == to_text(document)
    with pytest.raises(ValueError):
        to_text(date_document("nba", GAME_DATE, [pick(edge=float("nan"))], export_id="e1", generated_at=START))


def test_content_hash_ignores_export_id_and_generated_at_only():
    picks = _varied_picks()
    one = date_document("nba", GAME_DATE, picks, export_id="e1", generated_at=START)
    two = date_document("nba", GAME_DATE, picks, export_id="e2", generated_at=at(5))
    assert content_hash(one) == content_hash(two)
    assert PublishedDocument.parse(to_text(one)).content_hash == content_hash(two)
    assert content_hash(date_document("nba", GAME_DATE, picks[:-1], export_id="e1", generated_at=START)) != content_hash(one)
    assert content_hash(date_document("nba", date(2026, 3, 1), picks, export_id="e1", generated_at=START)) != content_hash(one)
    changed = [replace(picks[0], edge=(picks[0].edge or 0) + 1)] + list(picks[1:])
    assert content_hash(date_document("nba", GAME_DATE, changed, export_id="e1", generated_at=START)) != content_hash(one)


def test_published_document_reads_picks_of_either_file():
    picks = _varied_picks()
    per_date = PublishedDocument.parse(to_text(date_document("nba", GAME_DATE, picks, export_id="e1", generated_at=START)))
    all_json = PublishedDocument.parse(to_text(all_json_document(
        "nba", "2025-26", GAME_DATE, picks, SeasonRecord(), RUNNING, export_id="e2", generated_at=START)))
    assert per_date.picks() == all_json.picks()
    assert render_picks(per_date.picks()) == render_picks(picks)
    assert (per_date.export_id, per_date.game_date) == ("e1", GAME_DATE)
    assert PublishedDocument.parse(None) is None


# ---------------------------------------------------------------- season record

def _graded_day(game_date, outcomes):
    """Publish one OVER 20.5 pick per outcome on game_date and grade it; returns the ledger rows."""
    actual = {"WIN": 30.0, "LOSS": 10.0, "PUSH": 20.5, "VOID": None}
    core = Core(game_date)
    players = [f"p{i}" for i in range(len(outcomes))]
    rows = [signal(p, rank=i + 1, game_date=game_date) for i, p in enumerate(players)]
    morning = datetime.combine(game_date, datetime.min.time(), timezone.utc) + timedelta(hours=15)
    core.run(signal=rows, now=morning)
    core.run(results=[result(p, actual[o], game_date=game_date) for p, o in zip(players, outcomes)],
             now=morning + timedelta(days=1))
    return core.ledger


def test_season_record_counts_each_result():
    ledger = _graded_day(date(2026, 2, 26), ["WIN", "WIN", "LOSS", "PUSH", "VOID"]) + \
        _graded_day(date(2026, 2, 27), ["LOSS", "WIN"])
    record = season_record(ledger)
    assert (record.wins, record.losses, record.pushes, record.voids) == (3, 2, 1, 1)
    assert record.pct == 0.6
    assert record.by_day == ((date(2026, 2, 26), 2, 1, 1, 1), (date(2026, 2, 27), 1, 1, 0, 0))
    rendered = record_to_json(NBA.season(date(2026, 2, 27)).name, record)
    assert rendered["by_day"][0] == {"date": "2026-02-26", "wins": 2, "losses": 1, "pushes": 1, "voids": 1}
    assert (rendered["season"], rendered["pct"]) == ("2025-26", 0.6)


def test_season_record_excludes_voided_picks():
    core = Core()
    core.run(signal=[signal("a", rank=1), signal("b", rank=2)])
    core.run(results=[result("a", 30.0), result("b", 30.0)], now=at(9))
    core.run(manual=[void("b", "v1", at(10), reason="graded on a bad line")], now=at(10))
    record = season_record(core.ledger)
    assert (record.wins, record.losses, record.pushes, record.voids) == (1, 0, 0, 0)


def test_season_record_current_picks_override_the_ledger_for_their_date():
    ledger = _graded_day(GAME_DATE, ["WIN", "WIN"])
    current = [pick("z", result="LOSS", actual=1.0)]
    record = season_record(ledger, current)
    assert (record.wins, record.losses) == (0, 1)


def test_pct_rounding_and_no_decided_picks():
    assert SeasonRecord(wins=2, losses=1).pct == 0.667
    assert SeasonRecord(pushes=3, voids=2).pct is None
    assert record_to_json("2025-26", SeasonRecord())["pct"] is None


def test_nba_season_turns_on_october_first_and_mlb_s_on_its_own_day():
    assert [NBA.season(date(2026, 9, 30)).name, NBA.season(date(2026, 10, 1)).name] == ["2025-26", "2026-27"]
    mlb = default_catalogue().get("mlb")
    assert [mlb.season(date(2026, 1, 31)).name, mlb.season(date(2026, 2, 1)).name] == ["2025", "2026"]


def test_diff_documents_reports_added_removed_and_changed_picks():
    picks = _varied_picks()
    old = date_document("nba", GAME_DATE, picks[:2], export_id="e1", generated_at=START)
    new = date_document("nba", GAME_DATE, [replace(picks[0], edge=99.0)] + list(picks[2:]), export_id="e2", generated_at=START)
    diff = diff_documents(old, new)
    assert diff["added"] == sorted(p.pick_id for p in picks[2:])
    assert diff["removed"] == [picks[1].pick_id]
    assert diff["changed"] == [{"pick_id": picks[0].pick_id, "changes": {"edge": [picks[0].edge, 99.0]}}]
