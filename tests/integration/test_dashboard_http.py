"""The dashboard server over real HTTP, on the demo's data (embedded backend): JSON endpoints,
one sport at a time, the hash chain and `picklock verify`'s report, static files, 400 on bad input,
GET only, loopback only; and `picklock dashboard` itself."""
from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from picklock.adapters.http_files import BucketFiles
from picklock.domain.picks import HaltCommand
from picklock.service_layer.verification import verify
from picklock.validation import signal_rows, sport_arg
from tests.harness.browser import demo_dashboard, tampered_snapshot
from tools.demo import GAME_DATE

REPO = Path(__file__).resolve().parents[2]
SPORTS = ["nba", "mlb", "nfl", "nhl", "wnba"]
MLB_DATE = "2026-03-01"  # MLB's today at the demo's clock
MLB_SIGNAL = [{
    "player_lookup": "aaronjudge", "player_name": "Aaron Judge", "team_abbr": "NYY", "opponent_team_abbr": "BOS",
    "game_time": "2026-03-01T18:05:00Z", "stat": "HR", "recommendation": "OVER", "line_value": 0.5, "edge": 1.2,
    "rank": 1, "system_id": "mlb_v1", "algorithm_version": "v1.0",
}]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_dashboard(tmp_path_factory.mktemp("demo")) as running:
        yield running


@pytest.fixture(scope="module")
def mlb(server):
    """Beside the demo's NBA day: one MLB pick published today, then MLB's publishing halted."""
    service = server.service
    today = service.today("mlb")
    assert today.isoformat() == MLB_DATE
    service.load_signal(today, signal_rows(MLB_SIGNAL, today, "mlb signal", sport_arg("mlb")), "mlb")
    service.export(today, "signal_updated", "mlb")
    halt = service.submit_halt(HaltCommand("mlb-halt-1", service.now(), "halt", "mlb", "ops", "bad stretch"))
    assert halt.recorded, halt
    service.export(today, "manual", "mlb")
    return service


def request(server, method: str, path: str, headers: dict | None = None):
    """(status, headers, body) of one request; the body parsed when it is JSON."""
    host, port = server.server_address
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.getheader("Content-Type") == "application/json" and body:
        body = json.loads(body)
    return response.status, response.headers, body


def get(server, path: str, **params):
    status, headers, body = request(server, "GET", f"{path}?{urlencode(params)}" if params else path)
    assert status == 200, body
    return body


def by_player(picks) -> dict[str, dict]:
    return {pick["player"]: pick for pick in picks}


# ---------------------------------------------------------------- JSON endpoints

def test_today_is_the_eastern_date_of_the_configured_clock(server):
    assert get(server, "/api/today") == {"date": "2026-03-01", "now": "2026-03-01T14:31:00.000Z", "sport": "nba",
                                         "sports": SPORTS, "halt_active": False, "halt_reason": None,
                                         "halt_since": None}


def test_picks_of_the_demo_date(server):
    picks = by_player(get(server, "/api/picks", date=GAME_DATE)["picks"])
    assert list(picks) == ["Jayson Tatum", "Jaylen Brown", "Stephen Curry", "LeBron James", "Gui Santos", "Jalen Brunson"]
    assert picks["Gui Santos"]["source"] == "manual"
    assert (picks["Jalen Brunson"]["status"], picks["Jalen Brunson"]["void_reason"]) == ("voided", "ruled out (ankle)")
    assert (picks["Stephen Curry"]["status"], picks["Stephen Curry"]["result"]) == ("locked", "WIN")
    assert {pick["tipoff"] for pick in picks.values()} == {"started"}


def test_timeline_of_the_demo_date(server):
    exports = get(server, "/api/timeline", date=GAME_DATE)["exports"]
    curry = by_player(get(server, "/api/picks", date=GAME_DATE)["picks"])["Stephen Curry"]["pick_id"]
    assert [e["outcome"] for e in exports].count("published") == 6
    assert curry in exports[1]["changes"]["locked"]
    assert "late_pick_refused" in [event["kind"] for event in exports[5]["events"]]
    # grading, then the closing lines loaded after it: a re-export that refreshes the picks they close
    assert [e["trigger"] for e in exports[6:]] == ["post_grading", "post_grading"]
    assert curry in exports[6]["changes"]["graded"] and curry in exports[7]["changes"]["refreshed"]


