"""The sport catalogue as configured: schemas/sports.json, read once per process."""
from __future__ import annotations

import functools
import json
import os

from ..domain.sports import Catalogue, catalogue_from_json
from .schema_dir import schema_root

SPORTS_FILE = "sports.json"


@functools.cache
def default_catalogue() -> Catalogue:
    path = os.path.join(schema_root(), SPORTS_FILE)
    with open(path, encoding="utf-8") as file:
        return catalogue_from_json(json.load(file), where=path)
