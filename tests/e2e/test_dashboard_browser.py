"""The dashboard in a real browser (headless Chromium from Debian, driven by Selenium) on the demo's
data: the page loads, shows the right picks and badges, the timeline and lineage, the season chart,
the sport selector and a sport's halt banner; a screenshot is left in artifacts/dashboard.png."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from picklock.domain.picks import HaltCommand
from tests.harness.browser import demo_dashboard, ensure_chromium, headless_chromium
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


def test_the_timeline_shows_the_export_that_locked_picks(page):
    browser = page()
    exports = browser.find_elements(By.CSS_SELECTOR, "#timeline > li.export")
    assert len(exports) == 7
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
    assert changes == ["published", "locked", "graded"]

    season = browser.find_element(By.ID, "season")
    assert season.find_element(By.CSS_SELECTOR, ".record strong").text == "2–1–1"
    bars = season.find_elements(By.CSS_SELECTOR, "svg.chart rect")
    assert sorted(bar.get_attribute("class") for bar in bars) == ["bar-losses", "bar-pushes", "bar-voids", "bar-wins"]

    SCREENSHOT.parent.mkdir(exist_ok=True)
    # The whole page: the window's height is the page's plus the browser's own frame.
    browser.set_window_size(1280, browser.execute_script(
        "return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight"))
    assert browser.save_screenshot(str(SCREENSHOT))


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
    # "since Mar 1, 9:01 AM ET": the halt's instant, 14:01 UTC, in Eastern time
    assert halt.text.startswith("MLB publishing halted since Mar 1, 9:01"), halt.text
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
