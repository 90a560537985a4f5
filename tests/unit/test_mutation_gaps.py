"""Rules no test pinned until mutation testing showed it: a mutant of shared/picklock/domain/ that
survived the unit tests (`make mutants`; docs/MUTATION.md names the test that now kills each one).
The tests go through public behaviour: what the service refuses, what an export publishes and
tells, the domain's public functions."""
from __future__ import annotations

import os
import time
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from picklock.domain.calendar import (
    FIRST_DATE, LAST_DATE, OutOfRange, checked_date, format_instant, parse_checked_instant, to_utc,
)
from picklock.domain.commands import add_refusal
from picklock.domain.export import current_audit, describe
from picklock.domain.halts import HaltState, fold_halts
from picklock.domain.merge import MergeInputs, merge_and_lock
from picklock.domain.picks import HaltCommand, PickKey, pick_id_for
from picklock.domain.render import content_hash, diff_documents, pick_from_json, render_picks, to_text
from picklock.domain.sports import Catalogue, CatalogueError, Season, Sport, UnknownSport, catalogue_from_json
from picklock.service_layer.errors import InvalidCommand
from tests.harness.nba_paths import NBA

from builders import (
    GAME_DATE, MS, START, TIPOFF, Core, Crash, add, at, crashing, events_of, only, pick, remove, result, signal, void,
)
from fakes import make_service

UTC = timezone.utc


def recorded(store, request_id: str):
    return next(c for c in store.manual if c.request_id == request_id)


def live(report) -> dict[str, str]:
    """player -> status of the live picks an export published."""
    return {p.player_lookup: p.status for p in report.plan.merge.picks if p.live}


# ---------------------------------------------------------------- the gaps the issue found

def test_a_refusal_of_another_key_does_not_refuse_a_void_or_a_manual_add():
    """command_refusal must only read refusals of the command itself: a late signal row for another
    player is refused on every export, and must not make every operator command look refused."""
    service, store, publisher, clock = make_service()
    late = signal("late", rank=2, team="MIA", opponent="ORL", game_time=START - timedelta(hours=1))
    service.load_signal(GAME_DATE, [signal("a"), late])
    report = service.export(GAME_DATE, "signal_updated")
    assert live(report) == {"a": "active"}
    assert [e.player_lookup for e in events_of(report.plan.merge, "late_pick_refused")] == ["late"]

    clock.advance(minutes=5)
    assert service.submit_manual(void("a", "v1", clock()))
    assert service.submit_manual(add("m", "r1", clock()))
    assert [c.request_id for c in store.manual] == ["v1", "r1"]
    clock.advance(minutes=5)
    assert live(service.export(GAME_DATE, "manual")) == {"m": "active"}


def test_a_restamped_duplicate_of_a_command_counts_at_its_first_stamp():
    """A store may hand back a command twice, the copy stamped later (a redelivered message, a
    retried insert). It is the command already seen: it neither voids a pick added after the
    original void, nor resurrects a removed pick."""
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    service.export(GAME_DATE, "signal_updated")
    clock.advance(minutes=5)
    assert service.submit_manual(void("a", "v1", clock()))
    clock.advance(minutes=5)
    assert service.submit_manual(add("a", "r1", clock(), "UNDER", 18.5))
    clock.advance(minutes=5)
    before = service.export(GAME_DATE, "manual").plan.merge.picks
    assert [(p.source, p.status) for p in before] == [("manual", "active"), ("algorithm", "voided")]
    clock.advance(minutes=5)
    store.manual.append(replace(recorded(store, "v1"), submitted_at=clock()))
    after = service.export(GAME_DATE, "manual").plan.merge.picks
    assert [(p.pick_id, p.status) for p in after] == [(p.pick_id, p.status) for p in before]

    clock.advance(minutes=5)
    assert service.submit_manual(add("m", "r2", clock()))
    clock.advance(minutes=5)
    assert service.submit_manual(remove("m", "r3", clock()))
    clock.advance(minutes=5)
    store.manual.append(replace(recorded(store, "r2"), submitted_at=clock()))
    assert "m" not in live(service.export(GAME_DATE, "manual"))


