"""`picklock example`: input files that validate and publish on any day, at any hour, for every sport."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from picklock.adapters.sports_file import default_catalogue
from picklock.validation import closing_rows, result_rows, signal_rows

from fakes import make_service
from test_hostile_inputs import picklock

SPORTS = default_catalogue().ids


@pytest.mark.parametrize("sport", SPORTS)
@pytest.mark.parametrize("hour", [0, 9, 17, 23])  # UTC: the evening, the night, the morning in New York
def test_examples_validate_and_the_slate_publishes_whenever_it_is_made(sport, hour, tmp_path):
    now = datetime(2026, 3, 10, hour, 30, tzinfo=timezone.utc)
    home, spec = tmp_path / "home", default_catalogue().get(sport)
    day = spec.today(now).isoformat()

    def example(*argv):
        status, out, err = picklock(home, "--sport", sport, "example", *argv, now=now.isoformat())
        assert status == 0, err
        return json.loads(out)

    run1, run2, results = example("signal"), example("signal", "--run", "2"), example("results")
    for rows in (run1, run2):
        signal_rows(rows, spec.today(now), "example", spec)
    result_rows(results, spec.today(now), "example", spec)
    assert all(datetime.fromisoformat(r["game_time"]) >= now + timedelta(hours=2) for r in run1)
    (tmp_path / "run1.json").write_text(json.dumps(run1))
    assert picklock(home, "--sport", sport, "signal", "load", "--date", day, "--file", str(tmp_path / "run1.json"),
                    now=now.isoformat())[0] == 0
    status, out, _ = picklock(home, "--sport", sport, "export", "--date", day, now=now.isoformat())
    assert status == 0 and "published: 4 picks (4 active" in out

    later = now + timedelta(hours=8)  # after the games: the closing lines were captured before them
    closing = json.loads(picklock(home, "--sport", sport, "example", "closing", "--date", day, now=later.isoformat())[1])
    closing_rows(closing, spec.today(now), "example", spec, now=later)