def test_lineage_of_the_voided_pick(server):
    brunson = by_player(get(server, "/api/picks", date=GAME_DATE)["picks"])["Jalen Brunson"]["pick_id"]
    lineage = get(server, "/api/lineage", pick_id=brunson)
    assert (lineage["system_id"], lineage["algorithm_version"]) == ("catboost_v9", "v9.3")
    assert [row["change"] for row in lineage["history"]] == ["published", "refreshed", "voided"]
    assert lineage["history"][-1]["detail"] == "ruled out (ankle)"


WINDOW_KEYS = {"wins", "losses", "pushes", "voids", "total", "pct", "units", "priced", "roi", "clv_avg",
               "clv_beat_pct", "clv_count"}


def wlpv(window: dict) -> tuple[int, int, int, int]:
    return window["wins"], window["losses"], window["pushes"], window["voids"]


def assert_window(window: dict) -> None:
    """A window's shape, and its units and CLV consistent with its counts (whatever odds and
    closing lines the demo posts)."""
    assert set(window) == WINDOW_KEYS, window
    assert window["total"] == window["wins"] + window["losses"] + window["pushes"]
    decided = window["wins"] + window["losses"]
    assert window["pct"] == (round(window["wins"] / decided, 3) if decided else None)
    assert isinstance(window["units"], (int, float)) and round(window["units"], 2) == window["units"]
    assert 0 <= window["priced"] <= window["total"] and 0 <= window["clv_count"] <= window["total"]
    if window["priced"] == 0:
        assert (window["units"], window["roi"]) == (0, None)
    assert (window["clv_avg"] is None) == (window["clv_beat_pct"] is None) == (window["clv_count"] == 0)


def test_season_of_the_demo_date(server):
    season = get(server, "/api/season", date=GAME_DATE)
    assert set(season) == {"date", "season", "record", "streak", "best_streak", "weeks", "splits", "influence",
                           "total_today", "total_picks", "graded", "voided"}
    assert (season["date"], season["season"]) == (GAME_DATE, "2025-26")
    record = season["record"]
    assert set(record) == {"season", "month", "week", "last_10", "wins", "losses", "pushes", "voids", "pct", "by_day"}
    for name in ("season", "month", "week", "last_10"):
        assert_window(record[name])
    # Curry and Santos won, Tatum lost, Brown pushed; LeBron did not play and Brunson was voided
    # by an operator: both are voids in the record (a withdrawn pick neither won nor lost).
    assert wlpv(record["season"]) == wlpv(record["month"]) == wlpv(record["week"]) == (2, 1, 1, 2)
    assert wlpv(record["last_10"]) == (2, 1, 1, 0)  # the last ten settled picks: no void among them
    assert (record["wins"], record["losses"], record["pushes"], record["voids"], record["pct"]) == (2, 1, 1, 2, 0.667)
    assert record["by_day"] == [{"date": GAME_DATE, "wins": 2, "losses": 1, "pushes": 1, "voids": 2}]
    # Tatum lost, Brown pushed, then Curry and Santos won: a streak of two wins, on the demo date.
    assert season["streak"] == {"kind": "W", "length": 2}
    assert season["best_streak"] == {"length": 2, "start": GAME_DATE, "end": GAME_DATE}
    assert (season["total_today"], season["total_picks"], season["graded"], season["voided"]) == (4, 4, 4, 2)


def test_season_weeks_of_the_demo_date_carry_each_pick_as_published(server):
    season = get(server, "/api/season", date=GAME_DATE)
    [week] = season["weeks"]
    assert week["week_start"] == "2026-02-23"  # the Monday of Saturday Feb 28
    assert_window(week["record"])
    assert wlpv(week["record"]) == (2, 1, 1, 2)
    [day] = week["days"]
    assert (day["date"], day["status"], wlpv(day["record"])) == (GAME_DATE, "split", (2, 1, 1, 2))
    picks = by_player(get(server, "/api/picks", date=GAME_DATE)["picks"])
    assert {pick["player"]: pick["result"] for pick in day["picks"]} == {
        "Jayson Tatum": "LOSS", "Jaylen Brown": "PUSH", "Stephen Curry": "WIN", "LeBron James": "VOID",
        "Gui Santos": "WIN", "Jalen Brunson": "VOID"}
    for compact in day["picks"]:
        pick = picks[compact["player"]]
        assert set(compact) == {"player", "stat", "direction", "line", "odds", "result", "units"}
        assert (compact["stat"], compact["direction"], compact["line"], compact["odds"]) == (
            pick["stat"], pick["direction"], pick["line"], pick["odds"])
        # an operator's void is a VOID at the record: its stake returned when it was priced
        assert compact["units"] == (pick["units"] if pick["status"] != "voided" else
                                    None if pick["odds"] is None else 0.0)