def test_a_second_remove_of_a_removed_manual_pick_is_refused():
    service, store, publisher, clock = make_service()
    # Removed before it was ever published ...
    assert service.submit_manual(add("p", "r1", clock()))
    assert service.submit_manual(remove("p", "r2", clock()))
    with pytest.raises(InvalidCommand, match="no manual pick"):
        service.submit_manual(remove("p", "r3", clock()))
    # ... and removed once published (it stays visible, voided as removed).
    assert service.submit_manual(add("m", "r4", clock()))
    assert live(service.export(GAME_DATE, "manual")) == {"m": "active"}
    clock.advance(minutes=5)
    assert service.submit_manual(remove("m", "r5", clock()))
    assert live(service.export(GAME_DATE, "manual")) == {}
    clock.advance(minutes=5)
    with pytest.raises(InvalidCommand, match="no manual pick"):
        service.submit_manual(remove("m", "r6", clock()))
    assert [c.request_id for c in store.manual] == ["r1", "r2", "r4", "r5"]


def test_pick_ids_are_pinned():
    """pick_ids are stored in the ledger and shown in every published file: the formula may never
    change, or a re-export would publish the same pick under a new id."""
    assert pick_id_for(PickKey(GAME_DATE, "jokic"), "algorithm", "OVER", 20.5, "catboost_v9") == (
        "2026-02-28/jokic/PTS/9dee37e9c4")
    merged = Core().run(signal=[signal("jokic")], manual=[add("m", "r1")])
    assert only(merged.picks, "jokic").pick_id == "2026-02-28/jokic/PTS/9dee37e9c4"
    assert only(merged.picks, "m").pick_id == "2026-02-28/m/PTS/ba1776b22f"


# ---------------------------------------------------------------- instants and dates (calendar.py)

NAIVE = "naive datetime: every instant in picklock carries a time zone"


def test_naive_instants_are_refused_with_one_message():
    naive = datetime(2026, 2, 28, 23, 30)
    for refuse in (to_utc, NBA.today):
        with pytest.raises(ValueError) as refused:
            refuse(naive)
        assert str(refused.value) == NAIVE


def test_to_utc_does_not_depend_on_the_machines_time_zone():
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "America/Los_Angeles"
    time.tzset()
    try:
        moment = to_utc(datetime(2026, 3, 1, 1, 0, 0, 123456, tzinfo=ZoneInfo("Europe/Paris")))
        assert moment.utcoffset() == timedelta(0)
        assert format_instant(moment) == "2026-03-01T00:00:00.123Z"
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


def test_the_accepted_range_includes_both_ends():
    assert checked_date(FIRST_DATE) == FIRST_DATE and checked_date(LAST_DATE) == LAST_DATE
    for outside in (FIRST_DATE - timedelta(days=1), LAST_DATE + timedelta(days=1)):
        with pytest.raises(OutOfRange) as refused:
            checked_date(outside)
        assert str(refused.value) == f"{outside.isoformat()} is outside the accepted range 2000-01-01 to 2099-12-31"

    accepted = {
        "2000-01-01T00:00:00Z": "2000-01-01T00:00:00.000Z",
        "1999-12-31T20:00:00-05:00": "2000-01-01T01:00:00.000Z",  # a local year before the range
        "2099-12-31T23:59:59.999Z": "2099-12-31T23:59:59.999Z",
        "2100-01-01T00:30:00+01:00": "2099-12-31T23:30:00.000Z",  # a local year after it
    }
    for text, instant in accepted.items():
        assert format_instant(parse_checked_instant(text)) == instant
    for text in ("1999-12-31T23:59:59.999Z", "2100-01-01T00:00:00Z", "2100-01-01T00:30:00-01:00"):
        with pytest.raises(OutOfRange) as refused:
            parse_checked_instant(text)
        assert str(refused.value) == (
            f"{text!r} is outside the accepted range 2000-01-01T00:00:00.000Z to 2099-12-31T23:59:59.999Z")


# ---------------------------------------------------------------- the sports catalogue (sports.py)

def _entry(sport_id="nba", **overrides) -> dict:
    entry = {"id": sport_id, "name": sport_id.upper(), "path_prefix": f"/v1/{sport_id}/",
             "time_zone": "America/Chicago", "stats": ["PTS", "REB"],
             "seasons": [{"name": "2025-26", "start": "2025-10-01", "end": "2026-06-30"},
                         {"name": "2026-27", "start": "2026-10-01", "end": "2027-06-30"}]}
    entry.update(overrides)
    return entry


