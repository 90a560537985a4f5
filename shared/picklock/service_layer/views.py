"""Read models for the operator dashboard: read-only queries over the ports, as plain JSON-able
dicts. Nothing here writes, and no rule is restated: the domain computes, the views only arrange.
"""
from __future__ import annotations

import json
from datetime import date

from ..adapters.http_files import BucketFiles
from ..domain.calendar import format_instant, parse_instant
from ..domain.ledger import fold_ledger
from ..domain.merge import has_started
from ..domain.tally import DayTally
from ..domain.render import diff_documents
from ..domain.sports import DEFAULT_SPORT
from ..arguments import InputError, game_date_arg
from .services import PicklockService
from .verification import verify

AUDIT_COUNTS = ("total", "active", "locked", "voided", "algorithm", "manual", "graded")
# A status change is named after the new status, as the ledger names it.
STATUS_CHANGES = {"active": "reactivated", "locked": "locked", "voided": "voided"}
STATUS_FIELDS = {"status", "void_reason"}
GRADING_FIELDS = {"result", "actual"}


class PickNotFound(LookupError):
    """No ledger row carries this pick id."""


def today(service: PicklockService, sport: str = DEFAULT_SPORT) -> dict:
    halt = service.halt_state(sport)
    return {"date": service.today(sport).isoformat(), "now": format_instant(service.now()), "sport": sport,
            "sports": list(service.sports.ids), "halt_active": halt.active, "halt_reason": halt.reason,
            "halt_since": format_instant(halt.since)}


def picks(service: PicklockService, game_date: date, sport: str = DEFAULT_SPORT) -> dict:
    """The per-date file as users see it, each pick with its tip-off state at the service's now."""
    document = service.published(game_date, sport)
    now = service.now()
    return {
        "date": game_date.isoformat(),
        "now": format_instant(now),
        "export_id": document.export_id if document else None,
        "generated_at": document.data["generated_at"] if document else None,
        "picks": [{**entry, "tipoff": _tipoff(entry["game_time"], now)}
                  for entry in (document.data["picks"] if document else [])],
    }


def _tipoff(game_time: str | None, now) -> str:
    if game_time is None:
        return "unknown"
    return "started" if has_started(parse_instant(game_time), now) else "upcoming"


def timeline(service: PicklockService, game_date: date, sport: str = DEFAULT_SPORT) -> dict:
    """Every export of a date, oldest first, each with what changed since the version before it."""
    exports, previous = [], None
    for record in service.audit_records(game_date, sport):
        document = json.loads(record.document)
        diff = diff_documents(previous, document)
        exports.append({
            "export_id": record.export_id,
            "exported_at": format_instant(record.exported_at),
            "trigger": record.trigger_source,
            "outcome": record.outcome,
            "all_json_written": record.all_json_written,
            "counts": {name: getattr(record, f"count_{name}") for name in AUDIT_COUNTS},
            "changes": summarise_diff(diff),
            "changed_fields": {change["pick_id"]: change["changes"] for change in diff["changed"]},
            "events": json.loads(record.events),
        })
        previous = document
    return {"date": game_date.isoformat(), "exports": exports}


def summarise_diff(diff: dict) -> dict[str, list[str]]:
    """diff_documents' output as pick ids by kind of change. `removed` stays empty unless G1 broke."""
    summary = {"added": diff["added"], "refreshed": [], "locked": [], "reactivated": [], "voided": [],
               "graded": [], "removed": diff["removed"]}
    for change in diff["changed"]:
        pick_id, fields = change["pick_id"], change["changes"].keys()
        if "status" in fields:
            summary[STATUS_CHANGES[change["changes"]["status"][1]]].append(pick_id)
        if fields & GRADING_FIELDS:
            summary["graded"].append(pick_id)
        if fields - STATUS_FIELDS - GRADING_FIELDS:
            summary["refreshed"].append(pick_id)
    return summary


