"""Contract of a PickStore, whatever the backend (see conftest.STORE_BACKENDS).

Written against the PickStore protocol only. Values are at millisecond precision, the precision
every backend keeps; instants are written in several time zones and must read back as UTC.
"""
import os
import sqlite3
from collections import Counter
from contextlib import closing
from dataclasses import fields, is_dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from picklock.adapters.sqlite_store import SqliteStore
from picklock.domain.export import AuditRecord
from picklock.domain.ledger import fold_ledger, versions_to_fold
from picklock.domain.picks import ClosingLine, GameResult, HaltCommand, LedgerRow, ManualCommand, Pick, SignalRow
from picklock.domain.record import first_detailed_day
from picklock.domain.tally import CompactPick, DaySummary, DayTally

EASTERN = ZoneInfo("America/New_York")
DAY = date(2025, 1, 15)
OTHER_DAY = date(2025, 1, 16)
TIP_OFF = datetime(2025, 1, 15, 19, 30, 0, 123000, tzinfo=EASTERN)
PUBLISHED_AT = datetime(2025, 1, 15, 15, 0, 0, 456000, tzinfo=timezone.utc)


def signal_row(game_date=DAY, player="lebronjames", **overrides) -> SignalRow:
    values = dict(game_date=game_date, player_lookup=player, team="LAL", opponent="BOS", direction="OVER",
                  line=25.5, system_id="sys-a", algorithm_version="v3", stat="PTS", player_name="LeBron James",
                  game_id="0022400500", game_time=TIP_OFF, edge=3.25, rank=1, angles=("hot", "pace"))
    return SignalRow(**{**values, **overrides})


def bare_signal_row(game_date=DAY, player="bare") -> SignalRow:
    return SignalRow(game_date, player, "MIA", "NYK", "UNDER", 8.0, "sys-a", "v3")


def pick(game_date=DAY, player="lebronjames", **overrides) -> Pick:
    values = dict(pick_id=f"{game_date}/{player}/PTS/abc", game_date=game_date, player_lookup=player, stat="PTS",
                  team="LAL", opponent="BOS", direction="OVER", line=25.5, source="algorithm",
                  first_published_at=PUBLISHED_AT, status="active", system_id="sys-a", algorithm_version="v3",
                  game_id="0022400500", game_time=TIP_OFF, player_name="LeBron James", edge=3.25, rank=1,
                  angles=("hot",), result="WIN", actual=31.0)
    return Pick(**{**values, **overrides})


def ledger_row(game_date=DAY, player="lebronjames", export_id="e1", recorded_at=PUBLISHED_AT, **pick_overrides):
    return LedgerRow(pick(game_date, player, **pick_overrides), "published", export_id, recorded_at, "first")


def manual_command(request_id="req-1", game_date=DAY, **overrides) -> ManualCommand:
    values = dict(request_id=request_id, submitted_at=datetime(2025, 1, 15, 12, 0, 0, 789000, tzinfo=EASTERN),
                  action="add", game_date=game_date, player_lookup="jaylenbrown", submitted_by="ops",
                  player_name="Jaylen Brown", team="BOS", opponent="LAL", direction="UNDER", line=22.0, edge=1.5,
                  game_time=TIP_OFF, notes="injury news")
    return ManualCommand(**{**values, **overrides})


def audit_record(export_id="e1", game_date=DAY, exported_at=PUBLISHED_AT, **overrides) -> AuditRecord:
    values = dict(game_date=game_date, export_id=export_id, trigger_source="cli", exported_at=exported_at,
                  outcome="published", content_hash="c" * 64, document_sha256="d" * 64, all_json_written=False,
                  all_json_sha256=None, count_total=2, count_active=1, count_locked=1, count_voided=0,
                  count_algorithm=2, count_manual=0, count_graded=0, events="[]", document='{"picks": []}',
                  all_json_document=None)
    return AuditRecord(**{**values, **overrides})


