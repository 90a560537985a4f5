"""Serve each entry point of a functions/main.py through functions-framework, push it a poison
message the way Pub/Sub does, and report where it parked it: the handler's own topic, told by the
code rather than by a name. Runs in a fresh process (an interpreter of a test's choosing) on the
embedded backend, so it needs no cloud and no emulator.

    python probe_entry_points.py MAIN_PY HOME REPORT_JSON

REPORT_JSON gets {entry point: [dead-letter topics it published to]}.
"""
from __future__ import annotations

import ast
import base64
import json
import os
import sys
from pathlib import Path


def cloud_event_entry_points(main_py: Path) -> list[str]:
    """Top-level functions decorated with functions_framework.cloud_event."""
    tree = ast.parse(main_py.read_text(encoding="utf-8"))
    return [node.name for node in tree.body
            if isinstance(node, ast.FunctionDef) and any(_is_cloud_event(d) for d in node.decorator_list)]


def _is_cloud_event(decorator: ast.expr) -> bool:
    return (isinstance(decorator, ast.Attribute) and decorator.attr == "cloud_event") or \
        (isinstance(decorator, ast.Name) and decorator.id == "cloud_event")


def isolated_environment() -> dict[str, str]:
    """This process's environment without picklock's settings, emulator addresses or Python paths,
    for a probe that must see only what it is given."""
    return {name: value for name, value in os.environ.items()
            if not name.startswith(("PICKLOCK_", "PYTHON")) and not name.endswith("_EMULATOR_HOST")}


def poison_push() -> dict:
    """A Pub/Sub push body whose message is not JSON: no handler can accept it."""
    return {"message": {"data": base64.b64encode(b"not json").decode("ascii"), "messageId": "probe-1",
                        "attributes": {}},
            "subscription": "projects/probe/subscriptions/probe"}


def main(main_py: Path, home: Path, report: Path) -> None:
    os.environ.update(PICKLOCK_BACKEND="embedded", PICKLOCK_HOME=str(home))
    import functions_framework  # imported after the environment is set

    outbox = home / "messages"
    parked: dict[str, list[str]] = {}
    for entry_point in cloud_event_entry_points(main_py):
        before = {path.name: path.stat().st_size for path in outbox.glob("*.jsonl")}
        app = functions_framework.create_app(entry_point, str(main_py))
        response = app.test_client().post("/", json=poison_push())
        if response.status_code != 200:
            raise SystemExit(f"{entry_point}: HTTP {response.status_code}: {response.get_data(as_text=True)}")
        parked[entry_point] = sorted(path.stem for path in outbox.glob("*.jsonl")
                                     if path.stat().st_size != before.get(path.name))
    report.write_text(json.dumps(parked), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(), Path(sys.argv[3]))
