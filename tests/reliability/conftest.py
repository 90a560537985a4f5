"""Backends for the reliability tests: a fresh dataset and bucket on the emulators, or a fresh
embedded home. Each opens new adapters on demand, so every thread or process gets its own
clients, as every function instance does."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from picklock.bootstrap import bootstrap
from picklock.config import Config

PROJECT = "picklock-local"


@dataclass(frozen=True)
class Backend:
    name: str
    config: Config

    def store(self):
        return bootstrap(self.config).store

    def publisher(self):
        return bootstrap(self.config).publisher

    def service(self, now: str | None = None):
        return bootstrap(self.config._replace(now=now))

    def env(self, **extra: str) -> dict[str, str]:
        """What a subprocess needs to open this backend, on top of os.environ."""
        values = {"PICKLOCK_BACKEND": self.config.backend, "PICKLOCK_HOME": str(self.config.home)}
        if self.config.backend == "gcp":
            values.update(PICKLOCK_PROJECT=self.config.project, PICKLOCK_DATASET=self.config.dataset,
                          PICKLOCK_BUCKET=self.config.bucket,
                          PICKLOCK_BIGQUERY_ENDPOINT=self.config.bigquery_endpoint)
        return {**os.environ, **values, **extra}


def cloud_backend(unique_name, *, bigquery_endpoint: str | None = None) -> Backend:
    """A new dataset (tables from the DDL) and bucket on the emulators; the clients find Cloud
    Storage through STORAGE_EMULATOR_HOST, BigQuery through `bigquery_endpoint`."""
    from google.cloud import storage

    from picklock.adapters.bigquery_store import BigQueryStore

    config = Config(backend="gcp", project=PROJECT, dataset=unique_name("chaos").replace("-", "_"),
                    bucket=unique_name("chaos"),
                    bigquery_endpoint=bigquery_endpoint or os.environ["PICKLOCK_BIGQUERY_ENDPOINT"])
    BigQueryStore(PROJECT, config.dataset, endpoint=config.bigquery_endpoint).create_tables()
    storage.Client(project=PROJECT).create_bucket(config.bucket)
    return Backend("emulators", config)


def embedded_backend(home: Path) -> Backend:
    return Backend("embedded", Config(backend="embedded", home=home))


@pytest.fixture
def cloud(emulators, unique_name) -> Backend:
    return cloud_backend(unique_name)


@pytest.fixture
def embedded(tmp_path) -> Backend:
    return embedded_backend(tmp_path / "home")


@pytest.fixture(params=["embedded", "emulators"])
def backend(request, tmp_path) -> Backend:
    if request.param == "embedded":
        return embedded_backend(tmp_path / "home")
    request.getfixturevalue("emulators")
    return cloud_backend(request.getfixturevalue("unique_name"))