def assert_identical(read, written):
    """Equal, and every value of the same type: a bool is a bool, an instant is UTC, a tuple a tuple."""
    assert read == written
    for field in fields(written):
        got, expected = getattr(read, field.name), getattr(written, field.name)
        if is_dataclass(expected):
            assert_identical(got, expected)
        elif isinstance(expected, datetime):
            assert got.utcoffset() == timedelta(0), field.name
        else:
            assert type(got) is type(expected), (field.name, got, expected)


def assert_same_items(read, written):
    assert Counter(read) == Counter(written)  # order is not part of the contract here
    by_value = {item: item for item in read}
    for item in written:
        assert_identical(by_value[item], item)


def test_signal_rows_round_trip(store):
    written = [signal_row(odds_american=-115, tier="ultra", home=False), bare_signal_row(),
               signal_row(player="tatum", angles=(), edge=None, rank=None, game_time=None, player_name=None, stat="REB",
                          odds_american=125, home=True)]
    store.replace_signal(DAY, written)
    assert_same_items(store.load_export_inputs(DAY).merge.signal, written)


def test_ledger_rows_round_trip(store):
    written = [
        ledger_row(odds_american=-110, tier="high", home=True, units=0.9091, closing_line=26.5, clv=1.0),
        ledger_row(player="tatum", status="voided", void_reason="removed", result=None, actual=None, angles=(),
                   rank=None, edge=None, game_time=None, source="manual", system_id="manual",
                   manual_request_id="req-9", submitted_by="ops", notes="n"),
        ledger_row(player="lebronjames", export_id="e2", recorded_at=PUBLISHED_AT + timedelta(minutes=5),
                   status="locked", result="PUSH", actual=25.5),
    ]
    store.append_ledger(written)
    assert_same_items(store.load_export_inputs(DAY).merge.ledger, written)


def test_manual_commands_round_trip(store):
    written = [
        manual_command(odds_american=140, tier="ultra", home=False),
        manual_command("req-2", action="void", reason="bad line", player_name=None, team=None, opponent=None,
                       direction=None, line=None, edge=None, game_time=None, notes=None),
    ]
    for command in written:
        assert store.record_manual(command) is True
    assert_same_items(store.load_export_inputs(DAY).merge.manual, written)


def test_closing_lines_round_trip_and_are_replaced_per_date(store):
    written = [ClosingLine(DAY, "lebronjames", "PTS", 26.5, PUBLISHED_AT, -120),
               ClosingLine(DAY, "tatum", "REB", 9.5, PUBLISHED_AT.astimezone(EASTERN))]
    store.replace_closing(OTHER_DAY, [ClosingLine(OTHER_DAY, "x", "PTS", 1.5, PUBLISHED_AT)])
    store.replace_closing(DAY, [ClosingLine(DAY, "gone", "PTS", 3.5, PUBLISHED_AT)])
    store.replace_closing(DAY, written)
    assert_same_items(store.load_export_inputs(DAY).merge.closing, written)
    assert [line.player_lookup for line in store.load_export_inputs(OTHER_DAY).merge.closing] == ["x"]


def test_results_round_trip(store):
    written = [GameResult(DAY, "lebronjames", "PTS", 31.0), GameResult(DAY, "tatum", "PTS", None)]
    store.replace_results(DAY, written)
    assert_same_items(store.load_export_inputs(DAY).merge.results, written)


def test_audit_records_round_trip_with_booleans_kept(store):
    written = [
        audit_record("e1", tally=tally(DAY, "WIN").to_text()),
        audit_record("e2", exported_at=PUBLISHED_AT + timedelta(seconds=1), all_json_written=True,
                     all_json_sha256="a" * 64, all_json_document='{"today": []}', outcome="unchanged"),
    ]
    store.append_audit(written)
    read = store.audit_records(DAY)
    assert_same_items(read, written)
    assert [record.all_json_written for record in read] == [False, True]  # never the string "false"


