"""Backends for the contract suites: one param per implementation of a port.

Each backend is a factory taking pytest's request and tmp_path and returning a zero-argument
opener, so a test can open the same backend again in another process. The cloud backends run
against the emulators (started once per session by tests/conftest.py), each test in a fresh
dataset or bucket. Adding a backend = adding an entry.
"""
import functools
import multiprocessing
import os
import traceback

import pytest

from picklock.adapters.local_publisher import LocalPublisher
from picklock.adapters.sqlite_store import SqliteStore

EMULATOR_PROJECT = "picklock-local"


def _bigquery_store(request, tmp_path):
    from picklock.adapters.bigquery_store import BigQueryStore

    request.getfixturevalue("emulators")
    dataset = request.getfixturevalue("unique_name")("picks").replace("-", "_")
    opener = functools.partial(BigQueryStore, EMULATOR_PROJECT, dataset,
                               endpoint=os.environ["PICKLOCK_BIGQUERY_ENDPOINT"])
    opener().create_tables()
    return opener


def _gcs_publisher(request, tmp_path):
    from google.cloud import storage

    from picklock.adapters.gcs_publisher import GcsPublisher

    request.getfixturevalue("emulators")
    bucket = storage.Client(project=EMULATOR_PROJECT).create_bucket(request.getfixturevalue("unique_name")("picks"))
    return functools.partial(GcsPublisher, EMULATOR_PROJECT, bucket.name)


STORE_BACKENDS = {
    "sqlite": lambda request, tmp_path: functools.partial(SqliteStore, tmp_path / "picklock.sqlite3"),
    "bigquery": _bigquery_store,
}
PUBLISHER_BACKENDS = {
    "local": lambda request, tmp_path: functools.partial(LocalPublisher, tmp_path / "bucket"),
    "gcs": _gcs_publisher,
}


@pytest.fixture(params=sorted(STORE_BACKENDS))
def open_store(request, tmp_path):
    return STORE_BACKENDS[request.param](request, tmp_path)


@pytest.fixture
def store(open_store):
    return open_store()


@pytest.fixture(params=sorted(PUBLISHER_BACKENDS))
def open_publisher(request, tmp_path):
    return PUBLISHER_BACKENDS[request.param](request, tmp_path)


@pytest.fixture
def publisher(open_publisher):
    return open_publisher()


@pytest.fixture
def in_processes():
    """run(count, target, *args): target(*args) in `count` processes released together; returns
    their results, or fails with the first child's traceback. Stragglers are killed at teardown."""
    processes = []

    def run(count, target, *args):
        context = multiprocessing.get_context("fork")  # target and args are inherited, not pickled
        start, outcomes = context.Barrier(count), context.Queue()

        def worker():
            try:
                start.wait(timeout=60)
                outcomes.put((True, target(*args)))
            except BaseException:
                outcomes.put((False, traceback.format_exc()))

        processes.extend(context.Process(target=worker) for _ in range(count))
        for process in processes[-count:]:
            process.start()
        results = [outcomes.get(timeout=120) for _ in range(count)]
        for process in processes[-count:]:
            process.join(timeout=60)
        failures = [detail for succeeded, detail in results if not succeeded]
        assert not failures, failures[0]
        return [value for _, value in results]

    yield run
    for process in processes:
        if process.is_alive():
            process.kill()
