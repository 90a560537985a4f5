"""The bad input corpus (G9): malformed Pub/Sub messages, signal and results files, and CLI
invocations, each with the specific error it must get (a substring of the message, naming the
field, row or flag). Used by test_bad_input_corpus.py; add a case by adding a line.

Value ranges: every date and instant must lie in 2000-01-01..2099-12-31 (instants to
2099-12-31T23:59:59.999Z, after their offset is applied; picklock.domain.calendar) and numbers
within their schema's bounds. The cases probe years 0001, 0999, 2100 and 9999 with offsets that
push the UTC instant past the edge or the year out of datetime's range, instants a millisecond
outside the range, integers beyond 2**63, 1e300, and clocks (--now, PICKLOCK_NOW) out of range."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from picklock.topics import GRADING_COMPLETE, MANUAL_PICKS, SIGNAL_UPDATED

DATE = "2026-03-10"
HUGE = 5 * 1024 * 1024  # over validation.MAX_INPUT_BYTES


@dataclass(frozen=True)
class BadMessage:
    id: str
    topic: str
    body: bytes = b""
    push: dict | None = None  # the pushed CloudEvent's data as is, when the envelope itself is bad
    error: str = ""

    def event_data(self) -> dict:
        if self.push is not None:
            return self.push
        return {"message": {"data": base64.b64encode(self.body).decode("ascii"), "messageId": f"m-{self.id}",
                            "attributes": {}}, "subscription": f"projects/p/subscriptions/{self.topic}-push"}


@dataclass(frozen=True)
class BadFile:
    id: str
    kind: str  # "signal", "results" or "closing": `picklock <kind> load --date <date> --file <the content>`
    content: bytes
    error: str
    date: str = DATE


@dataclass(frozen=True)
class BadInvocation:
    id: str
    argv: tuple[str | bytes, ...]  # bytes: an argument that is not UTF-8
    error: str
    env: tuple[tuple[str, str], ...] = ()  # set in the CLI's environment (over PICKLOCK_NOW, ...)


def body(payload) -> bytes:
    return json.dumps(payload).encode("utf-8")


def manual(**changes) -> bytes:
    payload = {"request_id": "bad-1", "submitted_at": "2026-03-10T15:00:00Z", "action": "add", "game_date": DATE,
               "player_lookup": "guisantos", "submitted_by": "ops", "team": "GSW", "opponent": "LAL",
               "direction": "OVER", "line": 13.5}
    payload.update(changes)
    return body({k: v for k, v in payload.items() if v is not ...})


def graded(**changes) -> bytes:
    return body({"game_date": DATE, "status": "complete", "graded_count": 3, **changes})


def signal_row(**changes) -> dict:
    row = {"game_date": DATE, "player_lookup": "jokic", "team_abbr": "DEN", "opponent_team_abbr": "UTA",
           "recommendation": "OVER", "line_value": 24.5, "system_id": "catboost_v9", "algorithm_version": "v9",
           "game_time": "2026-03-11T00:30:00Z", "rank": 1}
    row.update(changes)
    return {k: v for k, v in row.items() if v is not ...}


def rows(*items) -> bytes:
    return json.dumps(list(items)).encode("utf-8")


SQL = "o'neal'; DROP TABLE best_bets_published_picks;--"
# The accepted range, as the refusals name it.
OUT_OF_DATE_RANGE = "is outside the accepted range 2000-01-01 to 2099-12-31"
OUT_OF_INSTANT_RANGE = "is outside the accepted range 2000-01-01T00:00:00.000Z to 2099-12-31T23:59:59.999Z"
BEYOND_2_63 = 10 ** 30  # no 64-bit integer holds it (BigQuery INT64, SQLite INTEGER)
YEAR_0001 = "0001-01-01T00:00:00+01:00"  # in UTC, year 0: not even a datetime
YEAR_0999 = "0999-06-01T12:00:00Z"
YEAR_9999 = "9999-12-31T23:59:59-05:00"  # in UTC, year 10000: not even a datetime
PATH = "../../bucket/v1/best-bets/all.json"
ODDS = "is not American odds of the posted price: an integer, +100 or more or -100 or less"

MESSAGES = [
    BadMessage("envelope-without-message", SIGNAL_UPDATED, push={"game_date": DATE}, error="not a Pub/Sub push"),
    BadMessage("data-not-a-string", SIGNAL_UPDATED, push={"message": {"data": 12345, "messageId": "m"}},
               error="message.data: not a base64 string"),
    BadMessage("data-bad-base64", SIGNAL_UPDATED, push={"message": {"data": "%%% not base64 %%%", "messageId": "m"}},
               error="message.data: not valid base64"),
    BadMessage("data-non-ascii-base64", SIGNAL_UPDATED, push={"message": {"data": "ZXhwb3J0é==", "messageId": "m"}},
               error="message.data: not valid base64"),
    BadMessage("data-unpaired-surrogate", MANUAL_PICKS, push={"message": {"data": "\udc80", "messageId": "m"}},
               error="message.data: not valid base64"),
    BadMessage("not-utf8", SIGNAL_UPDATED, b'{"game_date": "\xff\xfe"}', error="message: not UTF-8 (byte 15)"),
    BadMessage("not-json", SIGNAL_UPDATED, b"game_date=2026-03-10", error="message: not valid JSON"),
    BadMessage("empty-body", SIGNAL_UPDATED, b"", error="message: not valid JSON"),
    BadMessage("array-not-object", SIGNAL_UPDATED, body([DATE]), error="is not of type 'object'"),
    BadMessage("missing-game-date", SIGNAL_UPDATED, body({"run_id": "r1"}),
               error="message: 'game_date' is a required property"),
    BadMessage("impossible-date", SIGNAL_UPDATED, body({"game_date": "2026-02-30"}),
               error="message.game_date: '2026-02-30' is not a 'date'"),
    BadMessage("us-date-format", SIGNAL_UPDATED, body({"game_date": "03/10/2026"}),
               error="message.game_date: '03/10/2026' does not match"),
    BadMessage("date-as-number", SIGNAL_UPDATED, body({"game_date": 20260310}),
               error="message.game_date: 20260310 is not of type 'string'"),
    BadMessage("unknown-field", SIGNAL_UPDATED, body({"game_date": DATE, "force": True}),
               error="message: unknown field(s): 'force'"),
    BadMessage("duplicate-json-key", SIGNAL_UPDATED, b'{"game_date": "2026-03-10", "game_date": "2026-03-11"}',
               error="message: duplicate key 'game_date'"),
    BadMessage("huge-payload", SIGNAL_UPDATED, b'{"game_date": "2026-03-10", "run_id": "' + b"x" * HUGE + b'"}',
               error="byte limit"),
    BadMessage("nested-too-deeply", SIGNAL_UPDATED, b"[" * 100_000 + b"]" * 100_000, error="message: nested too deeply"),
    BadMessage("run-id-too-long", SIGNAL_UPDATED, body({"game_date": DATE, "run_id": "r" * 129}),
               error="message.run_id: 129 characters, at most 128 allowed"),
    BadMessage("unpaired-surrogate", SIGNAL_UPDATED, b'{"game_date": "2026-03-10", "run_id": "\\ud800"}',
               error="message.run_id: not valid Unicode"),
    BadMessage("graded-count-nan", GRADING_COMPLETE, b'{"game_date": "2026-03-10", "status": "complete", "graded_count": NaN}',
               error="message: NaN is not a number JSON allows"),
    BadMessage("graded-count-infinity", GRADING_COMPLETE, graded().replace(b"3}", b"Infinity}"),
               error="message: Infinity is not a number JSON allows"),
    BadMessage("graded-count-overflow", GRADING_COMPLETE, graded().replace(b"3}", b"1e999}"),
               error="message: 1e999 is out of range"),
    BadMessage("graded-count-negative", GRADING_COMPLETE, graded(graded_count=-1),
               error="message.graded_count: -1 is less than the minimum of 0"),
    BadMessage("graded-count-fraction", GRADING_COMPLETE, graded(graded_count=2.5),
               error="message.graded_count: 2.5 is not of type 'integer'"),
    BadMessage("graded-count-string", GRADING_COMPLETE, graded(graded_count="3"),
               error="message.graded_count: '3' is not of type 'integer'"),
    BadMessage("status-unknown", GRADING_COMPLETE, graded(status="done"),
               error="message.status: 'done' is not one of ['complete', 'partial']"),
    BadMessage("line-as-string", MANUAL_PICKS, manual(line="13.5"), error="message.line: '13.5' is not of type 'number'"),
    BadMessage("line-as-boolean", MANUAL_PICKS, manual(line=True), error="message.line: True is not of type 'number'"),
    BadMessage("line-negative", MANUAL_PICKS, manual(line=-3.5), error="message.line: -3.5 is less than the minimum of 0"),
    BadMessage("line-nan", MANUAL_PICKS, manual().replace(b"13.5", b"NaN"), error="message: NaN is not a number JSON allows"),
    BadMessage("line-infinity", MANUAL_PICKS, manual().replace(b"13.5", b"-Infinity"),
               error="message: -Infinity is not a number JSON allows"),
    BadMessage("edge-overflow", MANUAL_PICKS, manual().replace(b"13.5", b"13.5, \"edge\": 1e400"),
               error="message: 1e400 is out of range"),
    BadMessage("missing-request-id", MANUAL_PICKS, manual(request_id=...),
               error="message: 'request_id' is a required property"),
    BadMessage("request-id-sql", MANUAL_PICKS, manual(request_id=SQL), error="message.request_id:"),
    BadMessage("player-sql", MANUAL_PICKS, manual(player_lookup=SQL), error="message.player_lookup:"),
    BadMessage("player-path", MANUAL_PICKS, manual(player_lookup=PATH), error="message.player_lookup:"),
    BadMessage("player-empty", MANUAL_PICKS, manual(player_lookup=""), error="message.player_lookup: '' does not match"),
    BadMessage("player-name-huge", MANUAL_PICKS, manual(player_name="x" * 10_000),
               error="message.player_name: 10000 characters, at most 128 allowed"),
    BadMessage("notes-unpaired-surrogate", MANUAL_PICKS, manual(notes="\ud800"), error="message.notes: not valid Unicode"),
    BadMessage("stat-sql", MANUAL_PICKS, manual(stat="PTS; DROP"), error="message.stat: 'PTS; DROP' does not match"),
    BadMessage("team-lowercase", MANUAL_PICKS, manual(team="gsw"), error="message.team: 'gsw' does not match"),
    BadMessage("direction-lowercase", MANUAL_PICKS, manual(direction="over"),
               error="message.direction: 'over' is not one of ['OVER', 'UNDER']"),
    BadMessage("action-unknown", MANUAL_PICKS, manual(action="delete"), error="message.action: 'delete' is not one of"),
    BadMessage("add-without-direction", MANUAL_PICKS, manual(direction=...),
               error="message: 'direction' is a required property"),
    BadMessage("void-without-reason", MANUAL_PICKS,
               manual(action="void", team=..., opponent=..., direction=..., line=...),
               error="message: 'reason' is a required property"),
    BadMessage("remove-with-line", MANUAL_PICKS, manual(action="remove"), error="fields do not fit the action"),
    BadMessage("submitted-at-without-zone", MANUAL_PICKS, manual(submitted_at="2026-03-10T15:00:00"),
               error="message.submitted_at: '2026-03-10T15:00:00' is not a 'date-time'"),
    BadMessage("submitted-at-impossible", MANUAL_PICKS, manual(submitted_at="2026-13-40T25:00:00Z"),
               error="message.submitted_at: '2026-13-40T25:00:00Z' is not a 'date-time'"),
    BadMessage("not-a-leap-year", MANUAL_PICKS, manual(game_date="2026-02-29"),
               error="message.game_date: '2026-02-29' is not a 'date'"),
    BadMessage("manual-unknown-field", MANUAL_PICKS, manual(priority="high"), error="message: unknown field(s): 'priority'"),
    BadMessage("manual-duplicate-key", MANUAL_PICKS, manual().replace(b'"action": "add"', b'"action": "add", "action": "void"'),
               error="message: duplicate key 'action'"),
    # value ranges: dates and instants
    BadMessage("submitted-at-year-0001-offset", MANUAL_PICKS, manual(submitted_at=YEAR_0001),
               error=f"message.submitted_at: '{YEAR_0001}' {OUT_OF_INSTANT_RANGE}"),
    BadMessage("submitted-at-year-0001-negative-offset", MANUAL_PICKS, manual(submitted_at="0001-01-01T00:00:00-23:59"),
               error=f"message.submitted_at: '0001-01-01T00:00:00-23:59' {OUT_OF_INSTANT_RANGE}"),
    BadMessage("submitted-at-year-0999", MANUAL_PICKS, manual(submitted_at=YEAR_0999),
               error=f"message.submitted_at: '{YEAR_0999}' {OUT_OF_INSTANT_RANGE}"),
    BadMessage("submitted-at-year-9999-offset", MANUAL_PICKS, manual(submitted_at=YEAR_9999),
               error=f"message.submitted_at: '{YEAR_9999}' {OUT_OF_INSTANT_RANGE}"),
    BadMessage("submitted-at-a-millisecond-before-2000", MANUAL_PICKS, manual(submitted_at="1999-12-31T23:59:59.999Z"),
               error=f"message.submitted_at: '1999-12-31T23:59:59.999Z' {OUT_OF_INSTANT_RANGE}"),
    BadMessage("submitted-at-2100", MANUAL_PICKS, manual(submitted_at="2100-01-01T00:00:00.000Z"),
               error=f"message.submitted_at: '2100-01-01T00:00:00.000Z' {OUT_OF_INSTANT_RANGE}"),
    BadMessage("submitted-at-offset-into-2100", MANUAL_PICKS, manual(submitted_at="2099-12-31T23:00:00-05:00"),
               error=f"message.submitted_at: '2099-12-31T23:00:00-05:00' {OUT_OF_INSTANT_RANGE}"),
    BadMessage("submitted-at-offset-into-1999", MANUAL_PICKS, manual(submitted_at="2000-01-01T00:30:00+01:00"),
               error=f"message.submitted_at: '2000-01-01T00:30:00+01:00' {OUT_OF_INSTANT_RANGE}"),
    BadMessage("game-time-year-9999-offset", MANUAL_PICKS, manual(game_time=YEAR_9999),
               error=f"message.game_time: '{YEAR_9999}' {OUT_OF_INSTANT_RANGE}"),
    BadMessage("game-time-year-0001-offset", MANUAL_PICKS, manual(game_time=YEAR_0001),
               error=f"message.game_time: '{YEAR_0001}' {OUT_OF_INSTANT_RANGE}"),
    BadMessage("manual-game-date-year-0001", MANUAL_PICKS, manual(game_date="0001-01-01"),
               error=f"message.game_date: 0001-01-01 {OUT_OF_DATE_RANGE}"),
    BadMessage("manual-game-date-year-0999", MANUAL_PICKS, manual(game_date="0999-06-01"),
               error=f"message.game_date: 0999-06-01 {OUT_OF_DATE_RANGE}"),
    BadMessage("manual-game-date-2100", MANUAL_PICKS, manual(game_date="2100-01-01"),
               error=f"message.game_date: 2100-01-01 {OUT_OF_DATE_RANGE}"),
    BadMessage("signal-updated-game-date-year-0001", SIGNAL_UPDATED, body({"game_date": "0001-01-01"}),
               error=f"message.game_date: 0001-01-01 {OUT_OF_DATE_RANGE}"),
    BadMessage("signal-updated-game-date-year-0999", SIGNAL_UPDATED, body({"game_date": "0999-06-01"}),
               error=f"message.game_date: 0999-06-01 {OUT_OF_DATE_RANGE}"),
    BadMessage("signal-updated-game-date-2100", SIGNAL_UPDATED, body({"game_date": "2100-01-01"}),
               error=f"message.game_date: 2100-01-01 {OUT_OF_DATE_RANGE}"),
    BadMessage("signal-updated-game-date-1999", SIGNAL_UPDATED, body({"game_date": "1999-12-31"}),
               error=f"message.game_date: 1999-12-31 {OUT_OF_DATE_RANGE}"),
    BadMessage("grading-game-date-year-9999", GRADING_COMPLETE, graded(game_date="9999-12-31"),
               error=f"message.game_date: 9999-12-31 {OUT_OF_DATE_RANGE}"),
    # value ranges: numbers
    BadMessage("graded-count-beyond-2-63", GRADING_COMPLETE, graded(graded_count=BEYOND_2_63),
               error=f"message.graded_count: {BEYOND_2_63} is greater than the maximum of 1000000"),
    BadMessage("graded-count-2-63", GRADING_COMPLETE, graded(graded_count=2 ** 63),
               error=f"message.graded_count: {2 ** 63} is greater than the maximum of 1000000"),
    BadMessage("graded-count-1e300", GRADING_COMPLETE, graded().replace(b"3}", b"1e300}"),
               error="message.graded_count: 1e+300 is greater than the maximum of 1000000"),
    BadMessage("line-1e300", MANUAL_PICKS, manual().replace(b"13.5", b"1e300"),
               error="message.line: 1e+300 is greater than the maximum of 1000"),
    BadMessage("line-beyond-2-63", MANUAL_PICKS, manual(line=BEYOND_2_63),
               error=f"message.line: {BEYOND_2_63} is greater than the maximum of 1000"),
    BadMessage("edge-minus-1e300", MANUAL_PICKS, manual().replace(b"13.5", b"13.5, \"edge\": -1e300"),
               error="message.edge: -1e+300 is less than the minimum of -1000"),
    # prices: American odds are integers, +100 or more or -100 or less; only an add carries one
    BadMessage("odds-0", MANUAL_PICKS, manual(odds_american=0), error=f"message.odds_american: 0 {ODDS}"),
    BadMessage("odds-plus-50", MANUAL_PICKS, manual(odds_american=50), error=f"message.odds_american: 50 {ODDS}"),
    BadMessage("odds-minus-50", MANUAL_PICKS, manual(odds_american=-50), error=f"message.odds_american: -50 {ODDS}"),
    BadMessage("odds-99", MANUAL_PICKS, manual(odds_american=99), error=f"message.odds_american: 99 {ODDS}"),
    BadMessage("odds-fraction", MANUAL_PICKS, manual(odds_american=-110.5),
               error="message.odds_american: -110.5 is not of type 'integer', 'null'"),
    BadMessage("odds-nan", MANUAL_PICKS, manual().replace(b"13.5", b'13.5, "odds_american": NaN'),
               error="NaN is not a number JSON allows"),
    BadMessage("odds-as-string", MANUAL_PICKS, manual(odds_american="-110"),
               error="message.odds_american: '-110' is not of type 'integer', 'null'"),
    BadMessage("odds-on-a-void", MANUAL_PICKS, manual(action="void", reason="injury", team=..., opponent=..., direction=...,
                                                      line=..., odds_american=-110),
               error="fields do not fit the action"),
    BadMessage("venue-as-string", MANUAL_PICKS, manual(home="home"), error="message.home: 'home' is not of type 'boolean', 'null'"),
    BadMessage("tier-uppercase", MANUAL_PICKS, manual(tier="ULTRA"), error="message.tier: 'ULTRA' does not match"),
    # a request id names one command: reusing it for another is refused, nothing recorded
    BadMessage("request-id-reused-for-another-command", MANUAL_PICKS, manual(request_id="seed-1", player_lookup="kuminga"),
               error="request id seed-1 was already used for add 2026-03-10 guisantos PTS"),
]

def closing_row(**changes) -> dict:
    row = {"player_lookup": "jokic", "stat": "PTS", "line_value": 25.5, "odds_american": -110,
           "captured_at": "2026-03-10T16:55:00Z"}
    row.update(changes)
    return {k: v for k, v in row.items() if v is not ...}


FILES = [
    BadFile("signal-odds-0", "signal", rows(signal_row(odds_american=0)), error=f"[0].odds_american: 0 {ODDS}"),
    BadFile("signal-odds-minus-50", "signal", rows(signal_row(odds_american=-50)), error=f"[0].odds_american: -50 {ODDS}"),
    BadFile("signal-odds-99", "signal", rows(signal_row(odds_american=99)), error=f"[0].odds_american: 99 {ODDS}"),
    BadFile("signal-odds-fraction", "signal", rows(signal_row(odds_american=150.5)),
            error="[0].odds_american: 150.5 is not of type 'integer', 'null'"),
    BadFile("signal-odds-beyond-2-63", "signal", rows(signal_row(odds_american=BEYOND_2_63)),
            error=f"[0].odds_american: {BEYOND_2_63} {ODDS}"),
    BadFile("signal-odds-nan", "signal", rows(signal_row(odds_american=-110)).replace(b"-110", b"NaN"),
            error="NaN is not a number JSON allows"),
    BadFile("signal-home-as-string", "signal", rows(signal_row(home="yes")),
            error="[0].home: 'yes' is not of type 'boolean', 'null'"),
    BadFile("closing-future-date", "closing", rows(closing_row()), date="2026-03-11",
            error="--date: 2026-03-11 is in the future (NBA today is 2026-03-10): a line closes at tip-off"),
    BadFile("closing-line-negative", "closing", rows(closing_row(), closing_row(player_lookup="tatum", line_value=-1.5)),
            error="[1].line_value: -1.5 is less than the minimum of 0"),
    BadFile("closing-odds-50", "closing", rows(closing_row(odds_american=50)), error=f"[0].odds_american: 50 {ODDS}"),
    BadFile("closing-captured-in-the-future", "closing", rows(closing_row(captured_at="2026-03-10T18:00:00Z")),
            error="[0].captured_at: 2026-03-10T18:00:00Z is in the future"),
    BadFile("closing-missing-captured-at", "closing", rows(closing_row(captured_at=...)),
            error="[0]: 'captured_at' is a required property"),
    BadFile("closing-duplicate-key", "closing", rows(closing_row(), closing_row(line_value=26.5)),
            error="[1]: duplicate closing line for 2026-03-10 jokic PTS (also row 0)"),
    BadFile("closing-year-0999", "closing", rows(closing_row(captured_at=YEAR_0999)),
            error=f"[0].captured_at: '{YEAR_0999}' {OUT_OF_INSTANT_RANGE}"),
    BadFile("signal-not-json", "signal", b"player_lookup,line\njokic,24.5\n", error="not valid JSON"),
    BadFile("signal-empty-file", "signal", b"", error="not valid JSON"),
    BadFile("signal-object-not-array", "signal", body({"rows": [signal_row()]}), error="is not of type 'array'"),
    BadFile("signal-missing-line", "signal", rows(signal_row(line_value=...)), error="[0]: 'line_value' is a required property"),
    BadFile("signal-line-nan", "signal", rows(signal_row()).replace(b"24.5", b"NaN"), error="NaN is not a number JSON allows"),
    BadFile("signal-line-infinity", "signal", rows(signal_row()).replace(b"24.5", b"Infinity"),
            error="Infinity is not a number JSON allows"),
    BadFile("signal-line-negative", "signal", rows(signal_row(), signal_row(player_lookup="tatum", line_value=-2)),
            error="[1].line_value: -2 is less than the minimum of 0"),
    BadFile("signal-line-string", "signal", rows(signal_row(line_value="24.5")), error="[0].line_value: '24.5' is not of type 'number'"),
    BadFile("signal-direction-unknown", "signal", rows(signal_row(recommendation="SIDEWAYS")),
            error="[0].recommendation: 'SIDEWAYS' is not one of ['OVER', 'UNDER']"),
    BadFile("signal-duplicate-key-in-run", "signal", rows(signal_row(), signal_row(recommendation="UNDER")),
            error="[1]: duplicate pick key 2026-03-10 jokic PTS (also row 0)"),
    BadFile("signal-other-date", "signal", rows(signal_row(game_date="2026-03-11")),
            error="[0].game_date: 2026-03-11 differs from --date 2026-03-10"),
    BadFile("signal-impossible-date", "signal", rows(signal_row(game_date="2026-02-30")),
            error="[0].game_date: '2026-02-30' is not a 'date'"),
    BadFile("signal-player-sql", "signal", rows(signal_row(player_lookup=SQL)), error="[0].player_lookup:"),
    BadFile("signal-player-path", "signal", rows(signal_row(player_lookup=PATH)), error="[0].player_lookup:"),
    BadFile("signal-rank-fraction", "signal", rows(signal_row(rank=1.5)), error="[0].rank: 1.5 is not of type 'integer', 'null'"),
    BadFile("signal-rank-zero", "signal", rows(signal_row(rank=0)), error="[0].rank: 0 is less than the minimum of 1"),
    BadFile("signal-game-time-without-zone", "signal", rows(signal_row(game_time="2026-03-10T19:30:00")),
            error="[0].game_time: '2026-03-10T19:30:00' is not a 'date-time'"),
    BadFile("signal-unknown-field", "signal", rows(signal_row(confidence=0.9)), error="[0]: unknown field(s): 'confidence'"),
    BadFile("signal-duplicate-json-key", "signal",
            rows(signal_row()).replace(b'"rank": 1', b'"rank": 1, "rank": 2'), error="duplicate key 'rank'"),
    BadFile("signal-not-utf8", "signal", rows(signal_row(player_name="Jokic")).replace(b"Jokic", b"Jok\xe9"),
            error="not UTF-8"),
    BadFile("signal-huge", "signal", b"[" + b" " * HUGE + b"]", error="byte limit"),
    BadFile("signal-too-many-rows", "signal", rows(*[signal_row(player_lookup=f"p{i}") for i in range(5001)]),
            error="5001 items, at most 5000 allowed"),
    BadFile("signal-name-unpaired-surrogate", "signal", rows(signal_row(player_name="\udc00")),
            error="[0].player_name: not valid Unicode"),
    BadFile("results-actual-string", "results", rows({"player_lookup": "jokic", "actual_value": "31"}),
            error="[0].actual_value: '31' is not of type 'number', 'null'"),
    BadFile("results-duplicate-key", "results", rows({"player_lookup": "jokic", "actual_value": 31},
                                                     {"player_lookup": "jokic", "actual_value": 12}),
            error="[1]: duplicate result for 2026-03-10 jokic PTS (also row 0)"),
    # value ranges
    BadFile("signal-rank-beyond-2-63", "signal", rows(signal_row(rank=BEYOND_2_63)),
            error=f"[0].rank: {BEYOND_2_63} is greater than the maximum of 100000"),
    BadFile("signal-rank-1e300", "signal", rows(signal_row()).replace(b'"rank": 1', b'"rank": 1e300'),
            error="[0].rank: 1e+300 is greater than the maximum of 100000"),
    BadFile("signal-edge-1e300", "signal", rows(signal_row(edge=1e300)),
            error="[0].edge: 1e+300 is greater than the maximum of 1000"),
    BadFile("signal-line-beyond-2-63", "signal", rows(signal_row(line_value=BEYOND_2_63)),
            error=f"[0].line_value: {BEYOND_2_63} is greater than the maximum of 1000"),
    BadFile("signal-game-time-year-0001-offset", "signal", rows(signal_row(), signal_row(player_lookup="tatum", game_time=YEAR_0001)),
            error=f"[1].game_time: '{YEAR_0001}' {OUT_OF_INSTANT_RANGE}"),
    BadFile("signal-game-time-year-0999", "signal", rows(signal_row(game_time=YEAR_0999)),
            error=f"[0].game_time: '{YEAR_0999}' {OUT_OF_INSTANT_RANGE}"),
    BadFile("signal-game-time-year-9999-offset", "signal", rows(signal_row(game_time=YEAR_9999)),
            error=f"[0].game_time: '{YEAR_9999}' {OUT_OF_INSTANT_RANGE}"),
    BadFile("signal-game-time-offset-into-2100", "signal", rows(signal_row(game_time="2099-12-31T19:00:00-05:00")),
            error=f"[0].game_time: '2099-12-31T19:00:00-05:00' {OUT_OF_INSTANT_RANGE}"),
    BadFile("signal-row-date-year-0001", "signal", rows(signal_row(game_date="0001-01-01")),
            error="[0].game_date: 0001-01-01 differs from --date 2026-03-10"),
    BadFile("signal-load-date-2100", "signal", rows(signal_row(game_date="2100-01-01")), date="2100-01-01",
            error=f"--date: 2100-01-01 {OUT_OF_DATE_RANGE}"),
    BadFile("signal-load-date-year-0999", "signal", rows(signal_row(game_date="0999-06-01")), date="0999-06-01",
            error=f"--date: 0999-06-01 {OUT_OF_DATE_RANGE}"),
    BadFile("results-load-date-year-0001", "results", rows({"player_lookup": "jokic", "actual_value": 31}),
            date="0001-01-01", error=f"--date: 0001-01-01 {OUT_OF_DATE_RANGE}"),
    BadFile("results-actual-beyond-2-63", "results", rows({"player_lookup": "jokic", "actual_value": BEYOND_2_63}),
            error=f"[0].actual_value: {BEYOND_2_63} is greater than the maximum of 1000"),
    BadFile("results-actual-1e300", "results", rows({"player_lookup": "jokic", "actual_value": 1e300}),
            error="[0].actual_value: 1e+300 is greater than the maximum of 1000"),
]

ADD = ("manual", "add", "--date", DATE, "--player", "guisantos", "--team", "GSW", "--opponent", "LAL",
       "--direction", "over", "--line", "13.5")


def with_option(argv: tuple[str, ...], option: str, value: str) -> tuple[str, ...]:
    index = argv.index(option)
    return argv[:index + 1] + (value,) + argv[index + 2:]


INVOCATIONS = [
    BadInvocation("export-impossible-date", ("export", "--date", "2026-02-30"), "--date: '2026-02-30' is not a date"),
    BadInvocation("export-word-date", ("export", "--date", "tomorrow"), "--date: 'tomorrow' is not a date"),
    BadInvocation("export-short-date", ("export", "--date", "2026-3-1"), "--date: '2026-3-1' is not a date"),
    BadInvocation("export-missing-date", ("export",), "the following arguments are required: --date"),
    BadInvocation("export-unknown-trigger", ("export", "--date", DATE, "--trigger", "nightly"),
                  "argument --trigger: invalid choice: 'nightly'"),
    BadInvocation("now-not-an-instant", ("--now", "yesterday", "export", "--date", DATE),
                  "--now: 'yesterday' is not an ISO-8601 timestamp"),
    BadInvocation("add-line-word", with_option(ADD, "--line", "thirteen"), "--line: 'thirteen' is not a number"),
    BadInvocation("add-line-nan", with_option(ADD, "--line", "nan"), "arguments.line: nan is not a finite number"),
    BadInvocation("add-line-infinity", with_option(ADD, "--line", "inf"), "arguments.line: inf is greater than the maximum of 1000"),
    BadInvocation("add-line-negative", with_option(ADD, "--line", "-3"), "arguments.line: -3.0 is less than the minimum of 0"),
    BadInvocation("add-player-sql", with_option(ADD, "--player", SQL), "arguments.player_lookup:"),
    BadInvocation("add-player-path", with_option(ADD, "--player", PATH), "arguments.player_lookup:"),
    BadInvocation("add-team-lowercase", with_option(ADD, "--team", "gsw"), "arguments.team: 'gsw' does not match"),
    BadInvocation("add-direction-sideways", with_option(ADD, "--direction", "sideways"),
                  "argument --direction: invalid choice: 'SIDEWAYS'"),
    BadInvocation("add-game-time-without-zone", ADD + ("--game-time", "2026-03-10T19:30:00"),
                  "arguments.game_time: '2026-03-10T19:30:00' is not a 'date-time'"),
    BadInvocation("add-request-id-with-space", ADD + ("--request-id", "req 1"), "arguments.request_id: 'req 1' does not match"),
    BadInvocation("add-over-a-published-pick", with_option(ADD, "--player", "jokic"),
                  "is held by published algorithm pick OVER 24.5; void it first"),
    BadInvocation("remove-nothing", ("manual", "remove", "--date", DATE, "--player", "nobody"),
                  "no manual pick on 2026-03-10 nobody PTS to remove"),
    BadInvocation("void-nothing", ("void", "--date", DATE, "--player", "nobody", "--reason", "injury"),
                  "nothing published on 2026-03-10 nobody PTS to void"),
    BadInvocation("void-empty-reason", ("void", "--date", DATE, "--player", "jokic", "--reason", ""),
                  "arguments.reason: '' should be non-empty"),
    BadInvocation("audit-show-not-an-export", ("audit", "show", "../../etc/passwd"), "is not an export id"),
    BadInvocation("signal-file-missing", ("signal", "load", "--date", DATE, "--file", "/nonexistent/signal.json"),
                  "cannot read: No such file or directory"),
    BadInvocation("publish-impossible-date", ("publish", SIGNAL_UPDATED, "--date", "2026-02-30"),
                  "--date: '2026-02-30' is not a date"),
    BadInvocation("add-notes-not-utf8", ADD + ("--notes", b"caf\xe9"), "arguments.notes: not valid Unicode"),
    BadInvocation("grade-impossible-date", ("grade", "--date", "2026-13-01"), "--date: '2026-13-01' is not a date"),
    # value ranges: dates
    BadInvocation("export-date-year-0001", ("export", "--date", "0001-01-01"), f"--date: 0001-01-01 {OUT_OF_DATE_RANGE}"),
    BadInvocation("export-date-year-0999", ("export", "--date", "0999-06-01"), f"--date: 0999-06-01 {OUT_OF_DATE_RANGE}"),
    BadInvocation("export-date-2100", ("export", "--date", "2100-01-01"), f"--date: 2100-01-01 {OUT_OF_DATE_RANGE}"),
    BadInvocation("grade-date-year-9999", ("grade", "--date", "9999-12-31"), f"--date: 9999-12-31 {OUT_OF_DATE_RANGE}"),
    BadInvocation("add-date-year-0001", with_option(ADD, "--date", "0001-01-01"), f"--date: 0001-01-01 {OUT_OF_DATE_RANGE}"),
    BadInvocation("void-date-2100", ("void", "--date", "2100-01-01", "--player", "jokic", "--reason", "injury"),
                  f"--date: 2100-01-01 {OUT_OF_DATE_RANGE}"),
    BadInvocation("remove-date-1999", ("manual", "remove", "--date", "1999-12-31", "--player", "guisantos"),
                  f"--date: 1999-12-31 {OUT_OF_DATE_RANGE}"),
    BadInvocation("publish-date-year-0999", ("publish", SIGNAL_UPDATED, "--date", "0999-06-01"),
                  f"--date: 0999-06-01 {OUT_OF_DATE_RANGE}"),
    # value ranges: instants
    BadInvocation("add-game-time-year-9999-offset", ADD + ("--game-time", YEAR_9999),
                  f"arguments.game_time: '{YEAR_9999}' {OUT_OF_INSTANT_RANGE}"),
    BadInvocation("add-game-time-year-0001-offset", ADD + ("--game-time", YEAR_0001),
                  f"arguments.game_time: '{YEAR_0001}' {OUT_OF_INSTANT_RANGE}"),
    BadInvocation("add-game-time-year-0999", ADD + ("--game-time", YEAR_0999),
                  f"arguments.game_time: '{YEAR_0999}' {OUT_OF_INSTANT_RANGE}"),
    # value ranges: numbers
    BadInvocation("add-line-1e300", with_option(ADD, "--line", "1e300"), "arguments.line: 1e+300 is greater than the maximum of 1000"),
    BadInvocation("add-edge-beyond-2-63", ADD + ("--edge", str(BEYOND_2_63)),
                  "arguments.edge: 1e+30 is greater than the maximum of 1000"),
    BadInvocation("publish-graded-count-beyond-2-63",
                  ("publish", GRADING_COMPLETE, "--date", DATE, "--graded-count", str(BEYOND_2_63)),
                  f"arguments.graded_count: {BEYOND_2_63} is greater than the maximum of 1000000"),
    # clocks out of range: --now, and PICKLOCK_NOW when --now is not given
    BadInvocation("now-year-0001-offset", ("--now", YEAR_0001, "export", "--date", DATE),
                  f"--now: '{YEAR_0001}' {OUT_OF_INSTANT_RANGE}"),
    BadInvocation("now-year-0999", ("--now", YEAR_0999, "void", "--date", DATE, "--player", "jokic", "--reason", "injury"),
                  f"--now: '{YEAR_0999}' {OUT_OF_INSTANT_RANGE}"),
    BadInvocation("now-year-9999-offset", ("--now", YEAR_9999) + ADD, f"--now: '{YEAR_9999}' {OUT_OF_INSTANT_RANGE}"),
    BadInvocation("now-a-millisecond-past-2099", ("--now", "2100-01-01T00:00:00.000Z", "export", "--date", DATE),
                  f"--now: '2100-01-01T00:00:00.000Z' {OUT_OF_INSTANT_RANGE}"),
    BadInvocation("now-offset-into-1999", ("--now", "2000-01-01T00:59:59.999+01:00", "grade", "--date", DATE),
                  f"--now: '2000-01-01T00:59:59.999+01:00' {OUT_OF_INSTANT_RANGE}"),
    BadInvocation("picklock-now-year-0999", ("export", "--date", DATE),
                  f"PICKLOCK_NOW: '{YEAR_0999}' {OUT_OF_INSTANT_RANGE}", env=(("PICKLOCK_NOW", YEAR_0999),)),
    BadInvocation("picklock-now-year-9999-offset", ("void", "--date", DATE, "--player", "jokic", "--reason", "injury"),
                  f"PICKLOCK_NOW: '{YEAR_9999}' {OUT_OF_INSTANT_RANGE}", env=(("PICKLOCK_NOW", YEAR_9999),)),
    BadInvocation("picklock-now-year-0001-offset", ADD, f"PICKLOCK_NOW: '{YEAR_0001}' {OUT_OF_INSTANT_RANGE}",
                  env=(("PICKLOCK_NOW", YEAR_0001),)),
    BadInvocation("picklock-now-offset-into-2100", ("status", "--date", DATE),
                  f"PICKLOCK_NOW: '2099-12-31T23:59:59.999-00:01' {OUT_OF_INSTANT_RANGE}",
                  env=(("PICKLOCK_NOW", "2099-12-31T23:59:59.999-00:01"),)),
    BadInvocation("picklock-now-not-an-instant", ("export", "--date", DATE),
                  "PICKLOCK_NOW: 'yesterday' is not an ISO-8601 timestamp", env=(("PICKLOCK_NOW", "yesterday"),)),
    # prices
    BadInvocation("add-odds-0", ADD + ("--odds", "0"), "--odds: 0 is not American odds: +100 or more or -100 or less"),
    BadInvocation("add-odds-plus-50", ADD + ("--odds", "+50"), "--odds: 50 is not American odds"),
    BadInvocation("add-odds-minus-50", ADD + ("--odds", "-50"), "--odds: -50 is not American odds"),
    BadInvocation("add-odds-99", ADD + ("--odds", "99"), "--odds: 99 is not American odds"),
    BadInvocation("add-odds-fraction", ADD + ("--odds", "-110.5"), "--odds: '-110.5' is not American odds (an integer"),
    BadInvocation("add-odds-nan", ADD + ("--odds", "nan"), "--odds: 'nan' is not American odds"),
    BadInvocation("add-odds-beyond-2-63", ADD + ("--odds", str(BEYOND_2_63)), "--odds: 1000000000000000000000000000000 is not"),
    BadInvocation("add-venue-sideways", ADD + ("--venue", "neutral"), "argument --venue: invalid choice: 'neutral'"),
    BadInvocation("add-tier-uppercase", ADD + ("--tier", "ULTRA"), "arguments.tier: 'ULTRA' does not match"),
    # a request id names one command
    BadInvocation("add-request-id-reused-for-another-command",
                  with_option(ADD, "--player", "kuminga") + ("--request-id", "seed-1"),
                  "request id seed-1 was already used for add 2026-03-10 guisantos PTS"),
]
