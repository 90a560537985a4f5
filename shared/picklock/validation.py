"""Validation at the edge: every file, message and CLI argument becomes a domain value or an
InputError that says where (file, row, field or flag) and what is wrong. Nothing else gets in."""
from __future__ import annotations

import json
import math
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .adapters.schema_dir import schema_root
from .arguments import InputError, field_date, field_instant, sport_arg
from .domain.calendar import MAX_CLOCK_SKEW, OutOfRange, checked_date, format_instant
from .domain.picks import DEFAULT_STAT, ClosingLine, GameResult, HaltCommand, ManualCommand, SignalRow
from .domain.sports import DEFAULT_SPORT, Sport

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

MAX_INPUT_BYTES = 4 * 1024 * 1024


def parse_json(raw: bytes, where: str) -> Any:
    """Strict JSON: UTF-8 only, no NaN/Infinity, no duplicate keys, bounded size."""
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(where, f"{len(raw)} bytes is over the {MAX_INPUT_BYTES}-byte limit")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(where, f"not UTF-8 (byte {error.start})") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float,
                          object_pairs_hook=_refuse_duplicate_keys)
    except json.JSONDecodeError as error:
        raise InputError(where, f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    except ValueError as error:
        raise InputError(where, str(error)) from None
    except RecursionError:
        raise InputError(where, "nested too deeply") from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 overflows to infinity
        raise ValueError(f"{text} is out of range for a number")
    return value


def _refuse_duplicate_keys(pairs):
    seen = {}
    for name, value in pairs:
        if name in seen:
            raise ValueError(f"duplicate key {name!r} in one object")
        seen[name] = value
    return seen


@lru_cache(maxsize=None)
def _validator(schema_name: str) -> Draft202012Validator:
    # Imported on first use: jsonschema is slow to import, and commands such as `picklock status` validate nothing.
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource

    root = Path(schema_root())
    resources = []
    for path in sorted(root.glob("*/*.schema.json")):
        resource = Resource.from_contents(json.loads(path.read_text()))
        resources += [(path.name, resource), (resource.id() or path.name, resource)]
    registry = Registry().with_resources(resources)
    schema = json.loads(next(root.glob(f"*/{schema_name}.schema.json")).read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def validate(schema_name: str, data: Any, where: str) -> None:
    _refuse_unpaired_surrogates(data, where)
    errors = sorted(_validator(schema_name).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        raise InputError(f"{where}{path}", _describe(error))


def _refuse_unpaired_surrogates(data: Any, where: str) -> None:
    """A JSON escape such as \\ud800, or a command-line argument that is not UTF-8, yields a str no
    table or file can store: refuse it here, by name, instead of failing later in an adapter."""
    pending = [(where, data)]
    while pending:  # a loop, not recursion: parse_json lets nesting reach the recursion limit
        at, value = pending.pop()
        if isinstance(value, dict):
            # A field name is reported at its object; names in paths are escaped, as the error is text.
            pending += [(at, key) for key in value]
            pending += [(f"{at}.{key.encode('utf-8', 'backslashreplace').decode()}", item) for key, item in value.items()]
        elif isinstance(value, list):
            pending += [(f"{at}[{index}]", item) for index, item in enumerate(value)]
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as error:
                raise InputError(at, f"not valid Unicode (unpaired surrogate at character {error.start})") from None


def _describe(error) -> str:
    if error.validator == "additionalProperties":
        return f"unknown field(s): {error.message.split('(')[-1].rstrip(')')}"
    if error.validator in ("maxItems", "maxLength"):  # not the whole oversized value in the message
        unit = "items" if error.validator == "maxItems" else "characters"
        return f"{len(error.instance)} {unit}, at most {error.validator_value} allowed"
    if error.validator == "anyOf" and "description" in error.schema:
        return f"{error.instance!r} is not {error.schema['description']}"
    if error.validator in ("if", "then", "allOf", "not"):
        return f"fields do not fit the action: {error.message}"
    return error.message


def _finite(value: float | None, where: str) -> float | None:
    if value is not None and not math.isfinite(value):
        raise InputError(where, f"{value!r} is not a finite number")
    return None if value is None else float(value)


def _stat(sport: Sport, stat: str, where: str) -> str:
    refusal = sport.refusal_of_stat(stat)
    if refusal:
        raise InputError(where, refusal)
    return stat


def _same_date(row: dict, game_date: date, sport: Sport, where: str) -> None:
    if "game_date" in row and row["game_date"] != game_date.isoformat():
        raise InputError(f"{where}.game_date", f"{row['game_date']} differs from --date {game_date}")
    if row.get("sport", sport.id) != sport.id:
        raise InputError(f"{where}.sport", f"{row['sport']} differs from --sport {sport.id}")


def _keyed_rows(schema_name: str, data: Any, game_date: date, sport: Sport, where: str, build, kind: str) -> list:
    """Validate a file of rows for one date of one sport; `build(row, at)` makes each; one `kind`
    per pick key."""
    validate(schema_name, data, where)
    built, seen = [], {}
    for index, row in enumerate(data):
        at = f"{where}[{index}]"
        _same_date(row, game_date, sport, at)
        _stat(sport, row.get("stat") or DEFAULT_STAT, f"{at}.stat")
        value = build(row, at)
        if value.key in seen:
            raise InputError(at, f"duplicate {kind} {value.key} (also row {seen[value.key]})")
        seen[value.key] = index
        built.append(value)
    return built


def signal_rows(data: Any, game_date: date, where: str, sport: Sport | None = None) -> list[SignalRow]:
    sport = sport or sport_arg(DEFAULT_SPORT)

    def build(row: dict, at: str) -> SignalRow:
        return SignalRow(
            sport=sport.id, game_date=game_date, player_lookup=row["player_lookup"], team=row["team_abbr"],
            opponent=row["opponent_team_abbr"], direction=row["recommendation"],
            line=_finite(row["line_value"], f"{at}.line_value"), system_id=row["system_id"],
            algorithm_version=row["algorithm_version"], stat=row.get("stat") or DEFAULT_STAT,
            player_name=row.get("player_name"), game_id=row.get("game_id"),
            game_time=field_instant(row.get("game_time"), f"{at}.game_time"),
            edge=_finite(row.get("edge"), f"{at}.edge"),
            rank=None if row.get("rank") is None else int(row["rank"]),  # 2.0 is a valid integer: store 2
            angles=tuple(row.get("pick_angles") or ()),
            odds_american=row.get("odds_american"), tier=row.get("tier"), home=row.get("home"),
        )
    return _keyed_rows("signal-rows", data, game_date, sport, where, build, "pick key")


def result_rows(data: Any, game_date: date, where: str, sport: Sport | None = None) -> list[GameResult]:
    sport = sport or sport_arg(DEFAULT_SPORT)

    def build(row: dict, at: str) -> GameResult:
        return GameResult(game_date, row["player_lookup"], row.get("stat") or DEFAULT_STAT,
                          _finite(row["actual_value"], f"{at}.actual_value"), sport.id)
    return _keyed_rows("results-rows", data, game_date, sport, where, build, "result for")


def closing_rows(data: Any, game_date: date, where: str, sport: Sport, *, now: datetime) -> list[ClosingLine]:
    """Closing lines of a date that has begun in the sport's zone, each captured no later than now
    (with the clock skew allowed between machines)."""
    today = sport.today(now)
    if game_date > today:
        raise InputError("--date", f"{game_date} is in the future ({sport.name} today is {today}): "
                         "a line closes at tip-off")

    def build(row: dict, at: str) -> ClosingLine:
        captured_at = field_instant(row["captured_at"], f"{at}.captured_at")
        if captured_at > now + MAX_CLOCK_SKEW:
            raise InputError(f"{at}.captured_at", f"{row['captured_at']} is in the future (now {format_instant(now)})")
        return ClosingLine(game_date, row["player_lookup"], row.get("stat") or DEFAULT_STAT,
                           _finite(row["line_value"], f"{at}.line_value"), captured_at,
                           row.get("odds_american"), sport.id)
    return _keyed_rows("closing-rows", data, game_date, sport, where, build, "closing line for")


def manual_command(data: Any, where: str) -> ManualCommand | HaltCommand:
    """A manual-picks message (or the CLI's equivalent of one) as a domain command. Messages
    without `sport` (publishers older than sports) are NBA's."""
    validate("manual-picks", data, where)
    sport = sport_arg(data.get("sport", DEFAULT_SPORT), f"{where}.sport")
    if data["action"] in ("halt", "resume"):
        return HaltCommand(
            request_id=data["request_id"],
            submitted_at=field_instant(data["submitted_at"], f"{where}.submitted_at"),
            action=data["action"], sport=sport.id, submitted_by=data["submitted_by"], reason=data.get("reason"),
        )
    return ManualCommand(
        sport=sport.id,
        request_id=data["request_id"],
        submitted_at=field_instant(data["submitted_at"], f"{where}.submitted_at"),
        action=data["action"],
        game_date=field_date(data["game_date"], f"{where}.game_date"),
        player_lookup=data["player_lookup"],
        submitted_by=data["submitted_by"],
        stat=_stat(sport, data.get("stat", DEFAULT_STAT), f"{where}.stat"),
        player_name=data.get("player_name"),
        team=data.get("team"),
        opponent=data.get("opponent"),
        direction=data.get("direction"),
        line=_finite(data.get("line"), f"{where}.line"),
        edge=_finite(data.get("edge"), f"{where}.edge"),
        game_time=field_instant(data.get("game_time"), f"{where}.game_time"),
        notes=data.get("notes"),
        reason=data.get("reason"),
        odds_american=data.get("odds_american"),
        tier=data.get("tier"),
        home=data.get("home"),
    )


def trigger_message(topic: str, data: Any, where: str, *,
                    clock: Callable[[], datetime] | None = None) -> tuple[str, date]:
    """signal-updated / grading-complete: validated, and only the sport (default NBA: publishers
    older than sports do not say) and the game date matter.

    `game_date` is a date, or `today` / `yesterday` (what Cloud Scheduler publishes: it cannot
    compute a date), resolved here, at the edge, in the sport's time zone at `clock()` (read only
    for such a date). Callers that act on the date pass the service's clock; without one
    (validating only) it is this machine's."""
    validate(topic, data, where)
    sport = sport_arg(data.get("sport", DEFAULT_SPORT), f"{where}.sport")
    days_back = {"today": 0, "yesterday": 1}.get(data["game_date"])
    if days_back is None:
        return sport.id, field_date(data["game_date"], f"{where}.game_date")
    today = sport.today(clock() if clock else datetime.now().astimezone())
    try:
        return sport.id, checked_date(date.fromordinal(today.toordinal() - days_back))
    except OutOfRange as error:
        raise InputError(f"{where}.game_date", f"{data['game_date']} ({today} in {sport.time_zone}): {error}") from None


def read_file(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(str(path), f"cannot read: {error.strerror}") from None
    return parse_json(raw, str(path))