def test_season_units_and_clv_add_up_from_the_picks(server):
    """Whatever odds and closing lines the demo posts, the season's units and CLV are those of
    its settled picks."""
    season = get(server, "/api/season", date=GAME_DATE)["record"]["season"]
    settled = [pick for pick in get(server, "/api/picks", date=GAME_DATE)["picks"]
               if pick["status"] != "voided" and pick["result"] in ("WIN", "LOSS", "PUSH")]
    priced = [pick for pick in settled if pick["odds"] is not None and pick["units"] is not None]
    closed = [pick["clv"] for pick in settled if pick["clv"] is not None]
    assert season["priced"] == len(priced)
    assert season["units"] == pytest.approx(round(sum(pick["units"] for pick in priced), 2))
    assert season["clv_count"] == len(closed)
    if closed:
        assert season["clv_avg"] == pytest.approx(round(sum(closed) / len(closed), 2))
        assert season["clv_beat_pct"] == pytest.approx(round(sum(clv > 0 for clv in closed) / len(closed), 3))
    for pick in get(server, "/api/picks", date=GAME_DATE)["picks"]:
        assert {"odds", "tier", "home", "units", "closing_line", "clv"} <= set(pick)
        assert pick["odds"] is None or (isinstance(pick["odds"], int) and abs(pick["odds"]) >= 100)


def test_season_splits_of_the_demo_date(server):
    splits = get(server, "/api/season", date=GAME_DATE)["splits"]
    assert set(splits) == {"stat", "source", "tier", "system_id"}
    for values in splits.values():
        for window in values.values():
            assert_window(window)
        # every split partitions the season
        assert tuple(map(sum, zip(*(wlpv(w) for w in values.values())))) == (2, 1, 1, 2)
    assert {value: wlpv(w) for value, w in splits["stat"].items()} == {"PTS": (2, 1, 1, 2)}
    assert {value: wlpv(w) for value, w in splits["source"].items()} == {
        "algorithm": (1, 1, 1, 2), "manual": (1, 0, 0, 0)}
    assert {value: wlpv(w) for value, w in splits["system_id"].items()} == {
        "catboost_v9": (1, 1, 1, 2), "manual": (1, 0, 0, 0)}


def test_season_the_day_after_has_no_month_yet(server):
    """Mar 1, the demo's today: nothing published yet, so March is empty but the week is not."""
    season = get(server, "/api/season", date="2026-03-01")
    assert wlpv(season["record"]["month"]) == (0, 0, 0, 0) and season["record"]["month"]["pct"] is None
    assert wlpv(season["record"]["week"]) == wlpv(season["record"]["season"]) == (2, 1, 1, 2)
    assert [week["week_start"] for week in season["weeks"]] == ["2026-02-23"]
    assert season["total_today"] == 0


def public(server, name: str) -> dict:
    """A public file of the demo's bucket, as any reader gets it."""
    return json.loads(server.service.publisher.read(name)[0])


def test_season_influence_of_the_demo_date(server):
    season = get(server, "/api/season", date=GAME_DATE)
    influence = season["influence"]
    assert set(influence) == {"model", "manual", "withdrawn", "withdrawn_picks", "summary"}
    for name in ("model", "manual", "withdrawn"):
        assert_window(influence[name])
    # The model's picks and the manual ones apart: the record split by source.
    assert influence["model"] == season["splits"]["source"]["algorithm"]
    assert influence["manual"] == season["splits"]["source"]["manual"]
    # Brunson, voided by the operator, scored 30 over a 25.5 line: had he stood, he would have won.
    assert (influence["withdrawn_picks"], wlpv(influence["withdrawn"])) == (1, (1, 0, 0, 0))
    assert influence["summary"] == "picks withdrawn by operators went 1-0"
    # As all.json carries it: it shows Mar 1, where the season is the same.
    all_json = public(server, server.service.sports.get("nba").all_json_name)
    assert influence == get(server, "/api/season", date="2026-03-01")["influence"] == all_json["influence"]


