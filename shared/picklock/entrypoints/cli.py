"""The operator CLI. Exit 0 on success, 2 on bad input (nothing changed), 1 on any other failure."""
from __future__ import annotations

import argparse
import os
import sys

# Only what the parser needs is imported here, so that `--help` starts fast; each command imports
# the rest (tests/unit/test_cli_imports.py holds this). Not even typing: it is for type checkers.
from ..domain.triggers import TRIGGERS
from ..topics import GRADING_COMPLETE, MANUAL_PICKS, SIGNAL_UPDATED, TOPICS
from .dashboard_port import DEFAULT_PORT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Callable, Sequence

    from ..config import Config
    from ..service_layer.ports import Publisher
    from ..service_layer.services import PicklockService
    from .stack import Stack

EXIT_BAD_INPUT = 2


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command; with `argv`, only the command it names (if any) is a parser
    with its arguments, and the others are listed by name: argparse builds a parser per
    subcommand, and thirty of them were a third of the start of `picklock --help` or `status`."""
    built = set(COMMANDS) if argv is None else {_named_command(argv)}

    def subcommand(*, prog: str, **options) -> argparse.ArgumentParser | _Listed:
        return _Parser(prog=prog, **options) if prog.removeprefix("picklock ") in built else _Listed(prog)

    parser = _Parser(prog="picklock", description=__doc__)
    _global_options(parser)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=subcommand)
    for name, (help_text, add_arguments) in COMMANDS.items():
        made = commands.add_parser(name, help=help_text, prog=f"picklock {name}")
        if name in built:
            add_arguments(made)
    return parser


class _Listed:
    """A subcommand argv does not name: argparse lists it in the help and among the choices, and
    never asks it to parse, so it need not be a parser."""

    def __init__(self, prog: str):
        self.prog = prog


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's, at the terminal's width found without importing shutil (and the archive
    modules it imports: 3 ms of a 45 ms `--help`); argparse makes one for every add_argument."""

    def __init__(self, prog: str, **options):
        try:
            columns = int(os.environ.get("COLUMNS") or os.get_terminal_size(sys.__stdout__.fileno()).columns)
        except (AttributeError, OSError, ValueError):
            columns = 80
        super().__init__(prog, width=columns - 2, **options)


class _Parser(argparse.ArgumentParser):
    """With _HelpFormatter; its subparsers are of its class."""

    def __init__(self, *args, **options):
        super().__init__(*args, formatter_class=_HelpFormatter, **options)


def _global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", help="embedded data directory (PICKLOCK_HOME, default ./.picklock)")
    parser.add_argument("--now", help="fix the clock, ISO-8601 with a zone (PICKLOCK_NOW)")
    parser.add_argument("--sport", help="a sport of schemas/sports.json (PICKLOCK_SPORT, default nba)")
    parser.add_argument("--env", help="read PICKLOCK_* settings from this file first (KEY=VALUE lines, "
                                                 "`export` allowed), e.g. .emulators/dev.env written by `make dev`")


class _NotParsed(Exception):
    pass


class _Lenient(_Parser):
    """Reports a usage error to its caller instead of exiting: the full parser reports it."""

    def error(self, message: str):
        raise _NotParsed(message)


def _named_command(argv: Sequence[str]) -> str | None:
    """The command `argv` names after the global options (parsed as the full parser would,
    abbreviations included), or None when it names none that exists."""
    options = _Lenient(prog="picklock", add_help=False)
    _global_options(options)
    options.add_argument("command", nargs="?")
    try:
        named = options.parse_known_args(argv)[0].command
    except _NotParsed:
        return None
    return named if named in COMMANDS else None


def _load_arguments(help_text: str) -> Callable[[argparse.ArgumentParser], None]:
    """An upstream table's one action, `load`: a date's rows from a JSON file."""
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        load = parser.add_subparsers(dest="action", required=True).add_parser("load", help=help_text)
        load.add_argument("--date", required=True)
        load.add_argument("--file", required=True, type=_path)

    return add_arguments


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", required=True)
    parser.add_argument("--trigger", default="cli", choices=TRIGGERS)


