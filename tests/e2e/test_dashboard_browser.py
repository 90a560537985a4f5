"""The dashboard in a real browser (headless Chromium from Debian, driven by Selenium) on the demo's
data: the page loads, shows the right picks and badges with their odds, units and CLV, the timeline
and lineage, the hash chain (all.json's head, the date's versions) and `picklock verify`'s status,
the season record (windows, streaks, weeks, splits, operator influence and chart), the sport selector
and a sport's halt banner; a screenshot is left in artifacts/dashboard.png.

Units and CLV depend on the odds and closing lines the demo posts: the page's text is checked
against what /api/season and /api/picks answer, formatted as the page formats them."""
from __future__ import annotations

import json
import re
import urllib.request
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from picklock.domain.picks import HaltCommand
from tests.harness.browser import demo_dashboard, ensure_chromium, headless_chromium, tampered_snapshot
from tools.demo import GAME_DATE

SCREENSHOT = Path(__file__).resolve().parents[2] / "artifacts" / "dashboard.png"
WAIT_SECONDS = 15


@pytest.fixture(scope="module")
def browser():
    problem = ensure_chromium()
    if problem:
        pytest.skip(f"no headless Chromium for the browser tests: {problem}")
    with headless_chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_dashboard(tmp_path_factory.mktemp("demo")) as running:
        yield running


@pytest.fixture(scope="module")
def mlb_halted(server):
    """MLB's publishing halted by an operator (NBA's is not), and exported so all.json says so."""
    service = server.service
    halt = service.submit_halt(HaltCommand("mlb-halt-1", service.now(), "halt", "mlb", "ops", "bad stretch"))
    assert halt.recorded, halt
    service.export(service.today("mlb"), "manual", "mlb")


@pytest.fixture
def page(browser, server):
    """Opens the page on a date (None: the default) and a sport (None: the default) and, after
    the test, checks the console."""
    def open_page(date: str | None = GAME_DATE, sport: str | None = None):
        query = urlencode({name: value for name, value in (("sport", sport), ("date", date)) if value})
        browser.get(server.url + (f"?{query}" if query else ""))
        wait_for(browser, lambda: browser.find_element(By.TAG_NAME, "body").get_attribute("data-loaded"))
        return browser

    yield open_page
    severe = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not severe, severe  # script errors, failed requests, CSP violations


def wait_for(browser, condition):
    return WebDriverWait(browser, WAIT_SECONDS).until(lambda _: condition())


def row_of(browser, player: str) -> WebElement:
    rows = [row for row in browser.find_elements(By.CSS_SELECTOR, "#picks tbody tr")
            if row.find_element(By.CSS_SELECTOR, ".player").text == player]
    assert len(rows) == 1, f"{len(rows)} rows for {player}"
    return rows[0]


def badge(row: WebElement, kind: str) -> str:
    return row.find_element(By.CSS_SELECTOR, f".badge[class*='{kind}-']").text


def api(server, path: str, **params) -> dict:
    with urllib.request.urlopen(f"{server.url}{path.lstrip('/')}?{urlencode(params)}", timeout=10) as response:
        return json.load(response)


# The page's formats (app.js): "—" for what is not known, a sign on what can be negative.
DASH = "—"
UNITS = re.compile(r"^(\+[0-9]+\.[0-9]{2}|-[0-9]+\.[0-9]{2}|0\.00|—)$")
PERCENT = re.compile(r"^([+-]?[0-9]+\.[0-9]%|—)$")


def signed(value: float | None) -> str:
    return DASH if value is None else f"{'+' if value > 0 else ''}{value + 0.0:.2f}"  # + 0.0: no "-0.00"


def percent(share: float | None, sign: bool = False) -> str:
    return DASH if share is None else f"{'+' if sign and share > 0 else ''}{share * 100 + 0.0:.1f}%"


def odds(price: int | None) -> str:
    return DASH if price is None else f"{'+' if price > 0 else ''}{price}"


def wlp(window: dict) -> str:
    return f"{window['wins']}–{window['losses']}–{window['pushes']}"


def window_texts(window: dict) -> list[str]:
    """A window's cells as the page shows them: W–L–P, pct, units, ROI, CLV, beat %."""
    return [wlp(window), percent(window["pct"]), signed(window["units"]), percent(window["roi"], sign=True),
            signed(window["clv_avg"]), percent(window["clv_beat_pct"])]


def cells(row: WebElement) -> list[str]:
    return [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]


