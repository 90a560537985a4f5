"""The naive export `make bench` measures picklock against (a comparison, not production code).

It is the sequence a straightforward implementation runs, and roughly what the production
system picklock replaces ran, through the same BigQuery and Cloud Storage emulators, on the same
tables and data:

    3 reads     SELECT signal picks, SELECT published picks, SELECT manual picks (one job each)
    2 writes    DELETE the date's published picks, then INSERT the merged list
    1 write     INSERT an audit row
    2 uploads   the per-date file and all.json, unconditionally (no unchanged check, no
                generation precondition)

The merge itself is picklock's pure core (`plan_export`), so the two differ only in their I/O.
It reads no results and no season tallies (no grading, an empty season record): the baseline is
the cheapest naive sequence, not a feature-for-feature copy. Only the bench (tools/bench/jobs.py)
and its smoke test import this file.
"""
from __future__ import annotations

import random
from datetime import date, datetime
from typing import Any, Callable, Sequence

from google.cloud import bigquery, storage

from picklock.adapters import rows
from picklock.adapters.ddl import default_schema
from picklock.domain.export import ExportInputs, ExportPlan, plan_export
from picklock.domain.merge import MergeInputs
from picklock.domain.picks import LedgerRow
from picklock.service_layer.services import new_export_id
from tests.harness.nba_paths import ALL_JSON, NBA, date_file_name

_SCALAR_TYPES = {"STRING", "INT64", "FLOAT64", "BOOL", "DATE", "TIMESTAMP"}


class NaiveExporter:
    """One naive export per call; `client` and `bucket` talk to the emulators."""

    def __init__(self, client: bigquery.Client, dataset: str, bucket: storage.Bucket, *,
                 clock: Callable[[], datetime]):
        self.client = client
        self.dataset = dataset  # "project.dataset"
        self.bucket = bucket
        self.clock = clock
        self.schema = default_schema()

    def export(self, game_date: date, trigger: str = "signal_updated") -> ExportPlan:
        signal = [rows.signal_from_row(r) for r in self._select(rows.SIGNAL_TABLE, game_date)]
        ledger = [rows.ledger_from_row(r) for r in self._select(rows.LEDGER_TABLE, game_date)]
        manual = [rows.manual_from_row(r) for r in self._select(rows.MANUAL_TABLE, game_date)]
        now = self.clock()
        export_id = new_export_id("nba", game_date, now, f"{random.getrandbits(32):08x}")
        plan = plan_export(sport=NBA, inputs=
            ExportInputs(MergeInputs(game_date, tuple(signal), tuple(ledger), tuple(manual))),
            date_file=None, all_json=None, now=now, export_id=export_id, trigger=trigger,
        )
        # The "lock table" holds the current state: one row per pick, rewritten every export.
        current = [LedgerRow(pick, "exported", export_id, now) for pick in plan.merge.picks]
        self._delete(rows.LEDGER_TABLE, game_date)
        self._insert(rows.LEDGER_TABLE, [rows.ledger_to_row(r) for r in current])
        self._insert(rows.AUDIT_TABLE, [rows.audit_to_row(plan.audit[-1])])
        self.bucket.blob(date_file_name(game_date)).upload_from_string(
            plan.date_text, content_type="application/json")
        if plan.all_json_text is not None:
            self.bucket.blob(ALL_JSON).upload_from_string(plan.all_json_text, content_type="application/json")
        return plan

    def record_manual(self, command) -> None:
        """A manual command, as the naive system stores it: one INSERT."""
        row = rows.manual_to_row(command, recorded_at=self.clock())
        self._insert(rows.MANUAL_TABLE, [row])

    # -- SQL -----------------------------------------------------------------------------------

    def _table(self, name: str) -> str:
        return f"`{self.dataset}.{name}`"

    def _select(self, table: str, game_date: date) -> list[dict[str, Any]]:
        columns = ", ".join(self.schema[table].column_names)
        result = self.client.query_and_wait(
            f"SELECT {columns} FROM {self._table(table)} WHERE game_date = @game_date",
            job_config=self._config([bigquery.ScalarQueryParameter("game_date", "DATE", game_date)]))
        return [dict(row.items()) for row in result]

    def _delete(self, table: str, game_date: date) -> None:
        self.client.query_and_wait(
            f"DELETE FROM {self._table(table)} WHERE game_date = @game_date",
            job_config=self._config([bigquery.ScalarQueryParameter("game_date", "DATE", game_date)]))

    def _insert(self, table: str, new_rows: Sequence[dict[str, Any]]) -> None:
        if not new_rows:
            return
        schema = self.schema[table]
        structs = [bigquery.StructQueryParameter(None, *(self._parameter(schema, n, v) for n, v in row.items()))
                   for row in new_rows]
        self.client.query_and_wait(
            f"INSERT INTO {self._table(table)} ({', '.join(schema.column_names)}) "
            f"SELECT {', '.join('r.' + c for c in schema.column_names)} FROM UNNEST(@rows) AS r",
            job_config=self._config([bigquery.ArrayQueryParameter("rows", "STRUCT", structs)]))

    @staticmethod
    def _config(parameters: list) -> bigquery.QueryJobConfig:
        return bigquery.QueryJobConfig(query_parameters=parameters)

    @staticmethod
    def _parameter(schema, name: str, value: Any):
        column_type = schema.column(name).type
        if column_type == "ARRAY<STRING>":
            return bigquery.ArrayQueryParameter(name, "STRING", list(value or []))
        assert column_type in _SCALAR_TYPES, column_type
        return bigquery.ScalarQueryParameter(name, column_type, value)
