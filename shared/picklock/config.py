"""Configuration from the environment: the only place that reads it."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BACKENDS = ("embedded", "gcp")


@dataclass(frozen=True)
class Config:
    backend: str = "embedded"
    home: Path = Path(".picklock")
    project: str | None = None
    dataset: str = "nba_predictions"
    bucket: str | None = None
    bigquery_endpoint: str | None = None  # emulator only
    now: str | None = None  # fixes the clock (demos, tests)
    sport: str = "nba"  # the CLI's sport when --sport is not given

    @classmethod
    def from_env(cls, environ=os.environ, **overrides) -> Config:
        values = dict(
            backend=environ.get("PICKLOCK_BACKEND", "embedded"),
            home=Path(environ.get("PICKLOCK_HOME", ".picklock")),
            project=environ.get("PICKLOCK_PROJECT"),
            dataset=environ.get("PICKLOCK_DATASET", "nba_predictions"),
            bucket=environ.get("PICKLOCK_BUCKET"),
            bigquery_endpoint=environ.get("PICKLOCK_BIGQUERY_ENDPOINT"),
            now=environ.get("PICKLOCK_NOW"),
            sport=environ.get("PICKLOCK_SPORT", "nba"),
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        config = cls(**values)
        if config.backend not in BACKENDS:
            raise ValueError(f"PICKLOCK_BACKEND={config.backend!r}: expected one of {', '.join(BACKENDS)}")
        if config.backend == "gcp" and not (config.project and config.bucket):
            raise ValueError("PICKLOCK_BACKEND=gcp needs PICKLOCK_PROJECT and PICKLOCK_BUCKET")
        return config