def shown_date(iso: str) -> str:
    """How the page shows a date: "Sat, Feb 28"."""
    day = date.fromisoformat(iso)
    return f"{day:%a}, {day:%b} {day.day}"


def test_the_page_opens_on_today_eastern_and_the_date_picker_changes_the_date(page):
    browser = page(None)
    assert browser.find_element(By.ID, "date").get_attribute("value") == "2026-03-01"  # the demo's clock
    assert browser.find_elements(By.CSS_SELECTOR, "#picks tbody tr") == []

    browser.execute_script(
        "const input = document.getElementById('date');"
        "input.value = arguments[0]; input.dispatchEvent(new Event('change'));", GAME_DATE)
    wait_for(browser, lambda: browser.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == GAME_DATE)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#picks tbody tr")) == 6
    assert browser.current_url.endswith(f"?sport=nba&date={GAME_DATE}")


def test_picks_show_source_status_tipoff_and_result_badges(page):
    browser = page()
    players = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#picks tbody .player")]
    assert players == ["Jayson Tatum", "Jaylen Brown", "Stephen Curry", "LeBron James", "Gui Santos", "Jalen Brunson"]

    santos, brunson, curry = (row_of(browser, name) for name in ("Gui Santos", "Jalen Brunson", "Stephen Curry"))
    assert (badge(santos, "source"), badge(santos, "status"), badge(santos, "result")) == ("manual", "active", "WIN")
    assert (badge(brunson, "source"), badge(brunson, "status")) == ("algorithm", "voided")
    assert brunson.find_element(By.CSS_SELECTOR, ".reason").text == "ruled out (ankle)"
    assert (badge(curry, "status"), badge(curry, "tipoff"), badge(curry, "result")) == ("locked", "started", "WIN")


def test_picks_show_their_odds_units_and_clv_as_the_api_gives_them(page, server):
    browser = page()
    headers = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#picks thead th")]
    assert headers[3:5] == ["PICK", "ODDS"] and headers[-2:] == ["UNITS", "CLV"]  # th are upper-cased by CSS
    picks = api(server, "/api/picks", date=GAME_DATE)["picks"]
    for pick in picks:
        row = row_of(browser, pick["player"])
        shown = (row.find_element(By.CSS_SELECTOR, "td.odds").text, row.find_element(By.CSS_SELECTOR, "td.units").text,
                 row.find_element(By.CSS_SELECTOR, "td.clv").text)
        assert shown == (odds(pick["odds"]), signed(pick["units"]), signed(pick["clv"])), pick["player"]
        assert re.fullmatch(r"[+-][0-9]{3,6}|—", shown[0]) and UNITS.match(shown[1]) and UNITS.match(shown[2]), shown
    # Not graded, so no units whatever its odds: the pick an operator voided.
    assert row_of(browser, "Jalen Brunson").find_element(By.CSS_SELECTOR, "td.units").text == DASH


def test_the_timeline_shows_the_export_that_locked_picks(page):
    browser = page()
    exports = browser.find_elements(By.CSS_SELECTOR, "#timeline > li.export")
    assert len(exports) == 8  # the last: the closing lines, loaded after grading
    locked = [change for change in exports[1].find_elements(By.CSS_SELECTOR, ".change")
              if change.find_element(By.CSS_SELECTOR, ".badge").text == "locked"]
    assert [chip.text for chip in locked[0].find_elements(By.CSS_SELECTOR, ".chip")] == ["LeBron James", "Stephen Curry"]
    assert "signal_disagrees: lebronjames" in exports[1].text


