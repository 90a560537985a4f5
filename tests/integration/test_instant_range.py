"""The accepted range of instants and dates, end to end (picklock.domain.calendar: dates
2000-01-01..2099-12-31, instants 2000-01-01T00:00:00.000Z..2099-12-31T23:59:59.999Z).

1. Every accepted instant, written with any UTC offset from -23:59 to +23:59 at millisecond
   precision, gets through validation (a manual-picks message's submitted_at and game_time, a
   signal file's game_time) and round-trips through every store (SQLite, and BigQuery on the
   emulator) as the same UTC instant: the range's first and last millisecond included, also when
   their offset puts the text in 1999 or 2100.
2. Validation accepts exactly the range: an instant or a date a millisecond (a day) outside it is
   refused as "outside the accepted range", at every edge, on every path.
"""
from __future__ import annotations

import itertools
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from picklock.adapters.sqlite_store import SqliteStore
from picklock.domain.calendar import END_OF_RANGE, FIRST_DATE, FIRST_INSTANT, LAST_DATE
from picklock.arguments import InputError, game_date_arg, instant_arg
from picklock.validation import manual_command, parse_json, signal_rows

MILLISECOND = timedelta(milliseconds=1)
LAST_INSTANT = END_OF_RANGE - MILLISECOND
MAX_OFFSET_MINUTES = 23 * 60 + 59
OUTSIDE = "is outside the accepted range"
# Each BigQuery example is a few real jobs on the emulator; SQLite is cheap.
EXAMPLES = {"sqlite": 150, "bigquery": 20}

request_ids = itertools.count()


def instants(first: datetime, end: datetime):
    """UTC instants in [first, end) at millisecond precision, the edges drawn often."""
    span = (end - first) // MILLISECOND
    return st.one_of(st.integers(0, span - 1), st.sampled_from([0, 1, span - 2, span - 1])).map(
        lambda ms: first + ms * MILLISECOND)


offsets = st.one_of(st.integers(-MAX_OFFSET_MINUTES, MAX_OFFSET_MINUTES),
                    st.sampled_from([-MAX_OFFSET_MINUTES, 0, MAX_OFFSET_MINUTES])).map(lambda m: timedelta(minutes=m))


def written(moment: datetime, offset: timedelta, *, zulu: bool = False) -> str:
    """The instant as ISO-8601 text in that offset (Z for UTC when `zulu`)."""
    text = moment.astimezone(timezone(offset)).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z") if zulu and offset == timedelta(0) else text


def message(submitted_at: str, game_time: str | None, game_date: date, request_id: str) -> bytes:
    payload = {"request_id": request_id, "submitted_at": submitted_at, "action": "add",
               "game_date": game_date.isoformat(), "player_lookup": "guisantos", "submitted_by": "ops",
               "team": "GSW", "opponent": "LAL", "direction": "OVER", "line": 13.5, "game_time": game_time}
    return json.dumps(payload).encode("utf-8")


def signal_file(game_time: str, game_date: date) -> bytes:
    return json.dumps([{"game_date": game_date.isoformat(), "player_lookup": "jokic", "team_abbr": "DEN",
                        "opponent_team_abbr": "UTA", "recommendation": "OVER", "line_value": 24.5,
                        "system_id": "catboost_v9", "algorithm_version": "v9", "game_time": game_time,
                        "rank": 1}]).encode("utf-8")


def assert_utc(read: datetime, expected: datetime) -> None:
    assert read == expected
    assert read.utcoffset() == timedelta(0)


# -- 1. every accepted instant round-trips through the stores ---------------------------------

def round_trip(store, submitted: datetime, submitted_offset: timedelta, tip_off: datetime,
               tip_off_offset: timedelta, game_date: date, zulu: bool) -> None:
    request_id = f"range-{next(request_ids)}"
    command = manual_command(parse_json(message(written(submitted, submitted_offset, zulu=zulu),
                                                written(tip_off, tip_off_offset, zulu=zulu), game_date, request_id),
                                        "message"), "message")
    assert_utc(command.submitted_at, submitted)
    assert_utc(command.game_time, tip_off)
    (row,) = signal_rows(parse_json(signal_file(written(tip_off, submitted_offset, zulu=zulu), game_date), "file"),
                         game_date, "file")
    assert_utc(row.game_time, tip_off)

    assert store.record_manual(command) is True
    store.replace_signal(game_date, [row])
    inputs = store.load_export_inputs(game_date).merge
    (read,) = [c for c in inputs.manual if c.request_id == request_id]
    assert read == command
    assert_utc(read.submitted_at, submitted)
    assert_utc(read.game_time, tip_off)
    (read_row,) = inputs.signal
    assert read_row == row
    assert_utc(read_row.game_time, tip_off)


