"""The stopwatch of an export's steps (service_layer/stopwatch.py)."""
from __future__ import annotations

from picklock.service_layer.stopwatch import Stopwatch


def test_each_lap_is_the_time_since_the_previous_one_and_a_step_lapped_twice_adds_up():
    readings = iter([10.0, 10.5, 12.5, 12.75, 13.0])
    watch = Stopwatch(lambda: next(readings))
    watch.lap("read")
    watch.lap("plan")
    watch.lap("read")
    watch.lap("write")
    assert watch.steps == {"read": 0.75, "plan": 2.0, "write": 0.25}
    assert list(watch.steps) == ["read", "plan", "write"]  # the order they first ran
