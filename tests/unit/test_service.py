"""The service layer on in-memory fakes: ordering, races (G6), idempotency (G5), grading, audit (G4),
and crashes at every step boundary (G7)."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from picklock.domain.export import current_audit
from picklock.service_layer.errors import InvalidCommand, PreconditionFailed
from picklock.service_layer.services import ExportConflict
from tests.harness.nba_paths import ALL_JSON, NBA, date_file_name, index_name, snapshot_name

from builders import (
    CRASH_POINTS, GAME_DATE, START, TIPOFF, Crash, add, assert_every_version_audited, assert_monotonic, assert_one_live_per_key,
    assert_published_fields_frozen, at, crashing, current_picks, date_versions, entries, patched, racers, remove, result,
    is_version, losing_once, signal, versions, void,
)
from fakes import make_service

UTC = timezone.utc
DATE_FILE = date_file_name(GAME_DATE)


def ids(entries_) -> set[str]:
    return {e["pick_id"] for e in entries_}


def players(entries_) -> dict[str, str]:
    return {e["player_lookup"]: e["status"] for e in entries_}


# ---------------------------------------------------------------- order of the steps

def test_export_writes_the_files_then_the_ledger_and_the_audit_last():
    """all.json is visible once written: the ledger's job (0.5-2 s on BigQuery) comes after it."""
    service, store, publisher, clock = make_service()
    steps = []

    def recording(label, method):
        def wrapper(*args, **kwargs):
            steps.append(label if label != "write" else args[0])
            return method(*args, **kwargs)
        return wrapper

    service.load_signal(GAME_DATE, [signal("a")])
    with patched(store, "append_ledger", lambda m: recording("ledger", m)), \
            patched(store, "append_audit", lambda m: recording("audit", m)), \
            patched(publisher, "write", lambda m: recording("write", m)):
        report = service.export(GAME_DATE, "signal_updated")
    assert steps == [DATE_FILE, snapshot_name(GAME_DATE, report.plan.export_id), index_name(GAME_DATE),
                     ALL_JSON, "ledger", "audit", *NBA.feed_names]  # the feeds follow what they announce


def test_every_pick_a_written_file_shows_is_in_the_file_it_replaced_the_ledger_or_this_exports_rows():
    """What carries a lock while the files are written: a pick a file shows is one the version it
    replaces showed (the merge keeps those), one the ledger holds, or one this export locks; and
    once the export returns, the ledger holds every pick the files show."""
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a"), signal("b", rank=2)])
    service.submit_manual(add("m", "r1"))
    service.export(GAME_DATE, "cli")
    service.load_signal(GAME_DATE, [signal("c")])  # a and b are dropped by the signal: locked
    clock.advance(minutes=5)
    locking = []

    def checking(method):
        def wrapper(name, text, *, if_generation_match):
            if is_version(name):  # an index or a feed lists versions or events, not picks
                before = publisher.read(name)[0]
                held = {row.pick.pick_id for row in store.ledger} | ids(entries(before) if before else [])
                locking.append(ids(entries(text)) - held)
            return method(name, text, if_generation_match=if_generation_match)
        return wrapper

    with patched(publisher, "write", checking):
        report = service.export(GAME_DATE, "cli")
    new = {row.pick.pick_id for row in report.plan.merge.ledger_rows if "published" in row.change.split(",")}
    assert locking and all(unheld <= new for unheld in locking) and len(new) == 1
    assert ids(current_picks(publisher)) <= {row.pick.pick_id for row in store.ledger}
    assert len(ids(current_picks(publisher))) == 4


