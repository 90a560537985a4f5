"""Where the contracts are read from: schemas/ (DDL, JSON Schemas, the sports file). Apart from
ddl.py so that a command that reads only the sports file does not load the DDL parser."""
from __future__ import annotations

import os
from pathlib import Path


class SchemaError(ValueError):
    """A schemas directory or DDL file that cannot be located or parsed."""


def schema_root() -> Path:
    """The `schemas/` directory: $PICKLOCK_SCHEMA_DIR, else the repository's, else the copy
    a deploy bundle packages beside the code."""
    override = os.environ.get("PICKLOCK_SCHEMA_DIR")
    if override:
        return Path(override)
    here = Path(__file__).resolve()
    candidates = (here.parents[3] / "schemas", here.parents[1] / "_schemas")
    for candidate in candidates:
        if (candidate / "bigquery").is_dir():
            return candidate
    raise SchemaError(f"no schemas directory; looked in {', '.join(map(str, candidates))} "
                      "(set PICKLOCK_SCHEMA_DIR)")
