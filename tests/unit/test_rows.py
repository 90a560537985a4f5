import json
import types
from dataclasses import fields, is_dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Literal, Union, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from picklock.adapters import rows
from picklock.adapters.ddl import load_schema
from picklock.domain.export import AuditRecord
from picklock.domain.picks import GameResult, LedgerRow, ManualCommand, Pick, SignalRow

# Instants at millisecond precision (what every adapter keeps), in several time zones.
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([timezone.utc, ZoneInfo("America/New_York"), timezone(timedelta(hours=5, minutes=30))]),
    allow_imaginary=False,  # a wall time skipped by a DST change names no instant
).filter(
    # A wall time repeated by a DST change compares unequal to every other zone's (PEP 495).
    lambda moment: moment.replace(fold=0).utcoffset() == moment.replace(fold=1).utcoffset()
).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))

_BY_TYPE = {
    type(None): st.none(), str: st.text(max_size=12), bool: st.booleans(), date: st.dates(),
    datetime: instants, int: st.integers(-2**63, 2**63 - 1), float: st.floats(allow_nan=False, allow_infinity=False),
}


def strategy_for(hint):
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return st.one_of(*map(strategy_for, get_args(hint)))
    if origin is Literal:
        return st.sampled_from(get_args(hint))
    if origin is tuple:
        return st.lists(st.text(max_size=6), max_size=3).map(tuple)
    if is_dataclass(hint):
        return instances(hint)
    return _BY_TYPE[hint]


def instances(cls):
    """Any instance of a domain dataclass, every field drawn from its type (optional ones too)."""
    hints = get_type_hints(cls)
    return st.builds(cls, **{f.name: strategy_for(hints[f.name]) for f in fields(cls)})


CONVERSIONS = [
    (rows.SIGNAL_TABLE, instances(SignalRow), rows.signal_to_row, rows.signal_from_row),
    (rows.LEDGER_TABLE, instances(LedgerRow), rows.ledger_to_row, rows.ledger_from_row),
    (rows.MANUAL_TABLE, instances(ManualCommand),
     lambda command: rows.manual_to_row(command, recorded_at=datetime(2025, 1, 2, tzinfo=timezone.utc)),
     rows.manual_from_row),
    (rows.RESULTS_TABLE, instances(GameResult), rows.result_to_row, rows.result_from_row),
    (rows.AUDIT_TABLE, instances(AuditRecord), rows.audit_to_row, rows.audit_from_row),
]
NATIVE_TYPES = {"STRING": str, "INT64": int, "FLOAT64": float, "BOOL": bool, "DATE": date,
                "TIMESTAMP": datetime, "ARRAY<STRING>": list}


def assert_native_row(table_name: str, row: dict):
    table = load_schema()[table_name]
    assert list(row) == list(table.column_names)  # exactly the DDL columns, in DDL order
    for column in table.columns:
        value = row[column.name]
        if value is None:
            assert not column.required and column.type != "ARRAY<STRING>", column
            continue
        assert type(value) is NATIVE_TYPES[column.type], (column, value)
        if column.type == "TIMESTAMP":
            assert value.tzinfo == timezone.utc, (column, value)
        if column.type == "ARRAY<STRING>":
            assert all(type(item) is str for item in value)


def assert_utc_instants(instance):
    for field in fields(instance):
        value = getattr(instance, field.name)
        if isinstance(value, datetime):
            assert value.tzinfo == timezone.utc, field.name
        elif isinstance(value, Pick):
            assert_utc_instants(value)


@pytest.mark.parametrize("table, strategy, to_row, from_row", CONVERSIONS, ids=[c[0] for c in CONVERSIONS])
def test_round_trip_keeps_every_value_and_produces_exactly_the_ddl_columns(table, strategy, to_row, from_row):
    @given(strategy)
    def check(instance):
        row = to_row(instance)
        assert_native_row(table, row)
        back = from_row(row)
        assert back == instance
        assert_utc_instants(back)
        assert to_row(back) == row

    check()


