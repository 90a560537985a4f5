"""One test per production incident of DESIGN.md ("Failure modes seen in production") that the core and
the service on fakes can reproduce. REQUIRED-vs-NULLABLE drift and BOOL-as-STRING need the real
BigQuery schema and are covered by the adapter tests."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from picklock.domain.ledger import fold_ledger
from picklock.domain.render import pick_to_json
from picklock.service_layer.errors import InvalidCommand
from tests.harness.nba_paths import ALL_JSON, date_file_name

from builders import (
    GAME_DATE, START, TIPOFF, add, assert_every_version_audited, assert_monotonic, assert_one_live_per_key,
    assert_published_fields_frozen, current_picks, date_versions, entries, live_keys, patched, racers, remove,
    result, signal, versions, void,
)
from fakes import make_service

UTC = timezone.utc
DATE_FILE = date_file_name(GAME_DATE)


def by_player(entries_) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for e in entries_:
        out.setdefault(e["player_lookup"], []).append(e)
    return out


def without_position(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if k != "rank"}


def test_delete_then_insert_race_cannot_duplicate_or_lose_locks():
    """Two exports of one date at once: the ledger is append-only and the file is written under a
    generation precondition, so neither export deletes the other's locks or doubles them."""
    a, b, store, publisher, racing, clock = racers()
    a.load_signal(GAME_DATE, [signal("x", rank=1), signal("y", rank=2)])
    a.export(GAME_DATE, "signal_updated")
    ledger_before = list(store.ledger)

    a.load_signal(GAME_DATE, [signal("x", rank=1), signal("z", rank=2)])

    def concurrent_export():
        clock.advance(seconds=1)
        b.load_signal(GAME_DATE, [signal("x", "UNDER", 19.5, rank=1), signal("w", rank=2)])
        b.export(GAME_DATE, "post_grading")

    racing.before_next_write = concurrent_export
    clock.advance(minutes=5)
    a.export(GAME_DATE, "signal_updated")

    assert store.ledger[:len(ledger_before)] == ledger_before  # nothing deleted or rewritten
    final = current_picks(publisher)
    # z was A's, and the signal dropped it before A could show it (A lost its write): never
    # shown, it is not a lock, and has no ledger row.
    assert sorted(by_player(final)) == ["w", "x", "y"]
    assert "z" not in {row.pick.player_lookup for row in store.ledger}
    assert [e["direction"] for e in by_player(final)["x"]] == ["OVER"]  # locked, not replaced
    texts = date_versions(publisher)
    assert_monotonic(texts)
    assert_one_live_per_key(texts)
    assert_published_fields_frozen(texts)
    assert_every_version_audited(publisher, store)


def test_failed_delete_cannot_fall_through_to_insert():
    """A failed store write (BigQuery refuses DML on the streaming buffer) fails the export, so its
    message comes again, and falls through to nothing: what it had published stays shown, carried
    by the file alone, and the retry neither duplicates nor loses a pick."""
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("x"), signal("y", rank=2)])

    def refusing(method):
        def wrapper(rows):
            raise RuntimeError("UPDATE or DELETE statement would affect rows in the streaming buffer")
        return wrapper

    with patched(store, "append_ledger", refusing):
        with pytest.raises(RuntimeError, match="streaming buffer"):
            service.export(GAME_DATE, "signal_updated")
    assert sorted(by_player(current_picks(publisher))) == ["x", "y"]  # the files precede the ledger
    assert store.ledger == [] and store.audit == []

    clock.advance(minutes=1)
    service.load_signal(GAME_DATE, [signal("z")])  # the signal moved on: x and y stand on the file alone
    service.export(GAME_DATE, "signal_updated")
    service.export(GAME_DATE, "signal_updated")
    assert [len(v) for v in by_player(current_picks(publisher)).values()] == [1, 1, 1]
    assert sorted(r.pick.player_lookup for r in store.ledger) == ["x", "y", "z"]
    assert_every_version_audited(publisher, store)


def test_manual_picks_never_counted_as_algorithm():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("algo"), signal("both", rank=2)])
    service.submit_manual(add("mine", "r1"))
    service.submit_manual(add("both", "r2", direction="UNDER", line=15.5))  # replaces an unpublished algorithm pick
    service.export(GAME_DATE, "manual")

    assert sorted(r.player_lookup for r in store.signal[("nba", GAME_DATE)]) == ["algo", "both"]  # signal table untouched
    sources = {e["player_lookup"]: e["source"] for e in current_picks(publisher)}
    assert sources == {"algo": "algorithm", "mine": "manual", "both": "manual"}
    record = store.audit[-1]
    assert (record.count_algorithm, record.count_manual) == (1, 2)
    assert {e["source"] for e in json.loads(publisher.read(ALL_JSON)[0])["today"]} == {"algorithm", "manual"}