def test_instants_written_in_any_zone_read_back_as_the_same_utc_instant(store):
    eastern_publish = PUBLISHED_AT.astimezone(EASTERN)
    store.append_ledger([ledger_row(first_published_at=eastern_publish, recorded_at=eastern_publish)])
    (read,) = store.load_export_inputs(DAY).merge.ledger
    assert read.recorded_at == read.pick.first_published_at == PUBLISHED_AT
    assert read.recorded_at.utcoffset() == read.pick.first_published_at.utcoffset() == timedelta(0)


def test_record_manual_is_idempotent_per_request_id(store):
    assert store.record_manual(manual_command("req-1")) is True
    assert store.record_manual(manual_command("req-1")) is False
    assert store.record_manual(manual_command("req-1", line=30.5)) is False  # the first one stays
    assert store.record_manual(manual_command("req-2")) is True
    manual = store.load_export_inputs(DAY).merge.manual
    assert sorted((command.request_id, command.line) for command in manual) == [("req-1", 22.0), ("req-2", 22.0)]


def test_ledger_and_audit_are_append_only(store):
    store.append_ledger([ledger_row()])
    store.append_ledger([ledger_row()])  # a second version of a pick is a second row
    store.append_ledger([])
    store.append_audit([audit_record("e1")])
    store.append_audit([audit_record("e1")])
    assert len(store.ledger_history(DAY)) == 2
    assert len(store.audit_records(DAY)) == 2


def test_an_export_reads_of_each_pick_the_versions_its_fold_needs_and_the_lineage_reads_them_all(store):
    """ledger.versions_to_fold, in SQL: a pick's first, first voided and latest version (ties of an
    instant broken by export id), however many versions re-runs of the signal appended."""
    at = lambda minutes: PUBLISHED_AT + timedelta(minutes=minutes)  # noqa: E731
    written = [
        ledger_row(export_id="e1", recorded_at=at(0)),
        *(ledger_row(export_id=f"e{n}", recorded_at=at(n), edge=float(n)) for n in range(2, 9)),
        ledger_row(export_id="e9", recorded_at=at(9), status="voided", void_reason="injury"),
        ledger_row(export_id="e10", recorded_at=at(10), status="voided", void_reason="ruled out"),
        ledger_row(export_id="e11b", recorded_at=at(11), status="voided", void_reason="injury", result="VOID"),
        ledger_row(export_id="e11a", recorded_at=at(11), status="voided", void_reason="injury", result="VOID"),
        ledger_row(player="tatum", export_id="e1", recorded_at=at(0)),
        ledger_row(player="tatum", export_id="e2", recorded_at=at(2), edge=4.5),
        ledger_row(player="tatum", export_id="e3", recorded_at=at(3), edge=5.5),
    ]
    store.append_ledger(written)
    read = store.load_export_inputs(DAY).merge.ledger
    assert sorted((r.pick.player_lookup, r.export_id) for r in read) == [
        ("lebronjames", "e1"), ("lebronjames", "e11b"), ("lebronjames", "e9"), ("tatum", "e1"), ("tatum", "e3")]
    assert_same_items(read, versions_to_fold(written))
    assert fold_ledger(read) == fold_ledger(written)
    assert [r.export_id for r in store.ledger_history(DAY) if r.pick.player_lookup == "tatum"] == ["e1", "e2", "e3"]
    assert len(store.ledger_history(DAY)) == len(written) and store.ledger_history(OTHER_DAY) == []


def test_replace_signal_replaces_only_that_date(store):
    store.replace_signal(DAY, [signal_row(), bare_signal_row()])
    store.replace_signal(OTHER_DAY, [signal_row(OTHER_DAY)])
    store.replace_signal(DAY, [signal_row(player="tatum")])
    assert [row.player_lookup for row in store.load_export_inputs(DAY).merge.signal] == ["tatum"]
    assert store.load_export_inputs(OTHER_DAY).merge.signal == (signal_row(OTHER_DAY),)
    store.replace_signal(DAY, [])
    assert store.load_export_inputs(DAY).merge.signal == ()
    assert len(store.load_export_inputs(OTHER_DAY).merge.signal) == 1


