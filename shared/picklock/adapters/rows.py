"""Domain objects <-> plain rows keyed by DDL column names, holding native Python values.

Shared by every PickStore: a store only encodes native values for its database (by column type).
The columns come from the DDL, never from a list here, so a drift between the DDL and the domain
(a column nobody fills, a field nobody stores, a None in a NOT NULL column, a BOOL read back as a
string) fails loudly at the first conversion instead of corrupting a table.

Native values: DATE -> date, TIMESTAMP -> tz-aware UTC datetime (millisecond precision),
FLOAT64 -> float, INT64 -> int, BOOL -> bool, STRING -> str, ARRAY<STRING> -> list[str]
(never None: BigQuery stores a missing array as an empty one), NULL -> None.
"""
from __future__ import annotations

import base64
import gzip
from dataclasses import fields
from datetime import date, datetime
from typing import Any, Mapping, Sequence

from ..domain.calendar import to_utc
from ..domain.export import AuditRecord
from ..domain.picks import (
    DEFAULT_STAT, ClosingLine, GameResult, HaltCommand, LedgerRow, ManualCommand, Pick, SignalRow,
)
from ..domain.tally import DaySummary, DayTally
from .ddl import Column, TableSchema, default_schema

SIGNAL_TABLE = "signal_best_bets_picks"
RESULTS_TABLE = "player_game_results"
LEDGER_TABLE = "best_bets_published_picks"
MANUAL_TABLE = "best_bets_manual_picks"
AUDIT_TABLE = "best_bets_export_audit"
HALTS_TABLE = "best_bets_sport_halts"
CLOSING_TABLE = "closing_lines"

Row = dict[str, Any]

# Upstream names its columns its own way; domain field -> column.
_SIGNAL_COLUMNS = {
    "team": "team_abbr", "opponent": "opponent_team_abbr", "direction": "recommendation",
    "line": "line_value", "angles": "pick_angles",
}
_MANUAL_RECORDED_AT = "recorded_at"  # set by the store when it inserts, not part of the command


class RowMismatch(ValueError):
    """A value or a set of columns that does not fit the DDL."""


def check_one_date(table: str, sport: str, game_date: date, new_rows: list[Row]) -> None:
    """Replacing a date's rows of one sport must not touch another date's or sport's rows."""
    strays = sorted({f"{row['sport']} {row['game_date']}" for row in new_rows
                     if (row["game_date"], row["sport"]) != (game_date, sport)})
    if strays:
        raise ValueError(f"replacing {table} for {sport} {game_date}: rows of other dates or sports {strays}")


def signal_to_row(signal: SignalRow) -> Row:
    return _to_row(SIGNAL_TABLE, _field_values(signal), _SIGNAL_COLUMNS)


def signal_from_row(row: Mapping[str, Any]) -> SignalRow:
    values = _from_row(SIGNAL_TABLE, row, SignalRow, _SIGNAL_COLUMNS)
    if values["stat"] is None:  # upstream leaves stat empty for points
        values["stat"] = DEFAULT_STAT
    return SignalRow(**values)


def ledger_to_row(ledger_row: LedgerRow) -> Row:
    values = _field_values(ledger_row)
    pick = values.pop("pick")
    return _to_row(LEDGER_TABLE, {**_field_values(pick), **values})


def ledger_from_row(row: Mapping[str, Any]) -> LedgerRow:
    return LedgerRow(pick=Pick(**_from_row(LEDGER_TABLE, row, Pick)),
                     **_from_row(LEDGER_TABLE, row, LedgerRow, exclude=("pick",)))


def manual_to_row(command: ManualCommand, *, recorded_at: datetime) -> Row:
    return _to_row(MANUAL_TABLE, {**_field_values(command), _MANUAL_RECORDED_AT: recorded_at})


def manual_from_row(row: Mapping[str, Any]) -> ManualCommand:
    return ManualCommand(**_from_row(MANUAL_TABLE, row, ManualCommand))


def result_to_row(result: GameResult) -> Row:
    return _to_row(RESULTS_TABLE, _field_values(result))


def result_from_row(row: Mapping[str, Any]) -> GameResult:
    return GameResult(**_from_row(RESULTS_TABLE, row, GameResult))


def closing_to_row(line: ClosingLine) -> Row:
    return _to_row(CLOSING_TABLE, _field_values(line))


def closing_from_row(row: Mapping[str, Any]) -> ClosingLine:
    return ClosingLine(**_from_row(CLOSING_TABLE, row, ClosingLine))


def halt_to_row(command: HaltCommand, *, game_date: date, recorded_at: datetime) -> Row:
    return _to_row(HALTS_TABLE, {**_field_values(command), "game_date": game_date, _MANUAL_RECORDED_AT: recorded_at})


def halt_from_row(row: Mapping[str, Any]) -> HaltCommand:
    return HaltCommand(**_from_row(HALTS_TABLE, row, HaltCommand))


