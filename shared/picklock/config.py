"""Configuration from the environment: the only place that reads it."""
from __future__ import annotations

import os
from collections import namedtuple

BACKENDS = ("embedded", "gcp")


def read_env_file(path: str | os.PathLike) -> dict[str, str]:
    """KEY=VALUE lines as a shell would `source` them (`export ` allowed, values quoted or not,
    `#` comments): how `make dev` hands its settings to the CLI (`--env .emulators/dev.env`)."""
    import shlex

    values = {}
    with open(path, encoding="utf-8") as file:
        text = file.read()
    for number, line in enumerate(text.splitlines(), start=1):
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


# A named tuple, not a dataclass, and `home` a path as text, not a pathlib.Path: `picklock status`
# loads this module, and dataclasses (it imports inspect) and pathlib would double its start.
class Config(namedtuple("Config", "backend home project dataset bucket bigquery_endpoint now sport",
                        defaults=("embedded", ".picklock", None, "nba_predictions", None, None, None, "nba"))):
    """backend: "embedded" or "gcp"; home: the embedded backend's directory (str or path-like);
    bigquery_endpoint: an emulator's, or None; now: fixes the clock (demos, tests); sport: the
    CLI's sport when --sport is not given."""
    __slots__ = ()

    @classmethod
    def from_env(cls, environ=os.environ, **overrides) -> Config:
        values = dict(
            backend=environ.get("PICKLOCK_BACKEND", "embedded"),
            home=environ.get("PICKLOCK_HOME", ".picklock"),
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