def test_clicking_a_pick_shows_its_lineage_and_the_season_chart_is_drawn(page):
    browser = page()
    row_of(browser, "Stephen Curry").click()
    lineage = browser.find_element(By.ID, "lineage")
    wait_for(browser, lineage.is_displayed)
    assert "catboost_v9 v9.3" in lineage.text
    changes = [row.find_elements(By.TAG_NAME, "td")[1].text for row in lineage.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert changes == ["published", "locked", "graded", "closing_line"]

    season = browser.find_element(By.ID, "season")
    assert season.find_element(By.CSS_SELECTOR, ".record strong").text == "2–1–1"
    assert "2 void · 66.7% of decided picks won · season 2025-26" in season.find_element(By.CSS_SELECTOR, ".record").text
    bars = season.find_elements(By.CSS_SELECTOR, "svg.chart rect")
    assert sorted(bar.get_attribute("class") for bar in bars) == ["bar-losses", "bar-pushes", "bar-voids", "bar-wins"]

    SCREENSHOT.parent.mkdir(exist_ok=True)
    # The whole page: the window's height is the page's plus the browser's own frame.
    browser.set_window_size(1280, browser.execute_script(
        "return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight"))
    assert browser.save_screenshot(str(SCREENSHOT))


def test_the_season_record_shows_its_windows_as_the_api_gives_them(page, server):
    browser = page()
    record = api(server, "/api/season", date=GAME_DATE)["record"]
    table = browser.find_element(By.CSS_SELECTOR, "#season table.windows")
    assert [cell.text for cell in table.find_elements(By.CSS_SELECTOR, "thead th")] == [
        "WINDOW", "W–L–P", "PCT", "UNITS", "ROI", "CLV", "BEAT"]
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [(row.get_attribute("data-window"), row.find_element(By.TAG_NAME, "th").text) for row in rows] == [
        ("season", "Season"), ("month", "Month"), ("week", "Week"), ("last_10", "Last 10")]
    # The demo's win-loss: every window holds the one graded day, 2 won, 1 lost, 1 pushed.
    assert [cells(row)[:2] for row in rows] == [["2–1–1", "66.7%"]] * 4
    for row in rows:
        shown = cells(row)
        assert shown == window_texts(record[row.get_attribute("data-window")]), shown
        assert UNITS.match(shown[2]) and PERCENT.match(shown[3]) and UNITS.match(shown[4]) and PERCENT.match(shown[5])
    season_units = rows[0].find_element(By.CSS_SELECTOR, "td.units")
    assert season_units.get_attribute("title") == f"over {record['season']['priced']} priced picks"
    assert rows[0].find_element(By.CSS_SELECTOR, "td.wlp").get_attribute("title") == "2 void"
    assert rows[3].find_element(By.CSS_SELECTOR, "td.wlp").get_attribute("title") == "0 void"


def test_the_season_record_shows_the_streaks_and_the_weeks_days_as_badges(page, server):
    browser = page()
    season = api(server, "/api/season", date=GAME_DATE)
    streaks = browser.find_element(By.CSS_SELECTOR, "#season .streaks")
    # Tatum lost, Brown pushed, then Curry and Santos won.
    current = streaks.find_element(By.CSS_SELECTOR, ".streak .badge")
    assert (current.text, current.get_attribute("class")) == ("W2", "badge streak-W")
    best = streaks.find_element(By.CSS_SELECTOR, ".best-streak")
    assert best.text == f"2 wins in a row: {shown_date(GAME_DATE)}" == "2 wins in a row: Sat, Feb 28"
    assert [t.get_attribute("datetime") for t in best.find_elements(By.TAG_NAME, "time")] == [GAME_DATE]

    [week] = browser.find_elements(By.CSS_SELECTOR, "#season .weeks > li.week")
    assert week.get_attribute("data-week-start") == "2026-02-23"
    head = week.find_element(By.CSS_SELECTOR, ".week-head")
    assert head.find_element(By.CSS_SELECTOR, "time").text == "Mon, Feb 23"
    assert head.find_element(By.CSS_SELECTOR, ".wlp").text == "2–1–1"
    assert head.find_element(By.CSS_SELECTOR, ".units").text == f"{signed(season['weeks'][0]['record']['units'])} u"
    [day] = week.find_elements(By.CSS_SELECTOR, ".days > li.day")
    assert (day.get_attribute("data-date"), day.find_element(By.TAG_NAME, "time").text) == (GAME_DATE, "Sat, Feb 28")
    status = day.find_element(By.CSS_SELECTOR, ".badge")
    assert (status.text, status.get_attribute("class")) == ("split", "badge day-split")
    assert day.find_element(By.CSS_SELECTOR, ".wl").text == "2–1"
    # Its picks in the tooltip, in the order played, with their odds, result and units.
    tooltip = day.get_attribute("title").split("\n")
    picks = season["weeks"][0]["days"][0]["picks"]
    assert tooltip == [
        f"{p['player']} {p['stat']} {p['direction']} {p['line']:g} ({odds(p['odds'])}): {p['result'] or 'pending'}"
        + ("" if p["units"] is None else f" {signed(p['units'])} u") for p in picks]
    assert [line.split(" (")[0] for line in tooltip] == [
        "Jalen Brunson PTS OVER 25.5", "Jayson Tatum PTS OVER 27.5", "Jaylen Brown PTS OVER 22",
        "LeBron James PTS UNDER 24.5", "Stephen Curry PTS OVER 26.5", "Gui Santos PTS OVER 13.5"]
    assert [line.split("): ")[1].split(" ")[0] for line in tooltip] == ["VOID", "LOSS", "PUSH", "VOID", "WIN", "WIN"]
    # Each status has a colour: the badge is not the plain grey of an unknown one.
    colours = {kind: browser.execute_script(
        "const b = document.querySelector(`#season .legend .day-${arguments[0]}`);"
        "return getComputedStyle(b).backgroundColor;", kind) for kind in ("pending", "sweep", "miss", "split", "void")}
    assert len(set(colours.values())) == 5, colours


def test_the_season_record_shows_its_splits(page, server):
    browser = page()
    splits = api(server, "/api/season", date=GAME_DATE)["splits"]
    tables = browser.find_elements(By.CSS_SELECTOR, "#season table.split")
    assert [(t.get_attribute("data-split"), t.find_element(By.CSS_SELECTOR, "thead th").text) for t in tables] == [
        ("stat", "BY STAT"), ("source", "BY SOURCE"), ("tier", "BY TIER"), ("system_id", "BY SYSTEM")]
    shown = {table.get_attribute("data-split"): {
        row.get_attribute("data-value"): [row.find_element(By.TAG_NAME, "th").text, *cells(row)]
        for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")} for table in tables}
    assert {split: {value: row[1] for value, row in rows.items()} for split, rows in shown.items()
            if split != "tier"} == {
        "stat": {"PTS": "2–1–1"},
        "source": {"algorithm": "1–1–1", "manual": "1–0–0"},
        "system_id": {"catboost_v9": "1–1–1", "manual": "1–0–0"},
    }
    assert shown == {split: {value: [value, *window_texts(window)] for value, window in values.items()}
                     for split, values in splits.items()}


def test_a_season_without_picks_shows_dashes_not_zeros_divided(page, server):
    """The day before the demo's game day: nothing published in the season yet."""
    browser = page("2026-02-27")
    rows = browser.find_elements(By.CSS_SELECTOR, "#season table.windows tbody tr")
    assert [cells(row) for row in rows] == [["0–0–0", DASH, "0.00", DASH, DASH, DASH]] * 4
    influence = browser.find_elements(By.CSS_SELECTOR, "#season table.influence tbody tr")
    assert [cells(row) for row in influence] == [["0–0–0", DASH, "0.00", DASH, DASH, DASH]] * 3
    assert browser.find_element(By.CSS_SELECTOR, "#season .influence-summary").text == (
        "picks withdrawn by operators went 0-0 · 0 picks withdrawn after publication")
    assert browser.find_elements(By.CSS_SELECTOR, "#versions tbody tr.version") == []
    assert browser.find_element(By.CSS_SELECTOR, "#versions tbody").text == "no version listed"
    assert browser.find_element(By.ID, "chain-meta").text == "nothing published for this date"
    streaks = browser.find_element(By.CSS_SELECTOR, "#season .streaks")
    assert [dd.text for dd in streaks.find_elements(By.TAG_NAME, "dd")] == [DASH, DASH]
    assert browser.find_elements(By.CSS_SELECTOR, "#season .weeks") == []
    assert "no week with picks yet" in browser.find_element(By.ID, "season").text
    assert "no graded day yet" in browser.find_element(By.ID, "season").text


INFLUENCE_ROWS = [("model", "Model"), ("manual", "Manual"), ("withdrawn", "Withdrawn, had they stood")]


def test_the_season_record_shows_the_operator_influence_as_the_api_gives_it(page, server):
    browser = page()
    influence = api(server, "/api/season", date=GAME_DATE)["influence"]
    report = browser.find_element(By.CSS_SELECTOR, "#season .influence-report")
    summary = report.find_element(By.CSS_SELECTOR, ".influence-summary")
    assert summary.find_element(By.TAG_NAME, "strong").text == influence["summary"]
    # Brunson, voided by the operator, would have won.
    assert summary.text == "picks withdrawn by operators went 1-0 · 1 pick withdrawn after publication"
    table = report.find_element(By.CSS_SELECTOR, "table.influence")
    assert [cell.text for cell in table.find_elements(By.CSS_SELECTOR, "thead th")] == [
        "PICKS", "W–L–P", "PCT", "UNITS", "ROI", "CLV", "BEAT"]
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [(row.get_attribute("data-window"), row.find_element(By.TAG_NAME, "th").text) for row in rows] == INFLUENCE_ROWS
    assert [cells(row)[0] for row in rows] == ["1–1–1", "1–0–0", "1–0–0"]
    for row in rows:
        shown = cells(row)
        assert shown == window_texts(influence[row.get_attribute("data-window")]), shown
        assert UNITS.match(shown[2]) and PERCENT.match(shown[3]) and UNITS.match(shown[4]) and PERCENT.match(shown[5])
    withdrawn_units = rows[2].find_element(By.CSS_SELECTOR, "td.units")
    assert withdrawn_units.get_attribute("title") == f"over {influence['withdrawn']['priced']} priced picks"


# ---------------------------------------------------------------- the hash chain and verify

def short(sha: str | None) -> str:
    return DASH if sha is None else sha[:12]


def eastern(instant: str) -> str:
    """The start of how the page shows an instant, "Feb 28, 10:00" (Intl may put a narrow space before AM)."""
    moment = datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(ZoneInfo("America/New_York"))
    return f"{moment:%b} {moment.day}, {moment.hour % 12 or 12}:{moment:%M}"


def test_the_header_shows_all_jsons_chain_head(page, server):
    browser = page()
    head = api(server, "/api/chain", date=GAME_DATE)["head"]
    shown = browser.find_element(By.ID, "chain-head")
    assert shown.text == f"chain {short(head['head'])} · length {head['length']}"
    assert shown.find_element(By.TAG_NAME, "code").get_attribute("title") == head["head"]


def test_the_dates_versions_are_listed_as_its_index_gives_them(page, server):
    browser = page()
    chain = api(server, "/api/chain", date=GAME_DATE)
    assert browser.find_element(By.ID, "chain-meta").text == f"public index {chain['index']}"
    rows = browser.find_elements(By.CSS_SELECTOR, "#versions tbody tr.version")
    assert len(rows) == len(chain["versions"]) == 6
    for row, version in zip(rows, chain["versions"]):
        seq, export, published, sha, prev = row.find_elements(By.TAG_NAME, "td")
        assert (seq.text, export.text, row.get_attribute("data-sha256")) == (
            str(version["seq"]), version["export_id"], version["sha256"])
        assert published.find_element(By.TAG_NAME, "time").get_attribute("datetime") == version["published_at"]
        assert published.text.startswith(eastern(version["published_at"])) and published.text.endswith(" ET")
        code = sha.find_element(By.TAG_NAME, "code")
        assert (code.text, code.get_attribute("title")) == (short(version["sha256"]), version["sha256"])
        assert prev.text == short(version["prev"])
    # The last version is the date's live file; today's, all.json's head, is another date's.
    assert [[b.text for b in row.find_elements(By.CSS_SELECTOR, ".badge")] for row in rows] == [[]] * 5 + [["live"]]

    browser = page("2026-03-01")
    today = api(server, "/api/chain", date="2026-03-01")
    [row] = browser.find_elements(By.CSS_SELECTOR, "#versions tbody tr.version")
    assert row.get_attribute("data-sha256") == today["versions"][0]["sha256"] == today["head"]["head"]
    assert [b.text for b in row.find_elements(By.CSS_SELECTOR, ".badge")] == ["live", "head"]
    assert row.find_elements(By.TAG_NAME, "td")[4].text == short(today["versions"][0]["prev"])


def verify_status(browser, sport: str = "nba") -> WebElement:
    """The verify status once the sport's report has come back."""
    box = browser.find_element(By.ID, "verify")
    wait_for(browser, lambda: box.get_attribute("data-sport") == sport and box.get_attribute("data-state") != "pending")
    return box


def violation_text(violation: dict) -> str:
    where = [(name, violation.get(key)) for name, key in (("export", "export_id"), ("pick", "pick"), ("field", "field"))]
    return f"{violation['file']}: {violation['problem']}" + "".join(f" · {n} {v}" for n, v in where if v)


def test_the_verify_status_is_picklock_verifys_for_the_sport_shown(page, server):
    browser = page()
    box = verify_status(browser)
    report = api(server, "/api/verify", sport="nba")
    assert report["ok"] is True and box.get_attribute("data-state") == "verified"
    assert box.find_element(By.CSS_SELECTOR, ".badge").text == "verified"
    assert box.find_element(By.CSS_SELECTOR, ".verify-summary").text == report["summary"]
    assert box.find_elements(By.CSS_SELECTOR, ".violations li") == []

    select_sport(browser, "mlb")
    box = verify_status(browser, "mlb")
    assert box.find_element(By.CSS_SELECTOR, ".badge").text == "verified"
    assert box.find_element(By.CSS_SELECTOR, ".verify-summary").text == api(server, "/api/verify", sport="mlb")["summary"]

    select_sport(browser, "nfl")  # nothing published: no all.json to verify against
    box = verify_status(browser, "nfl")
    assert (box.get_attribute("data-state"), box.find_element(By.CSS_SELECTOR, ".badge").text) == ("none", "not verified")
    assert box.find_element(By.CSS_SELECTOR, ".verify-summary").text == "nothing to verify: no v1/nfl/best-bets/all.json yet"


def test_the_verify_status_counts_the_violations_and_lists_the_first(page, server):
    with tampered_snapshot(server.service) as version:
        browser = page()
        box = verify_status(browser)
        report = api(server, "/api/verify", sport="nba")
    count = len(report["violations"])
    assert report["ok"] is False and count
    assert box.get_attribute("data-state") == "violations"
    assert box.find_element(By.CSS_SELECTOR, ".badge").text == f"{count} violation{'' if count == 1 else 's'}"
    assert box.find_element(By.CSS_SELECTOR, ".verify-summary").text == report["summary"]
    items = [item.text for item in box.find_elements(By.CSS_SELECTOR, ".violations li")]
    assert items == [violation_text(v) for v in report["violations"][:5]]
    assert any(item.startswith(f"{version['snapshot']}: ") for item in items)
    assert (f"and {count - 5} more: run picklock verify" in box.text) == (count > 5)


def select_sport(browser, sport: str) -> None:
    Select(browser.find_element(By.ID, "sport")).select_by_value(sport)
    wait_for(browser, lambda: browser.find_element(By.TAG_NAME, "body").get_attribute("data-sport") == sport)


def test_selecting_a_halted_sport_shows_its_halt_banner_and_nba_shows_none(page, mlb_halted):
    browser = page()
    halt = browser.find_element(By.ID, "halt")
    selector = Select(browser.find_element(By.ID, "sport"))
    assert [option.text for option in selector.options] == ["NBA", "MLB", "NFL", "NHL", "WNBA"]
    assert (selector.first_selected_option.text, browser.find_element(By.ID, "sport-name").text) == ("NBA", "NBA")
    assert not halt.is_displayed()
    assert len(browser.find_elements(By.CSS_SELECTOR, "#picks tbody tr")) == 6

    select_sport(browser, "mlb")
    assert halt.is_displayed()
    # "since Mar 1, 9:31 AM ET": the halt's instant, 14:31 UTC, in Eastern time
    assert halt.text.startswith("MLB publishing halted since Mar 1, 9:31"), halt.text
    assert halt.text.endswith(" ET: bad stretch"), halt.text
    assert browser.find_element(By.ID, "sport-name").text == "MLB"
    assert browser.current_url.endswith(f"?sport=mlb&date={GAME_DATE}")  # the date stays, the sport is MLB's
    # the demo's MLB slate of that date, not NBA's picks
    players = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#picks tbody tr .player")]
    assert sorted(players) == ["Aaron Judge", "Gerrit Cole", "Shohei Ohtani", "Yoshinobu Yamamoto"], players

    select_sport(browser, "nba")
    assert not halt.is_displayed()
    assert browser.find_element(By.ID, "sport-name").text == "NBA"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#picks tbody tr")) == 6


def test_the_sport_is_kept_in_the_url(page, mlb_halted):
    browser = page(None, sport="mlb")
    assert Select(browser.find_element(By.ID, "sport")).first_selected_option.text == "MLB"
    assert browser.find_element(By.ID, "halt").is_displayed()
    assert browser.find_element(By.ID, "date").get_attribute("value") == "2026-03-01"  # MLB's today
    timeline = browser.find_elements(By.CSS_SELECTOR, "#timeline > li.export")
    # The demo's MLB grading exported Mar 1 already (nothing to show then); the halt's export follows.
    triggers = sorted(item.find_element(By.CSS_SELECTOR, ".badge[class*='trigger-']").text for item in timeline)
    assert triggers == ["manual", "post_grading"]
