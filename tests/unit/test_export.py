"""plan_export: what one export writes and audits (pure), including the Eastern date of all.json (G8)."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from picklock.domain.calendar import MAX_CLOCK_SKEW
from picklock.adapters import rows
from picklock.domain.export import current_audit, describe, plan_export
from tests.harness.nba_paths import NBA
from picklock.domain.render import PublishedDocument, sha256

from builders import (
    GAME_DATE, START, TIPOFF, Core, add, assert_valid, at, result, signal, void,
)
from fakes import FakeStore

UTC = timezone.utc


class Bucket:
    """The two published files of one test, as texts."""

    def __init__(self):
        self.files: dict[str, str] = {}

    def date_file(self, game_date):
        return PublishedDocument.parse(self.files.get(game_date.isoformat()))

    def all_json(self):
        return PublishedDocument.parse(self.files.get("all"))


def plan(store: FakeStore, bucket: Bucket, game_date=GAME_DATE, *, now=START, export_id="x", trigger="cli",
         apply=True, audit=True):
    """One export through plan_export; `apply` writes the ledger and files, `audit` the audit rows."""
    exported = plan_export(store.load_export_inputs(game_date, season_from=NBA.season_start(game_date)),
                           sport=NBA, date_file=bucket.date_file(game_date), all_json=bucket.all_json(),
                           now=now, export_id=export_id, trigger=trigger)
    if apply:
        store.append_ledger(exported.merge.ledger_rows)
        if exported.date_text is not None:
            bucket.files[game_date.isoformat()] = exported.date_text
        if exported.all_json_text is not None:
            bucket.files["all"] = exported.all_json_text
        if audit:
            store.append_audit(exported.audit)
    return exported


def _store(game_date=GAME_DATE, **kwargs) -> FakeStore:
    store = FakeStore()
    store.replace_signal(game_date, kwargs.get("signal", [signal("a", rank=1, game_date=game_date),
                                                          signal("b", rank=2, game_date=game_date)]))
    return store


def test_first_export_publishes_both_files_and_audits_them():
    store, bucket = _store(), Bucket()
    store.manual.append(add("m", "r1"))
    exported = plan(store, bucket, export_id="e1", trigger="signal_updated")
    assert exported.outcome == "published"
    date_doc, all_doc = json.loads(exported.date_text), json.loads(exported.all_json_text)
    assert_valid("date-file", date_doc)
    assert_valid("all", all_doc)
    assert (date_doc["date"], date_doc["export_id"], date_doc["generated_at"]) == (
        "2026-02-28", "e1", "2026-02-28T17:00:00.000Z")
    assert date_doc["picks"] == all_doc["today"]
    [record] = exported.audit
    assert (record.export_id, record.outcome, record.trigger_source) == ("e1", "published", "signal_updated")
    assert record.document == exported.date_text and record.document_sha256 == sha256(exported.date_text)
    assert record.all_json_written and record.all_json_document == exported.all_json_text
    assert record.all_json_sha256 == sha256(exported.all_json_text)
    assert (record.count_total, record.count_active, record.count_algorithm, record.count_manual) == (3, 3, 2, 1)


def test_same_merged_list_goes_to_files_ledger_and_audit():
    """Rule 6."""
    store, bucket = _store(), Bucket()
    exported = plan(store, bucket)
    ids = [p.pick_id for p in exported.merge.picks]
    assert [e["pick_id"] for e in json.loads(exported.date_text)["picks"]] == ids
    assert [e["pick_id"] for e in json.loads(exported.all_json_text)["today"]] == ids
    assert [e["pick_id"] for e in json.loads(exported.audit[-1].document)["picks"]] == ids
    assert sorted(r.pick.pick_id for r in exported.merge.ledger_rows) == sorted(ids)


def test_unchanged_export_writes_nothing_and_is_audited_as_unchanged():
    store, bucket = _store(), Bucket()
    first = plan(store, bucket, export_id="e1")
    second = plan(store, bucket, now=at(1), export_id="e2", trigger="scheduled")
    assert (second.outcome, second.date_text, second.all_json_text) == ("unchanged", None, None)
    assert second.merge.ledger_rows == ()
    [record] = second.audit
    assert (record.export_id, record.outcome, record.all_json_written) == ("e2", "unchanged", False)
    # It refers to the version users see instead of repeating it, which the audit gives back.
    assert (record.same_as, record.document, record.tally, record.day_summary) == ("e1", "", None, None)
    assert record.document_sha256 == sha256(first.date_text)
    assert current_audit([*first.audit, record])[-1].document == first.date_text


def test_an_unchanged_export_of_10_picks_audits_under_1_kb():
    store, bucket = _store(signal=[signal(f"player{i}", rank=i + 1) for i in range(10)]), Bucket()
    plan(store, bucket, export_id="e1")
    [record] = plan(store, bucket, now=at(1), export_id="e2").audit
    assert record.outcome == "unchanged"
    assert sum(len(str(value).encode()) for value in rows.audit_to_row(record).values() if value is not None) <= 1000


def test_an_unchanged_export_keeps_its_own_tally_when_the_date_has_withdrawn_picks():
    """A withdrawn pick's shadow result (for the influence report) comes from actuals the
    document does not carry, so the found version's tally may be out of date."""
    store, bucket = _store(), Bucket()
    plan(store, bucket, export_id="e1")
    store.manual.append(void("b", "v1", at(0.5), "injury"))
    plan(store, bucket, now=at(1), export_id="e2")
    [record] = plan(store, bucket, now=at(2), export_id="e3").audit
    assert (record.outcome, record.same_as) == ("unchanged", "e2")
    assert record.tally is not None and record.day_summary is not None


