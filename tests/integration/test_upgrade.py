"""Upgrading a deployment made by the version before sports and command targets loses nothing.

The data is tests/fixtures/home-v1, made by that version's CLI (see its MADE_BY.md): the embedded
home is opened by today's code as is; for BigQuery, its rows are loaded into tables made by that
version's DDL (tests/fixtures/bigquery-v1) on the emulator, then `picklock migrate` runs. Either
way every published pick, audit row and manual command is still there, every old version is still
shown byte for byte, and the next export keeps every published pick with its published fields.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
from contextlib import closing
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from picklock.adapters.ddl import load_schema
from picklock.adapters.local_publisher import LocalPublisher
from picklock.adapters.sqlite_store import SqliteStore
from picklock.domain.calendar import parse_instant
from picklock.service_layer.services import PicklockService
from tests.harness.nba_paths import NBA

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
V1_HOME = FIXTURES / "home-v1"
DATES = (date(2026, 2, 27), date(2026, 2, 28))
NOW = datetime(2026, 2, 28, 18, 0, tzinfo=timezone.utc)
PUBLISHED_FIELDS = ("pick_id", "player_lookup", "stat", "team", "opponent", "direction", "line", "source",
                    "system_id", "algorithm_version", "manual_request_id", "submitted_by", "first_published_at",
                    "game_id", "game_time", "notes")


def v1_rows(table: str) -> list[dict]:
    with closing(sqlite3.connect(V1_HOME / "picklock.sqlite3")) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(f"SELECT * FROM {table} ORDER BY rowid")]


def published_files(bucket: Path) -> dict[str, dict]:
    """pick_id -> published fields, over every file of the v1 bucket (per-date files and history)."""
    fields = {}
    for path in sorted(bucket.rglob("*.json")):
        data = json.loads(path.read_text())
        for entry in data.get("picks", data.get("today", [])):
            fields[entry["pick_id"]] = {k: entry[k] for k in PUBLISHED_FIELDS}
    return fields


def check_upgraded(service: PicklockService, bucket: Path) -> None:
    before = published_files(V1_HOME / "bucket")
    audits = {row["export_id"]: row["document"] for row in v1_rows("best_bets_export_audit")}
    for game_date in DATES:
        for record in service.audit_records(game_date):
            assert audits.pop(record.export_id) == record.document  # byte for byte
        assert service.audit_record(service.audit_records(game_date)[-1].export_id).sport == "nba"
    assert audits == {}
    commands = {row["request_id"] for row in v1_rows("best_bets_manual_picks")}
    assert {c.request_id for d in DATES for c in service.manual_commands(d)} == commands

    for game_date in DATES:
        service.export(game_date, "cli")
    after = published_files(bucket)
    assert set(before) <= set(after)  # G1 across the upgrade
    for pick_id, fields in before.items():
        assert after[pick_id] == fields, pick_id  # G3 across the upgrade
    shown = json.loads((bucket / NBA.date_file_name(DATES[0])).read_text())
    assert shown["sport"] == "nba" and {p["player_lookup"]: p["status"] for p in shown["picks"]}["tatum"] == "voided"
    all_json = json.loads((bucket / NBA.all_json_name).read_text())
    # curry and guisantos won on 2026-02-27; tatum was voided, jokic did not play
    assert (all_json["date"], all_json["halt_active"], all_json["record"]["wins"]) == ("2026-02-28", False, 2)


def test_an_embedded_home_of_the_previous_version_migrates_itself_on_open(tmp_path):
    home = tmp_path / "home"
    shutil.copytree(V1_HOME, home)
    store = SqliteStore(home / "picklock.sqlite3")
    with closing(sqlite3.connect(home / "picklock.sqlite3")) as connection:
        sports = connection.execute("SELECT DISTINCT sport FROM best_bets_published_picks").fetchall()
    assert sports == [("nba",)]
    service = PicklockService(store, LocalPublisher(home / "bucket"), clock=lambda: NOW)
    check_upgraded(service, home / "bucket")
    SqliteStore(home / "picklock.sqlite3")  # opening it again changes nothing


_BIGQUERY_TYPES = {"STRING": "STRING", "INT64": "INT64", "FLOAT64": "FLOAT64", "BOOL": "BOOL", "DATE": "DATE",
                   "TIMESTAMP": "TIMESTAMP"}


def _v1_parameter(column, value):
    from google.cloud import bigquery

    if column.type == "ARRAY<STRING>":
        return bigquery.ArrayQueryParameter(column.name, "STRING", json.loads(value) if value else [])
    if value is not None:
        value = {"DATE": date.fromisoformat, "TIMESTAMP": parse_instant, "BOOL": bool}.get(column.type, lambda v: v)(value)
    return bigquery.ScalarQueryParameter(column.name, _BIGQUERY_TYPES[column.type], value)


@pytest.mark.emulators
def test_a_bigquery_dataset_of_the_previous_version_is_migrated_by_picklock_migrate(emulators, unique_name, tmp_path):
    from google.cloud import bigquery

    from picklock.adapters.bigquery_store import BigQueryStore

    store = BigQueryStore("picklock-local", unique_name("v1").replace("-", "_"),
                          endpoint=os.environ["PICKLOCK_BIGQUERY_ENDPOINT"])
    client = store.client
    client.create_dataset(bigquery.Dataset(store.dataset))
    v1 = load_schema(FIXTURES / "bigquery-v1")
    for table in sorted(v1.values(), key=lambda t: t.is_view):
        client.query_and_wait(table.render(store.dataset))
    for table in (t for t in v1.values() if not t.is_view):
        for row in v1_rows(table.name):
            names = ", ".join(table.column_names)
            client.query_and_wait(
                f"INSERT INTO `{store.dataset}.{table.name}` ({names}) "
                f"VALUES ({', '.join('@' + n for n in table.column_names)})",
                job_config=bigquery.QueryJobConfig(query_parameters=[
                    _v1_parameter(column, row[column.name]) for column in table.columns]))

    assert store.migrate() == ["001_manual_picks_targets", "002_sport"]
    assert store.migrate() == ["001_manual_picks_targets", "002_sport"]  # idempotent
    bucket = tmp_path / "bucket"
    shutil.copytree(V1_HOME / "bucket", bucket)
    check_upgraded(PicklockService(store, LocalPublisher(bucket), clock=lambda: NOW), bucket)
