"""PickStore on an embedded SQLite file: the tables of the BigQuery DDL, same names, same shapes.

Several processes may share the file (CLI, local functions): WAL lets readers run beside one
writer, writes take the lock up front (BEGIN IMMEDIATE) and wait up to BUSY_TIMEOUT_SECONDS.
A connection per call keeps that simple: nothing is shared between threads or across a fork.
"""
from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing, contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Collection, Iterator, Mapping, Sequence

from ..domain.calendar import FIRST_DATE, LAST_DATE, format_instant, parse_instant
from ..domain.export import AuditRecord, ExportInputs
from ..domain.merge import MergeInputs
from ..domain.picks import ClosingLine, GameResult, HaltCommand, LedgerRow, ManualCommand, SignalRow
from ..domain.record import details_start
from ..domain.sports import DEFAULT_SPORT
from . import rows
from .backfills import BACKFILLS
from .ddl import Column, TableSchema, default_schema, load_migrations

BUSY_TIMEOUT_SECONDS = 10.0


def _latest_per_date(column: str, *beside: str) -> str:
    """`column` (and the `beside` columns of the same row) of the latest audit row of each date in
    a range that has it: one row per day, whatever the exports."""
    selected = ", ".join((column, *beside))
    return f"""
SELECT {selected} FROM (
  SELECT game_date, {selected},
         ROW_NUMBER() OVER (PARTITION BY game_date ORDER BY exported_at DESC, export_id DESC) AS newest
  FROM {rows.AUDIT_TABLE} WHERE sport = ? AND game_date >= ? AND game_date < ? AND {column} IS NOT NULL)
WHERE newest = 1 ORDER BY game_date"""


# A day shown pick by pick: its tally, and the day summary written with it (none in rows of the
# version before day summaries: the record then sums the tally itself).
_LATEST_TALLIES = _latest_per_date("tally", "day_summary")
_LATEST_SUMMARIES = _latest_per_date("day_summary")
# Cover those queries: without them, SQLite walks the audit rows, whose documents (all.json's copy
# included) make a season of them tens of megabytes.
_SEASON_INDEXES = (
    f"DROP INDEX IF EXISTS {rows.AUDIT_TABLE}__season_tallies",  # covered the tally alone: replaced
    *(f"CREATE INDEX IF NOT EXISTS {rows.AUDIT_TABLE}__season_{name} ON {rows.AUDIT_TABLE} "
      f"(sport, game_date, exported_at, export_id, {columns})"
      for name, columns in (("details", "tally, day_summary"), ("summaries", "day_summary"))),
)

# ledger.versions_to_fold (LedgerRow.order); in insertion order, as every other read.
_VERSIONS_TO_FOLD = f"""
SELECT {{columns}} FROM (
  SELECT rowid AS inserted, *,
         ROW_NUMBER() OVER (PARTITION BY pick_id ORDER BY recorded_at, export_id) AS oldest,
         ROW_NUMBER() OVER (PARTITION BY pick_id ORDER BY recorded_at DESC, export_id DESC) AS newest,
         ROW_NUMBER() OVER (PARTITION BY pick_id, status ORDER BY recorded_at, export_id) AS oldest_of_status
  FROM {rows.LEDGER_TABLE} WHERE sport = ? AND game_date BETWEEN ? AND ?)
WHERE oldest = 1 OR newest = 1 OR (status = 'voided' AND oldest_of_status = 1) ORDER BY inserted"""

_SQLITE_TYPES = {
    "STRING": "TEXT", "DATE": "TEXT", "TIMESTAMP": "TEXT", "ARRAY<STRING>": "TEXT",
    "INT64": "INTEGER", "BOOL": "INTEGER", "FLOAT64": "REAL",
}
_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "DATE": date.isoformat, "TIMESTAMP": format_instant, "BOOL": int,
    "ARRAY<STRING>": lambda items: json.dumps(items, ensure_ascii=False),
}
_DECODERS: dict[str, Callable[[Any], Any]] = {
    "DATE": date.fromisoformat, "TIMESTAMP": parse_instant, "BOOL": bool,
    "ARRAY<STRING>": json.loads,
}


class SqliteStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._schema = default_schema()
        self._enable_wal()
        with self._transaction() as connection:
            for statement in _create_statements(self._schema.values()):
                connection.execute(statement)
            added = list(_missing_columns(connection, self._schema.values()))
            for table, column, statement in added:
                connection.execute(statement)
            _backfill(connection, {(table, column) for table, column, _ in added})
            for index in (*_clustering_indexes(self._schema.values()), *_SEASON_INDEXES):
                connection.execute(index)  # after the migrations that add their columns

    # -- PickStore ---------------------------------------------------------------------------

    def load_export_inputs(self, game_date: date, *, sport: str = DEFAULT_SPORT, season_from: date | None = None,
                           all_json_date: date | None = None) -> ExportInputs:
        with self._transaction(write=False) as connection:  # one snapshot for every table
            def of_date(table: str) -> list[dict]:
                return self._select(connection, table, sport, game_date, game_date)

            merge = MergeInputs(
                game_date=game_date,
                sport=sport,
                signal=tuple(map(rows.signal_from_row, of_date(rows.SIGNAL_TABLE))),
                ledger=tuple(map(rows.ledger_from_row, self._versions_to_fold(connection, sport, game_date))),
                manual=tuple(map(rows.manual_from_row, of_date(rows.MANUAL_TABLE))),
                results=tuple(map(rows.result_from_row, of_date(rows.RESULTS_TABLE))),
                closing=tuple(map(rows.closing_from_row, of_date(rows.CLOSING_TABLE))),
            )
            audited = connection.execute(
                f"SELECT DISTINCT export_id FROM {rows.AUDIT_TABLE} WHERE sport = ? AND game_date IN (?, ?)",
                (sport, game_date.isoformat(), (all_json_date or game_date).isoformat()),
            ).fetchall()
            def latest(query: str, first: date, end: date) -> list[tuple]:
                return connection.execute(query, (sport, first.isoformat(), end.isoformat())).fetchall()

            details: list[tuple] = []
            summaries: list[str] = []
            if season_from is not None:
                details_from = details_start(game_date, season_from)
                details = latest(_LATEST_TALLIES, details_from, game_date)
                summaries = [text for (text,) in latest(_LATEST_SUMMARIES, season_from, details_from)]
            halts = self._select(connection, rows.HALTS_TABLE, sport, FIRST_DATE, LAST_DATE)
        return ExportInputs(merge, *rows.season_days(summaries, details),
                            frozenset(export_id for (export_id,) in audited), tuple(map(rows.halt_from_row, halts)))

    def append_ledger(self, ledger_rows: Sequence[LedgerRow]) -> None:
        self._insert(rows.LEDGER_TABLE, [rows.ledger_to_row(row) for row in ledger_rows])

    def append_audit(self, records: Sequence[AuditRecord]) -> None:
        self._insert(rows.AUDIT_TABLE, [rows.audit_to_row(record) for record in records])

    def record_manual(self, command: ManualCommand) -> bool:
        row = rows.manual_to_row(command, recorded_at=datetime.now(timezone.utc))
        return self._insert_once(rows.MANUAL_TABLE, row, command.game_date, command.request_id)

    def record_halt(self, command: HaltCommand, game_date: date) -> bool:
        row = rows.halt_to_row(command, game_date=game_date, recorded_at=datetime.now(timezone.utc))
        return self._insert_once(rows.HALTS_TABLE, row, game_date, command.request_id)

    def audit_records(self, game_date: date, sport: str = DEFAULT_SPORT) -> list[AuditRecord]:
        return list(map(rows.audit_from_row, self._rows_of_date(rows.AUDIT_TABLE, game_date, sport, "exported_at")))

    def ledger_history(self, game_date: date, sport: str = DEFAULT_SPORT) -> list[LedgerRow]:
        return list(map(rows.ledger_from_row, self._rows_of_date(rows.LEDGER_TABLE, game_date, sport, "recorded_at")))

    def _rows_of_date(self, table: str, game_date: date, sport: str, order: str) -> list[dict]:
        """Every row of a date of one sport, in `order` then export_id."""
        with self._transaction(write=False) as connection:
            return self._select(connection, table, sport, game_date, game_date, order=f"{order}, export_id")

    def audited_dates(self, sport: str = DEFAULT_SPORT) -> list[date]:
        with self._transaction(write=False) as connection:
            found = connection.execute(
                f"SELECT DISTINCT game_date FROM {rows.AUDIT_TABLE} WHERE sport = ? AND game_date >= ? "
                "ORDER BY game_date", (sport, FIRST_DATE.isoformat())).fetchall()
        return [date.fromisoformat(game_date) for (game_date,) in found]

    def migrate(self) -> list[str]:
        """Nothing to do: an embedded home migrates itself when it is opened."""
        return []

    def replace_signal(self, game_date: date, signal_rows: Sequence[SignalRow], sport: str = DEFAULT_SPORT) -> None:
        self._replace_date(rows.SIGNAL_TABLE, sport, game_date, [rows.signal_to_row(row) for row in signal_rows])

    def replace_results(self, game_date: date, results: Sequence[GameResult], sport: str = DEFAULT_SPORT) -> None:
        self._replace_date(rows.RESULTS_TABLE, sport, game_date, [rows.result_to_row(result) for result in results])

    def replace_closing(self, game_date: date, lines: Sequence[ClosingLine], sport: str = DEFAULT_SPORT) -> None:
        self._replace_date(rows.CLOSING_TABLE, sport, game_date, [rows.closing_to_row(line) for line in lines])

    # -- plumbing ----------------------------------------------------------------------------

    def _enable_wal(self) -> None:
        """WAL is a property of the file, so this is a no-op once done. Switching needs an
        exclusive lock that SQLite does not wait for (no busy handler there): retry for as long
        as a write would wait, while other processes open the same new file."""
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                with closing(self._connect()) as connection:
                    connection.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: transactions are begun explicitly, never implicitly by the module.
        return sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)

    @contextmanager
    def _transaction(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        connection = self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield connection
            connection.execute("COMMIT")
        finally:
            connection.close()  # rolls back a transaction left open by an error

    def _replace_date(self, table: str, sport: str, game_date: date, new_rows: list[dict]) -> None:
        rows.check_one_date(table, sport, game_date, new_rows)
        with self._transaction() as connection:
            connection.execute(f"DELETE FROM {table} WHERE game_date = ? AND sport = ?", (game_date.isoformat(), sport))
            self._insert_rows(connection, table, new_rows)

    def _insert_once(self, table: str, row: Mapping[str, Any], game_date: date, request_id: str) -> bool:
        """Insert unless the request_id is recorded for that date. Check and insert are one
        statement under the write lock: concurrent deliveries of the same request cannot both get in."""
        columns, placeholders = self._column_list(table)
        statement = (f"INSERT INTO {table} ({columns}) SELECT {placeholders} "
                     f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE game_date = ? AND request_id = ?)")
        with self._transaction() as connection:
            parameters = [*self._encode_row(table, row), game_date.isoformat(), request_id]
            return connection.execute(statement, parameters).rowcount == 1

    def _insert(self, table: str, new_rows: list[dict]) -> None:
        if new_rows:
            with self._transaction() as connection:
                self._insert_rows(connection, table, new_rows)

    def _insert_rows(self, connection: sqlite3.Connection, table: str, new_rows: list[dict]) -> None:
        columns, placeholders = self._column_list(table)
        statement = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        connection.executemany(statement, [self._encode_row(table, row) for row in new_rows])

    def _column_list(self, table: str) -> tuple[str, str]:
        """The table's columns and as many placeholders, in DDL order (the order of _encode_row)."""
        columns = self._schema[table].column_names
        return ", ".join(columns), ", ".join("?" for _ in columns)

    def _select(self, connection: sqlite3.Connection, table: str, sport: str, first_date: date, last_date: date,
                order: str = "rowid") -> list[dict]:
        """Rows of `table` for one sport's game dates first..last, as native values (insertion order by default)."""
        cursor = connection.execute(
            f"SELECT * FROM {table} WHERE sport = ? AND game_date BETWEEN ? AND ? ORDER BY {order}",
            (sport, first_date.isoformat(), last_date.isoformat()))
        return self._decoded(table, cursor)

    def _versions_to_fold(self, connection: sqlite3.Connection, sport: str, game_date: date) -> list[dict]:
        """ledger.versions_to_fold in SQL: of each pick of the date its first, first voided and latest row."""
        columns = ", ".join(self._schema[rows.LEDGER_TABLE].column_names)
        cursor = connection.execute(_VERSIONS_TO_FOLD.format(columns=columns),
                                    (sport, game_date.isoformat(), game_date.isoformat()))
        return self._decoded(rows.LEDGER_TABLE, cursor)

    def _decoded(self, table: str, cursor: sqlite3.Cursor) -> list[dict]:
        names = [description[0] for description in cursor.description]
        schema = self._schema[table]
        return [{name: _convert(_DECODERS, schema.column(name), value) for name, value in zip(names, record)}
                for record in cursor.fetchall()]

    def _encode_row(self, table: str, row: Mapping[str, Any]) -> list[Any]:
        return [_convert(_ENCODERS, column, row[column.name]) for column in self._schema[table].columns]


def _convert(converters: Mapping[str, Callable[[Any], Any]], column: Column, value: Any) -> Any:
    converter = converters.get(column.type)
    return value if value is None or converter is None else converter(value)


def _missing_columns(connection: sqlite3.Connection, schemas: Collection[TableSchema]) -> Iterator[tuple[str, str, str]]:
    """A home made by an earlier version migrates itself on open: each column that
    schemas/bigquery/migrations/ adds and the home lacks is added, its DEFAULT filling the rows
    already there (new columns go last, so the order matches a new home's)."""
    tables = {table.name: table for table in schemas if not table.is_view}
    for migration in load_migrations():
        for added in migration.added_columns():
            existing = {row[1] for row in connection.execute(f"PRAGMA table_info({added.table})")}
            if added.column in existing:
                continue
            definition = _column_definition(tables[added.table].column(added.column))
            if added.default is not None:
                definition += " DEFAULT '" + added.default.replace("'", "''") + "'"
            yield added.table, added.column, f"ALTER TABLE {added.table} ADD COLUMN {definition}"


def _backfill(connection: sqlite3.Connection, added: set[tuple[str, str]]) -> None:
    """Fill the columns just added that a migration cannot compute in SQL (adapters/backfills.py)."""
    for backfill in BACKFILLS:
        if (backfill.table, backfill.column) in added:
            found = connection.execute(f"SELECT rowid, {backfill.source} FROM {backfill.table} "
                                       f"WHERE {backfill.column} IS NULL").fetchall()
            connection.executemany(f"UPDATE {backfill.table} SET {backfill.column} = ? WHERE rowid = ?",
                                   [(backfill.compute(source), rowid) for rowid, source in found])


def _column_definition(column: Column) -> str:
    definition = f"{column.name} {_SQLITE_TYPES[column.type]}"
    if column.required:
        definition += " NOT NULL"
    if column.type == "BOOL":
        definition += f" CHECK ({column.name} IN (0, 1))"
    return definition


def _clustering_indexes(schemas: Collection[TableSchema]) -> Iterator[str]:
    """What BigQuery's CLUSTER BY gives a read within a partition: an index on the cluster columns,
    then the partition column (one sport's rows of a date range without visiting the others')."""
    for table in schemas:
        if table.cluster_columns:
            columns = ", ".join((*table.cluster_columns, table.partition_column))
            yield f"CREATE INDEX IF NOT EXISTS {table.name}__clustered ON {table.name} ({columns})"


def _create_statements(schemas: Collection[TableSchema]) -> Iterator[str]:
    """Tables first (STRICT, NOT NULL kept, an index standing in for the partition), then views."""
    for table in schemas:
        if table.is_view:
            continue
        definitions = ", ".join(map(_column_definition, table.columns))
        yield f"CREATE TABLE IF NOT EXISTS {table.name} ({definitions}) STRICT"
        yield (f"CREATE INDEX IF NOT EXISTS {table.name}__{table.partition_column} "
               f"ON {table.name} ({table.partition_column})")
    for view in schemas:
        if view.is_view:
            yield view.render(dataset=None)  # backquoted names are valid SQLite