# ---------------------------------------------------------------- the hash chain and verify

def test_chain_of_the_demo_date_is_its_public_index(server):
    spec = server.service.sports.get("nba")
    chain = get(server, "/api/chain", date=GAME_DATE)
    assert chain["index"] == spec.index_name(date.fromisoformat(GAME_DATE))
    versions = chain["versions"]
    assert versions == public(server, chain["index"])["versions"]
    # One version for each export that published, in order, each linked to the one before.
    published = [e["export_id"] for e in get(server, "/api/timeline", date=GAME_DATE)["exports"]
                 if e["outcome"] == "published"]
    assert [v["export_id"] for v in versions] == published
    assert [v["seq"] for v in versions] == list(range(1, len(versions) + 1))
    assert [v["prev"] for v in versions] == [None] + [v["sha256"] for v in versions[:-1]]
    assert versions[-1]["sha256"] == public(server, spec.date_file_name(date.fromisoformat(GAME_DATE)))["sha256"]


def test_chain_head_is_all_jsons_the_version_of_today_it_shows(server):
    all_json = public(server, server.service.sports.get("nba").all_json_name)
    today = get(server, "/api/chain", date="2026-03-01")
    assert get(server, "/api/chain", date=GAME_DATE)["head"] == today["head"] == all_json["chain"]
    assert today["head_date"] == all_json["date"] == "2026-03-01"
    assert today["head"] == {"head": today["versions"][-1]["sha256"], "length": today["versions"][-1]["seq"]}


def test_chain_of_a_date_never_published(server):
    chain = get(server, "/api/chain", date="2026-02-27")
    assert (chain["versions"], chain["head_date"]) == ([], "2026-03-01")


def verify_report(server, sport: str) -> dict:
    """What `picklock verify` finds on the bucket, as the endpoint answers it."""
    report = verify(BucketFiles(server.service.publisher), server.service.sports.get(sport))
    return {**report.as_dict(), "summary": report.summary()}


def test_verify_of_the_demo_bucket_is_clean(server):
    shown = get(server, "/api/verify")
    assert shown == get(server, "/api/verify", sport="nba") == verify_report(server, "nba")
    assert (shown["ok"], shown["violations"], shown["record_checked"]) == (True, [], True)
    assert (shown["first"], shown["last"], shown["dates"], shown["versions"], shown["picks"]) == (
        "2025-10-01", "2026-03-01", 2, 7, 6)
    assert shown["summary"] == ("verified nba 2025-10-01..2026-03-01: 2 dates, 7 versions, 6 picks: chain unbroken, "
                                "nothing dropped or changed, record recomputed and equal")


def test_verify_answers_for_the_sport_asked(server, mlb):
    shown = get(server, "/api/verify", sport="mlb")
    assert shown == verify_report(server, "mlb")
    assert shown["ok"] and shown["sport"] == "mlb" and shown["summary"].startswith("verified mlb 2026-02-01..2026-03-01")


def test_verify_of_a_sport_with_nothing_published(server):
    assert get(server, "/api/verify", sport="nfl") == {
        "ok": None, "sport": "nfl", "summary": "nothing to verify: no v1/nfl/best-bets/all.json yet", "violations": []}


def test_verify_reports_a_tampered_version_as_picklock_verify_does(server):
    with tampered_snapshot(server.service) as version:
        shown = get(server, "/api/verify")
        assert shown == verify_report(server, "nba")
    assert shown["ok"] is False and shown["violations"]
    assert shown["summary"].startswith(f"{len(shown['violations'])} violations in nba 2025-10-01..2026-03-01")
    assert version["snapshot"] in {violation["file"] for violation in shown["violations"]}
    assert get(server, "/api/verify")["ok"] is True  # put back


# ---------------------------------------------------------------- one sport at a time

def test_sport_mlb_answers_with_mlbs_halt_and_nba_is_unaffected(server, mlb):
    assert get(server, "/api/today", sport="mlb") == {
        "date": MLB_DATE, "now": "2026-03-01T14:31:00.000Z", "sport": "mlb", "sports": SPORTS,
        "halt_active": True, "halt_reason": "bad stretch", "halt_since": "2026-03-01T14:31:00.000Z"}
    nba = get(server, "/api/today")
    assert (nba["sport"], nba["halt_active"], nba["halt_since"]) == ("nba", False, None)
    assert get(server, "/api/today", sport="nba") == nba