def _manual_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a manual pick")
    _key_args(add)
    add.add_argument("--team", required=True)
    add.add_argument("--opponent", required=True)
    add.add_argument("--direction", required=True, type=str.upper, choices=("OVER", "UNDER"))
    add.add_argument("--line", required=True)
    add.add_argument("--edge")
    add.add_argument("--player-name")
    add.add_argument("--game-time", help="tip-off, ISO-8601 (default: learnt from the signal)")
    add.add_argument("--notes")
    add.add_argument("--odds", help="posted American odds, e.g. -110 or +125 (published, then frozen)")
    add.add_argument("--tier", help="confidence tier, e.g. ultra")
    add.add_argument("--venue", choices=("home", "away"), help="where the player's team plays")
    _command_args(add)
    remove = actions.add_parser("remove", help="remove a manual pick (voids it if already published)")
    _key_args(remove)
    _command_args(remove)
    actions.add_parser("list", help="manual commands of a date").add_argument("--date", required=True)


def _void_arguments(parser: argparse.ArgumentParser) -> None:
    _key_args(parser)
    parser.add_argument("--reason", required=True)
    _command_args(parser)


def _grade_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", required=True)


def _halt_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reason", required=True)
    _requester_arguments(parser)


def _requester_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--by", default=os.environ.get("USER") or "operator", help="who submits it")
    parser.add_argument("--request-id", help="idempotency key (default: a new one)")


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def _audit_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="exports of a date").add_argument("--date", required=True)
    actions.add_parser("show", help="print an export's file exactly as published").add_argument("export_id")
    diff = actions.add_parser("diff", help="what changed between two exports")
    diff.add_argument("export_a")
    diff.add_argument("export_b")


def _verify_arguments(parser: argparse.ArgumentParser) -> None:
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument("--date", help="only this date")
    scope.add_argument("--since", help="from this date to the date all.json shows")
    parser.add_argument("--base", help="read over plain HTTPS GET from this URL (where the bucket is served) "
                                       "instead of the configured bucket")
    parser.add_argument("--json", action="store_true", help="a machine-readable report")


def _restore_arguments(parser: argparse.ArgumentParser) -> None:
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument("--date", help="only this date")
    scope.add_argument("--all", action="store_true", help="every date with audit rows")
    parser.add_argument("--dry-run", action="store_true", help="print what would be written, write nothing")


def _status_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", required=True)
    parser.add_argument("--json", action="store_true")


def _dashboard_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0 picks a free one")


def _publish_arguments(parser: argparse.ArgumentParser) -> None:
    topics = parser.add_subparsers(dest="topic", required=True)
    updated = topics.add_parser(SIGNAL_UPDATED, help="the signal of a date was rewritten")
    updated.add_argument("--date", required=True)
    updated.add_argument("--run-id")
    updated.add_argument("--algorithm-version")
    graded = topics.add_parser(GRADING_COMPLETE, help="the actuals of a date are in")
    graded.add_argument("--date", required=True)
    graded.add_argument("--status", default="complete", choices=("complete", "partial"))
    graded.add_argument("--graded-count", type=int, default=0)
    for topic_parser in (updated, graded):
        _wait_arg(topic_parser)


def _example_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=("signal", "results", "closing"))
    parser.add_argument("--date")
    parser.add_argument("--run", type=int, choices=(1, 2), default=1, help="signal: the first or second run of the day")


def _dead_letters_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="parked messages with their error, consuming none").add_argument(
        "--topic", choices=TOPICS)
    replay = actions.add_parser("replay", help="republish parked messages to their topic (after a fix); each is "
                                               "acknowledged on the dead-letter queue once republished")
    replay.add_argument("--topic", required=True, choices=TOPICS)
    replay.add_argument("--message-id", action="append", help="the id the message had on its topic (repeatable)")
    replay.add_argument("--all", action="store_true")


