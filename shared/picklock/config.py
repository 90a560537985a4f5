"""Configuration from the environment: the only place that reads it."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BACKENDS = ("embedded", "gcp")


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as a shell would `source` them (`export ` allowed, values quoted or not,
    `#` comments): how `make dev` hands its settings to the CLI (`--env .emulators/dev.env`)."""
    import shlex

    values = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        name, separator, value = line.partition("=")
        if not separator or not name.isidentifier():
            raise ValueError(f"{path}, line {number}: not KEY=VALUE")
        parsed = shlex.split(value)
        values[name] = parsed[0] if parsed else ""
    return values


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
