"""NBA's object names, as tests and tools name them (the catalogue, schemas/sports.json, has them)."""
from __future__ import annotations

from datetime import date

from picklock.adapters.sports_file import default_catalogue

NBA = default_catalogue().get("nba")
ALL_JSON = NBA.all_json_name


def date_file_name(game_date: date) -> str:
    return NBA.date_file_name(game_date)


def snapshot_name(game_date: date, export_id: str) -> str:
    return NBA.snapshot_name(game_date, export_id)


def index_name(game_date: date) -> str:
    return NBA.index_name(game_date)
