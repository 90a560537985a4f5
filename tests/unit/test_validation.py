"""Validation at the edge (G9): every bad input is an InputError that says where and what."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from picklock.arguments import InputError, game_date_arg
from picklock.validation import (
    MAX_INPUT_BYTES, manual_command, parse_json, read_file, result_rows, signal_rows, trigger_message,
)

D = date(2026, 2, 28)
ROW = {"game_date": "2026-02-28", "player_lookup": "jokic", "player_name": "Nikola Jokic", "team_abbr": "DEN",
       "opponent_team_abbr": "UTA", "game_id": "0022500800", "game_time": "2026-03-01T02:00:00Z", "stat": "PTS",
       "recommendation": "OVER", "line_value": 27.5, "edge": 3.2, "rank": 1, "pick_angles": ["pace"],
       "system_id": "catboost_v9", "algorithm_version": "v9"}
REQUIRED_SIGNAL = ("player_lookup", "team_abbr", "opponent_team_abbr", "recommendation", "line_value", "system_id",
                   "algorithm_version")
ADD = {"request_id": "req-1", "submitted_at": "2026-02-28T17:00:00Z", "action": "add", "game_date": "2026-02-28",
       "player_lookup": "jokic", "stat": "PTS", "submitted_by": "ops", "team": "DEN", "opponent": "UTA",
       "direction": "OVER", "line": 27.5}
KEY = {k: ADD[k] for k in ("request_id", "submitted_at", "game_date", "player_lookup", "stat", "submitted_by")}
REMOVE = dict(KEY, action="remove")
VOID = dict(KEY, action="void", reason="injury")


def refused(call, *args) -> InputError:
    with pytest.raises(InputError) as caught:
        call(*args)
    assert len(str(caught.value)) < 500, "the message quotes the whole input"
    return caught.value


def raw(data) -> bytes:
    return json.dumps(data).encode()


# ---------------------------------------------------------------- good input

def test_valid_signal_rows_become_domain_values():
    [row] = signal_rows([ROW], D, "rows.json")
    assert (row.player_lookup, row.team, row.opponent, row.direction, row.line) == ("jokic", "DEN", "UTA", "OVER", 27.5)
    assert row.game_time == datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)
    assert (row.rank, row.edge, row.angles, row.game_date) == (1, 3.2, ("pace",), D)


def test_minimal_signal_row_gets_defaults():
    [row] = signal_rows([{k: ROW[k] for k in REQUIRED_SIGNAL}], D, "rows.json")
    assert (row.stat, row.rank, row.edge, row.game_time, row.angles) == ("PTS", None, None, None, ())


def test_numbers_keep_their_types():
    """G10: a line given as an integer is a float like every other line; an integral rank is an int."""
    [row] = signal_rows([dict(ROW, line_value=27, rank=2.0, edge=3)], D, "rows.json")
    assert (type(row.line), type(row.rank), type(row.edge)) == (float, int, float)
    assert (row.line, row.rank) == (27.0, 2)


def test_valid_manual_commands_per_action():
    add = manual_command(dict(ADD, submitted_at="2026-02-28T12:00:00-05:00", line=27), "message")
    assert (add.action, add.line, type(add.line), add.submitted_at) == (
        "add", 27.0, float, datetime(2026, 2, 28, 17, 0, tzinfo=timezone.utc))
    assert manual_command(REMOVE, "message").action == "remove"
    assert manual_command(VOID, "message").reason == "injury"
    assert manual_command({k: v for k, v in VOID.items() if k != "stat"}, "message").stat == "PTS"


def test_valid_results_and_triggers():
    rows = result_rows([{"player_lookup": "jokic", "actual_value": 31}, {"player_lookup": "murray", "actual_value": None}],
                       D, "results.json")
    assert [(r.player_lookup, r.actual_value) for r in rows] == [("jokic", 31.0), ("murray", None)]
    assert trigger_message("signal-updated", {"game_date": "2026-02-28", "run_id": "r"}, "message") == ("nba", D)
    assert trigger_message("grading-complete", {"game_date": "2026-02-28", "status": "complete", "graded_count": 3,
                                                "sport": "mlb"}, "message") == ("mlb", D)


# ---------------------------------------------------------------- signal rows

@pytest.mark.parametrize("field, value, problem", [
    ("line_value", "27.5", "is not of type 'number'"),
    ("line_value", True, "is not of type 'number'"),  # a boolean is not a number
    ("line_value", None, "is not of type 'number'"),
    ("rank", 1.5, "is not of type 'integer'"),
    ("rank", "1", "is not of type 'integer'"),
    ("recommendation", "over", "is not one of"),
    ("pick_angles", "pace", "is not of type 'array'"),
    ("line_value", -0.5, "less than the minimum of 0"),
    ("rank", 0, "less than the minimum of 1"),
    ("game_date", "2026-02-30", "is not a 'date'"),
    ("game_time", "2026-02-30T19:00:00Z", "is not a 'date-time'"),
    ("game_time", "2026-03-01T02:00:00", "is not a 'date-time'"),  # no zone: never guessed
    ("player_lookup", "o'neal; DROP TABLE", "does not match"),
    ("player_lookup", "../../etc", "does not match"),
    ("player_lookup", "jokic\x00", "does not match"),
    ("team_abbr", "den", "does not match"),
    ("stat", "PTS; --", "does not match"),
    ("game_id", "a/b", "does not match"),
])
def test_signal_row_with_a_bad_field_names_row_and_field(field, value, problem):
    error = refused(signal_rows, [ROW, dict(ROW, player_lookup="murray", **{field: value})]
                    if field != "player_lookup" else [ROW, dict(ROW, **{field: value})], D, "rows.json")
    assert error.where == f"rows.json[1].{field}"
    assert problem in error.problem


@pytest.mark.parametrize("field", REQUIRED_SIGNAL)
def test_signal_row_missing_a_required_field(field):
    error = refused(signal_rows, [{k: v for k, v in ROW.items() if k != field}], D, "rows.json")
    assert (error.where, error.problem) == ("rows.json[0]", f"'{field}' is a required property")


def test_signal_row_with_an_unknown_field():
    error = refused(signal_rows, [dict(ROW, is_manual=False)], D, "rows.json")
    assert error.where == "rows.json[0]" and "unknown field(s)" in error.problem and "'is_manual'" in error.problem


def test_signal_row_of_another_date():
    error = refused(signal_rows, [dict(ROW, game_date="2026-03-01")], D, "rows.json")
    assert error.where == "rows.json[0].game_date" and "differs from --date 2026-02-28" in error.problem


def test_duplicate_pick_key_within_one_run():
    error = refused(signal_rows, [ROW, dict(ROW, player_lookup="murray"), dict(ROW, recommendation="UNDER")], D, "rows.json")
    assert error.where == "rows.json[2]" and "duplicate pick key 2026-02-28 jokic PTS (also row 0)" in error.problem
    # The same player on another stat is another key.
    assert len(signal_rows([ROW, dict(ROW, stat="REB")], D, "rows.json")) == 2


def test_signal_rows_not_an_array():
    error = refused(signal_rows, {"rows": [ROW]}, D, "rows.json")
    assert error.where == "rows.json" and "is not of type 'array'" in error.problem
    assert refused(signal_rows, [1], D, "rows.json").where == "rows.json[0]"


def test_too_many_rows_is_refused_without_quoting_them():
    error = refused(signal_rows, [dict(ROW, player_lookup=f"p{i}") for i in range(5001)], D, "rows.json")
    assert (error.where, error.problem) == ("rows.json", "5001 items, at most 5000 allowed")


# ---------------------------------------------------------------- results

def test_result_rows_errors_name_row_and_field():
    assert refused(result_rows, [{"player_lookup": "a", "actual_value": "31"}], D, "r.json").where == "r.json[0].actual_value"
    assert refused(result_rows, [{"player_lookup": "a"}], D, "r.json").problem == "'actual_value' is a required property"
    assert refused(result_rows, [{"player_lookup": "a", "actual_value": -1}], D, "r.json").where == "r.json[0].actual_value"
    duplicate = refused(result_rows, [{"player_lookup": "a", "actual_value": 1}, {"player_lookup": "a", "actual_value": None}],
                        D, "r.json")
    assert duplicate.where == "r.json[1]" and "duplicate result" in duplicate.problem


# ---------------------------------------------------------------- raw JSON text

@pytest.mark.parametrize("text, problem", [
    (b'[{"line_value": NaN}]', "NaN is not a number JSON allows"),
    (b'[{"line_value": Infinity}]', "Infinity is not a number JSON allows"),
    (b'[{"line_value": -Infinity}]', "-Infinity is not a number JSON allows"),
    (b'[{"line_value": 1e999}]', "1e999 is out of range for a number"),
    (b'{"game_date": "2026-02-28", "game_date": "2026-03-01"}', "duplicate key 'game_date' in one object"),
    (b'[{"a": 1}, {"b": 2, "b": 3}]', "duplicate key 'b' in one object"),
    (b'\xff\xfe[]', "not UTF-8 (byte 0)"),
    (b'["caf\xe9"]', "not UTF-8 (byte 5)"),
    (b'[1,', "not valid JSON"),
    (b'', "not valid JSON"),
    (b'[' * 100_000 + b']' * 100_000, "nested too deeply"),
], ids=["nan", "infinity", "minus_infinity", "overflow", "duplicate_key", "duplicate_key_nested", "utf16",
        "latin1", "truncated", "empty", "deep_nesting"])
def test_raw_json_refusals(text, problem):
    error = refused(parse_json, text, "upload.json")
    assert error.where == "upload.json" and problem in error.problem


def test_huge_payload_is_refused_before_parsing():
    error = refused(parse_json, b" " * (MAX_INPUT_BYTES + 1), "upload.json")
    assert error.problem == f"{MAX_INPUT_BYTES + 1} bytes is over the {MAX_INPUT_BYTES}-byte limit"
    assert parse_json(b"[" + b" " * (MAX_INPUT_BYTES - 2) + b"]", "upload.json") == []


def test_strict_json_keeps_ordinary_values():
    assert parse_json(raw([ROW]), "rows.json") == [ROW]
    assert parse_json('{"name": "Dončić", "n": 1e3}'.encode(), "x") == {"name": "Dončić", "n": 1000.0}


def test_read_file_names_the_path(tmp_path):
    assert refused(read_file, tmp_path / "missing.json").where == str(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"[NaN]")
    assert refused(read_file, bad).where == str(bad)


# ---------------------------------------------------------------- manual-picks messages

@pytest.mark.parametrize("message, where, problem", [
    ({k: v for k, v in ADD.items() if k != "line"}, "message", "'line' is a required property"),
    ({k: v for k, v in ADD.items() if k != "direction"}, "message", "'direction' is a required property"),
    ({k: v for k, v in ADD.items() if k != "team"}, "message", "'team' is a required property"),
    (dict(ADD, reason="why"), "message", "fields do not fit the action"),
    ({k: v for k, v in VOID.items() if k != "reason"}, "message", "'reason' is a required property"),
    (dict(VOID, line=27.5), "message", "fields do not fit the action"),
    (dict(REMOVE, direction="OVER"), "message", "fields do not fit the action"),
    (dict(REMOVE, team="DEN"), "message", "fields do not fit the action"),
    (dict(ADD, colour="red"), "message", "unknown field(s): 'colour'"),
    ({k: v for k, v in ADD.items() if k != "request_id"}, "message", "'request_id' is a required property"),
    ({k: v for k, v in REMOVE.items() if k != "submitted_by"}, "message", "'submitted_by' is a required property"),
    (dict(ADD, action="delete"), "message.action", "is not one of"),
    (dict(ADD, line="27.5"), "message.line", "is not of type 'number'"),
    (dict(ADD, line=-1), "message.line", "less than the minimum of 0"),
    (dict(ADD, game_date="2026-02-30"), "message.game_date", "is not a 'date'"),
    (dict(ADD, submitted_at="2026-02-28T17:00:00"), "message.submitted_at", "is not a 'date-time'"),
    (dict(ADD, player_lookup="o'neal; DROP TABLE"), "message.player_lookup", "does not match"),
    (dict(ADD, player_lookup="../../etc"), "message.player_lookup", "does not match"),
    (dict(ADD, request_id="../../etc"), "message.request_id", "does not match"),
    (dict(ADD, reason=""), "message", "fields do not fit the action"),
    (dict(VOID, reason=""), "message.reason", "should be non-empty"),
    (dict(ADD, notes="x" * 1001), "message.notes", "1001 characters, at most 1000 allowed"),
])
def test_manual_message_refusals_name_the_field(message, where, problem):
    error = refused(manual_command, message, "message")
    assert error.where == where
    assert problem in error.problem


def test_manual_message_not_an_object():
    assert "is not of type 'object'" in refused(manual_command, [ADD], "message").problem


def test_manual_message_json_text_end_to_end():
    text = json.dumps(ADD).replace('"line": 27.5', '"line": NaN').encode()
    assert refused(lambda: manual_command(parse_json(text, "pubsub message 42"), "pubsub message 42")).where == \
        "pubsub message 42"


# ---------------------------------------------------------------- triggers and CLI arguments

@pytest.mark.parametrize("topic, message, where", [
    ("signal-updated", {"game_date": "2026-02-30"}, "message.game_date"),
    ("signal-updated", {"game_date": "2026-02-28", "extra": 1}, "message"),
    ("signal-updated", {}, "message"),
    ("grading-complete", {"game_date": "2026-02-28", "status": "done", "graded_count": 1}, "message.status"),
    ("grading-complete", {"game_date": "2026-02-28", "status": "complete", "graded_count": "1"}, "message.graded_count"),
    ("signal-updated", {"game_date": "tomorrow"}, "message.game_date"),
    ("signal-updated", {"game_date": "Today"}, "message.game_date"),
    ("signal-updated", {"game_date": ""}, "message.game_date"),
    ("signal-updated", {"game_date": "today", "trigger": "cli"}, "message.trigger"),
    ("signal-updated", {"game_date": "today", "trigger": "signal_updated"}, "message.trigger"),
    ("signal-updated", {"game_date": "today", "sport": "cricket"}, "message.sport"),
    ("grading-complete", {"game_date": "yesterday"}, "message"),  # neither the grader's fields nor a trigger
    ("grading-complete", {"game_date": "2026-02-28", "status": "complete"}, "message"),
])
def test_trigger_message_refusals(topic, message, where):
    assert refused(trigger_message, topic, message, "message").where == where


# 23:30 and 00:30 in New York, where every sport of the catalogue plays: the UTC date is already the
# next one at 23:30, and the New York date turns over at midnight, not at 00:00 UTC.
LATE_EVENING = datetime(2026, 3, 1, 4, 30, tzinfo=timezone.utc)  # 2026-02-28 23:30 EST
AFTER_MIDNIGHT = datetime(2026, 3, 1, 5, 30, tzinfo=timezone.utc)  # 2026-03-01 00:30 EST


@pytest.mark.parametrize("now, relative, expected", [
    (LATE_EVENING, "today", date(2026, 2, 28)),
    (LATE_EVENING, "yesterday", date(2026, 2, 27)),
    (AFTER_MIDNIGHT, "today", date(2026, 3, 1)),
    (AFTER_MIDNIGHT, "yesterday", date(2026, 2, 28)),
    (datetime(2026, 2, 28, 23, 30, tzinfo=timezone(timedelta(hours=-5))), "today", date(2026, 2, 28)),  # any zone
])
@pytest.mark.parametrize("sport", ["nba", "mlb"])
def test_a_relative_date_is_resolved_in_the_sports_time_zone_at_now(now, relative, expected, sport):
    assert trigger_message("signal-updated", {"game_date": relative, "sport": sport, "trigger": "scheduled"},
                           "message", clock=lambda: now) == (sport, expected)
    assert trigger_message("grading-complete", {"game_date": relative, "sport": sport, "trigger": "scheduled"},
                           "message", clock=lambda: now) == (sport, expected)


def test_a_message_with_a_real_date_ignores_the_clock():
    """Old publishers' messages mean what they meant: the date they name, whatever the time (the
    clock is not even read)."""
    def unread():
        raise AssertionError("the clock was read for a message with a date")

    for clock in (unread, None):
        assert trigger_message("signal-updated", {"game_date": "2026-02-28"}, "message", clock=clock) == ("nba", D)
        assert trigger_message("grading-complete", {"game_date": "2026-02-28", "status": "complete",
                                                    "graded_count": 3}, "message", clock=clock) == ("nba", D)
        # a scheduled hint on a real date changes nothing about the date
        assert trigger_message("signal-updated", {"game_date": "2026-02-28", "trigger": "scheduled"}, "message",
                               clock=clock) == ("nba", D)


def test_a_bad_relative_date_says_what_is_allowed():
    error = refused(trigger_message, "signal-updated", {"game_date": "tomorrow"}, "message")
    assert error.problem == "'tomorrow' does not match '^([0-9]{4}-[0-9]{2}-[0-9]{2}|today|yesterday)$'"
    # A date keeps its own reason (tests/reliability's corpus names these exact messages).
    assert refused(trigger_message, "signal-updated", {"game_date": "2026-02-30"}, "message").problem == \
        "'2026-02-30' is not a 'date'"


def test_a_relative_date_outside_the_accepted_range_is_refused():
    error = refused(lambda: trigger_message("signal-updated", {"game_date": "yesterday"}, "message",
                                            clock=lambda: datetime(1999, 1, 1, 17, tzinfo=timezone.utc)))
    assert error.where == "message.game_date" and "outside the accepted range" in error.problem


@pytest.mark.parametrize("text", ["2026-02-30", "20260228", "2026-2-28", "28/02/2026", "２０２６-02-28", "",
                                  "2026-02-28T00:00", "yesterday"])
def test_game_date_argument_refusals(text):
    error = refused(game_date_arg, text)
    assert error.where == "--date" and "is not a date (YYYY-MM-DD)" in error.problem


def test_game_date_argument_accepts_a_date():
    assert game_date_arg("2026-02-28") == D


def test_a_remove_with_a_reason_is_refused_rather_than_silently_ignored():
    from picklock.validation import InputError, manual_command

    message = {"request_id": "r1", "submitted_at": "2026-02-28T17:00:00Z", "action": "remove",
               "game_date": "2026-02-28", "player_lookup": "guisantos", "submitted_by": "ops",
               "reason": "changed my mind"}
    with pytest.raises(InputError, match="fields do not fit the action"):
        manual_command(message, "message")


def test_a_closing_line_captured_after_now_is_refused_naming_its_row_and_the_clock():
    from picklock.adapters.sports_file import default_catalogue
    from picklock.validation import closing_rows

    now = datetime(2026, 3, 1, 3, 0, tzinfo=timezone.utc)  # 22:00 on the 28th in New York
    row = {"player_lookup": "jokic", "stat": "PTS", "line_value": 27.5, "odds_american": -110}
    nba = default_catalogue().get("nba")
    accepted = closing_rows([dict(row, captured_at="2026-03-01T03:09:00Z")], D, "c.json", nba, now=now)
    assert [line.captured_at for line in accepted] == [datetime(2026, 3, 1, 3, 9, tzinfo=timezone.utc)]  # within skew
    with pytest.raises(InputError) as refused:
        closing_rows([dict(row, captured_at="2026-03-01T04:00:00Z")], D, "c.json", nba, now=now)
    assert (refused.value.where, refused.value.problem) == (
        "c.json[0].captured_at", "2026-03-01T04:00:00Z is in the future (now 2026-03-01T03:00:00.000Z)")
