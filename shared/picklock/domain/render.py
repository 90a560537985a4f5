"""Rendering the published files (per-date file and all.json) and reading them back.

The text is canonical (sorted keys, fixed separators) so equal content gives equal bytes, and the
content hash leaves out what changes on every export (`export_id`, `generated_at`).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from .calendar import format_instant, parse_instant
from .halts import HaltState
from .picks import Pick
from .record import SeasonRecord
from .sports import DEFAULT_SPORT

# Not content: what changes on every export, and the chain fields (which follow from the content).
VOLATILE_KEYS = ("export_id", "generated_at", "sha256", "prev", "seq")


def pick_to_json(pick: Pick, position: int) -> dict:
    return {
        "rank": position,
        "pick_id": pick.pick_id,
        "sport": pick.sport,
        "player_lookup": pick.player_lookup,
        "player": pick.player_name or pick.player_lookup,
        "team": pick.team,
        "opponent": pick.opponent,
        "stat": pick.stat,
        "direction": pick.direction,
        "line": pick.line,
        "edge": pick.edge,
        "angles": list(pick.angles),
        "source": pick.source,
        "status": pick.status,
        "void_reason": pick.void_reason,
        "result": pick.result,
        "actual": pick.actual,
        "system_id": pick.system_id,
        "algorithm_version": pick.algorithm_version,
        "first_published_at": format_instant(pick.first_published_at),
        "game_id": pick.game_id,
        "game_time": format_instant(pick.game_time),
        "submitted_by": pick.submitted_by,
        "notes": pick.notes,
        "signal_rank": pick.rank,
        "manual_request_id": pick.manual_request_id,
        "odds": pick.odds_american,
        "tier": pick.tier,
        "home": pick.home,
        "units": pick.units,
        "closing_line": pick.closing_line,
        "clv": pick.clv,
    }


def pick_from_json(game_date: date, data: dict) -> Pick:
    """Inverse of pick_to_json: lets an export treat what users can see as published (G1).
    Files written before there were several sports are NBA's and do not say so."""
    return Pick(
        pick_id=data["pick_id"], sport=data.get("sport", DEFAULT_SPORT), game_date=game_date, player_lookup=data["player_lookup"],
        stat=data["stat"], team=data["team"], opponent=data["opponent"],
        direction=data["direction"], line=data["line"], source=data["source"],
        first_published_at=parse_instant(data["first_published_at"]), status=data["status"],
        system_id=data["system_id"], algorithm_version=data["algorithm_version"],
        manual_request_id=data["manual_request_id"], submitted_by=data["submitted_by"],
        game_id=data["game_id"],
        game_time=parse_instant(data["game_time"]) if data["game_time"] else None,
        notes=data["notes"], player_name=data["player"], edge=data["edge"],
        rank=data["signal_rank"], angles=tuple(data["angles"]), void_reason=data["void_reason"],
        result=data["result"], actual=data["actual"],
        # Files written before prices were published do not have these.
        odds_american=data.get("odds"), tier=data.get("tier"), home=data.get("home"), units=data.get("units"),
        closing_line=data.get("closing_line"), clv=data.get("clv"),
    )


def render_picks(picks: Iterable[Pick]) -> list[dict]:
    return [pick_to_json(pick, position) for position, pick in enumerate(picks, start=1)]


def date_document(sport: str, game_date: date, picks: Iterable[Pick], *, export_id: str,
                  generated_at: datetime) -> dict:
    return {
        "sport": sport,
        "date": game_date.isoformat(),
        "export_id": export_id,
        "generated_at": format_instant(generated_at),
        "picks": render_picks(picks),
    }


def all_json_document(sport: str, game_date: date, picks: Iterable[Pick], record: SeasonRecord,
                      halt: HaltState, chain: dict | None, *, export_id: str, generated_at: datetime) -> dict:
    return {
        "chain": chain,  # the season chain's head: today's file as shown (domain/chain.py)
        "sport": sport,
        "season": record.season,
        "date": game_date.isoformat(),
        "export_id": export_id,
        "generated_at": format_instant(generated_at),
        # A halt is shown, never silent: the site puts up a banner, and the file keeps updating.
        "halt_active": halt.active,
        "halt_reason": halt.reason,
        "halt_since": format_instant(halt.since),
        "today": render_picks(picks),
        **record.to_json(),
    }


def to_text(document: dict, *, compact: bool = False) -> str:
    """Canonical text: sorted keys. A per-date file is indented (read and diffed by people);
    all.json is compact (the site fetches it on every page view; it carries the season record)."""
    layout = {"separators": (",", ":")} if compact else {"indent": 1}
    return json.dumps(document, sort_keys=True, ensure_ascii=False, allow_nan=False, **layout) + "\n"


def content_hash(document: dict) -> str:
    stable = {k: v for k, v in document.items() if k not in VOLATILE_KEYS}
    return sha256(json.dumps(stable, sort_keys=True, separators=(",", ":"), allow_nan=False))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PublishedDocument:
    """A file as read back from the bucket."""
    text: str
    data: dict

    @classmethod
    def parse(cls, text: str | None) -> PublishedDocument | None:
        return None if text is None else cls(text, json.loads(text))

    @property
    def export_id(self) -> str:
        return self.data["export_id"]

    @property
    def game_date(self) -> date:
        return date.fromisoformat(self.data["date"])

    @property
    def sport(self) -> str:
        return self.data.get("sport", DEFAULT_SPORT)  # files written before sports were NBA's

    @property
    def content_hash(self) -> str:
        return content_hash(self.data)

    def picks(self) -> list[Pick]:
        entries = self.data.get("picks", self.data.get("today", []))
        return [pick_from_json(self.game_date, entry) for entry in entries]


def diff_documents(old: dict | None, new: dict) -> dict[str, list]:
    """What changed between two published versions, pick by pick (by pick_id)."""
    def by_id(document):
        return {p["pick_id"]: p for p in (document or {}).get("picks", (document or {}).get("today", []))}

    before, after = by_id(old), by_id(new)
    changed = []
    for pick_id in after.keys() & before.keys():
        fields = {k: [before[pick_id].get(k), v] for k, v in after[pick_id].items()
                  if k != "rank" and before[pick_id].get(k) != v}
        if fields:
            changed.append({"pick_id": pick_id, "changes": fields})
    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": sorted(changed, key=lambda c: c["pick_id"]),
    }