def signal(**overrides) -> SignalRow:
    values = dict(game_date=date(2025, 1, 15), player_lookup="lebronjames", team="LAL", opponent="BOS",
                  direction="OVER", line=25.5, system_id="sys", algorithm_version="v3")
    return SignalRow(**{**values, **overrides})


def test_signal_columns_have_the_upstream_names():
    row = rows.signal_to_row(signal(angles=("hot",)))
    assert (row["team_abbr"], row["opponent_team_abbr"], row["recommendation"], row["line_value"], row["pick_angles"]) \
        == ("LAL", "BOS", "OVER", 25.5, ["hot"])


def test_an_upstream_signal_row_without_stat_is_points():
    row = rows.signal_to_row(signal())
    assert rows.signal_from_row({**row, "stat": None}).stat == "PTS"
    assert rows.signal_from_row({**row, "stat": ""}).stat == ""  # only a missing stat means points


def test_a_missing_array_reads_as_empty():
    row = rows.signal_to_row(signal())
    assert row["pick_angles"] == []
    assert rows.signal_from_row({**row, "pick_angles": None}).angles == ()


def test_a_whole_number_float_is_written_as_float():
    assert type(rows.signal_to_row(signal(line=25))["line_value"]) is float


def test_the_manual_row_carries_the_store_recorded_at_and_the_command_does_not():
    command = ManualCommand("req-1", datetime(2025, 1, 15, 17, tzinfo=timezone.utc), "remove",
                            date(2025, 1, 15), "lebronjames", "ops")
    recorded_at = datetime(2025, 1, 15, 17, 0, 1, tzinfo=timezone.utc)
    row = rows.manual_to_row(command, recorded_at=recorded_at)
    assert row["recorded_at"] == recorded_at
    assert rows.manual_from_row(row) == command


def test_a_boolean_read_back_as_a_string_is_refused():
    record = AuditRecord(date(2025, 1, 15), "e1", "cli", datetime(2025, 1, 15, tzinfo=timezone.utc), "unchanged",
                         "h", "s", False, None, 0, 0, 0, 0, 0, 0, 0, "[]", "{}", None)
    row = rows.audit_to_row(record)
    assert row["all_json_written"] is False
    with pytest.raises(rows.RowMismatch, match="all_json_written is BOOL"):
        rows.audit_from_row({**row, "all_json_written": "false"})


@pytest.mark.parametrize("overrides, message", [
    ({"team": None}, "team_abbr is NOT NULL"),
    ({"line": "25.5"}, "line_value is FLOAT64"),
    ({"rank": True}, "rank is INT64"),
    ({"game_date": datetime(2025, 1, 15, tzinfo=timezone.utc)}, "game_date is DATE"),
    ({"game_time": datetime(2025, 1, 15, 19)}, "naive datetime"),
    ({"angles": ("a", 1)}, "pick_angles is ARRAY<STRING>"),
])
def test_values_that_do_not_fit_the_ddl_are_refused(overrides, message):
    with pytest.raises(rows.RowMismatch, match=message):
        rows.signal_to_row(replace(signal(), **overrides))


def test_a_row_missing_a_column_is_refused():
    row = rows.signal_to_row(signal())
    del row["system_id"]
    with pytest.raises(rows.RowMismatch, match="no column 'system_id'"):
        rows.signal_from_row(row)


def test_all_jsons_copy_in_the_audit_is_stored_compressed_and_a_plain_one_of_an_earlier_version_reads_as_is():
    text = json.dumps({"date": "2026-02-28", "weeks": [{"picks": ["Player Number 01 PTS UNDER 27.5"] * 400}]})
    record = AuditRecord(date(2026, 2, 28), "e1", "cli", datetime(2026, 2, 28, tzinfo=timezone.utc), "published",
                         "h", "s", True, "a", 0, 0, 0, 0, 0, 0, 0, "[]", "{}", text)
    stored = rows.audit_to_row(record)["all_json_document"]
    assert stored.startswith("gzip+base64:") and len(stored) * 8 < len(text)
    assert rows.audit_from_row(rows.audit_to_row(record)) == record
    plain = {**rows.audit_to_row(record), "all_json_document": text}  # as rows before compression hold it
    assert rows.audit_from_row(plain).all_json_document == text