EDGES = [
    # (submitted_at, its offset, game_time, its offset): the first and last millisecond, written
    # in the offsets that move them into 1999 and 2100, and their neighbours inside the range
    (FIRST_INSTANT, timedelta(minutes=-MAX_OFFSET_MINUTES), LAST_INSTANT, timedelta(minutes=MAX_OFFSET_MINUTES)),
    (LAST_INSTANT, timedelta(minutes=MAX_OFFSET_MINUTES), FIRST_INSTANT, timedelta(minutes=-MAX_OFFSET_MINUTES)),
    (FIRST_INSTANT, timedelta(minutes=MAX_OFFSET_MINUTES), LAST_INSTANT, timedelta(minutes=-MAX_OFFSET_MINUTES)),
    (FIRST_INSTANT + MILLISECOND, timedelta(0), LAST_INSTANT - MILLISECOND, timedelta(0)),
]


def test_the_edges_of_the_range_round_trip_through_the_store(store):
    for index, (submitted, submitted_offset, tip_off, tip_off_offset) in enumerate(EDGES):
        for game_date in (FIRST_DATE, LAST_DATE):
            round_trip(store, submitted, submitted_offset, tip_off, tip_off_offset, game_date, zulu=index % 2 == 0)


def test_every_accepted_instant_in_any_offset_round_trips_through_the_store(store):
    backend = "sqlite" if isinstance(store, SqliteStore) else "bigquery"

    @settings(max_examples=EXAMPLES[backend], deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(submitted=instants(FIRST_INSTANT, END_OF_RANGE), submitted_offset=offsets,
           tip_off=instants(FIRST_INSTANT, END_OF_RANGE), tip_off_offset=offsets,
           game_date=st.dates(FIRST_DATE, LAST_DATE), zulu=st.booleans())
    def check(submitted, submitted_offset, tip_off, tip_off_offset, game_date, zulu):
        round_trip(store, submitted, submitted_offset, tip_off, tip_off_offset, game_date, zulu)

    check()


# -- 2. validation accepts exactly the range ---------------------------------------------------

def accepted(text: str) -> list[bool]:
    """Whether each path that takes an instant accepts this text: a message's submitted_at and
    game_time, a signal file's game_time, --now. Refusals must say the range."""
    paths = [
        lambda: manual_command(parse_json(message(text, None, FIRST_DATE, "r-1"), "message"), "message"),
        lambda: manual_command(parse_json(message("2026-03-10T15:00:00Z", text, FIRST_DATE, "r-1"), "message"),
                               "message"),
        lambda: signal_rows(parse_json(signal_file(text, FIRST_DATE), "file"), FIRST_DATE, "file"),
        lambda: instant_arg(text, "--now"),
    ]
    verdicts = []
    for path in paths:
        try:
            path()
        except InputError as refusal:
            assert OUTSIDE in str(refusal), str(refusal)
            verdicts.append(False)
        else:
            verdicts.append(True)
    return verdicts


@pytest.mark.parametrize("minutes", [-MAX_OFFSET_MINUTES, -300, -1, 0, 1, 60, MAX_OFFSET_MINUTES])
def test_a_millisecond_inside_is_accepted_and_a_millisecond_outside_refused(minutes):
    offset = timedelta(minutes=minutes)
    for moment, inside in ((FIRST_INSTANT - MILLISECOND, False), (FIRST_INSTANT, True),
                           (LAST_INSTANT, True), (END_OF_RANGE, False)):
        for zulu in (False, True):
            assert accepted(written(moment, offset, zulu=zulu)) == [inside] * 4, (moment, offset)


near_the_edges = st.builds(lambda edge, ms: edge + ms * MILLISECOND, st.sampled_from([FIRST_INSTANT, END_OF_RANGE]),
                           st.integers(-3, 3))


@settings(max_examples=300, deadline=None, database=None)
@given(moment=instants(datetime(1990, 1, 1, tzinfo=timezone.utc), datetime(2110, 1, 1, tzinfo=timezone.utc))
       | near_the_edges, offset=offsets)
def test_validation_accepts_exactly_the_instants_of_the_range(moment, offset):
    inside = FIRST_INSTANT <= moment < END_OF_RANGE
    assert accepted(written(moment, offset)) == [inside] * 4


def test_a_day_inside_is_accepted_and_a_day_outside_refused():
    for day, inside in ((FIRST_DATE - timedelta(days=1), False), (FIRST_DATE, True), (LAST_DATE, True),
                        (LAST_DATE + timedelta(days=1), False)):
        verdicts = []
        for path in (lambda: game_date_arg(day.isoformat()),
                     lambda: manual_command(parse_json(message("2026-03-10T15:00:00Z", None, day, "r-1"), "message"),
                                            "message")):
            try:
                path()
            except InputError as refusal:
                assert OUTSIDE in str(refusal), str(refusal)
                verdicts.append(False)
            else:
                verdicts.append(True)
        assert verdicts == [inside, inside], day