def test_an_export_reports_the_time_of_each_step_where_it_was_spent():
    """What the functions log (timings_ms): each step's time goes to that step, in the order they ran."""
    service, store, publisher, clock = make_service()
    elapsed = [0.0]
    service.timer = lambda: elapsed[0]

    def taking(seconds, method):
        def wrapper(*args, **kwargs):
            elapsed[0] += seconds
            return method(*args, **kwargs)
        return wrapper

    def writing(method):
        def wrapper(name, text, *, if_generation_match):
            elapsed[0] += {ALL_JSON: 0.5, DATE_FILE: 0.125}.get(name, 0.0)
            return method(name, text, if_generation_match=if_generation_match)
        return wrapper

    service.load_signal(GAME_DATE, [signal("a")])
    with patched(store, "load_export_inputs", lambda m: taking(2.0, m)), \
            patched(store, "append_ledger", lambda m: taking(0.25, m)), \
            patched(store, "append_audit", lambda m: taking(4.0, m)), patched(publisher, "write", writing):
        report = service.export(GAME_DATE, "signal_updated")
    assert report.timings == {"read files": 0.0, "read store": 2.0, "plan": 0.0, "write ledger": 0.25, "recover": 0.0,
                              "write date file": 0.125, "write all.json": 0.5, "write audit": 4.0,
                              "publish events": 0.0}
    assert list(report.timings) == ["read files", "read store", "plan", "recover", "write date file",
                                    "write all.json", "write ledger", "write audit", "publish events"]


def test_a_lost_race_counts_in_the_timings_its_backoff_as_lost_races():
    service, store, publisher, clock = make_service()
    elapsed = [0.0]
    service.timer = lambda: elapsed[0]
    service.sleep = lambda seconds: elapsed.__setitem__(0, elapsed[0] + 1.0)
    service.load_signal(GAME_DATE, [signal("a")])
    reading = lambda m: lambda *a, **k: (elapsed.__setitem__(0, elapsed[0] + 2.0), m(*a, **k))[1]  # noqa: E731
    with patched(store, "load_export_inputs", reading), patched(publisher, "write", losing_once(ALL_JSON)):
        report = service.export(GAME_DATE, "signal_updated")
    assert report.attempts == 2
    assert report.timings["lost races"] == 1.0  # the backoff
    assert report.timings["read store"] == 4.0  # both attempts read


# ---------------------------------------------------------------- races (G6)

def _check_outputs(publisher, store):
    texts = date_versions(publisher)
    assert_monotonic(texts)
    assert_one_live_per_key(texts)
    assert_published_fields_frozen(texts)
    assert_every_version_audited(publisher, store)
    assert entries(publisher.read(ALL_JSON)[0]) == current_picks(publisher)


def _assert_settled(service, store, publisher):
    """After a race, the next export has nothing to add: no file version, no ledger row (G5)."""
    written, ledger = len(publisher.history), len(store.ledger)
    assert service.export(GAME_DATE, "scheduled").plan.outcome == "unchanged"
    assert (len(publisher.history), len(store.ledger)) == (written, ledger)


def test_export_that_loses_the_publish_race_retries_and_keeps_both_exports_picks():
    a, b, store, publisher, racing, clock = racers()
    a.load_signal(GAME_DATE, [signal("shared", rank=1), signal("only_a", rank=2)])

    def other_export():
        clock.advance(seconds=5)
        b.load_signal(GAME_DATE, [signal("shared", rank=1), signal("only_b", rank=2)])
        b.submit_manual(add("manual_b", "rb", clock()))
        b.export(GAME_DATE, "signal_updated")

    racing.before_next_write = other_export
    report = a.export(GAME_DATE, "manual")
    assert report.attempts == 2
    # only_a, which B's signal run dropped before A could show it, was never published: no lock.
    assert players(current_picks(publisher)) == {"shared": "active", "only_b": "active", "manual_b": "active"}
    assert "only_a" not in {row.pick.player_lookup for row in store.ledger}
    _check_outputs(publisher, store)
    _assert_settled(b, store, publisher)


def test_export_raced_between_its_files_and_its_ledger_write_keeps_both_exports_picks():
    """The other export runs after this one published and before it wrote its locks: it finds this
    export's picks in the file alone, and keeps them."""
    a, b, store, publisher, racing, clock = racers()
    a.load_signal(GAME_DATE, [signal("shared", rank=1), signal("only_a", rank=2)])
    append_ledger = store.append_ledger
    pending = [True]

    def racing_append(rows):
        if pending.pop() if pending else False:
            clock.advance(seconds=5)
            b.load_signal(GAME_DATE, [signal("shared", rank=1), signal("only_b", rank=2)])
            b.export(GAME_DATE, "signal_updated")
        append_ledger(rows)

    with patched(store, "append_ledger", lambda m: racing_append):
        report = a.export(GAME_DATE, "manual")
    assert report.attempts == 1
    assert players(current_picks(publisher)) == {"shared": "active", "only_a": "locked", "only_b": "active"}
    _check_outputs(publisher, store)
    _assert_settled(b, store, publisher)


