"""PickStore on BigQuery (google-cloud-bigquery): one read job per export, DML-only writes.

- Every statement uses query parameters; no value is ever formatted into SQL.
- The export's read is a table function in the dataset, named after its own text, which the store
  creates when it is missing: each export sends a one-line call (bqemulator parses a statement
  some 18 times per job, so the read's ~4 kB of text cost it ~300 ms), and code and function can
  never disagree, since a changed read is a new function.
- Writes are DML INSERTs (no streaming inserts: rows written by streaming cannot be touched by
  DML for up to 90 minutes; no load jobs). picklock's own tables are append-only.
- Every statement that reads a partitioned table filters on `game_date` (the tables require it;
  tests/unit/test_bigquery_sql.py checks it statically, since the emulator does not).
- Reads use `query_and_wait` with job creation optional (BigQuery's short-query mode).
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from datetime import date, datetime, timezone
from functools import cached_property
from typing import Any, Mapping, Sequence

from google.api_core.exceptions import GoogleAPICallError, NotFound
from google.cloud import bigquery
from google.cloud.bigquery.retry import DEFAULT_JOB_RETRY, DEFAULT_RETRY

from ..domain.calendar import FIRST_DATE, to_utc
from ..domain.export import AuditRecord, ExportInputs
from ..domain.merge import MergeInputs
from ..domain.picks import ClosingLine, GameResult, HaltCommand, LedgerRow, ManualCommand, SignalRow
from ..domain.record import details_start
from ..domain.sports import DEFAULT_SPORT
from . import rows
from .backfills import BACKFILLS, Backfill
from .ddl import TableSchema, default_schema, load_migrations

# Each call gives up after this long, well within the function timeout (60 s, infra/variables.tf):
# a persistent fault then fails the push and Pub/Sub redelivers it. The client's defaults retry
# for 10 minutes and re-run a failed query for 40, long after the push was given up on.
CALL_TIMEOUT_SECONDS = 10.0
_CALL_LIMITS = dict(api_timeout=CALL_TIMEOUT_SECONDS, retry=DEFAULT_RETRY.with_timeout(CALL_TIMEOUT_SECONDS),
                    job_retry=DEFAULT_JOB_RETRY.with_timeout(CALL_TIMEOUT_SECONDS))

READ_FUNCTION_PREFIX = "export_inputs_"
READ_FUNCTIONS_KEPT_BEFORE = 1  # besides this version's: the previous revision's, for a rolling deploy

_PARAMETER_TYPES = {"STRING": "STRING", "INT64": "INT64", "FLOAT64": "FLOAT64", "BOOL": "BOOL",
                    "DATE": "DATE", "TIMESTAMP": "TIMESTAMP"}


def make_client(project: str, *, endpoint: str | None = None) -> bigquery.Client:
    """A client in short-query mode; with `endpoint` (an emulator) anonymous and error-checked."""
    if endpoint is None:
        return bigquery.Client(project=project, default_job_creation_mode="JOB_CREATION_OPTIONAL")
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials

    client = bigquery.Client(
        project=project, credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=endpoint),
        default_job_creation_mode="JOB_CREATION_OPTIONAL",
    )
    _raise_on_emulator_query_errors(client)
    return client


def _raise_on_emulator_query_errors(client: bigquery.Client) -> None:
    """The emulator answers a failed jobs.query with HTTP 200 and an `errors` list, which the
    client reads as warnings; real BigQuery fails the call. Make the emulator fail it too."""
    from google.api_core.exceptions import BadRequest

    def hook(response, *args, **kwargs):
        request = response.request
        if request.method != "POST" or response.status_code != 200 or not request.path_url.split("?")[0].endswith("/queries"):
            return response
        body = response.json()
        if body.get("jobComplete") and body.get("errors"):
            raise BadRequest("BigQuery query failed: " + "; ".join(str(e.get("message", e)) for e in body["errors"]))
        return response

    client._http.hooks.setdefault("response", []).append(hook)


_WHOLE_ROW_TABLES = frozenset({rows.LEDGER_TABLE, rows.MANUAL_TABLE, rows.HALTS_TABLE})


class BigQueryStore:
    def __init__(self, project: str, dataset: str, *, endpoint: str | None = None,
                 client: bigquery.Client | None = None):
        self.project = project
        self.dataset = f"{project}.{dataset}"
        self._endpoint = endpoint
        self._client = client
        self._schema = default_schema()
        self.jobs: Counter[str] = Counter()  # "read" / "write" / "ddl" jobs, and bytes processed
        self._read_function_found = False

    @property
    def client(self) -> bigquery.Client:
        if self._client is None:  # created on first use: keeps function cold starts short
            self._client = make_client(self.project, endpoint=self._endpoint)
        return self._client

    def create_tables(self) -> None:
        """Dataset and every table and view from schemas/bigquery it lacks (tables first: views
        read them), then the read's table function. Tables that exist are left alone, statements
        and all."""
        self._create_missing_tables()
        self._create_read_function()

    def _create_missing_tables(self) -> None:
        self.client.create_dataset(bigquery.Dataset(self.dataset), exists_ok=True)
        existing = {table.table_id for table in self.client.list_tables(self.dataset)}
        for table in sorted(self._schema.values(), key=lambda t: t.is_view):
            if table.name not in existing:
                self.client.query_and_wait(table.render(self.dataset))

    def migrate(self) -> list[str]:
        """Bring a dataset made by an earlier version to today's shape: the tables it lacks, then
        schemas/bigquery/migrations/ in order, and the read's table function last (it names the
        columns the migrations add). Every statement is idempotent, so this is safe to re-run;
        returns the migrations applied."""
        self._create_missing_tables()
        applied = []
        for migration in load_migrations():
            for statement in migration.statements(self.dataset):
                self.client.query_and_wait(statement)
            applied.append(migration.name)
        for backfill in BACKFILLS:
            self._backfill(backfill)
        reclustered = self._cluster_as_declared()
        if reclustered:
            applied.append("clustering: " + ", ".join(reclustered))
        self._create_read_function()
        dropped = self._drop_old_read_functions()
        if dropped:
            applied.append("read functions dropped: " + ", ".join(dropped))
        return applied

    def _drop_old_read_functions(self) -> list[str]:
        """Each version whose read changed left a function in the dataset. This version's and the
        newest before it stay (instances of the previous revision read through theirs until a
        rolling deploy replaces them); older ones go. An instance that still calls a dropped one
        makes it again on its next delivery (`_find_read_function`)."""
        current = self.read_function_name.split(".")[-1]
        earlier = sorted((routine for routine in self.client.list_routines(self.dataset)
                          if routine.routine_id.startswith(READ_FUNCTION_PREFIX) and routine.routine_id != current),
                         key=lambda routine: routine.created, reverse=True)
        dropped = earlier[READ_FUNCTIONS_KEPT_BEFORE:]
        for routine in dropped:
            self.client.delete_routine(routine, not_found_ok=True)
        return [routine.routine_id for routine in dropped]

    def _cluster_as_declared(self) -> list[str]:
        """CLUSTER BY is set when a table is created, and no DDL statement changes it afterwards: a
        table made before its DDL file clustered it gets the declared clustering through the tables
        API (rows written from then on are clustered; BigQuery reclusters older ones in the
        background). Returns the tables changed; none when every table already matches."""
        changed = []
        for schema in self._schema.values():
            if schema.is_view:
                continue
            table = self.client.get_table(f"{self.dataset}.{schema.name}")
            if tuple(table.clustering_fields or ()) != schema.cluster_columns:
                table.clustering_fields = list(schema.cluster_columns) or None
                self.client.update_table(table, ["clustering_fields"])
                changed.append(schema.name)
        return changed

    def _backfill(self, backfill: Backfill) -> None:
        """Fill, where NULL, a column a migration cannot compute in SQL: read the rows, compute in
        Python, and write every value back in one UPDATE joined on the row's keys."""
        table = self._schema[backfill.table]
        keys = ", ".join(backfill.keys)
        found = self._query("read", f"SELECT {keys}, {backfill.source} FROM `{self.dataset}.{backfill.table}` "
                            f"WHERE game_date >= @first_date AND {backfill.column} IS NULL",
                            [bigquery.ScalarQueryParameter("first_date", "DATE", FIRST_DATE)])
        values = {tuple(row[key] for key in backfill.keys): backfill.compute(row[backfill.source]) for row in found}
        if not values:
            return
        structs = [bigquery.StructQueryParameter(None, *(self._parameter(table, key, value)
                                                         for key, value in zip(backfill.keys, row_keys)),
                                                 self._parameter(table, backfill.column, computed))
                   for row_keys, computed in values.items()]
        matches = " AND ".join(f"t.{key} = u.{key}" for key in backfill.keys)
        self._query("write", f"UPDATE `{self.dataset}.{backfill.table}` t SET {backfill.column} = u.{backfill.column} "
                    f"FROM UNNEST(@rows) AS u WHERE t.game_date >= @first_date AND {matches} "
                    f"AND t.{backfill.column} IS NULL",
                    [bigquery.ArrayQueryParameter("rows", "STRUCT", structs),
                     bigquery.ScalarQueryParameter("first_date", "DATE", FIRST_DATE)])

    # -- PickStore ---------------------------------------------------------------------------

    def load_export_inputs(self, game_date: date, *, sport: str = DEFAULT_SPORT, season_from: date | None = None,
                           all_json_date: date | None = None) -> ExportInputs:
        if not self._read_function_found:
            self._find_read_function()
        try:
            result = self._query("read", self.read_function_call,
                                 self.read_parameters(game_date, sport, season_from, all_json_date))
        except GoogleAPICallError:
            self._read_function_found = False  # look again next time: someone may have dropped it
            raise
        (row,) = list(result)
        season_tallies, season_summaries = rows.season_days(
            [day["day_summary"] for day in _by_date(row["summaries"])],
            [(day["tally"], day["day_summary"]) for day in _by_date(row["tallies"])])
        return ExportInputs(
            merge=MergeInputs(
                game_date=game_date,
                sport=sport,
                signal=tuple(map(rows.signal_from_row, row["signal"])),
                ledger=tuple(map(rows.ledger_from_row, row["ledger"])),
                manual=tuple(map(rows.manual_from_row, row["manual"])),
                results=tuple(map(rows.result_from_row, row["results"])),
                closing=tuple(map(rows.closing_from_row, row["closing"])),
            ),
            season_tallies=season_tallies,
            season_summaries=season_summaries,
            audited_export_ids=frozenset(r["export_id"] for r in row["audited"]),
            halt_commands=tuple(map(rows.halt_from_row, row["halts"])),
        )

    @staticmethod
    def read_parameters(game_date: date, sport: str, season_from: date | None,
                        all_json_date: date | None) -> list[bigquery.ScalarQueryParameter]:
        values = {"game_date": game_date, "sport": sport, "season_start": season_from or game_date,
                  "details_start": details_start(game_date, season_from or game_date),
                  "with_season": season_from is not None, "all_json_date": all_json_date or game_date,
                  "first_date": FIRST_DATE}
        return [bigquery.ScalarQueryParameter(name, kind, values[name]) for name, kind in _READ_PARAMETERS]

    @cached_property
    def read_function_name(self) -> str:
        """`export_inputs_` and a digest of the read's text (the dataset's name left out): a new
        version of the read gets a new function, while instances of the last one still call theirs."""
        digest = hashlib.sha256(self.export_inputs_sql().replace(self.dataset, "").encode()).hexdigest()
        return f"{self.dataset}.{READ_FUNCTION_PREFIX}{digest[:16]}"

    @cached_property
    def read_function_call(self) -> str:
        arguments = ", ".join("@" + name for name, _ in _READ_PARAMETERS)
        return f"SELECT * FROM `{self.read_function_name}`({arguments})"

    def read_function_ddl(self) -> str:
        signature = ", ".join(f"{_ARGUMENT}{name} {kind}" for name, kind in _READ_PARAMETERS)
        body = re.sub(r"@(\w+)", _ARGUMENT + r"\1", self.export_inputs_sql())
        return f"CREATE OR REPLACE TABLE FUNCTION `{self.read_function_name}`({signature}) AS ({body})"

    def _find_read_function(self) -> None:
        """Once per instance (an API call, not a job): create the read's function if this version
        of the code is the first to run against the dataset."""
        try:
            self.client.get_routine(self.read_function_name, timeout=CALL_TIMEOUT_SECONDS)
        except NotFound:
            self._create_read_function()
        self._read_function_found = True

    def _create_read_function(self) -> None:
        self._query("ddl", self.read_function_ddl(), [])

    def export_inputs_sql(self) -> str:
        """One statement, one job: every table an export needs, as arrays of structs (the body of
        the read's table function; `@name` are its arguments)."""
        def of_date(table: str, qualify: str = "") -> str:
            return self._array_of(table, "game_date = @game_date AND sport = @sport" + qualify)

        def latest_per_date(first: str, end: str, column: str, *beside: str) -> str:
            """Per date, `column` and the `beside` columns ('' for NULL: an array holds no NULL) of
            the latest audit row that has `column` (export ids are unique: each ARRAY_AGG keeps the
            same row)."""
            newest = ", ".join(f"ARRAY_AGG({value} ORDER BY exported_at DESC, export_id DESC LIMIT 1)[OFFSET(0)] "
                               f"AS {name}" for name, value in ((column, column),
                                                                *((name, f"IFNULL({name}, '')") for name in beside)))
            return (f"ARRAY(SELECT AS STRUCT game_date, {newest} FROM `{self.dataset}.{rows.AUDIT_TABLE}` "
                    f"WHERE game_date >= {first} AND game_date < {end} AND sport = @sport "
                    f"AND {column} IS NOT NULL AND @with_season GROUP BY game_date)")

        return f"""
SELECT
  {of_date(rows.SIGNAL_TABLE)} AS signal,
  {of_date(rows.LEDGER_TABLE, _VERSIONS_TO_FOLD)} AS ledger,
  {of_date(rows.MANUAL_TABLE)} AS manual,
  {of_date(rows.RESULTS_TABLE)} AS results,
  {of_date(rows.CLOSING_TABLE)} AS closing,
  ARRAY(SELECT AS STRUCT export_id FROM `{self.dataset}.{rows.AUDIT_TABLE}` WHERE (game_date = @game_date OR game_date = @all_json_date) AND sport = @sport) AS audited,
  {latest_per_date("@details_start", "@game_date", "tally", "day_summary")} AS tallies,
  {latest_per_date("@season_start", "@details_start", "day_summary")} AS summaries,
  {self._array_of(rows.HALTS_TABLE, "game_date >= @first_date AND sport = @sport")} AS halts
"""

    def _array_of(self, table: str, where: str) -> str:
        """An ARRAY of the rows of `table` that `where` keeps. picklock writes every column of
        its own tables and reads them whole: `AS VALUE t` says so in a few characters (the same
        columns billed; bqemulator parses a statement some 18 times, so its read costs in proportion
        to the text). The upstream tables may hold columns picklock never reads: those are listed,
        which keeps them out of the bytes billed."""
        if table in _WHOLE_ROW_TABLES:
            return f"ARRAY(SELECT AS VALUE t FROM `{self.dataset}.{table}` AS t WHERE {where})"
        return f"ARRAY(SELECT AS STRUCT {self._columns(table)} FROM `{self.dataset}.{table}` WHERE {where})"

    def append_ledger(self, ledger_rows: Sequence[LedgerRow]) -> None:
        self._insert(rows.LEDGER_TABLE, [rows.ledger_to_row(r) for r in ledger_rows])

    def append_audit(self, records: Sequence[AuditRecord]) -> None:
        self._insert(rows.AUDIT_TABLE, [rows.audit_to_row(r) for r in records])

    def record_manual(self, command: ManualCommand) -> bool:
        row = rows.manual_to_row(command, recorded_at=to_utc(datetime.now(timezone.utc)))
        return self._insert_once(rows.MANUAL_TABLE, row)

    def record_halt(self, command: HaltCommand, game_date: date) -> bool:
        row = rows.halt_to_row(command, game_date=game_date, recorded_at=to_utc(datetime.now(timezone.utc)))
        return self._insert_once(rows.HALTS_TABLE, row)

    def audit_records(self, game_date: date, sport: str = DEFAULT_SPORT) -> list[AuditRecord]:
        return list(map(rows.audit_from_row, self._rows_of_date(rows.AUDIT_TABLE, game_date, sport, "exported_at")))

    def ledger_history(self, game_date: date, sport: str = DEFAULT_SPORT) -> list[LedgerRow]:
        return list(map(rows.ledger_from_row, self._rows_of_date(rows.LEDGER_TABLE, game_date, sport, "recorded_at")))

    def _rows_of_date(self, table: str, game_date: date, sport: str, order: str) -> list[dict]:
        """Every row of a date of one sport, in `order` then export_id (a read job)."""
        sql = (f"SELECT {self._columns(table)} FROM `{self.dataset}.{table}` "
               f"WHERE game_date = @game_date AND sport = @sport ORDER BY {order}, export_id")
        result = self._query("read", sql, [bigquery.ScalarQueryParameter("game_date", "DATE", game_date),
                                           bigquery.ScalarQueryParameter("sport", "STRING", sport)])
        return [dict(row.items()) for row in result]

    def audited_dates(self, sport: str = DEFAULT_SPORT) -> list[date]:
        sql = (f"SELECT DISTINCT game_date FROM `{self.dataset}.{rows.AUDIT_TABLE}` "
               "WHERE game_date >= @first_date AND sport = @sport ORDER BY game_date")
        result = self._query("read", sql, [bigquery.ScalarQueryParameter("first_date", "DATE", FIRST_DATE),
                                           bigquery.ScalarQueryParameter("sport", "STRING", sport)])
        return [row["game_date"] if isinstance(row["game_date"], date) else date.fromisoformat(row["game_date"])
                for row in result]

    # Upstream tables: only the CLI's `signal load` / `results load` and tests write them.
    def replace_signal(self, game_date: date, signal_rows: Sequence[SignalRow], sport: str = DEFAULT_SPORT) -> None:
        self._replace_date(rows.SIGNAL_TABLE, sport, game_date, [rows.signal_to_row(r) for r in signal_rows])

    def replace_results(self, game_date: date, results: Sequence[GameResult], sport: str = DEFAULT_SPORT) -> None:
        self._replace_date(rows.RESULTS_TABLE, sport, game_date, [rows.result_to_row(r) for r in results])

    def replace_closing(self, game_date: date, lines: Sequence[ClosingLine], sport: str = DEFAULT_SPORT) -> None:
        self._replace_date(rows.CLOSING_TABLE, sport, game_date, [rows.closing_to_row(r) for r in lines])

    # -- SQL -----------------------------------------------------------------------------------

    def _replace_date(self, table: str, sport: str, game_date: date, new_rows: list[dict]) -> None:
        rows.check_one_date(table, sport, game_date, new_rows)
        self._query("write", f"DELETE FROM `{self.dataset}.{table}` WHERE game_date = @game_date AND sport = @sport",
                    [bigquery.ScalarQueryParameter("game_date", "DATE", game_date),
                     bigquery.ScalarQueryParameter("sport", "STRING", sport)])
        self._insert(table, new_rows)

    def _insert_once(self, table_name: str, row: dict) -> bool:
        """Insert unless the row's request_id is recorded for its date: one DML job, so concurrent
        deliveries of the same request cannot both get in."""
        table = self._schema[table_name]
        sql = (f"INSERT INTO `{self.dataset}.{table_name}` ({self._columns(table_name)}) "
               f"SELECT {', '.join('@' + c for c in table.column_names)} FROM (SELECT 1) "
               f"WHERE NOT EXISTS (SELECT 1 FROM `{self.dataset}.{table_name}` "
               f"WHERE game_date = @game_date AND request_id = @request_id)")
        result = self._query("write", sql, [self._parameter(table, name, value) for name, value in row.items()])
        return bool(result.num_dml_affected_rows)

    def _insert(self, table_name: str, new_rows: list[dict]) -> None:
        """All rows in one DML job: INSERT ... SELECT FROM UNNEST(@rows) of typed structs."""
        if not new_rows:
            return
        table = self._schema[table_name]
        columns = self._columns(table_name)
        sql = (f"INSERT INTO `{self.dataset}.{table_name}` ({columns}) "
               f"SELECT {', '.join('r.' + c for c in table.column_names)} FROM UNNEST(@rows) AS r")
        structs = [bigquery.StructQueryParameter(None, *(self._parameter(table, n, v) for n, v in row.items()))
                   for row in new_rows]
        self._query("write", sql, [bigquery.ArrayQueryParameter("rows", "STRUCT", structs)])

    def _query(self, kind: str, sql: str, parameters: list) -> Any:
        config = bigquery.QueryJobConfig(query_parameters=parameters)
        result = self.client.query_and_wait(sql, job_config=config, **_CALL_LIMITS)
        self.jobs[kind] += 1
        self.jobs["bytes_processed"] += result.total_bytes_processed or 0
        return result

    def _columns(self, table_name: str) -> str:
        return ", ".join(self._schema[table_name].column_names)

    @staticmethod
    def _parameter(table: TableSchema, name: str, value: Any):
        column_type = table.column(name).type
        if column_type == "ARRAY<STRING>":
            return bigquery.ArrayQueryParameter(name, "STRING", list(value or []))
        return bigquery.ScalarQueryParameter(name, _PARAMETER_TYPES[column_type], value)


# The read's arguments, in the order its table function takes them. In the function's body `@name`
# becomes `arg_name`: an argument named like a column would be read as the column.
_READ_PARAMETERS = (("game_date", "DATE"), ("sport", "STRING"), ("season_start", "DATE"), ("details_start", "DATE"),
                    ("with_season", "BOOL"), ("all_json_date", "DATE"), ("first_date", "DATE"))
_ARGUMENT = "arg_"

# ledger.versions_to_fold: of each pick its first, first voided and latest row (LedgerRow.order).
_VERSIONS_TO_FOLD = (
    " QUALIFY ROW_NUMBER() OVER (PARTITION BY pick_id ORDER BY recorded_at, export_id) = 1"
    " OR ROW_NUMBER() OVER (PARTITION BY pick_id ORDER BY recorded_at DESC, export_id DESC) = 1"
    " OR (status = 'voided' AND ROW_NUMBER() OVER (PARTITION BY pick_id, status ORDER BY recorded_at, export_id) = 1)")


def _by_date(days: list) -> list:
    return sorted(days, key=lambda day: day["game_date"])
