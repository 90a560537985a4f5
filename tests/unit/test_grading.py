"""Grading against the published line and direction (G3)."""
from __future__ import annotations

import pytest

from picklock.domain.grading import grade

from builders import Core, add, at, only, pick, result, signal, void


@pytest.mark.parametrize("direction, actual, expected", [
    ("OVER", 21.0, "WIN"), ("OVER", 20.0, "LOSS"), ("UNDER", 20.0, "WIN"), ("UNDER", 21.0, "LOSS"),
    ("OVER", 0.0, "LOSS"), ("UNDER", 0.0, "WIN"),
])
def test_over_under_win_loss(direction, actual, expected):
    assert grade(pick(direction=direction, line=20.5), result("jokic", actual)) == (expected, actual)


@pytest.mark.parametrize("direction", ["OVER", "UNDER"])
@pytest.mark.parametrize("line, actual", [(25.0, 25.0), (25.0, 25), (0.0, 0.0)])
def test_push_exactly_at_the_line(direction, line, actual):
    assert grade(pick(direction=direction, line=line), result("jokic", actual)) == ("PUSH", actual)


@pytest.mark.parametrize("direction", ["OVER", "UNDER"])
def test_did_not_play_is_void(direction):
    assert grade(pick(direction=direction), result("jokic", None)) == ("VOID", None)


def test_grading_uses_the_published_line_when_the_signal_moved_it():
    core = Core()
    published = only(core.run(signal=[signal("a", "OVER", 20.5)]).picks, "a")
    # The signal now says OVER 22.5; the player scores 21: a WIN on the published line, a LOSS on the new one.
    merged = core.run(signal=[signal("a", "OVER", 22.5)], results=[result("a", 21.0)], now=at(8))
    a = only(merged.picks, "a")
    assert (a.line, a.result, a.actual) == (20.5, "WIN", 21.0)
    assert a.published_fields() == published.published_fields()


def test_grading_uses_the_published_direction_when_the_signal_flipped():
    core = Core()
    core.run(signal=[signal("a", "OVER", 20.5)])
    merged = core.run(signal=[signal("a", "UNDER", 20.5)], results=[result("a", 25.0)], now=at(8))
    assert only(merged.picks, "a").result == "WIN"


def test_locked_and_manual_picks_are_graded():
    core = Core()
    core.run(signal=[signal("a", "OVER", 20.5)], manual=[add("m", "r1", direction="UNDER", line=9.5)])
    merged = core.run(manual=[add("m", "r1", direction="UNDER", line=9.5)],
                      results=[result("a", 20.5 + 0.5), result("m", 9.5)], now=at(8))
    assert {p.player_lookup: (p.status, p.result) for p in merged.picks} == {
        "a": ("locked", "WIN"), "m": ("active", "PUSH")}


def test_voided_picks_are_not_graded():
    core = Core()
    core.run(signal=[signal("a")])
    merged = core.run(manual=[void("a", "v1", at(1))], results=[result("a", 30.0)], now=at(8))
    assert only(merged.picks, "a").result is None


def test_grading_writes_a_ledger_row_and_an_event_once():
    core = Core()
    core.run(signal=[signal("a")])
    graded = core.run(results=[result("a", 30.0)], now=at(8))
    assert [r.change for r in graded.ledger_rows] == ["locked,graded"]
    assert [e.kind for e in graded.events] == ["graded"]
    again = core.run(results=[result("a", 30.0)], now=at(9))
    assert again.ledger_rows == () and again.events == ()


def test_corrected_result_regrades():
    core = Core()
    core.run(signal=[signal("a", "OVER", 20.5)])
    core.run(results=[result("a", 30.0)], now=at(8))
    corrected = core.run(results=[result("a", 19.0)], now=at(9))
    assert only(corrected.picks, "a").result == "LOSS"
    assert [r.change for r in corrected.ledger_rows] == ["graded"]


def test_result_of_another_stat_does_not_grade_the_pick():
    core = Core()
    core.run(signal=[signal("a")])
    merged = core.run(results=[result("a", 30.0, stat="REB")], now=at(8))
    assert only(merged.picks, "a").result is None