def test_export_raced_after_its_date_file_write_keeps_all_json_consistent():
    a, b, store, publisher, racing, clock = racers()
    a.load_signal(GAME_DATE, [signal("one", rank=1)])
    a.export(GAME_DATE, "cli")
    a.load_signal(GAME_DATE, [signal("one", rank=1), signal("two", rank=2)])

    def race_all_json():
        # Let the date file through, then another export wins the all.json write.
        def other():
            clock.advance(seconds=5)
            b.load_signal(GAME_DATE, [signal("three", rank=1)])
            b.export(GAME_DATE, "signal_updated")
        racing.before_next_write = other

    racing.before_next_write = race_all_json
    clock.advance(minutes=1)
    a.export(GAME_DATE, "cli")
    assert set(players(current_picks(publisher))) == {"one", "two", "three"}
    _check_outputs(publisher, store)
    _assert_settled(b, store, publisher)


def test_export_gives_up_after_bounded_attempts():
    service, store, publisher, clock = make_service()
    sleeps = []
    service.sleep = sleeps.append
    service.load_signal(GAME_DATE, [signal("a")])

    def always_overtaken(method):
        def wrapper(name, text, *, if_generation_match):
            raise PreconditionFailed(name)
        return wrapper

    with patched(publisher, "write", always_overtaken):
        with pytest.raises(ExportConflict, match="lost 6 publish races"):
            service.export(GAME_DATE, "cli")
    assert len(sleeps) == service.max_attempts == 6
    assert all(0 < s <= 2.0 for s in sleeps)
    assert store.audit == []


# ---------------------------------------------------------------- idempotency (G5)

def test_unchanged_second_export_writes_nothing_and_audits_the_attempt():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a"), signal("b", rank=2)])
    service.submit_manual(add("m", "r1"))
    service.export(GAME_DATE, "cli")
    written, ledger = len(publisher.history), len(store.ledger)
    clock.advance(minutes=10)
    report = service.export(GAME_DATE, "scheduled")
    assert report.plan.outcome == "unchanged"
    assert (len(publisher.history), len(store.ledger)) == (written, ledger)
    assert [a.outcome for a in store.audit] == ["published", "unchanged"]


def test_void_arriving_with_the_export_instant_changes_nothing_on_the_next_export():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a"), signal("b", rank=2)])
    service.submit_manual(void("a", "v1", clock()), check=False)  # a message, stamped this very millisecond
    service.export(GAME_DATE, "manual")
    written, ledger = len(publisher.history), len(store.ledger)
    assert service.export(GAME_DATE, "scheduled").plan.outcome == "unchanged"
    assert (len(publisher.history), len(store.ledger)) == (written, ledger)


def test_submit_manual_is_idempotent_on_request_id():
    service, store, publisher, clock = make_service()
    command = add("m", "r1")
    assert service.submit_manual(command, check=False).recorded is True
    assert service.submit_manual(command, check=False).recorded is False
    assert service.submit_manual(command).recorded is False
    assert store.manual == [command]


def test_an_add_delivered_by_message_is_recorded_without_a_read_and_a_reused_id_still_refused(monkeypatch):
    """The manual path's latency: an unchecked add withdraws nothing and keeps its stamp, so it is
    recorded before anything is read; only a request_id found taken costs a read (to name it)."""
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    service.export(GAME_DATE, "cli")
    reads = []
    for owner, name in ((store, "load_export_inputs"), (publisher, "read")):
        monkeypatch.setattr(owner, name, (lambda real: lambda *a, **k: reads.append(real.__name__) or real(*a, **k))(
            getattr(owner, name)))

    refused_later = service.submit_manual(add("a", "r1", clock(), "UNDER", 18.5), check=False)
    assert (refused_later.recorded, refused_later.refusal, reads) == (True, None, [])
    with pytest.raises(InvalidCommand, match="request id r1 was already used"):
        service.submit_manual(add("a", "r1", clock(), "OVER", 30.5), check=False)
    assert reads == ["load_export_inputs"]
    assert [c.request_id for c in store.manual] == ["r1"]
    with pytest.raises(InvalidCommand, match="void it first"):  # the CLI still checks first
        service.submit_manual(add("a", "r2", clock(), "UNDER", 18.5))