def test_removed_manual_pick_not_resurrected_by_lock_table():
    service, store, publisher, clock = make_service()
    original = add("mine", "r1")
    service.submit_manual(original)
    service.export(GAME_DATE, "manual")
    clock.advance(minutes=5)
    service.submit_manual(remove("mine", "r2", clock()))
    service.export(GAME_DATE, "manual")

    # Everything that could bring it back: the lock table's own rows, a redelivered add, the signal.
    clock.advance(minutes=5)
    assert service.submit_manual(original, check=False).recorded is False
    service.load_signal(GAME_DATE, [signal("mine", team="LAL", opponent="GSW")])
    service.export(GAME_DATE, "signal_updated")
    clock.advance(minutes=5)
    service.export(GAME_DATE, "scheduled")

    [mine] = current_picks(publisher)
    assert (mine["source"], mine["status"], mine["void_reason"]) == ("manual", "voided", "removed")
    assert fold_ledger(store.ledger)[mine["pick_id"]].status == "voided"


def test_datetime_serialisable_on_second_export_of_a_day():
    """The second export renders picks read back from the ledger and the published file (datetimes,
    not strings); it must write valid JSON with UTC ISO-8601 timestamps."""
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("x")])
    service.submit_manual(add("m", "r1", game_time=TIPOFF))
    service.export(GAME_DATE, "signal_updated")
    clock.advance(hours=1, microseconds=123456)
    service.load_signal(GAME_DATE, [signal("x", edge=7.0), signal("y", rank=2)])
    second = service.export(GAME_DATE, "signal_updated")
    assert second.plan.outcome == "published"
    for text in (publisher.read(DATE_FILE)[0], publisher.read(ALL_JSON)[0], store.audit[-1].events):
        json.loads(text)
    document = json.loads(publisher.read(DATE_FILE)[0])
    assert document["generated_at"] == "2026-02-28T18:00:00.123Z"
    for e in document["picks"]:
        assert e["first_published_at"].endswith("Z") and e["game_time"] == "2026-03-01T00:30:00.000Z"


def test_cli_run_twice_creates_no_duplicate():
    service, store, publisher, clock = make_service()
    assert service.submit_manual(add("m", "cli-1", clock()))
    clock.advance(seconds=30)
    service.submit_manual(add("m", "cli-2", clock()))  # the operator ran the same command again
    service.export(GAME_DATE, "cli")
    clock.advance(minutes=1)
    service.submit_manual(add("m", "cli-3", clock()))  # and once more after it was published
    report = service.export(GAME_DATE, "cli")
    assert report.plan.outcome == "unchanged"
    assert live_keys(current_picks(publisher)) == [("m", "PTS")]
    assert len(current_picks(publisher)) == 1


def test_manual_override_of_algorithm_pick_not_silently_dropped():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("x", "OVER", 20.5)])
    service.export(GAME_DATE, "signal_updated")
    clock.advance(minutes=5)
    override = add("x", "ovr-1", clock(), "UNDER", 19.5, team="BOS", opponent="NYK")

    # The CLI refuses, saying why and what to do.
    with pytest.raises(InvalidCommand, match=r"held by published algorithm pick OVER 20.5; void it first"):
        service.submit_manual(override)
    # A message (no check) is recorded, and the export says it refused it: in the audit, not silently.
    service.submit_manual(override, check=False)
    service.export(GAME_DATE, "manual")
    events = json.loads(store.audit[-1].events)
    assert [(e["kind"], e["request_id"]) for e in events if e["kind"] == "manual_refused"] == [
        ("manual_refused", "ovr-1")]
    # Voided first, the override goes through and the voided pick stays visible beside it.
    clock.advance(minutes=5)
    service.submit_manual(void("x", "v1", clock(), reason="operator override"))
    clock.advance(seconds=2)
    service.submit_manual(add("x", "ovr-2", clock(), "UNDER", 19.5, team="BOS", opponent="NYK"))
    service.export(GAME_DATE, "manual")
    assert [(e["source"], e["status"], e["direction"]) for e in current_picks(publisher)] == [
        ("manual", "active", "UNDER"), ("algorithm", "voided", "OVER")]


