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
