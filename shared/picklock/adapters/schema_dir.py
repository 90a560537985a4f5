"""Where the contracts are read from: schemas/ (DDL, JSON Schemas, the sports file). Apart from
ddl.py so that a command that reads only the sports file does not load the DDL parser."""
from __future__ import annotations

import os


class SchemaError(ValueError):
    """A schemas directory or DDL file that cannot be located or parsed."""


def schema_root() -> str:
    """The `schemas/` directory: $PICKLOCK_SCHEMA_DIR, else the repository's, else the copy
    a deploy bundle packages beside the code. (os.path, not pathlib: `picklock status` reads the
    sports file from here, and pathlib is a third of a bare interpreter's start.)"""
    override = os.environ.get("PICKLOCK_SCHEMA_DIR")
    if override:
        return override
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # shared/picklock
    candidates = (os.path.join(package, os.pardir, os.pardir, "schemas"), os.path.join(package, "_schemas"))
    for candidate in map(os.path.normpath, candidates):
        if os.path.isdir(os.path.join(candidate, "bigquery")):
            return candidate
    raise SchemaError(f"no schemas directory; looked in {', '.join(map(os.path.normpath, candidates))} "
                      "(set PICKLOCK_SCHEMA_DIR)")