def _refusal(entries) -> str:
    with pytest.raises(CatalogueError) as refused:
        catalogue_from_json({"sports": entries})
    return str(refused.value)


def test_a_sports_catalogue_is_read_field_by_field():
    catalogue = catalogue_from_json({"sports": [_entry(), _entry("mlb", stats=["K"])]})
    seasons = (Season("2025-26", date(2025, 10, 1), date(2026, 6, 30)),
               Season("2026-27", date(2026, 10, 1), date(2027, 6, 30)))
    assert catalogue == Catalogue((
        Sport("nba", "NBA", "v1/nba", "America/Chicago", ("PTS", "REB"), seasons),
        Sport("mlb", "MLB", "v1/mlb", "America/Chicago", ("K",), seasons),
    ))
    nba = catalogue.get("nba")
    assert nba.season(date(2025, 9, 30)) == seasons[0]  # before the first season: the first
    assert nba.season(date(2026, 8, 1)) == seasons[0]  # between two: the one that ended last
    assert nba.season(date(2026, 10, 1)) == seasons[1]
    assert nba.refusal_of_stat("K") == "'K' is not a NBA stat; expected one of PTS, REB"
    with pytest.raises(UnknownSport) as refused:
        catalogue.get("nhl")
    assert str(refused.value) == "unknown sport 'nhl'; expected one of nba, mlb"


def test_a_sports_catalogue_refuses_what_it_cannot_use_and_says_where():
    assert _refusal([_entry(stats=[])]) == "sports[0]: a sport needs at least one season and one stat"
    assert _refusal([_entry(), _entry("mlb", seasons=[])]) == "sports[1]: a sport needs at least one season and one stat"
    touching = [{"name": "a", "start": "2025-10-01", "end": "2026-06-30"},
                {"name": "b", "start": "2026-06-30", "end": "2027-06-30"}]
    assert _refusal([_entry(seasons=touching)]) == "sports[0].seasons: a and b overlap or are out of order"
    third_overlaps = [{"name": "a", "start": "2024-10-01", "end": "2025-06-30"},
                      {"name": "b", "start": "2025-10-01", "end": "2026-06-30"},
                      {"name": "c", "start": "2026-06-01", "end": "2027-06-30"}]
    assert _refusal([_entry(seasons=third_overlaps)]) == "sports[0].seasons: b and c overlap or are out of order"
    one_day_seasons = [{"name": "a", "start": "2025-10-01", "end": "2025-10-01"},
                       {"name": "b", "start": "2025-10-02", "end": "2025-10-02"}]
    assert catalogue_from_json({"sports": [_entry(seasons=one_day_seasons)]}).get("nba").seasons[0].end == date(2025, 10, 1)


# ---------------------------------------------------------------- ids and keys of other sports (picks.py)

def test_ids_and_keys_of_another_sport_name_it_and_nba_ones_do_not():
    nba, mlb = PickKey(GAME_DATE, "judge", "PTS"), PickKey(GAME_DATE, "judge", "HR", "mlb")
    assert (str(nba), str(mlb)) == ("2026-02-28 judge PTS", "mlb 2026-02-28 judge HR")
    assert pick_id_for(mlb, "algorithm", "OVER", 0.5, "s1") == "2026-02-28/judge/HR/63ce80c69c"


# ---------------------------------------------------------------- what an export creates (merge.py)

def test_new_picks_carry_every_field_of_their_signal_row_or_command():
    rows = [signal("a", team="LAL", opponent="GSW", game_id="g7", edge=4.5, rank=3, angles=("rest",))]
    merged = Core().run(signal=rows, manual=[add("m", "r1", edge=2.5, notes="hunch", by="kim")])
    a, m = only(merged.picks, "a"), only(merged.picks, "m")
    assert (a.game_id, a.game_time, a.system_id, a.algorithm_version, a.player_name, a.edge, a.rank, a.angles) == (
        "g7", TIPOFF, "catboost_v9", "v9", "A", 4.5, 3, ("rest",))
    assert (m.game_id, m.game_time, m.notes, m.player_name, m.edge, m.submitted_by, m.manual_request_id) == (
        "g7", TIPOFF, "hunch", "M", 2.5, "kim", "r1")
    mlb = merge_and_lock(MergeInputs(GAME_DATE, manual=(add("judge", "r2", stat="HR", sport="mlb"),), sport="mlb"),
                         now=START, export_id="e1")
    assert [(p.sport, p.pick_id) for p in mlb.picks] == [("mlb", "2026-02-28/judge/HR/e07beefecd")]