def lineage(service: PicklockService, pick_id: str, sport: str = DEFAULT_SPORT) -> dict:
    """Where a pick came from and every ledger version written for it since."""
    game_date = _pick_date(pick_id)
    history = [row for row in service.store.ledger_history(game_date, sport) if row.pick.pick_id == pick_id]
    if not history:
        raise PickNotFound(f"no published pick {pick_id!r}")
    pick = fold_ledger(history)[pick_id]
    return {
        "pick_id": pick_id,
        "game_date": game_date.isoformat(),
        "player": pick.player_name or pick.player_lookup,
        "player_lookup": pick.player_lookup,
        "team": pick.team,
        "opponent": pick.opponent,
        "stat": pick.stat,
        "direction": pick.direction,
        "line": pick.line,
        "source": pick.source,
        "system_id": pick.system_id,
        "algorithm_version": pick.algorithm_version,
        "manual_request_id": pick.manual_request_id,
        "submitted_by": pick.submitted_by,
        "first_published_at": format_instant(pick.first_published_at),
        "first_export_id": history[0].export_id,
        "status": pick.status,
        "void_reason": pick.void_reason,
        "result": pick.result,
        "actual": pick.actual,
        "history": [{
            "recorded_at": format_instant(row.recorded_at),
            "export_id": row.export_id,
            "change": row.change,
            "detail": row.change_detail,
            "status": row.pick.status,
            "edge": row.pick.edge,
            "signal_rank": row.pick.rank,
            "result": row.pick.result,
        } for row in history],
    }


def _pick_date(pick_id: str) -> date:
    """A pick id starts with its game date (domain.picks.pick_id_for): the partition to read."""
    try:
        return game_date_arg(pick_id.split("/", 1)[0])
    except InputError:
        raise InputError("pick_id", f"{pick_id!r} is not a pick id (YYYY-MM-DD/player/STAT/hash)") from None


def season(service: PicklockService, game_date: date, sport: str = DEFAULT_SPORT) -> dict:
    """The season record up to a date (windows, streaks, weeks, splits), as all.json would carry it."""
    spec = service.sports.get(sport)
    inputs = service.store.load_export_inputs(game_date, sport=sport, season_from=spec.season_start(game_date))
    # The date itself as last exported: its ledger, as the merged picks are in an export, and its
    # results, which grade the picks operators withdrew as if they had stood (the influence report).
    day = DayTally.of(game_date, fold_ledger(inputs.merge.ledger).values(), inputs.merge.results)
    record = inputs.season_record(spec.season(game_date).name, day)
    return {"date": game_date.isoformat(), "season": record.season, **record.to_json()}


def chain(service: PicklockService, game_date: date, sport: str = DEFAULT_SPORT) -> dict:
    """The date's public index (every version, in chain order) and the season head all.json shows."""
    spec = service.sports.get(sport)
    index, all_json = (_public_json(service, name) for name in (spec.index_name(game_date), spec.all_json_name))
    return {"date": game_date.isoformat(), "index": spec.index_name(game_date),
            "versions": index["versions"] if index else [],
            "head": all_json.get("chain") if all_json else None, "head_date": all_json["date"] if all_json else None}


def _public_json(service: PicklockService, name: str) -> dict | None:
    text = service.publisher.read(name)[0]
    return None if text is None else json.loads(text)


def verification(service: PicklockService, sport: str = DEFAULT_SPORT) -> dict:
    """`picklock verify` over the configured bucket: the sport's season up to all.json's date."""
    spec = service.sports.get(sport)
    files = BucketFiles(service.publisher)
    if files.get(spec.all_json_name) is None:  # verify needs all.json to know which dates to check
        return {"ok": None, "sport": sport, "summary": f"nothing to verify: no {spec.all_json_name} yet",
                "violations": []}
    report = verify(files, spec)
    return {**report.as_dict(), "summary": report.summary()}