def test_disabled_model_picks_keep_lineage():
    service, store, publisher, clock = make_service()
    old = dict(system_id="xgb_v1", algorithm_version="v1.3")
    service.load_signal(GAME_DATE, [signal("x", rank=1, **old), signal("y", rank=2, **old)])
    service.export(GAME_DATE, "signal_updated")
    # The model is disabled; its successor agrees on x and not on y.
    clock.advance(hours=1)
    new = dict(system_id="catboost_v9", algorithm_version="v9.0")
    service.load_signal(GAME_DATE, [signal("x", rank=1, **new), signal("z", rank=2, **new)])
    service.export(GAME_DATE, "signal_updated")

    lineage = {e["player_lookup"]: (e["system_id"], e["algorithm_version"]) for e in current_picks(publisher)}
    assert lineage == {"x": ("xgb_v1", "v1.3"), "y": ("xgb_v1", "v1.3"), "z": ("catboost_v9", "v9.0")}
    from_old_model = {p.player_lookup for p in fold_ledger(store.ledger).values() if p.system_id == "xgb_v1"}
    assert from_old_model == {"x", "y"}


def test_reexport_never_deletes_published_pick_so_it_is_graded():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("x", "OVER", 20.5), signal("y", rank=2)])
    service.export(GAME_DATE, "signal_updated")
    clock.advance(hours=1)
    service.load_signal(GAME_DATE, [signal("y", rank=1)])
    service.export(GAME_DATE, "signal_updated")
    clock.now = datetime(2026, 3, 1, 15, tzinfo=UTC)
    service.load_results(GAME_DATE, [result("x", 27.0), result("y", 12.0)])
    service.grade(GAME_DATE)
    graded = {e["player_lookup"]: (e["status"], e["result"]) for e in current_picks(publisher)}
    assert graded == {"x": ("locked", "WIN"), "y": ("active", "LOSS")}


def test_date_level_guard_cannot_drop_published_picks():
    """A guard keyed on the date ("this date is already locked") must neither drop published picks
    nor stop new ones: the merge is per pick key."""
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a", rank=1), signal("b", rank=2)])
    service.export(GAME_DATE, "signal_updated")
    for minutes, rows in ((30, [signal("c", rank=1), signal("d", rank=2)]), (60, [])):
        clock.advance(minutes=minutes)
        service.load_signal(GAME_DATE, rows)
        service.export(GAME_DATE, "signal_updated")
    assert sorted(by_player(current_picks(publisher))) == ["a", "b", "c", "d"]
    assert_monotonic(date_versions(publisher))


def test_no_duplicates_in_all_json():
    a, b, store, publisher, racing, clock = racers()
    a.load_signal(GAME_DATE, [signal("x", rank=3), signal("x", "UNDER", 19.5, rank=1), signal("y", rank=2)])
    a.submit_manual(add("m", "r1"))
    a.submit_manual(add("m", "r1"), check=False)  # redelivered
    a.submit_manual(add("m", "r2", START.replace(second=1)))  # the same pick again

    def concurrent():
        b.export(GAME_DATE, "manual")

    racing.before_next_write = concurrent
    a.export(GAME_DATE, "signal_updated")
    for text in versions(publisher, ALL_JSON):
        today = entries(text)
        assert len({e["pick_id"] for e in today}) == len(today)
        assert len(set(live_keys(today))) == len(live_keys(today))
    assert sorted(live_keys(entries(publisher.read(ALL_JSON)[0]))) == [("m", "PTS"), ("x", "PTS"), ("y", "PTS")]


def _day_of_changes():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a", rank=1), signal("b", rank=2), signal("c", rank=3)])
    service.export(GAME_DATE, "signal_updated")
    clock.advance(minutes=20)
    service.load_signal(GAME_DATE, [signal("a", "UNDER", 20.5, rank=1), signal("b", rank=1, edge=6.0),
                                    signal("d", rank=3)])
    service.submit_manual(add("m", "r1", clock()))
    service.export(GAME_DATE, "signal_updated")
    clock.advance(minutes=20)
    service.submit_manual(void("c", "v1", clock()))
    service.export(GAME_DATE, "manual")
    service.export(GAME_DATE, "scheduled")
    clock.advance(hours=9)
    service.load_results(GAME_DATE, [result("a", 30.0), result("b", 20.5), result("m", None)])
    service.export(GAME_DATE, "post_grading")
    return service, store, publisher, clock