def test_a_manual_pick_with_its_own_tip_off_still_learns_its_game_from_the_signal():
    rows = [signal("a", team="LAL", opponent="GSW", game_id="g7")]
    merged = Core().run(signal=rows, manual=[add("m", "r1", team="GSW", opponent="LAL", game_time=TIPOFF + MS)])
    assert (only(merged.picks, "m").game_id, only(merged.picks, "m").game_time) == ("g7", TIPOFF + MS)


def test_a_locked_pick_whose_signal_agrees_again_after_tip_off_is_active_but_not_refreshed():
    core = Core()
    core.run(signal=[signal("a")], now=START)
    assert only(core.run(signal=[signal("a", line=21.5)], now=at(1)).picks, "a").status == "locked"
    a = only(core.run(signal=[signal("a", edge=9.5)], now=TIPOFF + MS).picks, "a")
    assert (a.status, a.edge) == ("active", 3.5)


def test_a_void_of_a_manual_pick_not_yet_published_keeps_it_from_ever_being_published():
    service, store, publisher, clock = make_service()
    assert service.submit_manual(add("m", "r1", clock()))
    clock.advance(minutes=1)
    assert service.submit_manual(void("m", "v1", clock()))
    clock.advance(minutes=1)
    assert service.export(GAME_DATE, "manual").plan.merge.picks == ()


def test_duplicate_signal_rows_keep_the_best_rank_whatever_the_other_fields_say():
    rows = [signal("a", "UNDER", 19.5, rank=2, system_id="aaa"), signal("a", "OVER", 20.5, rank=1, system_id="zzz")]
    merged = Core().run(signal=rows)
    assert (only(merged.picks, "a").system_id, only(merged.picks, "a").rank) == ("zzz", 1)


def test_a_rank_0_from_the_upstream_table_sorts_before_rank_1():
    """The upstream BigQuery table is read without the file schema's minimum of 1."""
    rows = [signal("zed", rank=0, system_id="zzz"), signal("zed", "UNDER", 19.5, rank=1, system_id="aaa"),
            signal("amy", rank=1)]
    merged = Core().run(signal=rows)
    assert [(p.player_lookup, p.rank) for p in merged.picks] == [("zed", 0), ("amy", 1)]


# ---------------------------------------------------------------- what an export tells the operator

def _sorted(events) -> list[tuple]:
    return sorted(tuple(sorted(event.items())) for event in events)


def test_every_event_names_its_player_stat_and_what_happened():
    core = Core()
    core.run(signal=[signal("held"), signal("voided", rank=2)], now=START)
    late = START - timedelta(hours=1)
    manual = [add("held", "r1", at(1), "UNDER", 18.5), add("late", "r2", TIPOFF + MS, game_time=TIPOFF),
              void("voided", "v1", at(1)), void("covered", "v2", at(3), reason="injury"), add("replaces", "r3", at(1))]
    rows = [signal("held"), signal("voided", rank=2), signal("dup", rank=3), signal("dup", "UNDER", 19.5, rank=4),
            signal("started", rank=5, game_time=late), signal("covered", rank=6), signal("replaces", rank=7)]
    shown = pick("shown", pick_id="2026-02-28/shown/PTS/x")
    merged = core.run(signal=rows, manual=manual, shown=[shown], now=at(2))
    voided_id = only(merged.picks, "voided").pick_id
    held_id = only(merged.picks, "held").pick_id
    assert _sorted(e.as_dict() for e in merged.events) == _sorted([
        {"kind": "relocked", "player_lookup": "shown", "stat": "PTS", "pick_id": shown.pick_id,
         "detail": "in the published file but missing from the ledger"},
        {"kind": "duplicate_signal_row", "player_lookup": "dup", "stat": "PTS",
         "detail": "ignored UNDER 19.5 from catboost_v9; kept rank 3"},
        {"kind": "manual_refused", "player_lookup": "held", "stat": "PTS", "pick_id": held_id, "request_id": "r1",
         "detail": "2026-02-28 held PTS is held by published algorithm pick OVER 20.5; void it first"},
        {"kind": "late_pick_refused", "player_lookup": "late", "stat": "PTS", "request_id": "r2",
         "detail": "manual pick submitted after tip-off (2026-03-01T00:30:00.000Z)"},
        {"kind": "voided", "player_lookup": "voided", "stat": "PTS", "pick_id": voided_id, "detail": "injury news"},
        {"kind": "signal_suppressed", "player_lookup": "voided", "stat": "PTS",
         "detail": "key was voided by an operator; only a manual pick may replace it"},
        {"kind": "late_pick_refused", "player_lookup": "started", "stat": "PTS",
         "detail": "signal pick after tip-off (2026-02-28T16:00:00.000Z)"},
        {"kind": "signal_suppressed", "player_lookup": "covered", "stat": "PTS",
         "detail": "an operator void (injury) covers picks published until 2026-02-28T20:00:00.000Z"},
    ])

    halt = HaltState(True, "feed outage", START, "ops")
    halted = merge_and_lock(MergeInputs(GAME_DATE, signal=(signal("new"),), manual=(add("m", "r4"),), halt=halt),
                            now=at(1), export_id="e9")
    describe_halt = "nba is halted since 2026-02-28T17:00:00.000Z: feed outage"
    assert _sorted(e.as_dict() for e in halted.events) == _sorted([
        {"kind": "halted", "player_lookup": "m", "stat": "PTS", "request_id": "r4", "detail": describe_halt},
        {"kind": "halted", "player_lookup": "new", "stat": "PTS", "detail": f"signal pick not published: {describe_halt}"},
    ])