def test_replace_results_replaces_only_that_date(store):
    store.replace_results(DAY, [GameResult(DAY, "lebronjames", "PTS", 31.0)])
    store.replace_results(OTHER_DAY, [GameResult(OTHER_DAY, "lebronjames", "PTS", 20.0)])
    store.replace_results(DAY, [GameResult(DAY, "tatum", "PTS", None)])
    assert store.load_export_inputs(DAY).merge.results == (GameResult(DAY, "tatum", "PTS", None),)
    assert len(store.load_export_inputs(OTHER_DAY).merge.results) == 1


def test_replace_refuses_rows_of_another_date_and_changes_nothing(store):
    store.replace_signal(DAY, [signal_row()])
    with pytest.raises(ValueError, match="other dates"):
        store.replace_signal(DAY, [signal_row(player="tatum"), signal_row(OTHER_DAY)])
    with pytest.raises(ValueError, match="other dates"):
        store.replace_results(DAY, [GameResult(OTHER_DAY, "tatum", "PTS", 1.0)])
    assert store.load_export_inputs(DAY).merge.signal == (signal_row(),)


def test_load_export_inputs_reads_only_that_date(store):
    for game_date in (DAY - timedelta(days=1), DAY, OTHER_DAY):
        store.replace_signal(game_date, [signal_row(game_date)])
        store.replace_results(game_date, [GameResult(game_date, "lebronjames", "PTS", 30.0)])
        store.append_ledger([ledger_row(game_date, export_id=f"{game_date}.e")])
        store.record_manual(manual_command(f"req-{game_date}", game_date))
        store.append_audit([audit_record(f"{game_date}.e", game_date)])

    inputs = store.load_export_inputs(DAY)
    merge = inputs.merge
    assert merge.game_date == DAY
    assert {row.game_date for row in merge.signal + merge.manual + merge.results} == {DAY}
    assert {row.pick.game_date for row in merge.ledger} == {DAY}
    assert (len(merge.signal), len(merge.ledger), len(merge.manual), len(merge.results)) == (1, 1, 1, 1)
    assert merge.shown == ()
    assert inputs.audited_export_ids == frozenset({f"{DAY}.e"})
    assert inputs.season_tallies == ()


def tally(game_date, *results, sport_player="p") -> DayTally:
    return DayTally(game_date, tuple(CompactPick(sport_player, "PTS", "OVER", 20.5, -110, r, None, None, "algorithm",
                                                 None, "s") for r in results))


def day_columns(game_date, *results) -> dict:
    """The tally and day summary an export writes in its audit row."""
    written = tally(game_date, *results)
    return dict(tally=written.to_text(), day_summary=DaySummary.of(written).to_text())


def test_load_export_inputs_with_season_reads_the_latest_summary_and_recent_tally_of_each_earlier_date(store):
    """For each date of the season before the date itself (an export merges that day), its tally
    from first_detailed_day on (the days the record shows pick by pick) and its summary before:
    the latest export's, whatever order the rows were written in; rows without them are skipped."""
    later = PUBLISHED_AT + timedelta(hours=1)
    recent = first_detailed_day(DAY)
    for game_date in (date(2024, 9, 30), date(2024, 10, 1), recent - timedelta(days=1), recent, DAY, OTHER_DAY):
        store.append_audit([audit_record(f"{game_date}.late", game_date, later, **day_columns(game_date, "WIN")),
                            audit_record(f"{game_date}.early", game_date, **day_columns(game_date, "LOSS")),
                            audit_record(f"{game_date}.old", game_date, later + timedelta(hours=1), tally=None)])
    store.append_audit([audit_record("mlb", recent, later + timedelta(hours=2), sport="mlb",
                                     **day_columns(recent, "PUSH"))])
    inputs = store.load_export_inputs(DAY, season_from=date(2024, 10, 1))
    assert inputs.season_tallies == (tally(recent, "WIN"),)
    # Before the detailed days, each date's latest summary; on them, the one written with the tally.
    assert inputs.season_summaries == tuple(DaySummary.of(tally(d, "WIN"))
                                            for d in (date(2024, 10, 1), recent - timedelta(days=1), recent))
    season_opener = store.load_export_inputs(date(2024, 10, 1), season_from=date(2024, 10, 1))
    assert (season_opener.season_tallies, season_opener.season_summaries) == ((), ())