# name: (help, what adds its arguments), in the order --help lists them
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "signal": ("upstream signal runs", _load_arguments("replace a date's signal rows with a JSON array")),
    "results": ("upstream actuals", _load_arguments("replace a date's actuals with a JSON array")),
    "closing": ("closing lines, for closing line value",
                _load_arguments("replace a date's closing lines with a JSON array, then re-export it")),
    "export": ("merge, lock, publish and audit one date", _export_arguments),
    "manual": ("operator picks", _manual_arguments),
    "void": ("withdraw a published pick, with a reason", _void_arguments),
    "grade": ("grade a date's published picks, then export", _grade_arguments),
    "halt": ("halt publishing new picks of the sport (all.json shows a banner)", _halt_arguments),
    "resume": ("resume publishing new picks of the sport", _requester_arguments),
    "migrate": ("bring the tables of an earlier version to today's shape (BigQuery; an embedded home migrates "
                "itself)", _no_arguments),
    "audit": ("the export audit trail", _audit_arguments),
    "verify": ("check the sport's public files: chain, locks, timing, record (exit 1 listing every violation)",
               _verify_arguments),
    "restore": ("rebuild the sport's live files, history snapshots, indexes and all.json from the audit table "
                "(not the feeds: they are not in it); exit 1 on conflicts", _restore_arguments),
    "status": ("what is published for a date", _status_arguments),
    "dashboard": ("read-only operator web page on 127.0.0.1, until Ctrl-C", _dashboard_arguments),
    "publish": ("publish an upstream trigger message (testing)", _publish_arguments),
    "example": ("print an example input file for --date (default: the sport's today), for trying picklock on "
                "any day", _example_arguments),
    "dead-letters": ("messages the functions parked (a running stack)", _dead_letters_arguments),
}


def _path(text: str) -> Path:
    from pathlib import Path

    return Path(text)


def _wait_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", type=float, nargs="?", const=60.0, metavar="SECONDS",
                        help="wait (default 60 s) for the function's outcome: its export, or why it parked the "
                             "message (exit 1)")


def _key_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", required=True)
    parser.add_argument("--player", required=True, help="player_lookup, e.g. guisantos")
    parser.add_argument("--stat", default="PTS")


def _command_args(parser: argparse.ArgumentParser) -> None:
    _requester_arguments(parser)
    parser.add_argument("--export", action="store_true", help="export the date afterwards")
    parser.add_argument("--via", choices=("service", "pubsub"), default="service",
                        help=f"pubsub: publish a {MANUAL_PICKS} message for the function to apply")
    _wait_arg(parser)


def _number(text: str | None, flag: str) -> float | None:
    from ..arguments import InputError

    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(flag, f"{text!r} is not a number") from None


def _odds(text: str | None) -> int | None:
    from ..arguments import InputError
    from ..domain.pricing import odds_refusal

    if text is None:
        return None
    try:
        odds = int(text)
    except ValueError:
        raise InputError("--odds", f"{text!r} is not American odds (an integer such as -110 or +125)") from None
    refusal = odds_refusal(odds)
    if refusal:
        raise InputError("--odds", refusal)
    return odds


def _command_payload(args, service: PicklockService, sport: str) -> dict:
    """The CLI speaks the same language as the manual-picks message, validated by the same schema."""
    import uuid

    from ..domain.calendar import format_instant

    payload = {
        "request_id": args.request_id or uuid.uuid4().hex,
        "submitted_at": format_instant(service.now()),
        "action": "void" if args.command == "void" else args.action,
        "sport": sport,
        "game_date": args.date,
        "player_lookup": args.player,
        "stat": args.stat,
        "submitted_by": args.by,
    }
    if args.command == "void":
        payload["reason"] = args.reason
    elif args.action == "add":
        payload.update(team=args.team, opponent=args.opponent, direction=args.direction,
                       line=_number(args.line, "--line"))
        optional = {"edge": _number(args.edge, "--edge"), "player_name": args.player_name,
                    "notes": args.notes, "game_time": args.game_time, "odds_american": _odds(args.odds),
                    "tier": args.tier, "home": None if args.venue is None else args.venue == "home"}
        payload.update({k: v for k, v in optional.items() if v is not None})
    return payload