def test_rerun_of_a_recorded_void_is_idempotent_not_an_error():
    """A CLI void re-run with the same request id (a retry after a timeout) reports 'already recorded'."""
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    service.export(GAME_DATE, "cli")
    clock.advance(minutes=5)
    assert service.submit_manual(void("a", "v1", clock())).recorded is True
    service.export(GAME_DATE, "cli")
    clock.advance(minutes=5)
    assert service.submit_manual(void("a", "v1", clock())).recorded is False
    assert len(store.manual) == 1


def test_rerun_of_a_recorded_remove_is_idempotent_not_an_error():
    service, store, publisher, clock = make_service()
    service.submit_manual(add("m", "r1"))
    service.export(GAME_DATE, "cli")
    assert service.submit_manual(remove("m", "r2", at(1))).recorded is True
    service.export(GAME_DATE, "cli")
    assert service.submit_manual(remove("m", "r2", at(2))).recorded is False


def test_submit_manual_refuses_what_the_rules_would_refuse_and_records_nothing():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    service.export(GAME_DATE, "cli")
    with pytest.raises(InvalidCommand, match="void it first"):
        service.submit_manual(add("a", "r1", clock(), "UNDER", 18.5))
    with pytest.raises(InvalidCommand, match="nothing published"):
        service.submit_manual(void("zz", "v1", clock()))
    with pytest.raises(InvalidCommand, match="no manual pick"):
        service.submit_manual(remove("a", "r2", clock()))
    assert store.manual == []


def test_submit_manual_sees_picks_only_in_the_published_file():
    """The refusal check treats the file users see as published, even if the ledger lost it."""
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    service.export(GAME_DATE, "cli")
    store.ledger.clear()
    with pytest.raises(InvalidCommand, match="void it first"):
        service.submit_manual(add("a", "r1", clock(), "UNDER", 18.5))


def test_manual_command_never_writes_the_signal_table():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    service.submit_manual(add("m", "r1"))
    assert [r.player_lookup for r in store.signal[("nba", GAME_DATE)]] == ["a"]


# ---------------------------------------------------------------- grading

def test_grade_of_a_past_date_also_exports_today_and_all_json_keeps_today():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a", "OVER", 20.5)])
    service.export(GAME_DATE, "signal_updated")
    clock.now = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)  # 10:00 on March 1st in New York
    today = date(2026, 3, 1)
    service.load_signal(today, [signal("t", game_date=today, game_time=datetime(2026, 3, 2, 0, 30, tzinfo=UTC))])
    service.export(today, "signal_updated")
    service.load_results(GAME_DATE, [result("a", 31.0)])
    reports = service.grade(GAME_DATE)
    assert [(r.plan.merge.picks[0].game_date, r.plan.audit[-1].trigger_source) for r in reports] == [
        (GAME_DATE, "post_grading"), (today, "post_grading")]
    all_json = json.loads(publisher.read(ALL_JSON)[0])
    assert all_json["date"] == "2026-03-01"
    assert [e["player_lookup"] for e in all_json["today"]] == ["t"]
    assert (all_json["record"]["wins"], all_json["record"]["by_day"][0]["date"]) == (1, "2026-02-28")
    assert current_picks(publisher)[0]["result"] == "WIN"
    assert_every_version_audited(publisher, store)


def test_grade_of_today_is_one_export():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    service.export(GAME_DATE, "signal_updated")
    clock.now = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)  # 23:00 on February 28th in New York
    service.load_results(GAME_DATE, [result("a", 3.0)])
    [report] = service.grade(GAME_DATE)
    assert json.loads(publisher.read(ALL_JSON)[0])["today"][0]["result"] == "LOSS"


