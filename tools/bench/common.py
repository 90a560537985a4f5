"""What every section uses: the bench's game day and data (a slate changed one pick at a time),
the figures a run collects and how they are formatted, and the requests and bytes counted on the
emulators' clients."""
from __future__ import annotations

import json
import math
import re
import statistics
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time as clock_time, timedelta, timezone
from typing import Any, Callable, Iterable, Sequence
from urllib.parse import urlsplit

from picklock.adapters import rows
from picklock.adapters.ddl import default_schema
from picklock.adapters.sports_file import default_catalogue
from picklock.domain.calendar import FIRST_DATE, format_instant
from picklock.domain.picks import ManualCommand, SignalRow
from picklock.domain.record import details_start
from tests.harness.nba_paths import NBA


# The bench's game day: the last day of NBA's 2025-26 season in schemas/sports.json (2025-10-01 to
# 2026-09-30), so a whole season of history fits before it: of 365 days of history, 364 are in the
# season (the first is the last day of the season before). Every clock is fixed at noon in New
# York, before the 19:30 tip-offs.
TODAY = date(2026, 9, 30)
NOW = datetime(2026, 9, 30, 16, 0, tzinfo=timezone.utc)
PICKS_PER_DAY = 10
TEAMS = ("BOS", "NYK", "MIL", "PHI", "DEN", "LAL", "GSW", "PHX", "DAL", "MIA")
ODDS = (-110, -115, 105, -120, 120, -105, -125, 110)  # posted prices, American (units are priced)
TIERS = ("ultra", "strong", "lean")
POLL_SECONDS = 0.02
SPORTS = default_catalogue()  # schemas/sports.json: NBA first, then MLB, NFL, NHL, WNBA


def sport_stat(sport: str) -> str:
    """The stat the bench's picks of `sport` are on: its first (NBA PTS, MLB K, NFL PASS_YDS, ...)."""
    return SPORTS.get(sport).stats[0]


def tip_off(game_date: date) -> datetime:
    """19:30 in New York (EDT in April): 23:30 UTC."""
    return datetime.combine(game_date, clock_time(23, 30), tzinfo=timezone.utc)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass
class Figure:
    section: str
    metric: str
    system: str  # "picklock" or "baseline"
    value: float | None
    unit: str
    n: int | None = None
    note: str = ""


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)
    tables: dict[str, str] = field(default_factory=dict)  # section -> Markdown
    notes: list[str] = field(default_factory=list)
    budget: list[tuple[str, str, Any]] = field(default_factory=list)  # (what, target, measured)
    targets: list[tuple[str, str, str, str]] = field(default_factory=list)  # (what, measured, target, PASS/FAIL)
    machine: list[str] = field(default_factory=list)  # the load while the targets were measured
    started: float = field(default_factory=time.monotonic)

    def add(self, section: str, metric: str, system: str, value: float | None, unit: str,
            n: int | None = None, note: str = "") -> float | None:
        self.figures.append(Figure(section, metric, system, value, unit, n, note))
        return value

    def get(self, section: str, metric: str, system: str = "picklock") -> float | None:
        for f in self.figures:
            if (f.section, f.metric, f.system) == (section, metric, system):
                return f.value
        return None


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): a value that was actually observed."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    value = seconds * 1000
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms" if value >= 1 else f"{value:.3f} ms"


def size(count: float | None) -> str:
    if count is None:
        return "n/a"
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:,.1f} {unit}"
    return f"{count:,.0f} B"


def ratio(baseline: float | None, picklock: float | None) -> str:
    if baseline is None or picklock is None:
        return ""
    if picklock == 0:
        return "∞" if baseline else "="
    return f"{baseline / picklock:.2g}×"