def test_a_second_live_pick_on_a_key_is_voided_naming_the_one_kept():
    older = merge_and_lock(MergeInputs(GAME_DATE, signal=(signal("a", system_id="s1"),)), now=at(0), export_id="e1")
    newer = merge_and_lock(MergeInputs(GAME_DATE, signal=(signal("a", "UNDER", 21.5, system_id="s2"),)),
                           now=at(1), export_id="e2")
    merged = merge_and_lock(MergeInputs(GAME_DATE, ledger=older.ledger_rows + newer.ledger_rows), now=at(2), export_id="e3")
    [event] = merged.events
    assert event.as_dict() == {"kind": "voided", "player_lookup": "a", "stat": "PTS", "pick_id": newer.picks[0].pick_id,
                               "detail": f"second live pick on 2026-02-28 a PTS; kept {older.picks[0].pick_id}"}


def test_a_ledger_row_lists_every_change_of_its_export():
    core = Core()
    core.run(signal=[signal("a")])
    merged = core.run(signal=[signal("a", line=21.5)], results=[result("a", 30.0)], now=at(9))
    [row] = merged.ledger_rows
    assert (row.change, row.change_detail) == (
        "locked,graded,signal_disagrees", "signal now says OVER 21.5; published OVER 20.5 kept; WIN (actual 30.0)")


def test_describe_names_the_instant_and_lists_each_event_on_its_own_line():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a"), signal("a", "UNDER", 19.5, rank=2), signal("b", rank=3, game_time=START)])
    text = describe(service.export(GAME_DATE, "cli").plan)
    assert text.endswith(
        " at 2026-02-28T17:00:00.000Z"
        "\n  duplicate_signal_row: a PTS: ignored UNDER 19.5 from catboost_v9; kept rank 1"
        "\n  late_pick_refused: b PTS: signal pick after tip-off (2026-02-28T17:00:00.000Z)")


def test_an_unknown_trigger_is_refused_naming_the_known_ones():
    service, store, publisher, clock = make_service()
    with pytest.raises(ValueError) as refused:
        service.export(GAME_DATE, "cron")
    assert str(refused.value) == ("unknown trigger 'cron'; expected one of "
                                  "signal_updated, post_grading, manual, scheduled, cli")


def test_a_halt_names_who_halted_and_since_when():
    commands = [HaltCommand("h1", at(1), "halt", "nba", "kim", "feed outage"),
                HaltCommand("h0", at(0), "resume", "nba", "ops")]
    assert fold_halts(commands, "nba") == HaltState(True, "feed outage", at(1), "kim")


# ---------------------------------------------------------------- files and audit (render.py, export.py)

