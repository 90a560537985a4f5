"""Where an export's time goes: seconds per step, in the order the steps ran. The functions log
them with every export (Cloud Logging: `timings_ms`), and `make bench` breaks publish → all.json down
with them. A monotonic timer, never the service's clock (which a demo or a test may pin)."""
from __future__ import annotations

import time
from typing import Callable


class Stopwatch:
    def __init__(self, timer: Callable[[], float] = time.perf_counter):
        self.timer = timer
        self.steps: dict[str, float] = {}
        self._last = timer()

    def lap(self, step: str) -> None:
        """The time since the previous lap (or the start) was spent on `step`."""
        now = self.timer()
        self.steps[step] = self.steps.get(step, 0.0) + now - self._last
        self._last = now