def test_a_detailed_days_summary_is_the_one_written_with_its_tally_never_an_older_rows(store):
    """During an upgrade, functions of the version before day summaries write a tally without a
    summary: the date's newest tally then comes alone (the record sums it), never beside the
    summary of an older row, which would count the date by another export."""
    recent = first_detailed_day(DAY)
    store.append_audit([
        audit_record("summarised", recent, **day_columns(recent, "LOSS")),
        audit_record("tally-only", recent, PUBLISHED_AT + timedelta(hours=1),
                     tally=tally(recent, "WIN").to_text(), day_summary=None)])
    inputs = store.load_export_inputs(DAY, season_from=date(2024, 10, 1))
    assert (inputs.season_tallies, inputs.season_summaries) == ((tally(recent, "WIN"),), ())


def test_two_sports_interleaved_never_see_each_other(store):
    """Every table is read and replaced per sport: NBA and MLB rows of one date, written in turns."""
    at = PUBLISHED_AT
    for sport, player, stat in (("nba", "curry", "PTS"), ("mlb", "cole", "K"), ("nba", "tatum", "REB")):
        store.append_ledger([ledger_row(player=player, export_id=f"e-{player}", sport=sport, stat=stat,
                                        pick_id=f"{DAY}/{player}/{stat}/x", result="WIN")])
        store.record_manual(manual_command(f"req-{player}", player_lookup=player, stat=stat, sport=sport))
        store.append_audit([audit_record(f"e-{player}", sport=sport),
                            audit_record(f"y-{player}", DAY - timedelta(days=1), sport=sport,
                                         tally=tally(DAY - timedelta(days=1), "WIN", sport_player=player).to_text())])
    store.replace_signal(DAY, [signal_row(player="curry"), signal_row(player="tatum", stat="REB")])
    store.replace_signal(DAY, [signal_row(player="cole", stat="K", sport="mlb")], "mlb")
    store.replace_results(DAY, [GameResult(DAY, "cole", "K", 9.0, "mlb")], "mlb")
    store.replace_signal(DAY, [signal_row(player="curry")])  # NBA's rewrite leaves MLB's rows alone
    store.record_halt(HaltCommand("h1", at, "halt", "mlb", "ops", "bad stretch"), DAY)
    nba = store.load_export_inputs(DAY, season_from=DAY - timedelta(days=1))
    mlb = store.load_export_inputs(DAY, sport="mlb", season_from=DAY - timedelta(days=1))
    assert sorted(r.pick.player_lookup for r in nba.merge.ledger) == ["curry", "tatum"]
    assert [r.pick.player_lookup for r in mlb.merge.ledger] == ["cole"]
    assert [s.player_lookup for s in nba.merge.signal] == ["curry"]
    assert [(s.player_lookup, s.stat, s.sport) for s in mlb.merge.signal] == [("cole", "K", "mlb")]
    assert [r.sport for r in mlb.merge.results] == ["mlb"] and nba.merge.results == ()
    assert sorted(c.request_id for c in nba.merge.manual) == ["req-curry", "req-tatum"]
    assert [c.request_id for c in mlb.merge.manual] == ["req-cole"]
    assert nba.audited_export_ids == {"e-curry", "e-tatum"} and mlb.audited_export_ids == {"e-cole"}
    assert [h.request_id for h in mlb.halt_commands] == ["h1"] and nba.halt_commands == ()
    assert [p.player for t in mlb.season_tallies for p in t.picks] == ["cole"]
    assert len(nba.season_tallies) == 1 and nba.season_tallies[0].picks[0].player in ("curry", "tatum")
    assert [a.export_id for a in store.audit_records(DAY, "mlb")] == ["e-cole"]
    assert store.record_halt(HaltCommand("h1", at, "halt", "mlb", "ops", "bad stretch"), DAY) is False