def _trigger_payload(args, sport: str) -> dict:
    if args.topic == SIGNAL_UPDATED:
        optional = {"run_id": args.run_id, "algorithm_version": args.algorithm_version}
    else:
        optional = {"status": args.status, "graded_count": args.graded_count}
    return {"game_date": args.date, "sport": sport, **{k: v for k, v in optional.items() if v is not None}}


def _halt_payload(args, service: PicklockService, sport: str) -> dict:
    import uuid

    from ..domain.calendar import format_instant

    payload = {"request_id": args.request_id or uuid.uuid4().hex, "submitted_at": format_instant(service.now()),
               "action": args.command, "sport": sport, "submitted_by": args.by}
    if args.command == "halt":
        payload["reason"] = args.reason
    return payload


def run(args, service: PicklockService, out, stack: Stack | None = None) -> int:
    """One command; `stack` is what commands against a running stack use (none: they are refused)."""
    from ..config import Config
    from ..domain.calendar import format_instant
    from ..domain.export import describe
    from ..domain.sports import DEFAULT_SPORT
    from ..arguments import InputError, game_date_arg, sport_arg
    from ..validation import closing_rows, manual_command, read_file, result_rows, signal_rows, trigger_message
    from .stack import Stack, dead_letters, publish

    stack = stack or Stack(Config())
    sport = sport_arg(args.sport or DEFAULT_SPORT)
    if args.command in ("signal", "results"):
        game_date = game_date_arg(args.date)
        data = read_file(args.file)
        if args.command == "signal":
            rows = signal_rows(data, game_date, str(args.file), sport)
            service.load_signal(game_date, rows, sport.id)
        else:
            rows = result_rows(data, game_date, str(args.file), sport)
            service.load_results(game_date, rows, sport.id)
        print(f"loaded {len(rows)} {args.command} rows for {sport.id} {game_date}", file=out)
    elif args.command == "closing":
        game_date = game_date_arg(args.date)
        lines = closing_rows(read_file(args.file), game_date, str(args.file), sport, now=service.now())
        ignored = service.load_closing(game_date, lines, sport.id)
        print(f"loaded {len(lines) - len(ignored)} closing lines for {sport.id} {game_date}", file=out)
        for line in ignored:
            print(f"  ignored: {line.key} names no published pick", file=out)
        for report in service.grade(game_date, sport.id):  # CLV shows at once
            print(describe(report.plan), file=out)
    elif args.command == "export":
        print(describe(service.export(game_date_arg(args.date), args.trigger, sport.id).plan), file=out)
    elif args.command == "grade":
        for report in service.grade(game_date_arg(args.date), sport.id):
            print(describe(report.plan), file=out)
    elif args.command == "void" or (args.command == "manual" and args.action in ("add", "remove")):
        game_date_arg(args.date)
        payload = _command_payload(args, service, sport.id)
        command = manual_command(payload, "arguments")
        if args.via == "pubsub":
            if args.export:
                raise InputError("--export", "not with --via pubsub: the function exports after applying it")
            return publish(stack, service, MANUAL_PICKS, payload, command.game_date, sport.id, "--via pubsub", out,
                           wait=args.wait, label=f"{command.action} {command.key} (request {command.request_id}) ")
        if args.wait is not None:
            raise InputError("--wait", "only with --via pubsub: without it the command is applied at once")
        else:
            recorded = service.submit_manual(command)
            print(f"{command.action} {command.key} {'recorded' if recorded else 'already recorded'}"
                  f" (request {command.request_id})", file=out)
            if args.export:
                print(describe(service.export(command.game_date, "manual", sport.id).plan), file=out)
    elif args.command in ("halt", "resume"):
        command = manual_command(_halt_payload(args, service, sport.id), "arguments")
        submission = service.submit_halt(command)
        print(f"{command.action} {sport.id}: "
              f"{'recorded' if submission.recorded else submission.refusal or 'already recorded'}"
              f" (request {command.request_id})", file=out)
        # At once, so the banner shows (or goes) without waiting for the next trigger.
        print(describe(service.export(service.today(sport.id), "manual", sport.id).plan), file=out)
    elif args.command == "manual":
        for command in service.manual_commands(game_date_arg(args.date), sport.id):
            detail = (f"{command.direction} {command.line} {command.team} vs {command.opponent}"
                      if command.action == "add" else command.reason or "")
            print(f"{format_instant(command.submitted_at)}  {command.action:6}  {command.player_lookup} "
                  f"{command.stat}  {detail}  by {command.submitted_by}  ({command.request_id})", file=out)
    elif args.command == "audit":
        _audit(args, service, out, sport.id)
    elif args.command == "verify":
        return _verify(args, service, out, sport)
    elif args.command == "restore":
        return _restore(args, service, out, sport)
    elif args.command == "migrate":
        applied = service.store.migrate()
        print(f"migrations applied: {', '.join(applied)}" if applied else
              "nothing to migrate (an embedded home migrates itself when opened)", file=out)
    elif args.command == "dashboard":
        from .dashboard import serve

        serve(service, args.port, out)
    elif args.command == "publish":
        game_date = game_date_arg(args.date)
        payload = _trigger_payload(args, sport.id)
        trigger_message(args.topic, payload, "arguments")
        return publish(stack, service, args.topic, payload, game_date, sport.id, "publish", out, wait=args.wait)
    elif args.command == "dead-letters":
        return dead_letters(stack, args, out)
    elif args.command == "example":
        import json

        print(json.dumps(_example(args, service, sport), indent=1), file=out)
    return 0


