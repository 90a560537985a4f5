"""Upgrading a deployment made by an earlier version loses nothing.

Three earlier versions, each with data made by its own CLI (see MADE_BY.md of each home): v1, before
sports and command targets (tests/fixtures/home-v1), v2, before the public record
(tests/fixtures/home-v2: sports and a halt, no prices or day tallies), and v3, before day summaries
(tests/fixtures/home-v3: prices and closing lines on a date older than the weeks all.json shows pick
by pick, so the record counts it through the summary the migration fills). The embedded home is opened
by today's code as is; for BigQuery, its rows are loaded into tables made by that version's DDL
(tests/fixtures/bigquery-v*) on the emulator, then `picklock migrate` runs. Either way every
published pick, audit row and manual command is still there, every old version is still shown byte
for byte, every audit row has its day tally and summary, the next exports keep every published pick with its
published fields, and all.json's record counts the days graded before the upgrade.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from picklock.adapters.ddl import load_schema
from picklock.adapters.local_publisher import LocalPublisher
from picklock.adapters.sports_file import default_catalogue
from picklock.adapters.sqlite_store import SqliteStore
from picklock.domain.calendar import parse_instant
from picklock.service_layer.services import PicklockService

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MIGRATIONS = ["001_manual_picks_targets", "002_sport", "003_record", "004_day_summary", "005_same_as"]
UNPRICED = dict(units=0.0, priced=0)  # nothing was priced before v3; never assumed


@dataclass(frozen=True)
class Version:
    name: str
    sports: tuple[str, ...]
    season: dict[str, dict]  # sport -> expected season window counts after the upgrade
    halted: tuple[str, ...] = ()
    dates: tuple[date, ...] = (date(2026, 2, 27), date(2026, 2, 28))  # the last is all.json's
    graded: tuple[str, ...] = ("2026-02-27",)  # all.json's record.by_day
    first_date_status: str = "voided"  # a status some pick of the first date has

    @property
    def home(self) -> Path:
        return FIXTURES / f"home-{self.name}"

    @property
    def ddl(self) -> Path:
        return FIXTURES / f"bigquery-{self.name}"

    def rows(self, table: str) -> list[dict]:
        with closing(sqlite3.connect(self.home / "picklock.sqlite3")) as connection:
            connection.row_factory = sqlite3.Row
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if table not in tables:
                return []
            return [dict(row) for row in connection.execute(f"SELECT * FROM {table} ORDER BY rowid")]


VERSIONS = [
    # curry and guisantos won on 2026-02-27; tatum was voided, jokic did not play
    Version("v1", ("nba",), {"nba": dict(wins=2, losses=0, pushes=0, voids=2, **UNPRICED)}),
    # curry and guisantos won, tatum pushed, jokic voided; MLB: cole won, judge lost (MLB halted)
    Version("v2", ("nba", "mlb"), {"nba": dict(wins=2, losses=0, pushes=1, voids=1, **UNPRICED),
                                   "mlb": dict(wins=1, losses=1, pushes=0, voids=0, **UNPRICED)}, halted=("mlb",)),
    # 2025-12-01: curry (-110) and jokic (unpriced) won, tatum (+120) lost, both priced ones beat the
    # close; 2026-02-27: guisantos (+140) won, doncic (-125) lost
    Version("v3", ("nba",), {"nba": dict(wins=3, losses=2, pushes=0, voids=0, units=0.31, priced=4, clv_count=2,
                                         clv_avg=0.75)},
            dates=(date(2025, 12, 1), date(2025, 12, 2), date(2026, 2, 27), date(2026, 2, 28)),
            graded=("2025-12-01", "2026-02-27"), first_date_status="active"),
]
NOW = datetime(2026, 2, 28, 18, 0, tzinfo=timezone.utc)
PUBLISHED_FIELDS = ("pick_id", "player_lookup", "stat", "team", "opponent", "direction", "line", "source",
                    "system_id", "algorithm_version", "manual_request_id", "submitted_by", "first_published_at",
                    "game_id", "game_time", "notes")


def published_files(bucket: Path) -> dict[str, dict]:
    """pick_id -> published fields, over every file of a bucket (per-date files and history)."""
    fields = {}
    for path in sorted(bucket.rglob("*.json")):
        data = json.loads(path.read_text())
        for entry in data.get("picks", data.get("today", [])):
            fields[entry["pick_id"]] = {k: entry[k] for k in PUBLISHED_FIELDS}
    return fields


def check_upgraded(version: Version, service: PicklockService, bucket: Path) -> None:
    before = published_files(version.home / "bucket")
    audits = {row["export_id"]: (row["document"], row["all_json_document"])
              for row in version.rows("best_bets_export_audit")}
    for sport in version.sports:
        for game_date in version.dates:
            for record in service.audit_records(game_date, sport):
                # byte for byte; all.json's copy was stored plain then, compressed now: both read
                assert audits.pop(record.export_id) == (record.document, record.all_json_document)
                assert record.sport == sport  # filled by the migrations, as are:
                assert record.tally is not None and record.day_summary is not None
    assert audits == {}
    commands = {row["request_id"] for row in version.rows("best_bets_manual_picks")}
    assert {c.request_id for s in version.sports for d in version.dates for c in service.manual_commands(d, s)} == commands

    for sport in version.sports:
        # Today first: its all.json counts the earlier dates from what the migrations filled in.
        for game_date in reversed(version.dates):
            service.export(game_date, "cli", sport)
    after = published_files(bucket)
    assert set(before) <= set(after)  # G1 across the upgrade
    for pick_id, fields in before.items():
        assert after[pick_id] == fields, pick_id  # G3 across the upgrade
    catalogue = default_catalogue()
    nba = catalogue.get("nba")
    shown = json.loads((bucket / nba.date_file_name(version.dates[0])).read_text())
    assert shown["sport"] == "nba" and version.first_date_status in {p["status"] for p in shown["picks"]}
    for sport in version.sports:
        all_json = json.loads((bucket / catalogue.get(sport).all_json_name).read_text())
        season = all_json["record"]["season"]
        assert (all_json["date"], all_json["halt_active"]) == (version.dates[-1].isoformat(), sport in version.halted)
        assert {k: season[k] for k in version.season[sport]} == version.season[sport], sport
        assert [day["date"] for day in all_json["record"]["by_day"]] == list(version.graded)


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_an_embedded_home_of_an_earlier_version_migrates_itself_on_open(version, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(version.home, home)
    store = SqliteStore(home / "picklock.sqlite3")
    with closing(sqlite3.connect(home / "picklock.sqlite3")) as connection:
        sports = connection.execute("SELECT DISTINCT sport FROM best_bets_published_picks ORDER BY sport").fetchall()
        untallied = connection.execute("SELECT COUNT(*) FROM best_bets_export_audit WHERE tally IS NULL").fetchone()
        clustering = connection.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'index' "
                                        "AND name LIKE '%__clustered' ORDER BY tbl_name").fetchall()
    assert sorted(sport for (sport,) in sports) == sorted(version.sports) and untallied == (0,)
    assert [table for (table,) in clustering] == sorted(t.name for t in store._schema.values() if t.cluster_columns)
    service = PicklockService(store, LocalPublisher(home / "bucket"), clock=lambda: NOW)
    check_upgraded(version, service, home / "bucket")
    SqliteStore(home / "picklock.sqlite3")  # opening it again changes nothing


_BIGQUERY_TYPES = {"STRING": "STRING", "INT64": "INT64", "FLOAT64": "FLOAT64", "BOOL": "BOOL", "DATE": "DATE",
                   "TIMESTAMP": "TIMESTAMP"}


def _old_parameter(column, value):
    from google.cloud import bigquery

    if column.type == "ARRAY<STRING>":
        return bigquery.ArrayQueryParameter(column.name, "STRING", json.loads(value) if value else [])
    if value is not None:
        value = {"DATE": date.fromisoformat, "TIMESTAMP": parse_instant, "BOOL": bool}.get(column.type, lambda v: v)(value)
    return bigquery.ScalarQueryParameter(column.name, _BIGQUERY_TYPES[column.type], value)


@pytest.mark.emulators
@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_a_bigquery_dataset_of_an_earlier_version_is_migrated_by_picklock_migrate(version, emulators, unique_name,
                                                                                  tmp_path):
    from google.cloud import bigquery

    from picklock.adapters.bigquery_store import BigQueryStore

    store = BigQueryStore("picklock-local", unique_name(version.name).replace("-", "_"),
                          endpoint=os.environ["PICKLOCK_BIGQUERY_ENDPOINT"])
    client = store.client
    client.create_dataset(bigquery.Dataset(store.dataset))
    old = load_schema(version.ddl)
    for table in sorted(old.values(), key=lambda t: t.is_view):
        client.query_and_wait(table.render(store.dataset))
    for table in (t for t in old.values() if not t.is_view):
        for row in version.rows(table.name):
            names = ", ".join(table.column_names)
            client.query_and_wait(
                f"INSERT INTO `{store.dataset}.{table.name}` ({names}) "
                f"VALUES ({', '.join('@' + n for n in table.column_names)})",
                job_config=bigquery.QueryJobConfig(query_parameters=[
                    _old_parameter(column, row[column.name]) for column in table.columns]))

    clustered = sorted(t.name for t in store._schema.values() if t.cluster_columns)
    assert store.migrate() == [*MIGRATIONS, "clustering: " + ", ".join(clustered)]
    assert store.migrate() == MIGRATIONS  # idempotent: nothing left to recluster
    assert {name: client.get_table(f"{store.dataset}.{name}").clustering_fields for name in clustered} == \
        {name: ["sport"] for name in clustered}
    bucket = tmp_path / "bucket"
    shutil.copytree(version.home / "bucket", bucket)
    check_upgraded(version, PicklockService(store, LocalPublisher(bucket), clock=lambda: NOW), bucket)