def test_sport_mlb_answers_with_mlbs_picks_timeline_lineage_and_season(server, mlb):
    [judge] = get(server, "/api/picks", date=MLB_DATE, sport="mlb")["picks"]
    assert (judge["player"], judge["sport"], judge["stat"], judge["tipoff"]) == ("Aaron Judge", "mlb", "HR", "upcoming")
    assert get(server, "/api/picks", date=MLB_DATE)["picks"] == []  # NBA's Mar 1: nothing published

    # The demo's MLB grading exported Mar 1 first, with nothing to publish; the fixture's two
    # exports ran at the demo's fixed clock, so the timeline may list either of them first, and
    # each export's changes are against the one listed before it: the first of the two adds Judge.
    exports = get(server, "/api/timeline", date=MLB_DATE, sport="mlb")["exports"]
    assert exports[0]["trigger"] == "post_grading" and sorted(e["trigger"] for e in exports[1:]) == ["manual", "signal_updated"]
    assert [e["changes"]["added"] for e in exports] == [[], [judge["pick_id"]], []]
    lineage = get(server, "/api/lineage", pick_id=judge["pick_id"], sport="mlb")
    assert (lineage["system_id"], [row["change"] for row in lineage["history"]]) == ("mlb_v1", ["published"])
    status, _, _ = request(server, "GET", f"/api/lineage?{urlencode({'pick_id': judge['pick_id']})}")
    assert status == 404  # without ?sport=, NBA's ledger: no such pick there
    assert get(server, "/api/season", date=MLB_DATE, sport="mlb")["season"] == "2026"
    assert get(server, "/api/season", date=GAME_DATE, sport="nba") == get(server, "/api/season", date=GAME_DATE)


@pytest.mark.parametrize("path", ["/api/today", f"/api/picks?date={GAME_DATE}", f"/api/timeline?date={GAME_DATE}",
                                  f"/api/season?date={GAME_DATE}", f"/api/lineage?pick_id={GAME_DATE}/x/PTS/0",
                                  f"/api/chain?date={GAME_DATE}", "/api/verify"])
@pytest.mark.parametrize("sport", ["cricket", "", "NBA"])
def test_an_unknown_sport_is_a_400_naming_it(server, path, sport):
    status, headers, body = request(server, "GET", f"{path}{'&' if '?' in path else '?'}{urlencode({'sport': sport})}")
    assert (status, headers["Content-Type"]) == (400, "application/json")
    assert body["error"].startswith(f"sport: unknown sport {sport!r}; expected one of {', '.join(SPORTS)}")


@pytest.mark.parametrize("path, error", [
    ("/api/today?sport=mlb&league=mlb", "league: unknown parameter"),
    (f"/api/picks?date={GAME_DATE}&sport=mlb&player=curry", "player: unknown parameter"),
    ("/api/today?sports=mlb", "sports: unknown parameter"),
    ("/api/today?sport=mlb&sport=nba", "sport: given more than once"),
    (f"/api/picks?sport=mlb&sport=mlb&date={GAME_DATE}", "sport: given more than once"),
    ("/api/season?sport=mlb", "date: required, once"),
    ("/api/verify?sport=mlb&since=2026-02-01", "since: unknown parameter"),
    ("/api/verify?sport=mlb&sport=mlb", "sport: given more than once"),
    ("/api/chain?sport=mlb", "date: required, once"),
])
def test_beside_a_sport_an_unknown_parameter_is_still_refused(server, path, error):
    status, _, body = request(server, "GET", path)
    assert (status, body["error"]) == (400, error)


# ---------------------------------------------------------------- static files

@pytest.mark.parametrize("path, content_type", [
    ("/", "text/html; charset=utf-8"),
    ("/index.html", "text/html; charset=utf-8"),
    ("/app.js", "text/javascript; charset=utf-8"),
    ("/style.css", "text/css; charset=utf-8"),
])
def test_serves_the_page(server, path, content_type):
    status, headers, body = request(server, "GET", path)
    assert (status, headers["Content-Type"]) == (200, content_type)
    assert headers["Content-Security-Policy"] == "default-src 'self'"


