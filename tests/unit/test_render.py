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
from picklock.domain.chain import Link, sign
from picklock.domain.record import SeasonRecord, season_record
from picklock.domain.tally import DayTally
from picklock.domain.render import (
    PublishedDocument, all_json_document, content_hash, date_document, diff_documents, pick_from_json,
    pick_to_json, render_picks, to_text,
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
    document = sign(date_document("nba", GAME_DATE, picks, export_id="e1", generated_at=at(8)), Link(None, 1))
    assert_valid("date-file", document)
    assert_valid("date-file", json.loads(to_text(document)))


def test_all_json_document_matches_its_schema():
    picks = _varied_picks()
    record = season_record("2025-26", GAME_DATE, {}, DayTally.of(GAME_DATE, picks))
    document = all_json_document("nba", GAME_DATE, picks, record, RUNNING, None, export_id="e1", generated_at=at(8))
    assert_valid("all", document)
    assert (document["season"], document["record"]["season"]["wins"]) == ("2025-26", 1)


def test_empty_documents_match_their_schemas():
    assert_valid("date-file", sign(date_document("nba", GAME_DATE, (), export_id="e", generated_at=START), Link("0" * 64, 7)))
    assert_valid("all", all_json_document("nba", GAME_DATE, (), SeasonRecord("2025-26", GAME_DATE), RUNNING, None, export_id="e", generated_at=START))


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


def test_a_priced_graded_pick_with_its_closing_line_reads_back_as_itself():
    priced = replace(pick(player_name="Nikola Jokić"), odds_american=-110, tier="ultra", home=True, result="WIN",
                     actual=25.0, units=0.9091, closing_line=21.5, clv=1.0)
    assert pick_from_json(GAME_DATE, pick_to_json(priced, 1)) == priced


def test_text_is_canonical_and_refuses_nan():
    document = date_document("nba", GAME_DATE, _varied_picks(), export_id="e1", generated_at=START)
    shuffled = json.loads(json.dumps(document), object_pairs_hook=lambda pairs: dict(reversed(pairs)))
    assert to_text(shuffled) == to_text(document)
    with pytest.raises(ValueError):
        to_text(date_document("nba", GAME_DATE, [pick(edge=float("nan"))], export_id="e1", generated_at=START))
    with pytest.raises(ValueError):  # all.json's compact form too
        to_text({"edge": float("nan")}, compact=True)
    assert to_text({"b": [1, 2], "a": "é"}, compact=True) == '{"a":"é","b":[1,2]}\n'
    assert to_text({"b": [1], "a": "é"}) == '{\n "a": "é",\n "b": [\n  1\n ]\n}\n'


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
        "nba", GAME_DATE, picks, SeasonRecord("2025-26", GAME_DATE), RUNNING, None, export_id="e2", generated_at=START)))
    assert per_date.picks() == all_json.picks()
    assert render_picks(per_date.picks()) == render_picks(picks)
    assert (per_date.export_id, per_date.game_date) == ("e1", GAME_DATE)
    assert PublishedDocument.parse(None) is None


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