def test_audited_ids_cover_the_date_all_json_shows(store):
    """all.json may show another date than the export's; its version may need recovering (G4)."""
    store.append_audit([audit_record("e-day"), audit_record("e-next", game_date=DAY + timedelta(days=1)),
                        audit_record("e-far", game_date=DAY + timedelta(days=5))])
    assert store.load_export_inputs(DAY).audited_export_ids == {"e-day"}
    inputs = store.load_export_inputs(DAY, all_json_date=DAY + timedelta(days=1))
    assert inputs.audited_export_ids == {"e-day", "e-next"}


def test_audit_records_are_ordered_by_exported_at_then_export_id(store):
    later = PUBLISHED_AT + timedelta(milliseconds=1)
    store.append_audit([audit_record("e-c", exported_at=later), audit_record("e-b", exported_at=PUBLISHED_AT)])
    store.append_audit([audit_record("e-a", exported_at=later), audit_record("e-z", exported_at=PUBLISHED_AT)])
    store.append_audit([audit_record("other", game_date=OTHER_DAY)])
    assert [record.export_id for record in store.audit_records(DAY)] == ["e-b", "e-z", "e-a", "e-c"]
    assert store.audit_records(date(2025, 2, 1)) == []


PROCESSES = 8


def _record_and_append(open_store) -> bool:
    store = open_store()  # each process opens the backend itself, as separate functions would
    recorded = store.record_manual(manual_command("req-contended"))
    store.append_ledger([ledger_row(export_id=f"e-{os.getpid()}")])
    return recorded


def test_concurrent_processes_record_a_request_once_and_lose_no_ledger_row(open_store, in_processes):
    recorded = in_processes(PROCESSES, _record_and_append, open_store)
    assert sorted(recorded) == [False] * (PROCESSES - 1) + [True]
    store = open_store()
    assert [command.request_id for command in store.load_export_inputs(DAY).merge.manual] == ["req-contended"]
    assert len({row.export_id for row in store.ledger_history(DAY)}) == PROCESSES


# -- the SQLite file -----------------------------------------------------------------------------

def test_sqlite_stores_the_documented_encodings_and_the_events_view(tmp_path):
    path = tmp_path / "picklock.sqlite3"
    store = SqliteStore(path)
    store.append_ledger([ledger_row(first_published_at=PUBLISHED_AT.astimezone(EASTERN), angles=("hot", "é"))])
    store.append_audit([audit_record(all_json_written=True)])
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute(
            "SELECT game_date, first_published_at, angles, typeof(line) FROM best_bets_published_picks "
            "WHERE game_date = ?", (DAY.isoformat(),)).fetchone() == (
            "2025-01-15", "2025-01-15T15:00:00.456Z", '["hot", "é"]', "real")
        assert connection.execute(
            "SELECT all_json_written, typeof(all_json_written) FROM best_bets_export_audit WHERE game_date = ?",
            (DAY.isoformat(),)).fetchone() == (1, "integer")
        assert connection.execute(
            "SELECT event_type, detail, export_id FROM best_bets_pick_events WHERE game_date = ?",
            (DAY.isoformat(),)).fetchall() == [("published", "first", "e1")]
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_sqlite_tables_are_strict(tmp_path):
    path = tmp_path / "picklock.sqlite3"
    SqliteStore(path)
    with closing(sqlite3.connect(path)) as connection, pytest.raises(sqlite3.Error):
        connection.execute("INSERT INTO player_game_results VALUES ('2025-01-15', 'x', 'PTS', 'not a number')")


