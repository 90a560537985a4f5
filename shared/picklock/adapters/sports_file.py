"""The sport catalogue as configured: schemas/sports.json, read once per process."""
from __future__ import annotations

import functools
import json

from ..domain.sports import Catalogue, catalogue_from_json
from .schema_dir import schema_root

SPORTS_FILE = "sports.json"


@functools.cache
def default_catalogue() -> Catalogue:
    path = schema_root() / SPORTS_FILE
    return catalogue_from_json(json.loads(path.read_text(encoding="utf-8")), where=str(path))