def test_the_script_sets_text_never_markup(server):
    """Names, notes and reasons come from operators: the page builds elements and sets text."""
    _, _, script = request(server, "GET", "/app.js")
    for sink in (b"innerHTML", b"outerHTML", b"insertAdjacentHTML", b"document.write", b"eval(", b"new Function"):
        assert sink not in script, sink


@pytest.mark.parametrize("path", ["/nothing.html", "/../pyproject.toml", "/%2e%2e/pyproject.toml", "/api/"])
def test_nothing_else_is_served(server, path):
    status, _, body = request(server, "GET", path)
    assert status == 404 and "error" in body


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("path, where", [
    ("/api/picks", "date"),
    ("/api/picks?date=2026-02-30", "date"),
    ("/api/picks?date=yesterday", "date"),
    ("/api/timeline?date=20260228", "date"),
    ("/api/season?date=2026-02-28&date=2026-03-01", "date"),
    ("/api/picks?date=2026-02-28&player=curry", "player"),
    ("/api/today?date=2026-02-28", "date"),
    ("/api/lineage", "pick_id"),
    ("/api/lineage?pick_id=stephencurry", "pick_id"),
    ("/api/chain", "date"),
    ("/api/chain?date=2026-02-30", "date"),
    ("/api/chain?date=2026-02-28&date=2026-03-01", "date"),
    ("/api/verify?date=2026-02-28", "date"),
    ("/api/verify?first=2026-02-01", "first"),
])
def test_bad_parameters_are_refused_with_400_and_say_which(server, path, where):
    status, headers, body = request(server, "GET", path)
    assert (status, headers["Content-Type"]) == (400, "application/json")
    assert body["error"].startswith(f"{where}: ")


def test_an_unknown_pick_is_404(server):
    status, _, body = request(server, "GET", f"/api/lineage?pick_id={GAME_DATE}/nobody/PTS/0000000000")
    assert status == 404 and "nobody" in body["error"]


# ---------------------------------------------------------------- read-only, loopback-only

@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def test_only_get_is_allowed_and_nothing_changes(server, method):
    before = get(server, "/api/timeline", date=GAME_DATE)
    status, headers, _ = request(server, method, f"/api/picks?date={GAME_DATE}")
    assert (status, headers["Allow"]) == (405, "GET")
    assert get(server, "/api/timeline", date=GAME_DATE) == before


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
@pytest.mark.parametrize("path", ["/api/verify?sport=nba", f"/api/chain?date={GAME_DATE}"])
def test_verify_and_chain_are_get_only_too(server, method, path):
    status, headers, _ = request(server, method, path)
    assert (status, headers["Allow"]) == (405, "GET")


def test_binds_loopback_only(server):
    assert server.server_address[0] == "127.0.0.1"


def test_refuses_a_foreign_host_header(server):
    """A page on another site, resolved to 127.0.0.1 by DNS rebinding, still sends its own Host."""
    status, _, body = request(server, "GET", "/api/today", headers={"Host": "attacker.example"})
    assert status == 400 and "attacker.example" in body["error"]


# ---------------------------------------------------------------- the CLI command

def test_picklock_dashboard_prints_its_url_serves_and_stops_on_ctrl_c(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO / "shared"), "PICKLOCK_BACKEND": "embedded"}
    process = subprocess.Popen(
        [sys.executable, "-m", "picklock.entrypoints.cli", "--home", str(tmp_path), "--now", "2026-02-28T17:00:00Z",
         "dashboard", "--port", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
    )
    try:
        first_line = process.stdout.readline()
        url = urlsplit(first_line.split()[3])
        assert (url.scheme, url.hostname) == ("http", "127.0.0.1"), first_line
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        connection.request("GET", "/api/today")
        assert json.loads(connection.getresponse().read())["date"] == "2026-02-28"
        connection.close()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)  # generous: a loaded 2-core machine, not a slow stop
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "dashboard stopped" in out


def test_picklock_dashboard_refuses_a_port_that_is_not_one(tmp_path, capsys):
    from picklock.entrypoints.cli import EXIT_BAD_INPUT, main

    assert main(["--home", str(tmp_path), "dashboard", "--port", "70000"]) == EXIT_BAD_INPUT
    assert "--port: 70000 is not a TCP port" in capsys.readouterr().err