# ---------------------------------------------------------------- audit (G4)

def _a_busy_day():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a"), signal("b", rank=2)])
    service.export(GAME_DATE, "signal_updated")
    clock.advance(minutes=30)
    service.load_signal(GAME_DATE, [signal("b", rank=1, edge=9.0), signal("c", rank=2)])
    service.export(GAME_DATE, "signal_updated")
    service.export(GAME_DATE, "signal_updated")  # unchanged
    clock.advance(minutes=30)
    service.submit_manual(void("c", "v1", clock(), reason="injury"))
    service.submit_manual(add("m", "r1", clock()))
    service.export(GAME_DATE, "manual")
    clock.now = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
    service.load_results(GAME_DATE, [result("a", 30.0), result("b", None), result("m", 24.5)])
    service.grade(GAME_DATE)
    return service, store, publisher, clock


def test_every_written_version_has_exactly_one_audit_record_that_reproduces_it():
    service, store, publisher, clock = _a_busy_day()
    assert len(versions(publisher, DATE_FILE)) == 4 and len(versions(publisher, ALL_JSON)) == 4
    assert_every_version_audited(publisher, store)
    for text in versions(publisher, DATE_FILE):
        export_id = json.loads(text)["export_id"]
        assert service.audit_record(export_id).document == text


def test_audit_counts_describe_the_document():
    service, store, publisher, clock = _a_busy_day()
    for record in current_audit(store.audit):  # an unchanged row's document is the version it names
        picks = entries(record.document)
        live = [p for p in picks if p["status"] != "voided"]
        assert record.count_total == len(picks)
        assert record.count_voided == sum(p["status"] == "voided" for p in picks)
        assert record.count_manual == sum(p["source"] == "manual" for p in live)
        assert record.count_algorithm == sum(p["source"] == "algorithm" for p in live)
        assert record.count_graded == sum(p["result"] is not None for p in picks)


def test_snapshots_are_written_once_per_published_version():
    service, store, publisher, clock = _a_busy_day()
    snapshots = [(n, t) for n, t in publisher.history if "/history/" in n]
    per_date = [(n, t) for n, t in publisher.history if n.startswith("v1/best-bets/20")]
    assert len(per_date) == 5  # four of February 28th, one of March 1st
    assert sorted(t for _, t in snapshots) == sorted(t for _, t in per_date)
    for name, text in snapshots:
        document = json.loads(text)
        assert name == snapshot_name(date.fromisoformat(document["date"]), document["export_id"])


def test_audit_record_lookup_of_an_unknown_export_is_a_clear_error():
    service, *_ = make_service()
    with pytest.raises(InvalidCommand, match="no audit record"):
        service.audit_record("2026-02-28.20260228T170000000000.ffffffff")
    with pytest.raises(InvalidCommand, match="is not an export id"):
        service.audit_record("nonsense")


# ---------------------------------------------------------------- crashes at each step boundary (G7)

def _crash_day(crash, *, first_at=START, crash_at=None, next_at=None, next_date=GAME_DATE, game_time=TIPOFF):
    service, store, publisher, clock = make_service(first_at)
    service.load_signal(GAME_DATE, [signal("a", game_time=game_time), signal("b", rank=2, game_time=game_time)])
    service.export(GAME_DATE, "signal_updated")
    published_before = ids(current_picks(publisher))

    clock.now = crash_at or clock.now + timedelta(minutes=20)
    service.load_signal(GAME_DATE, [signal("b", rank=1, game_time=game_time), signal("c", rank=2, game_time=game_time)])
    service.submit_manual(add("m", "r1", clock()))
    with crashing(crash, store, publisher), pytest.raises(Crash):
        service.export(GAME_DATE, "signal_updated")

    clock.now = next_at or clock.now + timedelta(minutes=20)
    service.load_signal(GAME_DATE, [signal("d", rank=1, game_time=game_time)])
    service.export(next_date, "post_grading" if next_date == GAME_DATE else "signal_updated")
    return service, store, publisher, clock, published_before