def test_published_text_is_canonical_and_refuses_what_json_cannot_say():
    assert to_text({"b": 1, "a": {"name": "Jokić"}}) == '{\n "a": {\n  "name": "Jokić"\n },\n "b": 1\n}\n'
    # Stored in every audit row: the hash of a content may never change.
    document = {"export_id": "e1", "generated_at": "2026-02-28T17:00:00.000Z", "picks": [{"player": "Jokić", "line": 20.5}]}
    assert content_hash(document) == "22cf5627c139c4461bd5101a15d89738409cca131a27b5199aa272a0465aea2a"
    assert content_hash(dict(document, export_id="e2", generated_at="2026-03-01T00:00:00.000Z")) == content_hash(document)
    for write in (to_text, content_hash):
        with pytest.raises(ValueError):
            write({"line": float("nan")})


def test_files_read_back_number_their_picks_and_older_files_are_nba():
    picks = [pick("a", pick_id="2026-02-28/a/PTS/x"), pick("b", pick_id="2026-02-28/b/PTS/x")]
    entries = render_picks(picks)
    assert [e["rank"] for e in entries] == [1, 2]
    before_sports = {k: v for k, v in entries[0].items() if k != "sport"}
    assert pick_from_json(GAME_DATE, before_sports).sport == "nba"
    diff = diff_documents({"today": entries[:1]}, {"today": entries})  # all.json lists its picks as "today"
    assert diff == {"added": ["2026-02-28/b/PTS/x"], "removed": [], "changed": []}


def test_audit_rows_keep_the_first_row_of_an_export_unless_it_was_only_a_recovery():
    service, store, publisher, clock = make_service()
    service.export(GAME_DATE, "cli")
    own = store.audit[-1]
    recovered = replace(own, outcome="recovered", trigger_source="recovery")
    recovered_later = replace(recovered, all_json_document=None, all_json_written=False, all_json_sha256=None)
    assert current_audit([own, recovered]) == current_audit([recovered, own]) == [own]
    assert current_audit([recovered, recovered_later]) == [recovered]


def test_a_recovered_audit_row_of_another_sport_has_its_sport_and_no_events():
    service, store, publisher, clock = make_service()
    with crashing("before_audit_write", store, publisher), pytest.raises(Crash):
        service.export(GAME_DATE, "cli", "mlb")
    clock.advance(minutes=1)
    recovered, own = service.export(GAME_DATE, "cli", "mlb").plan.audit
    assert (recovered.outcome, recovered.sport, recovered.events, own.sport) == ("recovered", "mlb", "[]", "mlb")


def test_audit_events_are_canonical_json():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a", game_time=START)])
    service.export(GAME_DATE, "cli")
    assert store.audit[-1].events == (
        '[{"detail": "signal pick after tip-off (2026-02-28T17:00:00.000Z)", "kind": "late_pick_refused", '
        '"player_lookup": "a", "stat": "PTS"}]')


def test_all_json_is_taken_back_only_by_todays_export_and_only_from_a_clock_far_ahead():
    service, store, publisher, clock = make_service()
    clock.now = datetime(2026, 3, 3, 15, tzinfo=UTC)  # a stray clock days ahead writes all.json
    future = service.export(date(2026, 3, 3), "cli").plan.export_id
    clock.now = START
    assert service.export(date(2026, 2, 27), "cli").plan.notices == ()  # not today's export
    assert service.export(GAME_DATE, "cli").plan.notices == ({"kind": "all_json_reclaimed", "detail": (
        f"all.json showed 2026-03-03 (export {future}, generated 2026-03-03T15:00:00.000Z, more than 0:10:00 "
        "ahead of this exporter's clock 2026-02-28T17:00:00.000Z); today 2026-02-28 takes it back")},)
    clock.now = START + timedelta(hours=6)  # still the 28th in New York, hours ahead
    service.load_signal(GAME_DATE, [signal("z")])
    assert service.export(GAME_DATE, "cli").plan.all_json_text is not None
    clock.now = START + timedelta(minutes=1)
    assert service.export(GAME_DATE, "cli").plan.notices == ()  # all.json shows today already


# ---------------------------------------------------------------- commands and what they withdraw (commands.py, manual.py)

def test_a_void_without_a_reason_is_recorded_as_voided():
    core = Core()
    core.run(signal=[signal("a")])
    merged = core.run(signal=[signal("a")], manual=[void("a", "v1", at(1), reason=None)], now=at(2))
    assert (only(merged.picks, "a").status, only(merged.picks, "a").void_reason) == ("voided", "voided")