def test_sqlite_reads_one_sports_dates_through_its_clustering_index(tmp_path):
    """CLUSTER BY sport in the DDL is an index (sport, game_date) here: a sport's rows of a date
    range are found without visiting the other sports' rows of those dates."""
    path = tmp_path / "picklock.sqlite3"
    SqliteStore(path)
    with closing(sqlite3.connect(path)) as connection:
        plan = " ".join(row[3] for row in connection.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM best_bets_published_picks "
            "WHERE sport = ? AND game_date BETWEEN ? AND ?", ("mlb", "2026-01-01", "2026-02-01")))
    assert "USING INDEX best_bets_published_picks__clustered (sport=? AND game_date>? AND game_date<?)" in plan


# -- the BigQuery dataset ------------------------------------------------------------------------

def test_migrate_keeps_the_read_functions_of_this_version_and_the_one_before_and_drops_older_ones(emulators, unique_name):
    """Every release whose read changed leaves its function behind; a rolling deploy still needs
    the previous revision's. Functions that are not picklock's read stay untouched."""
    import time

    from picklock.adapters.bigquery_store import BigQueryStore

    dataset = unique_name("picks").replace("-", "_")
    store = BigQueryStore("picklock-local", dataset, endpoint=os.environ["PICKLOCK_BIGQUERY_ENDPOINT"])
    store.create_tables()
    for name in ("export_inputs_00000000000000a1", "export_inputs_00000000000000a2", "export_inputs_00000000000000a3",
                 "daily_totals"):
        store.client.query_and_wait(f"CREATE TABLE FUNCTION `{dataset}.{name}`() AS (SELECT 1 AS x)")
        time.sleep(0.01)  # creation times apart: the newest earlier function is the one kept

    assert "read functions dropped: export_inputs_00000000000000a2, export_inputs_00000000000000a1" in store.migrate()
    left = {routine.routine_id for routine in store.client.list_routines(dataset)}
    assert left == {store.read_function_name.split(".")[-1], "export_inputs_00000000000000a3", "daily_totals"}
    assert not any(step.startswith("read functions dropped") for step in store.migrate())  # nothing more to drop
    assert store.load_export_inputs(DAY).merge.signal == ()


def test_bigquery_reads_through_a_table_function_it_creates_when_the_dataset_lacks_it(emulators, unique_name):
    """Code deployed before `picklock migrate` ran, or a function dropped by hand: the first read
    creates it (and a read that fails looks for it again), and reads the same rows as the statement."""
    from google.api_core.exceptions import GoogleAPICallError
    from google.cloud import bigquery

    from picklock.adapters.bigquery_store import BigQueryStore

    dataset = unique_name("picks").replace("-", "_")
    open_store = lambda: BigQueryStore("picklock-local", dataset, endpoint=os.environ["PICKLOCK_BIGQUERY_ENDPOINT"])  # noqa: E731
    writer = open_store()
    writer.create_tables()
    writer.client.delete_routine(writer.read_function_name)
    writer.replace_signal(DAY, [signal_row(), signal_row(player="bare")])
    writer.append_ledger([ledger_row()])

    store = open_store()
    inputs = store.load_export_inputs(DAY, season_from=DAY)
    assert store.jobs["ddl"] == 1 and store.jobs["read"] == 1
    assert {row.player_lookup for row in inputs.merge.signal} == {"lebronjames", "bare"}
    assert [row.pick.pick_id for row in inputs.merge.ledger] == [ledger_row().pick.pick_id]
    config = bigquery.QueryJobConfig(query_parameters=store.read_parameters(DAY, "nba", DAY, None))
    as_statement, as_function = (list(map(dict, store.client.query_and_wait(sql, job_config=config)))
                                 for sql in (store.export_inputs_sql(), store.read_function_call))
    assert as_function == as_statement and len(as_function[0]["signal"]) == 2
    store.load_export_inputs(DAY)
    assert store.jobs["ddl"] == 1  # found once, then only called

    writer.client.delete_routine(store.read_function_name)
    with pytest.raises(GoogleAPICallError):
        store.load_export_inputs(DAY)
    assert {row.player_lookup for row in store.load_export_inputs(DAY).merge.signal} == {"lebronjames", "bare"}
    assert store.jobs["ddl"] == 2