def season_days(summaries: Sequence[str], details: Sequence[tuple[str, str | None]]
                ) -> tuple[tuple[DayTally, ...], tuple[DaySummary, ...]]:
    """A season read as the record takes it (ExportInputs.season_tallies, .season_summaries), from
    the audit's texts in date order: the latest day summary of each earlier date, and for each date
    shown pick by pick its latest tally with the summary written in the same row (None or empty in
    rows of the version before day summaries: the record then sums the tally itself)."""
    return (tuple(DayTally.from_text(tally) for tally, _ in details),
            tuple(DaySummary.from_texts([*summaries, *(summary for _, summary in details if summary)])))


# all.json's copy in an audit row (G4) is the season's record, ~100 kB of text a version: it is
# stored gzip-compressed, base64 behind a prefix no JSON text starts with, about 8x smaller to
# store, to insert and to scan (`audit list`, the timeline and restore read it). Rows written
# before hold the plain text, which reads as it is.
_COMPRESSED = "gzip+base64:"


def compress_all_json(text: str | None) -> str | None:
    if text is None:
        return None
    packed = gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)
    return _COMPRESSED + base64.b64encode(packed).decode("ascii")


def decompress_all_json(stored: str | None) -> str | None:
    if stored is None or not stored.startswith(_COMPRESSED):
        return stored
    return gzip.decompress(base64.b64decode(stored[len(_COMPRESSED):])).decode("utf-8")


def audit_to_row(record: AuditRecord) -> Row:
    return _to_row(AUDIT_TABLE, {**_field_values(record),
                                 "all_json_document": compress_all_json(record.all_json_document)})


def audit_from_row(row: Mapping[str, Any]) -> AuditRecord:
    values = _from_row(AUDIT_TABLE, row, AuditRecord)
    return AuditRecord(**{**values, "all_json_document": decompress_all_json(values["all_json_document"])})


_NATIVE_TYPES: dict[str, type | tuple[type, ...]] = {
    "STRING": str, "INT64": int, "FLOAT64": (int, float), "BOOL": bool, "DATE": date,
    "TIMESTAMP": datetime, "ARRAY<STRING>": (list, tuple),
}
_EXCLUDED_TYPES: dict[str, type] = {"INT64": bool, "FLOAT64": bool, "DATE": datetime}


def _native(table: TableSchema, column: Column, value: Any) -> Any:
    """Check `value` against the column's type and mode; return it in its native form."""
    where = f"{table.name}.{column.name}"
    if value is None:
        if column.required:
            raise RowMismatch(f"{where} is NOT NULL but the value is None")
        return [] if column.type == "ARRAY<STRING>" else None
    expected = _NATIVE_TYPES[column.type]
    # bool is an int and datetime is a date in Python; neither may pass for the other here.
    if not isinstance(value, expected) or isinstance(value, _EXCLUDED_TYPES.get(column.type, ())):
        raise RowMismatch(f"{where} is {column.type}; got {type(value).__name__} {value!r}")
    if column.type == "TIMESTAMP":
        if value.tzinfo is None:
            raise RowMismatch(f"{where} is TIMESTAMP; got a naive datetime {value!r} (which time zone?)")
        return to_utc(value)
    if column.type == "FLOAT64":
        return float(value)
    if column.type == "ARRAY<STRING>":
        if not all(isinstance(item, str) for item in value):
            raise RowMismatch(f"{where} is ARRAY<STRING>; got {value!r}")
        return list(value)
    return value


def _field_values(instance) -> dict[str, Any]:
    return {field.name: getattr(instance, field.name) for field in fields(instance)}


def _to_row(table_name: str, values: Mapping[str, Any], columns: Mapping[str, str] | None = None) -> Row:
    """`values` by domain name; `columns` maps the domain names that differ from column names."""
    table = default_schema()[table_name]
    values = {(columns or {}).get(name, name): value for name, value in values.items()}
    names = set(table.column_names)
    missing = names - set(values)
    unknown = set(values) - names
    if missing or unknown:
        raise RowMismatch(f"{table_name}: the DDL and the domain disagree; "
                          f"columns without a value {sorted(missing)}, values without a column {sorted(unknown)}")
    return {column.name: _native(table, column, values[column.name]) for column in table.columns}


def _from_row(table_name: str, row: Mapping[str, Any], cls: type, columns: Mapping[str, str] | None = None,
              exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Constructor arguments of `cls` from the row's columns (tuples for arrays, as the domain has)."""
    table = default_schema()[table_name]
    values = {}
    for field in fields(cls):
        if field.name in exclude:
            continue
        column_name = (columns or {}).get(field.name, field.name)
        if not table.has_column(column_name):
            raise RowMismatch(f"{table_name}: the DDL has no column for {cls.__name__}.{field.name}")
        if column_name not in row:
            raise RowMismatch(f"{table_name}: row has no column {column_name!r}")
        column = table.column(column_name)
        value = _native(table, column, row[column.name])
        values[field.name] = tuple(value) if column.type == "ARRAY<STRING>" else value
    return values