def test_an_add_delivered_late_with_an_earlier_stamp_is_superseded_and_says_so():
    service, store, publisher, clock = make_service()
    assert service.submit_manual(add("m", "r1", at(2)))
    late = service.submit_manual(add("m", "r2", at(1), "UNDER", 22.5), check=False)
    assert (late.recorded, late.refusal) == (True, None)  # recorded unread: its export says
    clock.now = at(3)
    merged = service.export(GAME_DATE, "manual").plan.merge
    assert add_refusal(merged, late.command) == (
        "the add on 2026-02-28 m PTS is superseded by a later command on that key (check this machine's clock)")
    [m] = merged.picks
    assert (m.manual_request_id, m.status) == ("r1", "active")


def test_an_operators_command_is_restamped_only_after_commands_on_its_own_key():
    service, store, publisher, clock = make_service()
    assert service.submit_manual(add("b", "r1", at(5)), check=False)  # another key, stamped later
    assert service.submit_manual(add("a", "r2", at(1))).command.submitted_at == at(1)
    assert service.submit_manual(remove("a", "r3", at(1))).command.submitted_at == at(1) + MS


def test_a_command_withdraws_what_it_names_whatever_its_stamp_says():
    """Clocks disagree: a remove delivered as a message names the picks live on its key when it was
    recorded and the add in force stamped no later than it, and withdraws them even when the
    stamps alone would not (an earlier stamp; the same millisecond, its request id sorting first)."""
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    assert service.submit_manual(add("m", "r1", at(0)))
    service.export(GAME_DATE, "manual")
    assert service.submit_manual(remove("m", "r2", at(-1)), check=False)  # stamped before r1's add
    assert service.submit_manual(add("a", "z3", at(1), "UNDER", 22.5), check=False)  # held by a's pick
    assert service.submit_manual(remove("a", "r4", at(1)), check=False)  # same millisecond, sorts first
    clock.now = at(3)
    merged = service.export(GAME_DATE, "manual").plan.merge
    assert [(p.player_lookup, p.status, p.void_reason) for p in merged.picks] == [
        ("a", "active", None), ("m", "voided", "removed")]
    assert events_of(merged, "manual_refused") == []  # z3 is withdrawn


def test_a_void_recorded_while_an_add_was_pending_withdraws_its_pick_published_meanwhile():
    """The void named the pending add (its request id); an export that read the state before the
    void was recorded published the pick. The next export withdraws it, whatever the stamps say."""
    core = Core()
    core.run(manual=[add("n", "r1", at(2))], now=at(2))
    void_of_pending = replace(void("n", "v1", at(1)), targets=("r1",))
    merged = core.run(manual=[add("n", "r1", at(2)), void_of_pending], now=at(3))
    assert [(p.status, p.void_reason) for p in merged.picks] == [("voided", "injury news")]


def test_a_void_delivered_before_an_earlier_stamped_add_keeps_the_add_from_being_published():
    service, store, publisher, clock = make_service()
    assert service.submit_manual(void("n", "v1", at(2)), check=False)  # reordered delivery: the void first
    assert service.submit_manual(add("n", "r1", at(1)), check=False)
    clock.now = at(3)
    assert service.export(GAME_DATE, "manual").plan.merge.picks == ()


def test_a_void_names_a_pick_the_ledger_lost_but_users_can_see():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    service.export(GAME_DATE, "signal_updated")
    store.ledger.clear()
    assert service.submit_manual(void("a", "v1", START - timedelta(minutes=1)))  # a slow operator clock
    clock.advance(minutes=1)
    assert live(service.export(GAME_DATE, "manual")) == {}



def test_an_add_names_nothing_to_withdraw_even_over_a_published_pick():
    """Only a remove or a void records targets: an add on a key with a live published pick
    (another add in force there) stores none."""
    service, store, publisher, clock = make_service()
    assert service.submit_manual(add("m", "r1", at(0)))
    service.export(GAME_DATE, "manual")
    again = service.submit_manual(add("m", "r2", at(1), "UNDER", 22.5), check=False)
    assert again.recorded and again.command.targets == ()
    assert recorded(store, "r2").targets == ()