def _grade_a_pick_yesterday(store, bucket) -> None:
    """A pick of the day before, published then graded by exports of that date: only the season
    record of today's all.json changes."""
    yesterday = date(2026, 2, 27)
    store.replace_signal(yesterday, [signal("y", game_date=yesterday, game_time=TIPOFF - timedelta(days=1))])
    plan(store, bucket, yesterday, now=START - timedelta(days=1), export_id="y1")
    store.replace_results(yesterday, [result("y", 40.0, game_date=yesterday)])
    plan(store, bucket, yesterday, now=START, export_id="y2", trigger="post_grading")


def test_a_change_only_in_the_season_record_rewrites_all_json_only():
    store, bucket = _store(), Bucket()
    plan(store, bucket, export_id="e1")
    _grade_a_pick_yesterday(store, bucket)
    second = plan(store, bucket, now=at(1), export_id="e2")
    assert second.date_text is None and second.all_json_text is not None
    assert json.loads(second.all_json_text)["record"]["season"]["wins"] == 1
    assert second.outcome == "published"


# ---------------------------------------------------------------- G8: all.json is today's Eastern date only

# 2026-03-01T03:00Z is 22:00 on 2026-02-28 in New York (EST, UTC-5).
NIGHT = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


def test_export_of_yesterday_late_evening_eastern_does_not_touch_all_json():
    yesterday = date(2026, 2, 27)
    store, bucket = _store(yesterday), Bucket()
    exported = plan(store, bucket, yesterday, now=NIGHT, trigger="post_grading")
    assert exported.date_text is not None and exported.all_json_text is None
    assert not exported.audit[-1].all_json_written


def test_export_of_the_eastern_date_writes_all_json_when_utc_is_already_tomorrow():
    store, bucket = _store(GAME_DATE), Bucket()
    exported = plan(store, bucket, GAME_DATE, now=NIGHT)
    assert json.loads(exported.all_json_text)["date"] == "2026-02-28"


def test_export_of_the_utc_date_does_not_write_all_json():
    utc_date = NIGHT.date()
    assert utc_date == date(2026, 3, 1)
    store, bucket = _store(utc_date), Bucket()
    assert plan(store, bucket, utc_date, now=NIGHT).all_json_text is None


# (instant, the New York date); hand-written, not computed by the code under test. 2026-03-08 is the
# first day of daylight saving time: midnight there is 04:00Z, not 05:00Z.
AROUND_MIDNIGHT = [
    ("2026-02-28T23:59:59.999Z", date(2026, 2, 28)), ("2026-03-01T00:00:00.000Z", date(2026, 2, 28)),
    ("2026-03-01T04:59:59.999Z", date(2026, 2, 28)), ("2026-03-01T05:00:00.000Z", date(2026, 3, 1)),
    ("2026-03-01T12:00:00.000Z", date(2026, 3, 1)), ("2026-03-09T03:59:59.999Z", date(2026, 3, 8)),
    ("2026-03-09T04:00:00.000Z", date(2026, 3, 9)), ("2026-03-08T04:59:00.000Z", date(2026, 3, 7)),
    ("2026-03-08T05:00:00.000Z", date(2026, 3, 8)),
]


