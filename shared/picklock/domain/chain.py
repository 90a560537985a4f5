"""The hash chain over every published version, and its public index (README, "Verifying").

A version's `sha256` is the SHA-256 of the canonical JSON (RFC 8785, JCS) of the per-date document
without its `sha256` member. `prev` is the `sha256` of the version it replaces; a date's first
version links to the sport's season head that all.json carried when it was published (null for the
season's first). `seq` counts the versions of the season chain up to this one. Within a date the
chain is linear (each write is conditional on the file's generation), so it cannot fork.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

CHAIN_FIELDS = ("sha256", "prev", "seq")


class CanonicalError(ValueError):
    """A value JSON cannot carry canonically (NaN, infinity, a key that is not a string)."""


def canonical_json(value) -> str:
    """RFC 8785: members sorted by key, no whitespace, strings escaped as ECMAScript's
    JSON.stringify does, numbers in ECMAScript's shortest form (24.0 is `24`, 1e-7 is `1e-7`).

    A document whose numbers Python already prints as ECMAScript does and whose keys are ASCII
    (every document picklock publishes) goes through json.dumps' C encoder; anything else
    through the general encoder below, which is ~15 times slower (21 ms for 110 picks)."""
    try:
        plain = _as_plain(value)
    except _NotPlain:
        return _canonical(value)
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class _NotPlain(Exception):
    """A value json.dumps would not write as RFC 8785 does."""


def _as_plain(value):
    """`value` with integral floats as ints (json.dumps writes 24.0 as `24.0`); raises _NotPlain
    for what json.dumps would write otherwise than RFC 8785: a float below 1e-4 or an integral one
    beyond 2**53 (exponent forms differ), a key outside ASCII (sorted by code point there, by
    UTF-16 unit here)."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) <= 2 ** 53:
            return int(value)
        if not math.isfinite(value) or value.is_integer() or abs(value) < 1e-4:
            raise _NotPlain
        return value
    if isinstance(value, dict):
        if not all(isinstance(key, str) and key.isascii() for key in value):
            raise _NotPlain
        return {key: _as_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_plain(item) for item in value]
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) <= 2 ** 53:
        return value
    raise _NotPlain


def _canonical(value) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise CanonicalError("object keys must be strings")
        # JCS sorts by UTF-16 code units; the UTF-16 encoding sorts the same way.
        keys = sorted(value, key=lambda key: key.encode("utf-16-be"))
        return "{" + ",".join(f"{json.dumps(key, ensure_ascii=False)}:{_canonical(value[key])}" for key in keys) + "}"
    raise CanonicalError(f"{type(value).__name__} is not a JSON value")


def _number(value: int | float) -> str:
    if isinstance(value, int):
        if abs(value) > 2 ** 53:
            raise CanonicalError(f"{value} is beyond the integers an IEEE double holds exactly")
        return str(value)
    if not math.isfinite(value):
        raise CanonicalError(f"{value} is not a JSON number")
    if value == 0:
        return "0"
    digits, exponent = _shortest(value)
    # ECMAScript Number::toString: plain notation for 1e-7 < |x| < 1e21, exponent otherwise.
    point = len(digits) + exponent  # position of the decimal point in the digits
    sign = "-" if value < 0 else ""
    if 0 < point <= 21:
        text = digits + "0" * (point - len(digits)) if point >= len(digits) else f"{digits[:point]}.{digits[point:]}"
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        text = f"{mantissa}e{'+' if point - 1 > 0 else '-'}{abs(point - 1)}"
    return sign + text


def _shortest(value: float) -> tuple[str, int]:
    """The shortest digits that round-trip (Python's repr gives them) and their exponent."""
    sign, digits, exponent = Decimal(repr(abs(value))).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    return text, exponent + (len(digits) - len(text))


def version_hash(document: dict) -> str:
    unsigned = {key: item for key, item in document.items() if key != "sha256"}
    return hashlib.sha256(canonical_json(unsigned).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Link:
    """Where a new version attaches to the chain."""
    prev: str | None
    seq: int


def link_after(replaced: dict | None, season_head: dict | None) -> Link:
    """The link of a new version of a date: after the version it replaces (a file made before the
    chain starts a new one), or, for the date's first, after all.json's season head."""
    if replaced is not None:
        if "sha256" not in replaced:
            return Link(None, 1)
        return Link(replaced["sha256"], replaced["seq"] + 1)
    if season_head is not None and season_head.get("head"):
        return Link(season_head["head"], season_head["length"] + 1)
    return Link(None, 1)


def sign(document: dict, link: Link) -> dict:
    """The document with its place in the chain and its own hash."""
    linked = {**document, "prev": link.prev, "seq": link.seq}
    return {**linked, "sha256": version_hash(linked)}


def head_of(document: dict | None) -> dict | None:
    """all.json's `chain`: the head is the version of today's file it shows."""
    if document is None or "sha256" not in document:
        return None
    return {"head": document["sha256"], "length": document["seq"]}


# ---------------------------------------------------------------- the public index of a date

def index_entry(document: dict, snapshot: str) -> dict:
    return {"export_id": document["export_id"], "published_at": document["generated_at"],
            "sha256": document["sha256"], "prev": document["prev"], "seq": document["seq"], "snapshot": snapshot}


def merged_index(sport: str, game_date: str, current: dict | None, entries: Iterable[dict]) -> dict:
    """The index with `entries` added (append-only: entries already listed are kept as they are),
    in chain order."""
    listed = list(current["versions"]) if current else []
    known = {entry["sha256"] for entry in listed}
    for entry in entries:
        if entry["sha256"] not in known:
            listed.append(entry)
            known.add(entry["sha256"])
    listed.sort(key=lambda entry: (entry["seq"], entry["published_at"]))
    return {"sport": sport, "date": game_date, "versions": listed}