@pytest.mark.parametrize("crash", sorted(CRASH_POINTS))
def test_crash_at_any_step_is_completed_by_the_next_export(crash):
    service, store, publisher, clock, published_before = _crash_day(crash)
    final = current_picks(publisher)
    assert published_before <= ids(final)
    assert set(players(final)) == {"a", "b", "c", "m", "d"}  # the crashed export's locks were kept
    _check_outputs(publisher, store)
    # Recovery happened once; the export after it has nothing left to do.
    written, audited = len(publisher.history), len(store.audit)
    report = service.export(GAME_DATE, "scheduled")
    assert report.plan.outcome == "unchanged" and len(publisher.history) == written
    assert [a.outcome for a in store.audit[audited:]] == ["unchanged"]


@pytest.mark.parametrize("crash", sorted(CRASH_POINTS))
def test_crash_late_evening_completed_by_an_export_after_midnight(crash):
    """The crashed export wrote all.json at 23:50 Eastern; the next export of that date runs after
    midnight, when all.json is no longer that date's to write. Its audit is recovered all the same."""
    service, store, publisher, clock, _ = _crash_day(
        crash, first_at=datetime(2026, 3, 1, 4, 0, tzinfo=UTC), crash_at=datetime(2026, 3, 1, 4, 50, tzinfo=UTC),
        next_at=datetime(2026, 3, 1, 5, 10, tzinfo=UTC), game_time=None)  # tip-off unknown to the signal
    assert json.loads(publisher.read(ALL_JSON)[0])["date"] == "2026-02-28"
    assert set(players(current_picks(publisher))) == {"a", "b", "c", "m", "d"}
    _check_outputs_except_all_json_today(publisher, store)


def _check_outputs_except_all_json_today(publisher, store):
    texts = date_versions(publisher)
    assert_monotonic(texts)
    assert_one_live_per_key(texts)
    assert_published_fields_frozen(texts)
    assert_every_version_audited(publisher, store)


def test_tip_off_passes_between_a_crash_and_the_next_export():
    service, store, publisher, clock, _ = _crash_day(
        "after_all_json_write", crash_at=TIPOFF - timedelta(minutes=1), next_at=TIPOFF + timedelta(minutes=1))
    # c and m were published by the crashed export before tip-off, which died before its ledger
    # write: the file alone carries them past tip-off. d arrived after tip-off and is refused.
    assert set(players(current_picks(publisher))) == {"a", "b", "c", "m"}
    _check_outputs(publisher, store)


@pytest.mark.parametrize("second", ["after_date_file_write", "after_all_json_write", "before_audit_write"])
def test_two_crashed_exports_in_a_row_lose_no_audit(second):
    """The second crashed export overwrites the first one's unaudited version: its recovered record must
    be stored before that (G4), so the third export has the whole history audited."""
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    with crashing("before_audit_write", store, publisher), pytest.raises(Crash):
        service.export(GAME_DATE, "signal_updated")
    clock.advance(minutes=5)
    service.load_signal(GAME_DATE, [signal("a"), signal("b", rank=2)])
    with crashing(second, store, publisher), pytest.raises(Crash):
        service.export(GAME_DATE, "signal_updated")
    clock.advance(minutes=5)
    service.export(GAME_DATE, "scheduled")
    assert set(players(current_picks(publisher))) == {"a", "b"}
    _check_outputs(publisher, store)


def test_crash_late_evening_then_the_next_days_export_audits_the_overwritten_all_json():
    """The crashed export wrote all.json at 23:50 Eastern and died before its audit row; the next
    export is of the next day and overwrites all.json. That version must be audited first (G4)."""
    next_day = GAME_DATE + timedelta(days=1)
    service, store, publisher, clock, _ = _crash_day(
        "before_audit_write", first_at=datetime(2026, 3, 1, 4, 0, tzinfo=UTC),
        crash_at=datetime(2026, 3, 1, 4, 50, tzinfo=UTC), next_at=datetime(2026, 3, 1, 5, 10, tzinfo=UTC),
        next_date=next_day, game_time=None)
    assert json.loads(publisher.read(ALL_JSON)[0])["date"] == next_day.isoformat()
    assert_every_version_audited(publisher, store)