@pytest.mark.parametrize("instant, eastern", AROUND_MIDNIGHT, ids=[i for i, _ in AROUND_MIDNIGHT])
def test_all_json_follows_the_new_york_date_around_midnight(instant, eastern):
    now = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    for game_date in (eastern - timedelta(days=1), eastern, eastern + timedelta(days=1)):
        store, bucket = _store(game_date), Bucket()
        exported = plan(store, bucket, game_date, now=now)
        written = exported.all_json_text is not None
        assert written == (game_date == eastern), (instant, game_date)
        if written:
            assert json.loads(exported.all_json_text)["date"] == eastern.isoformat()


def test_all_json_is_not_taken_back_from_an_exporter_just_past_midnight():
    bucket = Bucket()
    tomorrow = date(2026, 3, 1)
    midnight = datetime(2026, 3, 1, 5, tzinfo=UTC)  # 00:00 in New York
    plan(_store(tomorrow), bucket, tomorrow, now=midnight + timedelta(seconds=30))  # a clock just past it
    shown = bucket.files["all"]
    for behind in (timedelta(seconds=10), MAX_CLOCK_SKEW - timedelta(seconds=30)):
        exported = plan(_store(GAME_DATE), bucket, GAME_DATE, now=midnight - behind)
        assert exported.all_json_text is None and bucket.files["all"] == shown and exported.notices == ()


def test_one_future_dated_export_does_not_freeze_all_json():
    """A stray --now days ahead wrote all.json for a later date: the next export of the real today
    takes it back, says so in its audit record, and a past-date export still never moves it (G8)."""
    bucket = Bucket()
    future = date(2026, 3, 3)
    plan(_store(future), bucket, future, now=datetime(2026, 3, 3, 15, tzinfo=UTC))
    yesterday = date(2026, 2, 27)
    assert plan(_store(yesterday), bucket, yesterday, now=START).all_json_text is None
    assert json.loads(bucket.files["all"])["date"] == "2026-03-03"
    exported = plan(_store(GAME_DATE), bucket, GAME_DATE, now=START)
    assert json.loads(exported.all_json_text)["date"] == "2026-02-28"
    assert [n["kind"] for n in exported.notices] == ["all_json_reclaimed"]
    assert "all_json_reclaimed" in exported.audit[-1].events and "2026-03-03" in describe(exported)


def test_all_json_of_an_earlier_date_is_replaced_by_today():
    bucket = Bucket()
    yesterday = date(2026, 2, 27)
    plan(_store(yesterday), bucket, yesterday, now=START - timedelta(days=1))
    exported = plan(_store(GAME_DATE), bucket, GAME_DATE, now=START)
    assert json.loads(exported.all_json_text)["date"] == "2026-02-28"


def test_season_record_in_all_json():
    """Earlier days count as their exports last left them (their audit rows' tallies)."""
    store, bucket = FakeStore(), Bucket()
    for day, outcomes in ((26, [30.0, 10.0, None]), (27, [20.5, 25.0])):
        game_date = date(2026, 2, day)
        players = [f"p{day}{i}" for i in range(len(outcomes))]
        tip_off = datetime(2026, 2, day, 23, 30, tzinfo=UTC)
        store.replace_signal(game_date, [signal(p, rank=i + 1, game_date=game_date, game_time=tip_off)
                                         for i, p in enumerate(players)])
        plan(store, bucket, game_date, now=datetime(2026, 2, day, 15, tzinfo=UTC), export_id=f"{day}a")
        if day == 27:
            store.record_manual(void(players[0], "v", datetime(2026, 2, day, 16, tzinfo=UTC), game_date=game_date))
        store.replace_results(game_date, [result(p, v, game_date=game_date) for p, v in zip(players, outcomes)])
        plan(store, bucket, game_date, now=datetime(2026, 2, day + 1, 12, tzinfo=UTC), export_id=f"{day}b")
    store.replace_signal(GAME_DATE, [signal("a")])
    record = json.loads(plan(store, bucket).all_json_text)["record"]
    # 26th: WIN, LOSS, VOID (did not play); 27th: voided by an operator (a void), WIN.
    assert {k: record[k] for k in ("wins", "losses", "pushes", "voids", "pct")} == {
        "wins": 2, "losses": 1, "pushes": 0, "voids": 2, "pct": 0.667}
    assert record["season"]["total"] == 3
    assert [d["date"] for d in record["by_day"]] == ["2026-02-26", "2026-02-27"]


