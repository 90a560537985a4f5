"""The CLI starts fast by importing only what a command uses (issue 15): `picklock --help` builds its
parser from light modules, and `picklock status` loads no schema validator, dashboard, HTTP client
or Google client. Held by what a fresh interpreter has imported, not by timing, which a busy
machine would make flaky; tools/bench/cold.py measures the time."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Runs the CLI as the `picklock` script does, then prints its exit status and the modules it loaded
# (not those the interpreter starts with: site's .pth files load some).
PROBE = """
import json, sys
at_start = set(sys.modules)
from picklock.entrypoints.cli import main
try:
    status = main(sys.argv[1:])
except SystemExit as exit:
    status = exit.code
print(json.dumps({"status": status, "modules": sorted(set(sys.modules) - at_start)}))
"""

# Slow to import and of no use to --help or status.
HEAVY = ("jsonschema", "referencing", "google", "urllib.request", "http.client", "http.server",
         "picklock.entrypoints.dashboard", "picklock.service_layer.verification", "picklock.service_layer.views",
         "picklock.service_layer.restore", "picklock.adapters.http_files", "picklock.entrypoints.examples")
# All of picklock that building the parser needs.
PARSER_MODULES = {"picklock", "picklock.entrypoints", "picklock.entrypoints.cli", "picklock.domain",
                  "picklock.domain.triggers", "picklock.topics", "picklock.entrypoints.dashboard_port"}


def loaded(cwd: Path, *argv: str) -> tuple[int, set[str]]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("PICKLOCK_")}
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=cwd, capture_output=True, text=True, timeout=60,
                          env={**env, "PYTHONPATH": str(REPO / "shared")})
    report = json.loads(done.stdout.splitlines()[-1])
    return report["status"], set(report["modules"])


def among(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(f"{p}.") for p in packages))


@pytest.mark.parametrize("argv, status", [
    (["--help"], 0),
    (["status", "--help"], 0),
    (["export"], 2),  # a usage error: --date is missing
])
def test_help_and_usage_errors_load_only_the_parser(tmp_path, argv, status):
    exit_status, modules = loaded(tmp_path, *argv)
    assert exit_status == status
    assert among(modules, ("picklock",)) == sorted(PARSER_MODULES)
    assert among(modules, HEAVY) == []


def test_status_loads_no_validator_dashboard_or_client(tmp_path):
    exit_status, modules = loaded(tmp_path, "--home", str(tmp_path / "home"), "status", "--date", "2026-03-01")
    assert exit_status == 0
    assert among(modules, HEAVY) == []


def test_status_reads_the_published_file_without_building_the_store_or_the_service(tmp_path):
    exit_status, modules = loaded(tmp_path, "--home", str(tmp_path / "home"), "status", "--date", "2026-03-01")
    assert exit_status == 0
    assert among(modules, ("sqlite3", "picklock.adapters.sqlite_store", "picklock.service_layer.services",
                           "picklock.domain.export", "picklock.entrypoints.stack")) == []


def test_status_checks_its_arguments_without_the_row_validation_or_the_ddl(tmp_path):
    """A date and a sport are checked by picklock.arguments alone: not by the module that validates
    files and messages (it loads every pick type), nor the DDL parser, nor typing or tempfile."""
    exit_status, modules = loaded(tmp_path, "--home", str(tmp_path / "home"), "status", "--date", "2026-03-01")
    assert exit_status == 0
    assert "picklock.arguments" in modules
    assert among(modules, ("picklock.validation", "picklock.domain.picks", "picklock.adapters.ddl",
                           "picklock.service_layer.ports", "typing", "tempfile", "shutil")) == []


def test_status_loads_neither_dataclasses_nor_pathlib_nor_the_zone_database(tmp_path):
    """The configuration and the sports catalogue are named tuples, the local bucket is read
    through os.path, and a sport's zone loads when its "today" is first asked for: dataclasses (it
    imports inspect) and pathlib were 20 ms of a 78 ms `status`, zoneinfo 3 ms, against 20-24 ms
    for a bare interpreter."""
    exit_status, modules = loaded(tmp_path, "--home", str(tmp_path / "home"), "status", "--date", "2026-03-01")
    assert exit_status == 0
    assert among(modules, ("dataclasses", "inspect", "pathlib", "zoneinfo")) == []


# One command line per subcommand and action, global options before them as operators type them.
COMMAND_LINES = [
    ["signal", "load", "--date", "2026-03-01", "--file", "s.json"],
    ["--sport", "mlb", "results", "load", "--date", "2026-03-01", "--file", "r.json"],
    ["closing", "load", "--date", "2026-03-01", "--file", "c.json"],
    ["--home", "h", "--now", "2026-03-01T12:00:00Z", "export", "--date", "2026-03-01", "--trigger", "manual"],
    ["manual", "add", "--date", "2026-03-01", "--player", "p", "--team", "BOS", "--opponent", "NYK",
     "--direction", "over", "--line", "24.5", "--odds", "-110", "--venue", "home", "--via", "pubsub", "--wait"],
    ["manual", "remove", "--date", "2026-03-01", "--player", "p", "--export"],
    ["manual", "list", "--date", "2026-03-01"],
    ["void", "--date", "2026-03-01", "--player", "p", "--stat", "REB", "--reason", "injury"],
    ["grade", "--date", "2026-03-01"],
    ["halt", "--reason", "feed down", "--by", "ops"],
    ["resume", "--request-id", "r1"],
    ["migrate"],
    ["audit", "list", "--date", "2026-03-01"],
    ["audit", "show", "e1"],
    ["audit", "diff", "e1", "e2"],
    ["verify", "--since", "2026-03-01", "--json"],
    ["restore", "--all", "--dry-run"],
    ["--ho", "h", "status", "--date", "2026-03-01", "--json"],  # an abbreviated global option
    ["dashboard", "--port", "0"],
    ["publish", "signal-updated", "--date", "2026-03-01", "--run-id", "r"],
    ["publish", "grading-complete", "--date", "2026-03-01", "--status", "partial", "--wait", "5"],
    ["example", "signal", "--run", "2"],
    ["dead-letters", "replay", "--topic", "manual-picks", "--all"],
]


def test_every_command_is_in_the_table_of_commands():
    from picklock.entrypoints.cli import COMMANDS

    assert {argv[next(i for i, a in enumerate(argv) if a in COMMANDS)] for argv in COMMAND_LINES} == set(COMMANDS)


@pytest.mark.parametrize("argv", COMMAND_LINES, ids=lambda argv: " ".join(argv[:3]))
def test_the_parser_of_one_command_reads_its_line_as_the_parser_of_all(argv):
    from picklock.entrypoints.cli import build_parser

    assert vars(build_parser(argv).parse_args(argv)) == vars(build_parser().parse_args(argv))


def test_the_parser_of_one_command_lists_the_others_without_building_them():
    import argparse

    from picklock.entrypoints.cli import COMMANDS, build_parser

    def subcommands(parser):
        (action,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return action.choices

    for argv, built in ((["status", "--date", "2026-03-01"], {"status"}), (["--help"], set()), (None, set(COMMANDS))):
        parser = build_parser(argv)
        assert set(subcommands(parser)) == set(COMMANDS)  # every command is a choice, and in the usage
        assert all(name in parser.format_usage() for name in COMMANDS)
        assert {name for name, sub in subcommands(parser).items() if isinstance(sub, argparse.ArgumentParser)} == built