def _audit(args, service: PicklockService, out, sport: str) -> None:
    import json

    from ..domain.calendar import format_instant
    from ..domain.render import diff_documents
    from ..arguments import game_date_arg

    if args.action == "list":
        for r in service.audit_records(game_date_arg(args.date), sport):
            print(f"{r.export_id}  {format_instant(r.exported_at)}  {r.trigger_source:14} {r.outcome:10} "
                  f"total={r.count_total} active={r.count_active} locked={r.count_locked} "
                  f"voided={r.count_voided} manual={r.count_manual} graded={r.count_graded} "
                  f"all.json={'yes' if r.all_json_written else 'no'}", file=out)
    elif args.action == "show":
        out.write(service.audit_record(args.export_id).document)
    else:
        a, b = service.audit_record(args.export_a), service.audit_record(args.export_b)
        print(json.dumps(diff_documents(json.loads(a.document), json.loads(b.document)), indent=2), file=out)


def _restore(args, service: PicklockService, out, sport) -> int:
    from ..service_layer.restore import NothingToRestore, restore
    from ..arguments import InputError, game_date_arg

    day = game_date_arg(args.date) if args.date else None
    try:
        report = restore(service.store, service.publisher, sport, game_date=day, dry_run=args.dry_run)
    except NothingToRestore as error:
        raise InputError("--date", str(error)) from None
    for step in report.steps:
        print(step, file=out)
    print(report.summary(), file=out)
    return 0 if report.ok else 1


def _example(args, service: PicklockService, sport) -> list[dict]:
    from ..arguments import game_date_arg
    from . import examples

    game_date = game_date_arg(args.date) if args.date else service.today(sport.id)
    if args.kind == "signal":
        return examples.signal_run(sport, game_date, service.now(), args.run)
    if args.kind == "results":
        return examples.results(sport, game_date)
    return examples.closing_lines(sport, game_date, service.now())