def test_days_before_the_weeks_shown_count_through_their_summaries():
    """A day older than the 8 weeks all.json details is read as its day summary alone: it still
    counts in the season, and all.json is compact text."""
    store, bucket = FakeStore(), Bucket()
    early = date(2025, 11, 10)
    store.replace_signal(early, [signal("e", rank=1, game_date=early, game_time=datetime(2025, 11, 11, 0, 30, tzinfo=UTC))])
    plan(store, bucket, early, now=datetime(2025, 11, 10, 15, tzinfo=UTC), export_id="early")
    store.replace_results(early, [result("e", 30.0, game_date=early)])
    plan(store, bucket, early, now=datetime(2025, 11, 11, 12, tzinfo=UTC), export_id="early-graded")
    store.replace_signal(GAME_DATE, [signal("a")])
    inputs = store.load_export_inputs(GAME_DATE, season_from=NBA.season_start(GAME_DATE))
    assert [d.game_date for d in inputs.season_summaries] == [early] and inputs.season_tallies == ()
    text = plan(store, bucket).all_json_text
    assert "\n" not in text[:-1]
    record = json.loads(text)["record"]
    assert (record["wins"], record["by_day"]) == (1, [{"date": "2025-11-10", "wins": 1, "losses": 0, "pushes": 0,
                                                       "voids": 0}])


def test_a_new_version_of_a_past_date_links_to_that_dates_last_version():
    """Not to the season head all.json shows (today's file): a date's chain is linear."""
    store, bucket = FakeStore(), Bucket()
    yesterday = GAME_DATE - timedelta(days=1)
    store.replace_signal(yesterday, [signal("y", game_date=yesterday)])
    first = plan(store, bucket, yesterday, now=datetime(2026, 2, 27, 15, tzinfo=UTC), export_id="y1")
    store.replace_signal(GAME_DATE, [signal("a")])
    plan(store, bucket, export_id="t1")
    store.record_manual(void("y", "v1", START, game_date=yesterday))
    voided = plan(store, bucket, yesterday, export_id="y2")
    old, new = json.loads(first.date_text), json.loads(voided.date_text)
    assert (new["prev"], new["seq"]) == (old["sha256"], old["seq"] + 1)
    assert new["prev"] != json.loads(bucket.files["all"])["chain"]["head"]


# ---------------------------------------------------------------- recovery of unaudited versions (G4, G7)

def test_unaudited_published_version_is_recovered_byte_for_byte():
    store, bucket = _store(), Bucket()
    crashed = plan(store, bucket, export_id="e1", audit=False)  # files written, then the process died
    exported = plan(store, bucket, now=at(1), export_id="e2")
    recovered, own = exported.audit
    assert (recovered.export_id, recovered.outcome, recovered.trigger_source) == ("e1", "recovered", "recovery")
    assert recovered.document == crashed.date_text == bucket.files["2026-02-28"]
    assert recovered.document_sha256 == sha256(crashed.date_text)
    assert recovered.all_json_document == crashed.all_json_text
    assert recovered.all_json_sha256 == sha256(crashed.all_json_text) and recovered.all_json_written
    assert recovered.exported_at == START and recovered.count_total == 2
    assert (own.export_id, own.outcome) == ("e2", "unchanged")
    # Recovered once: the next export finds it audited.
    assert [a.outcome for a in plan(store, bucket, now=at(2), export_id="e3").audit] == ["unchanged"]


def test_unaudited_all_json_of_another_export_is_recovered_on_its_own():
    store, bucket = _store(), Bucket()
    plan(store, bucket, export_id="e1")
    _grade_a_pick_yesterday(store, bucket)
    only_all = plan(store, bucket, now=at(1), export_id="e2", audit=False)
    assert only_all.date_text is None and only_all.all_json_text is not None
    exported = plan(store, bucket, now=at(2), export_id="e3")
    recovered = [a for a in exported.audit if a.outcome == "recovered"]
    assert [(a.export_id, a.all_json_document) for a in recovered] == [("e2", only_all.all_json_text)]


def test_unknown_trigger_is_refused():
    with pytest.raises(ValueError, match="unknown trigger"):
        plan(_store(), Bucket(), trigger="cron")


def test_plan_is_pure():
    store, bucket = _store(), Bucket()
    plan(store, bucket, export_id="e1")
    store.replace_signal(GAME_DATE, [signal("a", rank=2), signal("c", rank=1)])
    one = plan(store, bucket, now=at(1), export_id="e2", apply=False)
    two = plan(store, bucket, now=at(1), export_id="e2", apply=False)
    assert one == two