def table(header: Sequence[str], body: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
    return "\n".join(lines)


def verdict(value: float | None, limit: float) -> str:
    return "n/a" if value is None else "PASS" if value <= limit else "FAIL"


# --------------------------------------------------------------------------------------------
# Test data: a realistic slate (10 picks a day), changed one pick at a time
# --------------------------------------------------------------------------------------------


def signal_rows(game_date: date, version: int = 0, n: int = PICKS_PER_DAY, sport: str = "nba") -> list[SignalRow]:
    """The signal of `game_date` after `version` upstream runs; each run moves one pick's edge.
    Every sport's slate has the same player ids, on that sport's first stat. Each pick carries a
    posted price, a tier and a venue, as the signal does (names of a real player's length)."""
    out = []
    stat = sport_stat(sport)
    for i in range(n):
        bumps = (version - 1 - i) // n + 1 if version > i else 0  # run k bumps pick (k - 1) % n
        out.append(SignalRow(
            game_date, f"player{i:06d}", TEAMS[i % len(TEAMS)], TEAMS[(i + 1) % len(TEAMS)],
            "OVER" if i % 2 == 0 else "UNDER", 14.5 + i % 20, "catboost_v9", "v9",
            player_name=f"Bench Player {i:02d}", game_id=f"{game_date:%Y%m%d}_{i // 2:04d}",
            game_time=tip_off(game_date), edge=round(1.5 + 0.1 * (i % 30) + 0.001 * bumps, 4), rank=i + 1,
            angles=("pace up", "minutes trend"), stat=stat, sport=sport,
            odds_american=ODDS[i % len(ODDS)], tier=TIERS[i % len(TIERS)], home=i % 2 == 0,
        ))
    return out


def manual_payload(game_date: date, k: int) -> dict:
    """A manual-picks `add` message for a new player (so each one publishes)."""
    return {
        "request_id": f"bench-{uuid.uuid4().hex[:12]}", "action": "add",
        "submitted_at": format_instant(NOW - timedelta(hours=1) + timedelta(milliseconds=k)),
        "game_date": game_date.isoformat(), "player_lookup": f"manual{k:05d}", "stat": "PTS",
        "submitted_by": "bench", "player_name": f"Manual {k}", "team": "GSW", "opponent": "LAL",
        "direction": "OVER", "line": 12.5,
    }


def manual_command(game_date: date, k: int) -> ManualCommand:
    from picklock.validation import manual_command as parse

    return parse(manual_payload(game_date, k), "message")


class TickingClock:
    """Fixed start, one second further at each call: no two exports tie on exported_at."""

    def __init__(self, start: datetime = NOW):
        self.at = start

    def __call__(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


# --------------------------------------------------------------------------------------------
# Counting requests from the clients (requests response hooks on client._http)
# --------------------------------------------------------------------------------------------


def statement_kind(sql: str) -> str:
    word = re.match(r"\s*(\w+)", sql)
    return "read" if word and word.group(1).upper() in ("SELECT", "WITH") else "write"


class Traffic:
    """Counts BigQuery jobs (jobs.query / jobs.insert calls, read or write by their statement) and
    Cloud Storage requests (uploads by status, downloads) of the clients it is attached to."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.seconds: dict[str, list[float]] = {}

    def attach_bigquery(self, client) -> None:
        def hook(response, *args, **kwargs):
            request = response.request
            path = urlsplit(request.url).path
            if request.method == "POST" and path.endswith(("/queries", "/jobs")):
                body = json.loads(request.body or b"{}")
                sql = body.get("query") or body.get("configuration", {}).get("query", {}).get("query", "")
                kind = f"bq_{statement_kind(sql)}"
                self.counts[kind] += 1
                if path.endswith("/jobs"):  # jobs.insert: not the short-query path
                    self.counts["bq_jobs_insert"] += 1
                self.seconds.setdefault(kind, []).append(response.elapsed.total_seconds())
            return response

        # First: the emulator guard after it raises on a failed query, and that job counts too.
        client._http.hooks.setdefault("response", []).insert(0, hook)

    def attach_storage(self, client) -> None:
        def hook(response, *args, **kwargs):
            request = response.request
            path = urlsplit(request.url).path
            if request.method == "POST" and path.startswith("/upload/"):
                self.counts["gcs_write" if response.status_code < 300 else f"gcs_write_{response.status_code}"] += 1
            elif request.method == "GET" and path.startswith("/download/"):
                self.counts["gcs_read"] += 1
            self.seconds.setdefault("gcs", []).append(response.elapsed.total_seconds())
            return response

        client._http.hooks.setdefault("response", []).insert(0, hook)

    def snapshot(self) -> Counter[str]:
        return Counter(self.counts)

    def mark(self) -> dict[str, int]:
        return {kind: len(values) for kind, values in self.seconds.items()}

    def seconds_since(self, mark: dict[str, int]) -> dict[str, float]:
        """Wall time of the requests since `mark`, summed by kind (bq_read, bq_write, gcs)."""
        return {kind: sum(values[mark.get(kind, 0):]) for kind, values in self.seconds.items()}

    def since(self, before: Counter[str]) -> Counter[str]:
        after = self.snapshot()
        after.subtract(before)
        return +after


def measure(traffic: Traffic, action: Callable[[], Any]) -> tuple[Counter[str], float, Any]:
    before = traffic.snapshot()
    started = time.perf_counter()
    value = action()
    return traffic.since(before), time.perf_counter() - started, value


# --------------------------------------------------------------------------------------------
# Bytes processed: the emulator reports 0, so estimate them from the rows each statement scans
# --------------------------------------------------------------------------------------------

# BigQuery's documented logical sizes (on-demand query size calculation).
_FIXED_SIZES = {"INT64": 8, "FLOAT64": 8, "DATE": 8, "TIMESTAMP": 8, "BOOL": 1}


def value_bytes(column_type: str, value: Any) -> int:
    if value is None:
        return 0
    if column_type == "STRING":
        return 2 + len(value.encode("utf-8"))
    if column_type == "ARRAY<STRING>":
        return sum(2 + len(v.encode("utf-8")) for v in value)
    return _FIXED_SIZES[column_type]


def row_bytes(table: str, row: dict[str, Any]) -> int:
    schema = default_schema()[table]
    return sum(value_bytes(schema.column(name).type, value) for name, value in row.items())


def written_bytes(system: str, value: Any) -> int | None:
    """Estimated bytes of the rows an export inserted: picklock appends the changed picks' versions
    and an audit row; the naive export re-inserts every pick of the date and an audit row."""
    from picklock.domain.export import ExportPlan
    from picklock.domain.picks import LedgerRow

    plan = getattr(value, "plan", value)
    if not isinstance(plan, ExportPlan):
        return None
    if system == "picklock":
        ledger = plan.merge.ledger_rows
        audit = plan.audit
    else:
        ledger = [LedgerRow(p, "exported", plan.export_id, plan.audit[-1].exported_at) for p in plan.merge.picks]
        audit = plan.audit[-1:]
    return (sum(row_bytes(rows.LEDGER_TABLE, rows.ledger_to_row(r)) for r in ledger)
            + sum(row_bytes(rows.AUDIT_TABLE, rows.audit_to_row(a)) for a in audit))


def scan_bytes(client, dataset: str, table: str, columns: Sequence[str] | None,
               first: date, last: date, *, before_last: bool = False, sport: str | None = None) -> tuple[int, int]:
    """(estimated bytes, rows) that a statement referencing `columns` of `table` scans over the
    partitions first..last (first..last - 1 with `before_last`), and with `sport` only that
    sport's rows (what clustering by sport prunes to at best). Read with an uncounted client;
    only for the estimate."""
    from google.cloud import bigquery

    schema = default_schema()[table]
    names = tuple(columns or schema.column_names)
    result = client.query_and_wait(
        f"SELECT {', '.join(names)} FROM `{dataset}.{table}` "
        f"WHERE game_date >= @first AND game_date {'<' if before_last else '<='} @last"
        + (" AND sport = @sport" if sport else ""),
        job_config=bigquery.QueryJobConfig(query_parameters=[
            bigquery.ScalarQueryParameter("first", "DATE", first),
            bigquery.ScalarQueryParameter("last", "DATE", last),
            bigquery.ScalarQueryParameter("sport", "STRING", sport)]))
    types = {name: schema.column(name).type for name in names}
    total = count = 0
    for row in result:
        count += 1
        total += sum(value_bytes(types[name], row[name]) for name in names)
    return total, count


# The columns of the audit table that the season part of the read references, beside day_summary
# (every earlier date) or tally (the dates shown pick by pick): ARRAY_AGG(column ORDER BY
# exported_at DESC, export_id DESC) ... GROUP BY game_date.
SEASON_COLUMNS = ("game_date", "sport", "exported_at", "export_id")


def picklock_read_bytes(client, dataset: str, game_date: date, *, with_season: bool,
                        sport: str | None = None) -> dict[str, int]:
    """What BigQueryStore.export_inputs_sql references: every column of the date's signal, ledger,
    manual, results and closing partitions, the audit's export ids of the date, every partition of
    the halts table, and (for today) the audit columns of the season's earlier dates that hold
    their day summaries, and of the dates shown pick by pick that hold their tallies. With `sport`,
    only that sport's rows: the tables are clustered by sport, so this is what BigQuery's block
    pruning reaches at best (it prunes whole blocks; without `sport`, the bound with no pruning)."""
    def scan(table, columns, first, last, before_last=False):
        return scan_bytes(client, dataset, table, columns, first, last, before_last=before_last, sport=sport)

    date_part = 0
    for table in (rows.SIGNAL_TABLE, rows.LEDGER_TABLE, rows.MANUAL_TABLE, rows.RESULTS_TABLE, rows.CLOSING_TABLE):
        date_part += scan(table, None, game_date, game_date)[0]
    date_part += scan(rows.AUDIT_TABLE, ("game_date", "sport", "export_id"), game_date, game_date)[0]
    date_part += scan(rows.HALTS_TABLE, None, FIRST_DATE, game_date)[0]
    if not with_season:
        return {"date": date_part, "season": 0, "season_rows": 0}
    details_from = details_start(game_date, NBA.season_start(game_date))
    summaries, summary_rows = scan(rows.AUDIT_TABLE, SEASON_COLUMNS + ("day_summary",),
                                   NBA.season_start(game_date), details_from, before_last=True)
    tallies, tally_rows = scan(rows.AUDIT_TABLE, SEASON_COLUMNS + ("tally",), details_from, game_date, before_last=True)
    return {"date": date_part, "season": summaries + tallies, "season_rows": summary_rows + tally_rows}


def naive_bytes(client, dataset: str, game_date: date) -> dict[str, int]:
    """Three full-row reads of the date; a DELETE processes the filter column plus every column of
    the partition it rewrites; INSERTs of parameter values scan no table."""
    reads = sum(scan_bytes(client, dataset, t, None, game_date, game_date)[0]
                for t in (rows.SIGNAL_TABLE, rows.LEDGER_TABLE, rows.MANUAL_TABLE))
    ledger_partition = scan_bytes(client, dataset, rows.LEDGER_TABLE, None, game_date, game_date)
    delete = ledger_partition[0] + 8 * ledger_partition[1]
    return {"reads": reads, "delete": delete}


def season_dates(inputs) -> int:
    """Earlier dates of the season a read returned: a day summary each, and a tally (with the
    summary written beside it) for each date shown pick by pick."""
    return len({day.game_date for day in (*inputs.season_summaries, *inputs.season_tallies)})