def _verify(args, service: PicklockService, out, sport) -> int:
    import json

    from ..adapters.http_files import BucketFiles, HttpFiles
    from ..service_layer.verification import verify
    from ..arguments import InputError, game_date_arg

    day = game_date_arg(args.date) if args.date else None
    since = game_date_arg(args.since, "--since") if args.since else None
    if args.base is not None and not args.base.startswith(("https://", "http://")):
        raise InputError("--base", f"{args.base!r} is not an http(s) URL")
    files = HttpFiles(args.base) if args.base else BucketFiles(service.publisher)
    try:
        report = verify(files, sport, first=day or since, last=day)
    except ValueError as error:
        raise InputError("verify", str(error)) from None
    if args.json:
        print(json.dumps(report.as_dict(), indent=2), file=out)
    else:
        print(report.summary(), file=out)
        for violation in report.violations:
            print(f"  {violation}", file=out)
    return 0 if report.ok else 1


def _status(args, publisher: Publisher, out, sport: str) -> int:
    """Reads the published file and nothing else: no store, no service (it starts fast)."""
    import json

    from ..adapters.sports_file import default_catalogue
    from ..arguments import game_date_arg

    game_date = game_date_arg(args.date)
    text, _ = publisher.read(default_catalogue().get(sport).date_file_name(game_date))
    published = None if text is None else json.loads(text)
    if args.json:
        print(json.dumps(published, indent=2), file=out)
        return 0
    if published is None:
        print(f"{game_date}: nothing published yet", file=out)
        return 0
    print(f"{game_date}: export {published['export_id']} at {published['generated_at']}", file=out)
    for p in published["picks"]:
        extra = f" ({p['void_reason']})" if p["void_reason"] else ""
        result = f"  {p['result']} {p['actual']}" if p["result"] else ""
        odds = p.get("odds")  # files written before prices were published do not say
        price = f" {odds:+d}" if odds is not None else ""
        units = f" {p['units']:+.2f}u" if p.get("units") is not None else ""
        clv = f" clv {p['clv']:+g}" if p.get("clv") is not None else ""
        print(f"  {p['rank']:>2}. {p['player']:<24} {p['stat']:<4} {p['direction']:<5} {p['line']:>5}{price}  "
              f"{p['source']:<9} {p['status']}{extra}{result}{units}{clv}", file=out)
    return 0


def _config(args) -> Config:
    from ..config import Config, read_env_file
    from ..arguments import InputError, instant_arg, sport_arg

    if args.env is not None:
        try:  # as if sourced: the Google clients read the emulator hosts from the environment too
            os.environ.update(read_env_file(args.env))
        except OSError as error:
            raise InputError("--env", f"cannot read {args.env}: {error.strerror}") from None
        except ValueError as error:
            raise InputError("--env", str(error)) from None
    try:
        config = Config.from_env(home=args.home or None, now=args.now, sport=args.sport)
    except ValueError as error:
        raise InputError("configuration", str(error)) from None
    if config.now is not None:
        instant_arg(config.now, "--now" if args.now is not None else "PICKLOCK_NOW")
    args.sport = sport_arg(config.sport, "--sport" if args.sport is not None else "PICKLOCK_SPORT").id
    return config


class OutputClosed(Exception):
    """Standard output was closed by its reader."""


class _Output:
    """The command's output stream, telling a closed pipe on it apart from one elsewhere (a
    connection to a backend), which stays a failure."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            raise OutputClosed from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise OutputClosed from None


def main(argv: list[str] | None = None, out=sys.stdout) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    # Imported once the arguments are known: `--help` and usage errors need none of it.
    from ..arguments import InputError
    from ..bootstrap import bootstrap, publisher_for
    from ..service_layer.errors import InvalidCommand

    output = _Output(out)
    try:
        config = _config(args)
        if args.command == "status":
            status = _status(args, publisher_for(config), output, args.sport)
        else:
            from .stack import Stack

            status = run(args, bootstrap(config), output, Stack(config))
        output.flush()
        return status
    except OutputClosed:
        # The reader went away (`picklock ... | head -1`): the work is done, there is nothing to
        # report to nobody. Later writes, at exit included, go nowhere instead of failing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 0
    except (InputError, InvalidCommand) as error:
        print(f"picklock: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:  # noqa: BLE001 - the CLI's last line of defence: say what failed
        print(f"picklock: failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
