import os
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Tests run against the source tree (shared/), and the harness is importable as tests.harness.
sys.path[:0] = [str(REPO / "shared"), str(REPO)]


@pytest.fixture(scope="session")
def emulators():
    """Pub/Sub, Cloud Storage and BigQuery emulators on loopback, for the whole session.

    Started on first use only, so a run of the unit tests alone starts nothing. The clients find
    them through the same variables as in production (PUBSUB_EMULATOR_HOST, ...)."""
    from tests.harness.emulators import EmulatorStack, ensure_installed

    ensure_installed(REPO, quiet=True)
    stack = EmulatorStack(REPO)
    env = stack.start()
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    yield stack
    stack.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def unique_name():
    """A fresh dataset / bucket / topic name per test: tests share emulators, never state."""
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:10]}"
