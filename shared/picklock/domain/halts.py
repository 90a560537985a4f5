"""A publishing halt per sport: while a sport is halted its exports keep running (every published
pick stays, is graded, the record moves) but no new pick is published. The state of a sport is its
latest halt/resume command by `submitted_at`, so reordered delivery converges."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from .calendar import format_instant
from .picks import HaltCommand


@dataclass(frozen=True)
class HaltState:
    active: bool = False
    reason: str | None = None
    since: datetime | None = None
    by: str | None = None

    def describe(self, sport: str) -> str:
        return f"{sport} is halted since {format_instant(self.since)}: {self.reason}"


RUNNING = HaltState()


def fold_halts(commands: Iterable[HaltCommand], sport: str) -> HaltState:
    latest = max((c for c in commands if c.sport == sport), key=lambda c: c.order, default=None)
    if latest is None or latest.action == "resume":
        return RUNNING
    return HaltState(True, latest.reason, latest.submitted_at, latest.submitted_by)


def redundant(state: HaltState, command: HaltCommand) -> str | None:
    """A halt of a halted sport or a resume of a running one changes nothing: why, or None."""
    if command.action == "halt" and state.active:
        return f"nothing new: {state.describe(command.sport)}"
    if command.action == "resume" and not state.active:
        return f"nothing new: {command.sport} is not halted"
    return None
