"""The public record: prices and units, closing line value, day tallies, windows, streaks, weeks and
splits; and, as a property, that the record built from one tally per day equals a fold of the
whole ledger, whatever was regraded, voided or priced late."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from picklock.domain.ledger import fold_ledger
from picklock.domain.picks import ClosingLine, Pick
from picklock.domain.pricing import closing_line_value, odds_refusal, units
from picklock.domain.record import SeasonRecord, first_detailed_day, season_record, week_start
from picklock.domain.tally import CompactPick, DaySummary, DayTally, window as window_of
from tests.harness.nba_paths import ALL_JSON

from builders import GAME_DATE, START, TIPOFF, Core, add, assert_valid, at, only, pick, result, signal, void
from fakes import make_service

UTC = timezone.utc


# ---------------------------------------------------------------- prices and units

@pytest.mark.parametrize("outcome, odds, expected", [
    ("WIN", 150, 1.5), ("WIN", 100, 1.0), ("WIN", -110, 0.9091), ("WIN", -200, 0.5), ("WIN", -100, 1.0),
    ("LOSS", 150, -1.0), ("LOSS", -110, -1.0), ("PUSH", -110, 0.0), ("VOID", 120, 0.0),
    ("WIN", None, None), ("LOSS", None, None), (None, -110, None),
])
def test_units_at_a_one_unit_stake_at_the_posted_odds(outcome, odds, expected):
    assert units(outcome, odds) == expected


@pytest.mark.parametrize("odds", [0, 50, -50, 99, -99, 100001, -100001, 110.5, True, "110", None])
def test_what_is_not_american_odds_is_refused_by_name(odds):
    assert odds_refusal(odds)


@pytest.mark.parametrize("odds", [100, -100, 125, -110, 100000, -100000])
def test_american_odds_are_accepted(odds):
    assert odds_refusal(odds) is None


def test_closing_line_value_is_positive_when_the_pick_beat_the_close():
    closing = ClosingLine(GAME_DATE, "a", "PTS", 22.0, START)
    assert closing_line_value(pick("a", "OVER", 20.5), closing) == 1.5  # bought at 20.5, closed 22
    assert closing_line_value(pick("a", "UNDER", 20.5), closing) == -1.5
    assert closing_line_value(pick("a", "UNDER", 23.5), closing) == 1.5


# ---------------------------------------------------------------- the merge carries them

def test_odds_and_venue_are_frozen_when_first_shown_and_tier_refreshes_until_tipoff():
    core = Core()
    first = only(core.run(signal=[signal("a", odds=-110, tier="high", home=True)]).picks, "a")
    assert (first.odds_american, first.tier, first.home) == (-110, "high", True)
    repriced = only(core.run(signal=[signal("a", odds=+120, tier="ultra", home=False)], now=at(1)).picks, "a")
    assert (repriced.odds_american, repriced.home, repriced.tier, repriced.status) == (-110, True, "ultra", "active")
    after_tip = only(core.run(signal=[signal("a", odds=-150, tier="low")], now=TIPOFF).picks, "a")
    assert (after_tip.odds_american, after_tip.tier) == (-110, "ultra")


def test_a_manual_pick_carries_its_price_tier_and_venue():
    core = Core()
    manual = only(core.run(manual=[add("m", "r1", odds=+140, tier="ultra", home=False)]).picks, "m")
    assert (manual.odds_american, manual.tier, manual.home) == (140, "ultra", False)


def test_grading_gives_units_and_a_push_is_an_explicit_push_with_zero_units():
    core = Core()
    core.run(signal=[signal("w", odds=-125), signal("p", odds=110, rank=2), signal("u", rank=3)])
    graded = core.run(results=[result("w", 30.0), result("p", 20.5), result("u", 30.0)], now=at(9)).picks
    assert [(p.player_lookup, p.result, p.units) for p in sorted(graded, key=lambda p: p.player_lookup)] == [
        ("p", "PUSH", 0.0), ("u", "WIN", None), ("w", "WIN", 0.8)]


def test_a_closing_line_arriving_after_grading_gives_clv_at_the_next_export():
    core = Core()
    core.run(signal=[signal("a", odds=-110)])
    core.run(results=[result("a", 30.0)], now=at(9))
    lines = [ClosingLine(GAME_DATE, "a", "PTS", 21.0, at(7)), ClosingLine(GAME_DATE, "a", "PTS", 22.5, at(7.5))]
    merged = core.run(results=[result("a", 30.0)], closing=lines, now=at(10))
    graded = only(merged.picks, "a")
    assert (graded.result, graded.closing_line, graded.clv) == ("WIN", 22.5, 2.0)  # the latest capture
    assert [row.change for row in merged.ledger_rows] == ["closing_line"]


# ---------------------------------------------------------------- tallies

def compact(result, odds=-110, *, clv=None, stat="PTS", source="algorithm", tier=None, system_id="s1"):
    return CompactPick("P", stat, "OVER", 20.5, odds, result, units(result, odds), clv, source, tier, system_id)


def day(game_date: date, *picks: CompactPick) -> DayTally:
    return DayTally(game_date, picks)


def test_a_tally_round_trips_through_its_text_and_refuses_another_version():
    tally = day(GAME_DATE, compact("WIN", clv=1.5, tier="ultra"), compact(None, None), compact("VOID", None))
    assert DayTally.from_text(tally.to_text()) == tally
    with pytest.raises(ValueError, match="^tally version 99 is not 1$"):
        DayTally.from_text(json.dumps({"v": 99, "date": "2026-02-28", "picks": []}))


def test_the_texts_of_a_day_are_compact_utf8_and_refuse_what_json_cannot_carry():
    tally = day(GAME_DATE, compact("WIN", clv=1.5, tier="élite"), compact(None, None))
    for text in (tally.to_text(), DaySummary.of(tally).to_text()):
        assert "élite" in text and ", " not in text and ": " not in text
    with pytest.raises(ValueError):  # a NaN line never reaches an audit row
        day(GAME_DATE, replace(compact("WIN"), line=float("nan"))).to_text()


def test_a_tally_orders_picks_by_tipoff_and_counts_an_operator_void_as_a_void():
    late = pick("late", pick_id="late", game_time=TIPOFF + timedelta(hours=3), odds_american=-110)
    early = pick("early", pick_id="early", game_time=TIPOFF, status="voided", void_reason="injury",
                 result="WIN", units=0.91, odds_american=-110)
    tally = DayTally.of(GAME_DATE, [late, early])
    assert [(p.player, p.result, p.units) for p in tally.picks] == [("early", "VOID", 0.0), ("late", None, None)]


@pytest.mark.parametrize("results, status", [
    (["WIN", None], "pending"), (["WIN", "WIN", "PUSH", "VOID"], "sweep"), (["LOSS", "PUSH"], "miss"),
    (["WIN", "LOSS"], "split"), (["PUSH", "VOID"], "void"), (["VOID"], "void"),
])
def test_day_status(results, status):
    assert day(GAME_DATE, *(compact(r) for r in results)).status == status


# ---------------------------------------------------------------- windows, streaks, weeks, splits

def record_of(days: dict[date, list], today: date) -> dict:
    tallies = {d: day(d, *picks) for d, picks in days.items() if d != today}
    return season_record("2025-26", today, tallies, day(today, *days.get(today, []))).to_json()


def test_a_window_counts_units_only_for_priced_picks_and_roi_over_priced_wins_and_losses():
    document = record_of({GAME_DATE: [compact("WIN", 150), compact("LOSS", -110), compact("WIN", None),
                                      compact("PUSH", -110), compact("VOID", -110), compact(None, -110)]}, GAME_DATE)
    season = document["record"]["season"]
    assert season == {"wins": 2, "losses": 1, "pushes": 1, "voids": 1, "total": 4, "pct": 0.667,
                      "units": 0.5, "priced": 3, "roi": 0.25, "clv_avg": None, "clv_beat_pct": None, "clv_count": 0}
    assert (document["total_today"], document["total_picks"], document["graded"], document["voided"]) == (5, 5, 4, 1)


def test_clv_averages_the_settled_picks_with_a_closing_line():
    season = record_of({GAME_DATE: [compact("WIN", clv=1.5), compact("LOSS", clv=-0.5), compact("WIN", clv=0.0),
                                    compact("WIN"), compact("VOID", clv=3.0)]}, GAME_DATE)["record"]["season"]
    assert (season["clv_avg"], season["clv_beat_pct"], season["clv_count"]) == (0.33, 0.333, 3)


def test_month_week_and_last_10_windows():
    sunday, monday = date(2026, 3, 1), date(2026, 3, 2)
    days = {date(2026, 2, 27): [compact("WIN")] * 3, sunday: [compact("LOSS")] * 9, monday: [compact("WIN")]}
    record = record_of(days, monday)["record"]
    assert [record[w]["wins"] for w in ("season", "month", "week", "last_10")] == [4, 1, 1, 1]
    assert [record[w]["losses"] for w in ("season", "month", "week", "last_10")] == [9, 9, 0, 9]
    assert week_start(sunday) == date(2026, 2, 23) and week_start(monday) == monday


def test_streaks_skip_pushes_and_voids_and_the_best_run_has_its_dates():
    d1, d2, d3 = date(2026, 2, 26), date(2026, 2, 27), GAME_DATE
    days = {d1: [compact("LOSS"), compact("WIN")], d2: [compact("WIN"), compact("PUSH"), compact("WIN")],
            d3: [compact("VOID"), compact("LOSS"), compact("LOSS"), compact("PUSH")]}
    document = record_of(days, d3)
    assert document["streak"] == {"kind": "L", "length": 2}
    assert document["best_streak"] == {"length": 3, "start": "2026-02-26", "end": "2026-02-27"}
    assert record_of({}, d3)["streak"] == {"kind": None, "length": 0}
    assert record_of({}, d3)["best_streak"] == {"length": 0, "start": None, "end": None}


def test_weeks_are_the_8_most_recent_with_picks_newest_first_days_in_calendar_order():
    today = date(2026, 3, 4)  # a Wednesday
    days = {today - timedelta(days=n): [compact("WIN" if n % 3 else "LOSS")] for n in range(0, 70, 2)}
    weeks = record_of(days, today)["weeks"]
    assert len(weeks) == 8
    assert weeks[0]["week_start"] == "2026-03-02" and weeks[-1]["week_start"] == "2026-01-12"
    assert [d["date"] for d in weeks[0]["days"]] == ["2026-03-02", "2026-03-04"]
    assert weeks[0]["days"][0] == {"date": "2026-03-02", "status": "sweep", "record": weeks[0]["days"][0]["record"],
                                   "picks": [{"player": "P", "stat": "PTS", "direction": "OVER", "line": 20.5,
                                              "odds": -110, "result": "WIN", "units": 0.9091}]}
    assert weeks[0]["record"]["wins"] + weeks[0]["record"]["losses"] == 2


def test_splits_by_stat_source_tier_and_system():
    splits = record_of({GAME_DATE: [compact("WIN", stat="REB", tier="ultra"), compact("LOSS", source="manual",
                                                                                    system_id="manual")]},
                       GAME_DATE)["splits"]
    assert {k: sorted(v) for k, v in splits.items()} == {
        "stat": ["PTS", "REB"], "source": ["algorithm", "manual"], "tier": ["none", "ultra"],
        "system_id": ["manual", "s1"]}
    assert (splits["tier"]["ultra"]["wins"], splits["source"]["manual"]["losses"]) == (1, 1)


def test_todays_merge_replaces_a_stored_tally_of_today():
    stored = {GAME_DATE: day(GAME_DATE, compact("LOSS"))}
    record = season_record("2025-26", GAME_DATE, stored, day(GAME_DATE, compact("WIN"))).to_json()["record"]
    assert (record["season"]["wins"], record["season"]["losses"]) == (1, 0)


def test_all_json_of_a_200_day_season_of_15_picks_a_day_stays_under_200_kb():
    from picklock.domain.halts import RUNNING
    from picklock.domain.render import all_json_document, to_text

    start = date(2025, 10, 21)
    results = ("WIN", "LOSS", "PUSH", "VOID", "WIN")
    tallies = {start + timedelta(days=n): DayTally(start + timedelta(days=n), tuple(
        CompactPick(f"Player Number {i:02d}", ("PTS", "REB", "AST")[i % 3], "UNDER", 27.5, -115, results[(n + i) % 5],
                    units(results[(n + i) % 5], -115), 1.5, "algorithm", "ultra", "catboost_v9") for i in range(15)))
        for n in range(200)}
    today = start + timedelta(days=199)
    picks = [pick(f"player{i}", pick_id=f"{today}/player{i}/PTS/0123456789", game_date=today) for i in range(15)]
    record = season_record("2025-26", today, tallies, DayTally.of(today, picks))
    text = to_text(all_json_document("nba", today, picks, record, RUNNING, {"head": "0" * 64, "length": 3000}, export_id="e", generated_at=START), compact=True)
    assert len(text.encode()) <= 200_000


# ---------------------------------------------------------------- property: tallies equal a fold of the ledger

SEASON_START = datetime(2026, 2, 20, 17, tzinfo=UTC)  # noon in New York
ODDS = st.sampled_from([None, -110, -125, 100, 150, -200])
ACTUALS = st.sampled_from([None, 10.0, 20.5, 30.0])  # DNP, LOSS/WIN, PUSH, WIN/LOSS by direction


@st.composite
def seasons(draw):
    """A season of exports: each day a signal run and a manual pick, then grading the next morning;
    between days, late events on earlier dates: a stat correction (regrade), a void after grading,
    a closing line."""
    days = draw(st.integers(1, 6))
    plan = []
    for n in range(days):
        players = draw(st.lists(st.sampled_from("abcdefg"), min_size=1, max_size=4, unique=True))
        picks = [(p, draw(st.sampled_from(["OVER", "UNDER"])), draw(ODDS), draw(ACTUALS)) for p in players]
        manual = draw(st.none() | st.tuples(ODDS, ACTUALS))
        late = draw(st.lists(st.tuples(st.sampled_from(["regrade", "void", "closing"]), st.integers(0, n),
                                       st.sampled_from("abcdefgm"), ACTUALS), max_size=3))
        plan.append((picks, manual, late))
    return plan


def fold_season(store, season_start: date, today: date) -> list[list[Pick]]:
    """Independent of the tallies: every pick of every date, folded from the whole ledger."""
    by_date: dict[date, list] = {}
    for row in store.ledger:
        by_date.setdefault(row.pick.game_date, []).append(row)
    return [list(fold_ledger(rows).values()) for d, rows in sorted(by_date.items()) if season_start <= d <= today]


def expected_season(days: list[list[Pick]]) -> dict:
    counts = dict(wins=0, losses=0, pushes=0, voids=0, units=0.0, priced=0)
    for picks in days:
        for p in picks:
            outcome = p.result if p.live else "VOID"
            if outcome is None:
                continue
            counts[{"WIN": "wins", "LOSS": "losses", "PUSH": "pushes", "VOID": "voids"}[outcome]] += 1
            if outcome != "VOID" and p.odds_american is not None:
                counts["priced"] += 1
                odds = p.odds_american
                counts["units"] += {"WIN": odds / 100 if odds > 0 else 100 / -odds, "LOSS": -1.0, "PUSH": 0.0}[outcome]
    counts["units"] = round(counts["units"], 2)
    return counts


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seasons())
def test_the_record_from_day_tallies_equals_a_fold_of_the_ledger(plan):
    service, store, publisher, clock = make_service(SEASON_START)
    first = service.today()
    for n, (picks, manual, late) in enumerate(plan):
        game_date = first + timedelta(days=n)
        clock.now = SEASON_START + timedelta(days=n)
        tip = clock.now + timedelta(hours=7)
        service.load_signal(game_date, [signal(p, d, odds=o, game_date=game_date, game_time=tip, rank=i + 1)
                                        for i, (p, d, o, _) in enumerate(picks)])
        service.export(game_date, "signal_updated")
        if manual is not None:
            service.submit_manual(add("m", f"m{n}", clock.now, odds=manual[0], game_date=game_date, game_time=tip))
            service.export(game_date, "manual")
        actuals = {p: a for p, _, _, a in picks} | ({"m": manual[1]} if manual else {})
        clock.now = SEASON_START + timedelta(days=n, hours=20)  # the next morning
        service.load_results(game_date, [result(p, a, game_date=game_date) for p, a in actuals.items()])
        service.grade(game_date)
        for kind, back, player, actual in late:
            earlier = first + timedelta(days=back)
            clock.now += timedelta(minutes=5)
            if kind == "regrade":
                rows = store.results.get(("nba", earlier), [])
                store.replace_results(earlier, [result(r.player_lookup, actual if r.player_lookup == player else r.actual_value,
                                                       game_date=earlier) for r in rows])
            elif kind == "void":
                service.submit_manual(void(player, f"v{n}{back}{player}", clock.now, "stat correction", game_date=earlier),
                                      check=False)
            else:
                service.load_closing(earlier, [ClosingLine(earlier, player, "PTS", 21.5, clock.now)])
            service.grade(earlier)

    today = service.today()
    document = json.loads(publisher.read(ALL_JSON)[0])
    assert document["date"] == today.isoformat()
    assert_valid("all", document)
    days = fold_season(store, first, today)
    season = document["record"]["season"]
    assert {k: season[k] for k in ("wins", "losses", "pushes", "voids", "units", "priced")} == expected_season(days)
    # Day by day too, and the last ten settled picks are the season's last ten.
    assert [(d["date"], d["wins"], d["losses"]) for d in document["record"]["by_day"]] == [
        (picks[0].game_date.isoformat(), *(expected_season([picks])[k] for k in ("wins", "losses")))
        for picks in days if any(p.result is not None or not p.live for p in picks)]
    assert document["record"]["last_10"]["total"] == min(10, season["total"])
    assert document["total_picks"] == sum(p.live and p.result != "VOID" for picks in days for p in picks)


def test_a_season_record_is_empty_before_any_pick():
    document = SeasonRecord("2025-26", GAME_DATE).to_json()
    assert document["record"]["season"]["total"] == 0 and document["weeks"] == []


def test_the_cli_prices_a_day_and_closing_lines_give_clv_ignoring_lines_of_unpublished_picks(tmp_path):
    from test_hostile_inputs import picklock

    home = tmp_path / "home"
    signal_file, results_file, closing_file = tmp_path / "signal.json", tmp_path / "results.json", tmp_path / "closing.json"
    signal_file.write_text(json.dumps([
        {"player_lookup": "curry", "team_abbr": "GSW", "opponent_team_abbr": "LAL", "recommendation": "OVER",
         "line_value": 27.5, "system_id": "s", "algorithm_version": "v1", "game_time": "2026-03-01T03:00:00Z",
         "odds_american": -110, "tier": "ultra", "home": True}]))
    assert picklock(home, "signal", "load", "--date", "2026-02-28", "--file", str(signal_file))[0] == 0
    assert picklock(home, "export", "--date", "2026-02-28")[0] == 0
    status, _, error = picklock(home, "manual", "add", "--date", "2026-02-28", "--player", "santos", "--team", "GSW",
                                "--opponent", "LAL", "--direction", "under", "--line", "12.5", "--odds", "+125",
                                "--tier", "high", "--venue", "away", "--export")
    assert status == 0, error
    results_file.write_text(json.dumps([{"player_lookup": "curry", "actual_value": 31},
                                        {"player_lookup": "santos", "actual_value": 14}]))
    assert picklock(home, "results", "load", "--date", "2026-02-28", "--file", str(results_file),
                    now="2026-03-01T14:00:00Z")[0] == 0
    assert picklock(home, "grade", "--date", "2026-02-28", now="2026-03-01T14:00:05Z")[0] == 0
    closing_file.write_text(json.dumps([
        {"player_lookup": "curry", "line_value": 28.5, "odds_american": -115, "captured_at": "2026-03-01T02:59:00Z"},
        {"player_lookup": "santos", "line_value": 12.0, "captured_at": "2026-03-01T02:59:00Z"},
        {"player_lookup": "nobody", "line_value": 10.5, "captured_at": "2026-03-01T02:59:00Z"}]))
    status, out, error = picklock(home, "closing", "load", "--date", "2026-02-28", "--file", str(closing_file),
                                  now="2026-03-01T15:00:00Z")
    assert status == 0, error
    assert "loaded 2 closing lines for nba 2026-02-28" in out
    assert "ignored: 2026-02-28 nobody PTS names no published pick" in out
    status, out, _ = picklock(home, "status", "--date", "2026-02-28", now="2026-03-01T15:00:00Z")
    assert status == 0
    assert "-110" in out and "WIN 31.0 +0.91u clv +1" in out and "+125" in out and "LOSS 14.0 -1.00u clv +0.5" in out
    day_file = json.loads((home / "bucket" / "v1" / "best-bets" / "2026-02-28.json").read_text())
    curry = next(p for p in day_file["picks"] if p["player_lookup"] == "curry")
    assert (curry["odds"], curry["tier"], curry["home"], curry["units"], curry["closing_line"], curry["clv"]) == (
        -110, "ultra", True, 0.9091, 28.5, 1.0)
    all_json = json.loads((home / "bucket" / "v1" / "best-bets" / "all.json").read_text())
    season = all_json["record"]["season"]
    assert (season["wins"], season["losses"], season["units"], season["priced"], season["roi"]) == (1, 1, -0.09, 2, -0.045)
    assert (season["clv_avg"], season["clv_beat_pct"], season["clv_count"]) == (0.75, 1.0, 2)
    assert all_json["date"] == "2026-03-01" and all_json["splits"]["tier"]["high"]["losses"] == 1


def test_the_influence_report_grades_withdrawn_picks_as_if_they_had_stood():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a", odds=-110), signal("b", rank=2, odds=150), signal("c", rank=3)])
    service.submit_manual(add("m", "r1", odds=120))
    service.export(GAME_DATE, "signal_updated")
    clock.now = at(1)
    service.submit_manual(void("a", "v1", at(1), "late scratch"))
    service.submit_manual(void("b", "v2", at(1), "news"))
    service.submit_manual(void("c", "v3", at(1), "news"))
    service.export(GAME_DATE, "manual")
    clock.now = at(20)
    # a would have won, b would have lost; c has no actual yet; m (manual) won
    service.load_results(GAME_DATE, [result("a", 30.0), result("b", 10.0), result("m", 30.0)])
    service.export(GAME_DATE + timedelta(days=1), "post_grading")  # today's all.json, reading Feb 28's tally
    service.grade(GAME_DATE)
    influence = json.loads(publisher.read(ALL_JSON)[0])["influence"]
    assert (influence["model"]["wins"], influence["model"]["voids"]) == (0, 3)
    assert (influence["manual"]["wins"], influence["manual"]["units"]) == (1, 1.2)
    assert (influence["withdrawn"]["wins"], influence["withdrawn"]["losses"], influence["withdrawn"]["units"]) == (1, 1, -0.09)
    assert influence["withdrawn_picks"] == 3
    assert influence["summary"] == "picks withdrawn by operators went 1-1 (1 not graded)"


# ---------------------------------------------------------------- property: day summaries equal the picks they sum

RESULTS = st.sampled_from([None, "WIN", "LOSS", "PUSH", "VOID"])


@st.composite
def compact_picks(draw):
    result, odds = draw(RESULTS), draw(ODDS)
    withdrawn = result == "VOID" and draw(st.booleans())
    shadow = draw(st.sampled_from([None, "WIN", "LOSS", "PUSH"])) if withdrawn else None
    clv = draw(st.none() | st.sampled_from([-1.5, -0.5, 0.0, 0.5, 2.25])) if result in ("WIN", "LOSS", "PUSH") else None
    return CompactPick("P", draw(st.sampled_from(["PTS", "REB"])), "OVER", 20.5, odds, result, units(result, odds), clv,
                       draw(st.sampled_from(["algorithm", "manual"])), draw(st.sampled_from([None, "ultra"])),
                       draw(st.sampled_from(["s1", "s2"])), withdrawn, shadow)


@st.composite
def long_seasons(draw):
    """Up to 200 days, with gaps and days of nothing but pending picks or voids."""
    start = date(2025, 10, 21)
    offsets = sorted(draw(st.sets(st.integers(0, 199), min_size=1, max_size=40)))
    return [DayTally(start + timedelta(days=n), tuple(draw(st.lists(compact_picks(), max_size=12)))) for n in offsets]


def record_by_picks(days: list[DayTally], today: date) -> dict:
    """The record folded pick by pick, every day in full: what summing day summaries must equal."""
    def win(picks) -> dict:
        return window_of(picks).to_json()

    season = [p for day in days for p in day.picks]
    decided = [p for p in season if p.decided]
    kind, length = None, 0
    for p in reversed([p for p in decided if p.result != "PUSH"]):
        kind = kind or p.result[0]
        if p.result[0] != kind:
            break
        length += 1
    best, run, start = {"length": 0, "start": None, "end": None}, 0, None
    for day in days:
        for p in day.picks:
            if p.result == "WIN":
                run, start = run + 1, start if run else day.game_date
                if run > best["length"]:
                    best = {"length": run, "start": start.isoformat(), "end": day.game_date.isoformat()}
            elif p.result == "LOSS":
                run = 0
    splits: dict = {}
    for split in ("stat", "source", "tier", "system_id"):
        values = sorted({p.split_value(split) for p in season})
        splits[split] = {v: win(p for p in season if p.split_value(split) == v) for v in values}
    withdrawn = [p for p in season if p.withdrawn]
    return {
        "season": win(season), "last_10": win(decided[-10:]),
        "month": win(p for day in days if day.game_date >= today.replace(day=1) for p in day.picks),
        "by_day": [{"date": day.game_date.isoformat(), **{k: win(day.picks)[k] for k in ("wins", "losses", "pushes", "voids")}}
                   for day in days if win(day.picks)["total"] or win(day.picks)["voids"]],
        "streak": {"kind": kind, "length": length}, "best_streak": best, "splits": splits,
        "withdrawn": win(p.as_if_it_stood() for p in withdrawn if p.shadow is not None),
        "withdrawn_picks": len(withdrawn),
        "total_picks": sum(p.result != "VOID" for p in season), "graded": len(decided),
        "voided": sum(p.result == "VOID" for p in season),
    }


@settings(max_examples=150, deadline=None)
@given(long_seasons())
def test_a_record_from_stored_day_summaries_equals_the_record_folded_pick_by_pick(days):
    today = days[-1].game_date
    first = first_detailed_day(today)
    stored = {day.game_date: DaySummary.from_text(DaySummary.of(day).to_text()) for day in days[:-1]}
    recent = {day.game_date: DayTally.from_text(day.to_text()) for day in days[:-1] if day.game_date >= first}
    document = season_record("2025-26", today, recent, days[-1], stored).to_json()
    expected = record_by_picks(days, today)
    record = document["record"]
    assert {k: record[k] for k in ("season", "last_10", "month", "by_day")} == {
        k: expected[k] for k in ("season", "last_10", "month", "by_day")}
    assert (document["streak"], document["best_streak"], document["splits"]) == (
        expected["streak"], expected["best_streak"], expected["splits"])
    assert (document["influence"]["withdrawn"], document["influence"]["withdrawn_picks"]) == (
        expected["withdrawn"], expected["withdrawn_picks"])
    assert (document["total_picks"], document["graded"], document["voided"]) == (
        expected["total_picks"], expected["graded"], expected["voided"])
    # The weeks it shows pick by pick are the same as with every day's full tally.
    assert document["weeks"] == season_record("2025-26", today, {d.game_date: d for d in days[:-1]}, days[-1]).to_json()["weeks"]


def test_the_record_refuses_a_shown_day_it_has_only_the_summary_of():
    today = GAME_DATE
    shown = today - timedelta(days=3)
    with pytest.raises(ValueError, match="needs its tally"):
        season_record("2025-26", today, {}, day(today), {shown: DaySummary.of(day(shown, compact("WIN")))})


def test_a_day_summary_round_trips_and_refuses_another_version():
    summary = DaySummary.of(day(GAME_DATE, compact("WIN", clv=1.5, tier="ultra"), compact(None, None), compact("VOID", None)))
    assert DaySummary.from_text(summary.to_text()) == summary
    with pytest.raises(ValueError, match="^day summary version 99 is not 1$"):
        DaySummary.from_text(json.dumps({"v": 99}))


def test_a_day_read_with_its_tally_counts_by_the_summary_written_with_it_or_else_by_the_tally():
    """A detailed day's summary, when given, is the one its export wrote with the tally (the stores
    read them from the same audit row): the season sums it as it is, without summing the tally
    again. A day given without one (a row of the version before day summaries) is summed from its
    tally."""
    today, recent, earlier = GAME_DATE, GAME_DATE - timedelta(days=2), GAME_DATE - timedelta(days=3)
    tallies = {recent: day(recent, compact("WIN")), earlier: day(earlier, compact("LOSS"), compact("LOSS"))}
    summed = season_record("2025-26", today, tallies, day(today)).to_json()["record"]["season"]
    written = {day_: DaySummary.of(tally) for day_, tally in tallies.items()}
    given = season_record("2025-26", today, tallies, day(today), {recent: written[recent]}).to_json()
    assert (summed["wins"], summed["losses"]) == (1, 2)
    assert given["record"]["season"] == summed
    # Summed as given: a summary that says otherwise is what counts (so it must be that row's).
    other = season_record("2025-26", today, tallies, day(today), {recent: written[earlier]}).to_json()
    assert (other["record"]["season"]["wins"], other["record"]["season"]["losses"]) == (0, 4)