def test_all_json_and_tables_agree():
    """What the file shows is what the tables hold: the ledger fold, the audit record and all.json
    are the same pick list (no filter ran on a local copy)."""
    service, store, publisher, clock = _day_of_changes()
    text = publisher.read(DATE_FILE)[0]
    shown = {e["pick_id"]: without_position(e) for e in entries(text)}
    folded = {p.pick_id: without_position(pick_to_json(p, 1)) for p in fold_ledger(store.ledger).values()}
    assert folded == shown
    assert store.audit[-1].document == text
    assert entries(publisher.read(ALL_JSON)[0]) == entries(text)
    record = store.audit[-1]
    assert record.count_total == len(shown)
    assert record.count_graded == sum(e["result"] is not None for e in shown.values()) == 3


def test_lock_history_survives_so_any_version_can_be_rebuilt():
    service, store, publisher, clock = _day_of_changes()
    written = versions(publisher, DATE_FILE)
    assert len(written) == 4
    for text in written:
        export_id = json.loads(text)["export_id"]
        record = service.audit_record(export_id)
        assert record.document == text  # from the audit alone
        # ...and from the ledger as it stood after that export: nothing was truncated or rewritten.
        upto = [r for r in store.ledger if r.order <= (record.exported_at, record.export_id)]
        folded = {p.pick_id: without_position(pick_to_json(p, 1)) for p in fold_ledger(upto).values()}
        assert folded == {e["pick_id"]: without_position(e) for e in entries(text)}


def test_post_grading_export_never_shows_yesterday_as_today():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("x")])
    service.export(GAME_DATE, "signal_updated")
    # 22:00 in New York (03:00Z on March 1st): grading of the 27th comes in.
    clock.now = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    yesterday = date(2026, 2, 27)
    service.load_signal(yesterday, [signal("old", game_date=yesterday)])
    service.load_results(yesterday, [result("old", 30.0, game_date=yesterday)])
    service.grade(yesterday)
    shown = json.loads(publisher.read(ALL_JSON)[0])
    assert shown["date"] == "2026-02-28" and [e["player_lookup"] for e in shown["today"]] == ["x"]
    # Next morning the 28th is graded; all.json shows March 1st, not the 28th.
    clock.now = datetime(2026, 3, 1, 14, 0, tzinfo=UTC)
    service.load_results(GAME_DATE, [result("x", 30.0)])
    service.grade(GAME_DATE)
    shown = json.loads(publisher.read(ALL_JSON)[0])
    assert (shown["date"], shown["today"]) == ("2026-03-01", [])
    assert shown["record"]["wins"] == 1
    assert all(json.loads(t)["date"] <= "2026-03-01" for t in versions(publisher, ALL_JSON))
    dates = [json.loads(t)["date"] for t in versions(publisher, ALL_JSON)]
    assert dates == sorted(dates)  # never back to an earlier date


def test_push_is_graded_not_pending():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("x", "OVER", 25.0)])
    service.export(GAME_DATE, "signal_updated")
    clock.advance(hours=9)
    service.load_results(GAME_DATE, [result("x", 25.0)])
    service.grade(GAME_DATE)
    [x] = current_picks(publisher)
    assert (x["result"], x["actual"]) == ("PUSH", 25.0)
    record = json.loads(publisher.read(ALL_JSON)[0])["record"]
    assert (record["pushes"], record["wins"], record["losses"], record["pct"]) == (1, 0, 0, None)
    assert store.audit[-1].count_graded == 1
    assert service.export(GAME_DATE, "scheduled").plan.outcome == "unchanged"  # settled, not re-graded


def test_eastern_date_not_utc_date():
    # 03:00Z on March 1st is 22:00 on February 28th in New York.
    service, store, publisher, clock = make_service(datetime(2026, 3, 1, 3, 0, tzinfo=UTC))
    assert service.today() == GAME_DATE
    utc_date = date(2026, 3, 1)
    service.load_signal(utc_date, [signal("tomorrow", game_date=utc_date,
                                          game_time=datetime(2026, 3, 2, 0, 30, tzinfo=UTC))])
    service.export(utc_date, "signal_updated")
    assert publisher.read(ALL_JSON) == (None, 0)
    service.load_signal(GAME_DATE, [signal("late_game", game_time=datetime(2026, 3, 1, 3, 30, tzinfo=UTC))])
    report = service.export(GAME_DATE, "signal_updated")
    assert json.loads(publisher.read(ALL_JSON)[0])["date"] == "2026-02-28"
    assert report.plan.export_id.startswith("2026-02-28.")
    assert [e["player_lookup"] for e in current_picks(publisher)] == ["late_game"]
